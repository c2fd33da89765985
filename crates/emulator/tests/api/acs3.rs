//! Signature V3 (ACS3-HMAC-SHA256) at the gateway: the request shapes it accepts (as the official
//! SDKs and the browser send them) and every refusal with its status, code and message.

use axum::body::Body;
use axum::http::{header, Method, Request};
use cams_protocol::acs3::{self, hashed_payload, Acs3Request, Acs3Shape};
use cams_protocol::time::format_timestamp;

use crate::harness::{demo_key, Harness, Wire, HOST, PHONE};

const CREATE: &str = "CreatePhoneMessageQrdl";
const MISMATCH_PREFIX: &str =
    "Specified signature is not matched with our calculation. server string to sign is:";

fn create_params() -> [(&'static str, &'static str); 3] {
    [
        ("PhoneNumber", PHONE),
        ("PrefilledMessage", "Hi + 100% ~ *ok* & 你好 👋"),
        ("GenerateQrImage", "PNG"),
    ]
}

/// Re-signs a wire request as it now stands with the demo key, so a test can change a header or
/// the body and still send a valid signature (or a chosen `SignedHeaders`).
fn resign(wire: &mut Wire, secret: &str, signed_names: Option<&[&str]>) {
    wire.remove_header("authorization");
    let query = cams_protocol::encode::parse_form(&wire.query);
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let headers: Vec<(&str, &str)> = wire
        .headers
        .iter()
        .filter(|(k, _)| {
            signed_names.map_or(acs3::headers::must_be_signed(k), |names| {
                names.contains(&k.to_ascii_lowercase().as_str())
            })
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signed = acs3::sign(
        &Acs3Request {
            method: wire.method.as_str(),
            pathname: "/",
            query: &query,
            headers: &headers,
            body: wire.body.as_bytes(),
        },
        cams_emulator::DEMO_ACCESS_KEY_ID,
        secret,
    );
    wire.set_header("authorization", &signed.authorization);
}

#[tokio::test]
async fn the_official_sdks_default_shape_post_with_a_query_succeeds() {
    let h = Harness::new();
    let r = h.call_v3_as(&demo_key(), CREATE, &create_params()).await;
    let body = r.assert_ok();
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["Data"]["PrefilledMessage"], create_params()[1].1);
    assert_eq!(
        r.headers["x-acs-request-id"],
        body["RequestId"].as_str().unwrap()
    );
    assert!(httpdate::parse_http_date(r.headers[header::DATE].to_str().unwrap()).is_ok());
}

#[tokio::test]
async fn a_form_body_and_a_get_query_succeed_too() {
    let h = Harness::new();
    for shape in [Acs3Shape::PostForm, Acs3Shape::GetQuery] {
        let p = h.sign_v3(shape, CREATE, &demo_key(), &create_params());
        let body = h.send_v3(&p).await.assert_ok();
        assert_eq!(
            body["Data"]["PrefilledMessage"],
            create_params()[1].1,
            "{shape:?}"
        );
    }
}

#[tokio::test]
async fn create_list_update_delete_with_v3() {
    let h = Harness::new();
    let key = demo_key();
    let created = h
        .call_v3_as(&key, CREATE, &create_params())
        .await
        .assert_ok();
    let code = created["Data"]["QrdlCode"].as_str().unwrap().to_owned();
    let listed = h
        .call_v3_as(&key, "ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
        .await
        .assert_ok();
    assert_eq!(listed["Data"][0]["QrdlCode"], code.as_str());
    let updated = h
        .call_v3_as(
            &key,
            "UpdatePhoneMessageQrdl",
            &[
                ("PhoneNumber", PHONE),
                ("QrdlCode", &code),
                ("PrefilledMessage", "changed"),
                ("GenerateQrImage", "SVG"),
            ],
        )
        .await
        .assert_ok();
    assert_eq!(updated["Data"]["PrefilledMessage"], "changed");
    // An update replaces the code: the new one is what is deleted.
    let code = updated["Data"]["QrdlCode"].as_str().unwrap().to_owned();
    h.call_v3_as(
        &key,
        "DeletePhoneMessageQrdl",
        &[("PhoneNumber", PHONE), ("QrdlCode", &code)],
    )
    .await
    .assert_ok();
    let listed = h
        .call_v3_as(&key, "ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
        .await
        .assert_ok();
    assert_eq!(listed["Data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn assume_role_with_v3_and_its_credentials_sign_cams_calls() {
    let h = Harness::new();
    let sts = h.assume_role_v3(&demo_key()).await;
    assert!(sts.access_key_id.starts_with("STS."));
    for shape in [Acs3Shape::PostQuery, Acs3Shape::PostForm] {
        let p = h.sign_v3(shape, CREATE, &sts, &create_params());
        assert!(p.headers.iter().any(|(k, _)| *k == "x-acs-security-token"));
        h.send_v3(&p).await.assert_ok();
    }
    // And V2 still works with the same credentials.
    h.create_as(&sts, "v2").await.assert_ok();
}

#[tokio::test]
async fn wrong_secret_gets_signature_does_not_match_with_the_server_string_to_sign() {
    let h = Harness::new();
    let mut creds = demo_key();
    creds.access_key_secret = "not-the-secret".into();
    let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &creds, &create_params());
    let r = h.send_v3(&p).await;
    r.assert_error(400, "SignatureDoesNotMatch");
    // The string to sign does not depend on the secret: the server's is the client's.
    assert_eq!(
        r.message(),
        format!("{MISMATCH_PREFIX}{}", p.signed.string_to_sign)
    );
    assert!(p.signed.string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
}

#[tokio::test]
async fn anything_signed_changed_in_transit_is_refused() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
    let base = Wire::from(&p);

    let mut query = base.clone();
    query.query = query.query.replace("PNG", "SVG");
    let mut host = base.clone();
    host.set_header("host", "cams.ap-southeast-1.aliyuncs.com");
    let mut method = base.clone();
    method.method = Method::GET;
    let mut header = base.clone();
    header.set_header("x-acs-date", &format_timestamp(h.emu.clock.now_secs() + 1));
    for (what, wire) in [
        ("query", query),
        ("host", host),
        ("method", method),
        ("x-acs-date", header),
    ] {
        let r = h.send_wire(&wire).await;
        r.assert_error(400, "SignatureDoesNotMatch");
        assert!(r.message().starts_with(MISMATCH_PREFIX), "{what}");
        assert_ne!(
            r.message(),
            format!("{MISMATCH_PREFIX}{}", p.signed.string_to_sign),
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_content_sha256_that_is_not_the_bodys_hash_makes_the_signature_not_match() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostForm, CREATE, &demo_key(), &create_params());
    // Another body under the signed hash: the server hashes what it received.
    let mut wire = Wire::from(&p);
    wire.body = wire.body.replace("PNG", "SVG");
    let r = h.send_wire(&wire).await;
    r.assert_error(400, "SignatureDoesNotMatch");
    let expected = format!(
        "Specified signature is not matched with our calculation. x-acs-content-sha256 is not \
         the SHA-256 of the request body; the server's hash of the body is {}.",
        hashed_payload(wire.body.as_bytes())
    );
    assert_eq!(r.message(), expected);

    // A hash header that does not match the body, signed as is: still refused.
    let mut wire = Wire::from(&p);
    wire.set_header("x-acs-content-sha256", &hashed_payload(b""));
    resign(&mut wire, cams_emulator::DEMO_ACCESS_KEY_SECRET, None);
    let r = h.send_wire(&wire).await;
    r.assert_error(400, "SignatureDoesNotMatch");
    assert!(
        r.message().contains("x-acs-content-sha256"),
        "{}",
        r.message()
    );

    // The same request with the right hash passes.
    let mut wire = Wire::from(&p);
    resign(&mut wire, cams_emulator::DEMO_ACCESS_KEY_SECRET, None);
    h.send_wire(&wire).await.assert_ok();
}

#[tokio::test]
async fn every_common_header_is_required() {
    let h = Harness::new();
    for name in [
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        for empty in [false, true] {
            let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
            let mut wire = Wire::from(&p);
            if empty {
                wire.set_header(name, "");
            } else {
                wire.remove_header(name);
            }
            let r = h.send_wire(&wire).await;
            r.assert_error(400, "MissingParameter");
            assert_eq!(
                r.message(),
                format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied.")
            );
        }
    }
}

#[tokio::test]
async fn dates_outside_fifteen_minutes_are_expired_and_malformed_ones_refused() {
    let h = Harness::new();
    let now = h.emu.clock.now_secs();
    for (offset, ok) in [
        (-16 * 60, false),
        (16 * 60, false),
        (-14 * 60, true),
        (14 * 60, true),
    ] {
        let p = h.sign_v3_at(
            Acs3Shape::PostQuery,
            CREATE,
            "2020-06-06",
            now + offset,
            &demo_key(),
            &create_params(),
        );
        let r = h.send_v3(&p).await;
        if ok {
            r.assert_ok();
        } else {
            r.assert_error(400, "InvalidTimeStamp.Expired");
            assert_eq!(
                r.message(),
                "Specified time stamp or date value is expired."
            );
        }
    }
    for date in [
        "2024-01-01 00:00:00",
        "1700000000",
        "2024-01-01T00:00:00.5Z",
    ] {
        let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
        let mut wire = Wire::from(&p);
        wire.set_header("x-acs-date", date);
        h.send_wire(&wire)
            .await
            .assert_error(400, "InvalidTimeStamp.Format");
    }
}

#[tokio::test]
async fn a_replayed_nonce_is_refused_but_a_refused_request_does_not_use_it_up() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
    let mut bad = Wire::from(&p);
    resign(&mut bad, "not-the-secret", None);
    h.send_wire(&bad)
        .await
        .assert_error(400, "SignatureDoesNotMatch");
    h.send_v3(&p).await.assert_ok();
    let r = h.send_v3(&p).await;
    r.assert_error(400, "SignatureNonceUsed");
    assert_eq!(r.message(), "Specified signature nonce was used already.");
}

#[tokio::test]
async fn unknown_keys_and_bad_security_tokens_are_refused() {
    let h = Harness::new();
    let mut nobody = demo_key();
    nobody.access_key_id = "LTAInobody".into();
    h.call_v3_as(&nobody, CREATE, &create_params())
        .await
        .assert_error(404, "InvalidAccessKeyId.NotFound");

    let sts = h.assume_role_v3(&demo_key()).await;
    let mut no_token = sts.clone();
    no_token.security_token = None;
    h.call_v3_as(&no_token, CREATE, &create_params())
        .await
        .assert_error(400, "MissingSecurityToken");
    let mut forged = sts.clone();
    forged.security_token = Some("CAISforged".into());
    h.call_v3_as(&forged, CREATE, &create_params())
        .await
        .assert_error(400, "InvalidSecurityToken.Malformed");
    let mut long_term_with_token = demo_key();
    long_term_with_token.security_token = sts.security_token.clone();
    h.call_v3_as(&long_term_with_token, CREATE, &create_params())
        .await
        .assert_error(400, "InvalidSecurityToken.MismatchWithAccessKey");

    h.emu.clock.advance_secs(901);
    let r = h.call_v3_as(&sts, CREATE, &create_params()).await;
    r.assert_error(400, "InvalidSecurityToken.Expired");
}

#[tokio::test]
async fn unsigned_or_missing_signed_headers_make_an_incomplete_signature() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostForm, CREATE, &demo_key(), &create_params());
    let secret = cams_emulator::DEMO_ACCESS_KEY_SECRET;

    // An x-acs-* header sent but not signed.
    let mut extra = Wire::from(&p);
    extra.set_header("x-acs-extra", "1");
    // content-type, host and x-acs-date left out of SignedHeaders (re-signed without them).
    let mut no_type = Wire::from(&p);
    resign(
        &mut no_type,
        secret,
        Some(&[
            "host",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version",
        ]),
    );
    let mut no_host = Wire::from(&p);
    resign(
        &mut no_host,
        secret,
        Some(&[
            "content-type",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version",
        ]),
    );
    // SignedHeaders naming a header the request does not carry.
    let mut phantom = Wire::from(&p);
    let auth = phantom
        .header("authorization")
        .unwrap()
        .replace("SignedHeaders=", "SignedHeaders=accept;");
    phantom.set_header("authorization", &auth);
    for (what, wire, needle) in [
        ("extra", extra, "x-acs-extra must be signed"),
        ("content-type", no_type, "content-type must be signed"),
        ("host", no_host, "host must be signed"),
        ("phantom", phantom, "lists accept"),
    ] {
        let r = h.send_wire(&wire).await;
        r.assert_error(400, "IncompleteSignature");
        assert!(
            r.message()
                .starts_with("The request signature does not conform to Aliyun standards: ")
                && r.message().contains(needle),
            "{what}: {}",
            r.message()
        );
    }

    // Signing a header the gateway does not require (as the Python SDK signs user-agent) is fine.
    let mut more = Wire::from(&p);
    more.set_header("user-agent", "AlibabaCloud (test)");
    more.set_header("accept", "application/json");
    let names: Vec<String> = more
        .headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| k != "authorization")
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    resign(&mut more, secret, Some(&names));
    h.send_wire(&more).await.assert_ok();
}

#[tokio::test]
async fn malformed_authorization_headers_are_refused() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
    let good = Wire::from(&p).header("authorization").unwrap().to_owned();
    for (value, code) in [
        ("ACS3-HMAC-SHA256", "IncompleteSignature"),
        (
            "ACS3-HMAC-SHA256 Credential=demo-access-key-id",
            "IncompleteSignature",
        ),
        (
            &good.replace(",Signature=", ",Signature=00") as &str,
            "IncompleteSignature",
        ),
        (
            &good.replace("Signature=", "Signature=X") as &str,
            "IncompleteSignature",
        ),
        (
            &good.replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3") as &str,
            "InvalidSignatureMethod",
        ),
        ("Bearer token", "InvalidSignatureMethod"),
    ] {
        let mut wire = Wire::from(&p);
        wire.set_header("authorization", value);
        h.send_wire(&wire).await.assert_error(400, code);
    }
    // Two Authorization headers.
    let mut wire = Wire::from(&p);
    wire.headers.push(("authorization".into(), good));
    h.send_wire(&wire)
        .await
        .assert_error(400, "IncompleteSignature");
}

