// <cams-qrdl>: the create form and its result in a shadow root, for a dashboard to embed with one
// tag and one import:
//
//   <script type="module" src="https://relay.example.com/cams-qrdl.js"></script>
//   <cams-qrdl relay="https://relay.example.com/" phone-number="8613800001234"
//              message="Hello!" format="SVG"></cams-qrdl>
//
// Attributes: relay (a cams-relay's address; default: where this script was loaded from),
// endpoint (where signed calls go; default: the relay's /cams), region (only with the
// credentials property and no endpoint: cams.<region>.aliyuncs.com; through a relay, the relay
// decides), phone-number, message, format (PNG or SVG), space-id, theme (auto: the host page's
// color-scheme, the default; light; dark), heading-level (1-6, the result's heading; default 2).
// Property: credentials = { accessKeyId, accessKeySecret, securityToken? } or { provider } to skip
// the relay (kept in memory only).
// Events (bubbling, composed): qrdl-created { qrdl, response }; qrdl-error { error, code, message,
// sentence, todo, field?, fields? } for a service failure and for fields that did not validate
// (code InvalidParameter, nothing sent; fields lists each { field, message }).
// Styling (README, "The custom element"): the --cams-qrdl-* custom properties, and the parts in
// PARTS below (::part(name)).

import { buildClient, loadModule, relayAt } from './js/client.js';
import { mountCreate } from './js/create.js';
import { describeError } from './js/errors.js';

const STYLE_URL = new URL('./css/qrdl.css', import.meta.url).href;
const SCRIPT_BASE = new URL('./', import.meta.url).href;

/** The parts a host page may style with ::part(name), and what each names. */
export const PARTS = /** @type {const} */ ([
  ['container', '.cams-qrdl'],
  ['form', 'form'],
  ['field', '.field'],
  ['label', 'label, legend'],
  ['input', 'input:not([type="radio"]), textarea, select'],
  ['help', '.help'],
  ['field-error', '.field-error'],
  ['button', 'button'],
  ['submit', 'button[type="submit"]'],
  ['alert', '.alert'],
  ['result', '.result-slot'],
  ['card', 'article.result'],
  ['heading', 'article.result > :is(h1, h2, h3, h4, h5, h6)'],
  ['qr-image', 'img.qr-image'],
  ['deep-link', 'a.deep-link'],
]);

/** Adds each part name to the matching elements in and under `node`. */
function markParts(node) {
  if (!(node instanceof Element)) return;
  for (const [name, selector] of PARTS) {
    if (node.matches(selector)) node.part.add(name);
    for (const el of node.querySelectorAll(selector)) el.part.add(name);
  }
}

/** The heading tag for a heading-level attribute (1-6; anything else: 2). */
export function headingTag(value) {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 6 ? `h${n}` : 'h2';
}

export class CamsQrdlElement extends HTMLElement {
  static observedAttributes = ['relay', 'endpoint', 'region', 'phone-number', 'message', 'format', 'space-id', 'theme', 'heading-level'];

