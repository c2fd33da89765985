// Languages: one catalog per language (www/js/i18n/<lang>.js, the same keys in each), a tiny
// formatter for values and plurals, and the live switch. The page's language is the visitor's
// choice (localStorage), else the browser's; <cams-qrdl> takes its own `lang` attribute, else the
// host page's. Nodes made with a Msg (h(), setText()) remember it, so a switch re-renders them.
// Nothing here touches the DOM at import time: Node imports it in the tests.

import en from './i18n/en.js';
import zhCN from './i18n/zh-CN.js';

/** @typedef {string | { one?: string, other: string }} Entry */
/** @type {Record<string, Record<string, Entry>>} */
export const CATALOGS = { en, 'zh-CN': zhCN };
export const LANGS = /** @type {const} */ (['en', 'zh-CN']);
/** Each language's name in itself, for the switch. */
export const LANG_NAMES = { en: 'English', 'zh-CN': '中文' };
/** Where the page remembers the visitor's choice. */
export const LANG_KEY = 'cams-qrdl:lang';

/**
 * A supported language for a BCP 47 tag, or null: Simplified Chinese tags (zh, zh-CN, zh-SG,
 * zh-Hans…) give zh-CN; Traditional ones (zh-TW, zh-HK, zh-MO, zh-Hant…) are not offered and
 * give null, as do other languages; en* gives en.
 */
export function supportedLang(tag) {
  const t = String(tag ?? '').trim().toLowerCase();
  if (!t) return null;
  if (t === 'zh' || /^zh-(cn|sg|hans)\b/.test(t)) return 'zh-CN';
  if (t.startsWith('zh')) return /^zh-(tw|hk|mo|hant)\b/.test(t) ? null : 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/** The first of the browser's languages this page speaks, else English. */
export function browserLang(languages = globalThis.navigator?.languages ?? [globalThis.navigator?.language]) {
  for (const l of languages ?? []) {
    const s = supportedLang(l);
    if (s) return s;
  }
  return 'en';
}

/** The visitor's stored choice, if any. */
export function storedLang() {
  try {
    return supportedLang(globalThis.localStorage?.getItem(LANG_KEY));
  } catch {
    return null;
  }
}

let pageLanguage = null;
/** The page's language: set by applyLang, else the stored choice, else the browser's. */
export function pageLang() {
  pageLanguage ??= storedLang() ?? browserLang();
  return pageLanguage;
}

/** A text to show: a catalog key and its values, translated when shown (and again on a switch). */
export class Msg {
  /** @param {string | null} key  @param {Record<string, any>} [vars]  @param {string} [raw] */
  constructor(key, vars = {}, raw = undefined) {
    this.key = key;
    this.vars = vars;
    this.raw = raw;
  }

  /** @param {string} [lang] */
  in(lang) {
    return this.key === null ? String(this.raw ?? '') : translate(lang ?? pageLang(), this.key, this.vars);
  }

  toString() {
    return this.in();
  }
}

/** A Msg for `key` with `vars`. */
export function msg(key, vars = {}) {
  return new Msg(key, vars);
}

/** A Msg holding text that is not translated (a service's own message, say). */
export function rawMsg(text) {
  return new Msg(null, {}, String(text ?? ''));
}

const numberFormats = new Map();
const dateFormats = new Map();
export function formatNumber(n, lang = pageLang()) {
  if (!numberFormats.has(lang)) numberFormats.set(lang, new Intl.NumberFormat(lang));
  return numberFormats.get(lang).format(n);
}
export function formatDate(d, lang = pageLang()) {
  if (!dateFormats.has(lang)) dateFormats.set(lang, new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { dateStyle: 'medium', timeStyle: 'short' }));
  return dateFormats.get(lang).format(d);
}

const pluralRules = new Map();
function pick(entry, lang, vars) {
  if (typeof entry === 'string') return entry;
  if (!pluralRules.has(lang)) pluralRules.set(lang, new Intl.PluralRules(lang));
  const form = typeof vars.n === 'number' ? pluralRules.get(lang).select(vars.n) : 'other';
  return entry[form] ?? entry.other;
}

/** The placeholders ({name}) of a catalog entry, every plural form together. */
export function placeholders(entry) {
  const forms = typeof entry === 'string' ? [entry] : Object.values(entry);
  return [...new Set(forms.flatMap((s) => Array.from(s.matchAll(/\{(\w+)\}/g), (m) => m[1])))].sort();
}

