// The create form and the result card. Used by the page and by <cams-qrdl> (in its shadow root).

import {
  alertRegion,
  clearError,
  copyText,
  field,
  h,
  link,
  messageCounter,
  replace,
  safeFileStem,
  saveBlob,
  showError,
} from './dom.js';
import { localizeProblem, phoneHint, validate } from './validate.js';
import { httpUrl } from './errors.js';
import { langOf, msg, setText, translate } from './i18n.js';
import { PNG_SIZES, pdfBlob, pngBlob, svgBlob, svgObjectUrl } from './download.js';
import { mountCustomise } from './customise.js';
import { getStyle, onStyleChange, setStyle } from './style.js';

/** The request fields as the module names them, and the form control for each. */
export const FIELDS = ['phoneNumber', 'prefilledMessage', 'generateQrImage', 'custSpaceId'];

/**
 * A format choice as two radio buttons in a fieldset: returns { wrap, value(), set(v), error, setError }.
 */
export function formatChoice(idPrefix, legend = msg('common.format'), initial = 'PNG') {
  const name = `${idPrefix}-format`;
  const png = h('input', { type: 'radio', name, value: 'PNG', id: `${name}-png` });
  const svg = h('input', { type: 'radio', name, value: 'SVG', id: `${name}-svg` });
  (initial === 'SVG' ? svg : png).checked = true;
  const error = h('p', { class: 'field-error', id: `${name}-error`, hidden: true });
  const wrap = h(
    'fieldset',
    { class: 'segmented field', 'aria-describedby': `${name}-error` },
    h('legend', { text: legend }),
    h('div', { class: 'segmented-options' }, h('label', { class: 'seg', for: png.id }, png, h('span', { text: 'PNG' })), h('label', { class: 'seg', for: svg.id }, svg, h('span', { text: 'SVG' }))),
    error,
  );
  return {
    wrap,
    inputs: [png, svg],
    value: () => (svg.checked ? 'SVG' : 'PNG'),
    set: (v) => {
      (String(v).toUpperCase() === 'SVG' ? svg : png).checked = true;
    },
    control: png,
    setError(message) {
      setText(error, message ?? '');
      error.hidden = !message;
      for (const i of [png, svg]) (message ? i.setAttribute('aria-invalid', 'true') : i.removeAttribute('aria-invalid'));
    },
  };
}

/**
 * Mounts the create form and its result area into `root`.
 * opts: { getClient(), defaults: {phoneNumber, message, format, spaceId}, announce(msg),
 *         onCreated(qrdl, response), onError(err, info), idPrefix, onPhoneChange(v),
 *         onInvalid([{ field, message }]), headingLevel() (the result's heading tag, 'h3') }
 * Returns { form, fields, setDefaults(d), resultSlot }.
 */
