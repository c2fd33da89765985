//! `POST /cams`: the browser's signed form body, forwarded byte for byte to the one CAMS host the
//! relay was started with, and the reply returned as it came.
//!
//! This is not a general proxy and nothing in a request can make it one: the destination is
//! computed once at start-up (scheme, host and port of `--cams-endpoint`, path `/`); the request's
//! URL, `Host`, `X-Forwarded-*`, path and query choose nothing (a query string is refused, only
//! `/cams` itself is routed here); the upstream request gets a fresh header set, so the browser's
//! cookies and `Authorization` stay behind. In production the endpoint must be CAMS's own
//! (`https://cams.<region>.aliyuncs.com`), checked before the relay starts
//! ([`crate::upstream_hosts`]).
//!
//! Nor does it forward any CAMS call: only the four message QR code actions of version
//! 2020-06-06 ([`forwardable`]), so a relay's address cannot be used to send WhatsApp messages or
//! change anything else in an account, whoever's keys signed the request; nor a call signed with
//! the anonymous tier's credentials for an action that tier was not granted
//! ([`crate::auth::issued_keys`]). What comes back is passed on only when it is the API's JSON;
//! anything else (a captive portal's page, a load balancer's 502) becomes `RelayUpstreamError`.
//!
//! Signature V3 calls (an `ACS3-` `Authorization` header) pass as strictly, with their signing
//! headers and nothing else: [`crate::acs3_request`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use cams_protocol::encode::parse_form;
use cams_protocol::params::CAMS_VERSION;
use cams_protocol::types::Action;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use url::Url;

use crate::access_log::{LogAction, LogCode};
use crate::acs3_request;
use crate::auth::IssuedKeys;
use crate::pacer::{self, AccountPacer, PeerIp};
use crate::relay_error::{codes, RelayError};
use crate::upstream_client::{self, UpstreamFailure};

/// Largest request body forwarded; a QR request is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest CAMS reply read (a list of 2,000 codes fits).
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// Time limit for the CAMS exchange, and for the browser's body to arrive.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// Upstream reply headers passed back to the browser; every other one is dropped.
const PASSED_HEADERS: [&str; 5] = [
    "content-type",
    "date",
    "retry-after",
    "x-acs-retry-after",
    "x-acs-request-id",
];

/// `scheme://host[:port]/` of an endpoint: where `/cams` sends every request.
pub fn target_url(endpoint: &Url) -> Result<Url, String> {
    let host = endpoint
        .host_str()
        .ok_or_else(|| format!("{endpoint}: the endpoint has no host"))?;
    let authority = match endpoint.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Url::parse(&format!("{}://{authority}/", endpoint.scheme()))
        .map_err(|e| format!("{endpoint}: {e}"))
}

/// The pass-through's state.
#[derive(Debug)]
pub struct CamsProxy {
    client: reqwest::Client,
    target: Url,
    timeout: Duration,
    /// The account pacer every forwarded call takes a slot from (`--cams-account-qps`).
    pacer: Option<AccountPacer>,
}

impl CamsProxy {
    /// A proxy to `target` (already reduced by [`target_url`]).
    pub fn new(client: reqwest::Client, target: Url, timeout: Duration) -> CamsProxy {
        CamsProxy {
            client,
            target,
            timeout,
            pacer: None,
        }
    }

    /// Paces every forwarded call with `pacer`.
    pub fn with_pacer(mut self, pacer: Option<AccountPacer>) -> CamsProxy {
        self.pacer = pacer;
        self
    }

    pub fn target(&self) -> &Url {
        &self.target
    }

