//! The logo: read from a `data:` URL or bytes, checked (type, size) and, for the PNG and PDF
//! exports, decoded to pixels. Bytes get their type from their first bytes, not from a claim.

use crate::options::Logo;
use crate::QrError;

/// The largest logo file accepted: a logo is a few kilobytes; megabytes would bloat every SVG.
pub const MAX_LOGO_BYTES: usize = 1 << 20;

const FIELD: &str = "options.logo";
const TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/svg+xml",
];

/// A logo whose type is known, as the caller gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoData {
    pub mime: &'static str,
    source: Logo,
}

pub fn too_large() -> QrError {
    QrError::invalid(
        FIELD,
        format!(
            "The logo is larger than {} KiB. Export it smaller (a 256-pixel PNG is plenty).",
            MAX_LOGO_BYTES / 1024
        ),
    )
}

fn not_an_image() -> QrError {
    QrError::invalid(
        FIELD,
        "The logo must be a PNG, JPEG, GIF, WebP or SVG image.",
    )
}

impl LogoData {
    pub fn read(logo: &Logo) -> Result<LogoData, QrError> {
        let mime = match logo {
            Logo::Bytes(bytes) => {
                if bytes.len() > MAX_LOGO_BYTES {
                    return Err(too_large());
                }
                sniff(bytes).ok_or_else(not_an_image)?
            }
            Logo::DataUrl(url) => {
                let (mime, data) = split_data_url(url)?;
                if data.len() > MAX_LOGO_BYTES / 3 * 4 + 4 {
                    return Err(too_large());
                }
                if !data
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
                {
                    return Err(bad_url());
                }
                mime
            }
        };
        Ok(LogoData {
            mime,
            source: logo.clone(),
        })
    }

    /// A base64 `data:` URL, for an SVG `<image>`.
    pub fn data_url(&self) -> String {
        match &self.source {
            Logo::DataUrl(url) => url.trim().to_owned(),
            #[cfg(feature = "logo-bytes")]
            Logo::Bytes(bytes) => {
                use base64::Engine as _;
                format!(
                    "data:{};base64,{}",
                    self.mime,
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                )
            }
            // Without base64 (the browser's SVG module), the edge hands bytes over as a data: URL.
            #[cfg(not(feature = "logo-bytes"))]
            Logo::Bytes(_) => String::new(),
        }
    }
}

fn bad_url() -> QrError {
    QrError::invalid(
        FIELD,
        "The logo must be a base64 data: URL (data:image/png;base64,...) or the image's bytes.",
    )
}

/// A `data:image/...;base64,` URL's type and payload.
fn split_data_url(url: &str) -> Result<(&'static str, &str), QrError> {
    let rest = url.trim().strip_prefix("data:").ok_or_else(bad_url)?;
    let (head, data) = rest.split_once(',').ok_or_else(bad_url)?;
    let mime = head.strip_suffix(";base64").ok_or_else(bad_url)?;
    let mime = TYPES
        .into_iter()
        .find(|t| mime.eq_ignore_ascii_case(t))
        .ok_or_else(not_an_image)?;
    Ok((mime, data))
}

/// The image type of `b` from its first bytes.
pub fn sniff(b: &[u8]) -> Option<&'static str> {
    let svg = || {
        let head = &b[..b.len().min(512)];
        let at = head
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(head.len());
        let head = &head[at..];
        head.starts_with(b"<svg")
            || (head.starts_with(b"<?xml") && head.windows(4).any(|w| w == b"<svg"))
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(TYPES[0])
    } else if b.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(TYPES[1])
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(TYPES[2])
    } else if b.len() > 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        Some(TYPES[3])
    } else {
        svg().then_some(TYPES[4])
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
        use base64::Engine as _;
        let bytes = match &self.source {
            Logo::Bytes(b) => b.clone(),
            Logo::DataUrl(url) => {
                let (_, data) = split_data_url(url)?;
                base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| bad_url())?
            }
        };
        let broken = |what: &str| {
            QrError::invalid(FIELD, format!("The logo could not be read as a {what} image; open and re-save it, or use another file."))
        };
        let pixels = match sniff(&bytes) {
            Some("image/png") => decode_png(&bytes).ok_or_else(|| broken("PNG"))?,
            #[cfg(feature = "jpeg")]
            Some("image/jpeg") => decode_jpeg(&bytes).ok_or_else(|| broken("JPEG"))?,
            #[cfg(not(feature = "jpeg"))]
            Some("image/jpeg") => {
                return Err(QrError::invalid(
                    FIELD,
                    "This export takes a PNG logo: convert the JPEG to PNG first (for example, draw it on a canvas and use toDataURL(\"image/png\")).",
                ))
            }
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
    let header = minipng::decode_png_header(bytes).ok()?;
    let (w, h) = (header.width() as usize, header.height() as usize);
    if w > 4096 || h > 4096 {
        return Some(Pixels {
            width: w,
            height: h,
            rgba: Vec::new(),
        });
    }
    let mut buf = vec![0; header.required_bytes_rgba8bpc()];
    let mut image = minipng::decode_png(bytes, &mut buf).ok()?;
    image.convert_to_rgba8bpc().ok()?;
    let rgba = image.pixels()[..w * h * 4].to_vec();
    Some(Pixels {
        width: w,
        height: h,
        rgba,
    })
}

#[cfg(feature = "jpeg")]
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
