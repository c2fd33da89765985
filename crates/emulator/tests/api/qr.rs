//! The QR images behind `QrImageUrl`: real QR codes of the deep link, decoded back here.

use axum::http::header;

use crate::harness::{Harness, BASE};

/// Decodes the one QR code in a greyscale or black-and-white picture.
fn decode(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> String {
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(width, height, dark);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "expected one QR code");
    grids[0].decode().expect("decodable QR").1
}

fn path_of(url: &str) -> String {
    url.strip_prefix(BASE.trim_end_matches('/'))
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn png_image_is_a_qr_of_the_deep_link() {
    let h = Harness::new();
    let data = h.create("png please", "PNG").await;
    let r = h
        .get_path(&path_of(data["QrImageUrl"].as_str().unwrap()))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(&r.bytes[..8], b"\x89PNG\r\n\x1a\n");

    let mut decoder = png::Decoder::new(std::io::Cursor::new(r.bytes.clone()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    let (w, h_px) = (frame.width as usize, frame.height as usize);
    let text = decode(w, h_px, |x, y| buf[y * frame.line_size + x] < 128);
    assert_eq!(text, data["DeepLinkUrl"].as_str().unwrap());
}

#[tokio::test]
async fn svg_image_is_a_qr_of_the_deep_link() {
    let h = Harness::new();
    let data = h.create("svg please", "SVG").await;
    let url = data["QrImageUrl"].as_str().unwrap();
    assert!(url.ends_with(".svg"));
    let r = h.get_path(&path_of(url)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/svg+xml");
    let svg = String::from_utf8(r.bytes).unwrap();
    assert!(svg.contains("<svg"));

    // Rasterise the path's rectangles ("M{x} {y}h{w}v{h}H{x}V{y}") and decode them.
    let attr = |name: &str| -> usize {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    let (width, height) = (attr("width"), attr("height"));
    let d_start = svg.find(" d=\"").unwrap() + 4;
    let d = svg[d_start..].split('"').next().unwrap();
    let mut dark = vec![false; width * height];
    for rect in d.split('M').filter(|s| !s.is_empty()) {
        let nums: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let (x, y, w, hh) = (nums[0], nums[1], nums[2], nums[3]);
        for yy in y..y + hh {
            for xx in x..x + w {
                dark[yy * width + xx] = true;
            }
        }
    }
    let text = decode(width, height, |x, y| dark[y * width + x]);
    assert_eq!(text, data["DeepLinkUrl"].as_str().unwrap());
}

#[tokio::test]
async fn unknown_or_deleted_codes_have_no_image() {
    let h = Harness::new();
    let data = h.create("short-lived", "PNG").await;
    let code = data["QrdlCode"].as_str().unwrap();
    assert_eq!(h.get_path(&format!("/qr/{code}.svg")).await.status, 200);
    assert_eq!(h.get_path(&format!("/qr/{code}.gif")).await.status, 404);
    assert_eq!(h.get_path(&format!("/qr/{code}")).await.status, 404);
    assert_eq!(h.get_path("/qr/NOSUCHCD.png").await.status, 404);
    h.call(
        "DeletePhoneMessageQrdl",
        &[("PhoneNumber", crate::harness::PHONE), ("QrdlCode", code)],
    )
    .await
    .assert_ok();
    assert_eq!(h.get_path(&format!("/qr/{code}.png")).await.status, 404);
}
