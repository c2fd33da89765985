//! The relay's own refusals and failures, in the error shape the browser module already reads
//! from the service: `{RequestId, HostId?, Code, Message, Recommend?}`.
//!
//! Messages are written here or come from an upstream after redaction; they never carry an
//! AccessKeySecret, a SecurityToken or a signature.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::access_log::LogCode;

/// Codes the relay produces itself (an upstream's codes pass through as they come).
pub mod codes {
    /// The upstream did not answer within the relay's time limit.
    pub const TIMEOUT: &str = "RelayTimeout";
    /// The upstream could not be reached, or answered with something unusable.
    pub const UPSTREAM_ERROR: &str = "RelayUpstreamError";
    /// The request's `Origin` is not one the relay serves.
    pub const ORIGIN_NOT_ALLOWED: &str = "RelayOriginNotAllowed";
    /// The request's `Host` is not a name the relay answers to (`--allow-host`).
    pub const HOST_NOT_ALLOWED: &str = "RelayHostNotAllowed";
    /// `--auth-token` is set and the request did not present it.
    pub const UNAUTHORIZED: &str = "RelayUnauthorized";
    /// Too many requests from one client. A `Throttling.` code, so the browser module treats it
    /// like the gateway's own throttling: nothing ran, retry after `Retry-After`.
    pub const RATE_LIMITED: &str = "Throttling.Relay";
    /// The body is over the relay's size limit.
    pub const BODY_TOO_LARGE: &str = "RelayBodyTooLarge";
    /// `/cams` was asked to forward a CAMS action other than the four message QR code ones.
    pub const ACTION_NOT_ALLOWED: &str = "RelayActionNotAllowed";
    /// The request is not one the relay forwards (a query string on `/cams`, a stalled body).
    pub const BAD_REQUEST: &str = "RelayBadRequest";
}

/// A failed request, ready to become a JSON reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// The upstream's request ID when the error came from it; a fresh one otherwise.
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
    /// Seconds for `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl RelayError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> RelayError {
        RelayError {
            status,
            code: code.to_owned(),
            message: message.into(),
            request_id: None,
            host_id: None,
            recommend: None,
            retry_after_secs: None,
        }
    }

    /// 504 `RelayTimeout`, naming the upstream (`CAMS`, `STS`) and the limit.
    pub fn timeout(upstream: &str, secs: u64) -> RelayError {
        RelayError::new(
            StatusCode::GATEWAY_TIMEOUT,
            codes::TIMEOUT,
            format!("{upstream} did not answer the relay within {secs} s. Try again later."),
        )
    }

    /// 502 `RelayUpstreamError` with a short reason (never an upstream body).
    pub fn upstream(upstream: &str, reason: &str) -> RelayError {
        RelayError::new(
            StatusCode::BAD_GATEWAY,
            codes::UPSTREAM_ERROR,
            format!("The relay could not get an answer from {upstream}: {reason}."),
        )
    }

    /// The error of a create whose answer was lost (`RelayTimeout`, `RelayUpstreamError`): the
    /// create may have run, so the advice is to look before creating again, never "try again"
    /// (a second create makes a second code). Other errors are returned as they are.
    pub fn for_create(mut self) -> RelayError {
        if self.code == codes::TIMEOUT || self.code == codes::UPSTREAM_ERROR {
            let reason = self
                .message
                .trim_end_matches(" Try again later.")
                .trim_end_matches('.');
            self.message = format!(
                "{reason}. The outcome is unknown: the create may have reached CAMS, so the QR \
                 code may exist. List this number's codes before creating it again (a second \
                 create makes a second code)."
            );
        }
        self
    }

    /// The JSON body, with a fresh `RequestId` when the error has none.
    pub fn body(&self) -> Value {
        let mut map = Map::new();
        let request_id = self
            .request_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string().to_ascii_uppercase());
        map.insert("RequestId".into(), Value::String(request_id));
        if let Some(host) = &self.host_id {
            map.insert("HostId".into(), Value::String(host.clone()));
        }
        map.insert("Code".into(), Value::String(self.code.clone()));
        map.insert("Message".into(), Value::String(self.message.clone()));
        if let Some(r) = &self.recommend {
            map.insert("Recommend".into(), Value::String(r.clone()));
        }
        Value::Object(map)
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // Wherever it is produced (the Host check runs before any route's layers).
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::page_headers::API_CSP),
        );
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(LogCode(self.code));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_service_shape() {
        let e = RelayError {
            request_id: Some("R-1".into()),
            host_id: Some("sts.aliyuncs.com".into()),
            recommend: Some("https://example/r".into()),
            ..RelayError::new(StatusCode::BAD_GATEWAY, "NoPermission", "m")
        };
        let b = e.body();
        assert_eq!(b["RequestId"], "R-1");
        assert_eq!(b["HostId"], "sts.aliyuncs.com");
        assert_eq!(b["Code"], "NoPermission");
        assert_eq!(b["Message"], "m");
        assert_eq!(b["Recommend"], "https://example/r");
    }

    #[test]
    fn a_lost_create_says_the_outcome_is_unknown() {
        for e in [
            RelayError::timeout("CAMS", 15),
            RelayError::upstream("CAMS", "the connection failed or was refused"),
        ] {
            let code = e.code.clone();
            let c = e.for_create();
            assert_eq!(c.code, code);
            assert!(c.message.contains("outcome is unknown"), "{}", c.message);
            assert!(
                c.message.contains("List this number's codes"),
                "{}",
                c.message
            );
            assert!(!c.message.contains("Try again"), "{}", c.message);
        }
        let other = RelayError::new(StatusCode::FORBIDDEN, codes::ACTION_NOT_ALLOWED, "m");
        assert_eq!(other.clone().for_create(), other);
    }

    #[test]
    fn own_errors_get_a_request_id_and_headers() {
        let mut e = RelayError::timeout("CAMS", 15);
        e.retry_after_secs = Some(3);
        let b = e.body();
        assert_eq!(b["Code"], codes::TIMEOUT);
        assert_eq!(b["RequestId"].as_str().map(str::len), Some(36));
        assert!(b.get("HostId").is_none());
        let r = e.into_response();
        assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            r.extensions().get::<LogCode>().map(|c| c.0.as_str()),
            Some(codes::TIMEOUT)
        );
    }
}
