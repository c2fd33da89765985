//! A fuzz target for the emulator's gateway: arbitrary parameters (the real names with random
//! values, random names), split between query and body, under any method and content type, and
//! signed calls with one thing changed. Whatever arrives, the gateway must not panic, must answer
//! in its error shape, and must accept nothing it did not verify.
//!
//! `cargo test` runs a few cases (64 per property); set `PROPTEST_CASES` for a longer run:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --release -p cams-emulator --test api fuzz
//! ```

use axum::body::Body;
use axum::http::{header, Method, Request};
use cams_protocol::encode::percent_encode;
use cams_protocol::sign::Method as SignMethod;
use proptest::prelude::*;

use crate::harness::{demo_key, Harness, Reply, PHONE};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const NAMES: [&str; 16] = [
    "Action",
    "Version",
    "AccessKeyId",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Signature",
    "SecurityToken",
    "PhoneNumber",
    "PrefilledMessage",
    "GenerateQrImage",
    "QrdlCode",
    "RoleArn",
    "Policy",
];

fn param() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        3 => prop::sample::select(NAMES.to_vec()).prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
    ];
    let value = prop_oneof![
        Just("CreatePhoneMessageQrdl".to_owned()),
        Just("AssumeRole".to_owned()),
        Just("2020-06-06".to_owned()),
        Just("demo-access-key-id".to_owned()),
        Just("HMAC-SHA1".to_owned()),
        Just("1.0".to_owned()),
        Just("JSON".to_owned()),
        Just("2026-01-01T00:00:00Z".to_owned()),
        Just("AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()),
        any::<String>(),
    ];
    (name, value)
}

/// The emulator's reply, checked for the envelope every reply carries.
fn check_envelope(r: &Reply) -> Result<serde_json::Value, TestCaseError> {
    let body: serde_json::Value = serde_json::from_slice(&r.bytes).map_err(|e| {
        TestCaseError::fail(format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&r.bytes)
        ))
    })?;
    prop_assert!(body["RequestId"].is_string(), "{body}");
    prop_assert!(
        [200, 400, 403, 404].contains(&r.status.as_u16()),
        "{} {body}",
        r.status
    );
    if r.status != 200 {
        prop_assert!(body["Code"].is_string(), "{body}");
    }
    Ok(body)
}

#[test]
fn any_request_gets_an_answer_in_the_gateways_shape_and_nothing_unsigned_is_accepted() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = Harness::new();
    proptest!(config(), |(
        params in prop::collection::vec(param(), 0..14),
        split in any::<prop::sample::Index>(),
        method in prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE]),
        content_type in prop_oneof![
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("application/json".to_owned()),
            "[ -~]{0,20}",
        ],
    )| {
        let encoded: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let at = split.index(encoded.len() + 1);
        let (query, body) = encoded.split_at(at);
        let uri = if query.is_empty() { "/".to_owned() } else { format!("/?{}", query.join("&")) };
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "emulator.test:8081")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.join("&")))
            .unwrap();
        let reply = rt.block_on(h.send(request));
        check_envelope(&reply)?;
        prop_assert_ne!(reply.status.as_u16(), 200, "an unsigned request was accepted");
    });
}

#[test]
fn a_signed_call_with_anything_changed_is_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = Harness::new();
    proptest!(config(), |(
        which in any::<prop::sample::Index>(),
        change in prop_oneof![
            Just(None),
            any::<String>().prop_map(Some),
        ],
        extra in prop::option::of(("[A-Za-z]{1,8}", "[ -~]{0,8}")),
        get in any::<bool>(),
    )| {
        let method = if get { SignMethod::Get } else { SignMethod::Post };
        let mut params = h.sign(
            method,
            "CreatePhoneMessageQrdl",
            &demo_key(),
            &[("PhoneNumber", PHONE), ("PrefilledMessage", "fuzz"), ("GenerateQrImage", "PNG")],
        );
        let i = which.index(params.len());
        match (&change, &extra) {
            // A value replaced (by a different one), or the parameter dropped.
            (Some(v), _) if *v != params[i].1 => params[i].1 = v.clone(),
            (None, None) => {
                params.remove(i);
            }
            // A parameter added that the signature did not cover.
            (_, Some((k, v))) if !params.iter().any(|(n, _)| n == k) => {
                params.push((k.clone(), v.clone()));
            }
            _ => return Ok(()),
        }
        let reply = rt.block_on(h.send_params(method, &params));
        check_envelope(&reply)?;
        prop_assert_ne!(reply.status.as_u16(), 200, "{:?}", params);
    });
}
