//! The core's QR encoder against a decoder (rqrr) and the `qrcode` crate, natively: every
//! version, long and short texts, every byte value.

#![cfg(not(target_arch = "wasm32"))]

use cams_qrdl::core::qr::{capacity, encode, QrCode, MAX_BYTES};

/// Decodes the symbol drawn at 4 pixels per module with a 4-module quiet zone.
fn decode(code: &QrCode) -> Vec<u8> {
    let scale = 4;
    let side = (code.size + 8) * scale;
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        (4..code.size + 4).contains(&mx)
            && (4..code.size + 4).contains(&my)
            && code.dark(mx - 4, my - 4)
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code (version {})", code.version);
    let mut out = Vec::new();
    grids[0].decode_to(&mut out).expect("decodable");
    out
}

/// The `qrcode` crate's symbol for the same bytes, version, level, byte mode and mask.
fn reference(data: &[u8], version: usize, mask: u8) -> Vec<bool> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let v = qrcode::Version::Normal(version as i16);
    let mut bits = qrcode::bits::Bits::new(v);
    bits.push_byte_data(data).unwrap();
    bits.push_terminator(qrcode::EcLevel::M).unwrap();
    let (data, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), v, qrcode::EcLevel::M).unwrap();
    let mut canvas = Canvas::new(v, qrcode::EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    canvas.apply_mask(match mask {
        0 => MaskPattern::Checkerboard,
        1 => MaskPattern::HorizontalLines,
        2 => MaskPattern::VerticalLines,
        3 => MaskPattern::DiagonalLines,
        4 => MaskPattern::LargeCheckerboard,
        5 => MaskPattern::Fields,
        6 => MaskPattern::Diamonds,
        _ => MaskPattern::Meadow,
    });
    canvas
        .into_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect()
}

fn text(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i * 31 + seed * 7 + i / 3) as u8)
        .collect()
}

#[test]
fn every_version_decodes_to_the_same_bytes() {
    // Each version filled to capacity.
    for version in 1..=40 {
        let n = capacity(version);
        let data = text(n, version);
        let code = encode(&data).unwrap();
        assert_eq!(code.version, version, "{n} bytes");
        assert_eq!(code.size, version * 4 + 17);
        assert_eq!(decode(&code), data, "{n} bytes, version {version}");
    }
    assert_eq!(capacity(40), MAX_BYTES);
}

#[test]
fn deep_links_and_utf8_decode() {
    for t in [
        "https://wa.me/message/ABCDEFGHIJKL1".to_owned(),
        format!("https://wa.me/message/{}", "A".repeat(200)),
        "Bonjour, je voudrais réserver une table 🍽️ pour deux".to_owned(),
        "x".to_owned(),
    ] {
        let code = encode(t.as_bytes()).unwrap();
        assert_eq!(decode(&code), t.as_bytes());
    }
}

#[test]
fn symbols_match_the_qrcode_crate_with_the_same_mask() {
    for (i, len) in [1usize, 13, 14, 20, 42, 100, 180, 213, 400, 1000, 2331]
        .into_iter()
        .enumerate()
    {
        let data = text(len, i);
        let mine = encode(&data).unwrap();
        let mine_vec: Vec<bool> = (0..mine.size * mine.size)
            .map(|k| mine.dark(k % mine.size, k / mine.size))
            .collect();
        assert!(
            reference(&data, mine.version, mine.mask) == mine_vec,
            "{len} bytes, version {}, mask {}",
            mine.version,
            mine.mask
        );
    }
}

#[test]
fn too_long_is_none() {
    assert!(encode(&vec![0u8; MAX_BYTES + 1]).is_none());
}
