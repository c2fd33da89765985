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
import { phoneHint, validate } from './validate.js';
import { httpUrl } from './errors.js';
import { DEFAULT_PNG_SIZE, PNG_SIZES, pdfBlob, pngBlob, svgBlob, svgObjectUrl } from './download.js';

/** The request fields as the module names them, and the form control for each. */
export const FIELDS = ['phoneNumber', 'prefilledMessage', 'generateQrImage', 'custSpaceId'];

/**
 * A format choice as two radio buttons in a fieldset: returns { wrap, value(), set(v), error, setError }.
 */
export function formatChoice(idPrefix, legend = 'Image format', initial = 'PNG') {
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
    setError(msg) {
      error.textContent = msg ?? '';
      error.hidden = !msg;
      for (const i of [png, svg]) (msg ? i.setAttribute('aria-invalid', 'true') : i.removeAttribute('aria-invalid'));
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

  const phone = field({
    id: `${p}-phone`,
    label: 'Phone number',
    control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }),
    help: 'Your WhatsApp business number, with its country code.',
  });
  const message = field({
    id: `${p}-message`,
    label: 'Prefilled message',
    control: h('textarea', { rows: '3', placeholder: 'Hello! I would like to know more about…' }),
    help: 'The text the chat opens with, ready to send.',
  });
  const counter = messageCounter(message.control, `${p}-message-count`);
  message.error.before(counter.el);
  const format = formatChoice(p, 'Image format', d.format);
  const space = field({
    id: `${p}-space`,
    label: 'Space ID (optional)',
    control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'cams-…' }),
    help: 'Only for ISV sub-customers or several instances: the ID on the Channel Management page.',
  });
  const byField = { phoneNumber: phone, prefilledMessage: message, generateQrImage: format, custSpaceId: space };

  const submit = h('button', { type: 'submit', class: 'primary', text: 'Create QR code' });
  const alert = alertRegion();
  // Focus moves here when a create fails, so the keyboard and the screen reader are on the advice.
  alert.tabIndex = -1;
  const form = h(
    'form',
    { class: 'create-form', novalidate: true, 'aria-label': 'Create a QR code' },
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
      const msg = validate[k](r[k] ?? '');
      byField[k].setError(msg);
      if (msg && !first) first = byField[k];
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
      announce('Please correct the marked fields.');
      opts.onInvalid?.(FIELDS.map((k) => ({ field: k, message: validate[k](request()[k] ?? '') })).filter((x) => x.message));
      return;
    }
    const req = request();
    // A likely national or 00-prefixed number: say so once; the same number again is taken as typed.
    const hint = phoneHint(req.phoneNumber);
    if (hint && confirmedPhone !== req.phoneNumber) {
      confirmedPhone = req.phoneNumber;
      phone.setError(hint);
      phone.control.focus();
      announce(hint);
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Creating…';
    form.setAttribute('aria-busy', 'true');
    announce('Creating the QR code…');
    try {
      const client = await opts.getClient();
      const res = await client.createQrdl(req);
      const qrdl = res.data;
      const card = renderResult(qrdl, { announce, idPrefix: p, headingLevel: opts.headingLevel?.() ?? 'h3' });
      replace(resultSlot, card);
      announce(`QR code ${qrdl.qrdlCode} created.`);
      card.querySelector('h1, h2, h3, h4, h5, h6')?.focus();
      opts.onCreated?.(qrdl, res);
    } catch (caught) {
      // The page may know that nothing was sent (a refused connection, a blocked request).
      const err = (await opts.refineError?.(caught)) ?? caught;
      markPrevious(resultSlot);
      const info = showError(alert, err, { title: 'Could not create the QR code', operation: 'create' });
      if (err && err.code === 'InvalidParameter' && err.field && byField[err.field]) {
        byField[err.field].setError(err.message);
        byField[err.field].control.focus();
      } else {
        alert.focus();
      }
      opts.onError?.(err, info);
    } finally {
      submit.disabled = false;
      submit.textContent = 'Create QR code';
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
  if (heading) heading.textContent = 'Your previous QR code';
  heading?.after(h('p', { class: 'previous-note', text: 'The last create failed, so this is the QR code made before it, not a new one.' }));
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
  const msg = String(qrdl.prefilledMessage ?? '');
  const phone = String(qrdl.phoneNumber ?? '');
  const stem = safeFileStem(code);
  // The service's image shows the same deep link: with a link this page will not use, neither
  // is shown.
  const imageUrl = deepLink ? httpUrl(qrdl.qrImageUrl) : null;

  const img = h('img', {
    class: 'qr-image',
    width: '240',
    height: '240',
    alt: `QR code for a WhatsApp chat with ${phone ? `+${phone}` : 'your business'}, opening with “${msg}”`,
    dataset: { source: 'service' },
  });
  const note = h('p', { class: 'fallback-note', hidden: true });
  let localUrl = null;
  const useLocal = async (/** @type {string} */ why) => {
    if (img.dataset.source === 'local' || !deepLink) return;
    img.dataset.source = 'local';
    try {
      localUrl = await svgObjectUrl(deepLink);
    } catch {
      note.textContent = 'The QR image could not be loaded, and the deep link could not be drawn here either.';
      note.hidden = false;
      return;
    }
    img.src = localUrl;
    note.textContent = `${why} This QR was drawn here from the deep link instead; it scans the same.`;
    note.hidden = false;
    announce(note.textContent);
  };
  img.addEventListener('error', () => {
    if (img.dataset.source === 'service') useLocal('The QR image from the service could not be loaded (its URL may have expired, or its host cannot be reached).');
  });
  if (!deepLink) img.dataset.source = 'none';
  else if (imageUrl) img.src = imageUrl;
  else queueMicrotask(() => useLocal('The service did not give an http(s) image URL.'));

  const copyBtn = h('button', { type: 'button', class: 'secondary copy-link', text: 'Copy link', disabled: !deepLink });
  copyBtn.addEventListener('click', async () => {
    if (!deepLink) return;
    const ok = await copyText(deepLink);
    copyBtn.textContent = ok ? 'Copied' : 'Copy failed';
    announce(ok ? 'Link copied to the clipboard.' : 'The link could not be copied; select it and copy it by hand.');
    setTimeout(() => {
      copyBtn.textContent = 'Copy link';
    }, 2000);
  });

  const sizeId = `${idPrefix}-png-size`;
  const sizeSel = h('select', { id: sizeId, disabled: !deepLink }, PNG_SIZES.map((s) => h('option', { value: String(s), text: `${s} × ${s} px`, selected: s === DEFAULT_PNG_SIZE })));
  const dlAlert = alertRegion();
  const svgBtn = h('button', {
    type: 'button',
    class: 'secondary download-svg',
    text: 'Download SVG',
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      try {
        saveBlob(await svgBlob(deepLink), `${stem}.svg`);
        announce(`Downloading ${stem}.svg.`);
      } catch (err) {
        showError(dlAlert, err, { title: 'Could not make the SVG' });
      }
    },
  });
  const pngBtn = h('button', {
    type: 'button',
    class: 'secondary download-png',
    text: 'Download PNG',
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      const size = Number(sizeSel.value);
      try {
        saveBlob(await pngBlob(deepLink, size), `${stem}-${size}.png`);
        announce(`Downloading ${stem}-${size}.png.`);
      } catch (err) {
        showError(dlAlert, err, { title: 'Could not make the PNG' });
      }
    },
  });

  const pdfBtn = h('button', {
    type: 'button',
    class: 'secondary download-pdf',
    text: 'Download PDF',
    disabled: !deepLink,
    onclick: async () => {
      if (!deepLink) return;
      clearError(dlAlert);
      try {
        saveBlob(await pdfBlob(deepLink), `${stem}.pdf`);
        announce(`Downloading ${stem}.pdf (30 mm wide, vector, for print).`);
      } catch (err) {
        showError(dlAlert, err, { title: 'Could not make the PDF' });
      }
    },
  });

  const unsafeNoteId = `${idPrefix}-unsafe-link`;
  const unsafeNote = deepLink
    ? null
    : h('p', { class: 'fallback-note unsafe-link-note', id: unsafeNoteId, text: 'The service gave a deep link that is not an http(s) address, so this page does not show a QR for it, and does not open, copy, draw or download it. Do not print this code; ask Alibaba Cloud support about it, quoting the code.' });
  if (unsafeNote) for (const b of [copyBtn, svgBtn, pngBtn, pdfBtn, sizeSel]) b.setAttribute('aria-describedby', unsafeNoteId);

  const heading = h(headingLevel, { tabindex: '-1', text: 'Your QR code' });
  return h(
    'article',
    { class: 'result card', 'aria-label': `QR code ${code}`, dataset: { code } },
    heading,
    h('div', { class: 'result-body' },
      h('figure', { class: 'qr-frame', hidden: !deepLink }, img),
      h('div', { class: 'result-info' },
        unsafeNote,
        note,
        h('dl', { class: 'facts' },
          h('dt', { text: 'Deep link' }),
          h('dd', { class: 'deep-link-row' }, link(rawLink, rawLink, { class: 'deep-link' }), copyBtn),
          h('dt', { text: 'Code' }),
          h('dd', {}, h('code', { class: 'qrdl-code', text: code })),
          h('dt', { text: 'Message' }),
          h('dd', { class: 'qrdl-message', text: msg }),
          phone ? [h('dt', { text: 'Phone number' }), h('dd', { text: `+${phone}` })] : null,
          h('dt', { text: 'Image' }),
          h('dd', {}, `${qrdl.generateQrImage || ''} from the service`, imageUrl ? [' · ', link(imageUrl, 'open image')] : null),
        ),
        h('div', { class: 'downloads', role: 'group', 'aria-label': 'Downloads' },
          h('p', { class: 'help', text: deepLink ? 'Drawn here from the deep link: they work offline and never expire.' : 'Not available: they are drawn from the deep link, and this one is not an http(s) address.' }),
          h('div', { class: 'download-row' },
            svgBtn,
            h('span', { class: 'png-choice' }, h('label', { for: sizeId, text: 'PNG size' }), sizeSel),
            pngBtn,
            pdfBtn,
          ),
          dlAlert,
        ),
      ),
    ),
  );
}