/**
 * `key` of `lang`'s catalog (English when missing) with its {placeholders} filled: numbers and
 * dates in the language's format, Msg values translated too.
 */
export function translate(lang, key, vars = {}) {
  const l = CATALOGS[lang] ? lang : 'en';
  const entry = CATALOGS[l][key] ?? CATALOGS.en[key];
  if (entry === undefined) return key;
  return pick(entry, l, vars).replace(/\{(\w+)\}/g, (whole, name) => {
    const v = vars[name];
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return formatNumber(v, l);
    if (v instanceof Date) return formatDate(v, l);
    if (v instanceof Msg) return v.in(l);
    return String(v);
  });
}

/** `key` in the page's language. */
export function t(key, vars = {}) {
  return translate(pageLang(), key, vars);
}

// ---- The DOM side ----------------------------------------------------------------------------

/** The Msgs a node shows: its text, and attributes by name. */
const shown = new WeakMap();

/**
 * The language a node is shown in: its nearest lang attribute (across shadow roots, so a
 * <cams-qrdl lang> wins), else the page's.
 */
export function langOf(node) {
  let n = node;
  while (n) {
    // The nearest supported lang attribute in this tree; an unsupported one is looked past.
    let el = n instanceof Element ? n.closest('[lang]') : null;
    while (el) {
      const s = supportedLang(el.getAttribute('lang'));
      if (s) return s;
      el = el.parentElement?.closest('[lang]') ?? null;
    }
    const root = n.getRootNode?.();
    n = root instanceof ShadowRoot ? root.host : null;
  }
  return node?.isConnected ? browserLang() : pageLang();
}

/** Shows a Msg (or plain text) as `el`'s text, in `el`'s language; a Msg is re-shown on a switch. */
export function setText(el, text) {
  const rec = shown.get(el) ?? {};
  if (text instanceof Msg) {
    rec.text = text;
    shown.set(el, rec);
    el.dataset.i18n = '';
    el.textContent = text.in(langOf(el));
  } else {
    delete rec.text;
    el.textContent = text ?? '';
  }
}

/** Sets an attribute to a Msg (or plain text), like setText. */
export function setAttr(el, name, text) {
  const rec = shown.get(el) ?? {};
  rec.attrs ??= {};
  if (text instanceof Msg) {
    rec.attrs[name] = text;
    shown.set(el, rec);
    el.dataset.i18n = '';
    el.setAttribute(name, text.in(langOf(el)));
  } else {
    delete rec.attrs[name];
    el.setAttribute(name, String(text));
  }
}

/**
 * Shows every remembered Msg under `root` again, in `lang` (default: each node's own). Static
 * markup names its key instead: data-i18n="key" for the text, data-i18n-attr="attr:key;…".
 */
export function retranslate(root, lang) {
  const nodes = root instanceof Element && root.matches('[data-i18n], [data-i18n-attr]') ? [root] : [];
  nodes.push(...root.querySelectorAll('[data-i18n], [data-i18n-attr]'));
  for (const el of nodes) {
    const l = lang ?? langOf(el);
    const rec = shown.get(el);
    if (rec?.text) el.textContent = rec.text.in(l);
    else if (el.getAttribute('data-i18n')) el.textContent = translate(l, el.getAttribute('data-i18n'));
    for (const [name, m] of Object.entries(rec?.attrs ?? {})) el.setAttribute(name, m.in(l));
    for (const pair of (el.getAttribute('data-i18n-attr') ?? '').split(';').filter(Boolean)) {
      const [name, key] = pair.split(':');
      el.setAttribute(name, translate(l, key));
    }
  }
}

/**
 * Makes `lang` the page's language: remembered (when `store`), on <html lang>, and every text
 * shown again in it. Elements with a lang of their own keep theirs.
 */
export function applyLang(lang, { store = true } = {}) {
  const l = supportedLang(lang) ?? 'en';
  pageLanguage = l;
  if (store) {
    try {
      globalThis.localStorage?.setItem(LANG_KEY, l);
    } catch {
      // Storage blocked: the choice lasts until the page is left.
    }
  }
  document.documentElement.lang = l;
  document.title = translate(l, 'page.title');
  retranslate(document);
  document.dispatchEvent(new CustomEvent('cams-qrdl-lang', { detail: { lang: l } }));
  return l;
}
