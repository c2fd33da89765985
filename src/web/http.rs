//! One HTTP exchange through the global `fetch`: a thin extern binding rather than gloo-net,
//! because the client needs only status and text, and gloo-net would add its http/serde
//! layers to the module for nothing.

use alloc::{borrow::ToOwned, string::String};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

use crate::core::error::CamsError;
use crate::web::deadline::Deadline;
use crate::web::js::{get, message_of};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window, worker or Node 18+), not `window.fetch`.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

pub(crate) struct HttpRequest<'a> {
    pub url: &'a str,
    pub method: &'static str,
    pub body: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub credentials: Option<RequestCredentials>,
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
    let deadline = Deadline::start(req.timeout_ms).map_err(HttpFailure::Unsupported)?;
    let init = RequestInit::new();
    init.set_method(req.method);
    let headers = Object::new();
    for (name, value) in req.headers {
        let _ = Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(value),
        );
    }
    init.set_headers(&headers);
    if let Some(body) = req.body {
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(mode) = req.credentials {
        init.set_credentials(mode);
    }
    init.set_signal(Some(&deadline.signal()));

    let failed = |e: JsValue| {
        if deadline.expired() {
            HttpFailure::Timeout
        } else {
            HttpFailure::Network(message_of(&e))
        }
    };
    let promise = global_fetch(req.url, &init).map_err(failed)?;
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| HttpFailure::Network("fetch did not return a Response".to_owned()))?;
    let status = response.status();
    let received_ms = js_sys::Date::now();
    let headers = read_headers(&response);
    // The body is read under the same time limit: a server can stall after the headers.
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(HttpReply {
        status,
        body: text.as_string().unwrap_or_default(),
        headers,
        received_ms,
    })
}

/// `response.headers.get(name)` for the three headers, through plain property reads (no
/// `Headers` binding needed); a host without them just yields none.
fn read_headers(response: &Response) -> ReplyHeaders {
    let headers = get(response, "headers");
    let getter = get(&headers, "get").dyn_into::<Function>().ok();
    let header = |name: &str| {
        getter
            .as_ref()
            .and_then(|f| f.call1(&headers, &JsValue::from_str(name)).ok())
            .and_then(|v| v.as_string())
    };
    ReplyHeaders {
        date: header("date"),
        retry_after: header("retry-after"),
        acs_retry_after: header("x-acs-retry-after"),
    }
}

/// A URL without its query and fragment, for error messages (a query may carry a token).
pub(crate) fn url_for_message(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
