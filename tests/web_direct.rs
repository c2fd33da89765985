//! The browser module against the emulator with direct keys: create (PNG, SVG), list, update,
//! delete, and every client-side failure (validation, network, garbage, timeout, signature).
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_qrdl::web::{create_qrdl, CamsClient};
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn create_and_fetch_image(key: &TestKey, phone: &str, format: &str) -> (String, Vec<u8>) {
    let res = settle(create_qrdl(
        create_request(phone, "Hello from the browser test", format),
        key_config(emulator(), key),
    ))
    .await
    .expect("create succeeds");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
    assert!(!get_str(&res, "requestId").unwrap_or_default().is_empty());
    let data = get(&res, "data");
    assert_eq!(get_str(&data, "generateQrImage").as_deref(), Some(format));
    assert_eq!(
        get_str(&data, "prefilledMessage").as_deref(),
        Some("Hello from the browser test")
    );
    let qrdl_code = get_str(&data, "qrdlCode").expect("a code");
    assert!(get_str(&data, "deepLinkUrl")
        .unwrap_or_default()
        .ends_with(&qrdl_code));
    let url = get_str(&data, "qrImageUrl").expect("an image URL");
    let (status, ctype, bytes) = fetch_bytes(&url).await;
    assert_eq!(status, 200, "{url}");
    (ctype, bytes)
}

