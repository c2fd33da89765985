//! `renderQrPng` and `renderQrPdf` (feature `export`, the module `cams-qrdl/export`): print-ready
//! files of a code, with the same options and guards as `renderQrSvg`. A module of its own
//! because its encoders (PNG, PDF, logo decoding, the frame text's font) are several times the
//! SVG renderer's size, and only a download needs them.

use wasm_bindgen::prelude::*;

use crate::web::error::WebError;
use crate::web::qr::{qr_error, read_input};

/// A PNG of the QR code for `text`: `sizePx` wide (default 1024) with whole-pixel modules, the
/// DPI (default 300) recorded in it. Refusals as `renderQrSvg`'s, plus a `sizePx` too small for
/// the code and frame text outside Latin-1.
#[wasm_bindgen(js_name = renderQrPng)]
pub fn render_qr_png(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "QrOptions")] options: JsValue,
) -> Result<Vec<u8>, JsValue> {
    read_input(text, options)
        .and_then(|(text, options)| cams_qr::render_png(&text, &options).map_err(qr_error))
        .map_err(|e| WebError::from(e).into())
}

/// A one-page vector PDF of the QR code for `text`, `sizeMm` wide (default 30 mm): modules and
/// frame text as paths, only the logo as an image.
#[wasm_bindgen(js_name = renderQrPdf)]
pub fn render_qr_pdf(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "QrOptions")] options: JsValue,
) -> Result<Vec<u8>, JsValue> {
    read_input(text, options)
        .and_then(|(text, options)| cams_qr::render_pdf(&text, &options).map_err(qr_error))
        .map_err(|e| WebError::from(e).into())
}
