// "Customise": the print style of the downloads from "My QR codes" (colours, level, margin, frame
// text, sizes, a logo), with a live preview drawn by the QR module and the module's guards
// (contrast, quiet zone, frame text, logo) shown beside the form. The style, without the logo, is
// remembered in localStorage: it holds no key, token or message.

import { h, replace } from './dom.js';
import { loadQrModule } from './client.js';
import { DEFAULT_PNG_SIZE, PNG_SIZES } from './download.js';
import { msg, setText } from './i18n.js';

const STORAGE_KEY = 'cams-qrdl:style:v1';
const DEFAULTS = { foreground: '#000000', background: '#ffffff', ecLevel: 'M', margin: 4, frameText: '', moduleShape: 'square', sizePx: DEFAULT_PNG_SIZE, sizeMm: 30 };
const PREVIEW_LINK = 'https://wa.me/message/PREVIEW0';

function stored() {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null');
    return v && typeof v === 'object' ? { ...DEFAULTS, ...v } : { ...DEFAULTS };
  } catch {
    return { ...DEFAULTS };
  }
}

function store(v) {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(v));
  } catch {
    // Blocked storage: the style lasts for this page's life.
  }
}

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
 * The panel (a <details>) and `style()`: the options for renderQrSvg/renderQrPng/renderQrPdf, or
 * null while the guards refuse them. `previewLink()` gives the link the preview draws.
 * @param {{ previewLink?: () => string, idPrefix?: string }} [opts]
 */
export function mountCustomise(opts = {}) {
  const id = (n) => `${opts.idPrefix ?? 'style'}-${n}`;
  let value = stored();
  let logo = '';
  let ok = true;
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
  const logoClear = h('button', { type: 'button', class: 'link-button logo-clear', text: msg('style.logoRemove'), hidden: true });
  const preview = h('div', { class: 'style-preview', 'aria-live': 'off' });
  const error = h('p', { class: 'field-error style-error', id: id('error'), role: 'alert', hidden: true });
  const reset = h('button', { type: 'button', class: 'secondary small style-reset', text: msg('style.reset') });
  const row = (el, key) => h('div', { class: 'field' }, h('label', { for: el.id, text: msg(key) }), el);
  const el = h(
    'details',
    { class: 'customise' },
    h('summary', { text: msg('style.summary') }),
    h('div', { class: 'customise-body' },
      h('div', { class: 'customise-fields' },
        row(fg, 'style.foreground'), row(bg, 'style.background'), row(level, 'style.level'), row(margin, 'style.margin'),
        row(frame, 'style.frame'), row(shape, 'style.shape'), row(size, 'style.pngSize'), row(mm, 'style.pdfWidth'),
        h('div', { class: 'field' }, h('label', { for: logoInput.id, text: msg('style.logo') }), logoInput, logoClear),
        error,
        reset,
      ),
      h('figure', { class: 'style-figure' }, preview, h('figcaption', { text: msg('style.previewCaption') })),
    ),
  );

  function read() {
    value = {
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

  /** The renderer options of the current style (sizes apart). */
  function options() {
    /** @type {Record<string, any>} */
    const o = { foreground: value.foreground, background: value.background, ecLevel: value.ecLevel, margin: value.margin, moduleShape: value.moduleShape };
    if (value.frameText) o.frameText = value.frameText;
    if (logo) o.logo = logo;
    return o;
  }

  async function refresh() {
    read();
    store(value);
    try {
      const { renderQrSvg } = await loadQrModule();
      const svg = renderQrSvg(opts.previewLink?.() || PREVIEW_LINK, options());
      replace(preview, h('img', { class: 'style-preview-img', alt: msg('style.previewAlt'), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` }));
      ok = true;
      error.hidden = true;
      error.textContent = '';
    } catch (err) {
      ok = false;
      error.textContent = String(/** @type {any} */ (err)?.message ?? err);
      error.hidden = false;
    }
  }

  for (const c of [fg, bg, level, margin, frame, shape, size, mm]) c.addEventListener('input', () => void refresh());
  logoInput.addEventListener('change', async () => {
    const file = logoInput.files?.[0];
    try {
      logo = file ? await logoDataUrl(file) : '';
    } catch {
      logo = '';
      setText(error, msg('style.logoUnreadable'));
      error.hidden = false;
      return;
    }
    logoClear.hidden = !logo;
    await refresh();
  });
  logoClear.addEventListener('click', () => {
    logo = '';
    logoInput.value = '';
    logoClear.hidden = true;
    void refresh();
  });
  reset.addEventListener('click', () => {
    fg.value = DEFAULTS.foreground;
    bg.value = DEFAULTS.background;
    level.value = DEFAULTS.ecLevel;
    margin.value = String(DEFAULTS.margin);
    frame.value = '';
    shape.value = DEFAULTS.moduleShape;
    size.value = String(DEFAULTS.sizePx);
    mm.value = String(DEFAULTS.sizeMm);
    void refresh();
  });
  el.addEventListener('toggle', () => {
    if (el.open) void refresh();
  });

  return {
    el,
    /** The options for the renderers, or null while the guards refuse the style. */
    style: () => (ok ? options() : null),
    sizePx: () => value.sizePx,
    sizeMm: () => value.sizeMm,
    refresh,
  };
}
