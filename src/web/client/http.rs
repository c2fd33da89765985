//! One HTTP exchange through the global `fetch`, under a time limit: `AbortSignal.timeout`, which
//! cuts off a server that stalls after its headers too, with no timer of the module's own.
//!
//! web-sys directly rather than gloo-net: the client needs status, three headers and the text,
//! and gloo-net turns a fetch that rejects with anything but an `Error` into a panic.

use cams_protocol::error::{codes, CamsError};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCredentials, RequestInit, Response};

use crate::web::js::message_of;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (a window's, a worker's or Node's).
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

pub(crate) struct HttpRequest<'a> {
    pub url: &'a str,
    pub method: &'static str,
    pub body: Option<&'a str>,
    /// Header names and values, `Content-Type` among them when there is a body.
    pub headers: &'a [(&'a str, &'a str)],
    /// fetch's `credentials` mode.
    pub credentials: Option<RequestCredentials>,
    pub timeout_ms: u32,
}

/// Why no reply arrived. The caller turns it into its own error code.
pub(crate) enum HttpFailure {
    /// fetch rejected: refused, DNS, CORS, reset. The text is the browser's message.
    Network(String),
    /// No full reply within the time limit.
    Timeout,
    /// The host cannot run a request at all (no `fetch` or `AbortSignal.timeout`).
    Unsupported(CamsError),
}

/// A reply: HTTP status, body text, the headers the retry logic reads, and when it arrived.
pub(crate) struct HttpReply {
    pub status: u16,
    pub body: String,
    pub headers: ReplyHeaders,
    /// Local `Date.now()` when the status and headers arrived.
    pub received_ms: f64,
}

/// The reply headers that steer retries. Cross-origin, a browser shows them only when the
/// server lists them in `Access-Control-Expose-Headers` (the emulator and cams-relay do).
#[derive(Default)]
pub(crate) struct ReplyHeaders {
    pub date: Option<String>,
    pub retry_after: Option<String>,
    pub acs_retry_after: Option<String>,
}

fn unsupported(what: &str) -> HttpFailure {
    HttpFailure::Unsupported(CamsError::new(
        codes::UNSUPPORTED_ENVIRONMENT,
        format!("{what} is not available here, so no request can be sent with a time limit."),
    ))
}

pub(crate) async fn send(req: &HttpRequest<'_>) -> Result<HttpReply, HttpFailure> {
    let signal = abort_after(req.timeout_ms).ok_or_else(|| unsupported("AbortSignal.timeout"))?;
    let headers = Headers::new().map_err(|_| unsupported("Headers"))?;
    for (name, value) in req.headers {
        headers
            .set(name, value)
            .map_err(|e| HttpFailure::Network(message_of(&e)))?;
    }
    let init = RequestInit::new();
    init.set_method(req.method);
    init.set_headers(&headers);
    init.set_signal(Some(&signal));
    if let Some(body) = req.body {
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(credentials) = req.credentials {
        init.set_credentials(credentials);
    }
    let failed = |e: JsValue| {
        if signal.aborted() {
            HttpFailure::Timeout
        } else {
            HttpFailure::Network(message_of(&e))
        }
    };
    let promise = global_fetch(req.url, &init).map_err(|_| unsupported("fetch"))?;
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| {
            HttpFailure::Network("fetch resolved to something else than a Response".into())
        })?;
    let received_ms = js_sys::Date::now();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let reply_headers = ReplyHeaders {
        date: header("date"),
        retry_after: header("retry-after"),
        acs_retry_after: header("x-acs-retry-after"),
    };
    // The body is read under the same limit: a server can stall after the headers.
    let text = response.text().map_err(failed)?;
    let body = JsFuture::from(text).await.map_err(failed)?;
    Ok(HttpReply {
        status: response.status(),
        body: body.as_string().unwrap_or_default(),
        headers: reply_headers,
        received_ms,
    })
}

/// A URL without its query and fragment, for error messages (a query may carry a token).
pub(crate) fn url_for_message(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`, where the host has it.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_signal_timeout(ms: u32) -> Result<AbortSignal, JsValue>;
}

/// A signal that aborts after `ms`.
fn abort_after(ms: u32) -> Option<AbortSignal> {
    abort_signal_timeout(ms).ok()
}
