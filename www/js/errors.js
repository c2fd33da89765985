// Error code -> a sentence a person understands -> what to do.
//
// The one table behind every hint the page and <cams-qrdl> show. docs/errors.md holds the same
// rows for the README's troubleshooting section; tests/page/errors.test.mjs checks they agree.
// No DOM in this module: Node imports it in the tests.

/** @typedef {{code: string, sentence: string, todo: string}} ErrorHint */

/** @type {ErrorHint[]} */
export const ERROR_HINTS = [
  // From the API gateway.
  {
    code: 'SignatureDoesNotMatch',
    sentence: 'The service worked out a different signature for this request, so it refused it: the AccessKey secret does not match the AccessKey ID.',
    todo: 'Check the AccessKey secret: copy it again from the RAM console, with no spaces before or after. Through a relay, check the relay\'s ALIBABA_CLOUD_ACCESS_KEY_SECRET.',
  },
  {
    code: 'InvalidTimeStamp.Expired',
    sentence: 'The request\'s timestamp is more than 15 minutes away from the service\'s clock.',
    todo: 'Set this computer\'s clock to the right time (turn on automatic date and time), then try again.',
  },
  {
    code: 'SignatureNonceUsed',
    sentence: 'The service has already seen this request\'s one-time number (nonce) in the last 15 minutes, so it refused it as a replay.',
    todo: 'Try again: every try gets a new nonce. A create may have happened with the first copy, so look in "My QR codes" before creating it again ("Retry failed rows" checks for you). If it keeps happening, something between you and the service is sending requests twice; check proxies.',
  },
  {
    code: 'InvalidAccessKeyId.NotFound',
    sentence: 'The service does not know this AccessKey ID.',
    todo: 'Check the AccessKey ID in the RAM console: it may be mistyped, deleted or disabled. Through a relay, check the relay\'s ALIBABA_CLOUD_ACCESS_KEY_ID.',
  },
  {
    code: 'InvalidSecurityToken.Expired',
    sentence: 'The temporary credentials (STS security token) have expired.',
    todo: 'Try again: the page fetches fresh credentials from the relay. If it keeps happening, check the clock of this computer and of the relay.',
  },
  {
    code: 'MissingParameter',
    sentence: 'A parameter the service requires was not in the request.',
    todo: 'Fill in every required field. If they are all filled in, something changed the request on its way: check the relay or proxy.',
  },
  {
    code: 'Throttling.User',
    sentence: 'Too many requests arrived in a short time, so the gateway\'s flow control refused this one.',
    todo: 'The page already slowed down and retried. Wait a few seconds and try again, and run one batch at a time (the limit is 5 requests per second per account).',
  },
  {
    // Also the row for any Throttling.* code without its own (see hintFor).
    code: 'Throttling',
    sentence: 'The service is turning requests away for a moment because too many arrived in a short time (flow control).',
    todo: 'The page already slowed down and retried. Wait a few seconds and try again, and run one batch at a time (the limit is 5 requests per second per account).',
  },
  {
    code: 'ServiceUnavailable',
    sentence: 'The service is unavailable for a moment (overloaded or under maintenance), so it did not carry out the request.',
    todo: 'The page already retried a few times. Wait a minute and try again; if it lasts, check Alibaba Cloud\'s status page, or contact Alibaba Cloud support and quote the request ID.',
  },
  {
    code: 'InternalError',
    sentence: 'Something went wrong inside the service while it handled the request; nothing you entered caused it.',
    todo: 'The page already retried a few times. Try again in a minute; if it keeps failing, contact Alibaba Cloud support and quote the request ID shown under "Details from the service".',
  },
  // From Chat App Message Service.
  {
    code: 'Product.Unsubscript',
    sentence: 'This Alibaba Cloud account has not subscribed to Chat App Message Service (CAMS).',
    todo: 'Subscribe to Chat App Message Service in the Alibaba Cloud console and set up a WhatsApp channel on its Channel Management page, then try again.',
  },
  {
    code: 'Ram.PermissionDeny',
    sentence: 'The RAM user or role behind these credentials is not allowed to do this.',
    todo: 'In the RAM console, grant the action this page names (cams:CreatePhoneMessageQrdl, cams:ListPhoneMessageQrdl, cams:UpdatePhoneMessageQrdl or cams:DeletePhoneMessageQrdl) to the RAM user; through a relay, to the role it assumes (ALIBABA_CLOUD_ROLE_ARN).',
  },
  {
    code: 'System.LimitControl',
    sentence: 'The service is under flow control: more than 5 requests per second reached it.',
    todo: 'The page slowed down and retried before giving up. Wait a few seconds and try again; in a batch, use "Retry failed rows".',
  },
  {
    code: 'Unknown.ResourceOwnerId',
    sentence: 'The phone number, space or QR code does not belong to the account these credentials come from.',
    todo: 'Check the phone number and the Space ID on the Channel Management page, and that the AccessKey (or the relay\'s role) belongs to the same Alibaba Cloud account.',
  },
  // Limits of WhatsApp and CAMS (the codes cams-relay's emulator answers with; the real service's
  // codes for these cases are not documented).
  {
    code: 'Qrdl.LimitExceeded',
    sentence: 'This number already has 2,000 message QR codes, the most WhatsApp allows.',
    todo: 'Delete QR codes you no longer use in "My QR codes", or change the message of an existing one instead of creating a new one.',
  },
  {
    code: 'Qrdl.NotExists',
    sentence: 'This number (and space) has no QR code with that code: it was deleted, or belongs to another number.',
    todo: 'Reload "My QR codes" to see the codes that exist now, and check the phone number and Space ID.',
  },
  // From cams-relay itself (its /sts and /cams routes).
  {
    code: 'RelayOriginNotAllowed',
    sentence: 'The relay refused this page\'s origin: it only serves the origins it was started with.',
    todo: 'Start cams-relay with --allow-origin set to this page\'s origin (scheme, host and port), or open the page from the relay itself.',
  },
  {
    code: 'RelayHostNotAllowed',
    sentence: 'The relay does not answer to the host name this page used to reach it (a guard against DNS rebinding).',
    todo: 'Open the page by a name the relay knows, or start cams-relay with --allow-host set to that name (for example --allow-host relay.example.com).',
  },
  {
    code: 'RelayActionNotAllowed',
    sentence: 'The relay forwards only the four message QR code actions of CAMS, and this request asked for something else.',
    todo: 'Use the module\'s createQrdl, listQrdls, updateQrdl or deleteQrdl through the relay; other CAMS calls belong on your own server.',
  },
  {
    code: 'RelayUnauthorized',
    sentence: 'The relay wants a sign-in token (Authorization: Bearer) and this request had none or a wrong one.',
    todo: 'Sign in to the dashboard again, or pass the token in the module\'s relay headers option.',
  },
  {
    code: 'Throttling.Relay',
    sentence: 'This browser asked the relay too often in a short time.',
    todo: 'Wait the few seconds the relay asks for; the module retries by itself. If many people share one address, raise the relay\'s --sts-rate-limit or --cams-rate-limit.',
  },
  {
    code: 'RelayTimeout',
    sentence: 'The relay forwarded the request but Alibaba Cloud did not answer in time.',
    todo: 'Try again in a moment. A create may still have happened: check "My QR codes" before creating it again.',
  },
  {
    code: 'RelayUpstreamError',
    sentence: 'The relay could not reach Alibaba Cloud, lost the connection before the answer came, or got back something that is not its API\'s JSON.',
    todo: 'Check the relay\'s network and its --cams-endpoint / --sts-endpoint; the relay\'s log names the cause.',
  },
  {
    code: 'RelayBusy',
    sentence: 'The relay is pacing this account\'s calls to 5 a second and its queue was full, or this call waited too long for its turn, so nothing was sent to Alibaba Cloud.',
    todo: 'The module already waited and sent it again. If it keeps happening, fewer people or tabs should run batches at once, or raise the relay\'s --cams-queue-max / --cams-queue-wait-ms.',
  },
  {
    code: 'RelayPacerUnavailable',
    sentence: 'The relay could not reach the Redis that its replicas share to pace the account, so nothing was sent to Alibaba Cloud.',
    todo: 'The module already tried again. Check that the relay\'s Redis (--redis-url) is up and reachable; the relay\'s log names the cause.',
  },
  {
    code: 'RelayBodyTooLarge',
    sentence: 'The request was larger than the 64 KB the relay forwards.',
    todo: 'Shorten the message: a QR code\'s message is at most 140 characters, far below this limit.',
  },
  {
    code: 'RelayBadRequest',
    sentence: 'The relay refused the request\'s form: its /cams route takes a plain POST with no query string.',
    todo: 'Set the endpoint to the relay\'s /cams address exactly, with nothing after it.',
  },
  // The client's own.
  {
    code: 'InvalidParameter',
    sentence: 'A field is not valid, so nothing was sent.',
    todo: 'Correct the field marked beside it and try again.',
  },
  {
    code: 'NetworkError',
    sentence: 'The request failed before any answer came back: no connection, the host refused it, or the browser blocked it.',
    todo: 'Check your connection and the relay URL or endpoint. Browsers cannot call Alibaba Cloud\'s endpoint directly (it sends no CORS headers): connect through a cams-relay. If a create was cut off, it may have happened: look in "My QR codes" before creating it again ("Retry failed rows" checks for you).',
  },
  {
    code: 'Timeout',
    sentence: 'No reply came in time.',
    todo: 'Check your connection and that the relay or endpoint is up. A create that timed out may still have happened: look in "My QR codes" before creating it again ("Retry failed rows" checks for you).',
  },
  {
    code: 'InvalidResponse',
    sentence: 'Something answered, but not with the service\'s JSON (an HTML error page, for example).',
    todo: 'Check the endpoint: it must be a CAMS endpoint or a cams-relay\'s /cams address.',
  },
  {
    // InvalidResponse with a 5xx status (see hintFor): a gateway's error page, not a wrong endpoint.
    code: 'InvalidResponse (HTTP 5xx)',
    sentence: 'The relay, or a proxy in front of it, answered with an error page (HTTP 5xx) instead of the service\'s JSON: it is failing, or cannot reach Alibaba Cloud.',
    todo: 'Check the relay\'s log and any proxy in front of it (nginx, a load balancer), then try again in a moment; the endpoint setting is probably right. A create may still have reached the service: look in "My QR codes" before creating it again.',
  },
  {
    code: 'CredentialsError',
    sentence: 'Temporary credentials could not be had from the relay.',
    todo: 'Check the relay URL and that the relay is running with its RAM user\'s key and role (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_ROLE_ARN).',
  },
  // The page's own: each means that nothing was sent, so no QR code was created.
  {
    code: 'NotConnected',
    sentence: 'This page is not connected to a relay or an access key yet, so nothing was sent.',
    todo: 'Connect first: open "Connection", enter the relay URL (or an access key) and press Connect, then try again.',
  },
  {
    code: 'ConnectionRefused',
    sentence: 'Nothing answered at the relay\'s or endpoint\'s address (the connection was refused), so nothing was sent and no QR code was created.',
    todo: 'Start the relay (make run, or cams-relay) or correct the address under "Connection", then try again.',
  },
  {
    code: 'BlockedByCsp',
    sentence: 'The browser blocked the request because the page\'s Content-Security-Policy (connect-src) does not allow that address, so nothing was sent.',
    todo: 'Add the relay\'s or endpoint\'s origin to the connect-src of the page\'s Content-Security-Policy, or serve the page from the relay itself.',
  },
  {
    code: 'ModuleMissing',
    sentence: 'The page\'s QR module (pkg/cams_qrdl.js and its .wasm) is missing or could not load, so the page can neither sign nor send anything.',
    todo: 'Build it: run `bash scripts/build-wasm.sh` (or `make run`, which builds everything and serves the page) so that pkg/ sits beside index.html, then reload the page.',
  },
  {
    code: 'Aborted',
    sentence: 'The batch was stopped before this request was sent, so nothing was created for it.',
    todo: 'Press the create button again to send the rows that were not sent; rows already created are not sent twice.',
  },
];

