//! The exports that need no network: signRpcRequest against Alibaba's public vector,
//! renderQrSvg with its options and guards, the print exports (renderQrPng, renderQrPdf), and
//! isCamsError.
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_protocol::sign::{sign_params, Method};
use cams_qrdl::web::{
    is_cams_error, render_qr_pdf, render_qr_png, render_qr_svg, sign_rpc_request,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Alibaba's DescribeRegions example (DESIGN.md).
const DESCRIBE_REGIONS: &str = r#"{
  "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
  "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
  "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"
}"#;

#[wasm_bindgen_test]
fn sign_rpc_request_matches_the_public_vector() {
    let get_signed =
        sign_rpc_request("GET".into(), js(DESCRIBE_REGIONS), "testsecret".into()).expect("signs");
    assert_eq!(
        get_str(&get_signed, "signature").as_deref(),
        Some("OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    );
    assert!(get_str(&get_signed, "stringToSign")
        .unwrap_or_default()
        .starts_with("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions"));
    assert!(get_str(&get_signed, "canonicalQuery")
        .unwrap_or_default()
        .starts_with("AccessKeyId=testid&Action=DescribeRegions&Format=XML"));

    let post =
        sign_rpc_request("post".into(), js(DESCRIBE_REGIONS), "testsecret".into()).expect("signs");
    assert_eq!(
        get_str(&post, "signature").as_deref(),
        Some("MxbnVAM4w6sft9xjVpe/GCKueuk=")
    );
}

/// The parameters cross into the module as one string joined at NUL, or one string at a time
/// when a key or value holds a NUL itself (src/web/js.rs): both ways sign what the core signs.
#[wasm_bindgen_test]
fn sign_rpc_request_reads_any_strings_as_the_core_signs_them() {
    let records: [&[(&str, &str)]; 6] = [
        &[],
        &[("A", "")],
        &[("", "empty key"), ("B", "x y*~")],
        &[
            ("Msg", "你好 👋 €"),
            ("2", "integer-like keys come first in Object.entries"),
        ],
        &[("A\0B", "nul in a key"), ("C", "v")],
        &[("D", "nul\0in a value"), ("E", "\0"), ("F", "")],
    ];
    for pairs in records {
        let params = js("{}");
        for (k, v) in pairs {
            set(&params, k, &JsValue::from_str(v));
        }
        let signed = sign_rpc_request("POST".into(), params, "secret".into()).expect("signs");
        let expected = sign_params(Method::Post, pairs.iter().copied(), "secret");
        assert_eq!(
            get_str(&signed, "canonicalQuery").as_deref(),
            Some(expected.canonical_query.as_str()),
            "{pairs:?}"
        );
        assert_eq!(
            get_str(&signed, "signature").as_deref(),
            Some(expected.signature.as_str()),
            "{pairs:?}"
        );
    }
}

#[wasm_bindgen_test]
fn sign_rpc_request_rejects_bad_input_with_a_field() {
    for (method, params, secret, field) in [
        (
            JsValue::from("PUT"),
            js(DESCRIBE_REGIONS),
            JsValue::from("s"),
            "method",
        ),
        (
            JsValue::from(1),
            js(DESCRIBE_REGIONS),
            JsValue::from("s"),
            "method",
        ),
        (
            JsValue::from("GET"),
            js(r#"{"A": 1}"#),
            JsValue::from("s"),
            "params",
        ),
        (
            JsValue::from("GET"),
            js("[1,2]"),
            JsValue::from("s"),
            "params",
        ),
        (
            JsValue::from("GET"),
            JsValue::NULL,
            JsValue::from("s"),
            "params",
        ),
        (
            JsValue::from("GET"),
            js(DESCRIBE_REGIONS),
            JsValue::UNDEFINED,
            "accessKeySecret",
        ),
    ] {
        let e = thrown(sign_rpc_request(method, params, secret));
        assert_eq!(code(&e), "InvalidParameter");
        assert_eq!(get_str(&e, "field").as_deref(), Some(field));
    }
}

#[wasm_bindgen_test]
fn render_qr_svg_draws_a_deep_link() {
    let svg = render_qr_svg(
        "https://wa.me/message/ABCDEFGHIJKL1".into(),
        JsValue::UNDEFINED,
    )
    .expect("renders");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("</svg>"));
    // A longer text needs a bigger symbol, so the drawing grows.
    let longer = render_qr_svg(
        format!("https://wa.me/message/{}", "A".repeat(200)).into(),
        JsValue::UNDEFINED,
    )
    .expect("renders");
    assert!(longer.len() > svg.len());
}

#[wasm_bindgen_test]
fn render_qr_svg_rejects_what_cannot_be_encoded() {
    for text in [
        JsValue::from(""),
        JsValue::from("x".repeat(3000)),
        JsValue::from(5),
    ] {
        let e = thrown(render_qr_svg(text, JsValue::UNDEFINED));
        assert_eq!(code(&e), "InvalidParameter");
        assert_eq!(get_str(&e, "field").as_deref(), Some("text"));
    }
}

const LINK: &str = "https://wa.me/message/ABCDEFGHIJKL1";

/// A 1×1 PNG (an opaque dark-blue pixel) as bytes.
fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x10,
        0x32, 0x38, 0x00, 0x00, 0x00, 0xd5, 0x00, 0x8d, 0x53, 0x6f, 0x3b, 0x5a, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}

#[wasm_bindgen_test]
fn render_qr_svg_takes_options() {
    let options = js(
        r##"{"foreground":"#1b2a6b","background":"#fff8e7","frameText":"Scan me","moduleShape":"dots","ecLevel":"Q","margin":2}"##,
    );
    let svg = render_qr_svg(LINK.into(), options).expect("renders");
    assert!(svg.contains(r##"fill="#1b2a6b""##) && svg.contains(r##"fill="#fff8e7""##));
    assert!(svg.contains(">Scan me</text>"));
    // A logo as bytes becomes a data: URL in the SVG; undefined and null options are defaults.
    let logo = js_sys::Object::new();
    let bytes = js_sys::Uint8Array::from(tiny_png().as_slice());
    js_sys::Reflect::set(&logo, &"logo".into(), &bytes).unwrap();
    js_sys::Reflect::set(&logo, &"frameText".into(), &JsValue::UNDEFINED).unwrap();
    let svg = render_qr_svg(LINK.into(), logo.into()).expect("renders");
    assert!(
        svg.contains("xlink:href=\"data:image/png;base64,iVBORw0KGgo"),
        "{svg}"
    );
    render_qr_svg(LINK.into(), JsValue::NULL).expect("renders");
}

#[wasm_bindgen_test]
fn guards_throw_invalid_parameter_naming_the_option() {
    for (options, field, words) in [
        (
            r##"{"forground":"#000"}"##,
            "options",
            "Unknown option \"forground\"",
        ),
        (
            r##"{"foreground":"#999999"}"##,
            "options.foreground",
            "contrast of 2.8:1",
        ),
        (
            r##"{"foreground":"#fff","background":"#000"}"##,
            "options.foreground",
            "allowInverted",
        ),
        (r#"{"margin":1}"#, "options.margin", "allowSmallMargin"),
        (r#"{"margin":"4"}"#, "options.margin", "a whole number"),
        (r#"{"ecLevel":"X"}"#, "options.ecLevel", "one of \"L\""),
        (
            r#"{"logoSize":0.4,"logo":"data:image/png;base64,iVBORw0KGgo="}"#,
            "options.logoSize",
            "at most 0.25",
        ),
        (
            r#"{"frameText":"This call to action is far too long to fit"}"#,
            "options.frameText",
            "at most 30",
        ),
        (r#"{"logo":5}"#, "options.logo", "Uint8Array"),
    ] {
        let e = thrown(render_qr_svg(LINK.into(), js(options)));
        assert_eq!(code(&e), "InvalidParameter", "{options}");
        assert_eq!(get_str(&e, "field").as_deref(), Some(field), "{options}");
        let message = get_str(&e, "message").unwrap_or_default();
        assert!(message.contains(words), "{options}: {message}");
    }
    let e = thrown(render_qr_svg(LINK.into(), JsValue::from(3)));
    assert_eq!(get_str(&e, "field").as_deref(), Some("options"));
}

#[wasm_bindgen_test]
fn print_exports_are_png_and_pdf_bytes() {
    let options = js(r#"{"sizePx":512,"dpi":600,"frameText":"Scan me","sizeMm":25}"#);
    let png = render_qr_png(LINK.into(), options.clone()).expect("renders");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.windows(4).any(|w| w == b"pHYs"));
    let pdf = render_qr_pdf(LINK.into(), options).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let e = thrown(render_qr_png(LINK.into(), js(r#"{"sizePx":10}"#)));
    assert_eq!(get_str(&e, "field").as_deref(), Some("options.sizePx"));
    let e = thrown(render_qr_pdf(LINK.into(), js(r#"{"frameText":"扫码"}"#)));
    assert_eq!(get_str(&e, "field").as_deref(), Some("options.frameText"));
}

#[wasm_bindgen_test]
fn is_cams_error_knows_the_modules_failures_and_nothing_else() {
    let e = thrown(sign_rpc_request(
        "PUT".into(),
        js(DESCRIBE_REGIONS),
        "s".into(),
    ));
    assert!(is_cams_error(&e));
    let plain = js_sys::Error::new("x");
    assert!(!is_cams_error(&plain));
    // Named like one, without a code.
    plain.set_name("CamsError");
    assert!(!is_cams_error(&plain));
    // The shape, but not an Error.
    assert!(!is_cams_error(&js(
        r#"{"name": "CamsError", "code": "Timeout"}"#
    )));
    for other in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from("CamsError"),
    ] {
        assert!(!is_cams_error(&other));
    }
}
