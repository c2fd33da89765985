//! Every symbol and every PNG decodes back to its text with an independent decoder (rqrr).

use cams_qr::{png, Symbol, QUIET_ZONE};

/// Decodes a greyscale bitmap holding one QR code.
fn decode_bitmap(side: usize, dark: impl Fn(usize, usize) -> bool) -> String {
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(side, side, dark);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodable").1
}

/// The symbol drawn at 4 pixels per module with its quiet zone.
fn decode_symbol(symbol: &Symbol) -> String {
    let scale = 4;
    decode_bitmap(symbol.side_with_quiet_zone() * scale, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        mx >= QUIET_ZONE && my >= QUIET_ZONE && symbol.dark(mx - QUIET_ZONE, my - QUIET_ZONE)
    })
}

fn decode_png(bytes: &[u8]) -> String {
    let mut reader = ::png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.width, info.height);
    let side = info.width as usize;
    decode_bitmap(side, |x, y| buf[y * side + x] < 128)
}

fn texts() -> Vec<String> {
    vec![
        "https://wa.me/message/ABCDEFGHIJKL1".to_owned(),
        format!("https://wa.me/message/{}", "A".repeat(200)),
        "Bonjour, je voudrais réserver une table 🍽️ pour deux".to_owned(),
        "你好，我想预订两个人的桌子".to_owned(),
        "x".to_owned(),
        "0123456789".repeat(300),
        "y".repeat(2331),
    ]
}

#[test]
fn symbols_decode_to_their_text() {
    for t in texts() {
        let symbol = Symbol::encode(&t).unwrap();
        assert_eq!((symbol.size - 17) % 4, 0, "a version's size");
        assert_eq!(decode_symbol(&symbol), t);
    }
}

#[test]
fn pngs_decode_to_their_text() {
    for t in texts().into_iter().take(4) {
        let symbol = Symbol::encode(&t).unwrap();
        for scale in [2, 8] {
            let bytes = png(&symbol, scale);
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(decode_png(&bytes), t, "scale {scale}");
        }
    }
}

#[test]
fn too_long_and_empty_are_errors_not_panics() {
    assert!(Symbol::encode(&"y".repeat(2332)).is_err());
    assert!(Symbol::encode(&"\u{1F600}".repeat(1000)).is_err());
    assert!(Symbol::encode("").is_err());
}
