//! The hand-written TypeScript declarations the exports refer to (`unchecked_*_type`), so the
//! generated `.d.ts` is precise and has no `any` on the public API.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Image format of the QR code the service renders. */
export type QrImageFormat = "PNG" | "SVG";

/** Create a message QR code: a chat with `phoneNumber` that opens with `prefilledMessage`. */
export interface CreateQrdlRequest {
  /** The WhatsApp business number with its country code, e.g. "8613800001234". */
  phoneNumber: string;
  /** 1 to 140 characters. */
  prefilledMessage: string;
  generateQrImage: QrImageFormat;
  /** The space ID from the Channel Management page, when you have several. */
  custSpaceId?: string;
}

/**
 * Change a code's message or format: a create request plus the code. The reply carries a NEW
 * code and deep link; the original code stops working (as Alibaba documents for Update).
 */
export interface UpdateQrdlRequest extends CreateQrdlRequest {
  qrdlCode: string;
}

export interface ListQrdlsRequest {
  phoneNumber: string;
  custSpaceId?: string;
}

export interface DeleteQrdlRequest {
  phoneNumber: string;
  qrdlCode: string;
  custSpaceId?: string;
}

/** One message QR code. */
export interface Qrdl {
  qrImageUrl: string;
  phoneNumber: string;
  qrdlCode: string;
  /** `https://wa.me/message/<CODE>`: what the QR code encodes. */
  deepLinkUrl: string;
  generateQrImage: string;
  prefilledMessage: string;
}

export interface BaseResponse {
  requestId: string;
  /** "OK" */
  code: string;
  message?: string;
  accessDeniedDetail?: string;
}

export interface CreateQrdlResponse extends BaseResponse {
  data: Qrdl;
}

export interface ListQrdlResponse extends BaseResponse {
  data: Qrdl[];
}

/** An AccessKey pair given as is (long-term, or an STS set you manage yourself). */
export interface DirectCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Temporary credentials from a cams-relay `/sts` URL (GET), cached and refreshed. */
export interface RelayCredentials {
  stsRelayUrl: string;
  headers?: Record<string, string>;
  credentials?: "omit" | "same-origin" | "include";
}

/** What a provider returns. `expiration` is UTC, `YYYY-MM-DDThh:mm:ssZ`. */
export interface TemporaryCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  expiration?: string;
  /** The host CAMS sees, for V3 signatures through a pass-through (cams-relay's `camsHost`). */
  camsHost?: string;
}

/** Your own source of temporary credentials, cached and refreshed like the relay's. */
export interface ProviderCredentials {
  provider: () => Promise<TemporaryCredentials>;
}

export interface ClientConfig {
  credentials: DirectCredentials | RelayCredentials | ProviderCredentials;
  /** Default https://cams.ap-southeast-1.aliyuncs.com; a cams-relay `/cams` URL works the same. */
  endpoint?: string;
  /** Default "ap-southeast-1"; the endpoint becomes cams.<regionId>.aliyuncs.com when `endpoint` is unset. */
  regionId?: string;
  /** Default 5 (the documented limit): no one-second window holds more calls of this client. */
  maxQps?: number;
  /** Default 3, for throttling, 429 and 500/502/503/504 only. */
  maxRetries?: number;
  /** Default 10000. */
  timeoutMs?: number;
  /**
   * Default "v3" (ACS3-HMAC-SHA256, what Alibaba recommends); "v2" signs the RPC way
   * (HMAC-SHA1).
   */
  signatureVersion?: "v3" | "v2";
  /**
   * The host a V3 signature is made for: the one the service sees. Needed only when `endpoint`
   * is a pass-through (a path such as `/cams`) whose credentials do not say it; a cams-relay's
   * `/sts` does.
   */
  signingHost?: string;
}

/** The client's own codes, the gateway's and CAMS's documented ones; others pass through too. */
export type CamsErrorCode =
  | "InvalidParameter"
  | "NetworkError"
  | "Timeout"
  | "InvalidResponse"
  | "CredentialsError"
  | "UnsupportedEnvironment"
  | "Aborted"
  | "SignatureDoesNotMatch"
  | "InvalidTimeStamp.Expired"
  | "SignatureNonceUsed"
  | "InvalidAccessKeyId.NotFound"
  | "IncompleteSignature"
  | "InvalidSignatureMethod"
  | "InvalidSecurityToken.Expired"
  | "MissingParameter"
  | "Throttling"
  | "Throttling.User"
  | "Product.Unsubscript"
  | "Ram.PermissionDeny"
  | "System.LimitControl"
  | "Unknown.ResourceOwnerId"
  | (string & {});

/**
 * Every failure rejects (or throws) with this: an `Error` named "CamsError". Narrow a caught
 * value with `isCamsError(e)`.
 */
export interface CamsError extends Error {
  name: "CamsError";
  code: CamsErrorCode;
  message: string;
  requestId?: string;
  httpStatus?: number;
  recommend?: string;
  accessDeniedDetail?: string;
  /** True when sending the same call again later may succeed. */
  retryable: boolean;
  /** The request or config field that failed validation (code InvalidParameter). */
  field?: string;
  /** The STS relay's own error code, when a CredentialsError came from its reply. */
  relayCode?: string;
}

/**
 * Whether `value` is a failure of this module (an `Error` named "CamsError" with a `code`):
 * `catch (e) { if (isCamsError(e)) e.code ... }`.
 */
export function isCamsError(value: unknown): value is CamsError;

/**
 * `Symbol.dispose` (which the generated classes implement, for `using`), declared here so the
 * declarations type-check with `lib: ["ES2022", "DOM"]` too; the same as TypeScript's own
 * `esnext.disposable` declaration, which it merges with.
 */
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** One item of a batch: its reply, or why it failed. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: CamsError };

/** Options of `createQrdls` and `deleteQrdls` (`T`: one item's reply). */
export interface BatchOptions<T> {
  /**
   * Called after each item settles: how many have, out of how many, and which one (its index in
   * the requests) with its result. A callback that throws does not stop the batch.
   */
  onProgress?: (done: number, total: number, index: number, result: Settled<T>) => void;
  /** Stops the batch: items not yet sent settle with code "Aborted"; those sent finish. */
  signal?: AbortSignal;
}
"#;
