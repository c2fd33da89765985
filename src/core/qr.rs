//! QR codes (ISO/IEC 18004) for local rendering of a deep link: byte mode, error correction
//! level M, the smallest version (1 to 40) that fits, and the mask with the lowest penalty.
//!
//! Hand-written because only this one case is needed: the general `qrcode` crate cost the wasm
//! module about 20 KB gzipped, this about 4.5 KB. The construction follows the standard and
//! Project Nayuki's reference implementation; the tests decode every version with `rqrr`.

use crate::core::error::CamsError;
use crate::core::text::{decimal, push_decimal};
use alloc::{string::String, vec, vec::Vec};

/// The most bytes a code holds at level M (version 40).
pub const MAX_BYTES: usize = 2331;

/// Error-correction codewords per block at level M, by version (index 0 is version 1).
const ECC_PER_BLOCK: [u8; 40] = [
    10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];

/// Error-correction blocks at level M, by version.
const BLOCKS: [u8; 40] = [
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25,
    26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/// A square of dark (true) and light modules, without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrCode {
    pub version: usize,
    pub size: usize,
    pub mask: u8,
    modules: Vec<bool>,
}

impl QrCode {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.size + x]
    }
}

/// Data modules of a version: everything but the function patterns (Nayuki's formula).
fn raw_data_modules(ver: usize) -> usize {
    let mut n = (16 * ver + 128) * ver + 64;
    if ver >= 2 {
        let align = ver / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if ver >= 7 {
            n -= 36;
        }
    }
    n
}

fn data_codewords(ver: usize) -> usize {
    raw_data_modules(ver) / 8 - usize::from(ECC_PER_BLOCK[ver - 1]) * usize::from(BLOCKS[ver - 1])
}

/// Bits of the character count in byte mode.
fn count_bits(ver: usize) -> usize {
    if ver < 10 {
        8
    } else {
        16
    }
}

/// The most bytes version `ver` (1 to 40) holds at level M.
pub fn capacity(ver: usize) -> usize {
    (data_codewords(ver) * 8 - 4 - count_bits(ver)) / 8
}

/// Encodes `data` in byte mode at level M; `None` when it is longer than [`MAX_BYTES`].
pub fn encode(data: &[u8]) -> Option<QrCode> {
    let ver = (1..=40).find(|&ver| data.len() <= capacity(ver))?;
    let count_bits = count_bits(ver);

    // Mode, length, bytes, terminator and padding.
    let capacity = data_codewords(ver);
    let mut bits = BitBuffer::default();
    bits.push(0b0100, 4);
    bits.push(data.len() as u32, count_bits);
    for &b in data {
        bits.push(u32::from(b), 8);
    }
    let room = capacity * 8 - bits.len;
    bits.push(0, room.min(4));
    bits.push(0, (8 - bits.len % 8) % 8);
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bits.bytes.len() >= capacity {
            break;
        }
        bits.push(pad, 8);
    }

    let codewords = add_ecc_and_interleave(ver, &bits.bytes);
    let mut code = Canvas::new(ver);
    code.draw_function_patterns();
    code.draw_codewords(&codewords);

    // The mask with the lowest penalty (the lowest number among equals).
    let mut best = (u32::MAX, 0u8);
    for mask in 0..8 {
        code.apply_mask(mask);
        code.draw_format_bits(mask);
        let penalty = code.penalty();
        if penalty < best.0 {
            best = (penalty, mask);
        }
        code.apply_mask(mask); // XOR again undoes it
    }
    code.apply_mask(best.1);
    code.draw_format_bits(best.1);
    Some(QrCode {
        version: ver,
        size: code.size,
        mask: best.1,
        modules: code.modules,
    })
}

#[derive(Default)]
struct BitBuffer {
    bytes: Vec<u8>,
    len: usize,
}

impl BitBuffer {
    /// Appends the low `n` bits of `value`, most significant first.
    fn push(&mut self, value: u32, n: usize) {
        for i in (0..n).rev() {
            if self.len % 8 == 0 {
                self.bytes.push(0);
            }
            if value >> i & 1 != 0 {
                if let Some(last) = self.bytes.last_mut() {
                    *last |= 0x80 >> (self.len % 8);
                }
            }
            self.len += 1;
        }
    }
}

