//! Temporary credentials: the provider mode (caching, one shared refresh, early refresh, the
//! stale-credentials retry), a relay that is down or answers an error, and secrets kept out of
//! error messages. Runs against the emulator alone (no relay routes needed).
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::cell::Cell;
use std::rc::Rc;

use cams_qrdl::web::{create_qrdl, CamsClient};
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

type Provider = Closure<dyn FnMut() -> Promise>;

/// A provider that counts its calls and answers `answer(call_number)` after `delay_ms`.
fn provider(delay_ms: u32, answer: impl Fn(u32) -> JsValue + 'static) -> (Provider, Rc<Cell<u32>>) {
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let answer = Rc::new(answer);
    let closure = Closure::<dyn FnMut() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        let n = counter.get();
        let answer = answer.clone();
        future_to_promise(async move {
            sleep(delay_ms).await;
            Ok(answer(n))
        })
    });
    (closure, calls)
}

fn provider_config(p: &Provider, endpoint: &str) -> JsValue {
    let config = js("{}");
    let creds = js("{}");
    set(&creds, "provider", p.as_ref());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &endpoint.into());
    config
}

/// `key` as a provider returns it, expiring `in_secs` from now.
fn key_expiring(key: &TestKey, in_secs: i64) -> JsValue {
    let expiration =
        js_sys::Date::new(&JsValue::from((now_secs() + in_secs) as f64 * 1000.0)).to_iso_string();
    let v = js(&format!(
        r#"{{"accessKeyId":"{}","accessKeySecret":"{}"}}"#,
        key.id, key.secret
    ));
    set(&v, "expiration", &expiration);
    v
}

async fn create_with(client: &CamsClient, phone: &str) -> Result<JsValue, JsValue> {
    settle(client.create_qrdl(create_request(phone, "Hi", "PNG"))).await
}

#[wasm_bindgen_test]
async fn concurrent_calls_share_one_provider_call_and_the_cache() {
    let (p, calls) = provider(50, |_| key_expiring(&test_key("cred-shared"), 3600));
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    let all: Array = (0..3)
        .map(|_| client.create_qrdl(create_request("8613800000101", "Hi", "PNG")))
        .collect();
    let results = settle(Promise::all(&all)).await.expect("all three succeed");
    assert_eq!(Array::from(&results).length(), 3);
    assert_eq!(calls.get(), 1, "one refresh for three concurrent calls");
    create_with(&client, "8613800000101").await.expect("cached");
    assert_eq!(calls.get(), 1, "fresh credentials come from the cache");
}

