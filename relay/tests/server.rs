//! The relay as it runs: listeners on ephemeral ports, the static page and its headers,
//! `/healthz`, `/relay.json`, the relay's own identity in the emulator, graceful shutdown, and the
//! binary's banner and signal handling.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use cams_protocol::params::{form_body, signed_params, CallContext, STS_VERSION};
use cams_protocol::sign::Method;
use cams_relay::cli::Cli;
use cams_relay::config::{self, Mode};
use cams_relay::server::{self, Running};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A reply read off the wire.
struct Wire {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// One HTTP/1.1 exchange with `Connection: close`.
async fn exchange(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> Wire {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(b) = body {
        request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Wire {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn temp_www() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cams-relay-www-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    std::fs::write(dir.join("pkg/cams_qrdl_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("pkg/cams_qrdl.js"), "export default 1;").unwrap();
    dir
}

async fn start(www: &std::path::Path) -> Running {
    let cli = Cli::try_parse_from([
        "cams-relay",
        "--listen",
        "127.0.0.1:0",
        "--emulator-listen",
        "127.0.0.1:0",
        "--www",
        www.to_str().unwrap(),
    ])
    .unwrap();
    let plan = config::plan(&cli, |_| None).unwrap();
    server::start(plan).await.unwrap()
}

#[tokio::test]
async fn emulate_mode_serves_the_page_health_and_connection_info() {
    let www = temp_www();
    let running = start(&www).await;
    let relay = running.relay_addr;
    assert_ne!(relay.port(), 0);
    let emulator = running.emulator.as_ref().unwrap();
    assert_ne!(emulator.addr.port(), 0);
    assert_eq!(running.config.mode, Mode::Emulate);
    assert_eq!(running.config.upstreams.cams, emulator.url);
    assert_eq!(running.config.upstreams.sts, emulator.url);

    let health = exchange(relay, "GET", "/healthz", None).await;
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok"[..]));

    let info = exchange(relay, "GET", "/relay.json", None).await.json();
    assert_eq!(info["mode"], "emulate");
    assert_eq!(info["sts"], "/sts");
    assert_eq!(info["cams"], "/cams");
    assert_eq!(info["emulator"], format!("http://{}", emulator.addr));
    // What a browser signs as `host` for V3 calls through /cams: the emulator's host and port.
    assert_eq!(info["camsHost"], emulator.addr.to_string());

    let index = exchange(relay, "GET", "/", None).await;
    assert_eq!(index.status, 200);
    assert!(index
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let csp = cams_relay::page_headers::page_csp(Mode::Emulate, Some(&emulator.url), &[]).unwrap();
    assert_eq!(index.header("content-security-policy"), Some(csp.as_str()));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));
    assert!(index
        .header("permissions-policy")
        .is_some_and(|p| p.contains("camera=()")));
    // No HSTS without --hsts (the relay speaks plain HTTP).
    assert_eq!(index.header("strict-transport-security"), None);

    let wasm = exchange(relay, "GET", "/pkg/cams_qrdl_bg.wasm", None).await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(&wasm.body[..4], b"\0asm");
    let js = exchange(relay, "GET", "/pkg/cams_qrdl.js", None).await;
    assert!(js.header("content-type").unwrap().contains("javascript"));
    // Public files, readable cross-origin (an embedding dashboard imports them).
    for file in [&wasm, &js, &index] {
        assert_eq!(file.header("access-control-allow-origin"), Some("*"));
    }

    let missing = exchange(relay, "GET", "/nope.html", None).await;
    assert_eq!(missing.status, 404);

    // The emulator's test helpers are not on the relay's listener.
    let helper = exchange(relay, "POST", "/__emulator/html", Some("")).await;
    assert_ne!(helper.status, 200);

    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(www).ok();
}

#[tokio::test]
async fn the_relays_identity_can_assume_its_role_in_the_emulator() {
    let www = temp_www();
    let running = start(&www).await;
    let emulator = running.emulator.as_ref().unwrap();
    let identity = &running.config.identity;
    let now = emulator.state.clock.now_secs();
    let nonce = uuid::Uuid::new_v4().to_string();
    let ctx = CallContext {
        action: "AssumeRole",
        version: STS_VERSION,
        unix_secs: now,
        nonce: &nonce,
    };
    let params = signed_params(
        Method::Post,
        &ctx,
        &identity.credentials,
        &[
            ("RoleArn", identity.role_arn.as_str()),
            ("RoleSessionName", "relay-test"),
        ],
    );
    let reply = exchange(emulator.addr, "POST", "/", Some(&form_body(&params))).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert!(reply.json()["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("STS."));
    // Its secret is its own, not the demo key's, and never in Debug output.
    assert_ne!(identity.credentials.access_key_id, "testid");
    assert!(!format!("{:?}", running.config).contains(&identity.credentials.access_key_secret));

    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(www).ok();
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() {
    let www = temp_www();
    let first = start(&www).await;
    let taken = first.relay_addr.to_string();
    let cli = Cli::try_parse_from([
        "cams-relay",
        "--listen",
        &taken,
        "--emulator-listen",
        "127.0.0.1:0",
    ])
    .unwrap();
    let err = server::start(config::plan(&cli, |_| None).unwrap())
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("--listen"), "{err:#}");
    first.shutdown().await.unwrap();
    std::fs::remove_dir_all(www).ok();
}

#[test]
fn the_binary_prints_its_urls_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cams-relay"))
        .args([
            "--emulate",
            "--listen",
            "127.0.0.1:0",
            "--emulator-listen",
            "127.0.0.1:0",
            "--emulator-access-key",
            "AKID1:secret-one",
        ])
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .env_remove("ALIBABA_CLOUD_ROLE_ARN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let emulator_line = lines.next().unwrap().unwrap();
    let serving_line = lines.next().unwrap().unwrap();
    assert!(
        emulator_line.starts_with("cams-relay: emulator listening on http://127.0.0.1:"),
        "{emulator_line}"
    );
    assert!(
        emulator_line.contains("access keys: demo-access-key-id, AKID1"),
        "{emulator_line}"
    );
    assert!(!emulator_line.contains("secret-one"));
    assert!(
        serving_line.starts_with("cams-relay: serving http://127.0.0.1:"),
        "{serving_line}"
    );
    assert!(serving_line.contains("mode: emulate"), "{serving_line}");
    let url = serving_line.split_whitespace().nth(2).unwrap();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health = runtime.block_on(exchange(addr, "GET", "/healthz", None));
    assert_eq!(health.status, 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert_eq!(lines.next().unwrap().unwrap(), "cams-relay: shutting down");
}

#[tokio::test]
async fn only_what_the_www_directory_publishes_is_served() {
    let www = temp_www();
    let outside = std::env::temp_dir().join(format!("cams-relay-outside-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(
        outside.join("secret.txt"),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET=x",
    )
    .unwrap();
    std::fs::write(outside.join("dir/index.html"), "outside index").unwrap();
    std::fs::write(www.join(".env"), "ALIBABA_CLOUD_ACCESS_KEY_SECRET=y").unwrap();
    std::fs::create_dir_all(www.join(".git")).unwrap();
    std::fs::write(www.join(".git/config"), "[remote]").unwrap();
    std::fs::create_dir_all(www.join(".well-known")).unwrap();
    std::fs::write(www.join(".well-known/security.txt"), "Contact: x").unwrap();
    std::fs::write(www.join("pkg/cams_qrdl.d.ts"), "export function f(): void;").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(outside.join("secret.txt"), www.join("leak.txt")).unwrap();
        symlink(outside.join("dir"), www.join("linked")).unwrap();
        // A link that stays inside is fine.
        symlink(www.join("index.html"), www.join("home.html")).unwrap();
    }
    let running = start(&www).await;
    let relay = running.relay_addr;
    for path in [
        "/.env",
        "/.git/config",
        "/%2egit/config",
        "/pkg/%2E%2E/.env",
        "/leak.txt",
        "/linked/",
        "/linked/index.html",
    ] {
        let got = exchange(relay, "GET", path, None).await;
        assert_eq!(got.status, 404, "{path}");
        let body = String::from_utf8_lossy(&got.body);
        assert!(
            !body.contains("SECRET") && !body.contains("outside"),
            "{path}: {body}"
        );
    }
    let ok = exchange(relay, "GET", "/.well-known/security.txt", None).await;
    assert_eq!(ok.status, 200);
    #[cfg(unix)]
    assert_eq!(exchange(relay, "GET", "/home.html", None).await.status, 200);
    let dts = exchange(relay, "GET", "/pkg/cams_qrdl.d.ts", None).await;
    assert_eq!(dts.status, 200);
    assert_eq!(
        dts.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(dts.header("x-content-type-options"), Some("nosniff"));
    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(www).ok();
    std::fs::remove_dir_all(outside).ok();
}

/// A GET with `headers`, through a client that neither asks for nor decodes compression itself.
async fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Wire {
    let client = cams_relay::upstream_client::build(Duration::from_secs(30)).unwrap();
    let mut request = client.get(format!("http://{addr}{path}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status().as_u16();
    let headers = reply
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    Wire {
        status,
        headers,
        body: reply.bytes().await.unwrap().to_vec(),
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut std::io::Cursor::new(bytes), &mut out).unwrap();
    out
}

#[tokio::test]
async fn static_files_are_compressed_as_the_browser_asks_and_api_replies_are_not() {
    let www = temp_www();
    let script = "export const greeting = 'Hello from the store';\n".repeat(400);
    std::fs::write(www.join("pkg/glue.js"), &script).unwrap();
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(7u8, 20_000));
    std::fs::write(www.join("pkg/big_bg.wasm"), &wasm).unwrap();
    let running = start(&www).await;
    let relay = running.relay_addr;

    for (path, original) in [
        ("/pkg/glue.js", script.as_bytes()),
        ("/pkg/big_bg.wasm", &wasm),
    ] {
        let br = get_with(relay, path, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(br.status, 200, "{path}");
        assert_eq!(br.header("content-encoding"), Some("br"), "{path}");
        assert!(
            br.body.len() < original.len() / 4,
            "{path}: {} bytes",
            br.body.len()
        );
        assert_eq!(unbrotli(&br.body), original, "{path}");
        assert!(br
            .header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
        // The page's headers stay.
        assert_eq!(br.header("access-control-allow-origin"), Some("*"));
        assert_eq!(br.header("x-content-type-options"), Some("nosniff"));
        assert!(br.header("content-security-policy").is_some());

        let gz = get_with(relay, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gunzip(&gz.body), original, "{path}");

        let plain = get_with(relay, path, &[]).await;
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        assert_eq!(plain.body, original, "{path}");
    }
    let wasm_type = get_with(relay, "/pkg/big_bg.wasm", &[("accept-encoding", "br")]).await;
    assert_eq!(wasm_type.header("content-type"), Some("application/wasm"));
    // A range request gets its bytes as they are.
    let range = get_with(
        relay,
        "/pkg/glue.js",
        &[("accept-encoding", "gzip, br"), ("range", "bytes=0-9")],
    )
    .await;
    assert_eq!(range.status, 206);
    assert_eq!(range.header("content-encoding"), None);
    assert_eq!(range.body, &script.as_bytes()[..10]);

    // The API answers plainly, whatever the browser accepts.
    for path in ["/relay.json", "/sts", "/healthz"] {
        let reply = get_with(relay, path, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-encoding"), None, "{path}");
        if path != "/healthz" {
            reply.json();
        }
    }
    let client = cams_relay::upstream_client::build(Duration::from_secs(30)).unwrap();
    let refused = client
        .post(format!("http://{relay}/cams"))
        .header("accept-encoding", "gzip, br")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=DescribeInstances&Version=2020-06-06")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    let body: serde_json::Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert!(body["Code"].is_string(), "{body}");

    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(www).ok();
}
