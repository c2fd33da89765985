//! Vector PDF for print (`pdf-writer`): one page with the code at exactly its printed size, the
//! modules and the frame text as filled paths (no raster, no font program), the logo as the one
//! image.
//!
//! `pdf-writer` writes the document; the page's content stream is written by [`Ops`], because
//! every `f32` that `pdf-writer` writes links `ryu` and core's float formatting (its fallback
//! for extreme values), about 15 KB of the browser's export module. For the same reason the
//! page (MediaBox) is whole points, at most one point larger than the code, which is centred on
//! it over the background. The tests check [`Ops`] against `pdf_writer::Content`.

use pdf_writer::{Filter, Finish as _, Name, Pdf, Ref, TextStr};

use crate::colour::Rgb;
use crate::font::{self, Seg};
use crate::layout::{Layout, DOT_RADIUS, ROUNDED_RADIUS};
use crate::logo::Pixels;
use crate::options::{QrOptions, Shape};
use crate::style::Style;
use crate::{QrError, Symbol};

/// Bézier handle length for a quarter circle of radius 1.
const KAPPA: f32 = 0.552_284_8;

/// A one-page vector PDF of the code for `text` styled by `options`, `sizeMm` wide.
pub fn render_pdf(text: &str, options: &QrOptions) -> Result<Vec<u8>, QrError> {
    let style = Style::new(options)?;
    let symbol = Symbol::encode_at(text, style.level)?;
    let layout = Layout::new(&symbol, &style);
    let logo = style.logo.as_ref().map(|l| l.decode()).transpose()?;
    let outline = layout.text.as_ref().map(font::outline).transpose()?;

    let points = (style.size_mm * 72.0 / 25.4) as f32;
    let scale = points / layout.width as f32;
    let (w, h) = (points, layout.height() as f32 * scale);
    // Whole points, not one more for a float's last bit (25.4 mm is 72 points).
    let (page_w, page_h) = ((w - 1e-3).ceil(), (h - 1e-3).ceil());

    let mut c = Ops::default();
    fill(&mut c, style.background);
    c.rect(0.0, 0.0, page_w, page_h).fill_nonzero();
    // Module units from here on, y down as in the SVG, the code centred on the page.
    c.transform([
        scale,
        0.0,
        0.0,
        -scale,
        (page_w - w) / 2.0,
        h + (page_h - h) / 2.0,
    ]);
    fill(&mut c, style.foreground);
    for (x, y, run) in layout.square_runs() {
        c.rect(x as f32, y as f32, run as f32, 1.0);
    }
    for (x, y) in layout.shaped() {
        let (x, y) = (x as f32, y as f32);
        match layout.shape {
            Shape::Dots => rounded_rect(
                &mut c,
                x + 0.5 - DOT_RADIUS as f32,
                y + 0.5 - DOT_RADIUS as f32,
                2.0 * DOT_RADIUS as f32,
                DOT_RADIUS as f32,
            ),
            _ => rounded_rect(&mut c, x, y, 1.0, ROUNDED_RADIUS as f32),
        }
    }
    if let Some(segs) = &outline {
        path(&mut c, segs);
    }
    c.fill_nonzero();
    let image = logo
        .as_ref()
        .zip(layout.logo_box)
        .map(|(logo, (x, y, side))| {
            let (sw, sh) = (logo.width as f32, logo.height as f32);
            let fit = side as f32 / sw.max(sh);
            let (dw, dh) = (sw * fit, sh * fit);
            let (x, y) = (
                x as f32 + (side as f32 - dw) / 2.0,
                y as f32 + (side as f32 - dh) / 2.0,
            );
            c.save_state();
            // The image's unit square, its first row at the top.
            c.transform([dw, 0.0, 0.0, -dh, x, y + dh]);
            c.x_object(Name(b"Logo"));
            c.restore_state();
            flatten(logo, style.background)
        });
    let content = zlib(&c.0);

    let (catalog, pages, page, contents, image_id, info) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.parent(pages)
            .contents(contents)
            .insert(Name(b"MediaBox"))
            .array()
            .items([0, 0, page_w as i32, page_h as i32]);
        let mut resources = p.resources();
        if image.is_some() {
            resources.x_objects().pair(Name(b"Logo"), image_id);
        }
        resources.finish();
        p.finish();
    }
    pdf.stream(contents, &content).filter(Filter::FlateDecode);
    if let (Some((data, width, height)), Some(_)) = (&image, &logo) {
        let mut x = pdf.image_xobject(image_id, data);
        x.filter(Filter::FlateDecode);
        x.width(*width as i32).height(*height as i32);
        x.color_space().device_rgb();
        x.bits_per_component(8);
    }
    pdf.document_info(info)
        .title(TextStr(
            &format!("QR code: {text}")
                .chars()
                .take(200)
                .collect::<String>(),
        ))
        .creator(TextStr("cams-qrdl"));
    Ok(pdf.finish())
}

