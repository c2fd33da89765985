//! `GET /sts` and `POST /cams`, the relay's API: each behind its [`guard`](crate::guard), both
//! logged by [`access_log`](crate::access_log), every reply with the API's security headers
//! ([`crate::page_headers::api_layers`]).
//!
//! [`routes`] checks everything that can be checked before serving (the upstream hosts, the role
//! ARN, the credentials' lifetime, each tier's session policy, the allowed origins, sign-in, the
//! HTTP client), so a misconfigured relay refuses to start instead of failing on the first
//! browser.

use std::sync::Arc;

use anyhow::Context as _;
use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::auth::jwt::JwtVerifier;
use crate::auth::tiers::tier_policies;
use crate::auth::{ActionSet, Authenticator};
use crate::config::{Mode, RelayConfig};
use crate::guard::{self, AllowedOrigins, Guard};
use crate::proxy::{self, CamsProxy};
use crate::rate_limit::RateLimiter;
use crate::sts_vendor::{self, system_clock, StsSettings, StsVendor};
use crate::upstream_hosts::{self, Api};
use crate::{access_log, pacer, page_headers, sts_limits, upstream_client};

/// What anonymous callers of this relay may do (the flag, or the mode's default); the error
/// says why a production relay refuses the setting.
pub fn anonymous_actions(config: &RelayConfig) -> Result<ActionSet, String> {
    let has_sign_in = config.auth_token.is_some() || config.auth.jwt_settings()?.is_some();
    config.auth.anonymous(config.mode, has_sign_in)
}

/// The `/sts` and `/cams` routes for this configuration.
pub fn routes(config: Arc<RelayConfig>) -> anyhow::Result<Router> {
    let api = &config.api;
    let msg = anyhow::Error::msg;
    if config.mode == Mode::Production {
        if api.allow_any_upstream {
            tracing::warn!(
                cams = %config.upstreams.cams,
                sts = %config.upstreams.sts,
                "--allow-any-upstream: the upstream hosts are not checked; never use this in production"
            );
        } else {
            upstream_hosts::check_endpoint(Api::Cams, &config.upstreams.cams).map_err(msg)?;
            upstream_hosts::check_endpoint(Api::Sts, &config.upstreams.sts).map_err(msg)?;
        }
        sts_limits::check_role_arn(&config.identity.role_arn).map_err(msg)?;
    }
    let (min, max) = config.sts_duration_bounds;
    sts_limits::check_duration(api.sts_duration, min, max).map_err(msg)?;
    let origins =
        AllowedOrigins::parse_with_hosts(&config.allow_origins, &api.allow_hosts).map_err(msg)?;
    let anonymous = anonymous_actions(&config).map_err(msg)?;
    let policies = tier_policies(&api.session_policy().map_err(msg)?, anonymous).map_err(msg)?;
    sts_limits::check_policy("--sts-policy", &policies.signed_in).map_err(msg)?;
    if let Some(p) = &policies.anonymous {
        sts_limits::check_policy(
            "--sts-policy, with the Deny statement the anonymous tier adds",
            p,
        )
        .map_err(msg)?;
    }
    let client = upstream_client::build(proxy::TIMEOUT).context("cannot set up the HTTP client")?;
    let jwt = match config.auth.jwt_settings().map_err(msg)? {
        Some(settings) => Some(JwtVerifier::new(settings, client.clone()).map_err(msg)?),
        None => None,
    };
    let authenticator = Arc::new(Authenticator::new(
        config.auth_token.clone(),
        jwt,
        anonymous,
    ));
    authenticator.prefetch_keys();

    let vendor = StsVendor::new(
        client.clone(),
        StsSettings {
            endpoint: proxy::target_url(&config.upstreams.sts).map_err(msg)?,
            identity: config.identity.clone(),
            duration_secs: api.sts_duration,
            policies,
            timeout: proxy::TIMEOUT,
        },
        system_clock(),
    )
    .with_cams_host(crate::acs3_request::cams_host(&config.upstreams.cams));
    let pacing = pacer::setup::Setup::new(&config).map_err(anyhow::Error::msg)?;
    let cams = CamsProxy::new(
        client,
        proxy::target_url(&config.upstreams.cams).map_err(msg)?,
        proxy::TIMEOUT,
    )
    .with_pacer(pacing.pacer(&api.pacing));
    let limit = |n: u32, make: fn(u32) -> RateLimiter| (n > 0).then(|| make(n));
    let sts_limit = limit(api.sts_rate_limit, RateLimiter::per_minute);
    let sts_shared = pacing.rate_limit("sts", sts_limit.as_ref());
    let sts_guard = Guard::new(origins.clone(), Some(authenticator), sts_limit, Method::GET)
        .with_shared_limit(sts_shared);
    // No sign-in on /cams: the browser's signed calls are simple requests without custom
    // headers, each needs credentials that only /sts hands out, and the keys /sts handed to
    // anonymous callers are held to their tier there (auth::issued_keys).
    let cams_limit = limit(api.cams_rate_limit(config.mode), RateLimiter::per_second);
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
    let issued = vendor.issued_keys();
    let routes = Router::new()
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
                .layer(Extension(issued))
                .layer(from_fn_with_state(cams_guard, guard::check)),
        );
    page_headers::api_layers(routes).layer(from_fn(access_log::log))
}
