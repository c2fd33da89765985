//! Who may call: origins and CORS, the bearer token, the per-client rate limit.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;

const DASH: &str = "https://dash.example.com";
const EVIL: &str = "https://evil.example";

/// An `OPTIONS` preflight for `path` from `origin`.
async fn preflight(
    relay: &cams_relay::server::Running,
    path: &str,
    origin: &str,
    method: &str,
) -> Got {
    Got::from(
        client()
            .request(reqwest::Method::OPTIONS, at(relay, path))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The refusal's code and fix are readable by the refused page (its origin reflected, no grant
/// cached), and nothing reaches STS or CAMS.
#[tokio::test]
async fn foreign_origins_are_refused_readably_and_reach_nothing() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &["--allow-origin", DASH]).await;

    for origin in [
        EVIL,
        "null",
        "https://dash.example.com.evil.example",
        "http://dash.example.com",
    ] {
        let got = get(&at(&relay, "/sts"), &[("origin", origin)]).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (403, "RelayOriginNotAllowed"),
            "{origin}"
        );
        assert!(got.text.contains("--allow-origin"), "{}", got.text);
        assert_eq!(got.header("access-control-allow-origin"), Some(origin));
        assert_eq!(got.header("access-control-allow-credentials"), Some("true"));
        assert!(got.header("vary").unwrap().contains("Origin"));
        assert_eq!(got.header("cache-control"), Some("no-store"));
        let got = post(&at(&relay, "/cams"), &[("origin", origin)], QR_BODY).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (403, "RelayOriginNotAllowed"),
            "{origin}"
        );
        assert_eq!(got.header("access-control-allow-origin"), Some(origin));
        // Preflights are answered so that the actual request reaches its refusal, and are never
        // cached (a relay restarted with --allow-origin is asked again).
        for (path, method) in [("/sts", "GET"), ("/cams", "POST")] {
            let pre = preflight(&relay, path, origin, method).await;
            assert_eq!(pre.status, 204, "{origin} {path}");
            assert_eq!(pre.header("access-control-allow-origin"), Some(origin));
            assert_eq!(pre.header("access-control-max-age"), Some("0"));
            assert_eq!(pre.header("cache-control"), Some("no-store"));
            assert!(pre.text.is_empty());
        }
        // The actual request after such a preflight: refused, with the sign-in it carried unread.
        let got = get(
            &at(&relay, "/sts"),
            &[("origin", origin), ("authorization", "Bearer stolen")],
        )
        .await;
        assert_eq!(got.code(), "RelayOriginNotAllowed");
    }
    // Anything a browser would not send as an Origin is not reflected.
    for odd in ["https://evil.example/path", "HTTPS://EVIL.EXAMPLE", "evil"] {
        let got = get(&at(&relay, "/sts"), &[("origin", odd)]).await;
        assert_eq!(got.status, 403, "{odd}");
        got.assert_no_cors();
        let pre = preflight(&relay, "/sts", odd, "GET").await;
        pre.assert_no_cors();
    }
    // Two Origin headers: refused, nothing reflected.
    let got = Got::from(
        client()
            .get(at(&relay, "/sts"))
            .header("origin", DASH)
            .header("origin", EVIL)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(got.status, 403);
    got.assert_no_cors();
    assert_eq!((sts.count(), cams.count()), (0, 0));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn allowed_origins_get_cors_and_preflights() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(
        &cams,
        &sts,
        &["--allow-origin", "https://Dash.Example.com/"],
    )
    .await;

    let got = get(&at(&relay, "/sts"), &[("origin", DASH)]).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("access-control-allow-origin"), Some(DASH));
    assert_eq!(got.header("access-control-allow-credentials"), Some("true"));
    assert!(got.header("vary").unwrap().contains("Origin"));

    let got = post(&at(&relay, "/cams"), &[("origin", DASH)], QR_BODY).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("access-control-allow-origin"), Some(DASH));
    let exposed = got.header("access-control-expose-headers").unwrap();
    assert!(
        exposed.contains("Date") && exposed.contains("Retry-After"),
        "{exposed}"
    );

    let pre = Got::from(
        client()
            .request(reqwest::Method::OPTIONS, at(&relay, "/sts"))
            .header("origin", DASH)
            .header("access-control-request-method", "GET")
            .header(
                "access-control-request-headers",
                "authorization, x-csrf-token",
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some(DASH));
    assert_eq!(pre.header("access-control-allow-credentials"), Some("true"));
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    // A preflight never reaches STS.
    assert_eq!(sts.count(), 1);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn no_origin_and_the_relays_own_origin_are_allowed() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &[]).await;
    assert_eq!(get(&at(&relay, "/sts"), &[]).await.status, 200);
    let own = format!("http://{}", relay.relay_addr);
    let got = get(&at(&relay, "/sts"), &[("origin", &own)]).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.header("access-control-allow-origin"),
        Some(own.as_str())
    );
    let got = post(&at(&relay, "/cams"), &[("origin", &own)], QR_BODY).await;
    assert_eq!(got.status, 200);
    // Another port on the same host is another origin.
    let other = format!(
        "http://127.0.0.1:{}",
        relay.relay_addr.port().wrapping_add(1)
    );
    assert_eq!(
        get(&at(&relay, "/sts"), &[("origin", &other)]).await.status,
        403
    );
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_auth_token_guards_sts_only() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(
        &cams,
        &sts,
        &["--auth-token", "tok-123", "--allow-origin", DASH],
    )
    .await;
    let url = at(&relay, "/sts");

    let got = get(&url, &[]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (401, "RelayUnauthorized")
    );
    assert_eq!(got.header("www-authenticate"), Some("Bearer"));
    for bad in [
        "Bearer tok-12",
        "Bearer tok-1234",
        "Basic tok-123",
        "tok-123",
    ] {
        assert_eq!(
            get(&url, &[("authorization", bad)]).await.status,
            401,
            "{bad}"
        );
    }
    // An allowed origin can read the refusal.
    let got = get(&url, &[("origin", DASH)]).await;
    assert_eq!(got.status, 401);
    assert_eq!(got.header("access-control-allow-origin"), Some(DASH));
    assert_eq!(sts.count(), 0);

    let got = get(&url, &[("authorization", "Bearer tok-123")]).await;
    assert_eq!(got.status, 200);
    assert_eq!(sts.count(), 1);
    // /cams takes signed calls without it.
    assert_eq!(post(&at(&relay, "/cams"), &[], QR_BODY).await.status, 200);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn each_client_is_rate_limited_with_retry_after() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    // 6 a minute: a burst of 2, then one every 10 s.
    let relay = production(
        &cams,
        &sts,
        &["--sts-rate-limit", "6", "--cams-rate-limit", "1"],
    )
    .await;
    let url = at(&relay, "/sts");
    assert_eq!(get(&url, &[]).await.status, 200);
    assert_eq!(get(&url, &[]).await.status, 200);
    let got = get(&url, &[]).await;
    assert_eq!((got.status, got.code().as_str()), (429, "Throttling.Relay"));
    let retry: u64 = got.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");

    // /cams: 1 a second, burst 1.
    let cams_url = at(&relay, "/cams");
    assert_eq!(post(&cams_url, &[], QR_BODY).await.status, 200);
    let got = post(&cams_url, &[], QR_BODY).await;
    assert_eq!(got.status, 429);
    assert!(got.header("retry-after").is_some());
    assert_eq!(cams.count(), 1);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn one_client_gets_less_than_the_accounts_five_calls_a_second_by_default() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production_with_default_limits(&cams, &sts, &[]).await;
    let info = get(&at(&relay, "/relay.json"), &[]).await.json();
    assert_eq!(info["camsRateLimit"], 4);
    // Five at once: the fifth is the relay's to refuse, not the account's. One client, sent
    // together: a client built per request (CA certificates read each time) could take longer
    // than the 250 ms a token takes to come back on a loaded machine.
    let cams_url = at(&relay, "/cams");
    let http = client();
    let sends: Vec<_> = (0..5)
        .map(|_| {
            let request = http
                .post(&cams_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(QR_BODY);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 429], "{statuses:?}");
    assert_eq!(cams.count(), 4);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_origins_on_the_command_line_stop_the_start() {
    let e = production_refused(&["--allow-origin", "*"]).await;
    assert!(e.contains("--allow-origin"), "{e}");
    let e = production_refused(&["--allow-origin", "https://a.example/app"]).await;
    assert!(e.contains("--allow-origin"), "{e}");
}

/// A raw GET /sts with the given Host (and optional Origin) header.
fn sts_with_host(host: &str, origin: Option<&str>) -> String {
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    format!("GET /sts HTTP/1.1\r\nHost: {host}\r\n{origin}Connection: close\r\n\r\n")
}

#[tokio::test]
async fn a_dns_rebinding_host_gets_nothing() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(
        &cams,
        &sts,
        &[
            "--allow-host",
            "Relay.Example.com",
            "--allow-origin",
            "https://dash.example.com",
        ],
    )
    .await;
    let port = relay.relay_addr.port();
    // A page on evil.example whose name now points at the relay: same-origin to itself, so its
    // GET carries no Origin, and its POST names its own origin.
    for host in [
        "evil.example",
        "evil.example:80",
        &format!("evil.example:{port}"),
    ] {
        let reply = raw(relay.relay_addr, &sts_with_host(host, None)).await;
        assert_eq!(raw_status(&reply), 403, "{host}: {reply}");
        assert!(reply.contains("RelayHostNotAllowed"), "{reply}");
        assert!(!reply
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"));
        let own = format!("http://{host}");
        let reply = raw(relay.relay_addr, &sts_with_host(host, Some(&own))).await;
        assert_eq!(raw_status(&reply), 403, "{host}: {reply}");
    }
    assert_eq!(sts.count(), 0, "STS was never asked");
    // IP addresses, localhost, --allow-host names and allowed origins' hosts are the relay's.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("localhost:{port}"),
        "app.localhost".to_owned(),
        "relay.example.com".to_owned(),
        format!("RELAY.example.com.:{port}"),
        "dash.example.com".to_owned(),
    ] {
        let reply = raw(relay.relay_addr, &sts_with_host(&host, None)).await;
        assert_eq!(raw_status(&reply), 200, "{host}: {reply}");
    }
    relay.shutdown().await.unwrap();
}