/// Splits the data into blocks, appends each block's Reed-Solomon codewords, and interleaves.
fn add_ecc_and_interleave(ver: usize, data: &[u8]) -> Vec<u8> {
    let blocks = usize::from(BLOCKS[ver - 1]);
    let ecc_len = usize::from(ECC_PER_BLOCK[ver - 1]);
    let raw = raw_data_modules(ver) / 8;
    let short_blocks = blocks - raw % blocks;
    let short_len = raw / blocks; // data + ecc of a short block
    let divisor = rs_divisor(ecc_len);

    let mut split: Vec<Vec<u8>> = Vec::with_capacity(blocks);
    let mut k = 0;
    for i in 0..blocks {
        let n = short_len - ecc_len + usize::from(i >= short_blocks);
        let mut block = data.get(k..k + n).unwrap_or_default().to_vec();
        k += n;
        let ecc = rs_remainder(&block, &divisor);
        if i < short_blocks {
            block.push(0); // a placeholder so every block has the same length; skipped below
        }
        block.extend_from_slice(&ecc);
        split.push(block);
    }
    let mut out = Vec::with_capacity(raw);
    for i in 0..=short_len {
        for (j, block) in split.iter().enumerate() {
            if i != short_len - ecc_len || j >= short_blocks {
                out.push(block[i]);
            }
        }
    }
    out
}

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u8 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x1D);
        z ^= (y >> i & 1) * x;
    }
    z
}

/// The generator polynomial of degree `degree` (leading 1 omitted).
fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    if let Some(last) = result.last_mut() {
        *last = 1;
    }
    let mut root: u8 = 1;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_mul(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    result
}

