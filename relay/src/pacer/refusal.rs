//! The pacer's two refusals, both `503` with `x-cams-relay-sent: false`: by definition of their
//! codes nothing was sent upstream, so a client may send the call again, a create included
//! (`cams_protocol::retry::NOT_SENT_CODES`).

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::relay_error::RelayError;

/// The account's calls are queued past this relay's bounds (`--cams-queue-max`,
/// `--cams-queue-wait-ms`).
pub const RELAY_BUSY: &str = "RelayBusy";
/// The pacer's shared state (Redis) cannot be reached, so the relay cannot tell whether a call
/// would stay within the account's limit, and sends none.
pub const PACER_UNAVAILABLE: &str = "RelayPacerUnavailable";
/// On every pacer refusal: `false`, nothing went upstream.
pub const SENT_HEADER: &str = "x-cams-relay-sent";

/// Why a call was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The queue is full, or the call waited its longest: come back after this many seconds.
    Busy { retry_after_secs: u64, waited: bool },
    /// The shared state is unreachable.
    Unavailable { reason: String },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Busy { .. } => RELAY_BUSY,
            Refusal::Unavailable { .. } => PACER_UNAVAILABLE,
        }
    }

    pub fn error(&self) -> RelayError {
        let (message, retry_after) = match self {
            Refusal::Busy {
                retry_after_secs,
                waited,
            } => (
                format!(
                    "The relay paces this account's CAMS calls for all its clients together, \
                     and {}; nothing was sent to CAMS. Send it again in {} s.",
                    if *waited {
                        "this call waited its longest for a turn"
                    } else {
                        "its queue is full"
                    },
                    retry_after_secs
                ),
                *retry_after_secs,
            ),
            Refusal::Unavailable { reason } => (
                format!(
                    "The relay cannot reach the shared state of its account pacer ({reason}), so \
                     it sent nothing to CAMS rather than risk the account's limit. Send it again \
                     shortly; if this lasts, check the relay's Redis (--redis-url)."
                ),
                1,
            ),
        };
        RelayError {
            retry_after_secs: Some(retry_after),
            ..RelayError::new(StatusCode::SERVICE_UNAVAILABLE, self.code(), message)
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = self.error().into_response();
        r.headers_mut().insert(
            HeaderName::from_static(SENT_HEADER),
            HeaderValue::from_static("false"),
        );
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_nothing_was_sent() {
        for (r, code) in [
            (
                Refusal::Busy {
                    retry_after_secs: 3,
                    waited: true,
                },
                RELAY_BUSY,
            ),
            (
                Refusal::Unavailable {
                    reason: "Redis cannot be reached".into(),
                },
                PACER_UNAVAILABLE,
            ),
        ] {
            let e = r.error();
            assert_eq!((e.status.as_u16(), e.code.as_str()), (503, code));
            assert!(e.message.contains("nothing") || e.message.contains("sent nothing"));
            let resp = r.into_response();
            assert_eq!(resp.headers()[SENT_HEADER], "false");
            assert!(resp.headers().contains_key("retry-after"));
        }
        assert!(cams_protocol::retry::NOT_SENT_CODES.contains(&RELAY_BUSY));
        assert!(cams_protocol::retry::NOT_SENT_CODES.contains(&PACER_UNAVAILABLE));
    }
}
