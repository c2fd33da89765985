// The print style of every download on the page: the result card's, each row's in "My QR codes",
// the batch's ZIP and <cams-qrdl>'s. One value, shared by every "Customise" panel (customise.js),
// so a change made in one shows in the others and applies everywhere. It is remembered in
// localStorage without the logo (which lasts for the page's life): no key, token or message.

import { loadQrModule } from './client.js';
import { DEFAULT_PNG_SIZE } from './download.js';

export const STORAGE_KEY = 'cams-qrdl:style:v1';
export const DEFAULTS = Object.freeze({ foreground: '#000000', background: '#ffffff', ecLevel: 'M', margin: 4, frameText: '', moduleShape: 'square', sizePx: DEFAULT_PNG_SIZE, sizeMm: 30 });
/** What a check and a preview without a code draw: a deep link of the usual length. */
export const PREVIEW_LINK = 'https://wa.me/message/PREVIEW0';

/** @typedef {typeof DEFAULTS & { logo: string }} Style */
/** @typedef {{ options: Record<string, any>, sizePx: number, sizeMm: number }} DownloadStyle */

function stored() {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null');
    return v && typeof v === 'object' ? { ...DEFAULTS, ...v } : { ...DEFAULTS };
  } catch {
    return { ...DEFAULTS };
  }
}

let value = stored();
let logo = '';
/** @type {Set<(from: unknown) => void>} */
const listeners = new Set();

/** The current style (a copy), logo included. @returns {Style} */
export function getStyle() {
  return { ...value, logo };
}

/**
 * Changes the style: `patch` holds the fields that change (`logo` a PNG data: URL, or '' for
 * none). Every listener but `from`'s hears of it.
 */
export function setStyle(patch, from = undefined) {
  const { logo: nextLogo, ...rest } = patch;
  if (nextLogo !== undefined) logo = String(nextLogo);
  value = { ...value, ...rest };
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(value));
  } catch {
    // Blocked storage: the style lasts for this page's life.
  }
  for (const fn of [...listeners]) fn(from);
}

/**
 * Calls `fn(from)` after each change; returns the function that stops it. With `owner` (an
 * element), it stops by itself once the owner has been in the document and is no longer: a
 * result card replaced by the next one stops listening.
 * @param {(from: unknown) => void} fn
 * @param {Element} [owner]
 */
export function onStyleChange(fn, owner = undefined) {
  let attached = false;
  /** @param {unknown} from */
  const listener = (from) => {
    if (owner?.isConnected) attached = true;
    else if (owner && attached) {
      listeners.delete(listener);
      return;
    }
    fn(from);
  };
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The renderers' options for a style (sizes apart). */
export function renderOptions(s = getStyle()) {
  /** @type {Record<string, any>} */
  const o = { foreground: s.foreground, background: s.background, ecLevel: s.ecLevel, margin: s.margin, moduleShape: s.moduleShape };
  if (s.frameText) o.frameText = s.frameText;
  if (s.logo) o.logo = s.logo;
  return o;
}

/**
 * The style for a download: `{ options, sizePx, sizeMm }`, or `{ error }` (the QR module's
 * InvalidParameter) when its guards refuse it, checked by drawing it once.
 * @returns {Promise<DownloadStyle & { error?: undefined } | { error: any }>}
 */
export async function downloadStyle() {
  const s = getStyle();
  const options = renderOptions(s);
  try {
    (await loadQrModule()).renderQrSvg(PREVIEW_LINK, options);
  } catch (error) {
    return { error };
  }
  return { options, sizePx: s.sizePx, sizeMm: s.sizeMm };
}