    async fn forward(
        &self,
        body: Vec<u8>,
        request_headers: HeaderMap,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), RelayError> {
        let fail = |f: UpstreamFailure| f.into_error("CAMS", self.timeout);
        let response = self
            .client
            .post(self.target.clone())
            .headers(request_headers)
            .body(body)
            .send()
            .await
            .map_err(|e| fail(UpstreamFailure::from_reqwest("CAMS", &e)))?;
        let status = response.status();
        let mut headers = HeaderMap::new();
        for name in PASSED_HEADERS {
            let name = HeaderName::from_static(name);
            if let Some(v) = response.headers().get(&name) {
                headers.insert(name, v.clone());
            }
        }
        let body = upstream_client::read_body("CAMS", response, MAX_REPLY_BYTES)
            .await
            .map_err(fail)?;
        Ok((status, headers, body))
    }
}

/// `POST /cams`.
pub async fn handler(
    State(proxy): State<Arc<CamsProxy>>,
    issued: Option<Extension<Arc<IssuedKeys>>>,
    PeerIp(peer): PeerIp,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if uri.query().is_some() {
        return RelayError::new(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "/cams takes no query string: send every parameter in the form body (V2: Signature included).",
        )
        .into_response();
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let collected =
        tokio::time::timeout(proxy.timeout, Limited::new(body, MAX_BODY_BYTES).collect()).await;
    let body = match collected {
        Ok(Ok(c)) => c.to_bytes().to_vec(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return too_large(),
        Ok(Err(_)) => {
            return RelayError::new(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                "The request body could not be read.",
            )
            .into_response()
        }
        Err(_) => {
            return RelayError::new(
                StatusCode::REQUEST_TIMEOUT,
                codes::BAD_REQUEST,
                format!(
                    "The request body did not arrive within {} s.",
                    proxy.timeout.as_secs()
                ),
            )
            .into_response()
        }
    };
    let (action, request_headers) = match acs3_request::inspect(&headers, &body, forwardable) {
        Ok(call) => (call.action, call.headers),
        Err(e) => return e.into_response(),
    };
    if let Some(Extension(issued)) = &issued {
        if let Err(e) = issued.check(action, &body, &headers, crate::sts_vendor::unix_now()) {
            return e.into_response();
        }
    }
    let client = pacer::client_key(peer, &headers, &body);
    let call = proxy.forward(body, request_headers);
    // Paced on the exchange alone: a reply that is not the API's JSON still arrived.
    let forwarded = pacer::paced(proxy.pacer.as_ref(), client, call)
        .await
        .map(|reply| {
            reply.and_then(|(status, headers, body)| {
                upstream_client::json_reply("CAMS", status, headers, body)
            })
        });
    let mut response = match forwarded {
        Err(refusal) => refusal.into_response(),
        Ok(Ok((status, headers, body))) => {
            let code = reply_code(&body);
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = status;
            *r.headers_mut() = headers;
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Some(code) = code {
                r.extensions_mut().insert(LogCode(code));
            }
            r
        }
        // A create whose answer was lost may have happened: not "try again".
        Ok(Err(e)) if action == Action::Create => e.for_create().into_response(),
        Ok(Err(e)) => e.into_response(),
    };
    response
        .extensions_mut()
        .insert(LogAction(action.name().to_owned()));
    response
}

fn too_large() -> Response {
    RelayError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        codes::BODY_TOO_LARGE,
        format!(
            "The request body is over {} KB; a CAMS call is far smaller.",
            MAX_BODY_BYTES / 1024
        ),
    )
    .into_response()
}

/// The action a body asks for, when the relay forwards it: exactly one `Action`, one of the four
/// message QR code actions, and exactly one `Version`, CAMS's. The error is the reply's message.
fn forwardable(body: &[u8]) -> Result<Action, String> {
    let refused = || {
        format!(
            "The relay forwards only the message QR code actions (CreatePhoneMessageQrdl, \
             ListPhoneMessageQrdl, UpdatePhoneMessageQrdl, DeletePhoneMessageQrdl) of CAMS \
             version {CAMS_VERSION}, each request with one Action and one Version."
        )
    };
    let text = std::str::from_utf8(body).map_err(|_| refused())?;
    let params = parse_form(text);
    let only = |name: &str| {
        let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(v), None) => Some(v.as_str()),
            _ => None,
        }
    };
    match (only("Action").and_then(Action::from_name), only("Version")) {
        (Some(action), Some(CAMS_VERSION)) => Ok(action),
        _ => Err(refused()),
    }
}

