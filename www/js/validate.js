// The form checks, from the module's own rules: validateQrdlRequest (cams-qrdl/tools) checks a
// request exactly as the client would before sending it, so the message beside a field is the
// one the client would reject the request with. loadModule() (client.js) loads the tools with
// the client and hands them here before any form is mounted.

import { msg, rawMsg } from './i18n.js';

let tools = null;

/**
 * The module's messages (crates/protocol/src/validate.rs, in English) and their catalog keys, so
 * a field's error shows in the page's language; an unknown message is shown as it is.
 * @type {[RegExp, string, (m: RegExpMatchArray) => Record<string, any>][]}
 */
const PROBLEMS = [
  [/^Enter the phone number of your WhatsApp business number/, 'validate.phoneEmpty', () => ({})],
  [/^The phone number may hold only digits/, 'validate.phoneChars', () => ({})],
  [/^The phone number has (\d+) digits/, 'validate.phoneDigits', (m) => ({ n: Number(m[1]) })],
  [/^Enter the message the chat opens with/, 'validate.messageEmpty', () => ({})],
  [/^The message has (\d+) characters; WhatsApp allows at most (\d+)/, 'validate.messageLong', (m) => ({ n: Number(m[1]), max: Number(m[2]) })],
  [/^The image format must be PNG or SVG/, 'validate.format', () => ({})],
  [/^The space ID is empty/, 'validate.spaceEmpty', () => ({})],
  [/^Give the QR code's code \(QrdlCode\)/, 'validate.code', () => ({})],
];

/** A Msg for one of the module's field messages (untranslated when unknown). */
export function localizeProblem(text) {
  const s = String(text ?? '');
  for (const [re, key, vars] of PROBLEMS) {
    const m = s.match(re);
    if (m) return msg(key, vars(m));
  }
  return rawMsg(s);
}

/** The loaded tools module (its validateQrdlRequest). */
export function useTools(mod) {
  tools = mod;
}

/** The module's message for `field` of a request holding only that field (a Msg), or null. */
function problem(action, request, field) {
  const found = tools.validateQrdlRequest(action, request).find((e) => e.field === field);
  return found ? localizeProblem(found.message) : null;
}

/** One check per request field, each returning the module's message (a Msg) or null. */
export const validate = {
  phoneNumber: (raw) => problem('list', { phoneNumber: String(raw) }, 'phoneNumber'),
  prefilledMessage: (raw) => problem('create', { prefilledMessage: String(raw) }, 'prefilledMessage'),
  generateQrImage: (raw) => problem('create', { generateQrImage: String(raw) }, 'generateQrImage'),
  // Optional: an empty field is simply left out of the request.
  custSpaceId: (raw) => (String(raw) === '' ? null : problem('list', { custSpaceId: String(raw) }, 'custSpaceId')),
};

/**
 * A hint for a number that is probably not in international form: one starting with 00 (an
 * international call prefix) or with a single 0 (a trunk prefix for calls within a country).
 * Only a hint, for the person to confirm: some numbers are right as typed. Null otherwise.
 */
export function phoneHint(raw) {
  const digits = String(raw ?? '').trim();
  if (digits.startsWith('+')) return null;
  const bare = digits.replace(/[\s\-().]/g, '');
  if (!/^\d+$/.test(bare)) return null;
  if (bare.startsWith('00')) return msg('validate.hint00', { number: bare.slice(2) });
  if (bare.startsWith('0')) return msg('validate.hint0');
  return null;
}
