//! Signature V3 calls through `POST /cams`: signed for the `camsHost` of `/relay.json`, passed
//! through with their signing headers only, as strictly as V2 (the open-proxy variants: mixed
//! V2/V3 parameters, duplicated headers, an action named in two places that disagree, a non-QR
//! action, another version), allowed cross-origin after a preflight, and accepted end to end by
//! the emulator.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use cams_protocol::acs3::{self, Acs3Call, Acs3Shape, PreparedAcs3};
use cams_protocol::credentials::Credentials;
use cams_relay::server::Running;

use crate::support::*;

const DASH: &str = "https://dash.example.com";
const PHONE: &str = "8613800005679";

fn creds() -> Credentials {
    Credentials {
        access_key_id: "STS.browser".into(),
        access_key_secret: "browser-secret".into(),
        security_token: Some("CAIS-browser+token/=".into()),
    }
}

/// What `/relay.json` says to sign as `host`.
async fn cams_host(relay: &Running) -> String {
    let info = get(&at(relay, "/relay.json"), &[]).await.json();
    info["camsHost"].as_str().expect("camsHost").to_owned()
}

fn sign(
    host: &str,
    action: &str,
    version: &str,
    creds: &Credentials,
    business: &[(&str, &str)],
) -> PreparedAcs3 {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let call = Acs3Call {
        shape: Acs3Shape::PostForm,
        action,
        version,
        host,
        unix_secs: now(),
        nonce: &nonce,
    };
    acs3::prepare(&call, creds, business)
}

/// Sends a prepared call to `/cams` with `extra` headers; `body` replaces the prepared one.
async fn send(
    relay: &Running,
    p: &PreparedAcs3,
    extra: &[(&str, &str)],
    body: Option<&str>,
) -> Got {
    let mut req = client().post(at(relay, "/cams"));
    for (k, v) in &p.headers {
        req = req.header(*k, v.as_str());
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let body = body.map_or_else(|| p.body.clone(), str::to_owned);
    Got::from(req.body(body).send().await.unwrap()).await
}

/// The raw HTTP/1.1 text of a prepared call, with `extra` header lines.
fn raw_request(relay: &Running, p: &PreparedAcs3, extra: &str) -> String {
    let mut text = format!("POST /cams HTTP/1.1\r\nHost: {}\r\n", relay.relay_addr);
    for (k, v) in &p.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(extra);
    text.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        p.body.len(),
        p.body
    ));
    text
}