/// A page's content stream: the operators this page uses, the names `pdf_writer::Content` gives
/// them, numbers with at most [`Ops::PLACES`] decimals (a micrometre at any size drawn here).
#[derive(Default)]
pub struct Ops(pub Vec<u8>);

impl Ops {
    /// Decimals kept: module units at most a few hundred, matrix scales a few points.
    pub const PLACES: u32 = 5;

    fn op(&mut self, operands: &[f32], operator: &str) -> &mut Self {
        for &v in operands {
            self.0
                .extend_from_slice(crate::decimal(f64::from(v), Self::PLACES).as_bytes());
            self.0.push(b' ');
        }
        self.0.extend_from_slice(operator.as_bytes());
        self.0.push(b'\n');
        self
    }

    pub fn transform(&mut self, m: [f32; 6]) -> &mut Self {
        self.op(&m, "cm")
    }
    pub fn set_fill_rgb(&mut self, r: f32, g: f32, b: f32) -> &mut Self {
        self.op(&[r, g, b], "rg")
    }
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) -> &mut Self {
        self.op(&[x, y, w, h], "re")
    }
    pub fn move_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.op(&[x, y], "m")
    }
    pub fn line_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.op(&[x, y], "l")
    }
    pub fn cubic_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) -> &mut Self {
        self.op(&[x1, y1, x2, y2, x, y], "c")
    }
    pub fn close_path(&mut self) -> &mut Self {
        self.op(&[], "h")
    }
    pub fn fill_nonzero(&mut self) -> &mut Self {
        self.op(&[], "f")
    }
    pub fn save_state(&mut self) -> &mut Self {
        self.op(&[], "q")
    }
    pub fn restore_state(&mut self) -> &mut Self {
        self.op(&[], "Q")
    }
    /// Paints the XObject `name` (a name of plain letters, as this module gives them).
    pub fn x_object(&mut self, name: Name) -> &mut Self {
        self.0.push(b'/');
        self.0.extend_from_slice(name.0);
        self.op(&[], " Do")
    }
}

fn fill(c: &mut Ops, rgb: Rgb) {
    let [r, g, b] = rgb.unit();
    c.set_fill_rgb(r, g, b);
}

/// A rectangle `side` wide at (`x`, `y`) with corners of radius `r` (a circle when r = side / 2).
fn rounded_rect(c: &mut Ops, x: f32, y: f32, side: f32, r: f32) {
    let k = r * KAPPA;
    let (x1, y1) = (x + side, y + side);
    c.move_to(x + r, y);
    c.line_to(x1 - r, y);
    c.cubic_to(x1 - r + k, y, x1, y + r - k, x1, y + r);
    c.line_to(x1, y1 - r);
    c.cubic_to(x1, y1 - r + k, x1 - r + k, y1, x1 - r, y1);
    c.line_to(x + r, y1);
    c.cubic_to(x + r - k, y1, x, y1 - r + k, x, y1 - r);
    c.line_to(x, y + r);
    c.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    c.close_path();
}