  #ui = null;
  #clientPromise = null;
  #credentials = null;
  #status = null;
  #mounted = false;
  #parts = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) markParts(n);
  });

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  /** Direct credentials or a provider instead of a relay; never written anywhere. */
  get credentials() {
    return this.#credentials ? { ...this.#credentials, accessKeySecret: this.#credentials.accessKeySecret ? '••••' : undefined } : null;
  }

  set credentials(value) {
    this.#credentials = value ?? null;
    this.#clientPromise = null;
  }

  /** theme: "auto" (the host page's color-scheme), "light" or "dark"; styling only (CSS). */
  get theme() {
    const t = (this.getAttribute('theme') ?? '').toLowerCase();
    return t === 'light' || t === 'dark' ? t : 'auto';
  }

  set theme(value) {
    this.setAttribute('theme', String(value));
  }

  connectedCallback() {
    if (this.#mounted) return;
    this.#mounted = true;
    this.#mount();
  }

  attributeChangedCallback(name, oldValue, value) {
    if (oldValue === value) return;
    if (name === 'relay' || name === 'endpoint' || name === 'region') {
      this.#clientPromise = null;
    } else if (name === 'theme' || name === 'heading-level') {
      // Read when used: the theme by the stylesheet, the heading level by the next result.
    } else if (this.#ui) {
      this.#ui.setDefaults(this.#defaults());
    }
  }

  #defaults() {
    return {
      phoneNumber: this.getAttribute('phone-number') ?? undefined,
      message: this.getAttribute('message') ?? undefined,
      format: (this.getAttribute('format') ?? 'PNG').toUpperCase() === 'SVG' ? 'SVG' : 'PNG',
      spaceId: this.getAttribute('space-id') ?? undefined,
    };
  }

  #announce = (msg) => {
    if (!this.#status) return;
    this.#status.textContent = '';
    setTimeout(() => {
      this.#status.textContent = msg;
    }, 30);
  };

  async #mount() {
    const root = this.shadowRoot;
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = STYLE_URL;
    const container = document.createElement('div');
    container.className = 'cams-qrdl';
    container.setAttribute('part', 'container');
    this.#status = document.createElement('div');
    this.#status.className = 'visually-hidden';
    this.#status.setAttribute('role', 'status');
    root.replaceChildren(style, container, this.#status);
    this.#parts.observe(container, { childList: true, subtree: true });

    let mod;
    try {
      mod = await loadModule();
    } catch (err) {
      const e = Object.assign(new Error(`The QR module could not be loaded: ${err?.message ?? err}`), { name: 'CamsError', code: 'ModuleMissing' });
      const alert = document.createElement('div');
      alert.setAttribute('role', 'alert');
      alert.className = 'alert';
      alert.textContent = e.message;
      container.append(alert);
      this.#emitError(e);
      return;
    }
    this.#ui = mountCreate(container, {
      idPrefix: 'qrdl',
      defaults: this.#defaults(),
      announce: this.#announce,
      getClient: () => this.#client(mod),
      onCreated: (qrdl, response) => {
        this.dispatchEvent(new CustomEvent('qrdl-created', { bubbles: true, composed: true, detail: { qrdl, response } }));
      },
      onError: (error) => this.#emitError(error),
      onInvalid: (fields) => this.#emitInvalid(fields),
      headingLevel: () => headingTag(this.getAttribute('heading-level')),
    });
    markParts(container);
    this.dataset.ready = 'true';
    this.dispatchEvent(new CustomEvent('qrdl-ready', { bubbles: true, composed: true }));
  }

  #emitError(error) {
    const d = describeError(error, { operation: 'create' });
    this.dispatchEvent(
      new CustomEvent('qrdl-error', {
        bubbles: true,
        composed: true,
        detail: { error, code: d.code, message: d.message, sentence: d.sentence, todo: d.todo },
      }),
    );
  }

  /** qrdl-error for fields that did not validate: code InvalidParameter, nothing was sent. */
  #emitInvalid(fields) {
    if (!fields.length) return;
    const [first] = fields;
    const error = Object.assign(new Error(first.message), { name: 'CamsError', code: 'InvalidParameter', field: first.field, retryable: false });
    const d = describeError(error, { operation: 'create' });
    this.dispatchEvent(
      new CustomEvent('qrdl-error', {
        bubbles: true,
        composed: true,
        detail: { error, code: d.code, message: d.message, sentence: d.sentence, todo: d.todo, field: first.field, fields },
      }),
    );
  }

  #client(mod) {
    this.#clientPromise ??= (async () => {
      const endpoint = this.getAttribute('endpoint') || undefined;
      const regionId = this.getAttribute('region') || undefined;
      if (this.#credentials) {
        const config = { credentials: this.#credentials };
        if (endpoint) config.endpoint = endpoint;
        if (regionId) config.regionId = regionId;
        return new mod.CamsClient(config);
      }
      const relay = await relayAt(this.getAttribute('relay') || SCRIPT_BASE);
      return buildClient(mod, { mode: 'relay', stsUrl: relay.stsUrl, camsUrl: relay.camsUrl, endpoint, regionId });
    })();
    // A failed lookup is tried again next time.
    this.#clientPromise.catch(() => {
      this.#clientPromise = null;
    });
    return this.#clientPromise;
  }
}

if (!customElements.get('cams-qrdl')) customElements.define('cams-qrdl', CamsQrdlElement);
