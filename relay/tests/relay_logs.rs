//! No secret reaches a log line or a reply: every line the relay (and its emulator) logs while
//! serving `/sts` and `/cams`, successes and failures alike, is captured and searched for the
//! relay's own AccessKeySecret, the STS secret and SecurityToken it hands out (as is and
//! percent-encoded), and the signatures sent.
//!
//! Its own test binary: it installs the process-wide tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Router;
use cams_protocol::credentials::Credentials;
use cams_protocol::encode::{parse_form, percent_encode};
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::sign::Method;
use cams_relay::cli::Cli;
use cams_relay::config;
use cams_relay::server::{self, Running};
use clap::Parser;
use tokio::net::TcpListener;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const RELAY_SECRET: &str = "prod-relay-Secret+/=42";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn client() -> reqwest::Client {
    cams_relay::upstream_client::build(Duration::from_secs(30)).unwrap()
}

async fn start(args: &[&str], env: fn(&str) -> Option<String>) -> Running {
    let mut all = vec![
        "cams-relay",
        "--listen",
        "127.0.0.1:0",
        "--emulator-listen",
        "127.0.0.1:0",
    ];
    all.extend_from_slice(args);
    server::start(config::plan(&Cli::try_parse_from(all).unwrap(), env).unwrap())
        .await
        .unwrap()
}

async fn post_form(relay: &Running, body: String) -> (u16, String) {
    let r = client()
        .post(format!("http://{}/cams", relay.relay_addr))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A signed CAMS call; returns the body sent and its Signature.
fn signed(creds: &Credentials, action: &str) -> (String, String) {
    let nonce = uuid::Uuid::new_v4().to_string();
    let ctx = CallContext {
        action,
        version: CAMS_VERSION,
        unix_secs: now(),
        nonce: &nonce,
    };
    let params = signed_params(
        Method::Post,
        &ctx,
        creds,
        &[("PhoneNumber", "8613800009999")],
    );
    let sig = params
        .iter()
        .find(|(k, _)| k == "Signature")
        .unwrap()
        .1
        .clone();
    (form_body(&params), sig)
}

/// A mock STS that records the AssumeRole body and answers with an error echoing the secret.
async fn echoing_sts() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let router = Router::new()
        .fallback(|State(seen): State<Arc<Mutex<Vec<String>>>>, body: Bytes| async move {
            seen.lock().unwrap().push(String::from_utf8_lossy(&body).into_owned());
            (
                StatusCode::BAD_REQUEST,
                format!(
                    r#"{{"RequestId":"R","Code":"SignatureDoesNotMatch","Message":"{RELAY_SECRET} {}"}}"#,
                    percent_encode(RELAY_SECRET)
                ),
            )
        })
        .with_state(Arc::clone(&seen));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

#[tokio::test]
async fn no_secret_token_or_signature_in_any_log_line_or_reply() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug,cams_relay=trace"))
        .init();

    let mut needles: Vec<String> = Vec::new();
    let mut replies: Vec<String> = Vec::new();

    // Emulate mode: mint, call, and fail a signature (whose message carries the token).
    let relay = start(&[], |_| None).await;
    needles.push(relay.config.identity.credentials.access_key_secret.clone());
    let sts = client()
        .get(format!("http://{}/sts", relay.relay_addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let creds = cams_protocol::sts::parse_credentials(&sts, "relay")
        .unwrap()
        .credentials;
    let token = creds.security_token.clone().unwrap();
    needles.push(creds.access_key_secret.clone());
    needles.push(token.clone());
    needles.push(percent_encode(&token));
    needles.push(percent_encode(&percent_encode(&token)));

    let (body, sig) = signed(&creds, "ListPhoneMessageQrdl");
    needles.push(sig);
    let (status, text) = post_form(&relay, body).await;
    assert_eq!(status, 200, "{text}");
    replies.push(text);
    let wrong = Credentials {
        access_key_secret: "wrong".into(),
        ..creds.clone()
    };
    let (body, sig) = signed(&wrong, "ListPhoneMessageQrdl");
    needles.push(sig);
    let (status, text) = post_form(&relay, body).await;
    assert_eq!(status, 400);
    assert!(text.contains("SignatureDoesNotMatch"));
    relay.shutdown().await.unwrap();

    // Production mode: STS refuses and echoes the relay's secret in its message.
    let (sts_url, seen) = echoing_sts().await;
    let args = [
        "--allow-any-upstream",
        "--sts-endpoint",
        sts_url.as_str(),
        "--cams-endpoint",
        sts_url.as_str(),
    ];
    let relay = start(&args, |name| match name {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAIlogtest".into()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(RELAY_SECRET.into()),
        "ALIBABA_CLOUD_ROLE_ARN" => Some("acs:ram::1234567890123456:role/r".into()),
        _ => None,
    })
    .await;
    needles.push(RELAY_SECRET.into());
    needles.push(percent_encode(RELAY_SECRET));
    let r = client()
        .get(format!("http://{}/sts", relay.relay_addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 502);
    replies.push(r.text().await.unwrap());
    let sent = seen.lock().unwrap()[0].clone();
    let assume_role_signature = parse_form(&sent)
        .into_iter()
        .find(|(k, _)| k == "Signature")
        .unwrap()
        .1;
    needles.push(assume_role_signature.clone());
    needles.push(percent_encode(&assume_role_signature));
    relay.shutdown().await.unwrap();

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("relay request") && log.contains("minted STS credentials"),
        "{log}"
    );
    assert!(
        log.contains("SignatureDoesNotMatch"),
        "the codes are logged: {log}"
    );
    for needle in &needles {
        assert!(
            needle.len() >= 6,
            "needle too short to mean anything: {needle}"
        );
        for (i, line) in log.lines().enumerate() {
            assert!(
                !line.contains(needle.as_str()),
                "log line {i} holds a secret: {line}"
            );
        }
    }
    for reply in &replies {
        assert!(
            !reply.contains(RELAY_SECRET) && !reply.contains(&percent_encode(RELAY_SECRET)),
            "{reply}"
        );
    }
}
