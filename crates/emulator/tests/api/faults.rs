//! Fault injection: the admin API and who may call it, each kind's status, body and headers, the seeded
//! sequence, failFirst, latency, scoping by key and action, and the counters.

use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::{json, Value};

use crate::harness::{demo_key, other_key, two_keys, Harness, Reply, ADMIN_HOST, OTHER_KEY_ID};
use cams_emulator::DEMO_ACCESS_KEY_ID;

/// Two keys, no QPS limit (these tests are about faults).
fn harness() -> Harness {
    let mut config = two_keys();
    config.qps_limit = 0;
    Harness::with_config(config)
}

async fn list_count(h: &Harness) -> usize {
    h.set_faults_off().await;
    h.list_as(&demo_key()).await.assert_ok()["Data"]
        .as_array()
        .unwrap()
        .len()
}

impl Harness {
    async fn set_faults_off(&self) {
        let r = self.admin(Method::DELETE, "/__emulator/faults", None).await;
        assert_eq!(r.json()["active"], false);
    }
}

fn body_text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

#[tokio::test]
async fn the_admin_api_shows_sets_and_clears() {
    let h = harness();
    let path = "/__emulator/faults";
    let initial = h.admin(Method::GET, path, None).await.json();
    assert_eq!(
        initial,
        json!({"active": false, "config": null, "matched": 0, "injected": 0})
    );
    let set = h
        .admin(
            Method::POST,
            path,
            Some(r#"{"throttleRate":0.5,"seed":9,"actions":["ListPhoneMessageQrdl"]}"#),
        )
        .await;
    assert_eq!(set.status, 200);
    let shown = set.json();
    assert_eq!(shown["active"], true);
    assert_eq!(shown["config"]["seed"], 9);
    assert_eq!(shown["config"]["throttleRate"], 0.5);
    assert_eq!(shown["config"]["serverErrorStatus"], 503);
    assert_eq!(shown["config"]["actions"], json!(["ListPhoneMessageQrdl"]));
    assert_eq!(h.admin(Method::GET, path, None).await.json(), shown);

    // A refused setting leaves the one in force alone.
    for bad in [
        r#"{"throttleRate":1.5}"#,
        r#"{"dropRate":0.5,"htmlRate":0.6}"#,
        r#"{"serverErrorStatus":501}"#,
        r#"{"throtleRate":1}"#,
        r#"{"actions":["Nope"]}"#,
        "not json",
        "",
    ] {
        let r = h.admin(Method::POST, path, Some(bad)).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("fault setting refused"));
    }
    assert_eq!(h.admin(Method::GET, path, None).await.json(), shown);

    let cleared = h.admin(Method::DELETE, path, None).await.json();
    assert_eq!(cleared["active"], false);
    assert_eq!(h.admin(Method::GET, path, None).await.json(), initial);
}

/// A request to an admin route from a page on `origin`, as a browser sends it.
fn from_page(
    method: Method,
    path: &str,
    origin: &str,
    content_type: &str,
    body: &str,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, ADMIN_HOST)
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn preflight(origin: &str, method: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/__emulator/faults")
        .header(header::HOST, ADMIN_HOST)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_admin_api_answers_only_the_page_named_by_emulator_admin_cors() {
    let page = "http://127.0.0.1:9999";
    let mut config = two_keys();
    config.qps_limit = 0;
    config.admin_cors_origins = vec![page.to_owned()];
    let h = Harness::with_config(config);
    for method in ["POST", "DELETE"] {
        let r = h.send(preflight(page, method)).await;
        assert!(r.status.is_success(), "{method}: {}", r.status);
        assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], page);
        let methods = r.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap();
        assert!(methods.contains(method), "{methods}");
        let other = h.send(preflight("https://evil.example", method)).await;
        assert!(other
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none());
    }
    let post = from_page(
        Method::POST,
        "/__emulator/faults",
        page,
        "application/json",
        r#"{"latencyMs":1}"#,
    );
    let r = h.send(post).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], page);
}

