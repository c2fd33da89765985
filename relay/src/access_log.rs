//! One log line per `/sts` and `/cams` request: method, path, status, latency and the code the
//! reply carried (the upstream's `Code` or the relay's own).
//!
//! Deliberately narrow: no query string, no headers, no body, so no AccessKeySecret,
//! SecurityToken or Signature can reach the log through it.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// The code a reply carried, attached to the response by whoever knew it, for the log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCode(pub String);

/// The CAMS action a `/cams` call named, for the log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogAction(pub String);

/// Middleware: runs the request, then logs it.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    let code = response.extensions().get::<LogCode>().map(|c| c.0.as_str());
    let action = response
        .extensions()
        .get::<LogAction>()
        .map(|a| a.0.as_str());
    if status >= 500 {
        tracing::warn!(%method, path, status, latency_ms, code, action, "relay request");
    } else {
        tracing::info!(%method, path, status, latency_ms, code, action, "relay request");
    }
    response
}
