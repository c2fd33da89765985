// The form checks, from the module's own rules: validateQrdlRequest (cams-qrdl/tools) checks a
// request exactly as the client would before sending it, so the message beside a field is the
// one the client would reject the request with. loadModule() (client.js) loads the tools with
// the client and hands them here before any form is mounted.

import { msg, rawMsg } from './i18n.js';

let tools = null;

/**
 * The module's messages (crates/protocol/src/validate.rs and the QR module's guards, in English)
 * and their catalog keys, so a field's or a style's error shows in the page's language; an
 * unknown message is shown as it is.
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
  // The QR and export modules' guards (crates/qr/src): the numbers kept as the module wrote them.
  [/^foreground (\S+) on background (\S+) has a contrast of ([\d.]+):1; scanners need at least ([\d.]+):1/, 'style.guard.contrast', (m) => ({ fg: m[1], bg: m[2], ratio: m[3], least: m[4] })],
  [/^foreground (\S+) is lighter than background (\S+);/, 'style.guard.inverted', (m) => ({ fg: m[1], bg: m[2] })],
  [/^margin (\d+) is too narrow a quiet zone for many scanners: use (\d+) or more/, 'style.guard.marginNarrow', (m) => ({ m: m[1], min: m[2] })],
  [/^margin (\d+) is too wide: use at most (\d+) modules/, 'style.guard.marginWide', (m) => ({ m: m[1], max: m[2] })],
  [/^frameText is (\d+) characters; shorten it to at most (\d+)/, 'style.guard.frameLong', (m) => ({ n: m[1], max: m[2] })],
  [/^frameText must be one line/, 'style.guard.frameLine', () => ({})],
  [/^frameText has characters the PNG and PDF exports cannot draw \((.*)\): /, 'style.guard.frameChars', (m) => ({ chars: m[1] })],
  [/^The logo is larger than (\d+) KiB/, 'style.guard.logoLarge', (m) => ({ kib: m[1] })],
  [/^The logo must be a PNG, JPEG, GIF, WebP or SVG image/, 'style.guard.logoType', () => ({})],
  [/^For PNG and PDF exports the logo must be a PNG or JPEG image/, 'style.guard.logoExportType', () => ({})],
  [/^This export takes a PNG logo/, 'style.guard.logoJpeg', () => ({})],
  [/^The logo could not be read as a (\w+) image/, 'style.guard.logoBroken', (m) => ({ format: m[1] })],
  [/^The logo must be between 1 and 4096 pixels/, 'style.guard.logoPixels', () => ({})],
  [/^The logo must be a base64 data: URL/, 'style.guard.logoData', () => ({})],
  [/^logoSize ([\d.]+) is too large: a logo may cover at most ([\d.]+) of the symbol's side \(([\d.]+) is the default\)/, 'style.guard.logoSize', (m) => ({ size: m[1], max: m[2], usual: m[3] })],
  [/^Unknown option "(.*)": the options are/, 'style.guard.unknownOption', (m) => ({ name: m[1] })],
  [/^The text is (\d+) bytes, too long for a QR code at error-correction level (\w) \(at most (\d+) bytes/, 'style.guard.textLong', (m) => ({ n: m[1], level: m[2], max: m[3] })],
  [/^Give the text to encode/, 'style.guard.textEmpty', () => ({})],
  [/^(\w+) must be a CSS hex colour such as #1a1a1a or #fff \(got "(.*)"\)/, 'style.guard.colour', (m) => ({ name: m[1], value: m[2] })],
  [/^sizePx (\d+) is out of range/, 'style.guard.sizePxRange', (m) => ({ px: m[1] })],
  [/^sizePx (\d+) is too small for this code of (\d+) modules: give at least (\d+) \(4 pixels a module, (\d+)/, 'style.guard.sizePxSmall', (m) => ({ px: m[1], modules: m[2], min: m[3], best: m[4] })],
  [/^sizeMm ([\d.]+) is out of range: print the code (\d+) mm/, 'style.guard.sizeMmRange', (m) => ({ mm: m[1], min: m[2] })],
  [/^dpi (\d+) is out of range/, 'style.guard.dpiRange', (m) => ({ dpi: m[1] })],
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