#[tokio::test]
async fn a_v3_call_goes_upstream_with_its_signing_headers_only_for_the_published_host() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let host = cams_host(&relay).await;
    assert_eq!(host, cams.authority);

    let p = sign(
        &host,
        "CreatePhoneMessageQrdl",
        "2020-06-06",
        &creds(),
        &[
            ("PhoneNumber", PHONE),
            ("PrefilledMessage", "Hi ~*+&= 你好"),
        ],
    );
    let got = send(
        &relay,
        &p,
        &[
            ("cookie", "session=1"),
            ("x-acs-other", "not forwarded"),
            ("x-forwarded-host", "evil.example"),
            ("referer", "http://x/"),
        ],
        None,
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);

    let seen = cams.seen();
    assert_eq!(seen.len(), 1);
    let call = &seen[0];
    assert_eq!(
        (call.method.as_str(), call.uri.to_string().as_str()),
        ("POST", "/")
    );
    assert_eq!(call.body, p.body.as_bytes());
    // The host CAMS sees is the one relay.json published, so the signature holds.
    assert_eq!(call.headers["host"], host.as_str());
    for (k, v) in &p.headers {
        assert_eq!(call.headers[*k], v.as_str(), "{k}");
    }
    let mut names: Vec<&str> = call.headers.keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "accept",
            "authorization",
            "content-length",
            "content-type",
            "host",
            "user-agent",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-security-token",
            "x-acs-signature-nonce",
            "x-acs-version"
        ]
    );
    assert!(call.headers["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("cams-relay/"));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn v3_variants_that_could_smuggle_another_call_go_nowhere() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &[]).await;
    let host = cams_host(&relay).await;
    let qr = |action: &str, version: &str| {
        sign(&host, action, version, &creds(), &[("PhoneNumber", PHONE)])
    };
    let create = qr("CreatePhoneMessageQrdl", "2020-06-06");

    // (what, reply, expected status, expected code)
    let mut cases: Vec<(&str, Got, u16, &str)> = Vec::new();
    cases.push((
        "a non-QR action (sending WhatsApp messages)",
        send(&relay, &qr("SendChatappMessage", "2020-06-06"), &[], None).await,
        403,
        "RelayActionNotAllowed",
    ));
    cases.push((
        "STS through /cams",
        send(&relay, &qr("AssumeRole", "2015-04-01"), &[], None).await,
        403,
        "RelayActionNotAllowed",
    ));
    cases.push((
        "another version",
        send(
            &relay,
            &qr("CreatePhoneMessageQrdl", "2021-01-01"),
            &[],
            None,
        )
        .await,
        403,
        "RelayActionNotAllowed",
    ));
    let body = format!("{}&Action=SendChatappMessage", create.body);
    cases.push((
        "the body's Action disagrees with x-acs-action",
        send(&relay, &create, &[], Some(&body)).await,
        403,
        "RelayActionNotAllowed",
    ));
    let body = format!("{}&Version=2015-04-01", create.body);
    cases.push((
        "the body's Version disagrees with x-acs-version",
        send(&relay, &create, &[], Some(&body)).await,
        403,
        "RelayActionNotAllowed",
    ));
    let body = format!(
        "{}&Action=CreatePhoneMessageQrdl&Action=SendChatappMessage",
        create.body
    );
    cases.push((
        "two Actions in the body",
        send(&relay, &create, &[], Some(&body)).await,
        403,
        "RelayActionNotAllowed",
    ));
    let body = format!("{}&Signature=abc&SignatureMethod=HMAC-SHA1", create.body);
    cases.push((
        "V2 signing parameters beside a V3 Authorization",
        send(&relay, &create, &[], Some(&body)).await,
        400,
        "RelayBadRequest",
    ));
    cases.push((
        "a second Authorization header",
        send(&relay, &create, &[("authorization", "Bearer x")], None).await,
        400,
        "RelayBadRequest",
    ));
    cases.push((
        "a JSON body",
        send(
            &relay,
            &create,
            &[("content-type", "application/json")],
            None,
        )
        .await,
        400,
        "RelayBadRequest",
    ));
    let mut signs_more = create.clone();
    if let Some((_, v)) = signs_more
        .headers
        .iter_mut()
        .find(|(k, _)| *k == "authorization")
    {
        *v = v.replace("SignedHeaders=", "SignedHeaders=cookie;");
    }
    cases.push((
        "a signed header the relay does not forward",
        send(&relay, &signs_more, &[("cookie", "a=1")], None).await,
        400,
        "RelayBadRequest",
    ));
    // A V2 body whose headers name another action.
    cases.push((
        "V2 body, disagreeing x-acs-action header",
        post(
            &at(&relay, "/cams"),
            &[("x-acs-action", "SendChatappMessage")],
            "Action=CreatePhoneMessageQrdl&Version=2020-06-06&Signature=x",
        )
        .await,
        403,
        "RelayActionNotAllowed",
    ));
    for (what, got, status, code) in &cases {
        assert_eq!(
            (got.status, got.code().as_str()),
            (*status, *code),
            "{what}: {}",
            got.text
        );
    }

    // Duplicated headers, sent raw so nothing merges them.
    for (what, extra) in [
        ("x-acs-action twice", "x-acs-action: SendChatappMessage\r\n"),
        ("x-acs-version twice", "x-acs-version: 2020-06-06\r\n"),
        ("content-type twice", "content-type: text/plain\r\n"),
        (
            "x-acs-security-token twice",
            "x-acs-security-token: other\r\n",
        ),
    ] {
        let reply = raw(relay.relay_addr, &raw_request(&relay, &create, extra)).await;
        assert_eq!(raw_status(&reply), 400, "{what}: {reply}");
        assert!(reply.contains("RelayBadRequest"), "{what}: {reply}");
    }
    // A query string stays refused for V3 too.
    let mut req = client().post(format!("{}?GenerateQrImage=PNG", at(&relay, "/cams")));
    for (k, v) in &create.headers {
        req = req.header(*k, v.as_str());
    }
    let got = Got::from(req.body(create.body.clone()).send().await.unwrap()).await;
    assert_eq!((got.status, got.code().as_str()), (400, "RelayBadRequest"));

    assert_eq!(cams.count(), 0, "nothing was forwarded");
    // The unaltered call does go through.
    assert_eq!(send(&relay, &create, &[], None).await.status, 200);
    assert_eq!(cams.count(), 1);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_cross_origin_page_may_send_the_v3_headers_after_a_preflight() {
    let cams = ok_cams().await;
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let relay = production(&cams, &sts, &["--allow-origin", DASH]).await;
    let requested = "authorization,content-type,x-acs-action,x-acs-content-sha256,x-acs-date,\
                     x-acs-security-token,x-acs-signature-nonce,x-acs-version";
    let pre = Got::from(
        client()
            .request(reqwest::Method::OPTIONS, at(&relay, "/cams"))
            .header("origin", DASH)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", requested)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some(DASH));
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in requested.split(',') {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }

    let host = cams_host(&relay).await;
    let p = sign(
        &host,
        "ListPhoneMessageQrdl",
        "2020-06-06",
        &creds(),
        &[("PhoneNumber", PHONE)],
    );
    let got = send(&relay, &p, &[("origin", DASH)], None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("access-control-allow-origin"), Some(DASH));
    let exposed = got
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "date",
        "retry-after",
        "x-acs-request-id",
        "x-acs-retry-after",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn sts_credentials_sign_v3_calls_the_emulator_accepts_through_cams() {
    let relay = emulated(&[]).await;
    let host = cams_host(&relay).await;
    let emulator = relay.emulator.as_ref().unwrap();
    assert_eq!(host, emulator.addr.to_string());
    let got = get(&at(&relay, "/sts"), &[]).await;
    let creds = cams_protocol::sts::parse_credentials(&got.text, "relay")
        .unwrap()
        .credentials;

    let message = "V3 through the relay ~*+&= 👋";
    let p = sign(
        &host,
        "CreatePhoneMessageQrdl",
        "2020-06-06",
        &creds,
        &[
            ("PhoneNumber", PHONE),
            ("GenerateQrImage", "SVG"),
            ("PrefilledMessage", message),
        ],
    );
    let got = send(&relay, &p, &[], None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json()["Data"]["PrefilledMessage"], message);
    let code = got.json()["Data"]["QrdlCode"].as_str().unwrap().to_owned();

    // An update replaces the code (as Alibaba documents), so the delete names the new one.
    let mut code = code;
    for action in [
        "ListPhoneMessageQrdl",
        "UpdatePhoneMessageQrdl",
        "DeletePhoneMessageQrdl",
    ] {
        let business: Vec<(&str, &str)> = match action {
            "ListPhoneMessageQrdl" => vec![("PhoneNumber", PHONE)],
            "UpdatePhoneMessageQrdl" => vec![
                ("PhoneNumber", PHONE),
                ("QrdlCode", code.as_str()),
                ("GenerateQrImage", "PNG"),
                ("PrefilledMessage", "updated"),
            ],
            _ => vec![("PhoneNumber", PHONE), ("QrdlCode", code.as_str())],
        };
        let p = sign(&host, action, "2020-06-06", &creds, &business);
        let got = send(&relay, &p, &[], None).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (200, "OK"),
            "{action}: {}",
            got.text
        );
        if action == "UpdatePhoneMessageQrdl" {
            code = got.json()["Data"]["QrdlCode"].as_str().unwrap().to_owned();
        }
    }

    // Signed for the relay's own host instead of camsHost: the emulator's refusal, passed through.
    let p = sign(
        &relay.relay_addr.to_string(),
        "ListPhoneMessageQrdl",
        "2020-06-06",
        &creds,
        &[("PhoneNumber", PHONE)],
    );
    let got = send(&relay, &p, &[], None).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (400, "SignatureDoesNotMatch")
    );
    assert!(got.json()["Message"]
        .as_str()
        .unwrap()
        .contains("server string to sign is:ACS3-HMAC-SHA256\n"));

    // A replayed call: the emulator's nonce check, passed through.
    let p = sign(
        &host,
        "ListPhoneMessageQrdl",
        "2020-06-06",
        &creds,
        &[("PhoneNumber", PHONE)],
    );
    assert_eq!(send(&relay, &p, &[], None).await.status, 200);
    let got = send(&relay, &p, &[], None).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (400, "SignatureNonceUsed")
    );
    relay.shutdown().await.unwrap();
}
