//! Every styled PNG decodes back to its exact deep link with an independent decoder (rqrr):
//! each level, margin, colour pair, logo, frame text and module shape, and sizes 128 to 4096
//! pixels. And every guard refuses with a message naming the option.

use cams_qr::{render_png, render_svg_with, Level, Logo, QrOptions, Shape};

const LINK: &str = "https://wa.me/message/ABCDEFGHIJKL1";

/// RGB or grey PNG pixels as luminance (0..255), with the image's size.
fn luminance(bytes: &[u8]) -> (usize, usize, Vec<u8>, Option<png::PixelDimensions>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let dims = reader.info().pixel_dims;
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let lum = buf
        .chunks_exact(channels)
        .map(|p| {
            if channels >= 3 {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            } else {
                p[0]
            }
        })
        .collect();
    (info.width as usize, info.height as usize, lum, dims)
}

/// Decodes the one QR code in a luminance image (`inverted`: light modules on dark).
fn decode(w: usize, h: usize, lum: &[u8], inverted: bool) -> Result<String, String> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let v = lum[y * w + x];
        if inverted {
            255 - v
        } else {
            v
        }
    });
    let grids = img.detect_grids();
    let grid = grids.first().ok_or("no QR code found")?;
    grid.decode()
        .map(|(_, text)| text)
        .map_err(|e| format!("{e:?}"))
}

/// A 96-pixel PNG logo: a dark-blue disc with a white "stripe", on transparency.
fn logo_png() -> Vec<u8> {
    let side = 96u32;
    let mut rgba = Vec::new();
    for y in 0..side {
        for x in 0..side {
            let (dx, dy) = (x as f32 - 47.5, y as f32 - 47.5);
            let inside = dx * dx + dy * dy < 46.0 * 46.0;
            let stripe = (40..56).contains(&y);
            rgba.extend_from_slice(&match (inside, stripe) {
                (false, _) => [0, 0, 0, 0],
                (true, true) => [255, 255, 255, 255],
                (true, false) => [20, 60, 160, 255],
            });
        }
    }
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, side, side);
    e.set_color(png::ColorType::Rgba);
    e.set_depth(png::BitDepth::Eight);
    let mut w = e.write_header().unwrap();
    w.write_image_data(&rgba).unwrap();
    w.finish().unwrap();
    out
}

fn options(json: &str) -> QrOptions {
    serde_json::from_str(json).unwrap()
}

