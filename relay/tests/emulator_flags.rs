//! `cams-relay --emulate` over real sockets: the emulator's admin routes live on its own
//! listener only, are closed to other sites' pages, and the command line sets them up.

use std::net::SocketAddr;
use std::time::Duration;

use cams_relay::cli::Cli;
use cams_relay::{config, server};
use clap::Parser;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn request(method: &str, path: &str, content_type: &str, body: &str) -> String {
    request_to("127.0.0.1", method, path, content_type, body, "")
}

fn request_to(
    host: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
    extra: &str,
) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n{extra}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

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

async fn exchange(addr: SocketAddr, raw: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    read_response(&mut stream).await
}

#[tokio::test]
async fn admin_routes_are_on_the_emulators_listener_only_and_flags_set_them_up() {
    let cli = Cli::try_parse_from([
        "cams-relay",
        "--emulate",
        "--listen",
        "127.0.0.1:0",
        "--emulator-listen",
        "127.0.0.1:0",
        "--www",
        std::env::temp_dir().to_str().unwrap(),
        "--emulator-qps",
        "1",
        "--emulator-faults",
        r#"{"latencyMs":1,"seed":5}"#,
    ])
    .unwrap();
    let running = server::start(config::plan(&cli, |_| None).unwrap())
        .await
        .unwrap();
    let emulator = running.emulator.as_ref().unwrap().addr;

    let (status, _, body) = exchange(
        emulator,
        &request("GET", "/__emulator/faults", "text/plain", ""),
    )
    .await;
    assert_eq!(status, 200);
    let state: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (state["active"].as_bool(), state["config"]["seed"].as_u64()),
        (Some(true), Some(5))
    );
    let (_, _, body) = exchange(
        emulator,
        &request("GET", "/__emulator/stats", "text/plain", ""),
    )
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["qpsLimit"],
        1
    );

    let relay = running.relay_addr;
    for method in ["GET", "POST", "DELETE"] {
        let raw = request(method, "/__emulator/faults", "application/json", "{}");
        let (status, _, _) = exchange(relay, &raw).await;
        assert_ne!(status, 200, "{method} on the relay's listener");
    }
    // Still in force: the relay forwarded nothing to the emulator's admin routes.
    let (_, _, body) = exchange(
        emulator,
        &request("GET", "/__emulator/faults", "text/plain", ""),
    )
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["active"],
        true
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn other_sites_pages_cannot_drive_the_admin_routes() {
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "cams-relay",
            "--emulate",
            "--listen",
            "127.0.0.1:0",
            "--emulator-listen",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        config::plan(&Cli::try_parse_from(args).unwrap(), |_| None).unwrap()
    };
    let running = server::start(plan(&[])).await.unwrap();
    let emulator = running.emulator.as_ref().unwrap().addr;
    let origin = "Origin: https://evil.example\r\n";
    // A simple cross-site POST (text/plain, no preflight) is refused before it changes anything.
    let (status, head, _) = exchange(
        emulator,
        &request_to(
            "127.0.0.1",
            "POST",
            "/__emulator/faults",
            "text/plain",
            r#"{"throttleRate":1}"#,
            origin,
        ),
    )
    .await;
    assert_eq!(status, 415, "{head}");
    let (status, head, _) = exchange(
        emulator,
        &request_to(
            "127.0.0.1",
            "POST",
            "/__emulator/clock?offsetSeconds=3600",
            "application/x-www-form-urlencoded",
            "",
            origin,
        ),
    )
    .await;
    assert_eq!(status, 415, "{head}");
    // A DNS-rebinding page: its own name pointed at the emulator.
    let (status, _, _) = exchange(
        emulator,
        &request_to(
            "evil.example",
            "POST",
            "/__emulator/faults",
            "application/json",
            r#"{"throttleRate":1}"#,
            "",
        ),
    )
    .await;
    assert_eq!(status, 403);
    // No CORS on the admin routes, preflights included; the API keeps its own.
    let (_, head, _) = exchange(
        emulator,
        &request_to(
            "127.0.0.1",
            "GET",
            "/__emulator/stats",
            "text/plain",
            "",
            origin,
        ),
    )
    .await;
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );
    let preflight = "OPTIONS /__emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n\
                     Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\
                     Content-Length: 0\r\n\r\n";
    let (_, head, _) = exchange(emulator, preflight).await;
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );
    let (_, _, body) = exchange(
        emulator,
        &request("GET", "/__emulator/faults", "text/plain", ""),
    )
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["active"],
        false,
        "nothing was set"
    );
    let (_, _, body) = exchange(
        emulator,
        &request("GET", "/__emulator/clock", "text/plain", ""),
    )
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["offsetSeconds"],
        0
    );
    running.shutdown().await.unwrap();

    // --emulator-admin-cors opens them to one page (a browser test runner's), and no other.
    let page = "http://127.0.0.1:18083";
    let running = server::start(plan(&["--emulator-admin-cors", page]))
        .await
        .unwrap();
    let emulator = running.emulator.as_ref().unwrap().addr;
    let (status, head, _) = exchange(
        emulator,
        &request_to(
            "127.0.0.1",
            "POST",
            "/__emulator/clock",
            "application/json",
            r#"{"offsetSeconds":60}"#,
            &format!("Origin: {page}\r\n"),
        ),
    )
    .await;
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("access-control-allow-origin: {page}")),
        "{head}"
    );
    let (_, head, _) = exchange(
        emulator,
        &request_to(
            "127.0.0.1",
            "GET",
            "/__emulator/stats",
            "text/plain",
            "",
            origin,
        ),
    )
    .await;
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );
    running.shutdown().await.unwrap();
}
