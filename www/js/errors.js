// Error code -> a sentence a person understands -> what to do.
//
// The one table behind every hint the page and <cams-qrdl> show. docs/errors.md holds the same
// (English) rows for the README's troubleshooting section; tests/page/errors.test.mjs checks they
// agree. The sentences themselves live in the catalogs, www/js/i18n/<lang>.js.
// No DOM in this module: Node imports it in the tests.

import en from './i18n/en.js';
import { translate } from './i18n.js';

/** @typedef {{code: string, sentence: string, todo: string}} ErrorHint */

/**
 * The codes with a row of their own. Their sentence and advice live in the language catalogs
 * (www/js/i18n/<lang>.js, keys error.<code>.sentence / .todo); this table is the English one.
 * Throttling is also the row for any Throttling.* code without its own, and
 * "InvalidResponse (HTTP 5xx)" is InvalidResponse with a 5xx status (see hintFor).
 */
export const ERROR_CODES = [
  'SignatureDoesNotMatch',
  'InvalidTimeStamp.Expired',
  'SignatureNonceUsed',
  'InvalidAccessKeyId.NotFound',
  'InvalidSecurityToken.Expired',
  'MissingParameter',
  'Throttling.User',
  'Throttling',
  'ServiceUnavailable',
  'InternalError',
  'Product.Unsubscript',
  'Ram.PermissionDeny',
  'System.LimitControl',
  'Unknown.ResourceOwnerId',
  'Qrdl.LimitExceeded',
  'Qrdl.NotExists',
  'RelayOriginNotAllowed',
  'RelayHostNotAllowed',
  'RelayActionNotAllowed',
  'RelayUnauthorized',
  'Throttling.Relay',
  'RelayTimeout',
  'RelayUpstreamError',
  'RelayBusy',
  'RelayPacerUnavailable',
  'RelayBodyTooLarge',
  'RelayBadRequest',
  'InvalidParameter',
  'NetworkError',
  'Timeout',
  'InvalidResponse',
  'InvalidResponse (HTTP 5xx)',
  'CredentialsError',
  'NotConnected',
  'ConnectionRefused',
  'BlockedByCsp',
  'ModuleMissing',
  'Aborted',
];

/** @type {ErrorHint[]} */
export const ERROR_HINTS = ERROR_CODES.map((code) => ({ code, sentence: en[`error.${code}.sentence`], todo: en[`error.${code}.todo`] }));

/** The row for a code this table does not know. */
export const FALLBACK_HINT = { code: '*', sentence: en['error.fallback.sentence'], todo: en['error.fallback.todo'] };

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
  title: en['error.unknownOutcome.title'],
  note: en['error.unknownOutcome.note'],
  todo: en['error.unknownOutcome.todo'],
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
 * `lang`: the language of `sentence` and `todo` (English by default); `sentenceKey` and
 * `todoKey` name them in the catalogs.
 * @param {unknown} err
 * @param {{operation?: 'create'|'list'|'update'|'delete', batch?: boolean, lang?: string}} [context]
 */
export function describeError(err, context = {}) {
  const e = /** @type {any} */ (err ?? {});
  const isCams = e && e.name === 'CamsError' && typeof e.code === 'string';
  const code = isCams ? e.code : (str(e.code) ?? 'UnexpectedError');
  const message = str(e.message) ?? String(err);
  // A relay's refusal on /sts arrives as CredentialsError with the relay's code: its own row
  // names the fix (--allow-origin, --allow-host, a sign-in).
  const known = (isCams && RELAY_REFUSALS.has(e.relayCode) ? hintFor(e.relayCode) : undefined) ?? hintFor(code, e.httpStatus);
  const row = known ? `error.${known.code}` : 'error.fallback';
  const lang = context.lang ?? 'en';
  const info = {
    code,
    known: Boolean(known),
    sentence: translate(lang, `${row}.sentence`),
    todo: translate(lang, `${row}.todo`),
    sentenceKey: `${row}.sentence`,
    todoKey: `${row}.todo`,
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
  if (info.unknownOutcome) {
    info.todoKey = 'error.unknownOutcome.todo';
    info.todo = translate(lang, info.todoKey);
  }
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
