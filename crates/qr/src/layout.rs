//! Where everything goes, in module units, shared by the SVG, PNG and PDF renderers so the three
//! draw the same picture: the symbol inside its quiet zone, the modules a logo clears, the logo's
//! box and the frame text's band under the code.

use crate::options::Shape;
use crate::style::Style;
use crate::Symbol;

/// Radius of a "rounded" module's corners and of a "dots" module, in modules.
pub const ROUNDED_RADIUS: f64 = 0.3;
pub const DOT_RADIUS: f64 = 0.45;
/// Logo inset inside the cleared square, in modules, so it does not touch the nearest modules.
const LOGO_INSET: f64 = 0.3;

/// The frame text's place: centred on `centre_x`, its baseline at `baseline`, `size` the em size
/// (all in modules); `max_width` is what it may take at most.
#[derive(Clone, Debug)]
pub struct FrameText {
    pub text: String,
    pub size: f64,
    pub centre_x: f64,
    pub baseline: f64,
    /// Read by the exports' font (the SVG leaves fitting to the viewer's font).
    #[cfg_attr(not(feature = "export"), allow(dead_code))]
    pub max_width: f64,
}

pub struct Layout {
    /// The symbol's side, in modules.
    pub n: usize,
    pub margin: usize,
    /// Side of the code with its quiet zone.
    pub width: usize,
    /// The frame text's band under the code (0 without one).
    pub band: f64,
    pub shape: Shape,
    dark: Vec<bool>,
    functional: Vec<bool>,
    /// The logo's box: left, top and side, in modules from the image's top left.
    pub logo_box: Option<(f64, f64, f64)>,
    pub text: Option<FrameText>,
}

impl Layout {
    pub fn new(symbol: &Symbol, style: &Style) -> Layout {
        let n = symbol.size;
        let margin = style.margin;
        let width = n + 2 * margin;
        let mut dark: Vec<bool> = (0..n * n).map(|i| symbol.dark(i % n, i / n)).collect();
        let functional = (0..n * n)
            .map(|i| symbol.functional(i % n, i / n))
            .collect();
        let logo_box = style.logo.as_ref().map(|_| {
            // The cleared square: whole modules, centred on the grid (same parity as n), its
            // side at most logo_size of the symbol's.
            let mut k = ((style.logo_size * n as f64).floor() as usize).max(3);
            if (n - k) % 2 == 1 {
                k -= 1;
            }
            let start = (n - k) / 2;
            for y in start..start + k {
                for x in start..start + k {
                    dark[y * n + x] = false;
                }
            }
            let at = (margin + start) as f64 + LOGO_INSET;
            (at, at, k as f64 - 2.0 * LOGO_INSET)
        });
        let text = style.frame_text.as_ref().map(|t| {
            let w = width as f64;
            let chars = t.chars().count().max(1) as f64;
            // DejaVu Sans Bold averages about 0.7 em a character.
            let size = (0.09 * w).min(0.88 * w / (0.7 * chars));
            FrameText {
                text: t.clone(),
                size,
                centre_x: w / 2.0,
                baseline: w + 1.05 * size,
                max_width: 0.92 * w,
            }
        });
        let band = text.as_ref().map_or(0.0, |t| 1.45 * t.size);
        Layout {
            n,
            margin,
            width,
            band,
            shape: style.shape,
            dark,
            functional,
            logo_box,
            text,
        }
    }

    /// The image's height in modules.
    pub fn height(&self) -> f64 {
        self.width as f64 + self.band
    }

    /// Whether symbol module (`x`, `y`) is drawn dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.n && y < self.n && self.dark[y * self.n + x]
    }

    /// Whether (`x`, `y`) is drawn as a plain square: every module in the square shape, and the
    /// function patterns (finders, timing, alignment) in every shape, since scanners find and
    /// sample the code by them.
    pub fn square(&self, x: usize, y: usize) -> bool {
        self.shape == Shape::Square || self.functional[y * self.n + x]
    }

    /// Horizontal runs of dark square modules: (left, top, length) in modules from the image's
    /// top left.
    pub fn square_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.n {
            let mut x = 0;
            while x < self.n {
                if !(self.dark(x, y) && self.square(x, y)) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.n && self.dark(x, y) && self.square(x, y) {
                    x += 1;
                }
                runs.push((start + self.margin, y + self.margin, x - start));
            }
        }
        runs
    }

    /// Dark modules drawn in the module shape (not squares): their top-left corners.
    pub fn shaped(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for y in 0..self.n {
            for x in 0..self.n {
                if self.dark(x, y) && !self.square(x, y) {
                    out.push((x + self.margin, y + self.margin));
                }
            }
        }
        out
    }
}
