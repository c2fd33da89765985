//! The one HTTP client the relay talks to Alibaba (or the emulator) with.
//!
//! - rustls with the ring provider (no OpenSSL), the system's trust store;
//! - redirects are never followed: a 3xx comes back to the caller as it is, so nothing can
//!   bounce a request (a signed one, or the relay's own AssumeRole) to another host;
//! - proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) are ignored: a
//!   stray variable must not route the relay's signed calls through a machine nobody chose;
//! - no cookie store; a connect timeout and an overall timeout per request.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

use crate::relay_error::RelayError;

/// Time to open a connection (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The client. `timeout` bounds a whole request, body included.
pub fn build(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // Another part of the process may have installed a provider already; either is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(timeout)
        .user_agent(concat!("cams-relay/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(client)
}

/// Why an upstream reply could not be had.
#[derive(Debug)]
pub enum UpstreamFailure {
    /// No reply (or not all of it) within the time limit.
    Timeout,
    /// The connection could not be made or broke.
    Unreachable,
    /// The body was bigger than the relay reads.
    TooLarge,
}

impl UpstreamFailure {
    /// Classifies a client error, logging it (the client's errors name the URL, never a body).
    pub fn from_reqwest(upstream: &str, e: &reqwest::Error) -> UpstreamFailure {
        tracing::warn!(upstream, error = %e, "upstream request failed");
        if e.is_timeout() {
            UpstreamFailure::Timeout
        } else {
            UpstreamFailure::Unreachable
        }
    }

    /// The reply for the browser: 504 `RelayTimeout` or 502 `RelayUpstreamError`.
    pub fn into_error(self, upstream: &str, timeout: Duration) -> crate::relay_error::RelayError {
        use crate::relay_error::RelayError;
        match self {
            UpstreamFailure::Timeout => RelayError::timeout(upstream, timeout.as_secs()),
            UpstreamFailure::Unreachable => {
                RelayError::upstream(upstream, "the connection failed or was refused")
            }
            UpstreamFailure::TooLarge => {
                RelayError::upstream(upstream, "its reply was larger than the relay accepts")
            }
        }
    }
}

/// The reply's body, at most `max` bytes.
pub async fn read_body(
    upstream: &str,
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, UpstreamFailure> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(UpstreamFailure::TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(UpstreamFailure::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(UpstreamFailure::from_reqwest(upstream, &e)),
        }
    }
}

/// An upstream reply passed on only when its body is a JSON object (the API's replies and
/// errors all are), labelled `application/json`; anything else (a captive portal's or a load
/// balancer's HTML, an empty 3xx) becomes 502 `RelayUpstreamError`, so no upstream content is
/// ever served as a page on the relay's origin.
pub fn json_reply(
    upstream: &str,
    status: StatusCode,
    mut headers: HeaderMap,
    body: Vec<u8>,
) -> Result<(StatusCode, HeaderMap, Vec<u8>), RelayError> {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body).is_err() {
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|t| t.split(';').next().unwrap_or(t).trim().to_owned())
            .filter(|t| !t.is_empty() && t.len() <= 100 && t.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_else(|| "no content type".to_owned());
        tracing::warn!(
            upstream,
            status = status.as_u16(),
            content_type = %kind,
            bytes = body.len(),
            "upstream answered with something other than JSON"
        );
        let what = if body.is_empty() {
            "an empty body".to_owned()
        } else {
            kind
        };
        return Err(RelayError::upstream(
            upstream,
            &format!(
                "it answered HTTP {} with {what} instead of its API's JSON (a proxy, captive \
                 portal or load balancer in the way?)",
                status.as_u16()
            ),
        ));
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    Ok((status, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_objects_pass_and_are_labelled_json() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let (status, headers, body) =
            json_reply("CAMS", StatusCode::OK, h, br#"{"Code":"OK"}"#.to_vec()).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/json;charset=utf-8"
        );
        assert_eq!(body, br#"{"Code":"OK"}"#);
        let mut html = HeaderMap::new();
        html.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        for (headers, body) in [
            (html, &b"<html><body>Log in to the Wi-Fi</body></html>"[..]),
            (HeaderMap::new(), b""),
            (HeaderMap::new(), b"[1,2]"),
            (HeaderMap::new(), b"\"OK\""),
        ] {
            let e =
                json_reply("CAMS", StatusCode::BAD_GATEWAY, headers, body.to_vec()).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.code.as_str()),
                (502, "RelayUpstreamError")
            );
            assert!(e.message.contains("HTTP 502"), "{}", e.message);
            assert!(!e.message.contains("Wi-Fi"), "{}", e.message);
        }
    }
}
