//! One HTTP exchange through the global `fetch`, made by host.js (crate::web::host) rather than
//! gloo-net or web-sys bindings: the client needs only status, three headers
//! and text, and either would add bindings to the module for nothing.

use js_sys::{Object, Reflect};
use std::string::String;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::web::host::{self, TIMED_OUT, UNSUPPORTED};
use crate::web::js::message_of;
use cams_protocol::error::{codes, CamsError};

pub(crate) struct HttpRequest<'a> {
    pub url: &'a str,
    pub method: &'static str,
    pub body: Option<&'a str>,
    /// `Content-Type`, set over `headers`.
    pub content_type: Option<&'static str>,
    pub headers: Option<&'a Object>,
    /// fetch's `credentials` mode ("omit", "same-origin", "include").
    pub credentials: Option<&'static str>,
    pub timeout_ms: u32,
}

/// Why no reply arrived. The caller turns it into its own error code.
pub(crate) enum HttpFailure {
    /// fetch rejected: refused, DNS, CORS, reset. The text is the browser's message.
    Network(String),
    /// No full reply within the time limit.
    Timeout,
    /// The host cannot run a request at all (no AbortController).
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

pub(crate) async fn send(req: &HttpRequest<'_>) -> Result<HttpReply, HttpFailure> {
    let failed = |e: JsValue| match e.as_string().as_deref() {
        Some(TIMED_OUT) => HttpFailure::Timeout,
        Some(UNSUPPORTED) => HttpFailure::Unsupported(CamsError::new(
            codes::UNSUPPORTED_ENVIRONMENT,
            "AbortController is not available here, so no request can be timed out.",
        )),
        _ => HttpFailure::Network(message_of(&e)),
    };
    let promise = host::send(
        req.url,
        req.method,
        req.headers,
        req.content_type,
        req.body,
        req.credentials,
        req.timeout_ms,
    )
    .map_err(failed)?;
    let reply = JsFuture::from(promise).await.map_err(failed)?;
    let item = |i: u32| Reflect::get_u32(&reply, i).unwrap_or(JsValue::UNDEFINED);
    Ok(HttpReply {
        status: item(0).as_f64().map_or(0, |s| s as u16),
        received_ms: item(1).as_f64().unwrap_or_default(),
        headers: ReplyHeaders {
            date: item(2).as_string(),
            retry_after: item(3).as_string(),
            acs_retry_after: item(4).as_string(),
        },
        body: item(5).as_string().unwrap_or_default(),
    })
}

/// `{name: value, ...}` for fetch's `headers`.
pub(crate) fn header_object(headers: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (name, value) in headers {
        // A data property on a fresh plain object: cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    object
}

/// A URL without its query and fragment, for error messages (a query may carry a token).
pub(crate) fn url_for_message(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
