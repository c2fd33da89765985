// Small DOM helpers. Every piece of remote or user text goes in as text, never as HTML.

import { UNKNOWN_OUTCOME, describeError, httpUrl } from './errors.js';

let uid = 0;
/** A document-unique id with a readable prefix. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * Builds an element. `props`: `class`, `text`, `on<event>` handlers, `dataset`, boolean or string
 * attributes, and `hidden`. Children: nodes or strings (strings become text nodes).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false || c === '') continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** An <a> only for http(s) URLs; anything else becomes plain text. A link shown as its own
 * address may wrap at its separators ([breakableUrl]). */
export function link(url, text, props = {}) {
  const safe = httpUrl(url);
  if (!safe) return h('span', { class: 'unsafe-url', text: text ?? String(url ?? '') });
  const shown = text ?? safe;
  return h('a', { href: safe, rel: 'noopener noreferrer', target: '_blank', ...props }, shown === url || shown === safe ? breakableUrl(shown) : shown);
}

/**
 * A URL's text with <wbr> where a long one may wrap on a narrow screen: after "//", before each
 * other "/", "?", "&" and "#" (the text itself is unchanged; CSS breaks inside a piece only when
 * it alone is wider than the line).
 */
export function breakableUrl(text) {
  const out = [];
  let piece = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    const breakBefore = (c === '/' && text[i - 1] !== '/' && text[i + 1] !== '/') || c === '?' || c === '&' || c === '#';
    if (breakBefore && piece) {
      out.push(piece, h('wbr'));
      piece = '';
    }
    piece += c;
    if (c === '/' && text[i - 1] === '/') {
      out.push(piece, h('wbr'));
      piece = '';
    }
  }
  if (piece) out.push(piece);
  return out;
}

/** Characters as WhatsApp and the module count them: Unicode code points. */
export function charCount(s) {
  let n = 0;
  for (const _ of s) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

export const MAX_MESSAGE_CHARS = 140;
export const MAX_CODES_PER_NUMBER = 2000;


/**
 * A labelled field: label, control, help text and an error slot, wired with aria-describedby.
 * Returns { wrap, control, error, setError(msg) }.
 */
/** @param {{ label: string, control: any, help?: any, id: string, wrapClass?: string }} spec */
export function field({ label, control, help, id, wrapClass = 'field' }) {
  control.id = id;
  const helpEl = help ? h('p', { class: 'help', id: `${id}-help` }, help) : null;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const describedBy = [helpEl ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const wrap = h('div', { class: wrapClass }, h('label', { for: id, text: label }), control, helpEl, error);
  return {
    wrap,
    control,
    error,
    setError(msg) {
      setFieldError(control, error, msg);
    },
  };
}

export function setFieldError(control, errorEl, msg) {
  if (msg) {
    errorEl.textContent = msg;
    errorEl.hidden = false;
    control.setAttribute('aria-invalid', 'true');
  } else {
    errorEl.textContent = '';
    errorEl.hidden = true;
    control.removeAttribute('aria-invalid');
  }
}

/**
 * A live character counter for a textarea ("12 / 140 characters"), added to the textarea's
 * description so a screen reader reads it with the field; it turns red past the limit.
 */
export function messageCounter(textarea, id) {
  const el = h('p', { class: 'counter', id });
  const update = () => {
    const n = charCount(textarea.value);
    el.textContent = `${n} / ${MAX_MESSAGE_CHARS} characters`;
    el.classList.toggle('over', n > MAX_MESSAGE_CHARS);
  };
  textarea.addEventListener('input', update);
  const described = (textarea.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  textarea.setAttribute('aria-describedby', [...described, id].join(' '));
  update();
  return { el, update };
}

/** The client's own codes carry a message about this very failure; unknown codes have only theirs. */
const CLIENT_CODES = new Set(['InvalidParameter', 'NetworkError', 'Timeout', 'InvalidResponse', 'CredentialsError']);
function showMessage(d) {
  // A create with an unknown outcome says what matters in plain words; the client's own message
  // (which names the API call to check with) stays under the details.
  if (d.unknownOutcome) return false;
  return Boolean(d.message) && d.message !== d.sentence && (!d.known || CLIENT_CODES.has(d.code));
}

/**
 * Shows a failure in a role="alert" element: the code, a sentence, what to do, and the service's
 * own details. `title` says what failed ("Could not create the QR code"); a single create whose
 * outcome is unknown says instead that the code may exist. `batch`: see describeError.
 * @param {HTMLElement} alertEl
 * @param {any} err
 * @param {{ title?: string, operation?: 'create' | 'list' | 'update' | 'delete', batch?: boolean }} [options]
 */
export function showError(alertEl, err, { title, operation, batch } = {}) {
  const d = describeError(err, { operation, batch });
  const details = [];
  if (d.message && !showMessage(d)) details.push(h('li', {}, 'Message: ', h('span', { class: 'server-message', text: d.message })));
  if (d.accessDeniedDetail) details.push(h('li', {}, 'Access denied detail: ', h('code', { text: d.accessDeniedDetail })));
  if (d.httpStatus) details.push(h('li', {}, `HTTP status: ${d.httpStatus}`));
  if (d.requestId) details.push(h('li', {}, 'Request ID: ', h('code', { text: d.requestId })));
  if (d.recommend) details.push(h('li', {}, 'Recommended reading: ', link(d.recommend, d.recommend)));
  const parts = [
    h('p', { class: 'alert-title' }, h('strong', { text: d.unknownOutcome ? UNKNOWN_OUTCOME.title : (title ?? 'Something went wrong') }), ' ', h('code', { class: 'error-code', text: d.code })),
    h('p', { class: 'error-sentence', text: d.sentence }),
    d.unknownOutcome ? h('p', { class: 'unknown-outcome', text: UNKNOWN_OUTCOME.note }) : null,
    showMessage(d) ? h('p', { class: 'server-message-visible', text: d.message }) : null,
    d.ramAction ? h('p', { class: 'ram-action' }, 'Action to grant: ', h('code', { text: d.ramAction })) : null,
    h('p', { class: 'error-todo' }, h('strong', { text: 'What to do: ' }), d.todo),
    details.length ? h('details', { class: 'error-details' }, h('summary', { text: 'Details from the service' }), h('ul', {}, details)) : null,
    h('button', { type: 'button', class: 'link-button alert-dismiss', text: 'Dismiss', onclick: () => clearError(alertEl) }),
  ];
  replace(alertEl, parts);
  alertEl.hidden = false;
  alertEl.dataset.code = d.code;
  if (d.unknownOutcome) alertEl.dataset.outcome = 'unknown';
  else delete alertEl.dataset.outcome;
  return d;
}

export function clearError(alertEl) {
  alertEl.replaceChildren();
  alertEl.hidden = true;
  delete alertEl.dataset.code;
  delete alertEl.dataset.outcome;
}

/** An empty role="alert" region. */
export function alertRegion(cls = '') {
  return h('div', { role: 'alert', class: `alert ${cls}`.trim(), hidden: true });
}

/** Saves a Blob under a file name. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file-name-safe version of a QR code's code. */
export function safeFileStem(code) {
  const s = String(code ?? '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s || 'qr-code';
}

/** Copies text; falls back to a selected textarea where the Clipboard API is unavailable. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const ta = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** Formats a number the way a person reads it (2,000). */
export function fmt(n) {
  return Number(n).toLocaleString('en-US');
}
