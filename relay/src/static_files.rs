//! The static page: files from `--www` with `index.html` for directories, a strict
//! Content-Security-Policy (the page runs only its own scripts and its wasm) and `nosniff`.
//! `.wasm` is served as `application/wasm`, which streaming compilation requires.
//!
//! The files are public and readable from any origin (`Access-Control-Allow-Origin: *`, no
//! credentials): a dashboard on another origin loads `<cams-qrdl>`'s module script and the wasm
//! from the relay, and browsers fetch both in CORS mode. Reading them grants nothing; `/sts` and
//! `/cams` keep their own origin checks.

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The page's policy: its own scripts and wasm, images from anywhere (QR images live on the
/// CAMS or emulator host), fetches to its relay or an explicit endpoint, no plugins or framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; \
    img-src 'self' data: blob: http: https:; \
    style-src 'self'; \
    connect-src 'self' http: https:; \
    object-src 'none'; \
    base-uri 'none'; \
    frame-ancestors 'self'";

/// A router serving `dir` for every path, with the security headers.
pub fn service(dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}
