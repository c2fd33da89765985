//! Styled SVG: one background rectangle, one path of dark modules (runs of squares, rounded
//! squares or dots), the logo as an `<image>` and the frame text as `<text>` in a generic bold
//! sans-serif (the viewer's font: SVG output carries no font).

use std::fmt::Write as _;

use crate::layout::{Layout, DOT_RADIUS, ROUNDED_RADIUS};
use crate::options::{QrOptions, Shape};
use crate::style::Style;
use crate::{QrError, Symbol};

/// An SVG of the code for `text` styled by `options`, at least 256 pixels wide at a whole number
/// of pixels per module, ready for `innerHTML`, an `<img>` or a download (no XML declaration).
pub fn render_svg_with(text: &str, options: &QrOptions) -> Result<String, QrError> {
    let style = Style::new(options)?;
    let symbol = Symbol::encode_at(text, style.level)?;
    Ok(svg_styled(&Layout::new(&symbol, &style), &style))
}

/// A number in module units, at most three decimals, no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    crate::decimal(v, 3)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn svg_styled(layout: &Layout, style: &Style) -> String {
    let w = layout.width;
    let h = layout.height();
    let ppm = 256_usize.div_ceil(w);
    let (px_w, px_h) = (w * ppm, num(h * ppm as f64));
    let (hs, fg, bg) = (num(h), style.foreground.css(), style.background.css());
    let crisp = if layout.shape == Shape::Square {
        r#" shape-rendering="crispEdges""#
    } else {
        ""
    };
    let xlink = if style.logo.is_some() {
        r#" xmlns:xlink="http://www.w3.org/1999/xlink""#
    } else {
        ""
    };
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg"{xlink} version="1.1" width="{px_w}" height="{px_h}" viewBox="0 0 {w} {hs}"><rect width="{w}" height="{hs}" fill="{bg}"/><path fill="{fg}"{crisp} d=""#
    );
    for (x, y, run) in layout.square_runs() {
        let _ = write!(out, "M{x} {y}h{run}v1h-{run}z");
    }
    for (x, y) in layout.shaped() {
        let (x, y) = (x as f64, y as f64);
        match layout.shape {
            Shape::Dots => {
                let r = num(DOT_RADIUS);
                let _ = write!(
                    out,
                    "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0z",
                    num(x + 0.5 - DOT_RADIUS),
                    num(y + 0.5),
                    num(2.0 * DOT_RADIUS),
                    num(2.0 * DOT_RADIUS)
                );
            }
            _ => {
                let r = num(ROUNDED_RADIUS);
                let s = num(1.0 - 2.0 * ROUNDED_RADIUS);
                let _ = write!(
                    out,
                    "M{} {}h{s}a{r} {r} 0 0 1 {r} {r}v{s}a{r} {r} 0 0 1 -{r} {r}h-{s}a{r} {r} 0 0 1 -{r} -{r}v-{s}a{r} {r} 0 0 1 {r} -{r}z",
                    num(x + ROUNDED_RADIUS),
                    num(y)
                );
            }
        }
    }
    out.push_str(r#""/>"#);
    if let (Some(logo), Some((x, y, side))) = (&style.logo, layout.logo_box) {
        let _ = write!(
            out,
            r#"<image x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="xMidYMid meet" xlink:href="{}"/>"#,
            num(x),
            num(y),
            num(side),
            num(side),
            escape(&logo.data_url())
        );
    }
    if let Some(t) = &layout.text {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-family="DejaVu Sans,Verdana,Arial,sans-serif" font-weight="700" font-size="{}" text-anchor="middle" fill="{fg}">{}</text>"#,
            num(t.centre_x),
            num(t.baseline),
            num(t.size),
            escape(&t.text)
        );
    }
    out.push_str("</svg>");
    out
}
