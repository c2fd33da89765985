//! Local QR rendering (feature `qr`): the deep link as an SVG, for showing a code without
//! downloading the service's image. The encoder is the core's ([`crate::core::qr`]).

use crate::core::error::CamsError;

#[cfg(feature = "qr")]
pub(crate) fn render_svg(text: &str) -> Result<String, CamsError> {
    crate::core::qr::render_svg(text)
}

#[cfg(not(feature = "qr"))]
pub(crate) fn render_svg(text: &str) -> Result<String, CamsError> {
    if text.is_empty() {
        return Err(CamsError::invalid_parameter(
            "text",
            "Give the text to encode, such as the deep link URL.",
        ));
    }
    Err(CamsError::new(
        crate::core::error::codes::UNSUPPORTED_ENVIRONMENT,
        "This build of cams-qrdl has no QR renderer (built without the `qr` feature).",
    ))
}