/// A page on another origin that reaches the relay by a name it does not answer to reads
/// `RelayHostNotAllowed` (and its fix), and so does one whose request the relay finds malformed;
/// nothing reaches STS or CAMS.
#[tokio::test]
async fn host_refusals_are_readable_by_the_calling_page() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &["--allow-origin", DASH]).await;
    let reply = raw(
        relay.relay_addr,
        &sts_with_host("relay.internal.example", Some(DASH)),
    )
    .await;
    let lower = reply.to_ascii_lowercase();
    assert_eq!(raw_status(&reply), 403, "{reply}");
    assert!(reply.contains("RelayHostNotAllowed") && reply.contains("--allow-host"));
    assert!(
        lower.contains(&format!("access-control-allow-origin: {DASH}")),
        "{reply}"
    );
    assert!(
        lower.contains("access-control-allow-credentials: true"),
        "{reply}"
    );
    // Its preflight lets the actual request through to that refusal.
    let reply = raw(
        relay.relay_addr,
        &format!(
            "OPTIONS /sts HTTP/1.1\r\nHost: relay.internal.example\r\nOrigin: {DASH}\r\n\
             Access-Control-Request-Method: GET\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    let lower = reply.to_ascii_lowercase();
    assert_eq!(raw_status(&reply), 204, "{reply}");
    assert!(lower.contains(&format!("access-control-allow-origin: {DASH}")));
    assert!(lower.contains("access-control-max-age: 0"), "{reply}");
    // A malformed Host (user info) is a 400 the page can read too.
    let reply = raw(
        relay.relay_addr,
        &format!(
            "GET /sts HTTP/1.1\r\nHost: u@{}\r\nOrigin: {EVIL}\r\nConnection: close\r\n\r\n",
            relay.relay_addr
        ),
    )
    .await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
    assert!(reply.contains("RelayBadRequest"));
    assert!(reply
        .to_ascii_lowercase()
        .contains(&format!("access-control-allow-origin: {EVIL}")));
    assert_eq!((sts.count(), cams.count()), (0, 0));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_allow_host_stops_the_relay() {
    for bad in [
        "https://relay.example.com",
        "relay.example.com:8080",
        "relay/x",
        "",
    ] {
        let e = production_refused(&["--allow-host", bad]).await;
        assert!(e.contains("--allow-host"), "{bad}: {e}");
    }
}
