// The form checks, from the module's own rules: validateQrdlRequest (cams-qrdl/tools) checks a
// request exactly as the client would before sending it, so the message beside a field is the
// one the client would reject the request with. loadModule() (client.js) loads the tools with
// the client and hands them here before any form is mounted.

let tools = null;

/** The loaded tools module (its validateQrdlRequest). */
export function useTools(mod) {
  tools = mod;
}

/** The module's message for `field` of a request holding only that field, or null. */
function problem(action, request, field) {
  const found = tools.validateQrdlRequest(action, request).find((e) => e.field === field);
  return found ? found.message : null;
}

/** One check per request field, each returning the module's message or null. */
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
  if (bare.startsWith('00')) return `This number starts with 00, an international call prefix. CAMS wants the country code first without it: ${bare.slice(2)}. Press the button again to use it as typed.`;
  if (bare.startsWith('0')) return 'This number starts with 0, which is usually a prefix for calls within a country. Drop the leading 0 and start with the country code (for example 447700900123, not 07700900123). Press the button again to use it as typed.';
  return null;
}