#[wasm_bindgen_test]
async fn create_png_and_its_image_arrives() {
    let (ctype, bytes) =
        create_and_fetch_image(&test_key("direct-png"), "8613800000001", "PNG").await;
    assert_eq!(ctype, "image/png");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[wasm_bindgen_test]
async fn create_svg_and_its_image_arrives() {
    let (ctype, bytes) =
        create_and_fetch_image(&test_key("direct-svg"), "8613800000002", "SVG").await;
    assert!(ctype.starts_with("image/svg+xml"), "{ctype}");
    assert!(String::from_utf8_lossy(&bytes).contains("<svg"));
}

#[wasm_bindgen_test]
async fn wrong_secret_is_signature_does_not_match() {
    let e = rejection(create_qrdl(
        create_request("8613800000003", "Hi", "PNG"),
        direct_config(emulator(), "not-the-secret"),
    ))
    .await;
    assert_eq!(code(&e), "SignatureDoesNotMatch");
    assert_eq!(get(&e, "httpStatus").as_f64(), Some(400.0));
    assert!(!get_str(&e, "requestId").unwrap_or_default().is_empty());
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    assert!(get_str(&e, "message")
        .unwrap_or_default()
        .contains("server string to sign is:"));
    // Every field is there, absent ones as undefined.
    for key in [
        "recommend",
        "accessDeniedDetail",
        "field",
        "relayCode",
        "requestId",
    ] {
        assert!(
            js_sys::Reflect::has(&e, &key.into()).unwrap_or(false),
            "{key}"
        );
    }
    assert!(get(&e, "field").is_undefined());
}

#[wasm_bindgen_test]
async fn validation_fails_before_anything_is_sent() {
    // Unreachable endpoint: had anything been sent, this would be a NetworkError.
    let e = rejection(create_qrdl(
        create_request("12", "Hi", "PNG"),
        direct_config(&format!("{}/", closed()), DEMO_SECRET),
    ))
    .await;
    assert_eq!(code(&e), "InvalidParameter");
    assert_eq!(get_str(&e, "field").as_deref(), Some("phoneNumber"));
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    // The emulator's request counter proves it too: see web_nothing_sent.rs.
}

#[wasm_bindgen_test]
async fn bad_config_names_its_field() {
    let cases = [
        (r#"{}"#, "credentials"),
        (
            r#"{"credentials":{"accessKeyId":"a"}}"#,
            "credentials.accessKeySecret",
        ),
        (
            r#"{"credentials":{"accessKeyId":"a","accessKeySecret":7}}"#,
            "credentials.accessKeySecret",
        ),
        (
            r#"{"credentials":{"stsRelayUrl":"http://x/sts","credentials":"always"}}"#,
            "credentials.credentials",
        ),
        (
            r#"{"credentials":{"stsRelayUrl":"http://x/sts","headers":{"X-A":1}}}"#,
            "credentials.headers",
        ),
        (
            r#"{"credentials":{"provider":"not a function"}}"#,
            "credentials.provider",
        ),
        (
            r#"{"credentials":{"accessKeyId":"a","accessKeySecret":"b"},"timeoutMs":"soon"}"#,
            "timeoutMs",
        ),
        (
            r#"{"credentials":{"accessKeyId":"a","accessKeySecret":"b"},"regionId":"x.evil/"}"#,
            "regionId",
        ),
        (
            r#"{"credentials":{"accessKeyId":"a","accessKeySecret":"b"},"endpoint":"ftp://x"}"#,
            "endpoint",
        ),
    ];
    for (config, field) in cases {
        let e = rejection(create_qrdl(
            create_request("8613800000005", "Hi", "PNG"),
            js(config),
        ))
        .await;
        assert_eq!(code(&e), "InvalidParameter", "{config}");
        assert_eq!(get_str(&e, "field").as_deref(), Some(field), "{config}");
        // The client constructor throws the same error at once.
        let e = thrown(CamsClient::new(js(config)).map(|_| ()));
        assert_eq!(get_str(&e, "field").as_deref(), Some(field), "{config}");
    }
}

#[wasm_bindgen_test]
async fn unreachable_endpoint_is_network_error() {
    let e = rejection(create_qrdl(
        create_request("8613800000006", "Hi", "PNG"),
        direct_config(&format!("{}/", closed()), DEMO_SECRET),
    ))
    .await;
    assert_eq!(code(&e), "NetworkError");
    assert!(get(&e, "httpStatus").is_undefined());
    // A create that got no reply may have run: not safe to resend blindly.
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn html_reply_is_invalid_response() {
    let config = direct_config(&format!("{}/__emulator/html", emulator()), DEMO_SECRET);
    // An endpoint with a path is a proxy: V3 needs the host to sign for.
    let host = emulator().trim_start_matches("http://");
    set(&config, "signingHost", &host.into());
    let e = rejection(create_qrdl(
        create_request("8613800000007", "Hi", "PNG"),
        config,
    ))
    .await;
    assert_eq!(code(&e), "InvalidResponse");
    assert_eq!(get(&e, "httpStatus").as_f64(), Some(200.0));
}

#[wasm_bindgen_test]
async fn a_silent_server_is_a_timeout() {
    let config = direct_config(stall(), DEMO_SECRET);
    set(&config, "timeoutMs", &JsValue::from(300));
    let started = js_sys::Date::now();
    let e = rejection(create_qrdl(
        create_request("8613800000008", "Hi", "PNG"),
        config,
    ))
    .await;
    let waited = js_sys::Date::now() - started;
    assert_eq!(code(&e), "Timeout");
    assert!((250.0..5000.0).contains(&waited), "waited {waited} ms");
}

#[wasm_bindgen_test]
async fn client_lists_updates_and_deletes() {
    let phone = "8613800000009";
    let client = CamsClient::new(key_config(emulator(), &test_key("direct-manage")))
        .expect("config is valid");
    let mut codes = Vec::new();
    for (i, format) in ["PNG", "SVG"].iter().enumerate() {
        let res = settle(client.create_qrdl(create_request(phone, &format!("Store {i}"), format)))
            .await
            .expect("create succeeds");
        codes.push(get_str(&get(&res, "data"), "qrdlCode").expect("a code"));
    }

    let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"+{phone}"}}"#))))
        .await
        .expect("list succeeds");
    let listed: Vec<String> = Array::from(&get(&list, "data"))
        .iter()
        .filter_map(|q| get_str(&q, "qrdlCode"))
        .collect();
    for c in &codes {
        assert!(listed.contains(c), "{c} in {listed:?}");
    }

    let update = create_request(phone, "Changed", "SVG");
    set(&update, "qrdlCode", &codes[0].as_str().into());
    let updated = settle(client.update_qrdl(update))
        .await
        .expect("update succeeds");
    let data = get(&updated, "data");
    assert_eq!(
        get_str(&data, "prefilledMessage").as_deref(),
        Some("Changed")
    );
    assert_eq!(get_str(&data, "generateQrImage").as_deref(), Some("SVG"));
    // An update replaces the code (as Alibaba documents): the reply's code is the one to use.
    let new_code = get_str(&data, "qrdlCode").expect("a code");
    assert_ne!(new_code, codes[0]);
    assert_eq!(
        get_str(&data, "deepLinkUrl"),
        Some(format!("https://wa.me/message/{new_code}"))
    );

    let deleted = settle(client.delete_qrdl(js(&format!(
        r#"{{"phoneNumber":"{phone}","qrdlCode":"{}"}}"#,
        codes[1]
    ))))
    .await
    .expect("delete succeeds");
    assert_eq!(get_str(&deleted, "code").as_deref(), Some("OK"));
    assert!(get(&deleted, "data").is_undefined());

    let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list succeeds");
    let listed: Vec<String> = Array::from(&get(&list, "data"))
        .iter()
        .filter_map(|q| get_str(&q, "qrdlCode"))
        .collect();
    assert!(listed.contains(&new_code));
    assert!(!listed.contains(&codes[0]));
    assert!(!listed.contains(&codes[1]));

    // Update and delete need the code; the check happens before sending.
    let e = rejection(client.delete_qrdl(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#)))).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("qrdlCode"));
    let e = rejection(client.update_qrdl(create_request(phone, "x", "PNG"))).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("qrdlCode"));
}

#[wasm_bindgen_test]
async fn deleting_an_unknown_code_passes_the_service_error_through() {
    let client = CamsClient::new(key_config(emulator(), &test_key("direct-unknown-code")))
        .expect("config is valid");
    let e = rejection(client.delete_qrdl(js(
        r#"{"phoneNumber":"8613800000010","qrdlCode":"NOSUCHCODE"}"#,
    )))
    .await;
    assert_ne!(code(&e), "InvalidResponse");
    assert!(get(&e, "httpStatus").as_f64().is_some());
    assert!(!get_str(&e, "requestId").unwrap_or_default().is_empty());
}

/// Both of Alibaba's signatures work for all four actions, and the client signs with the one it
/// is told (V3 unless `signatureVersion` says "v2").
#[wasm_bindgen_test]
async fn both_signature_versions_run_all_four_actions() {
    record_fetches();
    // A key (an account, with its own 5 calls/s) per client: three clients on one account would
    // each pace only their own calls, and together go past the limit.
    for (version, phone, key) in [
        (None, "8613800000021", test_key("direct-versions-default")),
        (Some("v3"), "8613800000022", test_key("direct-versions-v3")),
        (Some("v2"), "8613800000023", test_key("direct-versions-v2")),
    ] {
        let config = key_config(emulator(), &key);
        if let Some(v) = version {
            set(&config, "signatureVersion", &v.into());
        }
        let client = CamsClient::new(config).expect("config is valid");
        let created = settle(client.create_qrdl(create_request(phone, "Signed", "PNG")))
            .await
            .expect("create succeeds");
        let code = get_str(&get(&created, "data"), "qrdlCode").expect("a code");
        let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
            .await
            .expect("list succeeds");
        assert!(listed_codes(&list).contains(&code));
        let update = create_request(phone, "Changed", "SVG");
        set(&update, "qrdlCode", &code.as_str().into());
        let updated = settle(client.update_qrdl(update))
            .await
            .expect("update succeeds");
        // The update replaced the code: delete the new one.
        let code = get_str(&get(&updated, "data"), "qrdlCode").expect("a code");
        settle(client.delete_qrdl(js(&format!(
            r#"{{"phoneNumber":"{phone}","qrdlCode":"{code}"}}"#
        ))))
        .await
        .expect("delete succeeds");
        // Four calls, none sent back by the account's 5 calls/s.
        let want = version.unwrap_or("v3");
        let versions = signed_versions(phone);
        assert_eq!(versions.len(), 4, "{versions:?}");
        assert_eq!(stat(&account_stats(&key.id).await, "throttled"), 0.0);
        assert!(
            versions.iter().all(|v| *v == want),
            "{version:?}: {versions:?}"
        );
    }
}
