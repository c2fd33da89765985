//! The gateway's checks: every refusal with its status and code, and the accepted request shapes.

use axum::body::Body;
use axum::http::{header, Method, Request};
use cams_protocol::encode::percent_encode;
use cams_protocol::params::form_body;
use cams_protocol::sign::{sign_params, Method as SignMethod};
use cams_protocol::time::format_timestamp;

use crate::harness::{demo_key, remove, set, Harness, PHONE};

const CREATE: &str = "CreatePhoneMessageQrdl";

fn create_params() -> [(&'static str, &'static str); 3] {
    [
        ("PhoneNumber", PHONE),
        ("PrefilledMessage", "Hello, I'd like to order"),
        ("GenerateQrImage", "PNG"),
    ]
}

#[tokio::test]
async fn signed_post_with_everything_in_the_body_succeeds() {
    let h = Harness::new();
    let r = h.call(CREATE, &create_params()).await;
    let body = r.assert_ok();
    assert_eq!(body["Code"], "OK");
    let request_id = body["RequestId"].as_str().unwrap();
    assert_eq!(request_id, request_id.to_ascii_uppercase());
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    assert_eq!(r.headers["x-acs-request-id"], request_id);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(httpdate::parse_http_date(r.headers[header::DATE].to_str().unwrap()).is_ok());
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn signed_get_with_everything_in_the_query_succeeds() {
    let h = Harness::new();
    let params = h.sign(SignMethod::Get, CREATE, &demo_key(), &create_params());
    h.send_params(SignMethod::Get, &params).await.assert_ok();
}

#[tokio::test]
async fn parameters_split_between_query_and_body_are_merged_and_the_body_wins() {
    let h = Harness::new();
    let params = h.sign(
        SignMethod::Post,
        CREATE,
        &demo_key(),
        &[
            ("PhoneNumber", PHONE),
            ("PrefilledMessage", "from the body"),
            ("GenerateQrImage", "SVG"),
        ],
    );
    let (common, business): (Vec<_>, Vec<_>) = params
        .into_iter()
        .partition(|(k, _)| !matches!(k.as_str(), "PhoneNumber" | "PrefilledMessage"));
    // The query also carries a stale PrefilledMessage; the body's value is the one signed.
    let mut query = common.clone();
    query.push(("PrefilledMessage".into(), "from the query".into()));
    let r = h.post(&form_body(&query), &form_body(&business)).await;
    let body = r.assert_ok();
    assert_eq!(body["Data"]["PrefilledMessage"], "from the body");
    assert_eq!(body["Data"]["GenerateQrImage"], "SVG");
}

#[tokio::test]
async fn wire_encoding_may_differ_from_the_canonical_one() {
    let h = Harness::new();
    let message = "Hi there + 100% ~ *ok* 你好";
    let params = h.sign(
        SignMethod::Post,
        CREATE,
        &demo_key(),
        &[
            ("PhoneNumber", PHONE),
            ("PrefilledMessage", message),
            ("GenerateQrImage", "PNG"),
        ],
    );
    // A browser form encoder: spaces as '+', '*' and '~' left alone, lowercase hex elsewhere.
    let body = params
        .iter()
        .map(|(k, v)| {
            let enc = percent_encode(v)
                .replace("%20", "+")
                .replace("%2A", "*")
                .replace("%E4", "%e4");
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&");
    let r = h.post("", &body).await;
    assert_eq!(r.assert_ok()["Data"]["PrefilledMessage"], message);
}

#[tokio::test]
async fn wrong_secret_gets_signature_does_not_match_with_the_server_string_to_sign() {
    let h = Harness::new();
    let mut creds = demo_key();
    creds.access_key_secret = "not-the-secret".into();
    let params = h.sign(SignMethod::Post, CREATE, &creds, &create_params());
    let r = h.send_params(SignMethod::Post, &params).await;
    r.assert_error(400, "SignatureDoesNotMatch");
    let ours = sign_params(
        SignMethod::Post,
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        "not-the-secret",
    );
    let message = r.message();
    let prefix =
        "Specified signature is not matched with our calculation. server string to sign is:";
    assert_eq!(message, format!("{prefix}{}", ours.string_to_sign));
}

#[tokio::test]
async fn a_parameter_changed_after_signing_or_another_method_is_refused() {
    let h = Harness::new();
    let mut params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    set(&mut params, "PrefilledMessage", "tampered");
    h.send_params(SignMethod::Post, &params)
        .await
        .assert_error(400, "SignatureDoesNotMatch");

    let params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    let r = h.send_params(SignMethod::Get, &params).await;
    r.assert_error(400, "SignatureDoesNotMatch");
    assert!(r.message().contains("is:GET&%2F&"), "{}", r.message());
}

#[tokio::test]
async fn timestamps_outside_fifteen_minutes_are_expired() {
    let h = Harness::new();
    let now = h.emu.clock.now_secs();
    for (offset, ok) in [
        (-16 * 60, false),
        (16 * 60, false),
        (-14 * 60, true),
        (14 * 60, true),
    ] {
        let params = h.sign_at(
            SignMethod::Post,
            CREATE,
            "2020-06-06",
            now + offset,
            &demo_key(),
            &create_params(),
        );
        let r = h.send_params(SignMethod::Post, &params).await;
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
}

#[tokio::test]
async fn the_emulator_clock_can_be_shifted() {
    let h = Harness::new();
    let params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    h.emu.clock.advance_secs(20 * 60);
    h.send_params(SignMethod::Post, &params)
        .await
        .assert_error(400, "InvalidTimeStamp.Expired");
    // Signed with the shifted clock, it passes; the Date header follows the shifted clock.
    let r = h.call(CREATE, &create_params()).await;
    r.assert_ok();
    let date = httpdate::parse_http_date(r.headers[header::DATE].to_str().unwrap()).unwrap();
    let real_now = std::time::SystemTime::now();
    let ahead = date.duration_since(real_now).unwrap().as_secs();
    assert!((1190..=1201).contains(&ahead), "{ahead}");
}

#[tokio::test]
async fn malformed_timestamps_are_refused() {
    let h = Harness::new();
    let now = h.emu.clock.now_secs();
    let with_fraction = format!("{}.123Z", format_timestamp(now).trim_end_matches('Z'));
    for ts in [
        "2024-01-01 00:00:00",
        "1700000000",
        "2024-13-01T00:00:00Z",
        with_fraction.as_str(),
    ] {
        let mut params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
        set(&mut params, "Timestamp", ts);
        h.send_params(SignMethod::Post, &params)
            .await
            .assert_error(400, "InvalidTimeStamp.Format");
    }
}

#[tokio::test]
async fn a_nonce_may_not_repeat_within_fifteen_minutes() {
    let h = Harness::new();
    let params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    h.send_params(SignMethod::Post, &params).await.assert_ok();
    let r = h.send_params(SignMethod::Post, &params).await;
    r.assert_error(400, "SignatureNonceUsed");
    assert_eq!(r.message(), "Specified signature nonce was used already.");

    // Same nonce, new timestamp, fifteen minutes later: accepted again.
    let nonce = params
        .iter()
        .find(|(k, _)| k == "SignatureNonce")
        .unwrap()
        .1
        .clone();
    h.emu.clock.advance_secs(15 * 60);
    let ctx = cams_protocol::params::CallContext {
        action: CREATE,
        version: "2020-06-06",
        unix_secs: h.emu.clock.now_secs(),
        nonce: &nonce,
    };
    let again =
        cams_protocol::params::signed_params(SignMethod::Post, &ctx, &demo_key(), &create_params());
    h.send_params(SignMethod::Post, &again).await.assert_ok();
}

#[tokio::test]
async fn a_refused_signature_does_not_use_up_the_nonce() {
    let h = Harness::new();
    let good = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    let mut bad = good.clone();
    set(&mut bad, "Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    h.send_params(SignMethod::Post, &bad)
        .await
        .assert_error(400, "SignatureDoesNotMatch");
    h.send_params(SignMethod::Post, &good).await.assert_ok();
}

#[tokio::test]
async fn unknown_access_keys_are_not_found() {
    let h = Harness::new();
    let mut creds = demo_key();
    creds.access_key_id = "LTAInobody".into();
    let r = h.call_as(&creds, CREATE, &create_params()).await;
    r.assert_error(404, "InvalidAccessKeyId.NotFound");
    assert_eq!(r.message(), "Specified access key is not found.");
}

#[tokio::test]
async fn every_common_parameter_is_required() {
    let h = Harness::new();
    for name in [
        "Action",
        "Version",
        "AccessKeyId",
        "Format",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
        "Timestamp",
        "Signature",
    ] {
        for empty in [false, true] {
            let mut params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
            if empty {
                set(&mut params, name, "");
            } else {
                remove(&mut params, name);
            }
            let r = h.send_params(SignMethod::Post, &params).await;
            r.assert_error(400, "MissingParameter");
            assert_eq!(
                r.message(),
                format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied.")
            );
        }
    }
}

#[tokio::test]
async fn the_version_must_be_the_actions() {
    let h = Harness::new();
    let now = h.emu.clock.now_secs();
    let params = h.sign_at(
        SignMethod::Post,
        CREATE,
        "2019-01-01",
        now,
        &demo_key(),
        &create_params(),
    );
    let r = h.send_params(SignMethod::Post, &params).await;
    r.assert_error(400, "InvalidVersion");
    assert!(r.message().contains("2019-01-01"), "{}", r.message());

    let params = h.sign_at(
        SignMethod::Post,
        "AssumeRole",
        "2020-06-06",
        now,
        &demo_key(),
        &[("RoleArn", "acs:ram::1:role/r"), ("RoleSessionName", "ab")],
    );
    let r = h.send_params(SignMethod::Post, &params).await;
    r.assert_error(400, "InvalidVersion");
    assert_eq!(r.json()["HostId"], "emulator.test:8081");
    assert!(r.json()["Recommend"]
        .as_str()
        .unwrap()
        .contains("product=Sts"));
}

#[tokio::test]
async fn unknown_actions_are_not_found() {
    let h = Harness::new();
    let r = h.call("DescribeRegions", &[]).await;
    r.assert_error(404, "InvalidAction.NotFound");
    assert_eq!(
        r.message(),
        "Specified api is not found, please check your url and method."
    );
}

#[tokio::test]
async fn unsupported_signature_settings_and_formats_are_refused() {
    let h = Harness::new();
    for (name, value, code) in [
        ("SignatureMethod", "HMAC-SHA256", "InvalidSignatureMethod"),
        ("SignatureVersion", "2.0", "InvalidSignatureMethod"),
        ("Format", "XML", "InvalidParameter.Format"),
        ("Signature", "not base64!", "IncompleteSignature"),
        ("Signature", "c2hvcnQ=", "IncompleteSignature"),
    ] {
        let mut params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
        set(&mut params, name, value);
        h.send_params(SignMethod::Post, &params)
            .await
            .assert_error(400, code);
    }
    // Format is case-insensitive, as the official SDKs send "json".
    let mut params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    set(&mut params, "Format", "json");
    let resigned = sign_params(
        SignMethod::Post,
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        cams_emulator::DEMO_ACCESS_KEY_SECRET,
    );
    set(&mut params, "Signature", &resigned.signature);
    h.send_params(SignMethod::Post, &params).await.assert_ok();
}

#[tokio::test]
async fn other_http_methods_are_refused() {
    let h = Harness::new();
    let params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    let request = Request::builder()
        .method(Method::PUT)
        .uri(format!("/?{}", form_body(&params)))
        .body(Body::empty())
        .unwrap();
    h.send(request)
        .await
        .assert_error(400, "UnsupportedHTTPMethod");
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_ignored() {
    let h = Harness::new();
    let params = h.sign(SignMethod::Post, CREATE, &demo_key(), &create_params());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(form_body(&params)))
        .unwrap();
    h.send(request).await.assert_error(400, "MissingParameter");
}

#[tokio::test]
async fn preflights_are_answered_for_any_origin() {
    let h = Harness::new();
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header(header::ORIGIN, "http://localhost:9999")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-custom",
        )
        .body(Body::empty())
        .unwrap();
    let r = h.send(request).await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let methods = r.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    // The requested headers are granted by name (a `*` would not cover Authorization).
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type,x-custom"
    );

    // An actual cross-origin reply exposes what a client needs to read.
    let r = h.call(CREATE, &create_params()).await;
    let exposed = r.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in ["date", "x-acs-request-id", "retry-after"] {
        assert!(exposed.contains(name), "{exposed}");
    }
}
