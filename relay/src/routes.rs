//! The relay's router: `/healthz`, `/relay.json`, the API routes of [`crate::api`] and the static
//! page for everything else; every request's `Host` checked first ([`crate::host_header`]),
//! every reply with its security headers ([`crate::page_headers`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::auth::ActionSet;
use crate::config::{Mode, RelayConfig};
use crate::{acs3_request, api, host_header, page_headers, static_files};

/// What `/relay.json` says about the tiers.
#[derive(Clone, Debug)]
struct Info {
    config: Arc<RelayConfig>,
    anonymous: ActionSet,
}

/// Builds the relay's routes from its configuration; fails on settings the API routes refuse
/// (an upstream that is not Alibaba's in production, a bad origin or session policy, ...).
pub fn routes(config: Arc<RelayConfig>) -> anyhow::Result<Router> {
    let info = Info {
        anonymous: api::anonymous_actions(&config).map_err(anyhow::Error::msg)?,
        config: Arc::clone(&config),
    };
    let own = page_headers::api_layers(
        Router::new()
            .route("/healthz", get(healthz))
            .route("/relay.json", get(relay_json))
            .with_state(info),
    );
    let csp = page_headers::page_csp(
        config.mode,
        config.emulator_url.as_ref(),
        &config.page.page_connect_src,
    )
    .map_err(anyhow::Error::msg)?;
    let router = own
        .merge(api::routes(Arc::clone(&config))?)
        .fallback_service(static_files::service(&config.www, &csp)?)
        .layer(from_fn(host_header::check));
    Ok(page_headers::hsts_layer(router, config.page.hsts))
}

async fn healthz() -> &'static str {
    "ok"
}

/// How the page should connect: the mode, the relay's API paths, the emulator's origin,
/// `camsHost` (the `host` a Signature V3 call through `/cams` is signed for: the one CAMS sees),
/// what anonymous callers may do, the per-client `/cams` rate and whether the relay paces the
/// account.
async fn relay_json(State(info): State<Info>) -> Response {
    let config = &info.config;
    let emulator = config
        .emulator_url
        .as_ref()
        .map(|u| u.origin().ascii_serialization());
    let pacing = &config.api.pacing;
    let mut body = json!({
        "mode": config.mode.as_str(),
        "sts": "/sts",
        "cams": "/cams",
        "camsHost": acs3_request::cams_host(&config.upstreams.cams),
        "emulator": emulator,
        "anonymousActions": info.anonymous.words(),
        "camsRateLimit": config.api.cams_rate_limit(config.mode),
        // The relay paces the whole account on /cams (docs/scale.md): a page need not keep its
        // users to one batch at a time.
        "pacesAccount": pacing.cams_account_qps > 0,
        "accountQps": pacing.cams_account_qps,
        "pacerStore": if pacing.redis_url.is_some() { "redis" } else { "memory" },
    });
    if config.mode == Mode::Emulate && info.anonymous.changes_existing_codes() {
        body["notice"] = json!(
            "emulate mode: anonymous callers may update and delete codes (no sign-in needed for \
             the local page); a production relay never allows that. Pass --anonymous-actions \
             to try the tiers."
        );
    }
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
