//! `GET /sts` and `POST /cams`, the relay's API: each behind its [`guard`](crate::guard), both
//! logged by [`access_log`](crate::access_log).
//!
//! [`routes`] checks everything that can be checked before serving (the upstream hosts, the
//! allowed origins, the session policy, the HTTP client), so a misconfigured relay refuses to
//! start instead of failing on the first browser.

use std::sync::Arc;

use anyhow::Context as _;
use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;

use crate::config::{Mode, RelayConfig};
use crate::guard::{self, AllowedOrigins, Guard};
use crate::proxy::{self, CamsProxy};
use crate::rate_limit::RateLimiter;
use crate::sts_vendor::{self, system_clock, StsSettings, StsVendor};
use crate::{access_log, pacer, upstream_client};

/// The `/sts` and `/cams` routes for this configuration.
pub fn routes(config: Arc<RelayConfig>) -> anyhow::Result<Router> {
    let api = &config.api;
    if config.mode == Mode::Production {
        if api.allow_any_upstream {
            tracing::warn!(
                cams = %config.upstreams.cams,
                sts = %config.upstreams.sts,
                "--allow-any-upstream: the upstream hosts are not checked; never use this in production"
            );
        } else {
            proxy::check_alibaba_endpoint("--cams-endpoint", &config.upstreams.cams)
                .map_err(anyhow::Error::msg)?;
            proxy::check_alibaba_endpoint("--sts-endpoint", &config.upstreams.sts)
                .map_err(anyhow::Error::msg)?;
        }
    }
    let origins = AllowedOrigins::parse_with_hosts(&config.allow_origins, &api.allow_hosts)
        .map_err(anyhow::Error::msg)?;
    let policy = api.session_policy().map_err(anyhow::Error::msg)?;
    let client = upstream_client::build(proxy::TIMEOUT).context("cannot set up the HTTP client")?;

    let vendor = StsVendor::new(
        client.clone(),
        StsSettings {
            endpoint: proxy::target_url(&config.upstreams.sts).map_err(anyhow::Error::msg)?,
            identity: config.identity.clone(),
            duration_secs: api.sts_duration,
            policy: Some(policy),
            timeout: proxy::TIMEOUT,
        },
        system_clock(),
    );
    let pacing = pacer::setup::Setup::new(&config).map_err(anyhow::Error::msg)?;
    let cams = CamsProxy::new(
        client,
        proxy::target_url(&config.upstreams.cams).map_err(anyhow::Error::msg)?,
        proxy::TIMEOUT,
    )
    .with_pacer(pacing.pacer(&api.pacing));
    let limit = |n: u32, make: fn(u32) -> RateLimiter| (n > 0).then(|| make(n));
    let sts_limit = limit(api.sts_rate_limit, RateLimiter::per_minute);
    let sts_shared = pacing.rate_limit("sts", sts_limit.as_ref());
    let sts_guard = Guard::new(
        origins.clone(),
        config.auth_token.clone(),
        sts_limit,
        Method::GET,
    )
    .with_shared_limit(sts_shared);
    // No token on /cams: the browser's signed calls are simple requests without custom headers,
    // and every one needs credentials that only /sts hands out.
    let cams_limit = limit(api.cams_rate_limit, RateLimiter::per_second);
    let cams_shared = pacing.rate_limit("cams", cams_limit.as_ref());
    let cams_guard =
        Guard::new(origins, None, cams_limit, Method::POST).with_shared_limit(cams_shared);
    Ok(router(
        Arc::new(vendor),
        Arc::new(cams),
        Arc::new(sts_guard),
        Arc::new(cams_guard),
    ))
}

/// The two routes from their parts (tests build parts of their own).
pub fn router(
    vendor: Arc<StsVendor>,
    cams: Arc<CamsProxy>,
    sts_guard: Arc<Guard>,
    cams_guard: Arc<Guard>,
) -> Router {
    Router::new()
        .route(
            "/sts",
            get(sts_vendor::handler)
                .with_state(vendor)
                .layer(from_fn_with_state(sts_guard, guard::check)),
        )
        .route(
            "/cams",
            post(proxy::handler)
                .with_state(cams)
                .layer(from_fn_with_state(cams_guard, guard::check)),
        )
        .layer(from_fn(access_log::log))
}