export function mountCreate(root, opts) {
  const p = opts.idPrefix ?? 'create';
  const d = opts.defaults ?? {};
  const announce = opts.announce ?? ((/** @type {string} */ _msg) => {});
  /** A text in the form's language (the page's, or <cams-qrdl lang>). */
  const say = (key, vars = {}) => translate(langOf(form), key, vars);

  const phone = field({
    id: `${p}-phone`,
    label: msg('common.phone'),
    control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }),
    help: msg('create.phoneHelp'),
  });
  const message = field({
    id: `${p}-message`,
    label: msg('create.message'),
    control: h('textarea', { rows: '3', placeholder: msg('create.messagePlaceholder') }),
    help: msg('create.messageHelp'),
  });
  const counter = messageCounter(message.control, `${p}-message-count`);
  message.error.before(counter.el);
  const format = formatChoice(p, msg('common.format'), d.format);
  const space = field({
    id: `${p}-space`,
    label: msg('common.space'),
    control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'cams-…' }),
    help: msg('create.spaceHelp'),
  });
  const byField = { phoneNumber: phone, prefilledMessage: message, generateQrImage: format, custSpaceId: space };

  const submit = h('button', { type: 'submit', class: 'primary', text: msg('create.submit') });
  const alert = alertRegion();
  // Focus moves here when a create fails, so the keyboard and the screen reader are on the advice.
  alert.tabIndex = -1;
  const form = h(
    'form',
    { class: 'create-form', novalidate: true, 'aria-label': msg('create.formLabel') },
    phone.wrap,
    message.wrap,
    h('div', { class: 'field-row' }, format.wrap, space.wrap),
    h('div', { class: 'actions' }, submit),
    alert,
  );
  const resultSlot = h('div', { class: 'result-slot' });
  root.append(h('div', { class: 'create-container' }, h('div', { class: 'create-layout' }, form, resultSlot)));

  function setDefaults(v) {
    if (v.phoneNumber !== undefined && v.phoneNumber !== null) phone.control.value = v.phoneNumber;
    if (v.message !== undefined && v.message !== null) message.control.value = v.message;
    if (v.format) format.set(v.format);
    if (v.spaceId !== undefined && v.spaceId !== null) space.control.value = v.spaceId;
    counter.update();
  }
  setDefaults(d);

  let tried = false;
  const request = () => {
    const r = {
      phoneNumber: phone.control.value.trim(),
      prefilledMessage: message.control.value,
      generateQrImage: format.value(),
    };
    const s = space.control.value.trim();
    if (s) r.custSpaceId = s;
    return r;
  };
  const check = () => {
    const r = request();
    let first = null;
    for (const k of FIELDS) {
      const problem = validate[k](r[k] ?? '');
      byField[k].setError(problem);
      if (problem && !first) first = byField[k];
    }
    return first;
  };
  for (const f of [phone.control, message.control, space.control, ...format.inputs]) {
    f.addEventListener('input', () => tried && check());
    f.addEventListener('change', () => tried && check());
  }
  phone.control.addEventListener('change', () => opts.onPhoneChange?.(phone.control.value.trim()));

  /** The number the person confirmed despite its hint (a 00 or trunk 0 prefix). */
  let confirmedPhone = null;
  phone.control.addEventListener('input', () => {
    if (confirmedPhone !== null && phone.control.value.trim() !== confirmedPhone) confirmedPhone = null;
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    tried = true;
    clearError(alert);
    const bad = check();
    if (bad) {
      bad.control.focus();
      announce(say('create.correctFields'));
      const lang = langOf(form);
      opts.onInvalid?.(FIELDS.map((k) => ({ field: k, message: validate[k](request()[k] ?? '')?.in(lang) ?? null })).filter((x) => x.message));
      return;
    }
    const req = request();
    // A likely national or 00-prefixed number: say so once; the same number again is taken as typed.
    const hint = phoneHint(req.phoneNumber);
    if (hint && confirmedPhone !== req.phoneNumber) {
      confirmedPhone = req.phoneNumber;
      phone.setError(hint);
      phone.control.focus();
      announce(hint.in(langOf(form)));
      return;
    }
    submit.disabled = true;
    setText(submit, msg('create.submitting'));
    form.setAttribute('aria-busy', 'true');
    announce(say('create.announceCreating'));
    try {
      const client = await opts.getClient();
      const res = await client.createQrdl(req);
      const qrdl = res.data;
      const card = renderResult(qrdl, { announce, idPrefix: p, headingLevel: opts.headingLevel?.() ?? 'h3' });
      replace(resultSlot, card);
      announce(say('create.announceCreated', { code: String(qrdl.qrdlCode) }));
      card.querySelector('h1, h2, h3, h4, h5, h6')?.focus();
      opts.onCreated?.(qrdl, res);
    } catch (caught) {
      // The page may know that nothing was sent (a refused connection, a blocked request).
      const err = (await opts.refineError?.(caught)) ?? caught;
      markPrevious(resultSlot);
      const info = showError(alert, err, { title: msg('create.failed'), operation: 'create' });
      if (err && err.code === 'InvalidParameter' && err.field && byField[err.field]) {
        byField[err.field].setError(localizeProblem(err.message));
        byField[err.field].control.focus();
      } else {
        alert.focus();
      }
      opts.onError?.(err, info);
    } finally {
      submit.disabled = false;
      setText(submit, msg('create.submit'));
      form.removeAttribute('aria-busy');
    }
  });

  return { form, fields: byField, setDefaults, resultSlot, alert, request };
}