/// The reply's `Code`, when it is JSON that has one (for the log line only).
fn reply_code(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Coded {
        #[serde(rename = "Code")]
        code: Option<String>,
    }
    serde_json::from_slice::<Coded>(body)
        .ok()?
        .code
        .filter(|c| (1..=100).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_graphic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_target_is_the_endpoints_root() {
        assert_eq!(
            target_url(&url("https://cams.ap-southeast-1.aliyuncs.com/some/path?x"))
                .unwrap()
                .as_str(),
            "https://cams.ap-southeast-1.aliyuncs.com/"
        );
        assert_eq!(
            target_url(&url("http://127.0.0.1:8081/")).unwrap().as_str(),
            "http://127.0.0.1:8081/"
        );
        assert_eq!(
            target_url(&url("http://[::1]:9/p")).unwrap().as_str(),
            "http://[::1]:9/"
        );
    }

    #[test]
    fn only_the_four_qr_actions_of_cams_2020_06_06_are_forwarded() {
        for (body, action) in [
            (
                "Action=CreatePhoneMessageQrdl&Version=2020-06-06&Signature=x",
                Action::Create,
            ),
            (
                "Version=2020-06-06&Action=ListPhoneMessageQrdl",
                Action::List,
            ),
            (
                "Action=Update%50honeMessageQrdl&Version=2020-06-06",
                Action::Update,
            ),
            (
                "Action=DeletePhoneMessageQrdl&Version=2020-06-06",
                Action::Delete,
            ),
        ] {
            assert_eq!(forwardable(body.as_bytes()), Ok(action), "{body}");
        }
        for body in [
            "",
            "Signature=x",
            "Action=SendChatappMessage&Version=2020-06-06",
            "Action=CreatePhoneMessageQrdl",
            "Action=CreatePhoneMessageQrdl&Version=2015-04-01",
            "Action=AssumeRole&Version=2015-04-01",
            "Action=CreatePhoneMessageQrdl&Action=SendChatappMessage&Version=2020-06-06",
            "Action=CreatePhoneMessageQrdl&Version=2020-06-06&Version=2020-06-06",
            "Action=createphonemessageqrdl&Version=2020-06-06",
            "Action=CreatePhoneMessageQrdl%00&Version=2020-06-06",
        ] {
            let e = forwardable(body.as_bytes()).unwrap_err();
            assert!(e.contains("CreatePhoneMessageQrdl"), "{body}: {e}");
        }
        assert!(forwardable(b"Action=\xff&Version=2020-06-06").is_err());
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Any body is judged without a panic, and only one naming a QR action is forwarded.
        #[test]
        fn any_body_is_judged_without_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            action in proptest::sample::select(vec![
                "CreatePhoneMessageQrdl", "ListPhoneMessageQrdl", "SendChatappMessage", "",
            ]),
            tail in "[&=%A-Za-z0-9+]{0,40}",
        ) {
            if let Ok(a) = forwardable(&body) {
                proptest::prop_assert!(Action::from_name(a.name()).is_some());
            }
            let _ = reply_code(&body);
            let framed = format!("Action={action}&Version=2020-06-06&{tail}");
            if let Ok(a) = forwardable(framed.as_bytes()) {
                proptest::prop_assert_eq!(a.name(), action);
            }
        }
    }

    #[test]
    fn log_fields_are_tame() {
        assert_eq!(
            reply_code(br#"{"Code":"OK","Message":"m"}"#).as_deref(),
            Some("OK")
        );
        assert_eq!(reply_code(b"<html>"), None);
        assert_eq!(reply_code(br#"{"Code":"a b"}"#), None);
    }
}
