//! Helpers shared by the browser tests: where the emulator and relay are, building JS objects,
//! awaiting promises, reading a rejected `CamsError`, and fetching what the service points at.
#![allow(dead_code)] // each test file uses a different subset

use js_sys::{Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where scripts/test-wasm.sh writes the servers it started (all on free ports), relative to the
/// package root, which wasm-bindgen's test runner also serves: read at run time, so a run on
/// other ports rebuilds nothing.
const SERVERS_JSON: &str = "/target/test-wasm/servers.json";

thread_local! {
    static SERVERS: JsValue = load_servers();
    /// Each URL once, as a `&'static str` for the whole run of the test binary.
    static URLS: std::cell::RefCell<std::collections::HashMap<&'static str, &'static str>> =
        Default::default();
}

/// The servers' file, read once with a synchronous XMLHttpRequest from the test page's own
/// origin (so every accessor below stays a plain function).
fn load_servers() -> JsValue {
    let read = Function::new_with_args(
        "path",
        "const x = new XMLHttpRequest(); x.open('GET', path, false); x.send(); \
         return x.status === 200 ? x.responseText : null;",
    );
    let text = read
        .call1(&JsValue::NULL, &SERVERS_JSON.into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_else(|| {
            panic!("{SERVERS_JSON} is missing: run the browser tests with scripts/test-wasm.sh")
        });
    JSON::parse(&text).expect("the servers' file is JSON")
}

/// One server's base URL (no trailing slash), by its name in the servers' file.
fn server(name: &'static str) -> &'static str {
    URLS.with(|urls| {
        *urls.borrow_mut().entry(name).or_insert_with(|| {
            let url = SERVERS
                .with(|s| get_str(s, name))
                .unwrap_or_else(|| panic!("{SERVERS_JSON} names no {name}"));
            Box::leak(url.trim_end_matches('/').to_owned().into_boxed_str())
        })
    })
}

/// The emulator's base URL (CAMS and STS API at `/`).
pub fn emulator() -> &'static str {
    server("emulator")
}

/// The relay's base URL (`/sts`, `/cams`).
pub fn relay() -> &'static str {
    server("relay")
}

/// A server that accepts connections and never answers, for timeouts.
pub fn stall() -> &'static str {
    server("stall")
}

/// A loopback URL where nothing listens, for refused connections.
pub fn closed() -> &'static str {
    server("closed")
}

/// A second relay whose STS credentials last 3 s, and its own emulator.
pub fn short_relay() -> &'static str {
    server("shortRelay")
}

/// A relay whose session policy allows only create and list.
pub fn narrow_relay() -> &'static str {
    server("narrowRelay")
}

pub fn short_emulator() -> &'static str {
    server("shortEmulator")
}

pub const DEMO_ID: &str = "demo-access-key-id";
pub const DEMO_SECRET: &str = "demo-access-key-secret";

/// Parses JSON text into a JS value (test inputs are written as JSON).
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON parses")
}

pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(obj, &JsValue::from_str(key), value).expect("set works on a plain object");
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// A config with the demo key, pointed at `endpoint`.
pub fn direct_config(endpoint: &str, secret: &str) -> JsValue {
    let config = Object::new();
    let creds = Object::new();
    set(&creds, "accessKeyId", &DEMO_ID.into());
    set(&creds, "accessKeySecret", &secret.into());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &endpoint.into());
    config.into()
}

/// A create request; each test uses its own phone number so tests do not see each other's codes.
pub fn create_request(phone: &str, message: &str, format: &str) -> JsValue {
    let r = Object::new();
    set(&r, "phoneNumber", &phone.into());
    set(&r, "prefilledMessage", &message.into());
    set(&r, "generateQrImage", &format.into());
    r.into()
}

pub async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// Awaits a promise that must reject with a `CamsError`, and returns the error.
pub async fn rejection(p: Promise) -> JsValue {
    match settle(p).await {
        Ok(v) => panic!(
            "expected a CamsError, got {}",
            JSON::stringify(&v)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default()
        ),
        Err(e) => {
            assert!(e.is_instance_of::<js_sys::Error>(), "rejects with an Error");
            assert_eq!(get_str(&e, "name").as_deref(), Some("CamsError"));
            e
        }
    }
}

pub fn code(e: &JsValue) -> String {
    get_str(e, "code").unwrap_or_default()
}

/// A thrown (synchronous) CamsError from a `Result` export.
pub fn thrown(r: Result<impl std::fmt::Debug, JsValue>) -> JsValue {
    let e = r.expect_err("expected a thrown CamsError");
    assert_eq!(get_str(&e, "name").as_deref(), Some("CamsError"));
    e
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> Promise;
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch_init(url: &str, init: &JsValue) -> Promise;
}