#[test]
fn every_style_combination_decodes() {
    let logo = logo_png();
    let colours: [(Option<&str>, Option<&str>, bool); 3] = [
        (None, None, false),
        (Some("#1b2a6b"), Some("#fff8e7"), false),
        (Some("#ffffff"), Some("#0b3d2e"), true),
    ];
    let mut checked = 0;
    for level in [Level::L, Level::M, Level::Q, Level::H] {
        for margin in [2, 4] {
            for &(fg, bg, inverted) in &colours {
                for with_logo in [false, true] {
                    for frame in [None, Some("Scan to chat with us")] {
                        for shape in [Shape::Square, Shape::Rounded, Shape::Dots] {
                            let o = QrOptions {
                                ec_level: Some(level),
                                margin: Some(margin),
                                foreground: fg.map(str::to_owned),
                                background: bg.map(str::to_owned),
                                allow_inverted: inverted,
                                logo: with_logo.then(|| Logo::Bytes(logo.clone())),
                                frame_text: frame.map(str::to_owned),
                                module_shape: Some(shape),
                                size_px: Some(400),
                                ..QrOptions::default()
                            };
                            let png = render_png(LINK, &o).unwrap();
                            let (w, h, lum, _) = luminance(&png);
                            assert_eq!(w, 400);
                            assert_eq!(h > w, frame.is_some());
                            let what = format!("{o:?}").replace(&format!("{logo:?}"), "<logo>");
                            assert_eq!(decode(w, h, &lum, inverted).as_deref(), Ok(LINK), "{what}");
                            // The SVG takes the same options.
                            let svg = render_svg_with(LINK, &o).unwrap();
                            assert!(svg.ends_with("</svg>"));
                            assert_eq!(svg.contains("<image"), with_logo);
                            assert_eq!(svg.contains("<text"), frame.is_some());
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 3 * 2 * 2 * 3);
}

#[test]
fn png_sizes_from_128_to_4096_have_whole_pixel_modules_and_decode() {
    for size in [128, 200, 256, 300, 512, 1000, 1024, 2048, 4096] {
        for json in [
            "{}".to_owned(),
            r##"{"moduleShape":"dots","frameText":"Scan me","dpi":600}"##.to_owned(),
        ] {
            let mut o = options(&json);
            o.size_px = Some(size);
            let png = render_png(LINK, &o).unwrap();
            let (w, h, lum, dims) = luminance(&png);
            assert_eq!(w, size as usize);
            let dpi = o.dpi.unwrap_or(300);
            let dims = dims.expect("a pHYs chunk");
            assert_eq!(dims.unit, png::Unit::Meter);
            assert_eq!(dims.xppu, (f64::from(dpi) / 0.0254).round() as u32);
            assert_eq!(
                decode(w, h, &lum, false).as_deref(),
                Ok(LINK),
                "{size} {json}"
            );
            // Whole-pixel modules: along the top finder pattern's first row, every change of
            // colour is a whole multiple of the module size apart.
            if json == "{}" {
                let modules = 29 + 8; // version 3 at M, quiet zone 4
                let ppm = size as usize / modules;
                let offset = (size as usize - ppm * modules) / 2;
                let row = offset + 4 * ppm;
                let dark: Vec<bool> = (0..w).map(|x| lum[row * w + x] < 128).collect();
                let first = dark.iter().position(|&d| d).unwrap();
                assert_eq!(first, offset + 4 * ppm, "{size}");
                assert!(dark[first..first + 7 * ppm].iter().all(|&d| d), "{size}");
                assert!(!dark[first + 7 * ppm], "{size}");
            }
        }
    }
}

#[test]
fn logo_is_centred_and_forces_level_h() {
    let o = QrOptions {
        logo: Some(Logo::Bytes(logo_png())),
        logo_size: Some(0.25),
        ec_level: Some(Level::L),
        ..QrOptions::default()
    };
    let svg = render_svg_with(LINK, &o).unwrap();
    // 35 bytes at level H: version 4 (33 modules) + 8.
    assert!(svg.contains(r#"viewBox="0 0 41 41""#), "{svg}");
    let data_url = format!("data:image/png;base64,{}", {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(logo_png())
    });
    let o2 = QrOptions {
        logo: Some(Logo::DataUrl(data_url.clone())),
        ..QrOptions::default()
    };
    assert!(render_svg_with(LINK, &o2).unwrap().contains(&data_url));
    let (w, h, lum, _) = luminance(&render_png(LINK, &o).unwrap());
    assert_eq!(decode(w, h, &lum, false).as_deref(), Ok(LINK));
}

/// Each guard: (options as JSON, the field it names, words its message must hold).
#[test]
fn guards_refuse_with_a_message_a_person_can_act_on() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r##"{"foreground":"#999999"}"##,
            "options.foreground",
            "contrast of 2.8:1",
        ),
        (
            r##"{"foreground":"#777","background":"#888"}"##,
            "options.foreground",
            "at least 4.5:1",
        ),
        (
            r##"{"foreground":"#ffffff","background":"#000000"}"##,
            "options.foreground",
            "allowInverted",
        ),
        (
            r##"{"foreground":"red"}"##,
            "options.foreground",
            "CSS hex colour",
        ),
        (
            r##"{"background":"#12"}"##,
            "options.background",
            "CSS hex colour",
        ),
        (r#"{"margin":1}"#, "options.margin", "allowSmallMargin"),
        (r#"{"margin":0}"#, "options.margin", "use 2 or more"),
        (r#"{"margin":40}"#, "options.margin", "at most 16"),
        (
            r#"{"logo":"data:image/png;base64,iVBORw0KGgo=","logoSize":0.3}"#,
            "options.logoSize",
            "at most 0.25",
        ),
        (
            r#"{"logo":"https://example.com/logo.png"}"#,
            "options.logo",
            "data: URL",
        ),
        (
            r#"{"logo":"data:text/plain;base64,aGVsbG8="}"#,
            "options.logo",
            "PNG, JPEG",
        ),
        (
            r#"{"frameText":"Scan this code to chat with our team today"}"#,
            "options.frameText",
            "at most 30",
        ),
        (
            r#"{"frameText":"two\nlines"}"#,
            "options.frameText",
            "one line",
        ),
        (r#"{"sizePx":10}"#, "options.sizePx", "64 to 8192"),
        (r#"{"dpi":10}"#, "options.dpi", "72 to 2400"),
        (r#"{"sizeMm":10}"#, "options.sizeMm", "20 mm"),
    ];
    for &(json, field, words) in cases {
        let e = render_svg_with(LINK, &options(json)).unwrap_err();
        assert_eq!(e.field(), field, "{json}: {e}");
        assert!(e.to_string().contains(words), "{json}: {e}");
    }
    // Allowed on purpose.
    for json in [
        r##"{"foreground":"#ffffff","background":"#000000","allowInverted":true}"##,
        r#"{"margin":1,"allowSmallMargin":true}"#,
        r##"{"foreground":"#767676"}"##,
    ] {
        render_svg_with(LINK, &options(json)).unwrap();
    }
    // Unknown or mistyped options: serde names them.
    let e = serde_json::from_str::<QrOptions>(r##"{"forground":"#000"}"##).unwrap_err();
    assert!(e.to_string().contains("unknown field `forground`"), "{e}");
    let e = serde_json::from_str::<QrOptions>(r#"{"ecLevel":"X"}"#).unwrap_err();
    assert!(e.to_string().contains("unknown variant `X`"), "{e}");
    // Text too long for the level: an error, never a panic.
    let long = "y".repeat(1300);
    let e = render_svg_with(&long, &options(r#"{"ecLevel":"H"}"#)).unwrap_err();
    assert!(e.to_string().contains("at most 1273 bytes"), "{e}");
    render_svg_with(&long, &options(r#"{"ecLevel":"L"}"#)).unwrap();
    // PNG too small for the symbol; PNG and PDF frame text outside the font.
    let e = render_png(&"z".repeat(1000), &options(r#"{"sizePx":128}"#)).unwrap_err();
    assert!(e.to_string().contains("too small for this code"), "{e}");
    let e = render_png(LINK, &options(r#"{"frameText":"扫码聊天"}"#)).unwrap_err();
    assert_eq!(e.field(), "options.frameText");
    let e = cams_qr::render_pdf(LINK, &options(r#"{"frameText":"扫码聊天"}"#)).unwrap_err();
    assert_eq!(e.field(), "options.frameText");
    assert!(
        render_svg_with(LINK, &options(r#"{"frameText":"扫码聊天"}"#))
            .unwrap()
            .contains("扫码聊天")
    );
}

#[test]
fn pdf_is_vector_at_the_printed_size() {
    let pdf = cams_qr::render_pdf(LINK, &options(r##"{"sizeMm":30,"frameText":"Scan me","moduleShape":"rounded","foreground":"#1b2a6b"}"##)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    // 30 mm = 85.04 pt: the page is whole points, the code is drawn exactly 30 mm wide, centred.
    assert!(
        text.contains("/MediaBox [0 0 86 "),
        "{}",
        &text[..400.min(text.len())]
    );
    let find = |from: usize, needle: &[u8]| {
        pdf[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
            + from
    };
    let start = find(0, b"stream\n") + b"stream\n".len();
    let end = find(start, b"\nendstream");
    let content = miniz_oxide::inflate::decompress_to_vec_zlib(&pdf[start..end]).unwrap();
    let content = String::from_utf8(content).unwrap();
    let cm: Vec<f64> = content
        .lines()
        .find(|l| l.ends_with(" cm"))
        .unwrap()
        .split(' ')
        .take(6)
        .map(|v| v.parse().unwrap())
        .collect();
    let modules = (cams_qr::Symbol::encode_at(LINK, cams_qr::Level::M)
        .unwrap()
        .size
        + 8) as f64;
    assert!(
        (cm[0] * modules - 30.0 * 72.0 / 25.4).abs() < 1e-3,
        "{cm:?} for {modules} modules"
    );
    assert_eq!(cm[3], -cm[0]);
    assert!(
        (cm[4] - (86.0 - 30.0 * 72.0 / 25.4) / 2.0).abs() < 1e-3,
        "{cm:?}"
    );
    assert!(
        !text.contains("/Subtype /Image"),
        "no raster without a logo"
    );
    let with_logo = cams_qr::render_pdf(
        LINK,
        &QrOptions {
            logo: Some(Logo::Bytes(logo_png())),
            ..QrOptions::default()
        },
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&with_logo).contains("/Subtype /Image"));
}

#[test]
fn option_names_are_exactly_the_struct_fields() {
    for name in cams_qr::options::OPTION_NAMES {
        // Each name alone is a known field (a wrong-typed value, not an unknown field).
        let e = serde_json::from_str::<QrOptions>(&format!(r#"{{"{name}":{{}}}}"#)).unwrap_err();
        assert!(!e.to_string().contains("unknown field"), "{name}: {e}");
        cams_qr::options::check_name(name).unwrap();
    }
    let e = serde_json::from_str::<QrOptions>(r#"{"nope":1}"#).unwrap_err();
    for name in cams_qr::options::OPTION_NAMES {
        assert!(e.to_string().contains(name), "serde lists {name}: {e}");
    }
    let e = cams_qr::options::check_name("forground").unwrap_err();
    assert_eq!(e.field(), "options");
    assert!(
        e.to_string().contains("Unknown option \"forground\""),
        "{e}"
    );
}

#[test]
fn png_frame_text_is_whole_in_its_band_whatever_the_leftover_pixels() {
    // "Shoe" has a cap height and an ascender, no descender. At these sizes the square has 0 to
    // 40 pixels left over from whole-pixel modules; the text must start inside the band, not be
    // cut by the square's bottom edge.
    for size in [480, 481, 500, 512, 517, 1024] {
        let png = render_png(
            LINK,
            &options(&format!(r#"{{"frameText":"Shoe","sizePx":{size}}}"#)),
        )
        .unwrap();
        let (w, h, lum, _) = luminance(&png);
        assert_eq!(w, size);
        let ink: Vec<usize> = (size..h)
            .filter(|y| lum[y * w..(y + 1) * w].iter().any(|&v| v < 128))
            .collect();
        let (first, last) = (*ink.first().unwrap(), *ink.last().unwrap());
        assert!(
            first > size + 1,
            "{size}: text starts on the band's first rows ({first})"
        );
        assert!(
            last < h - 2,
            "{size}: text reaches the band's last rows ({last} of {h})"
        );
        // DejaVu Sans Bold's "h" stands 0.76 em tall ("S", "o" and "e" dip a little below the
        // baseline): the ink is all of it, not a cut part.
        let symbol = cams_qr::Symbol::encode_at(LINK, Level::M).unwrap().size + 8;
        let ppm = (size / symbol) as f64;
        let em = (0.09 * symbol as f64).min(0.88 * symbol as f64 / (0.7 * 4.0)) * ppm;
        let tall = (last - first + 1) as f64;
        let over = tall - 0.76 * em;
        assert!(
            (-2.0..=0.03 * em + 2.0).contains(&over),
            "{size}: ink {tall} px tall for a {em} px em"
        );
    }
}
