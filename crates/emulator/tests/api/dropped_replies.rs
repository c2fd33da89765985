//! Over real sockets: a dropped reply (the request is served, then the connection closes before
//! a single byte) and the `Date` of a shifted clock.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cams_emulator::{listener, Emulator, EmulatorConfig};
use cams_protocol::credentials::Credentials;
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::sign::Method as SignMethod;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use url::Url;

use crate::harness::{demo_key, PHONE};

/// An emulator on its own listener (as `cams-relay` serves it); stops when dropped.
struct Live {
    addr: SocketAddr,
    emu: Arc<Emulator>,
    _stop: oneshot::Sender<()>,
}

async fn live() -> Live {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let emu = Emulator::new(
        EmulatorConfig {
            qps_limit: 0,
            ..EmulatorConfig::default()
        },
        Url::parse(&format!("http://{addr}/")).unwrap(),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(listener::serve(listener, emu.router(), async {
        let _ = stopped.await;
    }));
    Live {
        addr,
        emu,
        _stop: stop,
    }
}

/// A raw HTTP/1.1 request.
fn request(method: &str, path: &str, content_type: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A signed CAMS call as a raw request.
fn signed(emu: &Emulator, creds: &Credentials, action: &str, business: &[(&str, &str)]) -> String {
    let nonce = uuid::Uuid::new_v4().to_string();
    let ctx = CallContext {
        action,
        version: CAMS_VERSION,
        unix_secs: emu.clock.now_secs(),
        nonce: &nonce,
    };
    let params = signed_params(SignMethod::Post, &ctx, creds, business);
    request(
        "POST",
        "/",
        "application/x-www-form-urlencoded",
        &form_body(&params),
    )
}

fn create(emu: &Emulator, message: &str) -> String {
    signed(
        emu,
        &demo_key(),
        "CreatePhoneMessageQrdl",
        &[
            ("PhoneNumber", PHONE),
            ("PrefilledMessage", message),
            ("GenerateQrImage", "PNG"),
        ],
    )
}

fn list(emu: &Emulator) -> String {
    signed(
        emu,
        &demo_key(),
        "ListPhoneMessageQrdl",
        &[("PhoneNumber", PHONE)],
    )
}

/// Everything the server sends until it closes the connection (EOF or reset), or `None` if it
/// keeps it open for 5 s.
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// One complete response (headers and a Content-Length body) from a kept-alive connection.
async fn read_response(stream: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap();
            if got.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                return (status, head, got[end + 4..end + 4 + length].to_vec());
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("a response in time")
            .unwrap();
        assert_ne!(
            n,
            0,
            "closed mid-response: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
}

/// A whole exchange on a fresh connection.
async fn exchange(addr: SocketAddr, raw: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    read_response(&mut stream).await
}

async fn set_faults(addr: SocketAddr, json: &str) {
    let (status, _, body) = exchange(
        addr,
        &request("POST", "/__emulator/faults", "application/json", json),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

async fn codes_listed(live: &Live) -> Vec<Value> {
    let (status, _, body) = exchange(live.addr, &list(&live.emu)).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["Data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_drop_closes_the_connection_without_a_byte_after_the_create_ran() {
    let live = live().await;
    set_faults(
        live.addr,
        r#"{"dropRate":1,"actions":["CreatePhoneMessageQrdl"]}"#,
    )
    .await;
    let mut stream = TcpStream::connect(live.addr).await.unwrap();
    stream
        .write_all(create(&live.emu, "made, never told").as_bytes())
        .await
        .unwrap();
    let got = read_until_closed(&mut stream)
        .await
        .expect("the connection closes");
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));

    let codes = codes_listed(&live).await;
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0]["PrefilledMessage"], "made, never told");
    let stats = live.emu.stats.snapshot();
    assert_eq!(
        (stats["faults"]["drop"].as_u64(), stats["created"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn a_kept_alive_connection_gets_its_earlier_replies_then_nothing() {
    let live = live().await;
    set_faults(
        live.addr,
        r#"{"dropRate":1,"actions":["CreatePhoneMessageQrdl"]}"#,
    )
    .await;
    let mut stream = TcpStream::connect(live.addr).await.unwrap();
    stream.write_all(list(&live.emu).as_bytes()).await.unwrap();
    let (status, _, _) = read_response(&mut stream).await;
    assert_eq!(status, 200);
    stream
        .write_all(create(&live.emu, "second").as_bytes())
        .await
        .unwrap();
    let got = read_until_closed(&mut stream)
        .await
        .expect("the connection closes");
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
}

#[tokio::test]
async fn fail_first_drops_once_and_the_retry_creates_a_second_code() {
    let live = live().await;
    set_faults(live.addr, r#"{"dropRate":1,"failFirst":1}"#).await;
    let mut stream = TcpStream::connect(live.addr).await.unwrap();
    stream
        .write_all(create(&live.emu, "try").as_bytes())
        .await
        .unwrap();
    assert_eq!(read_until_closed(&mut stream).await, Some(Vec::new()));
    let (status, _, _) = exchange(live.addr, &create(&live.emu, "try")).await;
    assert_eq!(status, 200);
    // Creating is not idempotent: the dropped call's code exists too.
    assert_eq!(codes_listed(&live).await.len(), 2);
}

#[tokio::test]
async fn the_date_header_follows_the_shifted_clock() {
    let live = live().await;
    let (status, _, _) = exchange(
        live.addr,
        &request(
            "POST",
            "/__emulator/clock",
            "application/json",
            r#"{"offsetSeconds":7200}"#,
        ),
    )
    .await;
    assert_eq!(status, 200);
    let (status, head, _) = exchange(live.addr, &list(&live.emu)).await;
    assert_eq!(status, 200);
    let date = head.lines().find_map(|l| l.strip_prefix("date: ")).unwrap();
    let ahead = httpdate::parse_http_date(date)
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap()
        .as_secs();
    assert!((7195..=7201).contains(&ahead), "{ahead}");
}