/// GET `url`: status, content type and body bytes.
pub async fn fetch_bytes(url: &str) -> (u16, String, Vec<u8>) {
    let resp = JsFuture::from(global_fetch(url))
        .await
        .expect("fetch works");
    let status = get(&resp, "status").as_f64().unwrap_or(0.0) as u16;
    let headers = get(&resp, "headers");
    let get_header: Function = get(&headers, "get").unchecked_into();
    let ctype = get_header
        .call1(&headers, &"content-type".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let array_buffer: Function = get(&resp, "arrayBuffer").unchecked_into();
    let buf = JsFuture::from(Promise::from(
        array_buffer.call0(&resp).expect("arrayBuffer"),
    ))
    .await
    .expect("body reads");
    (status, ctype, Uint8Array::new(&buf).to_vec())
}

/// The emulator's request counter (`GET /__emulator/stats`).
pub async fn emulator_requests() -> f64 {
    let (_, _, body) = fetch_bytes(&format!("{}/__emulator/stats", emulator())).await;
    let stats = js(&String::from_utf8_lossy(&body));
    get(&stats, "requests")
        .as_f64()
        .expect("stats has requests")
}

/// `POST` to an emulator test helper: as JSON, the only type its admin routes take.
pub async fn emulator_post(path_and_query: &str) {
    let init = js(r#"{"method":"POST","headers":{"Content-Type":"application/json"}}"#);
    JsFuture::from(global_fetch_init(
        &format!("{}{path_and_query}", emulator()),
        &init,
    ))
    .await
    .expect("emulator helper answers");
}

/// A JS function built from source, for providers (`Function(body)`).
pub fn js_function(body: &str) -> Function {
    Function::new_no_args(body)
}

/// Current Unix time in seconds, from the browser's clock.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let f = Function::new_with_args("ms", "return new Promise(r => setTimeout(r, ms))");
    let p: Promise = f
        .call1(&JsValue::UNDEFINED, &JsValue::from(ms))
        .expect("setTimeout")
        .unchecked_into();
    let _ = JsFuture::from(p).await;
}

/// STS AssumeRole on the emulator with the demo key, signed by the crate's own signer, as a
/// relay would do it: the reply's JSON text.
pub async fn assume_role(duration_secs: u32) -> String {
    assume_role_as(
        &TestKey {
            id: DEMO_ID.into(),
            secret: DEMO_SECRET.into(),
        },
        duration_secs,
    )
    .await
}

/// AssumeRole signed with `key`: the credentials it mints count toward `key`'s account.
pub async fn assume_role_as(key: &TestKey, duration_secs: u32) -> String {
    use cams_protocol::credentials::Credentials;
    use cams_protocol::params::{form_body, signed_params, CallContext, STS_VERSION};
    use cams_protocol::sign::Method;

    let nonce = format!("test-{}-{}", js_sys::Date::now(), js_sys::Math::random());
    let ctx = CallContext {
        action: "AssumeRole",
        version: STS_VERSION,
        unix_secs: now_secs(),
        nonce: &nonce,
    };
    let creds = Credentials {
        access_key_id: key.id.clone(),
        access_key_secret: key.secret.clone(),
        security_token: None,
    };
    let duration = duration_secs.to_string();
    let body = form_body(&signed_params(
        Method::Post,
        &ctx,
        &creds,
        &[
            ("RoleArn", "acs:ram::1234567890123456:role/cams-qrdl-test"),
            ("RoleSessionName", "browser-test"),
            ("DurationSeconds", duration.as_str()),
        ],
    ));
    let init = Object::new();
    set(&init, "method", &"POST".into());
    set(&init, "body", &body.into());
    set(
        &init,
        "headers",
        &js(r#"{"Content-Type":"application/x-www-form-urlencoded"}"#),
    );
    let resp = JsFuture::from(global_fetch_init(&format!("{}/", emulator()), &init))
        .await
        .expect("emulator answers");
    let text: Function = get(&resp, "text").unchecked_into();
    let text = JsFuture::from(Promise::from(text.call0(&resp).expect("text")))
        .await
        .expect("body reads")
        .as_string()
        .unwrap_or_default();
    assert!(
        get(&resp, "ok").as_bool().unwrap_or(false),
        "AssumeRole failed: {text}"
    );
    text
}

/// A long-term key of a test's own: its own account in the emulator, so its QPS window, its
/// injected faults and its counters are its alone while other tests run. `scripts/test-wasm.sh`
/// registers every `test_key("...")` written in `tests/web_*.rs`, with the secret `<id>-secret`.
pub struct TestKey {
    pub id: String,
    pub secret: String,
}

pub fn test_key(id: &str) -> TestKey {
    TestKey {
        id: id.to_owned(),
        secret: format!("{id}-secret"),
    }
}

/// A config with `key`, pointed at `endpoint`.
pub fn key_config(endpoint: &str, key: &TestKey) -> JsValue {
    let config = Object::new();
    let creds = Object::new();
    set(&creds, "accessKeyId", &key.id.as_str().into());
    set(&creds, "accessKeySecret", &key.secret.as_str().into());
    set(&config, "credentials", &creds);
    set(&config, "endpoint", &endpoint.into());
    config.into()
}

/// `fetch(url, init)` to an emulator helper (or any URL): status and body text.
pub async fn fetch_text(url: &str, init: &JsValue) -> (u16, String) {
    let resp = JsFuture::from(global_fetch_init(url, init))
        .await
        .expect("fetch works");
    let status = get(&resp, "status").as_f64().unwrap_or(0.0) as u16;
    let text: Function = get(&resp, "text").unchecked_into();
    let body = JsFuture::from(Promise::from(text.call0(&resp).expect("text")))
        .await
        .expect("body reads")
        .as_string()
        .unwrap_or_default();
    (status, body)
}

/// One account's emulator counters (`GET /__emulator/stats?accessKeyId=`): `requests`,
/// `byAction`, `byCode`, `accepted`, `throttled`, `faults` {throttle, serverError, drop, html,
/// latency}, `created`.
pub async fn account_stats_at(emulator_url: &str, key_id: &str) -> JsValue {
    let (status, body) = fetch_text(
        &format!("{emulator_url}/__emulator/stats?accessKeyId={key_id}"),
        &js("{}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    js(&body)
}

pub async fn account_stats(key_id: &str) -> JsValue {
    account_stats_at(emulator(), key_id).await
}

/// A number in a stats object, by path (`"faults.throttle"`); 0 when absent.
pub fn stat(stats: &JsValue, path: &str) -> f64 {
    path.split('.')
        .fold(stats.clone(), |v, key| get(&v, key))
        .as_f64()
        .unwrap_or(0.0)
}

/// Sets the emulator's fault injection (`POST /__emulator/faults`, the JSON as given).
pub async fn set_faults(json: &str) {
    let init = js(r#"{"method":"POST","headers":{"Content-Type":"application/json"}}"#);
    set(&init, "body", &json.into());
    let (status, body) = fetch_text(&format!("{}/__emulator/faults", emulator()), &init).await;
    assert_eq!(status, 200, "fault setting refused: {body}");
}

/// Clears fault injection.
pub async fn clear_faults() {
    let (status, body) = fetch_text(
        &format!("{}/__emulator/faults", emulator()),
        &js(r#"{"method":"DELETE"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The `qrdlCode`s a list reply holds.
pub fn listed_codes(list: &JsValue) -> Vec<String> {
    js_sys::Array::from(&get(list, "data"))
        .iter()
        .filter_map(|q| get_str(&q, "qrdlCode"))
        .collect()
}

thread_local! {
    static TAILS: std::cell::RefCell<std::collections::HashMap<String, Promise>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Held while a test uses something tests in the same file must not use at once (the one
/// fault setting, a shared account); released when dropped.
pub struct Exclusive {
    release: Option<Function>,
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Waits until the tests that asked for `name` before are done (or 30 s have passed: a test
/// that panicked never releases), then holds it.
pub async fn exclusive(name: &str) -> Exclusive {
    let mut release = None;
    let mine = Promise::new(&mut |resolve, _| release = Some(resolve));
    let previous = TAILS.with(|t| t.borrow_mut().insert(name.to_owned(), mine));
    if let Some(previous) = previous {
        let timeout = Promise::new(&mut |resolve, _| {
            let set_timeout: Function = get(&js_sys::global(), "setTimeout").unchecked_into();
            let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(30_000));
        });
        let _ = JsFuture::from(Promise::race(&js_sys::Array::of2(&previous, &timeout))).await;
    }
    Exclusive { release }
}

/// Wraps the page's `fetch` (once) so a test can see how the client signed what it sent: every
/// call is kept as one line, its URL, Authorization header and string body.
pub fn record_fetches() {
    let install = js_function(
        r#"
        if (globalThis.__camsFetches) return;
        globalThis.__camsFetches = [];
        const original = globalThis.fetch;
        globalThis.fetch = (input, init) => {
          const headers = new Headers(init && init.headers);
          const body = init && typeof init.body === 'string' ? init.body : '';
          globalThis.__camsFetches.push(`${input} ${headers.get('authorization') ?? ''} ${body}`);
          return original(input, init);
        };
        "#,
    );
    let _ = install.call0(&JsValue::UNDEFINED);
}

/// The signature versions of the recorded calls that mention `needle` (a test's own phone number):
/// "v3" for an ACS3-HMAC-SHA256 Authorization header, "v2" for SignatureVersion=1.0.
pub fn signed_versions(needle: &str) -> Vec<&'static str> {
    let calls = get(&js_sys::global(), "__camsFetches");
    js_sys::Array::from(&calls)
        .iter()
        .filter_map(|c| c.as_string())
        .filter(|c| c.contains(needle))
        .map(|c| {
            if c.contains("ACS3-HMAC-SHA256") {
                "v3"
            } else if c.contains("SignatureVersion=1.0") {
                "v2"
            } else {
                "unsigned"
            }
        })
        .collect()
}
