//! What `POST /cams` forwards for a call, V2 or V3, and the headers it forwards with it.
//!
//! **V2** (every parameter, `Signature` included, in the form body): the body names the action
//! ([`crate::proxy`]'s check); upstream the call gets a fresh header set with only the form
//! `content-type`, as before V3 existed.
//!
//! **V3** (`ACS3-HMAC-SHA256`): a request is V3 when it carries one `Authorization` header whose
//! value starts with `ACS3-` (any other `Authorization`, a dashboard's bearer token say, is not
//! the call's and stays behind as for V2). The action and version come from `x-acs-action` and
//! `x-acs-version`, under the same allow-list as V2, and must agree with an `Action` or `Version`
//! the body also names. The parameters travel in a form body (`/cams` takes no query string, so
//! the upstream URL stays fixed and the action check looks in one place); V2's signing
//! parameters may not ride along (which signature would the gateway check?). Only
//! [`FORWARDED_HEADERS`] go upstream, each at most once and as they came, and the signature may
//! cover nothing else but `host`: a signed header the relay would drop is refused here rather than
//! as a `SignatureDoesNotMatch` upstream.
//!
//! **The host.** The browser cannot set `Host`; it talks to the relay, and the upstream request
//! carries the upstream's host. So the browser signs `host:<camsHost>`, the value `/relay.json`
//! publishes ([`cams_host`]): exactly the `Host` header of the relay's upstream requests.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use cams_protocol::acs3::{headers as acs3_headers, Acs3Authorization};
use cams_protocol::encode::parse_form;
use cams_protocol::params::CAMS_VERSION;
use cams_protocol::types::Action;
use url::Url;

use crate::relay_error::{codes, RelayError};

/// The request headers a V3 call may send upstream: the signature, the body's type and the
/// `x-acs-*` signing headers.
pub const FORWARDED_HEADERS: [&str; 9] = [
    "authorization",
    "content-type",
    acs3_headers::ACTION,
    acs3_headers::VERSION,
    acs3_headers::DATE,
    acs3_headers::SIGNATURE_NONCE,
    acs3_headers::CONTENT_SHA256,
    acs3_headers::SECURITY_TOKEN,
    acs3_headers::ACCESS_KEY_ID,
];

/// V2's signing parameters: a V3 call carrying one mixes two signatures.
const V2_SIGNING_PARAMS: [&str; 7] = [
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "SecurityToken",
    "Timestamp",
];

const FORM_TYPE: &str = "application/x-www-form-urlencoded";

/// A call `/cams` forwards: its action, and every request header to send upstream (the relay's
/// HTTP client adds `host`, `content-length` and its own `user-agent`).
#[derive(Debug)]
pub struct CamsCall {
    pub action: Action,
    pub headers: HeaderMap,
}

