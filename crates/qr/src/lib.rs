//! QR codes for deep links (`https://wa.me/message/<CODE>`), encoded by the `qrcode` crate and
//! drawn here: SVG for pages and downloads, PNG for the emulator's images, and styled, print-ready
//! SVG, PNG and vector PDF ([`QrOptions`]: colours, logo, frame text, module shapes, sizes) behind
//! guards that refuse a code a phone could not scan ([`style`]).
//!
//! One encoder for the whole workspace: the browser's QR modules and the emulator draw the same
//! symbol for the same text.

#![forbid(unsafe_code)]

pub mod colour;
#[cfg(feature = "export")]
mod font;
mod layout;
pub mod logo;
pub mod options;
#[cfg(feature = "export")]
mod pdf;
#[cfg(feature = "png")]
pub mod png_file;
#[cfg(feature = "export")]
mod raster;
pub mod style;
mod svg;

pub use options::{Level, Logo, QrOptions, Shape};
#[cfg(feature = "export")]
pub use pdf::render_pdf;
#[cfg(feature = "export")]
pub use raster::render_png;
pub use svg::render_svg_with;

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the symbol, as ISO/IEC 18004 asks (a scanner needs them to find it).
pub const QUIET_ZONE: usize = 4;

/// Why a text or its options could not become a QR code. All are the caller's to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("Give the text to encode, such as the deep link URL.")]
    Empty,
    #[error("The text is {0} bytes, too long for a QR code at error-correction level {level} (at most {max} bytes of text; a lower level or a shorter text fits more).", level = .1.name(), max = max_bytes(*.1))]
    TooLong(usize, Level),
    /// An option a guard refused: `field` names it (`options.foreground`), `message` says what
    /// to change.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

impl QrError {
    /// The input that was wrong, for an `InvalidParameter` error's `field`.
    pub fn field(&self) -> &'static str {
        match self {
            QrError::Invalid { field, .. } => field,
            _ => "text",
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> QrError {
        QrError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// `v` with at most `places` decimals, trailing zeros dropped ("0.25", "4.5", "30"). Written
/// here because core's float formatting would add kilobytes to the browser modules.
pub fn decimal(v: f64, places: u32) -> String {
    let scale = 10_i64.pow(places);
    let n = (v * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    let scale = scale.unsigned_abs();
    let mut s = format!("{sign}{}", n / scale);
    if n % scale != 0 {
        let frac = format!("{:0width$}", n % scale, width = places as usize);
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s
}

/// The most bytes of text a version-40 symbol holds at `level`.
pub fn max_bytes(level: Level) -> usize {
    match level {
        Level::L => 2953,
        Level::M => 2331,
        Level::Q => 1663,
        Level::H => 1273,
    }
}

/// An encoded symbol: `size` × `size` modules, dark or light.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub size: usize,
    dark: Vec<bool>,
    /// Function patterns (finders, timing, alignment, format and version information): drawn
    /// square whatever the module shape, because scanners locate and sample the code by them.
    functional: Vec<bool>,
}

impl Symbol {
    /// Encodes `text` at error-correction level M in the smallest version that holds it.
    pub fn encode(text: &str) -> Result<Symbol, QrError> {
        Symbol::encode_at(text, Level::M)
    }

    /// Encodes `text` at `level` in the smallest version that holds it.
    pub fn encode_at(text: &str, level: Level) -> Result<Symbol, QrError> {
        if text.is_empty() {
            return Err(QrError::Empty);
        }
        let ec = match level {
            Level::L => EcLevel::L,
            Level::M => EcLevel::M,
            Level::Q => EcLevel::Q,
            Level::H => EcLevel::H,
        };
        let code = QrCode::with_error_correction_level(text.as_bytes(), ec)
            .map_err(|_| QrError::TooLong(text.len(), level))?;
        let n = code.width();
        Ok(Symbol {
            size: n,
            functional: (0..n * n)
                .map(|i| code.is_functional(i % n, i / n))
                .collect(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Whether the module at column `x`, row `y` is dark (outside the symbol: light).
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }

    /// Whether the module at column `x`, row `y` belongs to a function pattern.
    pub fn functional(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.functional[y * self.size + x]
    }

    /// The side in modules, quiet zone included.
    pub fn side_with_quiet_zone(&self) -> usize {
        self.size + 2 * QUIET_ZONE
    }
}

/// An SVG of the code for `text` with the default style (level M, black on white), with a 4-module quiet zone, at least 256 pixels wide at a
/// whole number of pixels per module, ready for `innerHTML` or an `<img>` (no XML declaration).
pub fn render_svg(text: &str) -> Result<String, QrError> {
    Ok(svg(&Symbol::encode(text)?))
}

/// The SVG markup: one path of horizontal runs of dark modules, in module units.
pub fn svg(symbol: &Symbol) -> String {
    use std::fmt::Write as _;
    let n = symbol.side_with_quiet_zone();
    let px = n * 256_usize.div_ceil(n);
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px}" height="{px}" viewBox="0 0 {n} {n}" shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d=""##
    );
    for y in 0..symbol.size {
        let mut x = 0;
        while x < symbol.size {
            if !symbol.dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while symbol.dark(x, y) {
                x += 1;
            }
            let run = x - start;
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "M{} {}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }
    out.push_str(r#""/></svg>"#);
    out
}

/// A greyscale PNG of `symbol`, `scale` pixels per module, quiet zone included.
#[cfg(feature = "png")]
pub fn png(symbol: &Symbol, scale: usize) -> Vec<u8> {
    let scale = scale.max(1);
    let side = symbol.side_with_quiet_zone() * scale;
    let mut pixels = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / scale, y / scale);
            if mx >= QUIET_ZONE && my >= QUIET_ZONE && symbol.dark(mx - QUIET_ZONE, my - QUIET_ZONE)
            {
                pixels[y * side + x] = 0;
            }
        }
    }
    png_file::encode(side, side, png_file::Colour::Grey, &pixels, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_without_core_float_formatting() {
        assert_eq!(decimal(0.25, 3), "0.25");
        assert_eq!(decimal(4.5, 1), "4.5");
        assert_eq!(decimal(30.0, 1), "30");
        assert_eq!(decimal(2.849, 1), "2.8");
        assert_eq!(decimal(-0.0004, 3), "0");
        assert_eq!(decimal(-1.5, 3), "-1.5");
        assert_eq!(decimal(12.0625, 3), "12.063");
        // The PDF content stream's numbers (pdf.rs, five places).
        for (v, text) in [
            (0.25, "0.25"),
            (30.0, "30"),
            (-1.5, "-1.5"),
            (0.000_01, "0.00001"),
            (1.000_004, "1"),
            (-0.000_001, "0"),
            (2.05, "2.05"),
        ] {
            assert_eq!(decimal(v, 5), text);
        }
    }

    #[test]
    fn svg_is_markup_for_an_img_or_inner_html() {
        let svg = render_svg("https://wa.me/message/ABCDEFGHIJKL1").unwrap();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"viewBox="0 0 37 37""#), "{svg}"); // version 3 + quiet zone
        assert!(svg.contains(r#"width="259""#));
        assert_eq!(render_svg(""), Err(QrError::Empty));
        let e = render_svg(&"x".repeat(3000)).unwrap_err();
        assert_eq!(e, QrError::TooLong(3000, Level::M));
        assert!(e.to_string().contains("3000 bytes"), "{e}");
        assert!(e.to_string().contains("at most 2331 bytes"), "{e}");
    }
}
