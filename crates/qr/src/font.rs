//! Frame text as outlines, for the PNG and PDF exports: DejaVu Sans Bold glyphs (Latin-1 and
//! common punctuation; fonts/LICENSE) kept as outlines in fonts/frame-glyphs.bin (made from the
//! font subset by tests/font_data.rs), placed in module units. Outlines keep the PDF a vector
//! file with no embedded font program, and the module free of a font parser.

use crate::layout::FrameText;
use crate::QrError;

static GLYPHS: &[u8] = include_bytes!("../fonts/frame-glyphs.bin");

/// One step of an outline, in module units (y down).
#[derive(Clone, Copy, Debug)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Close,
}

fn u16_at(at: usize) -> usize {
    usize::from(u16::from_le_bytes([GLYPHS[at], GLYPHS[at + 1]]))
}

/// A glyph's advance and its ops, for character `c`.
struct Glyph {
    advance: f64,
    ops: &'static [u8],
    count: usize,
}

fn glyph(c: char) -> Option<Glyph> {
    let mut at = 4;
    for _ in 0..u16_at(2) {
        let code = u32::from_le_bytes([GLYPHS[at], GLYPHS[at + 1], GLYPHS[at + 2], GLYPHS[at + 3]]);
        let (advance, count) = (u16_at(at + 4), u16_at(at + 6));
        let start = at + 8;
        let mut end = start;
        for _ in 0..count {
            end += 1 + 4 * [1, 1, 2, 0][usize::from(GLYPHS[end] & 3)];
        }
        if code == u32::from(c) {
            return Some(Glyph {
                advance: advance as f64,
                ops: &GLYPHS[start..end],
                count,
            });
        }
        at = end;
    }
    None
}

/// The outlines of `frame`'s text, centred, shrunk if wider than its `max_width`. A character the
/// font lacks is an `InvalidParameter` (the SVG output, drawn with the viewer's fonts, takes any).
pub fn outline(frame: &FrameText) -> Result<Vec<Seg>, QrError> {
    let mut glyphs = Vec::new();
    let mut missing = String::new();
    for c in frame.text.chars() {
        match glyph(c) {
            Some(g) => glyphs.push(g),
            None if !missing.contains(c) => missing.push(c),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(QrError::invalid(
            "options.frameText",
            format!("frameText has characters the PNG and PDF exports cannot draw ({missing}): use Latin letters, digits and common punctuation, or the SVG output."),
        ));
    }
    let em = u16_at(0) as f64;
    let advance: f64 = glyphs.iter().map(|g| g.advance).sum();
    let mut scale = frame.size / em;
    if advance * scale > frame.max_width {
        scale = frame.max_width / advance;
    }
    let mut x = frame.centre_x - advance * scale / 2.0;
    let mut segs = Vec::new();
    for g in glyphs {
        // Points are stored in half font units, y up, each relative to the one before.
        let (mut px, mut py) = (0.0, 0.0);
        let mut at = 0;
        for _ in 0..g.count {
            let tag = g.ops[at];
            let mut points = [(0.0_f32, 0.0_f32); 2];
            for point in points.iter_mut().take([1, 1, 2, 0][usize::from(tag & 3)]) {
                let v = |i: usize| f64::from(i16::from_le_bytes([g.ops[i], g.ops[i + 1]])) / 2.0;
                px += v(at + 1);
                py += v(at + 3);
                at += 4;
                *point = (
                    (x + px * scale) as f32,
                    (frame.baseline - py * scale) as f32,
                );
            }
            at += 1;
            let [(x1, y1), (x2, y2)] = points;
            segs.push(match tag {
                0 => Seg::Move(x1, y1),
                1 => Seg::Line(x1, y1),
                2 => Seg::Quad(x1, y1, x2, y2),
                _ => Seg::Close,
            });
        }
        x += g.advance * scale;
    }
    Ok(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_draws_latin_text_and_refuses_the_rest() {
        let frame = |t: &str| FrameText {
            text: t.to_owned(),
            size: 3.0,
            centre_x: 20.0,
            baseline: 45.0,
            max_width: 36.0,
        };
        let segs = outline(&frame("Scannez-moi — café 5 €")).unwrap();
        assert!(segs.len() > 100);
        // "H" spans the cap height (DejaVu's 1493 of 2048 units) up from the baseline, and its
        // width (1675 units advance) is centred.
        let h = outline(&frame("H")).unwrap();
        let ys: Vec<f32> = h
            .iter()
            .filter_map(|s| match *s {
                Seg::Move(_, y) | Seg::Line(_, y) => Some(y),
                _ => None,
            })
            .collect();
        let xs: Vec<f32> = h
            .iter()
            .filter_map(|s| match *s {
                Seg::Move(x, _) | Seg::Line(x, _) => Some(x),
                _ => None,
            })
            .collect();
        let (top, bottom) = (
            ys.iter().cloned().fold(f32::MAX, f32::min),
            ys.iter().cloned().fold(f32::MIN, f32::max),
        );
        assert!((bottom - 45.0).abs() < 1e-3, "{bottom}");
        assert!((top - (45.0 - 3.0 * 1493.0 / 2048.0)).abs() < 1e-3, "{top}");
        let (left, right) = (
            xs.iter().cloned().fold(f32::MAX, f32::min),
            xs.iter().cloned().fold(f32::MIN, f32::max),
        );
        assert!(((left + right) / 2.0 - 20.0).abs() < 0.2, "{left} {right}");
        let e = outline(&frame("扫码 chat")).unwrap_err();
        assert_eq!(e.field(), "options.frameText");
        assert!(e.to_string().contains("扫码"), "{e}");
    }
}
