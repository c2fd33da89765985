//! The guards: options checked once, before anything is drawn, into a [`Style`]. Every refusal is
//! a [`QrError::Invalid`] naming the option and saying what to change, because a code that does
//! not scan is found only after it has been printed on a thousand stickers.

use crate::colour::{contrast, Rgb};
use crate::logo::LogoData;
use crate::options::{Level, QrOptions, Shape};
use crate::{decimal, QrError};

/// Least WCAG contrast between the dark and the light modules (the WCAG AA ratio for text).
pub const MIN_CONTRAST: f64 = 4.5;
/// Quiet zone below which `allowSmallMargin` is needed; ISO/IEC 18004 asks for 4.
pub const MIN_MARGIN: usize = 2;
pub const MAX_MARGIN: usize = 16;
/// The largest logo, as a share of the symbol's side: what level H can still correct.
pub const MAX_LOGO_SIZE: f64 = 0.25;
pub const DEFAULT_LOGO_SIZE: f64 = 0.2;
/// Characters of frame text: it must fit under the code at a readable size.
pub const MAX_FRAME_TEXT: usize = 30;
pub const DEFAULT_SIZE_PX: u32 = 1024;
pub const DEFAULT_DPI: u32 = 300;
/// Printed width: 30 mm scans from a table's distance; below 20 mm phones struggle to focus.
pub const DEFAULT_SIZE_MM: f64 = 30.0;
pub const MIN_SIZE_MM: f64 = 20.0;

/// Options that passed every guard, with their defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    pub level: Level,
    pub margin: usize,
    pub foreground: Rgb,
    pub background: Rgb,
    pub logo: Option<LogoData>,
    pub logo_size: f64,
    pub frame_text: Option<String>,
    pub shape: Shape,
    pub size_px: u32,
    pub dpi: u32,
    pub size_mm: f64,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            level: Level::M,
            margin: 4,
            foreground: Rgb::BLACK,
            background: Rgb::WHITE,
            logo: None,
            logo_size: DEFAULT_LOGO_SIZE,
            frame_text: None,
            shape: Shape::Square,
            size_px: DEFAULT_SIZE_PX,
            dpi: DEFAULT_DPI,
            size_mm: DEFAULT_SIZE_MM,
        }
    }
}

impl Style {
    /// Applies the guards to `o`.
    pub fn new(o: &QrOptions) -> Result<Style, QrError> {
        let mut s = Style {
            level: o.ec_level.unwrap_or(Level::M),
            ..Style::default()
        };
        if let Some(m) = o.margin {
            let m = m as usize;
            if m > MAX_MARGIN {
                return Err(QrError::invalid(
                    "options.margin",
                    format!(
                        "margin {m} is too wide: use at most {MAX_MARGIN} modules (4 is standard)."
                    ),
                ));
            }
            if m < MIN_MARGIN && !o.allow_small_margin {
                return Err(QrError::invalid(
                    "options.margin",
                    format!("margin {m} is too narrow a quiet zone for many scanners: use {MIN_MARGIN} or more (4 is standard), or set allowSmallMargin."),
                ));
            }
            s.margin = m;
        }
        s.foreground = colour(o.foreground.as_deref(), "options.foreground", Rgb::BLACK)?;
        s.background = colour(o.background.as_deref(), "options.background", Rgb::WHITE)?;
        let (fg, bg) = (s.foreground.css(), s.background.css());
        let ratio = contrast(s.foreground, s.background);
        let least = decimal(MIN_CONTRAST, 1);
        if ratio < MIN_CONTRAST {
            return Err(QrError::invalid(
                if o.background.is_some() && o.foreground.is_none() { "options.background" } else { "options.foreground" },
                format!("foreground {fg} on background {bg} has a contrast of {}:1; scanners need at least {least}:1. Darken the foreground or lighten the background.", decimal(ratio, 1)),
            ));
        }
        if s.foreground.luminance() > s.background.luminance() && !o.allow_inverted {
            return Err(QrError::invalid(
                "options.foreground",
                format!("foreground {fg} is lighter than background {bg}; many scanners cannot read light-on-dark codes. Swap the colours, or set allowInverted."),
            ));
        }
        if let Some(logo) = &o.logo {
            s.logo = Some(LogoData::read(logo)?);
            // Level H restores up to 30% of the symbol: the logo's cleared area needs it.
            s.level = Level::H;
        }
        if let Some(size) = o.logo_size {
            if !(size.is_finite() && size > 0.0 && size <= MAX_LOGO_SIZE) {
                return Err(QrError::invalid(
                    "options.logoSize",
                    format!("logoSize {} is too large: a logo may cover at most {} of the symbol's side ({} is the default) or the code stops scanning.", decimal(size, 3), decimal(MAX_LOGO_SIZE, 2), decimal(DEFAULT_LOGO_SIZE, 2)),
                ));
            }
            s.logo_size = size;
        }
        if let Some(text) = o
            .frame_text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let count = text
                .chars()
                .take(MAX_FRAME_TEXT + 1000)
                .fold(0, |n, _| n + 1);
            if count > MAX_FRAME_TEXT {
                return Err(QrError::invalid(
                    "options.frameText",
                    format!("frameText is {count} characters; shorten it to at most {MAX_FRAME_TEXT} (e.g. \"Scan to chat with us\")."),
                ));
            }
            if text.chars().any(char::is_control) {
                return Err(QrError::invalid(
                    "options.frameText",
                    "frameText must be one line, without line breaks.",
                ));
            }
            s.frame_text = Some(text.to_owned());
        }
        s.shape = o.module_shape.unwrap_or_default();
        if let Some(px) = o.size_px {
            if !(64..=8192).contains(&px) {
                return Err(QrError::invalid(
                    "options.sizePx",
                    format!("sizePx {px} is out of range: give 64 to 8192 pixels."),
                ));
            }
            s.size_px = px;
        }
        if let Some(dpi) = o.dpi {
            if !(72..=2400).contains(&dpi) {
                return Err(QrError::invalid(
                    "options.dpi",
                    format!("dpi {dpi} is out of range: give 72 to 2400 (300 is usual for print)."),
                ));
            }
            s.dpi = dpi;
        }
        if let Some(mm) = o.size_mm {
            if !(mm.is_finite() && (MIN_SIZE_MM..=1000.0).contains(&mm)) {
                return Err(QrError::invalid(
                    "options.sizeMm",
                    format!("sizeMm {} is out of range: print the code {} mm (2 cm, what phones focus on at arm's length) to 1000 mm wide.", decimal(mm, 1), decimal(MIN_SIZE_MM, 0)),
                ));
            }
            s.size_mm = mm;
        }
        Ok(s)
    }
}

fn colour(css: Option<&str>, field: &'static str, default: Rgb) -> Result<Rgb, QrError> {
    let Some(css) = css else { return Ok(default) };
    Rgb::parse(css.trim()).ok_or_else(|| {
        let name = field.strip_prefix("options.").unwrap_or(field);
        let shown: String = css.chars().take(20).collect();
        QrError::invalid(
            field,
            format!("{name} must be a CSS hex colour such as #1a1a1a or #fff (got \"{shown}\")."),
        )
    })
}