/// The `host` header value of requests to `target` (`name[:port]`, the port only when it is not
/// the scheme's default): what a browser signs as `host` for calls through the relay.
pub fn cams_host(target: &Url) -> String {
    let host = target.host_str().unwrap_or_default();
    match target.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Judges a `/cams` request: the call to forward, or the refusal to answer with.
/// `v2_action` is V2's check of a body that names its own action ([`crate::proxy`]).
pub fn inspect(
    headers: &HeaderMap,
    body: &[u8],
    v2_action: impl Fn(&[u8]) -> Result<Action, String>,
) -> Result<CamsCall, RelayError> {
    let authorizations: Vec<&HeaderValue> = headers.get_all(header::AUTHORIZATION).iter().collect();
    let is_acs3 = |v: &&HeaderValue| v.as_bytes().starts_with(b"ACS3-");
    if !authorizations.iter().any(is_acs3) {
        let action = v2_action(body).map_err(not_allowed)?;
        agree_with_headers(headers, action)?;
        let mut forwarded = HeaderMap::new();
        forwarded.insert(header::CONTENT_TYPE, HeaderValue::from_static(FORM_TYPE));
        return Ok(CamsCall {
            action,
            headers: forwarded,
        });
    }
    if authorizations.len() > 1 {
        return Err(bad_request(
            "The request has more than one Authorization header.",
        ));
    }
    for name in FORWARDED_HEADERS {
        if headers.get_all(name).iter().count() > 1 {
            return Err(bad_request(format!(
                "The request has more than one {name} header; a signed call carries each once."
            )));
        }
    }
    let authorization = authorizations[0]
        .to_str()
        .ok()
        .and_then(|v| Acs3Authorization::parse(v).ok())
        .ok_or_else(|| {
            bad_request(
                "The Authorization header is not a well-formed ACS3-HMAC-SHA256 one \
                 (ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=<64 hex digits>).",
            )
        })?;
    for name in &authorization.signed_headers {
        let forwarded = *name != "authorization" && FORWARDED_HEADERS.contains(name);
        if *name != "host" && !forwarded {
            return Err(bad_request(format!(
                "The signature covers the {name} header, which the relay does not forward. Sign \
                 only host, content-type and the x-acs-* headers: {}.",
                FORWARDED_HEADERS[2..].join(", ")
            )));
        }
    }

    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let action = text(acs3_headers::ACTION)
        .and_then(Action::from_name)
        .ok_or_else(|| not_allowed(refused_action()))?;
    if text(acs3_headers::VERSION) != Some(CAMS_VERSION) {
        return Err(not_allowed(refused_action()));
    }

    match text("content-type") {
        Some(t) if is_form(t) => {}
        None if body.is_empty() => {}
        _ => {
            return Err(bad_request(format!(
                "Send a V3 call's parameters as a form body with content-type {FORM_TYPE} \
                 (signed); /cams takes no query string."
            )))
        }
    }
    let text_body = std::str::from_utf8(body).map_err(|_| not_allowed(refused_action()))?;
    let params = parse_form(text_body);
    if let Some((name, _)) = params
        .iter()
        .find(|(k, _)| V2_SIGNING_PARAMS.contains(&k.as_str()))
    {
        return Err(bad_request(format!(
            "The call carries a V3 Authorization header and V2's {name} parameter; sign with one \
             version only."
        )));
    }
    for (name, expected) in [("Action", action.name()), ("Version", CAMS_VERSION)] {
        let mut values = params.iter().filter(|(k, _)| k == name);
        match (values.next(), values.next()) {
            (None, _) => {}
            (Some((_, v)), None) if v == expected => {}
            _ => return Err(disagree(name)),
        }
    }

    let mut forwarded = HeaderMap::new();
    for name in FORWARDED_HEADERS {
        if let Some(v) = headers.get(name) {
            forwarded.insert(HeaderName::from_static(name), v.clone());
        }
    }
    Ok(CamsCall {
        action,
        headers: forwarded,
    })
}

/// A V2 call may name its action in `x-acs-action` / `x-acs-version` too (they are not
/// forwarded); when it does, they must say what the body says.
fn agree_with_headers(headers: &HeaderMap, action: Action) -> Result<(), RelayError> {
    for (name, expected) in [
        (acs3_headers::ACTION, action.name()),
        (acs3_headers::VERSION, CAMS_VERSION),
    ] {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (None, _) => {}
            (Some(v), None) if v.as_bytes() == expected.as_bytes() => {}
            _ => return Err(disagree(name)),
        }
    }
    Ok(())
}

fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(FORM_TYPE))
}

fn refused_action() -> String {
    format!(
        "The relay forwards only the message QR code actions (CreatePhoneMessageQrdl, \
         ListPhoneMessageQrdl, UpdatePhoneMessageQrdl, DeletePhoneMessageQrdl) of CAMS version \
         {CAMS_VERSION}: a V3 call names one in x-acs-action and x-acs-version, once each."
    )
}

fn not_allowed(message: String) -> RelayError {
    RelayError::new(StatusCode::FORBIDDEN, codes::ACTION_NOT_ALLOWED, message)
}

