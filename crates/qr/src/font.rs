//! Frame text as outlines, for the PNG and PDF exports: glyphs from a DejaVu Sans Bold subset
//! (Latin-1 and common punctuation; fonts/LICENSE) read by `ttf-parser`, placed in module units.
//! Drawing outlines keeps the PDF a vector file with no embedded font program.

use crate::layout::FrameText;
use crate::QrError;

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold-subset.ttf");

/// One step of an outline, in module units (y down).
#[derive(Clone, Copy, Debug)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

fn face() -> ttf_parser::Face<'static> {
    // The subset is part of the crate and parsed by the tests: it cannot fail here.
    ttf_parser::Face::parse(FONT, 0).expect("the bundled font parses")
}

/// The outlines of `frame`'s text, centred, shrunk if wider than its `max_width`. A character the
/// font lacks is an `InvalidParameter` (the SVG output, drawn with the viewer's fonts, takes any).
pub fn outline(frame: &FrameText) -> Result<Vec<Seg>, QrError> {
    let face = face();
    let mut glyphs = Vec::new();
    let mut missing = String::new();
    for c in frame.text.chars() {
        match face.glyph_index(c) {
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
    let em = f64::from(face.units_per_em());
    let advance: f64 = glyphs
        .iter()
        .map(|&g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)))
        .sum();
    let mut scale = frame.size / em;
    if advance * scale > frame.max_width {
        scale = frame.max_width / advance;
    }
    let mut builder = Builder {
        segs: Vec::new(),
        x: frame.centre_x - advance * scale / 2.0,
        baseline: frame.baseline,
        scale,
    };
    for g in glyphs {
        face.outline_glyph(g, &mut builder);
        builder.x += f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale;
    }
    Ok(builder.segs)
}

struct Builder {
    segs: Vec<Seg>,
    x: f64,
    baseline: f64,
    scale: f64,
}

impl Builder {
    fn p(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (self.x + f64::from(x) * self.scale) as f32,
            (self.baseline - f64::from(y) * self.scale) as f32,
        )
    }
}

impl ttf_parser::OutlineBuilder for Builder {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.segs.push(Seg::Move(x, y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.segs.push(Seg::Line(x, y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.p(x1, y1), self.p(x, y));
        self.segs.push(Seg::Quad(x1, y1, x, y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.p(x1, y1), self.p(x2, y2), self.p(x, y));
        self.segs.push(Seg::Cubic(x1, y1, x2, y2, x, y));
    }
    fn close(&mut self) {
        self.segs.push(Seg::Close);
    }
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
        let e = outline(&frame("扫码 chat")).unwrap_err();
        assert_eq!(e.field(), "options.frameText");
        assert!(e.to_string().contains("扫码"), "{e}");
    }
}
