//! The host's randomness, bound through `globalThis` so the module runs in a window, a worker
//! or Node alike (`window.crypto` would tie it to pages).

use cams_protocol::error::{codes, CamsError};
use cams_protocol::nonce::nonce_from_bytes;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &Uint8Array) -> Result<JsValue, JsValue>;
}

/// A fresh 128-bit `SignatureNonce` from `crypto.getRandomValues`.
pub(crate) fn random_nonce() -> Result<String, CamsError> {
    let buf = Uint8Array::new_with_length(16);
    get_random_values(&buf).map_err(|_| {
        CamsError::new(
            codes::UNSUPPORTED_ENVIRONMENT,
            "crypto.getRandomValues is not available here, so no signature nonce can be made.",
        )
    })?;
    let mut bytes = [0u8; 16];
    buf.copy_to(&mut bytes);
    Ok(nonce_from_bytes(&bytes))
}
