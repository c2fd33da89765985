//! The relay is not an open proxy: nothing in a request chooses where `/cams` (or anything else)
//! sends it. Each trick is sent raw over TCP; a second mock ("evil") stands for every other host
//! and must receive nothing, and the configured mock may only ever see `POST /`.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;

/// A raw request with a short form body.
fn request(line: &str, host: &str, extra_headers: &str) -> String {
    let body = "Action=CreatePhoneMessageQrdl&Version=2020-06-06";
    format!(
        "{line}\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n{extra_headers}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn no_request_can_choose_the_destination() {
    let cams = ok_cams().await;
    let evil = evil().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let here = relay.relay_addr.to_string();
    let e = evil.authority.clone();

    // (what, raw request, forwarded to the configured host?)
    let cases: Vec<(&str, String, bool)> = vec![
        (
            "absolute-form target naming another host",
            request(&format!("POST http://{e}/cams HTTP/1.1"), &e, ""),
            true,
        ),
        (
            "absolute-form target at the root",
            request(&format!("POST http://{e}/ HTTP/1.1"), &e, ""),
            false,
        ),
        (
            "absolute-form https target",
            request(&format!("POST https://{e}/cams?x=1 HTTP/1.1"), &e, ""),
            false,
        ),
        (
            "//host path",
            request(&format!("POST //{e}/cams HTTP/1.1"), &here, ""),
            false,
        ),
        (
            "//host path at root",
            request(&format!("POST //{e}/ HTTP/1.1"), &here, ""),
            false,
        ),
        (
            "Host and forwarding headers",
            request(
                "POST /cams HTTP/1.1",
                &e,
                &format!(
                    "X-Forwarded-Host: {e}\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\n\
                     Forwarded: host={e};proto=http\r\nX-Original-URL: http://{e}/\r\n\
                     X-Rewrite-URL: http://{e}/\r\nX-Forwarded-For: 10.0.0.1\r\n"
                ),
            ),
            true,
        ),
        (
            "dot segments",
            request("POST /x/../cams HTTP/1.1", &here, ""),
            false,
        ),
        (
            "trailing dot segment",
            request("POST /cams/.. HTTP/1.1", &here, ""),
            false,
        ),
        (
            "encoded dot segments",
            request("POST /cams/%2e%2e/ HTTP/1.1", &here, ""),
            false,
        ),
        (
            "encoded dots before",
            request("POST /%2e%2e/cams HTTP/1.1", &here, ""),
            false,
        ),
        (
            "encoded slash",
            request("POST /cams%2fextra HTTP/1.1", &here, ""),
            false,
        ),
        (
            "a longer path",
            request("POST /cams/extra HTTP/1.1", &here, ""),
            false,
        ),
        (
            "a host in the path",
            request(&format!("POST /cams/http://{e}/ HTTP/1.1"), &here, ""),
            false,
        ),
        (
            "trailing slash",
            request("POST /cams/ HTTP/1.1", &here, ""),
            false,
        ),
        (
            "url in the query",
            request(&format!("POST /cams?url=http://{e}/ HTTP/1.1"), &here, ""),
            false,
        ),
        (
            "endpoint in the query",
            request(
                &format!("POST /cams?endpoint=http://{e}/ HTTP/1.1"),
                &here,
                "",
            ),
            false,
        ),
        (
            "empty query",
            request("POST /cams? HTTP/1.1", &here, ""),
            false,
        ),
        (
            "CONNECT",
            format!("CONNECT {e} HTTP/1.1\r\nHost: {e}\r\nConnection: close\r\n\r\n"),
            false,
        ),
        (
            "GET /cams",
            format!("GET /cams HTTP/1.1\r\nHost: {here}\r\nConnection: close\r\n\r\n"),
            false,
        ),
    ];

    for (what, raw_request, forwarded) in cases {
        let before = cams.count();
        let reply = raw(relay.relay_addr, &raw_request).await;
        let after = cams.count();
        assert_eq!(after - before, usize::from(forwarded), "{what}: {reply}");
        if reply.is_empty() {
            continue; // the connection was refused outright: also fine
        }
        let status = raw_status(&reply);
        if forwarded {
            assert_eq!(status, 200, "{what}: {reply}");
        } else {
            assert!(status >= 400, "{what}: {reply}");
        }
    }

    assert_eq!(evil.count(), 0, "the other host was reached");
    assert_eq!(sts.count(), 0);
    for call in cams.seen() {
        assert_eq!(
            (call.method.as_str(), call.uri.to_string().as_str()),
            ("POST", "/")
        );
        assert_eq!(call.headers["host"], cams.authority.as_str());
        assert!(call.headers.get("x-forwarded-host").is_none());
        assert!(call.headers.get("forwarded").is_none());
        assert_eq!(
            call.body,
            b"Action=CreatePhoneMessageQrdl&Version=2020-06-06"
        );
    }
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_the_four_qr_actions_are_forwarded() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    for body in [
        // Another CAMS action (sending a WhatsApp message) with someone's own keys.
        "Action=SendChatappMessage&Version=2020-06-06&Signature=x",
        // Another product's version, a second Action smuggled in, none at all.
        "Action=CreatePhoneMessageQrdl&Version=2015-04-01",
        "Action=ListPhoneMessageQrdl&Action=SendChatappMessage&Version=2020-06-06",
        "Version=2020-06-06&Signature=x",
        "",
    ] {
        let got = post(&at(&relay, "/cams"), &[], body).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (403, "RelayActionNotAllowed"),
            "{body}"
        );
        assert!(got.text.contains("CreatePhoneMessageQrdl"), "{}", got.text);
    }
    assert_eq!(cams.count(), 0, "nothing was forwarded");
    let got = post(&at(&relay, "/cams"), &[], QR_BODY).await;
    assert_eq!(got.status, 200);
    assert_eq!(cams.count(), 1);
}
