//! A fuzz target for the relay's request handling: arbitrary methods, paths, queries, `Host`,
//! `Origin` and `Authorization` headers (none, one, several, malformed) and bodies (random bytes
//! and near-valid signed forms) go through the production router, in process, against recording
//! upstreams. Whatever arrives, the relay must not panic, must mark every reply `nosniff`, and
//! must send upstream only what it exists to send: `POST /` with one of the four QR actions of
//! CAMS 2020-06-06 (never an update, list or delete signed with an anonymous caller's key, never
//! the browser's cookies or `Authorization`) and AssumeRole to STS.
//!
//! `cargo test` runs a few cases (64); set `PROPTEST_CASES` for a longer run:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --release -p cams-relay --test fuzz
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, Uri};
use axum::Router;
use cams_protocol::encode::parse_form;
use cams_relay::cli::Cli;
use cams_relay::config::{self, PlanMode, RelayConfig};
use clap::Parser;
use proptest::prelude::*;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Cases per property: `PROPTEST_CASES`, else 64.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A recording upstream; STS mints `STS.fuzz<n>` keys.
fn upstream(rt: &tokio::runtime::Runtime, sts: bool) -> (String, Log) {
    let log: Log = Arc::default();
    let minted = Arc::new(AtomicUsize::new(0));
    let state = (Arc::clone(&log), minted, sts);
    let router = Router::new()
        .fallback(
            |State((log, minted, sts)): State<(Log, Arc<AtomicUsize>, bool)>,
             method: Method,
             uri: Uri,
             headers: HeaderMap,
             body: Bytes| async move {
                log.lock().unwrap().push(Seen {
                    method,
                    uri,
                    headers,
                    body: body.to_vec(),
                });
                if sts {
                    let n = minted.fetch_add(1, Ordering::SeqCst) + 1;
                    format!(
                        r#"{{"RequestId":"R","Credentials":{{"AccessKeyId":"STS.fuzz{n}","AccessKeySecret":"s{n}","SecurityToken":"t{n}","Expiration":"2100-01-01T00:00:00Z"}}}}"#
                    )
                } else {
                    r#"{"RequestId":"R","Code":"OK","Message":"OK"}"#.to_owned()
                }
            },
        )
        .with_state(state);
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, router).await });
    (url, log)
}

/// The production router, as `routes::routes` builds it, against the two upstreams.
fn relay(cams: &str, sts: &str, www: &std::path::Path) -> Router {
    let cli = Cli::try_parse_from([
        "cams-relay",
        "--www",
        www.to_str().unwrap(),
        "--allow-any-upstream",
        "--cams-endpoint",
        cams,
        "--sts-endpoint",
        sts,
        "--auth-token",
        "tok",
        "--anonymous-actions",
        "create",
        "--allow-origin",
        "https://dash.example.com",
        "--cams-rate-limit",
        "0",
        "--sts-rate-limit",
        "0",
    ])
    .unwrap();
    let plan = config::plan(&cli, |name| match name {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAIfuzz".into()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("fuzz-secret".into()),
        "ALIBABA_CLOUD_ROLE_ARN" => Some("acs:ram::1234567890123456:role/r".into()),
        _ => None,
    })
    .unwrap();
    // Without the emulator feature, production is the only mode.
    #[allow(irrefutable_let_patterns)]
    let PlanMode::Production {
        upstreams,
        identity,
    } = plan.mode.clone()
    else {
        unreachable!("production variables are set")
    };
    let config = RelayConfig::production(&plan, upstreams, identity);
    cams_relay::routes::routes(Arc::new(config)).unwrap()
}

const ACTIONS: [&str; 7] = [
    "CreatePhoneMessageQrdl",
    "ListPhoneMessageQrdl",
    "UpdatePhoneMessageQrdl",
    "DeletePhoneMessageQrdl",
    "SendChatappMessage",
    "AssumeRole",
    "",
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    let form = (
        prop::sample::select(ACTIONS.to_vec()),
        prop_oneof![
            3 => Just("2020-06-06"),
            1 => prop::sample::select(vec!["2015-04-01", ""]),
        ],
        prop::sample::select(vec!["STS.fuzz1", "STS.fuzz2", "STS.fuzz3", "LTAIx", ""]),
        "[&=%+A-Za-z0-9]{0,40}",
        any::<bool>(),
    )
        .prop_map(|(action, version, key, tail, twice)| {
            let mut b = format!("Action={action}&Version={version}&AccessKeyId={key}&{tail}");
            if twice {
                b.push_str("&Action=DeletePhoneMessageQrdl");
            }
            b.into_bytes()
        });
    // Mostly near-valid forms, which reach the deeper checks.
    prop_oneof![1 => prop::collection::vec(any::<u8>(), 0..300), 3 => form]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("127.0.0.1".to_owned()),
        Just("localhost:8080".to_owned()),
        Just("evil.example".to_owned()),
        Just("user@127.0.0.1".to_owned()),
        Just("dash.example.com".to_owned()),
        Just("[::1]:1".to_owned()),
        "[ -~]{0,24}",
    ]
}

