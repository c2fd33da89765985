//! fonts/frame-glyphs.bin is made from fonts/DejaVuSans-Bold-subset.ttf by this test (with
//! ttf-parser), so the browser's export module carries glyph outlines and no font parser.
//! `CAMS_WRITE_GLYPHS=1 cargo test -p cams-qr --test font_data` rewrites it; otherwise the test
//! checks the committed file is exactly what the font gives.
//!
//! Format (little-endian): u16 units per em, u16 glyph count, then per glyph: u32 character,
//! u16 advance, u16 op count, ops. An op is a tag byte (0 move, 1 line, 2 quadratic, 3 close)
//! then its points as i16 pairs in half font units (TrueType's implied points are midpoints),
//! each relative to the glyph's previous point (small numbers: a quarter smaller gzipped).

use ttf_parser::{Face, OutlineBuilder};

struct Ops(Vec<u8>, u16, [i32; 2]);

impl Ops {
    fn op(&mut self, tag: u8, points: &[f32]) {
        self.0.push(tag);
        for (i, &p) in points.iter().enumerate() {
            let v = (p * 2.0).round();
            assert!((v - p * 2.0).abs() < 1e-3, "{p}");
            let delta = v as i32 - self.2[i % 2];
            self.2[i % 2] = v as i32;
            self.0
                .extend_from_slice(&i16::try_from(delta).unwrap().to_le_bytes());
        }
        self.1 += 1;
    }
}

impl OutlineBuilder for Ops {
    fn move_to(&mut self, x: f32, y: f32) {
        self.op(0, &[x, y]);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.op(1, &[x, y]);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.op(2, &[x1, y1, x, y]);
    }
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
        panic!("TrueType outlines have no cubic curves");
    }
    fn close(&mut self) {
        self.op(3, &[]);
    }
}

fn glyph_data() -> Vec<u8> {
    let font = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fonts/DejaVuSans-Bold-subset.ttf"
    ))
    .unwrap();
    let face = Face::parse(&font, 0).unwrap();
    let mut chars = Vec::new();
    let cmap = face.tables().cmap.unwrap();
    for sub in cmap.subtables {
        if sub.is_unicode() {
            sub.codepoints(|c| chars.push(c));
        }
    }
    chars.sort_unstable();
    chars.dedup();
    let mut out = Vec::new();
    out.extend_from_slice(&face.units_per_em().to_le_bytes());
    out.extend_from_slice(&(chars.len() as u16).to_le_bytes());
    for c in chars {
        let g = face.glyph_index(char::from_u32(c).unwrap()).unwrap();
        let mut ops = Ops(Vec::new(), 0, [0, 0]);
        face.outline_glyph(g, &mut ops);
        out.extend_from_slice(&c.to_le_bytes());
        out.extend_from_slice(&face.glyph_hor_advance(g).unwrap().to_le_bytes());
        out.extend_from_slice(&ops.1.to_le_bytes());
        out.extend_from_slice(&ops.0);
    }
    out
}

#[test]
fn glyph_file_is_made_from_the_font() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/frame-glyphs.bin");
    let data = glyph_data();
    if std::env::var_os("CAMS_WRITE_GLYPHS").is_some() {
        std::fs::write(path, &data).unwrap();
    }
    assert!(
        std::fs::read(path).unwrap() == data,
        "fonts/frame-glyphs.bin is stale: run with CAMS_WRITE_GLYPHS=1"
    );
}
