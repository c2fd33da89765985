//! Property tests of the pure core: every parser of outside input returns (never panics) on any
//! input, and the signer's invariants hold for arbitrary parameters.
//!
//! Case counts are kept modest (256 to 512 per property) so the file runs in a few seconds in a
//! debug build. Failures are not persisted to files: a bug found here gets a named regression
//! test at the end of this file instead.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Map, Value};

use cams_protocol::acs3::{self, Acs3Authorization, Acs3Call, Acs3Request, Acs3Shape};
use cams_protocol::canonical::canonical_query;
use cams_protocol::clock_skew::{correct, SkewFix, MIN_SKEW_SECS};
use cams_protocol::credentials::Credentials;
use cams_protocol::encode::{form_decode, parse_form, percent_encode};
use cams_protocol::error::CamsError;
use cams_protocol::options::{self, RawOptions, DEFAULT_REGION, MAX_TIMEOUT_MS};
use cams_protocol::params::form_body;
use cams_protocol::redact::{redact, REDACTED};
use cams_protocol::refresh::{needs_refresh, refresh_at};
use cams_protocol::response::{parse_base, parse_list, parse_qrdl};
use cams_protocol::retry::{requested_wait_ms, retry_delay_ms, MAX_RETRY_AFTER_MS};
use cams_protocol::sign::{sign_params, Method};
use cams_protocol::sts::{parse_credentials, parse_relay_failure, TemporaryCredentials};
use cams_protocol::time::parse_http_date;
use cams_protocol::time::{format_timestamp, parse_timestamp};
use cams_protocol::types::{Action, QrdlInput, QrdlSelector};
use cams_protocol::validate::{self, MAX_MESSAGE_CHARS};

/// `1970-01-01T00:00:00Z`: the first instant a timestamp holds (no signed request, no
/// credentials expiry is older).
const FIRST_4_DIGIT: i64 = 0;
/// `9999-12-31T23:59:59Z`: the last one with a four-digit year.
const LAST_4_DIGIT: i64 = cams_protocol::time::LAST_TIMESTAMP;

/// `cases` per property, unless `PROPTEST_CASES` asks for a longer (or shorter) run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Arbitrary text: printable unicode, any `char` at all (controls, surrogate-adjacent, NUL),
/// random bytes made into a string lossily, and text dense in `% + = &` and hex digits so the
/// escape paths of the decoders are exercised.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        vec(any::<char>(), 0..32).prop_map(|cs| cs.into_iter().collect()),
        vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[%+=&;a-fA-F0-9zZ~ ./\\-_]{0,24}",
        "(%[0-9a-fA-FgG]{0,2}|[+=&]|[a-z]){0,12}",
    ]
    .boxed()
}

/// Strings near the timestamp format: valid ones, valid ones with one byte replaced, cut short,
/// given a fraction or junk at the end, and random text of the right length.
fn timestamp_like() -> BoxedStrategy<String> {
    let valid = (FIRST_4_DIGIT..=LAST_4_DIGIT).prop_map(format_timestamp);
    prop_oneof![
        valid.clone(),
        (valid.clone(), any::<Index>(), any::<char>()).prop_map(|(s, i, c)| {
            let mut chars: Vec<char> = s.chars().collect();
            let i = i.index(chars.len());
            chars[i] = c;
            chars.into_iter().collect()
        }),
        (valid.clone(), any::<Index>()).prop_map(|(s, i)| s[..i.index(s.len() + 1)].to_owned()),
        (valid.clone(), "(\\.[0-9]{0,9})?[Zz+\\-0-9.:é]{0,4}")
            .prop_map(|(s, tail)| format!("{}{tail}", &s[..19])),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,4})?Z",
        "[0-9\\-T:Z.]{18,24}",
        text(),
    ]
    .boxed()
}

const REPLY_KEYS: &[&str] = &[
    "Code",
    "Data",
    "RequestId",
    "Message",
    "Recommend",
    "HostId",
    "AccessDeniedDetail",
    "QrImageUrl",
    "PhoneNumber",
    "QrdlCode",
    "DeepLinkUrl",
    "GenerateQrImage",
    "PrefilledMessage",
    "code",
    "data",
];

/// Values a `Code` takes: the success code, the empty string, real error codes, anything.
fn code_like() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("OK".to_owned()),
        1 => Just(String::new()),
        1 => Just("ok".to_owned()),
        1 => Just(" OK".to_owned()),
        1 => select(&[
            "Throttling.User",
            "System.LimitControl",
            "SignatureDoesNotMatch",
            "Ram.PermissionDeny",
            "InvalidSecurityToken.Expired",
        ][..])
        .prop_map(str::to_owned),
        1 => text(),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        code_like().prop_map(Value::String),
        text().prop_map(Value::String),
    ]
    .boxed()
}

fn json_key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(REPLY_KEYS).prop_map(str::to_owned),
        1 => "[A-Za-z]{0,8}",
    ]
    .boxed()
}

