//! The relay's router: `/healthz`, `/relay.json`, the API routes of [`crate::api`] and the static
//! page for everything else.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::config::RelayConfig;
use crate::{api, static_files};

/// Builds the relay's routes from its configuration; fails on settings the API routes refuse
/// (an upstream that is not Alibaba's in production, a bad origin or session policy).
pub fn routes(config: Arc<RelayConfig>) -> anyhow::Result<Router> {
    Ok(Router::new()
        .route("/healthz", get(healthz))
        .route("/relay.json", get(relay_json))
        .with_state(Arc::clone(&config))
        .merge(api::routes(Arc::clone(&config))?)
        .fallback_service(static_files::service(&config.www)))
}

async fn healthz() -> &'static str {
    "ok"
}

/// How the page should connect: the mode, the relay's API paths and the emulator's origin.
async fn relay_json(State(config): State<Arc<RelayConfig>>) -> Response {
    let emulator = config
        .emulator_url
        .as_ref()
        .map(|u| u.origin().ascii_serialization());
    let pacing = &config.api.pacing;
    let mut response = Json(json!({
        "mode": config.mode.as_str(),
        "sts": "/sts",
        "cams": "/cams",
        "emulator": emulator,
        // The relay paces the whole account on /cams (docs/scale.md): a page need not keep its
        // users to one batch at a time.
        "pacesAccount": pacing.cams_account_qps > 0,
        "accountQps": pacing.cams_account_qps,
        "pacerStore": if pacing.redis_url.is_some() { "redis" } else { "memory" },
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
