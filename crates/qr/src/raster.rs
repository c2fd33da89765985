//! Styled PNG: every module a whole number of pixels (no uneven 6–7 pixel modules), the code
//! centred in exactly `sizePx` pixels, the frame text's band under it, and the DPI in a pHYs
//! chunk so print software sizes it right.

use ab_glyph_rasterizer::{point, Rasterizer};

use crate::colour::Rgb;
use crate::font::{self, Seg};
use crate::layout::{Layout, DOT_RADIUS, ROUNDED_RADIUS};
use crate::logo::Pixels;
use crate::options::{QrOptions, Shape};
use crate::png_file;
use crate::style::Style;
use crate::{QrError, Symbol};

/// Fewest pixels a module: one-pixel modules blur in any print or scaling.
pub const MIN_MODULE_PX: usize = 2;

/// A PNG of the code for `text` styled by `options` (`sizePx` wide, `dpi` recorded).
pub fn render_png(text: &str, options: &QrOptions) -> Result<Vec<u8>, QrError> {
    let style = Style::new(options)?;
    let symbol = Symbol::encode_at(text, style.level)?;
    let layout = Layout::new(&symbol, &style);
    let logo = style.logo.as_ref().map(|l| l.decode()).transpose()?;
    let text = layout.text.as_ref().map(font::outline).transpose()?;
    let size = style.size_px as usize;
    let ppm = size / layout.width;
    if ppm < MIN_MODULE_PX {
        return Err(QrError::invalid(
            "options.sizePx",
            format!(
                "sizePx {size} is too small for this code of {} modules: give at least {} (4 pixels a module, {}, scans best).",
                layout.width,
                layout.width * MIN_MODULE_PX,
                layout.width * 4
            ),
        ));
    }
    // The pixels left over go to the quiet zone, evenly.
    let offset = (size - ppm * layout.width) / 2;
    let band = (layout.band * ppm as f64).round() as usize;
    let mut canvas = Canvas::new(size, size + band, style.background);
    draw_modules(&mut canvas, &layout, ppm, offset, style.foreground);
    if let (Some(logo), Some((x, y, side))) = (&logo, layout.logo_box) {
        let to_px = |v: f64| offset + (v * ppm as f64).round() as usize;
        let side = (side * ppm as f64).round() as usize;
        canvas.draw_logo(logo, to_px(x), to_px(y), side);
    }
    if let Some(segs) = text {
        // The band starts below the code's square (`size` pixels, leftover pixels included):
        // the outlines are in module units, their y from the layout's bottom edge (`width`).
        canvas.fill_outline(
            &segs,
            offset as f32,
            ppm as f32,
            layout.width as f32,
            size,
            style.foreground,
        );
    }
    Ok(canvas.encode(style.dpi))
}

fn draw_modules(canvas: &mut Canvas, layout: &Layout, ppm: usize, offset: usize, fg: Rgb) {
    for (x, y, run) in layout.square_runs() {
        canvas.fill_rect(offset + x * ppm, offset + y * ppm, run * ppm, ppm, fg);
    }
    if layout.shape == Shape::Square {
        return;
    }
    let tile = shape_tile(layout.shape, ppm);
    for (x, y) in layout.shaped() {
        canvas.blend_tile(&tile, ppm, offset + x * ppm, offset + y * ppm, fg);
    }
}

/// Below this many pixels a module, rounded modules and dots are drawn square: three pixels
/// cannot draw a dot, only blur it into grey that scanners misread.
pub const MIN_SHAPED_MODULE_PX: usize = 5;

/// One module's coverage (0..1 a pixel), from 4×4 samples a pixel.
fn shape_tile(shape: Shape, ppm: usize) -> Vec<f32> {
    if ppm < MIN_SHAPED_MODULE_PX {
        return vec![1.0; ppm * ppm];
    }
    let inside = |u: f64, v: f64| match shape {
        Shape::Dots => (u - 0.5).powi(2) + (v - 0.5).powi(2) <= DOT_RADIUS * DOT_RADIUS,
        _ => {
            let r = ROUNDED_RADIUS;
            let dx = (r - u).max(u - (1.0 - r)).max(0.0);
            let dy = (r - v).max(v - (1.0 - r)).max(0.0);
            dx * dx + dy * dy <= r * r
        }
    };
    let mut tile = vec![0.0; ppm * ppm];
    let p = ppm as f64;
    for j in 0..ppm {
        for i in 0..ppm {
            let mut hits = 0;
            for sj in 0..4 {
                for si in 0..4 {
                    let u = (i as f64 + (si as f64 + 0.5) / 4.0) / p;
                    let v = (j as f64 + (sj as f64 + 0.5) / 4.0) / p;
                    hits += usize::from(inside(u, v));
                }
            }
            tile[j * ppm + i] = hits as f32 / 16.0;
        }
    }
    tile
}

/// An RGB image being drawn.
struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