/** The row for a code this table does not know. */
export const FALLBACK_HINT = {
  code: '*',
  sentence: 'The service refused the request with a code this page does not know; its own message is shown.',
  todo: 'Follow the service\'s Recommend link when there is one, and quote the request ID if you contact Alibaba Cloud support.',
};

const BY_CODE = new Map(ERROR_HINTS.map((h) => [h.code, h]));

/** The relay's refusals whose advice beats CredentialsError's when /sts answers with one. */
const RELAY_REFUSALS = new Set(['RelayOriginNotAllowed', 'RelayHostNotAllowed', 'RelayUnauthorized']);

/** A code's row; a Throttling.* code without a row of its own gets the Throttling row. */
function hintFor(code, httpStatus) {
  if (code === 'InvalidResponse' && Number(httpStatus) >= 500) return BY_CODE.get('InvalidResponse (HTTP 5xx)');
  return BY_CODE.get(code) ?? (code.startsWith('Throttling.') ? BY_CODE.get('Throttling') : undefined);
}

/**
 * Failures after which a create may have happened: the request may have reached the service, but
 * no usable answer came back (or, for SignatureNonceUsed, it arrived twice). The client never
 * sends such a create again and rejects with retryable: false.
 */
export const MAYBE_CREATED = new Set(['Timeout', 'NetworkError', 'SignatureNonceUsed', 'RelayTimeout', 'RelayUpstreamError']);