#[tokio::test]
async fn the_action_and_version_come_from_the_headers() {
    let h = Harness::new();
    let now = h.emu.clock.now_secs();
    let p = h.sign_v3_at(
        Acs3Shape::PostQuery,
        CREATE,
        "2015-04-01",
        now,
        &demo_key(),
        &create_params(),
    );
    h.send_v3(&p).await.assert_error(400, "InvalidVersion");
    h.call_v3_as(&demo_key(), "SendChatappMessage", &[])
        .await
        .assert_error(404, "InvalidAction.NotFound");
    // A query Action does not override the header's (it is only another signed parameter).
    let mut params = create_params().to_vec();
    params.push(("Action", "DeletePhoneMessageQrdl"));
    let body = h.call_v3_as(&demo_key(), CREATE, &params).await.assert_ok();
    assert!(body["Data"]["QrdlCode"].is_string());
}

#[tokio::test]
async fn other_http_methods_are_refused() {
    let h = Harness::new();
    let p = h.sign_v3(Acs3Shape::PostQuery, CREATE, &demo_key(), &create_params());
    let mut wire = Wire::from(&p);
    wire.method = Method::PUT;
    h.send_wire(&wire)
        .await
        .assert_error(400, "UnsupportedHTTPMethod");
}

#[tokio::test]
async fn browsers_may_send_the_v3_headers_cross_origin() {
    let h = Harness::new();
    let requested = "authorization,content-type,x-acs-action,x-acs-content-sha256,x-acs-date,\
                     x-acs-security-token,x-acs-signature-nonce,x-acs-version";
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header(header::ORIGIN, "http://localhost:9999")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, requested)
        .body(Body::empty())
        .unwrap();
    let r = h.send(request).await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_HEADERS], requested);

    // The signed call itself, from that origin: the reply's headers a client reads are exposed.
    let p = h.sign_v3(Acs3Shape::PostForm, CREATE, &demo_key(), &create_params());
    let mut wire = Wire::from(&p);
    wire.set_header("origin", "http://localhost:9999");
    let r = h.send_wire(&wire).await;
    r.assert_ok();
    let exposed = r.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "date",
        "x-acs-request-id",
        "retry-after",
        "x-acs-retry-after",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
    assert_eq!(HOST, wire.header("host").unwrap());
}
