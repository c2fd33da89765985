//! Vector PDF for print (`pdf-writer`): one page exactly the code's printed size, the modules and
//! the frame text as filled paths (no raster, no font program), the logo as the one image.

use pdf_writer::{Content, Filter, Finish as _, Name, Pdf, Rect, Ref, TextStr};

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

    let mut c = Content::new();
    // Module units from here on, y down as in the SVG.
    c.transform([scale, 0.0, 0.0, -scale, 0.0, h]);
    fill(&mut c, style.background);
    c.rect(0.0, 0.0, layout.width as f32, layout.height() as f32)
        .fill_nonzero();
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
    let content = zlib(&c.finish());

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
            .media_box(Rect::new(0.0, 0.0, w, h))
            .contents(contents);
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

fn fill(c: &mut Content, rgb: Rgb) {
    let [r, g, b] = rgb.unit();
    c.set_fill_rgb(r, g, b);
}

/// A rectangle `side` wide at (`x`, `y`) with corners of radius `r` (a circle when r = side / 2).
fn rounded_rect(c: &mut Content, x: f32, y: f32, side: f32, r: f32) {
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
fn path(c: &mut Content, segs: &[Seg]) {
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

/// zlib-compressed `data` (flate2, as the png crate compresses).
fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Into a Vec: writing cannot fail.
    let _ = z.write_all(data);
    z.finish().unwrap_or_default()
}