fn rs_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for &b in data {
        let factor = b ^ result[0];
        result.remove(0);
        result.push(0);
        for (r, &d) in result.iter_mut().zip(divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    result
}

struct Canvas {
    ver: usize,
    size: usize,
    modules: Vec<bool>,
    /// Function modules: never masked, never hold data.
    reserved: Vec<bool>,
}

impl Canvas {
    fn new(ver: usize) -> Self {
        let size = ver * 4 + 17;
        Canvas {
            ver,
            size,
            modules: vec![false; size * size],
            reserved: vec![false; size * size],
        }
    }

    fn set(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.modules[i] = dark;
        self.reserved[i] = true;
    }

    fn alignment_positions(&self) -> Vec<usize> {
        if self.ver == 1 {
            return Vec::new();
        }
        let count = self.ver / 7 + 2;
        let step = (self.ver * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
        let mut out: Vec<usize> = (0..count - 1).map(|i| self.size - 7 - i * step).collect();
        out.push(6);
        out.reverse();
        out
    }

    fn draw_function_patterns(&mut self) {
        let size = self.size;
        // Timing patterns.
        for i in 0..size {
            self.set(6, i, i % 2 == 0);
            self.set(i, 6, i % 2 == 0);
        }
        // Finder patterns with their separators.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4i32..=4 {
                for dx in -4i32..=4 {
                    let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                    if (0..size as i32).contains(&x) && (0..size as i32).contains(&y) {
                        let dist = dx.abs().max(dy.abs());
                        self.set(x as usize, y as usize, dist != 2 && dist != 4);
                    }
                }
            }
        }
        // Alignment patterns, except where they would overlap a finder.
        let pos = self.alignment_positions();
        let last = pos.len().saturating_sub(1);
        for (i, &cx) in pos.iter().enumerate() {
            for (j, &cy) in pos.iter().enumerate() {
                // The three corners a finder pattern occupies.
                let corner = (i == 0 || i == last) && (j == 0 || j == last);
                if corner && !(i == last && j == last) {
                    continue;
                }
                for dy in -2i32..=2 {
                    for dx in -2i32..=2 {
                        let dark = dx.abs().max(dy.abs()) != 1;
                        self.set((cx as i32 + dx) as usize, (cy as i32 + dy) as usize, dark);
                    }
                }
            }
        }
        // Format bits are reserved now and drawn with the mask.
        self.draw_format_bits(0);
        // Version information (version 7 and up): BCH(18, 6).
        if self.ver >= 7 {
            let mut rem = self.ver as u32;
            for _ in 0..12 {
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
            }
            let bits = (self.ver as u32) << 12 | rem;
            for i in 0..18 {
                let dark = bits >> i & 1 != 0;
                let (a, b) = (size - 11 + i % 3, i / 3);
                self.set(a, b, dark);
                self.set(b, a, dark);
            }
        }
    }

    /// The two copies of the 15 format bits: level M (00) and the mask, BCH(15, 5), XOR 0x5412.
    fn draw_format_bits(&mut self, mask: u8) {
        let data = u32::from(mask); // level M's two bits are 00
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = (data << 10 | rem) ^ 0x5412;
        let bit = |i: usize| bits >> i & 1 != 0;
        let size = self.size;
        for i in 0..=5 {
            self.set(8, i, bit(i));
        }
        self.set(8, 7, bit(6));
        self.set(8, 8, bit(7));
        self.set(7, 8, bit(8));
        for i in 9..15 {
            self.set(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set(size - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set(8, size - 15 + i, bit(i));
        }
        self.set(8, size - 8, true); // the dark module
    }

    /// Places the codewords in the two-column zigzag, right to left, skipping function modules.
    fn draw_codewords(&mut self, data: &[u8]) {
        let size = self.size;
        let mut i = 0;
        let mut right = size - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            for vert in 0..size {
                for j in 0..2 {
                    let x = right - j;
                    let upward = (right + 1) & 2 == 0;
                    let y = if upward { size - 1 - vert } else { vert };
                    let at = y * size + x;
                    if !self.reserved[at] && i < data.len() * 8 {
                        self.modules[at] = data[i >> 3] >> (7 - (i & 7)) & 1 != 0;
                        i += 1;
                    }
                    // Remainder bits stay light.
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    /// XORs the data modules with mask pattern `mask` (applying it twice undoes it).
    fn apply_mask(&mut self, mask: u8) {
        let size = self.size;
        for y in 0..size {
            for x in 0..size {
                let flip = match mask {
                    0 => (x + y) % 2 == 0,
                    1 => y % 2 == 0,
                    2 => x % 3 == 0,
                    3 => (x + y) % 3 == 0,
                    4 => (x / 3 + y / 2) % 2 == 0,
                    5 => x * y % 2 + x * y % 3 == 0,
                    6 => (x * y % 2 + x * y % 3) % 2 == 0,
                    _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
                };
                let at = y * size + x;
                if flip && !self.reserved[at] {
                    self.modules[at] ^= true;
                }
            }
        }
    }

    /// The standard's penalty score (rules N1 to N4).
    fn penalty(&self) -> u32 {
        let size = self.size;
        let mut score = 0u32;
        // N1 and N3, along rows (t = false) and columns (t = true).
        for t in [false, true] {
            for a in 0..size {
                let at = |b: usize| {
                    if t {
                        self.modules[b * size + a]
                    } else {
                        self.modules[a * size + b]
                    }
                };
                let mut run_color = false;
                let mut run = 0usize;
                let mut history = [0usize; 7];
                for b in 0..size {
                    if at(b) == run_color {
                        run += 1;
                        if run == 5 {
                            score += 3;
                        } else if run > 5 {
                            score += 1;
                        }
                    } else {
                        push_run(&mut history, run, size);
                        if !run_color {
                            score += finder_like(&history) * 40;
                        }
                        run_color = at(b);
                        run = 1;
                    }
                }
                // The end of the line: close the run, then the light border.
                if run_color {
                    push_run(&mut history, run, size);
                    run = 0;
                }
                run += size;
                push_run(&mut history, run, size);
                score += finder_like(&history) * 40;
            }
        }
        // N2: 2x2 blocks of one color.
        for y in 0..size - 1 {
            for x in 0..size - 1 {
                let c = self.modules[y * size + x];
                if c == self.modules[y * size + x + 1]
                    && c == self.modules[(y + 1) * size + x]
                    && c == self.modules[(y + 1) * size + x + 1]
                {
                    score += 3;
                }
            }
        }
        // N4: how far the share of dark modules is from half, in steps of 5%.
        let dark = self.modules.iter().filter(|&&d| d).count() as i64;
        let total = (size * size) as i64;
        let k = ((dark * 20 - total * 10).abs() + total - 1) / total - 1;
        (i64::from(score) + k * 10) as u32
    }
}

/// Records a finished run; the first run of a line counts the light border before it.
fn push_run(history: &mut [usize; 7], mut run: usize, size: usize) {
    if history[0] == 0 {
        run += size;
    }
    history.copy_within(0..6, 1);
    history[0] = run;
}

/// How many 1:1:3:1:1 finder-like patterns (with 4 light modules on a side) end here: 0 to 2.
fn finder_like(h: &[usize; 7]) -> u32 {
    let n = h[1];
    let core = n > 0 && h[2] == n && h[3] == n * 3 && h[4] == n && h[5] == n;
    u32::from(core && h[0] >= n * 4 && h[6] >= n) + u32::from(core && h[6] >= n * 4 && h[0] >= n)
}

/// An SVG of the code for `text`, with a 4-module quiet zone, at least 256 pixels wide, ready
/// for `innerHTML` or an `<img>` (no XML declaration). Empty or too long text is an
/// `InvalidParameter` on field `text`.
pub fn render_svg(text: &str) -> Result<String, CamsError> {
    if text.is_empty() {
        return Err(CamsError::invalid_parameter(
            "text",
            "Give the text to encode, such as the deep link URL.",
        ));
    }
    let code = encode(text.as_bytes()).ok_or_else(|| {
        CamsError::invalid_parameter(
            "text",
            [
                "The text is ",
                &decimal(text.len() as u64),
                " bytes, too long for a QR code at error-correction level M (at most ",
                &decimal(MAX_BYTES as u64),
                " bytes).",
            ]
            .concat(),
        )
    })?;
    Ok(svg(&code))
}

/// The SVG markup: one path of horizontal runs of dark modules, in module units.
pub fn svg(code: &QrCode) -> String {
    let n = code.size + 8;
    let px = n * 256_usize.div_ceil(n);
    let (px, n) = (decimal(px as u64), decimal(n as u64));
    let mut out = [
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width=""#,
        &px,
        r#"" height=""#,
        &px,
        r#"" viewBox="0 0 "#,
        &n,
        " ",
        &n,
        r#"" shape-rendering="crispEdges"><rect width=""#,
        &n,
        r#"" height=""#,
        &n,
        r##"" fill="#fff"/><path fill="#000" d=""##,
    ]
    .concat();
    for y in 0..code.size {
        let mut x = 0;
        while x < code.size {
            if !code.dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < code.size && code.dark(x, y) {
                x += 1;
            }
            let run = x - start;
            let run = run as u64;
            out.push('M');
            push_decimal(&mut out, (start + 4) as u64);
            out.push(' ');
            push_decimal(&mut out, (y + 4) as u64);
            out.push('h');
            push_decimal(&mut out, run);
            out.push_str("v1h-");
            push_decimal(&mut out, run);
            out.push('z');
        }
    }
    out.push_str(r#""/></svg>"#);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_match_the_standard() {
        // Byte-mode capacities at level M from ISO/IEC 18004 table 7.
        for (ver, bytes) in [
            (1, 14),
            (2, 26),
            (3, 42),
            (4, 62),
            (5, 84),
            (6, 106),
            (7, 122),
            (8, 152),
            (9, 180),
            (10, 213),
            (40, 2331),
        ] {
            assert_eq!(
                encode(&vec![b'a'; bytes]).unwrap().version,
                ver,
                "{bytes} bytes"
            );
            if ver < 40 {
                assert_eq!(encode(&vec![b'a'; bytes + 1]).unwrap().version, ver + 1);
            }
        }
        assert!(encode(&[b'a'; MAX_BYTES + 1]).is_none());
        assert_eq!(encode(b"").unwrap().version, 1);
    }

    #[test]
    fn reed_solomon_matches_a_known_block() {
        // The "01234567" example of ISO/IEC 18004 annex I (version 1-M).
        let data = [
            16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17,
        ];
        assert_eq!(
            rs_remainder(&data, &rs_divisor(10)),
            [165, 36, 212, 193, 237, 54, 199, 135, 44, 85]
        );
    }

    #[test]
    fn svg_is_markup_for_an_img_or_inner_html() {
        let svg = render_svg("https://wa.me/message/ABCDEFGHIJKL1").unwrap();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"viewBox="0 0 37 37""#), "{svg}"); // version 3 + quiet zone
        assert!(svg.contains(r#"width="259""#));
        assert_eq!(render_svg("").unwrap_err().field.as_deref(), Some("text"));
        let e = render_svg(&"x".repeat(3000)).unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        assert!(e.message.contains("3000 bytes"), "{}", e.message);
    }
}