#[wasm_bindgen_test]
async fn credentials_due_for_refresh_are_fetched_again() {
    // Expired by the browser's clock: every call must ask again.
    let (p, calls) = provider(0, |_| key_expiring(&test_key("cred-expired"), -60));
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    create_with(&client, "8613800000102").await.expect("first");
    create_with(&client, "8613800000102").await.expect("second");
    assert_eq!(calls.get(), 2);

    // A 300 s lifetime is refreshed a fifth (60 s) before its end: still fresh now.
    let (p, calls) = provider(0, |_| key_expiring(&test_key("cred-fresh"), 300));
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    create_with(&client, "8613800000102").await.expect("first");
    create_with(&client, "8613800000102").await.expect("second");
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn stale_credentials_are_dropped_and_the_call_retried_once() {
    let (p, calls) = provider(0, |n| {
        if n == 1 {
            js(r#"{"accessKeyId":"STS.NoSuchKey","accessKeySecret":"x","securityToken":"t"}"#)
        } else {
            key_expiring(&test_key("cred-stale"), 3600)
        }
    });
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    let res = create_with(&client, "8613800000103")
        .await
        .expect("retried with new keys");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
    assert_eq!(calls.get(), 2);

    // Only once: keys that stay bad end in the gateway's error.
    let (p, calls) = provider(0, |_| {
        js(r#"{"accessKeyId":"STS.NoSuchKey","accessKeySecret":"x","securityToken":"t"}"#)
    });
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    let e = rejection(client.create_qrdl(create_request("8613800000103", "Hi", "PNG"))).await;
    assert_eq!(code(&e), "InvalidAccessKeyId.NotFound");
    assert_eq!(calls.get(), 2);
}

#[wasm_bindgen_test]
async fn an_expired_security_token_is_replaced() {
    // The emulator runs with --emulator-sts-min-duration 1: a 2-second token, announced to
    // the client as valid for an hour so that only the gateway can say it expired.
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let p: Provider = Closure::new(move || {
        counter.set(counter.get() + 1);
        future_to_promise(async {
            let reply = js(&assume_role_as(&test_key("cred-sts-expiry"), 2).await);
            let creds = get(&reply, "Credentials");
            let expiration = js_sys::Date::new(&JsValue::from((now_secs() + 3600) as f64 * 1000.0))
                .to_iso_string();
            set(&creds, "Expiration", &expiration);
            Ok(reply) // the AssumeRole shape, as is
        })
    });
    let client = CamsClient::new(provider_config(&p, emulator())).expect("config is valid");
    create_with(&client, "8613800000104")
        .await
        .expect("first call");
    sleep(3100).await;
    let res = create_with(&client, "8613800000104")
        .await
        .expect("replaced and retried");
    assert_eq!(get_str(&res, "code").as_deref(), Some("OK"));
    assert_eq!(calls.get(), 2);
}

#[wasm_bindgen_test]
async fn provider_failures_are_credentials_errors() {
    let cases: [(&str, &str); 4] = [
        (
            "return Promise.reject(new Error('vault is locked'))",
            "vault is locked",
        ),
        ("throw new Error('no session')", "no session"),
        (
            "return Promise.resolve({accessKeyId: 'a'})",
            "AccessKeySecret",
        ),
        ("return Promise.resolve(undefined)", "no object"),
    ];
    for (body, says) in cases {
        let f = js_function(body);
        let config = js("{}");
        let creds = js("{}");
        set(&creds, "provider", &f);
        set(&config, "credentials", &creds);
        set(&config, "endpoint", &emulator().into());
        let e = rejection(create_qrdl(
            create_request("8613800000105", "Hi", "PNG"),
            config,
        ))
        .await;
        assert_eq!(code(&e), "CredentialsError", "{body}");
        let message = get_str(&e, "message").unwrap_or_default();
        assert!(message.contains(says), "{body}: {message}");
    }

    // A provider that never answers is cut off by timeoutMs.
    let f = js_function("return new Promise(() => {})");
    let config = js(r#"{"timeoutMs": 200}"#);
    let creds = js("{}");
    set(&creds, "provider", &f);
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &emulator().into());
    let e = rejection(create_qrdl(
        create_request("8613800000105", "Hi", "PNG"),
        config,
    ))
    .await;
    assert_eq!(code(&e), "CredentialsError");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
}

fn relay_config(sts_url: &str) -> JsValue {
    let config = js("{}");
    let creds = js("{}");
    set(&creds, "stsRelayUrl", &sts_url.into());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &emulator().into());
    config
}

#[wasm_bindgen_test]
async fn a_relay_that_is_down_is_a_credentials_error() {
    let e = rejection(create_qrdl(
        create_request("8613800000106", "Hi", "PNG"),
        relay_config(&format!("{}/sts?token=hidden", closed())),
    ))
    .await;
    assert_eq!(code(&e), "CredentialsError");
    assert!(get(&e, "httpStatus").is_undefined());
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    assert!(!get_str(&e, "message")
        .unwrap_or_default()
        .contains("hidden"));
}

#[wasm_bindgen_test]
async fn a_relay_error_keeps_its_status_and_code() {
    // The emulator's own root, fetched without parameters, answers 400 MissingParameter.
    let e = rejection(create_qrdl(
        create_request("8613800000107", "Hi", "PNG"),
        relay_config(&format!("{}/", emulator())),
    ))
    .await;
    assert_eq!(code(&e), "CredentialsError");
    assert_eq!(get(&e, "httpStatus").as_f64(), Some(400.0));
    assert_eq!(
        get_str(&e, "relayCode").as_deref(),
        Some("MissingParameter")
    );
    assert!(get_str(&e, "message")
        .unwrap_or_default()
        .contains("MissingParameter"));

    // An HTML page where JSON was expected.
    let e = rejection(create_qrdl(
        create_request("8613800000107", "Hi", "PNG"),
        relay_config(&format!("{}/__emulator/html", emulator())),
    ))
    .await;
    assert_eq!(code(&e), "CredentialsError");
    assert_eq!(get(&e, "httpStatus").as_f64(), Some(200.0));
    assert!(get(&e, "relayCode").is_undefined());
}

/// The service quotes its string to sign in SignatureDoesNotMatch. V2's holds every parameter,
/// the SecurityToken among them, which the client redacts; V3's holds only a hash.
#[wasm_bindgen_test]
async fn a_security_token_never_reaches_an_error_message() {
    for (version, phone) in [("v2", "8613800000108"), ("v3", "8613800000109")] {
        let reply = js(&assume_role(900).await);
        let creds = get(&reply, "Credentials");
        let token = get_str(&creds, "SecurityToken").expect("a token");
        let config = js("{}");
        let direct = js("{}");
        set(&direct, "accessKeyId", &get(&creds, "AccessKeyId"));
        set(&direct, "accessKeySecret", &"wrong-secret".into());
        set(&direct, "securityToken", &token.as_str().into());
        set(&config, "credentials", &direct);
        set(&config, "endpoint", &emulator().into());
        set(&config, "signatureVersion", &version.into());
        let e = rejection(create_qrdl(create_request(phone, "Hi", "PNG"), config)).await;
        assert_eq!(code(&e), "SignatureDoesNotMatch", "{version}");
        let message = get_str(&e, "message").unwrap_or_default();
        assert!(message.contains("server string to sign is:"), "{message}");
        if version == "v2" {
            assert!(message.contains("<redacted>"), "{message}");
        } else {
            assert!(message.contains("ACS3-HMAC-SHA256"), "{message}");
        }
        let once = js_sys::encode_uri_component(&token)
            .as_string()
            .unwrap_or_default();
        for form in [token.clone(), once.clone(), once.replace('%', "%25")] {
            if form.len() > 8 {
                assert!(
                    !message.contains(&form),
                    "token leaked ({version}): {message}"
                );
            }
        }
        let text = js_sys::JSON::stringify(&e)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        assert!(!text.contains(&token), "{version}");
    }
}
