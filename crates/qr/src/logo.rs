//! The logo: read from a `data:` URL or bytes, its type found from its first bytes (not from the
//! URL's claim), and, for the PNG and PDF exports, decoded to pixels.

use base64::Engine as _;

use crate::options::Logo;
use crate::QrError;

/// The largest logo file accepted: a logo is a few kilobytes; megabytes would bloat every SVG.
pub const MAX_LOGO_BYTES: usize = 1 << 20;

const FIELD: &str = "options.logo";

/// A logo file whose type is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoData {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

impl LogoData {
    pub fn read(logo: &Logo) -> Result<LogoData, QrError> {
        let bytes = match logo {
            Logo::Bytes(b) => b.clone(),
            Logo::DataUrl(url) => from_data_url(url)?,
        };
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(QrError::invalid(
                FIELD,
                format!("The logo is {} KiB; at most {} KiB is accepted. Export it smaller (a 256-pixel PNG is plenty).", bytes.len() / 1024, MAX_LOGO_BYTES / 1024),
            ));
        }
        let mime = sniff(&bytes).ok_or_else(|| {
            QrError::invalid(
                FIELD,
                "The logo must be a PNG, JPEG, GIF, WebP or SVG image.",
            )
        })?;
        Ok(LogoData { mime, bytes })
    }

    /// A base64 `data:` URL, for an SVG `<image>`.
    pub fn data_url(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

fn from_data_url(url: &str) -> Result<Vec<u8>, QrError> {
    let bad = || {
        QrError::invalid(
            FIELD,
            "The logo must be a base64 data: URL (data:image/png;base64,...) or the image's bytes.",
        )
    };
    let rest = url.trim().strip_prefix("data:").ok_or_else(bad)?;
    let (head, data) = rest.split_once(',').ok_or_else(bad)?;
    if !head.ends_with(";base64") {
        return Err(bad());
    }
    let data: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if data.len() > MAX_LOGO_BYTES / 3 * 4 + 4 {
        return Err(QrError::invalid(
            FIELD,
            format!(
                "The logo is larger than {} KiB. Export it smaller (a 256-pixel PNG is plenty).",
                MAX_LOGO_BYTES / 1024
            ),
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(&data)
        .map_err(|_| bad())
}

fn sniff(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if b.len() > 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let head = String::from_utf8_lossy(&b[..b.len().min(512)]);
        let head = head.trim_start_matches('\u{feff}').trim_start();
        (head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")))
            .then_some("image/svg+xml")
    }
}

/// Decoded pixels: RGBA, 8 bits a channel, row by row.
#[cfg(feature = "export")]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

#[cfg(feature = "export")]
impl LogoData {
    /// The logo's pixels, for the PNG and PDF exports (PNG and JPEG only).
    pub fn decode(&self) -> Result<Pixels, QrError> {
        let broken = |what: &str| {
            QrError::invalid(FIELD, format!("The logo could not be read as a {what} image; open and re-save it, or use another file."))
        };
        let pixels = match self.mime {
            "image/png" => decode_png(&self.bytes).ok_or_else(|| broken("PNG"))?,
            "image/jpeg" => decode_jpeg(&self.bytes).ok_or_else(|| broken("JPEG"))?,
            _ => {
                return Err(QrError::invalid(
                    FIELD,
                    "For PNG and PDF exports the logo must be a PNG or JPEG image (SVG output also takes SVG, GIF and WebP).",
                ))
            }
        };
        if pixels.width == 0 || pixels.height == 0 || pixels.width > 4096 || pixels.height > 4096 {
            return Err(QrError::invalid(
                FIELD,
                "The logo must be between 1 and 4096 pixels on each side.",
            ));
        }
        Ok(pixels)
    }
}

#[cfg(feature = "export")]
fn decode_png(bytes: &[u8]) -> Option<Pixels> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let (w, h) = (reader.info().width as usize, reader.info().height as usize);
    if w > 4096 || h > 4096 {
        return Some(Pixels {
            width: w,
            height: h,
            rgba: Vec::new(),
        });
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => return None,
    };
    (rgba.len() == w * h * 4).then_some(Pixels {
        width: w,
        height: h,
        rgba,
    })
}

#[cfg(feature = "export")]
fn decode_jpeg(bytes: &[u8]) -> Option<Pixels> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    if w > 4096 || h > 4096 {
        return Some(Pixels {
            width: w,
            height: h,
            rgba: Vec::new(),
        });
    }
    let data = decoder.decode().ok()?;
    let rgba: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        jpeg_decoder::PixelFormat::L16 => data
            .chunks_exact(2)
            .flat_map(|g| [g[0], g[0], g[0], 255])
            .collect(),
        jpeg_decoder::PixelFormat::RGB24 => data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|p| {
                let k = u16::from(255 - p[3]);
                let c = |v: u8| ((u16::from(255 - v) * k) / 255) as u8;
                [c(p[0]), c(p[1]), c(p[2]), 255]
            })
            .collect(),
    };
    (rgba.len() == w * h * 4).then_some(Pixels {
        width: w,
        height: h,
        rgba,
    })
}
