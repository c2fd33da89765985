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