/**
 * After a failed create, the card of the one before stays (it is still a valid code) but says
 * plainly that it is the previous one, not the result of this try.
 */
function markPrevious(slot) {
  const card = slot.querySelector('article.result');
  if (!card || card.classList.contains('previous')) return;
  card.classList.add('previous');
  card.dataset.previous = 'true';
  const heading = card.querySelector('h2, h3, h4, h5, h6');
  if (heading) setText(heading, msg('create.previousHeading'));
  heading?.after(h('p', { class: 'previous-note', text: msg('create.previousNote') }));
}

/**
 * The result card: the QR (from QrImageUrl, or drawn locally when that fails), the deep link with
 * "Copy link", the code, the message and the downloads.
 */
export function renderResult(qrdl, { announce = (/** @type {string} */ _msg) => {}, idPrefix = 'result', headingLevel = 'h3' }) {
  const rawLink = String(qrdl.deepLinkUrl ?? '');
  // Only an http(s) deep link is copied, drawn or downloaded: anything else (a javascript: URL,
  // say) is shown as text and every control that would use it is disabled, with the reason.
  const deepLink = httpUrl(rawLink);
  const code = String(qrdl.qrdlCode ?? '');
  const text = String(qrdl.prefilledMessage ?? '');
  const phone = String(qrdl.phoneNumber ?? '');
  const stem = safeFileStem(code);
  // The service's image shows the same deep link: with a link this page will not use, neither
  // is shown.
  const imageUrl = deepLink ? httpUrl(qrdl.qrImageUrl) : null;

  const img = h('img', {
    class: 'qr-image',
    width: '240',
    height: '240',
    alt: msg('result.alt', { who: phone ? `+${phone}` : msg('result.altBusiness'), message: text }),
    dataset: { source: 'service' },
  });
  const note = h('p', { class: 'fallback-note', hidden: true });
  let localUrl = null;
  const useLocal = async (/** @type {import('./i18n.js').Msg} */ why) => {
    if (img.dataset.source === 'local' || !deepLink) return;
    img.dataset.source = 'local';
    try {
      localUrl = await svgObjectUrl(deepLink);
    } catch {
      setText(note, msg('result.drawFailed'));
      note.hidden = false;
      return;
    }
    img.src = localUrl;
    setText(note, msg('result.drawnHere', { why }));
    note.hidden = false;
    announce(note.textContent);
  };
  img.addEventListener('error', () => {
    if (img.dataset.source === 'service') useLocal(msg('result.imageFailed'));
  });
  if (!deepLink) img.dataset.source = 'none';
  else if (imageUrl) img.src = imageUrl;
  else queueMicrotask(() => useLocal(msg('result.noImageUrl')));

  const copyBtn = h('button', { type: 'button', class: 'secondary copy-link', text: msg('result.copy'), disabled: !deepLink });
  copyBtn.addEventListener('click', async () => {
    if (!deepLink) return;
    const ok = await copyText(deepLink);
    setText(copyBtn, msg(ok ? 'result.copied' : 'result.copyFailed'));
    announce(translate(langOf(copyBtn), ok ? 'result.announceCopied' : 'result.announceCopyFailed'));
    setTimeout(() => {
      setText(copyBtn, msg('result.copy'));
    }, 2000);
  });

  // The downloads' style (shared with every "Customise" panel on the page); the PNG size beside
  // the button is the style's, so changing either changes both.
  const customise = mountCustomise({ idPrefix: `${idPrefix}-style`, pngSize: false, previewLink: () => deepLink ?? '' });
  const sizeId = `${idPrefix}-png-size`;
  const sizeSel = h('select', { id: sizeId, disabled: !deepLink }, PNG_SIZES.map((s) => h('option', { value: String(s), text: msg('result.pngSizeOption', { size: s }), selected: s === getStyle().sizePx })));
  sizeSel.addEventListener('change', () => setStyle({ sizePx: Number(sizeSel.value) }, sizeSel));
  onStyleChange((from) => {
    if (from !== sizeSel) sizeSel.value = String(getStyle().sizePx);
  }, sizeSel);
  const dlAlert = alertRegion();
  /** The style for a download, or null (said, and the panel opened on the guard's message). */
  const styled = async (btn) => {
    const s = await customise.forDownload();
    if (!s) announce(translate(langOf(btn), 'style.invalid'));
    return s;
  };
  const svgBtn = h('button', {
    type: 'button',
    class: 'secondary download-svg',
    text: msg('result.downloadSvg'),
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      const style = await styled(svgBtn);
      if (!style) return;
      try {
        saveBlob(await svgBlob(deepLink, style.options), `${stem}.svg`);
        announce(translate(langOf(svgBtn), 'result.downloading', { file: `${stem}.svg` }));
      } catch (err) {
        showError(dlAlert, err, { title: msg('result.svgFailed') });
      }
    },
  });
  const pngBtn = h('button', {
    type: 'button',
    class: 'secondary download-png',
    text: msg('result.downloadPng'),
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      const style = await styled(pngBtn);
      if (!style) return;
      const size = Number(sizeSel.value);
      try {
        saveBlob(await pngBlob(deepLink, size, style.options), `${stem}-${size}.png`);
        announce(translate(langOf(pngBtn), 'result.downloading', { file: `${stem}-${size}.png` }));
      } catch (err) {
        showError(dlAlert, err, { title: msg('result.pngFailed') });
      }
    },
  });

  const pdfBtn = h('button', {
    type: 'button',
    class: 'secondary download-pdf',
    text: msg('result.downloadPdf'),
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      const style = await styled(pdfBtn);
      if (!style) return;
      try {
        saveBlob(await pdfBlob(deepLink, style.sizeMm, style.options), `${stem}.pdf`);
        announce(translate(langOf(pdfBtn), 'result.downloadingPdf', { file: `${stem}.pdf` }));
      } catch (err) {
        showError(dlAlert, err, { title: msg('result.pdfFailed') });
      }
    },
  });

  const unsafeNoteId = `${idPrefix}-unsafe-link`;
  const unsafeNote = deepLink
    ? null
    : h('p', { class: 'fallback-note unsafe-link-note', id: unsafeNoteId, text: msg('result.unsafeLink') });
  if (unsafeNote) for (const b of [copyBtn, svgBtn, pngBtn, pdfBtn, sizeSel]) b.setAttribute('aria-describedby', unsafeNoteId);

  const heading = h(headingLevel, { tabindex: '-1', text: msg('result.heading') });
  return h(
    'article',
    { class: 'result card', 'aria-label': msg('result.label', { code }), dataset: { code } },
    heading,
    h('div', { class: 'result-body' },
      h('figure', { class: 'qr-frame', hidden: !deepLink }, img),
      h('div', { class: 'result-info' },
        unsafeNote,
        note,
        h('dl', { class: 'facts' },
          h('dt', { text: msg('result.deepLink') }),
          h('dd', { class: 'deep-link-row' }, link(rawLink, rawLink, { class: 'deep-link' }), copyBtn),
          h('dt', { text: msg('result.code') }),
          h('dd', {}, h('code', { class: 'qrdl-code', text: code })),
          h('dt', { text: msg('result.message') }),
          h('dd', { class: 'qrdl-message', text }),
          phone ? [h('dt', { text: msg('common.phone') }), h('dd', { text: `+${phone}` })] : null,
          h('dt', { text: msg('result.image') }),
          h('dd', {}, msg('result.fromService', { format: String(qrdl.generateQrImage || '') }), imageUrl ? [' · ', link(imageUrl, msg('result.openImage'))] : null),
        ),
        h('div', { class: 'downloads', role: 'group', 'aria-label': msg('result.downloads') },
          h('p', { class: 'help', text: msg(deepLink ? 'result.downloadsHelp' : 'result.downloadsUnavailable') }),
          h('div', { class: 'download-row' },
            svgBtn,
            h('span', { class: 'png-choice' }, h('label', { for: sizeId, text: msg('result.pngSize') }), sizeSel),
            pngBtn,
            pdfBtn,
          ),
          deepLink ? customise.el : null,
          dlAlert,
        ),
      ),
    ),
  );
}
