//! Test fixtures: recording mock upstreams, a relay started in production mode against them (or
//! in emulate mode), a plain HTTP client and raw TCP requests.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use cams_protocol::encode::parse_form;
use cams_protocol::time::format_timestamp;
use cams_relay::cli::Cli;
use cams_relay::config::{self, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_ROLE_ARN};
use cams_relay::server::{self, Running};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The relay's own long-term key in production-mode tests; it must never leave the relay.
pub const RELAY_KEY_ID: &str = "LTAIrelayUnderTest";
pub const RELAY_SECRET: &str = "relay-Secret-9f3Kq+/=x";
/// A body `/cams` forwards (one of the four QR actions of CAMS 2020-06-06), for tests about
/// everything but the action check.
pub const QR_BODY: &str = "Action=ListPhoneMessageQrdl&Version=2020-06-06";
pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/cams-qrdl-browser";

/// One request a mock received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<String> {
        parse_form(&String::from_utf8_lossy(&self.body))
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// What a mock answers.
pub struct MockReply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl MockReply {
    pub fn json(status: u16, body: &str) -> MockReply {
        MockReply {
            status,
            headers: vec![("content-type", "application/json;charset=utf-8".into())],
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }
}

type Responder = Arc<dyn Fn(&Seen) -> MockReply + Send + Sync>;

#[derive(Clone)]
struct MockState {
    seen: Arc<Mutex<Vec<Seen>>>,
    respond: Responder,
}

/// An HTTP server that records every request and answers with `respond`.
pub struct Mock {
    pub url: String,
    pub authority: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    pub async fn start(respond: impl Fn(&Seen) -> MockReply + Send + Sync + 'static) -> Mock {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = MockState {
            seen: Arc::clone(&seen),
            respond: Arc::new(respond),
        };
        let router = Router::new().fallback(record).with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Mock {
            url: format!("http://{addr}/"),
            authority: addr.to_string(),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

async fn record(
    State(state): State<MockState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = Seen {
        method,
        uri,
        headers,
        body: body.to_vec(),
    };
    let reply = (state.respond)(&seen);
    state.seen.lock().unwrap().push(seen);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .append(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

/// A mock CAMS that answers every call with `{"Code":"OK",...}`.
pub async fn ok_cams() -> Mock {
    Mock::start(|_| MockReply::json(200, r#"{"RequestId":"R-OK","Code":"OK","Message":"OK"}"#))
        .await
}

/// A mock that must never be reached.
pub async fn evil() -> Mock {
    Mock::start(|_| MockReply::json(200, r#"{"Code":"OK","Message":"evil"}"#)).await
}

/// A mock STS minting credentials valid for the requested DurationSeconds from `clock`; every
/// mint gets new values (`STS.mock<n>`), and answers after `delay`.
pub async fn mock_sts(clock: Arc<AtomicI64>, delay: Duration) -> Mock {
    let minted = AtomicUsize::new(0);
    Mock::start(move |seen| {
        let n = minted.fetch_add(1, Ordering::SeqCst) + 1;
        let duration: i64 = seen
            .param("DurationSeconds")
            .and_then(|d| d.parse().ok())
            .unwrap_or(3600);
        let now = clock.load(Ordering::SeqCst);
        let expiration = format_timestamp(now + duration);
        let body = format!(
            r#"{{"RequestId":"R-{n}","AssumedRoleUser":{{"Arn":"a","AssumedRoleId":"b"}},"Credentials":{{"AccessKeyId":"STS.mock{n}","AccessKeySecret":"mock-sts-secret-{n}","SecurityToken":"CAIS-mock+token/{n}=","Expiration":"{expiration}"}}}}"#
        );
        let mut reply = MockReply {
            delay,
            ..MockReply::json(200, &body)
        };
        // STS's own clock, as the relay reads it.
        reply
            .headers
            .push(("date", cams_protocol::time::format_http_date(now)));
        reply
    })
    .await
}

/// The system time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn production_env(name: &str) -> Option<String> {
    match name {
        n if n == ENV_ACCESS_KEY_ID => Some(RELAY_KEY_ID.into()),
        n if n == ENV_ACCESS_KEY_SECRET => Some(RELAY_SECRET.into()),
        n if n == ENV_ROLE_ARN => Some(ROLE_ARN.into()),
        _ => None,
    }
}

fn cli(extra: &[&str]) -> Cli {
    let mut args = vec![
        "cams-relay",
        "--listen",
        "127.0.0.1:0",
        "--www",
        "tests/relay_api/no-such-www",
    ];
    args.extend_from_slice(extra);
    Cli::try_parse_from(args).unwrap()
}

/// A production-mode relay whose upstreams are the given mocks (`--allow-any-upstream`), with
/// no per-client rate limits unless `extra` sets them (tests of other things fire requests
/// faster than a browser may).
pub async fn production(cams: &Mock, sts: &Mock, extra: &[&str]) -> Running {
    let mut args = extra.to_vec();
    for flag in ["--cams-rate-limit", "--sts-rate-limit"] {
        if !extra.contains(&flag) {
            args.extend([flag, "0"]);
        }
    }
    production_with_default_limits(cams, sts, &args).await
}

/// [`production`] with the relay's own default rate limits.
pub async fn production_with_default_limits(cams: &Mock, sts: &Mock, extra: &[&str]) -> Running {
    let mut args = vec![
        "--allow-any-upstream",
        "--cams-endpoint",
        &cams.url,
        "--sts-endpoint",
        &sts.url,
    ];
    args.extend_from_slice(extra);
    let plan = config::plan(&cli(&args), production_env).unwrap();
    server::start(plan).await.unwrap()
}

/// A production-mode start that must fail; returns the error text.
pub async fn production_refused(extra: &[&str]) -> String {
    let plan = config::plan(&cli(extra), production_env).unwrap();
    match server::start(plan).await {
        Ok(_) => panic!("the relay started with {extra:?}"),
        Err(e) => format!("{e:#}"),
    }
}

/// An emulate-mode relay (no production variables), emulator on a free port.
pub async fn emulated(extra: &[&str]) -> Running {
    let mut args = vec!["--emulator-listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let plan = config::plan(&cli(&args), |_| None).unwrap();
    server::start(plan).await.unwrap()
}

/// An emulate-mode start that must fail; returns the error text.
pub async fn emulated_refused(extra: &[&str]) -> String {
    let mut args = vec!["--emulator-listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let plan = config::plan(&cli(&args), |_| None).unwrap();
    match server::start(plan).await {
        Ok(_) => panic!("the relay started with {extra:?}"),
        Err(e) => format!("{e:#}"),
    }
}

/// `http://<relay>` + `path`.
pub fn at(relay: &Running, path: &str) -> String {
    format!("http://{}{path}", relay.relay_addr)
}

/// A client for the tests themselves.
pub fn client() -> reqwest::Client {
    cams_relay::upstream_client::build(Duration::from_secs(30)).unwrap()
}

/// A reply read whole.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Got {
    pub async fn from(r: reqwest::Response) -> Got {
        Got {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    pub fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// No header that would let a cross-site page read the reply.
    pub fn assert_no_cors(&self) {
        for name in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-expose-headers",
        ] {
            assert!(self.headers.get(name).is_none(), "{name} on {self:?}");
        }
    }
}

pub async fn get(url: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Got::from(req.send().await.unwrap()).await
}

pub async fn post(url: &str, headers: &[(&str, &str)], body: impl Into<reqwest::Body>) -> Got {
    let mut req = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Got::from(req.body(body).send().await.unwrap()).await
}

/// Sends `request` as is over TCP and returns the whole reply text (the request should say
/// `Connection: close`).
pub async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of a raw HTTP/1.1 reply.
pub fn raw_status(reply: &str) -> u16 {
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {reply:?}"))
}
