//! The QR images a `QrImageUrl` points at: `GET /qr/<CODE>.png` and `/qr/<CODE>.svg`, a real
//! QR code of the code's deep link (error correction M, a 4-module quiet zone), drawn by
//! `cams-qr`, the same encoder the browser's QR module uses.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cams_qr::{QrError, Symbol};

use crate::{lock, store, Emulator};

/// Pixels per module in the PNG.
const PNG_SCALE: usize = 8;

/// The image formats the API offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// From the API's `GenerateQrImage` value (`PNG` or `SVG`, exactly).
    pub fn from_api(s: &str) -> Option<ImageFormat> {
        match s {
            "PNG" => Some(ImageFormat::Png),
            "SVG" => Some(ImageFormat::Svg),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Svg => "image/svg+xml",
        }
    }
}

/// An SVG image of a QR code encoding `text`.
pub fn render_svg(text: &str) -> Result<String, QrError> {
    cams_qr::render_svg(text)
}

/// A greyscale PNG of a QR code encoding `text`.
pub fn render_png(text: &str) -> Result<Vec<u8>, QrError> {
    Ok(cams_qr::png(&Symbol::encode(text)?, PNG_SCALE))
}

/// `GET /qr/{file}`: `CODE.png` or `CODE.svg` for a code that exists, else 404.
pub async fn serve(State(emu): State<Arc<Emulator>>, Path(file): Path<String>) -> Response {
    let Some((code, format)) = file.rsplit_once('.').and_then(|(code, ext)| {
        let format = match ext {
            "png" => ImageFormat::Png,
            "svg" => ImageFormat::Svg,
            _ => return None,
        };
        Some((code.to_owned(), format))
    }) else {
        return not_found();
    };
    if lock(&emu.store).get(&code).is_none() {
        return not_found();
    }
    let link = store::deep_link(&code);
    let body = match format {
        ImageFormat::Png => render_png(&link),
        ImageFormat::Svg => render_svg(&link).map(String::into_bytes),
    };
    match body {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "QR rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "QR rendering failed").into_response()
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such QR code.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_the_signature_and_a_square_size() {
        let png = render_png("https://wa.me/message/ABCDEFGH").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert_eq!(info.width as usize % PNG_SCALE, 0);
    }

    #[test]
    fn svg_is_an_svg_document() {
        let svg = render_svg("https://wa.me/message/ABCDEFGH").unwrap();
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn formats_are_exact() {
        assert_eq!(ImageFormat::from_api("PNG"), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::from_api("SVG"), Some(ImageFormat::Svg));
        assert_eq!(ImageFormat::from_api("png"), None);
        assert_eq!(ImageFormat::from_api("JPG"), None);
    }
}
