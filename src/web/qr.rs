//! `renderQrSvg`, the local QR renderer (feature `qr`, its own module in the package): the deep
//! link as an SVG, for showing or downloading a code without the service's image. Drawn by
//! `cams-qr`, the encoder the emulator's images come from too.

use cams_protocol::error::CamsError;
use wasm_bindgen::prelude::*;

use crate::web::error::WebError;

/// An SVG of the QR code for `text` (a deep link such as `https://wa.me/message/<CODE>`),
/// rendered here without any network call. Too long or empty text throws a `CamsError`.
#[wasm_bindgen(js_name = renderQrSvg)]
pub fn render_qr_svg(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<String, JsValue> {
    let text = text
        .as_string()
        .ok_or_else(|| CamsError::invalid_parameter("text", "text must be a string."));
    let svg = text.and_then(|t| {
        cams_qr::render_svg(&t).map_err(|e| CamsError::invalid_parameter(e.field(), e.to_string()))
    });
    svg.map_err(|e| WebError::from(e).into())
}
