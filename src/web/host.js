// The host side of the module's edge: one fetch under a time limit, and a promise raced against
// one. Plain JS because that is what they are; through web-sys bindings (RequestInit setters,
// Response, AbortController, a Rust closure for the timer) the same work cost the module about
// 1 KB gzipped. Bound in host.rs; scripts/inline-snippets.mjs puts it into the glue of the
// shipped module. No decisions live here: the Rust side (http.rs, credentials.rs) reads what
// comes back.

/** What a promise below rejects with when its time limit ran out first. */
const TIMEOUT = "cams-qrdl:timeout";

/**
 * `fetch(url)` that resolves `[status, receivedMs, date, retryAfter, acsRetryAfter, body]`
 * (a header is `null` when absent or not exposed by CORS), or rejects with `TIMEOUT` when the
 * reply, body included, took over `ms`, or with the browser's own error (refused, DNS, CORS).
 * Throws `"cams-qrdl:unsupported"` at once where there is no AbortController.
 */
export function send(url, method, headers, contentType, body, credentials, ms) {
  if (typeof AbortController !== "function") throw "cams-qrdl:unsupported";
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, ms);
  const h = new Headers(headers);
  if (contentType) h.set("Content-Type", contentType);
  return fetch(url, { method, headers: h, body, credentials, signal: controller.signal })
    .then((r) => {
      const receivedMs = Date.now();
      const got = (name) => r.headers.get(name);
      const head = [r.status, receivedMs, got("date"), got("retry-after"), got("x-acs-retry-after")];
      // The body is read under the same limit: a server can stall after the headers.
      return r.text().then((text) => [...head, text]);
    })
    .catch((e) => {
      throw expired ? TIMEOUT : e;
    })
    .finally(() => clearTimeout(timer));
}

/**
 * Resolves `[value]` once `value` (a promise or not) settles within `ms`, `undefined` when the
 * time ran out first; rejects as `value` does.
 */
export function within(value, ms) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([Promise.resolve(value).then((v) => [v]), late]).finally(() => clearTimeout(timer));
}