fn disagree(name: &str) -> RelayError {
    not_allowed(format!(
        "The call names its action or version in more than one place and they disagree \
         ({name}); the relay forwards a call only when x-acs-action / x-acs-version and the \
         body's Action / Version (where given) name the same message QR code action of CAMS \
         {CAMS_VERSION}."
    ))
}

fn bad_request(message: impl Into<String>) -> RelayError {
    RelayError::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cams_protocol::acs3::{prepare, Acs3Call, Acs3Shape};
    use cams_protocol::credentials::Credentials;

    fn v2(body: &[u8]) -> Result<Action, String> {
        let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
        let params = parse_form(text);
        params
            .iter()
            .find(|(k, _)| k == "Action")
            .and_then(|(_, v)| Action::from_name(v))
            .ok_or_else(|| "no".to_owned())
    }

    /// A signed V3 call as the browser sends it through the relay.
    fn v3(action: &str, version: &str, token: bool) -> (HeaderMap, Vec<u8>) {
        let creds = Credentials {
            access_key_id: "STS.id".into(),
            access_key_secret: "secret".into(),
            security_token: token.then(|| "CAIStoken".to_owned()),
        };
        let call = Acs3Call {
            shape: Acs3Shape::PostForm,
            action,
            version,
            host: "cams.ap-southeast-1.aliyuncs.com",
            unix_secs: 1_700_000_000,
            nonce: "n",
        };
        let p = prepare(&call, &creds, &[("PhoneNumber", "8613800000000")]);
        let mut headers = HeaderMap::new();
        for (k, v) in &p.headers {
            headers.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        (headers, p.body.into_bytes())
    }

    fn code(r: Result<CamsCall, RelayError>) -> (u16, String) {
        let e = r.unwrap_err();
        (e.status.as_u16(), e.code)
    }

    #[test]
    fn a_browsers_v3_call_is_forwarded_with_its_signing_headers_only() {
        let (mut headers, body) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, true);
        headers.insert("cookie", HeaderValue::from_static("s=1"));
        headers.insert("x-acs-other", HeaderValue::from_static("1"));
        headers.insert("origin", HeaderValue::from_static("https://dash.example"));
        let call = inspect(&headers, &body, v2).unwrap();
        assert_eq!(call.action, Action::Create);
        let mut names: Vec<&str> = call.headers.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "authorization",
                "content-type",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-security-token",
                "x-acs-signature-nonce",
                "x-acs-version"
            ]
        );
        assert_eq!(call.headers["content-type"], FORM_TYPE);
    }

    #[test]
    fn v2_calls_keep_their_fresh_header_set_and_a_bearer_token_stays_behind() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        let call = inspect(&headers, b"Action=ListPhoneMessageQrdl", v2).unwrap();
        assert_eq!(call.action, Action::List);
        assert_eq!(call.headers.len(), 1);
        assert_eq!(call.headers["content-type"], FORM_TYPE);
        // Headers that name another action than the body are refused.
        headers.insert(
            "x-acs-action",
            HeaderValue::from_static("SendChatappMessage"),
        );
        assert_eq!(
            code(inspect(&headers, b"Action=ListPhoneMessageQrdl", v2)),
            (403, codes::ACTION_NOT_ALLOWED.into())
        );
    }

    #[test]
    fn v3_refusals() {
        let forbidden = (403, codes::ACTION_NOT_ALLOWED.to_owned());
        let bad = (400, codes::BAD_REQUEST.to_owned());

        let (h, b) = v3("SendChatappMessage", CAMS_VERSION, false);
        assert_eq!(code(inspect(&h, &b, v2)), forbidden, "another action");
        let (h, b) = v3("CreatePhoneMessageQrdl", "2015-04-01", false);
        assert_eq!(code(inspect(&h, &b, v2)), forbidden, "another version");
        let (h, b) = v3("AssumeRole", "2015-04-01", false);
        assert_eq!(code(inspect(&h, &b, v2)), forbidden, "STS");

        let (h, mut b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        b.extend_from_slice(b"&Action=DeletePhoneMessageQrdl");
        assert_eq!(code(inspect(&h, &b, v2)), forbidden, "body disagrees");
        let (h, mut b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        b.extend_from_slice(b"&Action=CreatePhoneMessageQrdl&Version=2020-06-06");
        assert!(inspect(&h, &b, v2).is_ok(), "body agrees");
        let (h, mut b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        b.extend_from_slice(b"&Version=2019-01-01");
        assert_eq!(
            code(inspect(&h, &b, v2)),
            forbidden,
            "body version disagrees"
        );

        let (h, mut b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        b.extend_from_slice(b"&Signature=abc");
        assert_eq!(code(inspect(&h, &b, v2)), bad, "mixed V2 and V3");

        let (mut h, b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        h.append(
            "x-acs-action",
            HeaderValue::from_static("CreatePhoneMessageQrdl"),
        );
        assert_eq!(code(inspect(&h, &b, v2)), bad, "duplicated header");
        let (mut h, b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        h.append("authorization", HeaderValue::from_static("Bearer x"));
        assert_eq!(code(inspect(&h, &b, v2)), bad, "two Authorization headers");

        let (mut h, b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        let auth = h["authorization"]
            .to_str()
            .unwrap()
            .replace("SignedHeaders=", "SignedHeaders=accept;");
        h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
        let e = inspect(&h, &b, v2).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code.as_str()),
            (400, codes::BAD_REQUEST)
        );
        assert!(e.message.contains("accept"), "{}", e.message);

        let (mut h, b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        h.insert("content-type", HeaderValue::from_static("application/json"));
        assert_eq!(code(inspect(&h, &b, v2)), bad, "not a form");
        let (mut h, b) = v3("CreatePhoneMessageQrdl", CAMS_VERSION, false);
        h.insert(
            "authorization",
            HeaderValue::from_static("ACS3-HMAC-SHA256 nonsense"),
        );
        assert_eq!(code(inspect(&h, &b, v2)), bad, "malformed Authorization");
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Any headers and body are judged without a panic; what passes names a QR action and
        /// forwards only allow-listed headers.
        #[test]
        fn any_request_is_judged_without_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            fields in proptest::collection::vec((
                proptest::sample::select(vec![
                    "authorization", "content-type", "x-acs-action", "x-acs-version",
                    "x-acs-date", "x-acs-other", "cookie",
                ]),
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-action,Signature=0000000000000000000000000000000000000000000000000000000000000000".to_owned(),
                        "CreatePhoneMessageQrdl".to_owned(),
                        "2020-06-06".to_owned(),
                        FORM_TYPE.to_owned(),
                    ]),
                    "[ -~]{0,60}",
                ],
            ), 0..8),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in &fields {
                if let Ok(v) = HeaderValue::from_str(value) {
                    headers.append(*name, v);
                }
            }
            if let Ok(call) = inspect(&headers, &body, v2) {
                proptest::prop_assert!(Action::from_name(call.action.name()).is_some());
                for name in call.headers.keys() {
                    proptest::prop_assert!(FORWARDED_HEADERS.contains(&name.as_str()), "{name}");
                }
            }
        }
    }

    #[test]
    fn the_signing_host_is_the_upstream_host_header() {
        let host = |s: &str| cams_host(&Url::parse(s).unwrap());
        assert_eq!(
            host("https://cams.ap-southeast-1.aliyuncs.com/"),
            "cams.ap-southeast-1.aliyuncs.com"
        );
        assert_eq!(
            host("https://cams.ap-southeast-1.aliyuncs.com:443/"),
            "cams.ap-southeast-1.aliyuncs.com"
        );
        assert_eq!(host("http://127.0.0.1:8081/"), "127.0.0.1:8081");
        assert_eq!(host("http://[::1]:9/"), "[::1]:9");
        assert_eq!(host("http://emulator.test:80/"), "emulator.test");
    }
}
