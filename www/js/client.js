// Loading the wasm module, finding a relay, and building a CamsClient from settings.
// Shared by the page and <cams-qrdl>. Keys live only in the objects passed around here: nothing
// secret is written to storage, cookies or the URL (the page remembers a relay's URL only).

import { useTools } from './validate.js';

let modulePromise = null;
let qrModulePromise = null;

function imported(url) {
  return import(url.href).then(async (m) => {
    await m.default();
    return m;
  });
}

/**
 * Imports and initialises the client module, pkg/cams_qrdl.js, once, with the tools module
 * (pkg/cams_qrdl_tools.js) whose validator the forms check fields with.
 */
export function loadModule(url = new URL('../pkg/cams_qrdl.js', import.meta.url)) {
  modulePromise ??= Promise.all([imported(url), imported(new URL('cams_qrdl_tools.js', url))]).then(([mod, tools]) => {
    useTools(tools);
    return mod;
  });
  return modulePromise;
}

/**
 * The local QR renderer, pkg/cams_qrdl_qr.js: a module of its own, loaded the first time a code
 * is drawn here (a download, or the fallback when the service's image fails). A failed load is
 * tried again next time.
 */
export function loadQrModule(url = new URL('../pkg/cams_qrdl_qr.js', import.meta.url)) {
  qrModulePromise ??= imported(url).catch((err) => {
    qrModulePromise = null;
    throw err;
  });
  return qrModulePromise;
}

/** Makes sure a base URL ends with a slash so relative paths resolve under it. */
export function asBase(url) {
  const u = new URL(url, location.href);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u.href;
}

/**
 * Asks a cams-relay for its relay.json. Returns `{ base, mode, stsUrl, camsUrl, emulator }`, or
 * null when `base` does not answer with one (a plain static host, say).
 */