/// Glyph outlines as a path (quadratic curves raised to cubic ones).
fn path(c: &mut Ops, segs: &[Seg]) {
    let mut last = (0.0, 0.0);
    for seg in segs {
        match *seg {
            Seg::Move(x, y) => {
                c.move_to(x, y);
                last = (x, y);
            }
            Seg::Line(x, y) => {
                c.line_to(x, y);
                last = (x, y);
            }
            Seg::Quad(x1, y1, x, y) => {
                let (x0, y0) = last;
                c.cubic_to(
                    x0 + 2.0 / 3.0 * (x1 - x0),
                    y0 + 2.0 / 3.0 * (y1 - y0),
                    x + 2.0 / 3.0 * (x1 - x),
                    y + 2.0 / 3.0 * (y1 - y),
                    x,
                    y,
                );
                last = (x, y);
            }
            Seg::Close => {
                c.close_path();
            }
        }
    }
}

/// The logo over the background (PDF images here carry no alpha), zlib-compressed RGB.
fn flatten(logo: &Pixels, bg: Rgb) -> (Vec<u8>, usize, usize) {
    let bg = [bg.0, bg.1, bg.2];
    let rgb: Vec<u8> = logo
        .rgba
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            [0, 1, 2]
                .map(|k| ((u16::from(p[k]) * a + u16::from(bg[k]) * (255 - a) + 127) / 255) as u8)
        })
        .collect();
    (zlib(&rgb), logo.width, logo.height)
}

/// zlib-compressed `data` (miniz_oxide, as the PNG export compresses).
fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers of a content stream, by operator, as written.
    fn parsed(stream: &[u8]) -> Vec<(String, Vec<f64>)> {
        let text = std::str::from_utf8(stream).unwrap();
        let mut ops = Vec::new();
        let mut operands = Vec::new();
        for token in text.split_ascii_whitespace() {
            match token.parse::<f64>() {
                Ok(v) => operands.push(v),
                Err(_) => ops.push((token.to_owned(), std::mem::take(&mut operands))),
            }
        }
        ops
    }

    #[test]
    fn ops_write_what_pdf_writers_content_writes() {
        let values = [
            0.0,
            1.0,
            -1.0,
            0.5,
            85.03937,
            2.298_361,
            -0.552_284_8,
            1e-7,
            123.456_79,
            1e5,
        ];
        let mut ours = Ops::default();
        let mut theirs = pdf_writer::Content::new();
        for w in values.windows(2) {
            let (a, b) = (w[0], w[1]);
            ours.transform([a, 0.0, 0.0, -b, a, b])
                .set_fill_rgb(a, b, 0.0)
                .rect(a, b, b, a);
            theirs
                .transform([a, 0.0, 0.0, -b, a, b])
                .set_fill_rgb(a, b, 0.0)
                .rect(a, b, b, a);
            ours.move_to(a, b)
                .line_to(b, a)
                .cubic_to(a, b, b, a, a, a)
                .close_path();
            theirs
                .move_to(a, b)
                .line_to(b, a)
                .cubic_to(a, b, b, a, a, a)
                .close_path();
            ours.fill_nonzero()
                .save_state()
                .x_object(Name(b"Logo"))
                .restore_state();
            theirs
                .fill_nonzero()
                .save_state()
                .x_object(Name(b"Logo"))
                .restore_state();
        }
        let (ours, theirs) = (parsed(&ours.0), parsed(&theirs.finish()));
        assert_eq!(ours.len(), theirs.len());
        for ((op, a), (op2, b)) in ours.iter().zip(&theirs) {
            assert_eq!((op, a.len()), (op2, b.len()));
            for (x, y) in a.iter().zip(b) {
                assert!(
                    (x - y).abs() <= 0.5e-5 * y.abs().max(1.0),
                    "{op}: {x} vs {y}"
                );
            }
        }
    }
}
