//! Failures injected by the emulator (`/__emulator/faults`, scoped to each test's own key), each
//! ending in a correct retry or a typed error, with no panic and no duplicated code (checked by
//! listing, and by the emulator's own count of codes created): throttling, each 5xx, maxRetries,
//! Retry-After, a reply slower than the timeout, a dropped connection, an HTML page, and a batch
//! with a mix of them. The emulator holds one fault setting at a time, so these tests take turns.
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_qrdl::web::CamsClient;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Sets `faults` (a JSON object's fields, without the braces) for `key` alone.
async fn faults_for(key: &TestKey, faults: &str) {
    set_faults(&format!(r#"{{"accessKeyId":"{}",{faults}}}"#, key.id)).await;
}

fn client(key: &TestKey, extra: &[(&str, JsValue)]) -> CamsClient {
    let config = key_config(emulator(), key);
    for (k, v) in extra {
        set(&config, k, v);
    }
    CamsClient::new(config).expect("config is valid")
}

async fn create(client: &CamsClient, phone: &str) -> Result<JsValue, JsValue> {
    settle(client.create_qrdl(create_request(phone, "Fault test", "PNG"))).await
}

async fn list(client: &CamsClient, phone: &str) -> Vec<String> {
    let reply = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list succeeds");
    listed_codes(&reply)
}

fn message(e: &JsValue) -> String {
    get_str(e, "message").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn throttling_is_retried_until_it_passes() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-throttle");
    faults_for(&key, r#""throttleRate":1,"failFirst":2"#).await;
    let client = client(&key, &[]);
    let res = create(&client, "8613800000601").await.expect("retried");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
    clear_faults().await;
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "faults.throttle"), 2.0);
    assert_eq!(stat(&stats, "byAction.CreatePhoneMessageQrdl"), 3.0);
    assert_eq!(stat(&stats, "created"), 1.0);
    assert_eq!(list(&client, "8613800000601").await.len(), 1);
}

#[wasm_bindgen_test]
async fn each_server_error_is_retried() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-5xx");
    let client = client(&key, &[]);
    for (i, status) in [500, 502, 503, 504].into_iter().enumerate() {
        faults_for(
            &key,
            &format!(r#""serverErrorRate":1,"serverErrorStatus":{status},"failFirst":1"#),
        )
        .await;
        let phone = format!("861380000061{i}");
        let res = create(&client, &phone)
            .await
            .unwrap_or_else(|e| panic!("{status} not retried: {}", message(&e)));
        assert_eq!(get_str(&res, "code").as_deref(), Some("OK"), "{status}");
        assert_eq!(list(&client, &phone).await.len(), 1, "{status}");
    }
    clear_faults().await;
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "faults.serverError"), 4.0);
    assert_eq!(stat(&stats, "created"), 4.0);
}

#[wasm_bindgen_test]
async fn max_retries_is_respected() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-max-retries");
    // Three faults for a client allowed two retries: three attempts, then the error.
    faults_for(&key, r#""throttleRate":1,"failFirst":3"#).await;
    let client = client(&key, &[("maxRetries", JsValue::from(2))]);
    let e = rejection(client.create_qrdl(create_request("8613800000621", "Hi", "PNG"))).await;
    assert_eq!(code(&e), "Throttling.User");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    assert!(
        message(&e).contains("gave up after 2 retries"),
        "{}",
        message(&e)
    );
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "byAction.CreatePhoneMessageQrdl"), 3.0);
    assert_eq!(stat(&stats, "created"), 0.0);
    // The faults are used up: the next call goes through at once.
    create(&client, "8613800000621")
        .await
        .expect("no fault left");
    clear_faults().await;
    assert_eq!(
        stat(
            &account_stats(&key.id).await,
            "byAction.CreatePhoneMessageQrdl"
        ),
        4.0
    );
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-retry-after");
    // Each header alone (seconds in Retry-After, milliseconds in x-acs-retry-after), then both.
    for (header, phone) in [
        ("Retry-After", "8613800000631"),
        ("x-acs-retry-after", "8613800000632"),
        ("both", "8613800000633"),
    ] {
        faults_for(
            &key,
            &format!(
                r#""throttleRate":1,"failFirst":1,"retryAfterSeconds":2,"retryAfterHeader":"{header}""#
            ),
        )
        .await;
        let client = client(&key, &[]);
        let started = js_sys::Date::now();
        create(&client, phone).await.expect("retried");
        let waited = js_sys::Date::now() - started;
        clear_faults().await;
        assert!(waited >= 2000.0, "{header}: retried after {waited} ms");
        assert!(waited < 10_000.0, "{header}: {waited} ms");
    }
}