/**
 * What a single create with such a failure says instead of the row's advice: "try again" could
 * make a second code, so the person is sent to look first. (A batch checks by itself before
 * "Retry failed rows" sends anything, so it keeps the rows' advice.)
 */
export const UNKNOWN_OUTCOME = {
  title: 'The QR code may have been created',
  note: 'The request may have reached the service even though no usable answer came back, so the QR code may exist. It was not sent again, so that no second code is made.',
  todo: 'Look in "My QR codes" for this phone number before you create it again: if the message is there, that is your QR code. Creating it again without looking could make a second code for the same message.',
};

/** The RAM action behind each client operation, for Ram.PermissionDeny. */
export const RAM_ACTIONS = {
  create: 'cams:CreatePhoneMessageQrdl',
  list: 'cams:ListPhoneMessageQrdl',
  update: 'cams:UpdatePhoneMessageQrdl',
  delete: 'cams:DeletePhoneMessageQrdl',
};

/** Only http(s) URLs are ever turned into links or image sources. */
export function httpUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function str(v) {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

/**
 * Everything the page shows about a failure, from a CamsError (or any thrown value).
 * `batch`: the create was a batch row, whose retry checks for an existing code by itself.
 * @param {unknown} err
 * @param {{operation?: 'create'|'list'|'update'|'delete', batch?: boolean}} [context]
 */
export function describeError(err, context = {}) {
  const e = /** @type {any} */ (err ?? {});
  const isCams = e && e.name === 'CamsError' && typeof e.code === 'string';
  const code = isCams ? e.code : (str(e.code) ?? 'UnexpectedError');
  const message = str(e.message) ?? String(err);
  // A relay's refusal on /sts arrives as CredentialsError with the relay's code: its own row
  // names the fix (--allow-origin, --allow-host, a sign-in).
  const known = (isCams && RELAY_REFUSALS.has(e.relayCode) ? hintFor(e.relayCode) : undefined) ?? hintFor(code, e.httpStatus);
  const hint = known ?? FALLBACK_HINT;
  const info = {
    code,
    known: Boolean(known),
    sentence: hint.sentence,
    todo: hint.todo,
    message,
    requestId: str(e.requestId),
    httpStatus: e.httpStatus ?? undefined,
    recommend: httpUrl(str(e.recommend) ?? ''),
    accessDeniedDetail: str(e.accessDeniedDetail),
    retryable: Boolean(e.retryable),
    field: str(e.field),
    ramAction: undefined,
    unknownOutcome: isCams && context.operation === 'create' && !context.batch && e.retryable === false && MAYBE_CREATED.has(code),
  };
  if (info.unknownOutcome) info.todo = UNKNOWN_OUTCOME.todo;
  if (code === 'Ram.PermissionDeny' && context.operation) {
    info.ramAction = RAM_ACTIONS[context.operation];
  }
  if (info.accessDeniedDetail === 'None') info.accessDeniedDetail = undefined;
  return info;
}

/** The one-line form used in a batch row's status cell. */
export function shortError(err) {
  const d = describeError(err);
  return `${d.code}: ${d.sentence}`;
}