#[derive(Debug, Clone)]
struct Case {
    method: Method,
    path: String,
    hosts: Vec<String>,
    origin: Option<String>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![
            3 => Just(Method::POST),
            2 => Just(Method::GET),
            1 => prop::sample::select(vec![Method::OPTIONS, Method::PUT, Method::DELETE, Method::HEAD]),
        ],
        prop_oneof![
            4 => Just("/cams".to_owned()),
            2 => Just("/sts".to_owned()),
            1 => prop::sample::select(vec![
                "/healthz".to_owned(),
                "/relay.json".to_owned(),
                "/".to_owned(),
                "/.env".to_owned(),
                "/cams?x=1".to_owned(),
            ]),
            1 => "/[ -~]{0,24}",
        ],
        prop_oneof![
            3 => Just(vec!["127.0.0.1".to_owned()]),
            1 => prop::collection::vec(header_value(), 0..3),
        ],
        prop::option::of(prop_oneof![
            Just("https://dash.example.com".to_owned()),
            Just("https://evil.example".to_owned()),
            Just("null".to_owned()),
            "[ -~]{0,24}",
        ]),
        prop::option::of(prop_oneof![
            Just("Bearer tok".to_owned()),
            Just("Bearer nope".to_owned()),
            Just("Basic dG9rOg==".to_owned()),
            Just("Bearer a.b.c".to_owned()),
            "[ -~]{0,40}",
        ]),
        prop::option::of(prop_oneof![
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("application/json".to_owned()),
            "[ -~]{0,24}",
        ]),
        body(),
    )
        .prop_map(
            |(method, path, hosts, origin, authorization, content_type, body)| Case {
                method,
                path,
                hosts,
                origin,
                authorization,
                content_type,
                body,
            },
        )
}

fn request(case: &Case) -> Option<Request<Body>> {
    let mut b = Request::builder()
        .method(case.method.clone())
        .uri(Uri::try_from(case.path.as_str()).ok()?);
    for h in &case.hosts {
        b = b.header("host", h.as_str());
    }
    for (name, value) in [
        ("origin", &case.origin),
        ("authorization", &case.authorization),
        ("content-type", &case.content_type),
    ] {
        if let Some(v) = value {
            b = b.header(name, v.as_str());
        }
    }
    b = b.header("cookie", "session=browser-secret");
    b.body(Body::from(case.body.clone())).ok()
}

#[test]
fn no_request_makes_the_relay_panic_leak_or_forward_what_it_must_not() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (cams_url, cams) = upstream(&rt, false);
    let (sts_url, sts) = upstream(&rt, true);
    let www = std::env::temp_dir().join(format!("cams-relay-fuzz-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(www.join(".env"), "SECRET=1").unwrap();
    let router = rt.block_on(async { relay(&cams_url, &sts_url, &www) });
    // Keys /sts handed to callers without the token, each with the number of upstream CAMS calls
    // made before it was handed out: a call made earlier with the same key ID (a body may name
    // any key) was made with a key the relay had not issued, which it passes on for CAMS to judge.
    let anonymous_keys: Arc<Mutex<HashMap<String, usize>>> = Arc::default();

    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(case in case())| {
        let Some(req) = request(&case) else {
            return Ok(());
        };
        let (status, headers, body) = rt.block_on(async {
            let response = router.clone().oneshot(req).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            (status, headers, body)
        });
        prop_assert_eq!(
            headers.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{:?} -> {}", case, status
        );
        prop_assert!(!body.windows(8).any(|w| w == b"SECRET=1"), "a dotfile was served");
        // As the relay reads it: one header, "Bearer " in any case, the token.
        let signed_in = case.authorization.as_deref().is_some_and(|a| {
            a.len() >= 7 && a.as_bytes()[..7].eq_ignore_ascii_case(b"Bearer ") && a.as_bytes()[7..].trim_ascii() == b"tok"
        });
        if status == 200 && case.path == "/sts" && case.method == Method::GET && !signed_in {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let calls_before = cams.lock().unwrap().len();
            anonymous_keys
                .lock()
                .unwrap()
                .entry(v["AccessKeyId"].as_str().unwrap().to_owned())
                .or_insert(calls_before);
        }
        let anonymous = anonymous_keys.lock().unwrap().clone();
        for (index, call) in cams.lock().unwrap().iter().enumerate() {
            prop_assert_eq!(&call.method, &Method::POST);
            prop_assert_eq!(call.uri.path(), "/");
            prop_assert!(call.uri.query().is_none());
            prop_assert!(call.headers.get("cookie").is_none() && call.headers.get("authorization").is_none());
            let params = parse_form(&String::from_utf8_lossy(&call.body));
            let all = |name: &str| params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
            let actions = all("Action");
            prop_assert_eq!(actions.len(), 1);
            prop_assert!(ACTIONS[..4].contains(&actions[0]), "{:?}", actions);
            prop_assert_eq!(all("Version"), vec!["2020-06-06"]);
            if actions[0] != "CreatePhoneMessageQrdl" {
                let keys = all("AccessKeyId");
                let issued_by_then = |key: &str| anonymous.get(key).is_some_and(|&from| index >= from);
                prop_assert!(
                    !(keys.len() == 1 && issued_by_then(keys[0])),
                    "{} forwarded with the anonymous key {}", actions[0], keys[0]
                );
            }
        }
        for call in sts.lock().unwrap().iter() {
            let params = parse_form(&String::from_utf8_lossy(&call.body));
            prop_assert!(params.contains(&("Action".to_owned(), "AssumeRole".to_owned())));
            prop_assert!(call.headers.get("cookie").is_none() && call.headers.get("authorization").is_none());
        }
    });
    std::fs::remove_dir_all(&www).ok();
}
