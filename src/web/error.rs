//! Failures as JavaScript sees them: an `Error` named `CamsError` carrying the fields of
//! [`CamsError`] (serialized by serde-wasm-bindgen), built in this one place.

use cams_protocol::error::CamsError;
use wasm_bindgen::{JsCast as _, JsValue};

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
    let fields = to_js(e);
    if let Some(fields) = fields.dyn_ref::<js_sys::Object>() {
        js_sys::Object::assign(&error, fields);
    }
    let relay_code = relay_code.map_or(JsValue::UNDEFINED, JsValue::from_str);
    // A data property on a fresh Error: cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("relayCode"), &relay_code);
    error.into()
}

/// `isCamsError(value)`: whether `value` is a failure of this module (an `Error` named
/// `CamsError` with a string `code`), so a `catch (e)` can narrow `unknown` to the typed fields.
/// Its TypeScript signature (a type guard) is in `client/typescript.rs`.
#[cfg(feature = "client")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = isCamsError, skip_typescript)]
pub fn is_cams_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "CamsError")
        && js_sys::Reflect::get(value, &JsValue::from_str("code")).is_ok_and(|c| c.is_string())
}
