//! Failures as JavaScript sees them: an `Error` named `CamsError` carrying the fields of
//! [`CamsError`] (serialized by serde-wasm-bindgen), built in this one place.

use cams_protocol::error::CamsError;
use wasm_bindgen::JsValue;

#[cfg(any(feature = "client", feature = "tools"))]
use crate::web::js::to_js;

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

/// `new Error(message)` named `CamsError`, with the fields assigned onto it.
pub(crate) fn to_js_error(e: &CamsError, relay_code: Option<&str>) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("CamsError");
    // Every field of `CamsError` (absent ones as undefined, so every error has the same shape),
    // then the relay's code.
    assign_fields(&error, e);
    let relay_code = relay_code.map_or(JsValue::UNDEFINED, JsValue::from_str);
    // A data property on a fresh Error: cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("relayCode"), &relay_code);
    error.into()
}

/// The fields, serialized by serde-wasm-bindgen (the modules that carry it anyway).
#[cfg(any(feature = "client", feature = "tools"))]
fn assign_fields(error: &js_sys::Error, e: &CamsError) {
    use wasm_bindgen::JsCast as _;
    let fields = to_js(e);
    if let Some(fields) = fields.dyn_ref::<js_sys::Object>() {
        js_sys::Object::assign(error, fields);
    }
}

/// The same fields in the same order, set one by one: the QR and export modules carry no
/// serializer (it would be a twentieth of the QR module's size budget).
#[cfg(not(any(feature = "client", feature = "tools")))]
fn assign_fields(error: &js_sys::Error, e: &CamsError) {
    let text = |v: &Option<String>| v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    let fields: [(&str, JsValue); 8] = [
        ("code", JsValue::from_str(&e.code)),
        ("message", JsValue::from_str(&e.message)),
        ("requestId", text(&e.request_id)),
        (
            "httpStatus",
            e.http_status
                .map_or(JsValue::UNDEFINED, |s| JsValue::from(f64::from(s))),
        ),
        ("recommend", text(&e.recommend)),
        ("accessDeniedDetail", text(&e.access_denied_detail)),
        ("retryable", JsValue::from_bool(e.retryable)),
        ("field", text(&e.field)),
    ];
    for (name, value) in fields {
        // Data properties on a fresh Error: cannot fail.
        let _ = js_sys::Reflect::set(error, &JsValue::from_str(name), &value);
    }
}

/// `isCamsError(value)`: whether `value` is a failure of this module (an `Error` named
/// `CamsError` with a string `code`), so a `catch (e)` can narrow `unknown` to the typed fields.
/// Its TypeScript signature (a type guard) is in `client/typescript.rs`.
#[cfg(feature = "client")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = isCamsError, skip_typescript)]
pub fn is_cams_error(value: &JsValue) -> bool {
    use wasm_bindgen::JsCast as _;
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "CamsError")
        && js_sys::Reflect::get(value, &JsValue::from_str("code")).is_ok_and(|c| c.is_string())
}