#[wasm_bindgen_test]
async fn a_create_slower_than_the_timeout_is_not_sent_again() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-latency");
    let phone = "8613800000641";
    // Every call is answered 1.5 s late (the action itself runs at once).
    faults_for(&key, r#""latencyMs":1500"#).await;
    let client = client(&key, &[("timeoutMs", JsValue::from(500))]);
    let e = rejection(client.create_qrdl(create_request(phone, "Slow", "PNG"))).await;
    assert_eq!(code(&e), "Timeout");
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    assert!(message(&e).contains("listQrdls"), "{}", message(&e));
    // A list that times out may be sent again (by the caller): it is not retried by the client.
    let e = rejection(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#)))).await;
    assert_eq!(code(&e), "Timeout");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    clear_faults().await;
    sleep(1600).await;
    // The create ran once, and only once.
    assert_eq!(list(&client, phone).await.len(), 1);
    // The emulator counts a call when it arrives, before an injected delay: exactly once.
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "byAction.CreatePhoneMessageQrdl"), 1.0);
    assert_eq!(stat(&stats, "byAction.ListPhoneMessageQrdl"), 2.0);
}

#[wasm_bindgen_test]
async fn a_create_whose_connection_drops_is_not_sent_again() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-drop");
    let phone = "8613800000651";
    faults_for(&key, r#""dropRate":1,"failFirst":1"#).await;
    let client = client(&key, &[]);
    let e = rejection(client.create_qrdl(create_request(phone, "Dropped", "PNG"))).await;
    clear_faults().await;
    // Chromium resends a POST by itself when a reused keep-alive connection closes before any
    // reply; the gateway then refuses the copy as SignatureNonceUsed. Either way: may exist.
    let c = code(&e);
    assert!(c == "NetworkError" || c == "SignatureNonceUsed", "{c}");
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    assert!(message(&e).contains("listQrdls"), "{}", message(&e));
    assert!(message(&e).contains("may exist"), "{}", message(&e));
    // The service made the code before the connection dropped: one code, not two.
    assert_eq!(list(&client, phone).await.len(), 1);
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "faults.drop"), 1.0);
    assert_eq!(stat(&stats, "created"), 1.0);
}

#[wasm_bindgen_test]
async fn an_html_page_is_an_invalid_response() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-html");
    let phone = "8613800000661";
    faults_for(&key, r#""htmlRate":1,"failFirst":1"#).await;
    let client = client(&key, &[]);
    let e = rejection(client.create_qrdl(create_request(phone, "Portal", "PNG"))).await;
    clear_faults().await;
    assert_eq!(code(&e), "InvalidResponse");
    assert_eq!(get(&e, "httpStatus").as_f64(), Some(200.0));
    assert_eq!(get(&e, "retryable").as_bool(), Some(false));
    assert!(list(&client, phone).await.is_empty());
    assert_eq!(
        stat(
            &account_stats(&key.id).await,
            "byAction.CreatePhoneMessageQrdl"
        ),
        1.0
    );
}

#[wasm_bindgen_test]
async fn a_batch_through_mixed_faults_loses_and_duplicates_nothing() {
    let _turn = exclusive("faults").await;
    let key = test_key("fault-mix");
    let phone = "8613800000671";
    faults_for(
        &key,
        r#""seed":7,"throttleRate":0.15,"serverErrorRate":0.15,"serverErrorStatus":503,"dropRate":0.05,"htmlRate":0.05"#,
    )
    .await;
    let client = client(&key, &[]);
    let items: Array = (0..20)
        .map(|i| create_request(phone, &format!("Mixed {i}"), "PNG"))
        .collect();
    let results = settle(client.create_qrdls(items.into(), JsValue::UNDEFINED))
        .await
        .expect("the batch resolves");
    clear_faults().await;
    let results: Vec<JsValue> = Array::from(&results).iter().collect();
    assert_eq!(results.len(), 20);
    let mut done = 0;
    let mut maybe_done = 0;
    for r in &results {
        if get(r, "ok").as_bool() == Some(true) {
            done += 1;
            continue;
        }
        let e = get(r, "error");
        match code(&e).as_str() {
            // The connection dropped after the service made the code (and the browser may
            // have resent the request, which the gateway refused as a used nonce).
            "NetworkError" | "SignatureNonceUsed" => {
                assert_eq!(get(&e, "retryable").as_bool(), Some(false));
                maybe_done += 1;
            }
            // A portal page instead of the API: nothing was made.
            "InvalidResponse" => {}
            // Retries used up.
            "Throttling.User" | "ServiceUnavailable" => {
                assert!(message(&e).contains("gave up after 3 retries"))
            }
            other => panic!("unexpected {other}: {}", message(&e)),
        }
    }
    assert!(done >= 10, "{done} of 20 done");
    let codes = list(&client, phone).await;
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), codes.len());
    assert_eq!(codes.len(), done + maybe_done);
    assert_eq!(
        stat(&account_stats(&key.id).await, "created"),
        codes.len() as f64
    );
}
