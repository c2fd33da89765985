//! The whole chain through cams-relay: `/sts` for temporary credentials, `/cams` to the
//! emulator, for all four actions, in relay and provider modes.
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_qrdl::web::{create_qrdl, CamsClient};
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

fn relay_config() -> JsValue {
    relay_config_at(relay())
}

fn relay_config_at(base: &str) -> JsValue {
    let config = js("{}");
    let creds = js("{}");
    set(&creds, "stsRelayUrl", &format!("{base}/sts").into());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &format!("{base}/cams").into());
    config
}

fn codes_of(list: &JsValue) -> Vec<String> {
    Array::from(&get(list, "data"))
        .iter()
        .filter_map(|q| get_str(&q, "qrdlCode"))
        .collect()
}

/// Create, list, update, delete, list with `client`, and fetch the created image.
async fn four_actions(client: &CamsClient, phone: &str) {
    let created = settle(client.create_qrdl(create_request(phone, "Via the relay", "PNG")))
        .await
        .expect("create succeeds");
    let data = get(&created, "data");
    let code = get_str(&data, "qrdlCode").expect("a code");
    let (status, ctype, bytes) = fetch_bytes(&get_str(&data, "qrImageUrl").expect("a URL")).await;
    assert_eq!((status, ctype.as_str()), (200, "image/png"));
    assert!(bytes.starts_with(b"\x89PNG"));

    let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list succeeds");
    assert!(codes_of(&list).contains(&code));

    let update = create_request(phone, "Updated via the relay", "SVG");
    set(&update, "qrdlCode", &code.as_str().into());
    let updated = settle(client.update_qrdl(update))
        .await
        .expect("update succeeds");
    assert_eq!(
        get_str(&get(&updated, "data"), "prefilledMessage").as_deref(),
        Some("Updated via the relay")
    );
    // An update replaces the code (as Alibaba documents): the old one is gone from the list.
    let old_code = code;
    let code = get_str(&get(&updated, "data"), "qrdlCode").expect("a code");
    assert_ne!(code, old_code);

    let deleted = settle(client.delete_qrdl(js(&format!(
        r#"{{"phoneNumber":"{phone}","qrdlCode":"{code}"}}"#
    ))))
    .await
    .expect("delete succeeds");
    assert_eq!(get_str(&deleted, "code").as_deref(), Some("OK"));

    let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list succeeds");
    assert!(!codes_of(&list).contains(&code));
    assert!(!codes_of(&list).contains(&old_code));
}

#[wasm_bindgen_test]
async fn relay_mode_runs_all_four_actions() {
    // The relay's calls all count toward its one account: one test at a time.
    let _turn = exclusive("relay-account").await;
    let client = CamsClient::new(relay_config()).expect("config is valid");
    four_actions(&client, "8613800000301").await;
}

/// Through the relay too, V3 (the default) and V2 both work: the relay passes either through.
#[wasm_bindgen_test]
async fn relay_mode_signs_with_either_version() {
    let _turn = exclusive("relay-account").await;
    record_fetches();
    for (version, phone) in [("v3", "8613800000311"), ("v2", "8613800000312")] {
        let config = relay_config();
        set(&config, "signatureVersion", &version.into());
        let client = CamsClient::new(config).expect("config is valid");
        four_actions(&client, phone).await;
        let versions = signed_versions(phone);
        assert!(!versions.is_empty());
        assert!(versions.iter().all(|v| *v == version), "{versions:?}");
    }
}

#[wasm_bindgen_test]
async fn relay_mode_with_headers_and_cookies() {
    let _turn = exclusive("relay-account").await;
    let config = relay_config();
    let creds = get(&config, "credentials");
    set(&creds, "headers", &js(r#"{"X-Dashboard-Session":"abc"}"#));
    set(&creds, "credentials", &"include".into());
    let res = settle(create_qrdl(
        create_request("8613800000302", "Hi", "SVG"),
        config,
    ))
    .await
    .expect("create succeeds through a preflighted /sts");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
}

#[wasm_bindgen_test]
async fn provider_mode_through_the_relay() {
    let _turn = exclusive("relay-account").await;
    // The caller's own provider fetches /sts and hands over the camelCase shape.
    let p = Closure::<dyn FnMut() -> Promise>::new(|| {
        future_to_promise(async {
            let (status, _, body) = fetch_bytes(&format!("{}/sts", relay())).await;
            assert_eq!(status, 200);
            let sts = js(&String::from_utf8_lossy(&body));
            let out = js("{}");
            for (from, to) in [
                ("AccessKeyId", "accessKeyId"),
                ("AccessKeySecret", "accessKeySecret"),
                ("SecurityToken", "securityToken"),
                ("Expiration", "expiration"),
                // The host Signature V3 signs for: the relay forwards to it.
                ("CamsHost", "camsHost"),
            ] {
                set(&out, to, &get(&sts, from));
            }
            Ok(out)
        })
    });
    let config = js("{}");
    let creds = js("{}");
    set(&creds, "provider", p.as_ref());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &format!("{}/cams", relay()).into());
    let client = CamsClient::new(config).expect("config is valid");
    four_actions(&client, "8613800000303").await;
}

#[wasm_bindgen_test]
async fn relay_credentials_are_temporary_and_scoped() {
    let _turn = exclusive("relay-account").await;
    // What /sts hands out carries a token and an expiration in the future.
    let (status, _, body) = fetch_bytes(&format!("{}/sts", relay())).await;
    assert_eq!(status, 200);
    let sts = js(&String::from_utf8_lossy(&body));
    assert!(get_str(&sts, "SecurityToken").is_some());
    let expiration = get_str(&sts, "Expiration").expect("an expiration");
    let ms = js_sys::Date::parse(&expiration);
    assert!(ms > js_sys::Date::now(), "{expiration}");

    // They work wherever the CAMS API is: here straight at the emulator, no /cams in between.
    let config = relay_config();
    set(&config, "endpoint", &emulator().into());
    let res = settle(create_qrdl(
        create_request("8613800000304", "Hi", "PNG"),
        config,
    ))
    .await
    .expect("create succeeds");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
}

#[wasm_bindgen_test]
async fn a_session_policy_that_denies_an_action_gives_ram_permission_deny() {
    // This relay's session policy allows create and list only.
    let client = CamsClient::new(relay_config_at(narrow_relay())).expect("config is valid");
    let phone = "8613800000305";
    let created = settle(client.create_qrdl(create_request(phone, "Allowed", "PNG")))
        .await
        .expect("create is allowed");
    let qrdl = get_str(&get(&created, "data"), "qrdlCode").expect("a code");

    let err = rejection(client.delete_qrdl(js(&format!(
        r#"{{"phoneNumber":"{phone}","qrdlCode":"{qrdl}"}}"#
    ))))
    .await;
    assert_eq!(code(&err), "Ram.PermissionDeny");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(400.0));
    assert_eq!(get(&err, "retryable").as_bool(), Some(false));
    assert!(get_str(&err, "requestId").is_some());
    let detail = get_str(&err, "accessDeniedDetail").expect("an AccessDeniedDetail");
    assert!(detail.contains("cams:DeletePhoneMessageQrdl"), "{detail}");

    // Nothing was deleted.
    let list = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list is allowed");
    assert!(codes_of(&list).contains(&qrdl));
}
