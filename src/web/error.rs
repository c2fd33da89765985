//! Failures as JavaScript sees them: an `Error` named `CamsError` with the fields of
//! [`CamsError`], built in this one place.

use js_sys::Reflect;
use std::string::String;
use wasm_bindgen::JsValue;

use cams_protocol::error::CamsError;

/// A [`CamsError`] plus what only the edge knows: the STS relay's own error code.
#[derive(Clone, Debug)]
pub(crate) struct WebError {
    pub error: CamsError,
    pub relay_code: Option<String>,
}

impl From<CamsError> for WebError {
    fn from(error: CamsError) -> Self {
        WebError {
            error,
            relay_code: None,
        }
    }
}

impl From<WebError> for JsValue {
    fn from(e: WebError) -> JsValue {
        to_js_error(&e.error, e.relay_code.as_deref())
    }
}

impl From<CamsError> for JsValue {
    fn from(e: CamsError) -> JsValue {
        to_js_error(&e, None)
    }
}

/// `new Error(message)` named `CamsError`, with every field present (undefined when absent) so
/// the object always has the same shape.
pub(crate) fn to_js_error(e: &CamsError, relay_code: Option<&str>) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("CamsError");
    let opt = |s: &Option<String>| s.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    let fields: [(&str, JsValue); 9] = [
        ("code", JsValue::from_str(&e.code)),
        ("requestId", opt(&e.request_id)),
        (
            "httpStatus",
            e.http_status
                .map_or(JsValue::UNDEFINED, |s| JsValue::from(f64::from(s))),
        ),
        ("recommend", opt(&e.recommend)),
        ("accessDeniedDetail", opt(&e.access_denied_detail)),
        ("retryable", JsValue::from_bool(e.retryable)),
        ("field", opt(&e.field)),
        (
            "relayCode",
            relay_code.map_or(JsValue::UNDEFINED, JsValue::from_str),
        ),
        ("message", JsValue::from_str(&e.message)),
    ];
    for (key, value) in fields {
        // Setting a data property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str(key), &value);
    }
    error.into()
}
