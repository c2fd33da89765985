//! The one HTTP client the relay talks to Alibaba (or the emulator) with.
//!
//! - rustls with the ring provider (no OpenSSL), the system's trust store;
//! - redirects are never followed: a 3xx comes back to the caller as it is, so nothing can
//!   bounce a request (a signed one, or the relay's own AssumeRole) to another host;
//! - proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) are ignored: a
//!   stray variable must not route the relay's signed calls through a machine nobody chose;
//! - no cookie store; a connect timeout and an overall timeout per request.

use std::time::Duration;

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