fn mix(a: u8, b: u8, t: f32) -> u8 {
    (f32::from(a) + (f32::from(b) - f32::from(a)) * t.clamp(0.0, 1.0)).round() as u8
}

impl Canvas {
    fn new(width: usize, height: usize, bg: Rgb) -> Canvas {
        let rgb = [bg.0, bg.1, bg.2].repeat(width * height);
        Canvas { width, height, rgb }
    }

    fn blend(&mut self, x: usize, y: usize, c: [u8; 3], t: f32) {
        if x >= self.width || y >= self.height || t <= 0.0 {
            return;
        }
        let i = (y * self.width + x) * 3;
        for (channel, &target) in self.rgb[i..i + 3].iter_mut().zip(&c) {
            *channel = mix(*channel, target, t);
        }
    }

    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, c: Rgb) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let i = (yy * self.width + xx) * 3;
                self.rgb[i..i + 3].copy_from_slice(&[c.0, c.1, c.2]);
            }
        }
    }

    fn blend_tile(&mut self, tile: &[f32], ppm: usize, x: usize, y: usize, c: Rgb) {
        for j in 0..ppm {
            for i in 0..ppm {
                self.blend(x + i, y + j, [c.0, c.1, c.2], tile[j * ppm + i]);
            }
        }
    }

    /// The logo fitted in a `side`-pixel square at (`x`, `y`), its aspect kept, each target
    /// pixel the average of the source pixels it covers, composited over what is there.
    fn draw_logo(&mut self, logo: &Pixels, x: usize, y: usize, side: usize) {
        let (sw, sh) = (logo.width as f64, logo.height as f64);
        let fit = side as f64 / sw.max(sh);
        let (dw, dh) = (
            (sw * fit).round().max(1.0) as usize,
            (sh * fit).round().max(1.0) as usize,
        );
        let (x, y) = (x + (side - dw.min(side)) / 2, y + (side - dh.min(side)) / 2);
        for j in 0..dh {
            let (y0, y1) = span(j, dh, logo.height);
            for i in 0..dw {
                let (x0, x1) = span(i, dw, logo.width);
                let mut sum = [0f64; 4];
                for sy in y0..y1 {
                    for sx in x0..x1 {
                        let p = &logo.rgba[(sy * logo.width + sx) * 4..][..4];
                        let a = f64::from(p[3]) / 255.0;
                        for k in 0..3 {
                            sum[k] += f64::from(p[k]) * a;
                        }
                        sum[3] += a;
                    }
                }
                let count = ((y1 - y0) * (x1 - x0)) as f64;
                if sum[3] <= 0.0 {
                    continue;
                }
                let c = [0, 1, 2].map(|k| (sum[k] / sum[3]).round().clamp(0.0, 255.0) as u8);
                self.blend(x + i, y + j, c, (sum[3] / count) as f32);
            }
        }
    }

    /// Fills outlines given in module units in the band from row `top` down: x at pixel
    /// `offset + x × scale`, y at `top + (y - bottom) × scale` (module row `bottom` on row `top`).
    fn fill_outline(
        &mut self,
        segs: &[Seg],
        offset: f32,
        scale: f32,
        bottom: f32,
        top: usize,
        c: Rgb,
    ) {
        let band = self.height - top;
        if band == 0 {
            return;
        }
        let mut r = Rasterizer::new(self.width, band);
        let p = |x: f32, y: f32| point(offset + x * scale, (y - bottom) * scale);
        let (mut start, mut last) = (point(0.0, 0.0), point(0.0, 0.0));
        for seg in segs {
            match *seg {
                Seg::Move(x, y) => {
                    if last != start {
                        r.draw_line(last, start);
                    }
                    start = p(x, y);
                    last = start;
                }
                Seg::Line(x, y) => {
                    let q = p(x, y);
                    r.draw_line(last, q);
                    last = q;
                }
                Seg::Quad(x1, y1, x, y) => {
                    let q = p(x, y);
                    r.draw_quad(last, p(x1, y1), q);
                    last = q;
                }
                Seg::Close => {
                    if last != start {
                        r.draw_line(last, start);
                    }
                    last = start;
                }
            }
        }
        let width = self.width;
        let mut coverage = vec![0f32; width * band];
        r.for_each_pixel(|i, a| coverage[i] = a);
        for (i, a) in coverage.into_iter().enumerate() {
            self.blend(i % width, top + i / width, [c.0, c.1, c.2], a);
        }
    }

    fn encode(self, dpi: u32) -> Vec<u8> {
        png_file::encode(
            self.width,
            self.height,
            png_file::Colour::Rgb,
            &self.rgb,
            Some(dpi),
        )
    }
}

/// Source pixels [start, end) under target pixel `i` of `n`, from `len` source pixels.
fn span(i: usize, n: usize, len: usize) -> (usize, usize) {
    let start = i * len / n;
    let end = ((i + 1) * len).div_ceil(n).max(start + 1).min(len);
    (start.min(len - 1), end)
}
