//! The API endpoint `/`: gateway checks, then RAM, then the service, then the reply.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::Response;
use cams_qrdl::core::sign::Method;
use serde_json::Value;

use crate::emulator::errors::{self, ApiError};
use crate::emulator::gateway::{self, Api, Params};
use crate::emulator::reply::{self, Product, ReplyContext};
use crate::emulator::{authz, cams, sts, Emulator};

/// `GET /` and `POST /` (any other method is refused the way the gateway refuses it).
pub async fn handle(
    State(emu): State<Arc<Emulator>>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = gateway::merge_params(uri.query(), content_type, &body);
    let action = params.get("Action").cloned();
    let product = match action.as_deref().and_then(Api::from_action) {
        Some(api) => api.product(),
        None => Product::Cams,
    };
    let ctx = ReplyContext::new(&headers, product, emu.clock.now_system());
    let outcome = run(&emu, &method, params);
    let code = match &outcome {
        Ok(_) => "OK",
        Err(e) => e.code.as_str(),
    };
    emu.stats.record(action.as_deref(), code);
    match outcome {
        Ok(body) => reply::json(StatusCode::OK, body, &ctx),
        Err(e) => {
            tracing::debug!(request_id = %ctx.request_id, code = %e.code, "emulator refused a call");
            e.into_response(&ctx)
        }
    }
}

fn run(emu: &Emulator, method: &HttpMethod, params: Params) -> Result<Value, ApiError> {
    let method = Method::parse(method.as_str()).ok_or_else(errors::unsupported_http_method)?;
    let auth = gateway::authenticate(emu, method, params)?;
    match auth.api {
        Api::AssumeRole => sts::assume_role(emu, &auth),
        Api::Cams(action) => {
            authz::authorize(emu, &auth.caller, action.name())?;
            // Per-account QPS limiting (System.LimitControl / Throttling.User) and fault
            // injection belong here: after authentication, before the service runs.
            cams::handle(emu, action, &auth.params)
        }
    }
}