#[tokio::test]
async fn other_sites_cannot_drive_the_admin_api() {
    let h = harness();
    let evil = "https://evil.example";
    // No CORS: a preflight gets no grant, and so neither does a JSON POST nor a DELETE.
    for method in ["POST", "DELETE"] {
        let r = h.send(preflight(evil, method)).await;
        assert!(
            r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{method}"
        );
    }
    // The requests a page may send without a preflight are refused.
    for (path, content_type, body) in [
        ("/__emulator/faults", "text/plain", r#"{"throttleRate":1}"#),
        (
            "/__emulator/faults",
            "application/x-www-form-urlencoded",
            "throttleRate=1",
        ),
        ("/__emulator/clock?offsetSeconds=3600", "text/plain", ""),
        (
            "/__emulator/clock",
            "application/x-www-form-urlencoded",
            "offsetSeconds=3600",
        ),
        (
            "/__emulator/stats/reset",
            "multipart/form-data; boundary=x",
            "",
        ),
    ] {
        let r = h
            .send(from_page(Method::POST, path, evil, content_type, body))
            .await;
        assert_eq!(r.status, 415, "{path} {content_type}");
        assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }
    // A DNS-rebinding page (its own name pointed at the emulator) is refused, JSON or not.
    let rebound = Request::builder()
        .method(Method::POST)
        .uri("/__emulator/faults")
        .header(header::HOST, "evil.example:8081")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"throttleRate":1}"#))
        .unwrap();
    assert_eq!(h.send(rebound).await.status, 403);
    let no_host = Request::builder()
        .uri("/__emulator/stats")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(no_host).await.status, 403);
    let state = h
        .admin(Method::GET, "/__emulator/faults", None)
        .await
        .json();
    assert_eq!(state["active"], false, "nothing was set");
    assert_eq!(h.emu.clock.offset_secs(), 0, "the clock did not move");
    // The API itself keeps its CORS for any origin (a browser module calls it).
    let api_preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header(header::ORIGIN, evil)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        h.send(api_preflight).await.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "*"
    );
}

