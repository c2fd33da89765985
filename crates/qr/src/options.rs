//! The caller's rendering options, as JavaScript or JSON spells them (camelCase). Unknown names
//! are refused (`deny_unknown_fields`): a misspelt `forground` must not silently give a black code.
//! Nothing here is checked yet; [`crate::style::Style::new`] applies the guards.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// Every option of `renderQrSvg`, `renderQrPng` and `renderQrPdf`; all optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QrOptions {
    /// Error-correction level, "L" | "M" | "Q" | "H" (default "M"; a logo makes it "H").
    pub ec_level: Option<Level>,
    /// Quiet zone in modules (default 4; below 2 only with `allow_small_margin`).
    pub margin: Option<u32>,
    #[serde(default)]
    pub allow_small_margin: bool,
    /// CSS hex colour of the dark modules (default "#000000").
    pub foreground: Option<String>,
    /// CSS hex colour of the light modules and the quiet zone (default "#ffffff").
    pub background: Option<String>,
    /// Allows a light-on-dark code, which some older scanners cannot read.
    #[serde(default)]
    pub allow_inverted: bool,
    /// A logo as a data URL or bytes, drawn centred: PNG, JPEG, GIF, WebP or SVG in the SVG
    /// output; PNG (and JPEG with the `jpeg` feature) in the PNG and PDF exports.
    pub logo: Option<Logo>,
    /// The logo's side as a share of the symbol's side (default 0.2, at most 0.25).
    pub logo_size: Option<f64>,
    /// A call to action under the code, at most 30 characters.
    pub frame_text: Option<String>,
    /// "square" (default), "rounded" or "dots". Function patterns (finders, timing, alignment) stay square.
    pub module_shape: Option<Shape>,
    /// PNG: the image's width in pixels (default 1024); modules are whole pixels.
    pub size_px: Option<u32>,
    /// PNG: the resolution recorded in its pHYs chunk (default 300).
    pub dpi: Option<u32>,
    /// PDF: the code's printed width in millimetres, quiet zone included (default 30).
    pub size_mm: Option<f64>,
}

/// Every option's name as callers spell it: readers that cannot refuse unknown names themselves
/// (serde-wasm-bindgen reads only the names a struct declares) check against this list.
pub const OPTION_NAMES: &[&str] = &[
    "ecLevel",
    "margin",
    "allowSmallMargin",
    "foreground",
    "background",
    "allowInverted",
    "logo",
    "logoSize",
    "frameText",
    "moduleShape",
    "sizePx",
    "dpi",
    "sizeMm",
];

/// `name` as an option, or the error an unknown one gets.
pub fn check_name(name: &str) -> Result<(), crate::QrError> {
    if OPTION_NAMES.contains(&name) {
        return Ok(());
    }
    let shown: String = name.chars().take(40).collect();
    Err(crate::QrError::invalid(
        "options",
        format!("Unknown option \"{shown}\": the options are ecLevel, margin, allowSmallMargin, foreground, background, allowInverted, logo, logoSize, frameText, moduleShape, sizePx, dpi and sizeMm."),
    ))
}

/// Error-correction level: the share of the symbol that may be damaged (7, 15, 25, 30%).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Level {
    L,
    M,
    Q,
    H,
}

impl Level {
    /// "L", "M", "Q" or "H".
    pub fn name(self) -> &'static str {
        match self {
            Level::L => "L",
            Level::M => "M",
            Level::Q => "Q",
            Level::H => "H",
        }
    }
}

/// How a dark module is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    #[default]
    Square,
    Rounded,
    Dots,
}

/// A logo as the caller gave it: a `data:` URL, or the file's bytes (a `Uint8Array` in
/// JavaScript, an array of numbers in JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logo {
    DataUrl(String),
    Bytes(Vec<u8>),
}

impl<'de> Deserialize<'de> for Logo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LogoVisitor;
        impl<'de> Visitor<'de> for LogoVisitor {
            type Value = Logo;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a data: URL string or the image's bytes (Uint8Array)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Logo, E> {
                Ok(Logo::DataUrl(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Logo, E> {
                Ok(Logo::DataUrl(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Logo, E> {
                Ok(Logo::Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Logo, E> {
                Ok(Logo::Bytes(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Logo, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(Logo::Bytes(bytes))
            }
        }
        d.deserialize_any(LogoVisitor)
    }
}
