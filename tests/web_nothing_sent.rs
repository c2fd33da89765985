//! Failures that must not send anything, proven by the emulator's request counter. In a file of
//! its own: wasm-bindgen-test runs a file's async tests concurrently, and no test here sends a
//! CAMS request that would move the counter.
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_qrdl::web::{create_qrdl, CamsClient};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn invalid_requests_reach_no_server() {
    let before = emulator_requests().await;
    let long = "x".repeat(141);
    let cases = [
        (
            create_request("8613800000201", &long, "PNG"),
            "prefilledMessage",
        ),
        (
            create_request("8613800000201", "Hi", "GIF"),
            "generateQrImage",
        ),
        (
            create_request("8613800000201", " ", "PNG"),
            "prefilledMessage",
        ),
        (
            js(r#"{"phoneNumber":8613800000201,"prefilledMessage":"Hi","generateQrImage":"PNG"}"#),
            "phoneNumber",
        ),
        (JsValue::UNDEFINED, "request"),
    ];
    for (request, field) in cases {
        let e = rejection(create_qrdl(request, direct_config(emulator(), DEMO_SECRET))).await;
        assert_eq!(code(&e), "InvalidParameter");
        assert_eq!(get_str(&e, "field").as_deref(), Some(field));
    }
    let client = CamsClient::new(direct_config(emulator(), DEMO_SECRET)).expect("config is valid");
    let e = rejection(client.list_qrdls(js(r#"{"phoneNumber":"abc"}"#))).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("phoneNumber"));
    let e = rejection(client.delete_qrdl(js(r#"{"phoneNumber":"8613800000201","qrdlCode":" "}"#)))
        .await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("qrdlCode"));
    assert_eq!(emulator_requests().await, before);
}

#[wasm_bindgen_test]
async fn no_credentials_means_no_cams_call() {
    let before = emulator_requests().await;
    let config = js("{}");
    let credentials = js("{}");
    set(
        &credentials,
        "stsRelayUrl",
        &format!("{}/sts", closed()).into(),
    );
    set(&config, "credentials", &credentials);
    set(&config, "endpoint", &emulator().into());
    let e = rejection(create_qrdl(
        create_request("8613800000202", "Hi", "PNG"),
        config,
    ))
    .await;
    assert_eq!(code(&e), "CredentialsError");
    assert_eq!(emulator_requests().await, before);
}
