//! The one error type every failure becomes: a code a program can act on, a message a person can.

use serde::Serialize;

/// Codes the client produces itself (the service's and gateway's codes pass through as they come).
pub mod codes {
    /// A request field failed validation; nothing was sent. `field` names it.
    pub const INVALID_PARAMETER: &str = "InvalidParameter";
    /// The request could not be sent or no reply arrived (DNS, refused connection, CORS, reset).
    pub const NETWORK_ERROR: &str = "NetworkError";
    /// No reply within `timeoutMs`.
    pub const TIMEOUT: &str = "Timeout";
    /// A reply arrived but is not the JSON the API documents (an HTML error page, say).
    pub const INVALID_RESPONSE: &str = "InvalidResponse";
    /// Temporary credentials could not be had from the relay or the provider.
    pub const CREDENTIALS_ERROR: &str = "CredentialsError";
    /// The JavaScript host lacks something the client needs (`crypto.getRandomValues`, `fetch`).
    pub const UNSUPPORTED_ENVIRONMENT: &str = "UnsupportedEnvironment";
    /// A batch was stopped (its `signal` aborted) before this item was sent.
    pub const ABORTED: &str = "Aborted";
}

/// A failed call. Secrets never appear in any field. Serialized with the camelCase names the
/// JavaScript `CamsError` carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code}: {message}")]
pub struct CamsError {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    pub recommend: Option<String>,
    pub access_denied_detail: Option<String>,
    /// True when the same call may succeed if sent again later (throttling, 5xx, network
    /// failures before anything was sent).
    pub retryable: bool,
    /// The request field that failed validation.
    pub field: Option<String>,
}

impl CamsError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CamsError {
            code: code.to_owned(),
            message: message.into(),
            ..Default::default()
        }
    }

    pub fn invalid_parameter(field: &str, message: impl Into<String>) -> Self {
        CamsError {
            field: Some(field.to_owned()),
            ..Self::new(codes::INVALID_PARAMETER, message)
        }
    }

    pub fn network(message: impl Into<String>) -> Self {
        CamsError {
            retryable: true,
            ..Self::new(codes::NETWORK_ERROR, message)
        }
    }

    pub fn timeout(ms: u32) -> Self {
        CamsError {
            retryable: true,
            ..Self::new(
                codes::TIMEOUT,
                format!(
                    "No reply within {ms} ms. Check the endpoint and your connection, or raise timeoutMs."
                ),
            )
        }
    }

    pub fn invalid_response(http_status: u16, detail: &str) -> Self {
        CamsError {
            http_status: Some(http_status),
            retryable: is_retryable(None, http_status),
            ..Self::new(
                codes::INVALID_RESPONSE,
                format!(
                    "The endpoint answered HTTP {http_status} with a body that is not the API's JSON ({detail}). Check that the endpoint is a CAMS endpoint or a cams-relay /cams URL."
                ),
            )
        }
    }

    pub fn credentials(message: impl Into<String>) -> Self {
        Self::new(codes::CREDENTIALS_ERROR, message)
    }
}

/// Throttling codes: the call was refused before it did anything, so sending it again is safe.
pub fn is_throttling(code: &str) -> bool {
    code == "System.LimitControl" || code == "Throttling" || code.starts_with("Throttling.")
}

/// Whether a reply with this code and status may be retried: throttling, 429 and 500/502/503/504.
pub fn is_retryable(code: Option<&str>, http_status: u16) -> bool {
    code.is_some_and(is_throttling) || matches!(http_status, 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_classification() {
        assert!(is_retryable(Some("Throttling.User"), 400));
        assert!(is_retryable(Some("System.LimitControl"), 400));
        assert!(is_retryable(None, 503));
        assert!(is_retryable(None, 429));
        assert!(!is_retryable(Some("SignatureDoesNotMatch"), 400));
        assert!(!is_retryable(None, 501));
        assert!(!is_retryable(Some("Throttlingx"), 400));
    }

    #[test]
    fn display_shows_code_and_message() {
        assert_eq!(CamsError::new("X", "y").to_string(), "X: y");
    }
}
