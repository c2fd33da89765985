// "Customise the downloads": a panel (a <details>) setting the print style of every download on
// the page (colours, level, margin, frame text, shape, sizes, a logo), with a live preview drawn
// by the QR module and the module's guards (contrast, quiet zone, frame text, logo) shown beside
// the form in the page's language. The style itself lives in style.js: every panel shows and
// edits the same one (the result card, "My QR codes" and the batch's ZIP each have a panel).

import { h, replace } from './dom.js';
import { loadQrModule } from './client.js';
import { PNG_SIZES } from './download.js';
import { msg, setText } from './i18n.js';
import { localizeProblem } from './validate.js';
import { DEFAULTS, PREVIEW_LINK, downloadStyle, getStyle, onStyleChange, renderOptions, setStyle } from './style.js';

/** A file as a PNG data: URL (a JPEG or other image redrawn on a canvas: the export module reads PNG). */
async function logoDataUrl(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  return canvas.toDataURL('image/png');
}

/**
 * The panel and `forDownload()`: the style for a download, or null (the panel opened on the
 * guard's message) while the guards refuse it. `previewLink()` gives the link the preview draws.
 * `pngSize: false` leaves out the PNG size (the result card has its own beside its button).
 * @param {{ previewLink?: () => string, idPrefix?: string, pngSize?: boolean, hidden?: boolean }} [opts]
 */
export function mountCustomise(opts = {}) {
  const id = (n) => `${opts.idPrefix ?? 'style'}-${n}`;
  const value = getStyle();
  const input = (name, props) => h('input', { id: id(name), name, ...props });
  const fg = input('foreground', { type: 'color', value: value.foreground });
  const bg = input('background', { type: 'color', value: value.background });
  const level = h('select', { id: id('level'), name: 'ecLevel' }, ['L', 'M', 'Q', 'H'].map((l) => h('option', { value: l, text: l, selected: l === value.ecLevel })));
  const margin = input('margin', { type: 'number', min: '2', max: '16', step: '1', value: String(value.margin) });
  const frame = input('frame', { type: 'text', maxlength: '30', value: value.frameText, spellcheck: 'false', autocomplete: 'off' });
  const shape = h('select', { id: id('shape'), name: 'moduleShape' }, ['square', 'rounded', 'dots'].map((s) => h('option', { value: s, text: msg(`style.shape.${s}`), selected: s === value.moduleShape })));
  const size = h('select', { id: id('size'), name: 'sizePx' }, PNG_SIZES.map((s) => h('option', { value: String(s), text: msg('result.pngSizeOption', { size: s }), selected: s === value.sizePx })));
  const mm = input('mm', { type: 'number', min: '20', max: '1000', step: '1', value: String(value.sizeMm) });
  const logoInput = input('logo', { type: 'file', accept: 'image/png,image/jpeg' });
  const logoClear = h('button', { type: 'button', class: 'link-button logo-clear', text: msg('style.logoRemove'), hidden: !value.logo });
  const preview = h('div', { class: 'style-preview', 'aria-live': 'off' });
  const error = h('p', { class: 'field-error style-error', id: id('error'), role: 'alert', hidden: true });
  const reset = h('button', { type: 'button', class: 'secondary small style-reset', text: msg('style.reset') });
  const row = (el, key) => h('div', { class: 'field' }, h('label', { for: el.id, text: msg(key) }), el);
  const el = h(
    'details',
    { class: 'customise', hidden: opts.hidden ?? false },
    h('summary', { text: msg('style.summary') }),
    h('div', { class: 'customise-body' },
      h('div', { class: 'customise-fields' },
        row(fg, 'style.foreground'), row(bg, 'style.background'), row(level, 'style.level'), row(margin, 'style.margin'),
        row(frame, 'style.frame'), row(shape, 'style.shape'), opts.pngSize === false ? null : row(size, 'style.pngSize'), row(mm, 'style.pdfWidth'),
        h('div', { class: 'field' }, h('label', { for: logoInput.id, text: msg('style.logo') }), logoInput, logoClear),
        error,
        reset,
      ),
      h('figure', { class: 'style-figure' }, preview, h('figcaption', { text: msg('style.previewCaption') })),
    ),
  );
  /** This panel, as the `from` of its own changes (it need not hear of them). */
  const self = {};

  /** The form's fields as a style patch. */
  function read() {
    return {
      foreground: fg.value,
      background: bg.value,
      ecLevel: level.value,
      margin: Number(margin.value) || DEFAULTS.margin,
      frameText: frame.value,
      moduleShape: shape.value,
      sizePx: Number(size.value) || DEFAULTS.sizePx,
      sizeMm: Number(mm.value) || DEFAULTS.sizeMm,
    };
  }

  /** The form from the shared style (changed in another panel). */
  function show() {
    const v = getStyle();
    fg.value = v.foreground;
    bg.value = v.background;
    level.value = v.ecLevel;
    margin.value = String(v.margin);
    frame.value = v.frameText;
    shape.value = v.moduleShape;
    size.value = String(v.sizePx);
    mm.value = String(v.sizeMm);
    if (!v.logo) logoInput.value = '';
    logoClear.hidden = !v.logo;
  }

  /** A guard's refusal beside the form, in the page's language (the module's English if unknown). */
  function showGuard(err) {
    setText(error, localizeProblem(/** @type {any} */ (err)?.message ?? err));
    error.hidden = false;
  }

  async function refresh() {
    try {
      const { renderQrSvg } = await loadQrModule();
      const svg = renderQrSvg(opts.previewLink?.() || PREVIEW_LINK, renderOptions());
      replace(preview, h('img', { class: 'style-preview-img', alt: msg('style.previewAlt'), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` }));
      error.hidden = true;
      error.textContent = '';
    } catch (err) {
      showGuard(err);
    }
  }

  const changed = () => {
    setStyle(read(), self);
    void refresh();
  };
  for (const c of [fg, bg, level, margin, frame, shape, size, mm]) c.addEventListener('input', changed);
  logoInput.addEventListener('change', async () => {
    const file = logoInput.files?.[0];
    let logo;
    try {
      logo = file ? await logoDataUrl(file) : '';
    } catch {
      setText(error, msg('style.logoUnreadable'));
      error.hidden = false;
      return;
    }
    logoClear.hidden = !logo;
    setStyle({ logo }, self);
    await refresh();
  });
  logoClear.addEventListener('click', () => {
    logoInput.value = '';
    logoClear.hidden = true;
    setStyle({ logo: '' }, self);
    void refresh();
  });
  reset.addEventListener('click', () => {
    setStyle({ ...DEFAULTS }, self);
    show();
    void refresh();
  });
  el.addEventListener('toggle', () => {
    if (!el.open) return;
    show();
    void refresh();
  });
  // Another panel's change: this form follows, and its preview when open. A panel taken out of
  // the page for good (a replaced result card) stops listening.
  onStyleChange((from) => {
    if (from === self) return;
    show();
    if (el.open) void refresh();
  }, el);

  return {
    el,
    /**
     * The style for a download ({ options, sizePx, sizeMm }), or null when the guards refuse it:
     * then the panel opens on the guard's message.
     * @returns {Promise<import('./style.js').DownloadStyle | null>}
     */
    async forDownload() {
      const s = await downloadStyle();
      if (!('error' in s) || !s.error) return /** @type {import('./style.js').DownloadStyle} */ (s);
      el.open = true;
      showGuard(s.error);
      return null;
    },
    refresh,
  };
}