export async function discoverRelay(base) {
  let res;
  try {
    res = await fetch(new URL('relay.json', base), { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    return null;
  }
  if (!res.ok) return null;
  let json;
  try {
    json = await res.json();
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object' || typeof json.sts !== 'string') return null;
  const stsUrl = new URL(json.sts, base).href;
  return {
    // A relay.json beside a page on a plain static host may point at a relay elsewhere.
    base: new URL('.', stsUrl).href,
    mode: json.mode === 'emulate' ? 'emulate' : 'production',
    stsUrl,
    camsUrl: new URL(typeof json.cams === 'string' ? json.cams : 'cams', base).href,
    emulator: typeof json.emulator === 'string' ? json.emulator : null,
    // The host the relay's /cams forwards to: what a Signature V3 call through it is signed for.
    camsHost: typeof json.camsHost === 'string' ? json.camsHost : null,
    // The relay paces every /cams call of the account (--cams-account-qps), so batches through it
    // do not compete for the 5 calls a second.
    pacesAccount: json.pacesAccount === true,
    // Optional: the emulator's demo key, when the relay says which one it accepts.
    demoKey:
      json.demoAccessKey && typeof json.demoAccessKey.id === 'string' && typeof json.demoAccessKey.secret === 'string'
        ? { id: json.demoAccessKey.id, secret: json.demoAccessKey.secret }
        : null,
  };
}

/**
 * The relay endpoints for a base URL: from its relay.json when it is this page's own origin, else
 * (or when that fails) the usual paths /sts and /cams under it. A relay on another origin is not
 * asked for relay.json: that file carries no CORS headers, and the request would only log an error.
 */
export async function relayAt(url) {
  const base = asBase(url);
  const sameOrigin = new URL(base).origin === location.origin;
  return (
    (sameOrigin ? await discoverRelay(base) : null) ?? {
      base,
      mode: 'unknown',
      stsUrl: new URL('sts', base).href,
      camsUrl: new URL('cams', base).href,
      emulator: null,
    }
  );
}

/**
 * The ClientConfig for settings:
 *  { mode: 'relay', stsUrl, camsUrl, endpoint?, regionId? }
 *  { mode: 'key', accessKeyId, accessKeySecret, endpoint?, regionId?, fallbackEndpoint?, relayCamsHost? }
 * Relay: the endpoint, else the relay's /cams (the page sets no endpoint; <cams-qrdl>'s endpoint
 * attribute may). Key: the endpoint, else cams.<regionId>.aliyuncs.com when a region is given
 * (the module derives it), else `fallbackEndpoint` (the serving relay's /cams), else the module's
 * default endpoint. A key sent through the relay's /cams signs (V3) for the host the relay
 * forwards to, `relayCamsHost` from its relay.json; relay credentials name it themselves.
 */
export function clientConfig(settings) {
  const config = {};
  if (settings.mode === 'key') {
    config.credentials = { accessKeyId: settings.accessKeyId, accessKeySecret: settings.accessKeySecret };
  } else {
    config.credentials = { stsRelayUrl: settings.stsUrl };
  }
  const endpoint = endpointOf(settings);
  if (endpoint) config.endpoint = endpoint;
  if (settings.mode === 'key' && endpoint && endpoint === settings.fallbackEndpoint && settings.relayCamsHost) {
    config.signingHost = settings.relayCamsHost;
  }
  if (settings.regionId) config.regionId = settings.regionId;
  return config;
}

/** The endpoint set explicitly for settings, or '' when the module derives it from the region. */
function endpointOf(settings) {
  if (settings.endpoint) return settings.endpoint;
  if (settings.mode === 'relay') return settings.camsUrl ?? '';
  return settings.regionId ? '' : (settings.fallbackEndpoint ?? '');
}

/** Where calls for these settings go, as a URL. */
export function effectiveEndpoint(settings) {
  return endpointOf(settings) || `https://cams.${settings.regionId || 'ap-southeast-1'}.aliyuncs.com`;
}

export function buildClient(mod, settings) {
  return new mod.CamsClient(clientConfig(settings));
}

/** A short description of where requests go, for the header and the status line. */
export function describeSettings(settings, relay) {
  if (!settings) return 'Not connected';
  const where = settings.mode === 'key' ? 'Access key' : 'Relay';
  const host = (() => {
    try {
      const u = new URL(settings.mode === 'key' ? effectiveEndpoint(settings) : settings.stsUrl);
      return u.host;
    } catch {
      return '';
    }
  })();
  const emu = relay && relay.mode === 'emulate' ? ' (emulator)' : '';
  return `${where} · ${host}${emu}`;
}

/** An error of the page's own, shaped like the module's CamsError. */
export function pageError(code, message, extra = {}) {
  return Object.assign(new Error(message), { name: 'CamsError', code, retryable: false, ...extra });
}

/**
 * Checks that a relay answers its /sts with temporary credentials, as the client will ask it,
 * before the page says it is connected. The credentials are not kept (the client fetches its
 * own). Throws a CamsError-shaped error naming the relay's own code when it gives one.
 */
export async function checkRelay(info) {
  let res;
  try {
    res = await fetch(info.stsUrl, { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    const cross = new URL(info.stsUrl).origin !== location.origin;
    throw pageError(
      'CredentialsError',
      `No answer from ${info.stsUrl}: no relay is running there${cross ? `, or it does not allow this page's origin (start it with --allow-origin ${location.origin})` : ''}.`,
    );
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const code = json && typeof json.Code === 'string' ? json.Code : res.status >= 500 ? 'InvalidResponse' : 'CredentialsError';
    throw pageError(code, json && typeof json.Message === 'string' ? json.Message : `${info.stsUrl} answered HTTP ${res.status}, not temporary credentials.`, {
      httpStatus: res.status,
      requestId: json?.RequestId,
    });
  }
  const creds = json && typeof json === 'object' ? (json.Credentials ?? json) : null;
  if (!creds || typeof (creds.AccessKeyId ?? creds.accessKeyId) !== 'string') {
    throw pageError('CredentialsError', `${info.stsUrl} answered, but not with temporary credentials: is it a cams-relay's /sts?`);
  }
}
