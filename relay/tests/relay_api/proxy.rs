//! `POST /cams`: bytes in, bytes out, to the configured host only, with clear failures.

use std::net::SocketAddr;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use cams_protocol::credentials::Credentials;
use cams_relay::api;
use cams_relay::config::RelayIdentity;
use cams_relay::guard::{AllowedOrigins, Guard};
use cams_relay::proxy::{CamsProxy, MAX_BODY_BYTES};
use cams_relay::sts_vendor::{system_clock, StsSettings, StsVendor};
use tokio::net::TcpListener;

use crate::support::*;

#[tokio::test]
async fn the_body_goes_through_byte_for_byte_with_a_fresh_header_set() {
    let cams = Mock::start(|_| MockReply {
        headers: vec![
            ("content-type", "application/json;charset=utf-8".into()),
            ("date", "Tue, 24 Nov 2026 10:00:00 GMT".into()),
            ("retry-after", "2".into()),
            ("x-acs-retry-after", "2000".into()),
            ("x-acs-request-id", "R-42".into()),
            ("set-cookie", "upstream=1".into()),
            ("x-upstream-private", "1".into()),
            ("location", "http://evil.example/".into()),
        ],
        ..MockReply::json(400, r#"{"RequestId":"R-42","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#)
    })
    .await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;

    // Odd but legal form bytes: encoded and raw reserved characters, '+', UTF-8, a stray '%'.
    let body: &[u8] = b"Action=CreatePhoneMessageQrdl&Version=2020-06-06&PrefilledMessage=Hi%20there+%2B%E4%BD%A0&Raw=~*'()!&Odd=%zz&Signature=abc%2F%3D";
    let got = post(
        &at(&relay, "/cams"),
        &[
            ("cookie", "session=browser-cookie"),
            ("authorization", "Bearer browser-token"),
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-host", "evil.example"),
            ("x-custom", "1"),
            ("origin", &format!("http://{}", relay.relay_addr)),
            ("referer", "http://x/"),
        ],
        body.to_vec(),
    )
    .await;
    assert_eq!(got.status, 400);
    assert_eq!(
        got.text,
        r#"{"RequestId":"R-42","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#
    );
    assert_eq!(
        got.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(got.header("date"), Some("Tue, 24 Nov 2026 10:00:00 GMT"));
    assert_eq!(got.header("retry-after"), Some("2"));
    assert_eq!(got.header("x-acs-retry-after"), Some("2000"));
    assert_eq!(got.header("x-acs-request-id"), Some("R-42"));
    for dropped in ["set-cookie", "x-upstream-private", "location"] {
        assert!(got.header(dropped).is_none(), "{dropped}");
    }

    let seen = cams.seen();
    assert_eq!(seen.len(), 1);
    let call = &seen[0];
    assert_eq!(call.method, "POST");
    assert_eq!(call.uri, "/");
    assert_eq!(call.body, body);
    assert_eq!(
        call.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(call.headers["host"], cams.authority.as_str());
    for leaked in [
        "cookie",
        "authorization",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-custom",
        "origin",
        "referer",
    ] {
        assert!(call.headers.get(leaked).is_none(), "{leaked} was forwarded");
    }
    assert_eq!(sts.count(), 0);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn bodies_over_64_kb_get_413_and_go_nowhere() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let url = at(&relay, "/cams");

    let got = post(&url, &[], vec![b'a'; MAX_BODY_BYTES + 1]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (413, "RelayBodyTooLarge")
    );
    // Without a Content-Length (chunked), the limit holds while reading.
    let mut chunked = String::from(
        "POST /cams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for _ in 0..20 {
        chunked.push_str(&format!("1000\r\n{}\r\n", "b".repeat(4096)));
    }
    chunked.push_str("0\r\n\r\n");
    let reply = raw(relay.relay_addr, &chunked).await;
    assert_eq!(raw_status(&reply), 413, "{reply}");
    assert!(reply.contains("RelayBodyTooLarge"));
    assert_eq!(cams.count(), 0);
    // Exactly the limit is fine (a QR call padded with a long parameter).
    let mut exact = format!("{QR_BODY}&Pad=").into_bytes();
    exact.resize(MAX_BODY_BYTES, b'c');
    assert_eq!(post(&url, &[], exact).await.status, 200);
    assert_eq!(cams.count(), 1);
    relay.shutdown().await.unwrap();
}

/// A relay built from parts, with a short upstream time limit.
async fn relay_with_timeout(cams_url: &str, timeout: Duration) -> SocketAddr {
    let client = cams_relay::upstream_client::build(timeout).unwrap();
    let proxy = CamsProxy::new(
        client.clone(),
        cams_relay::proxy::target_url(&url::Url::parse(cams_url).unwrap()).unwrap(),
        timeout,
    );
    let vendor = StsVendor::new(
        client,
        StsSettings {
            endpoint: url::Url::parse(cams_url).unwrap(),
            identity: RelayIdentity {
                credentials: Credentials {
                    access_key_id: "id".into(),
                    access_key_secret: "s".into(),
                    security_token: None,
                },
                role_arn: ROLE_ARN.into(),
            },
            duration_secs: 900,
            policies: cams_relay::auth::tiers::tier_policies(
                cams_relay::api_args::DEFAULT_STS_POLICY,
                cams_relay::auth::ActionSet::ALL,
            )
            .unwrap(),
            timeout,
        },
        system_clock(),
    );
    let guard = |m| Arc::new(Guard::new(AllowedOrigins::default(), None, None, m));
    let router = api::router(
        Arc::new(vendor),
        Arc::new(proxy),
        guard(Method::GET),
        guard(Method::POST),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

#[tokio::test]
async fn a_slow_upstream_gives_504_relay_timeout() {
    let slow = Mock::start(|_| MockReply {
        delay: Duration::from_secs(5),
        ..MockReply::json(200, r#"{"Code":"OK"}"#)
    })
    .await;
    let addr = relay_with_timeout(&slow.url, Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let got = post(&format!("http://{addr}/cams"), &[], QR_BODY).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (504, "RelayTimeout"),
        "{}",
        got.text
    );
    assert!(got.json()["Message"].as_str().unwrap().contains("CAMS"));
    assert!(started.elapsed() < Duration::from_secs(4));
    // A create that timed out may have happened: not "try again".
    let create = "Action=CreatePhoneMessageQrdl&Version=2020-06-06&PhoneNumber=1";
    let got = post(&format!("http://{addr}/cams"), &[], create).await;
    assert_eq!((got.status, got.code().as_str()), (504, "RelayTimeout"));
    let message = got.json()["Message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("outcome is unknown") && message.contains("List this number's codes"),
        "{message}"
    );
    assert!(!message.contains("Try again"), "{message}");
    // /sts against a slow STS too.
    let got = get(&format!("http://{addr}/sts"), &[]).await;
    assert_eq!((got.status, got.code().as_str()), (504, "RelayTimeout"));
}

#[tokio::test]
async fn an_unreachable_upstream_gives_502_relay_upstream_error() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let addr = relay_with_timeout(&closed, Duration::from_secs(5)).await;
    let got = post(&format!("http://{addr}/cams"), &[], QR_BODY).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError")
    );
    assert!(got.json()["RequestId"].as_str().is_some());
    assert_eq!(
        got.header("content-type"),
        Some("application/json;charset=utf-8")
    );
}

#[tokio::test]
async fn redirects_are_returned_not_followed() {
    let target = evil().await;
    let location = target.url.clone();
    let cams = Mock::start(move |_| MockReply {
        headers: vec![("location", location.clone())],
        ..MockReply::json(307, "")
    })
    .await;
    let sts = Mock::start({
        let location = target.url.clone();
        move |_| MockReply {
            headers: vec![("location", location.clone())],
            ..MockReply::json(302, "")
        }
    })
    .await;
    let relay = production(&cams, &sts, &[]).await;
    // A redirect is not the API's JSON: the relay's own error, without the Location.
    let got = post(&at(&relay, "/cams"), &[], QR_BODY).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError")
    );
    assert!(got.text.contains("HTTP 307"), "{}", got.text);
    assert!(got.header("location").is_none());
    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError")
    );
    assert_eq!((cams.count(), sts.count(), target.count()), (1, 1, 0));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn production_upstreams_must_be_cams_and_sts_themselves() {
    for (flag, url) in [
        ("--cams-endpoint", "http://127.0.0.1:9/"),
        (
            "--cams-endpoint",
            "https://cams.ap-southeast-1.aliyuncs.com.evil.example/",
        ),
        ("--sts-endpoint", "http://sts.aliyuncs.com/"),
        ("--sts-endpoint", "https://evil.example/"),
        // Under aliyuncs.com, but a stranger's: an OSS bucket, a Function Compute endpoint.
        (
            "--cams-endpoint",
            "https://cams.oss-ap-southeast-1.aliyuncs.com/",
        ),
        (
            "--sts-endpoint",
            "https://my-bucket.oss-cn-hangzhou.aliyuncs.com/",
        ),
        (
            "--sts-endpoint",
            "https://1234.cn-hangzhou.fc.aliyuncs.com/",
        ),
        // The other API's host.
        ("--cams-endpoint", "https://sts.aliyuncs.com/"),
    ] {
        let e = production_refused(&[flag, url]).await;
        assert!(e.contains(flag) && e.contains("aliyuncs.com"), "{e}");
    }
}

#[tokio::test]
async fn upstream_pages_that_are_not_json_never_reach_the_browser() {
    let portal =
        "<html><body><form>Log in to the Wi-Fi</form><script>steal()</script></body></html>";
    let cams = Mock::start(move |_| MockReply {
        headers: vec![("content-type", "text/html".into())],
        ..MockReply::json(502, portal)
    })
    .await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let got = post(&at(&relay, "/cams"), &[], QR_BODY).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError"),
        "{}",
        got.text
    );
    assert!(
        !got.text.contains("<html") && !got.text.contains("steal"),
        "{}",
        got.text
    );
    assert!(got.text.contains("text/html"), "{}", got.text);
    assert_eq!(
        got.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        got.header("content-security-policy"),
        Some(cams_relay::page_headers::API_CSP)
    );
    // A create that met it may have happened behind it: the reply says so.
    let create = "Action=CreatePhoneMessageQrdl&Version=2020-06-06&PhoneNumber=1";
    let got = post(&at(&relay, "/cams"), &[], create).await;
    assert_eq!(got.code(), "RelayUpstreamError");
    let message = got.json()["Message"].as_str().unwrap().to_owned();
    assert!(message.contains("outcome is unknown"), "{message}");
    assert!(!message.contains("Try again"), "{message}");
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_api_reply_is_marked_not_to_be_sniffed_or_rendered() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &["--auth-token", "t"]).await;
    let replies = [
        get(&at(&relay, "/sts"), &[("authorization", "Bearer t")]).await,
        get(&at(&relay, "/sts"), &[]).await,
        post(&at(&relay, "/cams"), &[], QR_BODY).await,
        post(&at(&relay, "/cams"), &[], "Action=SendChatappMessage").await,
        get(&at(&relay, "/healthz"), &[]).await,
        get(&at(&relay, "/relay.json"), &[]).await,
    ];
    for got in replies {
        assert_eq!(
            got.header("x-content-type-options"),
            Some("nosniff"),
            "{got:?}"
        );
        assert_eq!(
            got.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{got:?}"
        );
        assert_eq!(got.header("strict-transport-security"), None);
    }
    relay.shutdown().await.unwrap();
    // Behind TLS, --hsts adds HSTS everywhere.
    let relay = production(&cams, &sts, &["--hsts"]).await;
    for path in ["/healthz", "/sts", "/index.html"] {
        let got = get(&at(&relay, path), &[]).await;
        assert_eq!(
            got.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
    }
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn duplicate_hosts_and_hosts_with_user_info_get_400() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let here = relay.relay_addr.to_string();
    for (what, head) in [
        (
            "two Host lines",
            format!("Host: {here}\r\nHost: evil.example\r\n"),
        ),
        (
            "the same Host twice",
            format!("Host: {here}\r\nHost: {here}\r\n"),
        ),
        ("user info", format!("Host: user@{here}\r\n")),
        ("user and password", format!("Host: u:p@{here}\r\n")),
        ("no Host", String::new()),
    ] {
        for path in ["/sts", "/healthz", "/index.html"] {
            let reply = raw(
                relay.relay_addr,
                &format!("GET {path} HTTP/1.1\r\n{head}Connection: close\r\n\r\n"),
            )
            .await;
            assert_eq!(raw_status(&reply), 400, "{what} {path}: {reply}");
            assert!(reply.contains("RelayBadRequest"), "{reply}");
        }
    }
    let reply = raw(
        relay.relay_addr,
        &format!(
            "POST http://user@{here}/cams HTTP/1.1\r\nHost: {here}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{QR_BODY}",
            QR_BODY.len()
        ),
    )
    .await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
    assert_eq!((sts.count(), cams.count()), (0, 0));
    relay.shutdown().await.unwrap();
}