/// Any JSON value, nested objects and arrays whose keys are mostly the API's own names.
fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                btree_map(json_key(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A Qrdl object with string fields: its `QrdlCode`, and some of the others.
fn qrdl_json() -> BoxedStrategy<Value> {
    (
        text(),
        btree_map(
            select(&REPLY_KEYS[7..13]).prop_map(str::to_owned),
            text().prop_map(Value::String),
            0..7,
        ),
    )
        .prop_map(|(code, m)| {
            let mut m: Map<String, Value> = m.into_iter().collect();
            m.insert("QrdlCode".into(), Value::String(code));
            Value::Object(m)
        })
        .boxed()
}

/// A reply shaped like the API's: a `Code`, maybe a `RequestId` and `Message`, and a `Data` that is
/// one Qrdl, an array of them, or any value.
fn reply_json() -> BoxedStrategy<Value> {
    let data = prop_oneof![
        qrdl_json(),
        vec(qrdl_json(), 0..4).prop_map(Value::Array),
        json_value(),
    ];
    (
        proptest::option::of(code_like()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(data),
        btree_map(json_key(), json_value(), 0..3),
    )
        .prop_map(|(code, request_id, message, data, extra)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            for (k, v) in [
                ("Code", code.map(Value::String)),
                ("RequestId", request_id.map(Value::String)),
                ("Message", message.map(Value::String)),
                ("Data", data),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            }
            Value::Object(m)
        })
        .boxed()
}

/// `s` cut at a character boundary at or before `i`.
fn truncate(s: &str, i: Index) -> String {
    let mut end = i.index(s.len() + 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Bodies a reply may have: random text, random JSON, API-shaped JSON, and API-shaped JSON cut
/// short.
fn reply_body() -> BoxedStrategy<String> {
    prop_oneof![
        text(),
        json_value().prop_map(|v| v.to_string()),
        reply_json().prop_map(|v| v.to_string()),
        reply_json().prop_map(|v| serde_json::to_string_pretty(&v).unwrap()),
        (reply_json(), any::<Index>()).prop_map(|(v, i)| truncate(&v.to_string(), i)),
        Just("<html><body>502 Bad Gateway</body></html>".to_owned()),
    ]
    .boxed()
}

fn status() -> BoxedStrategy<u16> {
    prop_oneof![200u16..300, 0u16..=999].boxed()
}

/// A secret that can be recognised in any text it leaks into: a marker and random characters
/// (the base64 alphabet an AccessKeySecret and SecurityToken use, and arbitrary unicode).
fn secret(marker: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        "[A-Za-z0-9+/=]{0,40}".prop_map(move |s| format!("{marker}{s}")),
        any::<String>().prop_map(move |s| format!("{marker}{s}")),
    ]
    .boxed()
}

const SECRET_MARK: &str = "SeCrEtMaRk";
const TOKEN_MARK: &str = "ToKeNmArK";

#[derive(Clone, Debug)]
struct StsFields {
    id: String,
    secret: String,
    token: Option<String>,
    expiration: Option<i64>,
    /// Fraction digits written after the seconds (the camelCase shape), `None` for none.
    fraction: Option<String>,
}

fn sts_fields() -> BoxedStrategy<StsFields> {
    (
        "[A-Za-z0-9.]{1,24}",
        secret(SECRET_MARK),
        proptest::option::of(secret(TOKEN_MARK)),
        proptest::option::of(FIRST_4_DIGIT..=LAST_4_DIGIT),
        proptest::option::of("[0-9]{0,6}"),
    )
        .prop_map(|(id, secret, token, expiration, fraction)| StsFields {
            id,
            secret,
            token,
            expiration,
            fraction,
        })
        .boxed()
}

/// The three documented shapes: AssumeRole's reply, its `Credentials` object alone, camelCase.
fn sts_shapes(f: &StsFields) -> [Value; 3] {
    let expiration = |fraction: bool| {
        f.expiration.map(|t| {
            let s = format_timestamp(t);
            match (&f.fraction, fraction) {
                (Some(digits), true) => format!("{}.{digits}Z", &s[..19]),
                _ => s,
            }
        })
    };
    let mut pascal = json!({ "AccessKeyId": f.id, "AccessKeySecret": f.secret });
    let mut camel = json!({ "accessKeyId": f.id, "accessKeySecret": f.secret });
    if let Some(t) = &f.token {
        pascal["SecurityToken"] = json!(t);
        camel["securityToken"] = json!(t);
    }
    if let Some(e) = expiration(false) {
        pascal["Expiration"] = json!(e);
    }
    if let Some(e) = expiration(true) {
        camel["expiration"] = json!(e);
    }
    let assume_role = json!({
        "RequestId": "6894B13B-6D71-4EF5-88FA-F32781734A7F",
        "AssumedRoleUser": { "Arn": "acs:ram::123:role/cams/s", "AssumedRoleId": "344:s" },
        "Credentials": pascal,
    });
    [assume_role, pascal, camel]
}

/// A credentials body broken in one way, each still holding the secret somewhere.
fn broken_sts_body() -> BoxedStrategy<(StsFields, String)> {
    (
        sts_fields(),
        0..9usize,
        0..3usize,
        any::<Index>(),
        json_value(),
    )
        .prop_map(|(f, how, shape, cut, junk)| {
            let mut v = sts_shapes(&f)[shape].clone();
            let obj = match v.get_mut("Credentials") {
                Some(inner) => inner.as_object_mut().unwrap(),
                None => v.as_object_mut().unwrap(),
            };
            let camel = obj.contains_key("accessKeyId");
            let key = |pascal: &str| {
                if camel {
                    let mut k = pascal.to_owned();
                    k[..1].make_ascii_lowercase();
                    k
                } else {
                    pascal.to_owned()
                }
            };
            let body = match how {
                0 => {
                    obj.remove(&key("AccessKeyId"));
                    v.to_string()
                }
                1 => {
                    obj.insert(key("AccessKeyId"), junk);
                    v.to_string()
                }
                2 => {
                    obj.insert(key("Expiration"), json!(format!("tomorrow {}", f.secret)));
                    v.to_string()
                }
                3 => {
                    obj.insert(key("SecurityToken"), json!([f.secret.clone()]));
                    v.to_string()
                }
                4 => {
                    obj.insert(key("Expiration"), json!({ "at": f.secret.clone() }));
                    v.to_string()
                }
                5 => json!([v]).to_string(),
                6 => truncate(&v.to_string(), cut),
                7 => format!("<html>{}</html>", v),
                _ => {
                    obj.insert(key("AccessKeySecret"), json!(""));
                    v.to_string()
                }
            };
            (f, body)
        })
        .boxed()
}

/// Distinct parameter names (never `Signature`) with arbitrary values.
fn params_map(min: usize) -> BoxedStrategy<BTreeMap<String, String>> {
    btree_map(
        text().prop_filter("Signature is not signed", |k| k != "Signature"),
        text(),
        min..8,
    )
    .boxed()
}

fn pairs(m: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn sig(method: Method, m: &BTreeMap<String, String>, secret: &str) -> String {
    sign_params(method, pairs(m), secret).signature
}

fn method() -> BoxedStrategy<Method> {
    prop_oneof![Just(Method::Get), Just(Method::Post)].boxed()
}

/// Option numbers: in range, at the edges, out of range, not finite.
fn option_number() -> BoxedStrategy<Option<f64>> {
    proptest::option::of(prop_oneof![
        any::<f64>(),
        -5.0f64..20.0,
        0.0f64..3e9,
        (0u32..=12).prop_map(f64::from),
        select(
            &[
                0.0,
                -0.0,
                0.5,
                1.0,
                10.0,
                10.5,
                MAX_TIMEOUT_MS,
                MAX_TIMEOUT_MS + 1.0,
                f64::MIN_POSITIVE,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ][..]
        ),
    ])
    .boxed()
}

fn endpoint_like() -> BoxedStrategy<String> {
    prop_oneof![
        text(),
        "(https?|HTTPS?|ftp)://[a-z0-9.:/\\-]{0,20}",
        "[ \t\n]{0,2}/[/\\\\\t\n]{0,2}[a-z0-9.:/]{0,12}[ \t\n]{0,2}",
    ]
    .boxed()
}

fn region_like() -> BoxedStrategy<String> {
    prop_oneof![text(), "[a-z0-9\\-]{0,16}", "[ ]?[a-z0-9\\-./:@]{0,16}[ ]?"].boxed()
}

fn phone_like() -> BoxedStrategy<String> {
    prop_oneof![
        text(),
        "[+]?[0-9 ()\\-]{0,24}",
        "[0-9]{0,20}",
        "[0-9٠-٩０-９x]{0,16}"
    ]
    .boxed()
}

fn message_like() -> BoxedStrategy<String> {
    prop_oneof![
        text(),
        ".{0,160}",
        "[ \t\n\u{3000}]{0,4}",
        (130usize..150, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
    .boxed()
}

fn format_like() -> BoxedStrategy<String> {
    prop_oneof![text(), "[ ]?(png|PNG|svg|Svg|jpg|PnG)[ \t]?"].boxed()
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the reply parsers
// ---------------------------------------------------------------------------------------------

/// An error must carry a code a program can act on, and the status it came with.
fn check_error(e: &CamsError, status: u16) -> Result<(), TestCaseError> {
    prop_assert!(!e.code.is_empty(), "empty code: {e:?}");
    prop_assert!(
        !e.message.is_empty() || e.code != "InvalidResponse",
        "{e:?}"
    );
    prop_assert_eq!(e.http_status, Some(status));
    Ok(())
}

/// A success is only reported for a 2xx status and a body whose `Code` is `OK`.
fn check_success(status: u16, body: &str, code: &str) -> Result<(), TestCaseError> {
    prop_assert!((200..300).contains(&status), "success with HTTP {status}");
    prop_assert_eq!(code, "OK");
    let v: Value = serde_json::from_str(body).expect("a success body is JSON");
    prop_assert_eq!(
        v.get("Code").and_then(Value::as_str),
        Some("OK"),
        "{}",
        body
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    // -- encode.rs ------------------------------------------------------------------------

    #[test]
    fn form_decode_and_parse_form_never_panic(s in text()) {
        // Decoding never yields more characters than it read (an escape or a byte is at most
        // one character, U+FFFD included).
        prop_assert!(form_decode(&s).chars().count() <= s.len());
        let pairs = parse_form(&s);
        prop_assert!(pairs.len() <= s.split('&').count());
        // Text with no `&` and no `=` is one key, decoded alone.
        if !s.is_empty() && !s.contains(['&', '=']) {
            prop_assert_eq!(pairs, vec![(form_decode(&s), String::new())]);
        }
    }

    #[test]
    fn percent_encode_round_trips_and_uses_only_unreserved_and_escapes(s in text()) {
        let enc = percent_encode(&s);
        prop_assert_eq!(form_decode(&enc), s.clone());
        let b = enc.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => i += 1,
                b'%' => {
                    prop_assert!(i + 2 < b.len(), "{}", enc);
                    for &h in &b[i + 1..i + 3] {
                        prop_assert!(matches!(h, b'0'..=b'9' | b'A'..=b'F'), "{}", enc);
                    }
                    i += 3;
                }
                other => prop_assert!(false, "byte {other:#x} in {enc}"),
            }
        }
        // Unreserved text is left alone; everything else grows.
        let unreserved = s.bytes().all(|c| c.is_ascii_alphanumeric() || b"-_.~".contains(&c));
        prop_assert_eq!(enc == s, unreserved);
    }

    // -- time.rs --------------------------------------------------------------------------

    #[test]
    fn parse_timestamp_never_panics_and_what_it_accepts_is_canonical(s in timestamp_like()) {
        if let Some(t) = parse_timestamp(&s) {
            prop_assert!((FIRST_4_DIGIT..=LAST_4_DIGIT + 1).contains(&t), "{s} -> {t}");
            let canonical = format_timestamp(t);
            prop_assert_eq!(parse_timestamp(&canonical), Some(t));
            // Without a fraction or a leap second, the text was already canonical.
            if s.len() == 20 && &s[17..19] != "60" {
                prop_assert_eq!(canonical, s);
            }
        }
    }

    #[test]
    fn timestamps_round_trip_over_four_digit_years(t in FIRST_4_DIGIT..=LAST_4_DIGIT) {
        let s = format_timestamp(t);
        prop_assert_eq!(s.len(), 20, "{}", s);
        prop_assert_eq!(parse_timestamp(&s), Some(t), "{}", s);
    }

    #[test]
    fn format_timestamp_never_panics(t in any::<i64>()) {
        let _ = format_timestamp(t);
    }

    // -- response.rs ----------------------------------------------------------------------

    #[test]
    fn reply_parsers_never_panic_and_only_succeed_on_ok_2xx(
        status in status(),
        body in reply_body(),
    ) {
        match parse_qrdl(status, &body) {
            Ok(r) => check_success(status, &body, &r.code)?,
            Err(e) => check_error(&e, status)?,
        }
        match parse_list(status, &body) {
            Ok(r) => check_success(status, &body, &r.code)?,
            Err(e) => check_error(&e, status)?,
        }
        match parse_base(status, &body) {
            Ok(r) => check_success(status, &body, &r.code)?,
            Err(e) => check_error(&e, status)?,
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    // -- encode.rs, response.rs (the costlier properties) -------------------------------

    #[test]
    fn form_body_round_trips_through_parse_form(
        params in vec((text(), text()), 0..8)
    ) {
        let body = form_body(&params);
        prop_assert_eq!(parse_form(&body), params);
    }

    #[test]
    fn well_formed_successes_are_read(
        status in 200u16..300,
        request_id in text(),
        one in qrdl_json(),
        many in vec(qrdl_json(), 0..4),
    ) {
        let body = json!({ "Code": "OK", "RequestId": request_id, "Data": one }).to_string();
        let r = parse_qrdl(status, &body).unwrap();
        prop_assert_eq!(&r.request_id, &request_id);
        prop_assert_eq!(
            r.data.qrdl_code.as_str(),
            one.get("QrdlCode").and_then(Value::as_str).unwrap_or("")
        );
        prop_assert!(parse_base(status, &body).is_ok());
        let body = json!({ "Code": "OK", "RequestId": request_id, "Data": many }).to_string();
        prop_assert_eq!(parse_list(status, &body).unwrap().data.len(), many.len());
    }

    #[test]
    fn error_replies_keep_their_code(
        status in 0u16..=999,
        code in "[A-Za-z][A-Za-z.]{0,20}",
        message in text(),
    ) {
        prop_assume!(code != "OK");
        let body = json!({ "Code": code, "Message": message, "RequestId": "R" }).to_string();
        for e in [
            parse_qrdl(status, &body).unwrap_err(),
            parse_list(status, &body).unwrap_err(),
            parse_base(status, &body).unwrap_err(),
        ] {
            prop_assert_eq!(&e.code, &code);
            prop_assert_eq!(&e.message, &message);
            prop_assert_eq!(e.request_id.as_deref(), Some("R"));
        }
    }

    // -- sts.rs ---------------------------------------------------------------------------

    #[test]
    fn parse_credentials_never_panics(body in reply_body(), source in "[a-z]{1,8}") {
        if let Err(e) = parse_credentials(&body, &source) {
            prop_assert_eq!(e.code.as_str(), "CredentialsError");
            prop_assert!(e.message.contains(&source));
        }
    }

    #[test]
    fn relay_failure_never_panics(status in 0u16..=999, body in reply_body()) {
        let (e, _code) = parse_relay_failure(status, &body);
        prop_assert_eq!(e.code.as_str(), "CredentialsError");
        prop_assert_eq!(e.http_status, Some(status));
        // The relay's own message is clipped so it cannot flood the error.
        prop_assert!(e.message.chars().count() < 900, "{}", e.message.len());
    }

    #[test]
    fn the_three_sts_shapes_read_alike(f in sts_fields()) {
        let expected = TemporaryCredentials {
            credentials: cams_protocol::credentials::Credentials {
                access_key_id: f.id.clone(),
                access_key_secret: f.secret.clone(),
                security_token: f.token.clone(),
            },
            expiration: f.expiration,
            cams_host: None,
        };
        for shape in sts_shapes(&f) {
            let body = shape.to_string();
            prop_assert_eq!(&parse_credentials(&body, "relay").unwrap(), &expected, "{}", body);
        }
    }

    #[test]
    fn sts_errors_never_show_a_secret((f, body) in broken_sts_body()) {
        if let Err(e) = parse_credentials(&body, "relay") {
            let shown = format!("{e} {e:?}");
            prop_assert!(!shown.contains(&f.secret), "{}", shown);
            prop_assert!(!shown.contains(SECRET_MARK), "{}", shown);
            prop_assert!(!shown.contains(TOKEN_MARK), "{}", shown);
        }
        // A relay that fails while its body holds credentials does not echo them either.
        for status in [400u16, 500, 502] {
            let (e, code) = parse_relay_failure(status, &body);
            let shown = format!("{e} {e:?} {code:?}");
            prop_assert!(!shown.contains(SECRET_MARK), "{}", shown);
            prop_assert!(!shown.contains(TOKEN_MARK), "{}", shown);
        }
    }

    // -- sign.rs / canonical.rs -----------------------------------------------------------

    #[test]
    fn canonical_query_ignores_input_order_and_signature(
        (m, shuffled) in params_map(0).prop_flat_map(|m| {
            let v: Vec<(String, String)> = m.clone().into_iter().collect();
            (Just(m), Just(v).prop_shuffle())
        }),
        stray_signature in text(),
        secret in text(),
        method in method(),
    ) {
        let sorted = sign_params(method, pairs(&m), &secret);
        let mut shuffled: Vec<(&str, &str)> =
            shuffled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        shuffled.push(("Signature", stray_signature.as_str()));
        let other = sign_params(method, shuffled.iter().copied(), &secret);
        prop_assert_eq!(&other, &sorted);
        prop_assert_eq!(canonical_query(shuffled.iter().copied()), sorted.canonical_query.clone());
        // The canonical query decodes back to exactly the parameters, in byte order of names.
        let back: Vec<(String, String)> = parse_form(&sorted.canonical_query);
        let want: Vec<(String, String)> = m.into_iter().collect();
        prop_assert_eq!(back, want);
    }

    #[test]
    fn sign_params_never_panics_and_is_well_formed(
        params in vec((text(), text()), 0..10),
        secret in text(),
        method in method(),
    ) {
        let s = sign_params(method, params.iter().map(|(k, v)| (k.as_str(), v.as_str())), &secret);
        let prefix = [method.as_str(), "&%2F&"].concat();
        prop_assert!(s.string_to_sign.starts_with(&prefix), "{}", s.string_to_sign);
        prop_assert!(s
            .canonical_query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)));
        prop_assert_eq!(s.signature.len(), 28);
        prop_assert!(s.signature.ends_with('='));
    }

    #[test]
    fn changing_a_value_changes_the_signature(
        m in params_map(1),
        i in any::<Index>(),
        new_value in text(),
        secret in text(),
        method in method(),
    ) {
        let key = m.keys().nth(i.index(m.len())).unwrap().clone();
        prop_assume!(m[&key] != new_value);
        let mut changed = m.clone();
        changed.insert(key, new_value);
        prop_assert_ne!(sig(method, &m, &secret), sig(method, &changed, &secret));
    }

    #[test]
    fn changing_a_name_changes_the_signature(
        m in params_map(1),
        i in any::<Index>(),
        new_key in text(),
        secret in text(),
        method in method(),
    ) {
        prop_assume!(new_key != "Signature" && !m.contains_key(&new_key));
        let key = m.keys().nth(i.index(m.len())).unwrap().clone();
        let mut changed = m.clone();
        let value = changed.remove(&key).unwrap();
        changed.insert(new_key, value);
        prop_assert_ne!(sig(method, &m, &secret), sig(method, &changed, &secret));
    }

    #[test]
    fn changing_the_secret_or_method_changes_the_signature(
        m in params_map(0),
        a in text(),
        b in text(),
    ) {
        prop_assume!(a != b);
        prop_assert_ne!(sig(Method::Post, &m, &a), sig(Method::Post, &m, &b));
        prop_assert_ne!(sig(Method::Post, &m, &a), sig(Method::Get, &m, &a));
    }

    #[test]
    fn adding_or_removing_a_parameter_changes_the_signature(
        m in params_map(0),
        k in text(),
        v in text(),
        secret in text(),
    ) {
        prop_assume!(k != "Signature" && !m.contains_key(&k));
        let mut more = m.clone();
        more.insert(k, v);
        prop_assert_ne!(sig(Method::Post, &m, &secret), sig(Method::Post, &more, &secret));
    }

    // -- acs3/ ----------------------------------------------------------------------------

    #[test]
    fn a_v3_call_verifies_from_what_goes_on_the_wire(
        m in params_map(0),
        shape in select(vec![Acs3Shape::GetQuery, Acs3Shape::PostQuery, Acs3Shape::PostForm]),
        token in proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
        secret in text(),
        unix_secs in FIRST_4_DIGIT..=LAST_4_DIGIT,
    ) {
        let creds = Credentials {
            access_key_id: "LTAIid".into(),
            access_key_secret: secret.clone(),
            security_token: token,
        };
        let call = Acs3Call {
            shape,
            action: "CreatePhoneMessageQrdl",
            version: "2020-06-06",
            host: "cams.ap-southeast-1.aliyuncs.com",
            unix_secs,
            nonce: "nonce",
        };
        let p = acs3::prepare(&call, &creds, &pairs(&m));
        // What a verifier rebuilds from the decoded query, the headers and the body as sent.
        let query = parse_form(&p.query);
        let body_params = parse_form(&p.body);
        let mut sent: BTreeMap<String, String> = query.iter().cloned().collect();
        sent.extend(body_params.iter().cloned());
        prop_assert_eq!(&sent, &m);
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut headers: Vec<(&str, &str)> = p
            .headers
            .iter()
            .filter(|(k, _)| *k != "authorization")
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        headers.push(("host", call.host));
        let again = acs3::sign(
            &Acs3Request {
                method: p.method.as_str(),
                pathname: "/",
                query: &query,
                headers: &headers,
                body: p.body.as_bytes(),
            },
            "LTAIid",
            &secret,
        );
        prop_assert_eq!(&again, &p.signed);
        let auth = Acs3Authorization::parse(&p.signed.authorization).unwrap();
        prop_assert!(auth.signed_headers.iter().all(|h| acs3::headers::must_be_signed(h)));
    }

    #[test]
    fn changing_a_v3_query_value_changes_the_signature(
        m in params_map(1),
        i in any::<Index>(),
        v in text(),
        secret in text(),
    ) {
        let key = m.keys().nth(i.index(m.len())).unwrap().clone();
        prop_assume!(m[&key] != v);
        let mut changed = m.clone();
        changed.insert(key, v);
        let sign = |m: &BTreeMap<String, String>| {
            let headers = [("host", "h"), ("x-acs-date", "2024-01-01T00:00:00Z")];
            acs3::sign(
                &Acs3Request { method: "POST", pathname: "/", query: &pairs(m), headers: &headers, body: b"" },
                "id",
                &secret,
            )
        };
        prop_assert_ne!(sign(&m).authorization, sign(&changed).authorization);
    }

    #[test]
    fn acs3_authorization_parse_never_panics(s in text(), tail in text()) {
        let _ = Acs3Authorization::parse(&s);
        let _ = Acs3Authorization::parse(&format!("ACS3-HMAC-SHA256 {tail}"));
    }

    // -- validate.rs ----------------------------------------------------------------------

    #[test]
    fn field_validators_never_panic(
        phone in phone_like(),
        message in message_like(),
        format in format_like(),
        space in proptest::option::of(text()),
        code in proptest::option::of(text()),
    ) {
        let named = |r: &CamsError, field: &str| {
            r.code == "InvalidParameter"
                && r.field.as_deref() == Some(field)
                && !r.message.is_empty()
        };
        match validate::phone_number(&phone) {
            Ok(d) => {
                let digits = d.bytes().all(|b| b.is_ascii_digit());
                prop_assert!((6..=15).contains(&d.len()) && digits, "{d}");
            }
            Err(e) => prop_assert!(named(&e, "phoneNumber"), "{e:?}"),
        }
        match validate::prefilled_message(&message) {
            Ok(m) => {
                prop_assert!(!m.trim().is_empty());
                prop_assert!(m.chars().count() <= MAX_MESSAGE_CHARS);
                prop_assert_eq!(&m, &message);
            }
            Err(e) => prop_assert!(named(&e, "prefilledMessage"), "{e:?}"),
        }
        match validate::image_format(&format) {
            Ok(f) => prop_assert!(f == "PNG" || f == "SVG", "{f}"),
            Err(e) => prop_assert!(named(&e, "generateQrImage"), "{e:?}"),
        }
        match validate::cust_space_id(space.as_deref()) {
            Ok(Some(s)) => prop_assert!(!s.is_empty() && s == s.trim()),
            Ok(None) => prop_assert!(space.is_none()),
            Err(e) => prop_assert!(named(&e, "custSpaceId"), "{e:?}"),
        }
        match validate::qrdl_code(code.as_deref()) {
            Ok(c) => prop_assert!(!c.is_empty() && !c.chars().any(char::is_whitespace)),
            Err(e) => prop_assert!(named(&e, "qrdlCode"), "{e:?}"),
        }
    }

    #[test]
    fn operation_builders_never_panic(
        phone in phone_like(),
        message in message_like(),
        format in format_like(),
        space in proptest::option::of(text()),
        code in proptest::option::of(text()),
        action in select(&[Action::Create, Action::List, Action::Update, Action::Delete][..]),
    ) {
        let input = QrdlInput {
            phone_number: phone.clone(),
            prefilled_message: message,
            generate_qr_image: format,
            cust_space_id: space.clone(),
            qrdl_code: code.clone(),
        };
        let selector = QrdlSelector { phone_number: phone, cust_space_id: space, qrdl_code: code };
        for result in [
            validate::create_or_update(&input, action),
            validate::list_or_delete(&selector, action),
        ] {
            match result {
                Ok(op) => {
                    prop_assert_eq!(op.action, action);
                    prop_assert!(op.params().iter().any(|(k, _)| *k == "PhoneNumber"));
                }
                Err(e) => prop_assert_eq!(e.code.as_str(), "InvalidParameter"),
            }
        }
    }

    // -- options.rs -----------------------------------------------------------------------

    #[test]
    fn options_never_panic_and_keep_their_ranges(
        endpoint in proptest::option::of(endpoint_like()),
        region_id in proptest::option::of(region_like()),
        timeout_ms in option_number(),
        max_qps in option_number(),
        max_retries in option_number(),
    ) {
        let raw = RawOptions {
            endpoint: endpoint.clone(),
            region_id: region_id.clone(),
            timeout_ms,
            max_qps,
            max_retries,
            ..Default::default()
        };
        let _ = options::endpoint_for_region(region_id.as_deref().unwrap_or(DEFAULT_REGION));
        match options::resolve(&raw) {
            Ok(o) => {
                prop_assert!(o.timeout_ms >= 1 && f64::from(o.timeout_ms) <= MAX_TIMEOUT_MS);
                prop_assert!(o.max_qps.is_finite() && o.max_qps > 0.0);
                prop_assert!(o.max_retries <= 10);
                if endpoint.is_none() {
                    // A host built from a region is always a host under aliyuncs.com.
                    let host = o
                        .endpoint
                        .strip_prefix("https://cams.")
                        .and_then(|h| h.strip_suffix(".aliyuncs.com"));
                    let region_ok = host.is_some_and(|h| {
                        !h.is_empty()
                            && h.bytes().all(|b| {
                                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
                            })
                    });
                    prop_assert!(region_ok, "{}", o.endpoint);
                } else {
                    let lower = o.endpoint.to_ascii_lowercase();
                    prop_assert!(
                        lower.starts_with("http://") || lower.starts_with("https://")
                            || (lower.starts_with('/') && !lower.starts_with("//")),
                        "{}", o.endpoint
                    );
                }
            }
            Err(e) => {
                prop_assert_eq!(e.code.as_str(), "InvalidParameter");
                prop_assert!(matches!(
                    e.field.as_deref(),
                    Some("endpoint" | "regionId" | "timeoutMs" | "maxQps" | "maxRetries")
                ), "{e:?}");
            }
        }
    }

    // -- redact.rs, refresh.rs, small parsers ---------------------------------------------

    #[test]
    fn redact_removes_every_form_of_a_token(
        token in "[A-Za-z0-9+/=]{1,40}".prop_map(|s| format!("{TOKEN_MARK}{s}")),
        before in text(),
        after in text(),
        form in 0..3usize,
    ) {
        let once = percent_encode(&token);
        let twice = percent_encode(&once);
        let shown = [&token, &once, &twice][form];
        let clean = redact(&format!("{before}{shown}{after}"), &token);
        prop_assert!(clean.contains(REDACTED));
        for f in [&token, &once, &twice] {
            prop_assert!(!clean.contains(f.as_str()), "{}", clean);
        }
        let _ = redact(&before, &after);
    }

    #[test]
    fn refresh_timing_never_panics(
        now in any::<i64>(),
        obtained in any::<i64>(),
        exp in proptest::option::of(any::<i64>()),
    ) {
        let due = needs_refresh(now, obtained, exp);
        if let Some(e) = exp {
            prop_assert!(refresh_at(obtained, e) <= e);
            prop_assert_eq!(due, now >= refresh_at(obtained, e));
        } else {
            prop_assert!(!due);
        }
    }

    #[test]
    fn method_and_action_names_never_panic(s in text()) {
        if let Some(m) = Method::parse(&s) {
            prop_assert!(m.as_str().eq_ignore_ascii_case(&s));
        }
        if let Some(a) = Action::from_name(&s) {
            prop_assert_eq!(a.name(), s.as_str());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reply headers: Date, Retry-After, x-acs-retry-after
// ---------------------------------------------------------------------------------------------

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The IMF-fixdate of `secs` (1970-01-01 was a Thursday), built from `format_timestamp`.
fn imf_fixdate(secs: i64) -> String {
    let t = format_timestamp(secs); // YYYY-MM-DDThh:mm:ssZ
    let month: usize = t[5..7].parse().unwrap();
    format!(
        "{}, {} {} {} {} GMT",
        DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize],
        &t[8..10],
        MONTH_NAMES[month - 1],
        &t[0..4],
        &t[11..19]
    )
}

/// Header-like text: anything, dates with a field broken, numbers with odd signs and dots.
fn header_text() -> BoxedStrategy<String> {
    prop_oneof![
        text(),
        (0i64..4_102_444_800).prop_map(imf_fixdate),
        ((0i64..4_102_444_800), any::<Index>(), any::<char>()).prop_map(|(t, i, c)| {
            let mut d: Vec<char> = imf_fixdate(t).chars().collect();
            let at = i.index(d.len());
            d[at] = c;
            d.into_iter().collect()
        }),
        "[-+ ]?[0-9]{0,25}(\\.[0-9]{0,5})?[ a-z]{0,3}",
    ]
    .boxed()
}

proptest! {
    #![proptest_config(config(512))]

    /// Every date this side of 2100 reads back as itself; the three header parsers never panic
    /// on anything.
    #[test]
    fn http_dates_round_trip_and_nothing_panics(
        secs in 0i64..4_102_444_800,
        junk in header_text(),
        other in header_text(),
        now in any::<i64>(),
        received in any::<f64>(),
        sent in any::<i64>(),
    ) {
        prop_assert_eq!(parse_http_date(&imf_fixdate(secs)), Some(secs));
        let _ = parse_http_date(&junk);
        let _ = correct(Some(&junk), received, sent);
        let _ = requested_wait_ms(Some(&junk), Some(&other), now);
        let _ = requested_wait_ms(None, Some(&junk), now);
        let _ = requested_wait_ms(Some(&junk), None, now);
    }

    /// A wait asked for is never negative or NaN, and the delay before a retry is never less
    /// than it (or the retry is refused as too long).
    #[test]
    fn requested_waits_are_sane(
        retry_after in header_text(),
        acs in header_text(),
        now in -1_000_000_000_000i64..1_000_000_000_000,
        retry in 0u32..40,
        random in any::<f64>(),
    ) {
        if let Some(ms) = requested_wait_ms(Some(&retry_after), Some(&acs), now) {
            prop_assert!(ms >= 0.0, "{ms}");
            match retry_delay_ms(retry, random, Some(ms)) {
                Some(delay) => prop_assert!(delay >= ms && delay.is_finite(), "{delay} < {ms}"),
                None => prop_assert!(ms > MAX_RETRY_AFTER_MS),
            }
        }
        let plain = retry_delay_ms(retry, random, None).unwrap();
        prop_assert!((0.0..=20_000.0).contains(&plain), "{plain}");
    }

    /// The clock fix moves the clock to the server's, give or take a second, and only when
    /// the timestamp sent was at least a minute off.
    #[test]
    fn the_clock_fix_lands_on_the_servers_clock(
        server in 0i64..4_102_444_800,
        skew in -100_000i64..100_000,
        received_ms in 0.0f64..4.2e12,
    ) {
        let sent = server + skew;
        match correct(Some(&imf_fixdate(server)), received_ms, sent) {
            SkewFix::Retry { offset_ms } => {
                prop_assert!(skew.abs() >= MIN_SKEW_SECS);
                let corrected = (received_ms + offset_ms) / 1000.0;
                prop_assert!((corrected - server as f64 - 0.5).abs() < 1e-3 + 1.0, "{corrected}");
            }
            SkewFix::NotSkewed => prop_assert!(skew.abs() < MIN_SKEW_SECS),
            SkewFix::NoDate => prop_assert!(false, "a valid Date was not read"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: minimal inputs the properties above found
// ---------------------------------------------------------------------------------------------

/// `{"Code":""}` was an error with an empty code and an empty message (the reply reader);
/// it is an `InvalidResponse` now.
#[test]
fn an_empty_code_is_an_invalid_response() {
    for status in [200u16, 400, 503] {
        for e in [
            parse_qrdl(status, r#"{"Code":""}"#).unwrap_err(),
            parse_list(status, r#"{"Code":""}"#).unwrap_err(),
            parse_base(status, r#"{"Code":""}"#).unwrap_err(),
        ] {
            assert_eq!(e.code, "InvalidResponse");
            assert_eq!(e.http_status, Some(status));
        }
    }
}

/// A same-origin path endpoint must stay on the page's origin once the browser's URL parser has
/// read it: WHATWG URL parsing drops tabs and newlines anywhere and reads `\` as `/` in http(s)
/// URLs, so `/\evil.example` and `/<tab>/evil.example` are `//evil.example`, another host.
#[test]
fn a_path_endpoint_cannot_name_another_host() {
    for url in [
        "/\\evil.example/cams",
        "/\t/evil.example/cams",
        "/\n/evil.example",
        "/\r\\x",
    ] {
        let r = options::resolve(&RawOptions {
            endpoint: Some(url.to_owned()),
            ..Default::default()
        });
        assert!(r.is_err(), "{url:?} accepted as {:?}", r.unwrap().endpoint);
    }
}
