//! Local QR rendering (feature `qr`): the deep link as an SVG, for showing a code without
//! downloading the service's image.

use crate::core::error::CamsError;

fn empty() -> CamsError {
    CamsError::invalid_parameter(
        "text",
        "Give the text to encode, such as the deep link URL.",
    )
}

#[cfg(feature = "qr")]
pub(crate) fn render_svg(text: &str) -> Result<String, CamsError> {
    use qrcode::render::svg;
    use qrcode::{EcLevel, QrCode};

    if text.is_empty() {
        return Err(empty());
    }
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|_| {
        CamsError::invalid_parameter(
            "text",
            format!(
                "The text is {} bytes, too long for a QR code at error-correction level M (at most 2331 bytes).",
                text.len()
            ),
        )
    })?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    // Without the XML declaration the markup can go straight into innerHTML.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

#[cfg(not(feature = "qr"))]
pub(crate) fn render_svg(text: &str) -> Result<String, CamsError> {
    if text.is_empty() {
        return Err(empty());
    }
    Err(CamsError::new(
        crate::core::error::codes::UNSUPPORTED_ENVIRONMENT,
        "This build of cams-qrdl has no QR renderer (built without the `qr` feature).",
    ))
}
