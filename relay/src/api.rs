//! `GET /sts` and `POST /cams`, the relay's API.
//!
//! TEMPORARY: both answer 501 until the production routes land (`proxy.rs`, `sts_vendor.rs`,
//! `guard.rs`). Replace [`routes`]'s body with theirs; [`crate::routes::routes`] merges whatever
//! this returns, and the shared [`RelayConfig`] carries the upstreams, the relay's identity, the
//! allowed origins and the auth token they need.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::config::RelayConfig;

/// The `/sts` and `/cams` routes.
pub fn routes(config: Arc<RelayConfig>) -> Router {
    let _ = config;
    Router::new()
        .route("/sts", get(not_implemented))
        .route("/cams", post(not_implemented))
}

/// Placeholder answer, in the error shape the browser module reads.
async fn not_implemented() -> impl IntoResponse {
    (
        StatusCode::NOT_IMPLEMENTED,
        Json(json!({
            "Code": "NotImplemented",
            "Message": "This relay build does not serve /sts and /cams yet.",
        })),
    )
}