#[tokio::test]
async fn throttle_refuses_before_the_action_with_retry_hints() {
    let h = harness();
    h.set_faults(r#"{"throttleRate":1,"retryAfterSeconds":2}"#)
        .await;
    let r = h.create_as(&demo_key(), "never made").await;
    r.assert_error(400, "Throttling.User");
    assert_eq!(r.message(), "Request was denied due to user flow control.");
    assert_eq!(r.headers[header::RETRY_AFTER], "2");
    assert_eq!(r.headers["x-acs-retry-after"], "2000");
    assert!(r.headers.contains_key(header::DATE));

    // One header at a time, so a client's reading of each can be tested on its own.
    h.set_faults(r#"{"throttleRate":1,"retryAfterSeconds":3,"retryAfterHeader":"Retry-After"}"#)
        .await;
    let r = h.list_as(&demo_key()).await;
    assert_eq!(r.headers[header::RETRY_AFTER], "3");
    assert!(!r.headers.contains_key("x-acs-retry-after"));
    h.set_faults(
        r#"{"throttleRate":1,"retryAfterSeconds":3,"retryAfterHeader":"x-acs-retry-after"}"#,
    )
    .await;
    let r = h.list_as(&demo_key()).await;
    assert_eq!(r.headers["x-acs-retry-after"], "3000");
    assert!(!r.headers.contains_key(header::RETRY_AFTER));

    h.set_faults(r#"{"throttleRate":1}"#).await;
    let r = h.list_as(&demo_key()).await;
    r.assert_error(400, "Throttling.User");
    assert!(!r.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(list_count(&h).await, 0);
}

#[tokio::test]
async fn server_errors_are_json_for_500_and_503_and_gateway_pages_for_502_and_504() {
    let h = harness();
    for (status, code) in [(500, "InternalError"), (503, "ServiceUnavailable")] {
        h.set_faults(&format!(
            r#"{{"serverErrorRate":1,"serverErrorStatus":{status}}}"#
        ))
        .await;
        let r = h.create_as(&demo_key(), "never made").await;
        r.assert_error(status, code);
        assert!(!r.headers.contains_key(header::RETRY_AFTER));
    }
    for (status, title) in [(502, "502 Bad Gateway"), (504, "504 Gateway Time-out")] {
        h.set_faults(&format!(
            r#"{{"serverErrorRate":1,"serverErrorStatus":{status}}}"#
        ))
        .await;
        let r = h.create_as(&demo_key(), "never made").await;
        assert_eq!(r.status, status);
        assert!(r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(r.headers.contains_key(header::DATE));
        assert!(!r.headers.contains_key("x-acs-request-id"));
        let text = body_text(&r);
        assert!(text.contains(&format!("<title>{title}</title>")), "{text}");
        assert!(serde_json::from_slice::<Value>(&r.bytes).is_err());
    }
    assert_eq!(list_count(&h).await, 0);
    let s = h.get_path("/__emulator/stats").await.json();
    assert_eq!(s["faults"]["serverError"], 4);
    assert_eq!(s["byCode"]["HTML 502"], 1);
    assert_eq!(s["byCode"]["ServiceUnavailable"], 1);
}

#[tokio::test]
async fn html_rate_answers_200_with_a_page() {
    let h = harness();
    h.set_faults(r#"{"htmlRate":1}"#).await;
    let r = h.create_as(&demo_key(), "never made").await;
    assert_eq!(r.status, 200);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(body_text(&r).starts_with("<!DOCTYPE html>"));
    assert_eq!(list_count(&h).await, 0);
    assert_eq!(
        h.get_path("/__emulator/stats").await.json()["faults"]["html"],
        1
    );
}

/// The outcome of each of `n` List calls: `.` for OK, `T` for Throttling.User, `E` for 503.
async fn pattern(h: &Harness, n: usize) -> String {
    let mut out = String::new();
    for _ in 0..n {
        let r = h.list_as(&demo_key()).await;
        out.push(match r.status.as_u16() {
            200 => '.',
            400 => 'T',
            _ => 'E',
        });
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_sequence() {
    let h = harness();
    let config = r#"{"seed":42,"throttleRate":0.3,"serverErrorRate":0.3}"#;
    h.set_faults(config).await;
    let first = pattern(&h, 40).await;
    assert!(
        first.contains('.') && first.contains('T') && first.contains('E'),
        "{first}"
    );
    h.set_faults(config).await;
    assert_eq!(pattern(&h, 40).await, first);

    // Another emulator, same setting from the start: the same sequence again.
    let mut config2 = two_keys();
    config2.qps_limit = 0;
    config2.faults = Some(cams_emulator::faults::FaultConfig::parse(config).unwrap());
    let other = Harness::with_config(config2);
    assert_eq!(pattern(&other, 40).await, first);

    h.set_faults(r#"{"seed":43,"throttleRate":0.3,"serverErrorRate":0.3}"#)
        .await;
    assert_ne!(pattern(&h, 40).await, first);
}

#[tokio::test]
async fn fail_first_faults_the_first_n_matching_calls_only() {
    let h = harness();
    h.set_faults(r#"{"failFirst":2,"serverErrorRate":1,"serverErrorStatus":503}"#)
        .await;
    assert_eq!(pattern(&h, 5).await, "EE...");
    let state = h
        .admin(Method::GET, "/__emulator/faults", None)
        .await
        .json();
    assert_eq!(
        (state["matched"].as_u64(), state["injected"].as_u64()),
        (Some(5), Some(2))
    );
    // failFirst with a small rate still faults every one of the first N.
    h.set_faults(r#"{"failFirst":3,"throttleRate":0.01}"#).await;
    assert_eq!(pattern(&h, 4).await, "TTT.");
}

#[tokio::test]
async fn latency_delays_the_reply_after_the_action() {
    let h = harness();
    h.emu.clock.set_offset_secs(3600);
    h.set_faults(r#"{"latencyMs":300,"actions":["CreatePhoneMessageQrdl"]}"#)
        .await;
    let started = Instant::now();
    let r = h.create_as(&demo_key(), "slow").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    r.assert_ok();
    // The Date is the emulator's (shifted) time when the reply was written.
    let date = httpdate::parse_http_date(r.headers[header::DATE].to_str().unwrap()).unwrap();
    let ahead = date
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .as_secs();
    assert!((3595..=3601).contains(&ahead), "{ahead}");
    // Lists are not targeted: fast.
    let started = Instant::now();
    h.list_as(&demo_key()).await.assert_ok();
    assert!(started.elapsed() < Duration::from_millis(250));
    let s = h.get_path("/__emulator/stats").await.json();
    assert_eq!(
        (s["faults"]["latency"].as_u64(), s["created"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn a_client_that_gives_up_during_the_latency_is_still_counted() {
    let h = harness();
    h.set_faults(r#"{"latencyMs":2000,"actions":["CreatePhoneMessageQrdl"]}"#)
        .await;
    // Dropping the request future mid-delay is what hyper does when the client disconnects.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        h.create_as(&demo_key(), "abandoned"),
    )
    .await;
    assert!(gave_up.is_err(), "the reply came before the delay ended");
    let s = h.get_path("/__emulator/stats").await.json();
    assert_eq!(
        (s["faults"]["latency"].as_u64(), s["created"].as_u64()),
        (Some(1), Some(1)),
        "{s}"
    );
    h.set_faults(r#"{"actions":["CreatePhoneMessageQrdl"]}"#)
        .await;
    let listed = h.list_as(&demo_key()).await.assert_ok();
    assert_eq!(listed["Data"].as_array().map(Vec::len), Some(1), "{listed}");
}

#[tokio::test]
async fn scoping_by_key_includes_the_sts_credentials_it_minted() {
    let h = harness();
    let session = h.assume_role_as(&other_key(), &[]).await;
    h.set_faults(&format!(
        r#"{{"throttleRate":1,"accessKeyId":"{OTHER_KEY_ID}"}}"#
    ))
    .await;
    h.list_as(&demo_key()).await.assert_ok();
    h.list_as(&other_key())
        .await
        .assert_error(400, "Throttling.User");
    h.list_as(&session)
        .await
        .assert_error(400, "Throttling.User");
    let s = h.get_path("/__emulator/stats").await.json();
    assert_eq!(s["perAccount"][OTHER_KEY_ID]["faults"]["throttle"], 2);
    assert_eq!(s["perAccount"][DEMO_ACCESS_KEY_ID]["faults"]["throttle"], 0);
}

#[tokio::test]
async fn scoping_by_action_and_assume_role_only_when_named() {
    let h = harness();
    h.set_faults(r#"{"throttleRate":1,"actions":["CreatePhoneMessageQrdl"]}"#)
        .await;
    h.list_as(&demo_key()).await.assert_ok();
    h.create_as(&demo_key(), "no")
        .await
        .assert_error(400, "Throttling.User");

    h.set_faults(r#"{"throttleRate":1}"#).await;
    h.assume_role(&[]).await;

    h.set_faults(r#"{"serverErrorRate":1,"actions":["AssumeRole"]}"#)
        .await;
    let r = h
        .call(
            "AssumeRole",
            &[
                ("RoleArn", "acs:ram::1234567890123456:role/r"),
                ("RoleSessionName", "s1"),
            ],
        )
        .await;
    r.assert_error(503, "ServiceUnavailable");
    assert_eq!(r.json()["HostId"], "emulator.test:8081");
    assert!(r.json()["Recommend"]
        .as_str()
        .unwrap()
        .contains("product=Sts"));
    h.list_as(&demo_key()).await.assert_ok();
}

#[tokio::test]
async fn a_drop_without_the_emulators_listener_says_so_after_the_action_ran() {
    let h = harness();
    h.set_faults(r#"{"dropRate":1}"#).await;
    h.create_as(&demo_key(), "made")
        .await
        .assert_error(500, "Emulator.DropUnavailable");
    assert_eq!(list_count(&h).await, 1);
}

#[tokio::test]
async fn faults_from_the_config_are_in_force_at_start() {
    let mut config = two_keys();
    config.faults =
        Some(cams_emulator::faults::FaultConfig::parse(r#"{"htmlRate":1,"failFirst":1}"#).unwrap());
    let h = Harness::with_config(config);
    let first = h.list_as(&demo_key()).await;
    assert_eq!(first.status, 200);
    assert!(body_text(&first).starts_with("<!DOCTYPE html>"));
    assert!(h.list_as(&demo_key()).await.assert_ok()["Data"].is_array());
    let state = h
        .admin(Method::GET, "/__emulator/faults", None)
        .await
        .json();
    assert_eq!(state["injected"], 1);
}
