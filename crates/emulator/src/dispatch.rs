//! The API endpoint `/`: gateway checks, then RAM, then the QPS limit and injected faults, then
//! the service, then the reply (delayed, replaced or dropped when a fault says so).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Extension, State};
use axum::http::{header, HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, Uri};
use axum::response::Response;
use cams_protocol::types::Action;
use serde_json::Value;

use crate::errors::{self, ApiError};
use crate::fault_injector::Injection;
use crate::fault_replies;
use crate::faults::FaultKind;
use crate::gateway::{self, Api, Authenticated, Incoming};
use crate::listener::Connection;
use crate::reply::{self, Product, ReplyContext};
use crate::stats::CallRecord;
use crate::{authz, cams, sts, Emulator};

/// What became of a call besides its reply body, for the counters and the faults.
#[derive(Debug, Default)]
struct Trace {
    /// The long-term key the call counts toward, once authenticated.
    account: Option<String>,
    admitted: Option<bool>,
    /// When the QPS limit counted the call's arrival.
    arrived_at: Option<i64>,
    injection: Option<Injection>,
}

impl Trace {
    fn fault(&self) -> Option<FaultKind> {
        self.injection.as_ref().and_then(|i| i.kind)
    }
}

/// What a call is answered with.
enum Outcome {
    /// The service's reply, a refusal, or an injected JSON error.
    Json(Result<Value, ApiError>),
    /// An injected HTML page in place of the action: (kind, serverErrorStatus).
    Page(FaultKind, u16),
}

/// `GET /` and `POST /` (any other method is refused the way the gateway refuses it).
pub async fn handle(
    State(emu): State<Arc<Emulator>>,
    connection: Option<Extension<ConnectInfo<Connection>>>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming {
        method: &method,
        path: uri.path(),
        query: uri.query(),
        headers: &headers,
        body: &body,
    };
    let action = incoming.action_name();
    let api = action.as_deref().and_then(Api::from_action);
    let product = api.map_or(Product::Cams, Api::product);
    let mut ctx = ReplyContext::new(&headers, product, emu.clock.now_system());
    let mut trace = Trace::default();
    let outcome = run(&emu, &incoming, &mut trace);

    let delay = trace.injection.as_ref().and_then(|i| i.latency);
    let response = match &outcome {
        Outcome::Page(kind, status) => fault_replies::html_page(*kind, *status, &ctx)
            .unwrap_or_else(|| errors::internal_error().into_response(&ctx)),
        Outcome::Json(Ok(body)) => reply::json(StatusCode::OK, body.clone(), &ctx),
        Outcome::Json(Err(e)) => {
            tracing::debug!(request_id = %ctx.request_id, code = %e.code, "emulator refused a call");
            let mut response = e.clone().into_response(&ctx);
            let retry_after = trace
                .injection
                .as_ref()
                .and_then(|i| Some((i.retry_after_seconds?, i.retry_after_header)));
            if let (Some(FaultKind::Throttle), Some((secs, which))) = (trace.fault(), retry_after) {
                fault_replies::add_retry_after(&mut response, secs, which);
            }
            response
        }
    };
    let page_code;
    let code = match &outcome {
        Outcome::Page(..) => {
            page_code = format!("HTML {}", response.status().as_u16());
            page_code.as_str()
        }
        Outcome::Json(Ok(_)) => "OK",
        Outcome::Json(Err(e)) => e.code.as_str(),
    };
    emu.stats.record_call(&CallRecord {
        action: action.as_deref(),
        code,
        account: trace.account.as_deref(),
        admitted: trace.admitted,
        arrived_at: trace.arrived_at,
        fault: trace.fault(),
        delayed: delay.is_some(),
        created: api == Some(Api::Cams(Action::Create)) && matches!(outcome, Outcome::Json(Ok(_))),
    });

    // Counted above, before any injected delay: a client that gives up during it still made the
    // call (and a create still happened), so the counters must not wait for the reply.
    let mut response = response;
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
        // The reply is written now; its Date says so (clients measure their skew from it).
        ctx.date = emu.clock.now_system();
        if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(ctx.date)) {
            response.headers_mut().insert(header::DATE, v);
        }
    }

    if trace.fault() == Some(FaultKind::Drop) {
        let Some(Extension(ConnectInfo(connection))) = connection else {
            return fault_replies::drop_unavailable(&ctx);
        };
        tracing::debug!(request_id = %ctx.request_id, "emulator dropped a connection (fault injection)");
        // The connection refuses every byte from now on: this reply is never written.
        connection.drop_without_reply();
    }
    response
}

fn run(emu: &Emulator, incoming: &Incoming<'_>, trace: &mut Trace) -> Outcome {
    match authenticated(emu, incoming, trace) {
        Ok((auth, None)) => Outcome::Json(serve(emu, &auth)),
        Ok((_, Some(page))) => page,
        Err(e) => Outcome::Json(Err(e)),
    }
}

/// The gateway, RAM and the QPS limit; then the fault decision. `Some(page)` replaces the action.
fn authenticated(
    emu: &Emulator,
    incoming: &Incoming<'_>,
    trace: &mut Trace,
) -> Result<(Authenticated, Option<Outcome>), ApiError> {
    let auth = gateway::authenticate_request(emu, incoming)?;
    let (caller_key, account) = (
        auth.caller.key().to_owned(),
        auth.caller.account().to_owned(),
    );
    trace.account = Some(account.clone());
    if let Api::Cams(action) = auth.api {
        authz::authorize(emu, &auth.caller, action.name())?;
        let admission = emu.flow.admit(&account, &emu.clock);
        trace.admitted = Some(admission.admitted);
        trace.arrived_at = Some(admission.at_millis);
        if !admission.admitted {
            return Err(errors::limit_control());
        }
    }
    trace.injection = emu.faults.decide(&caller_key, &account, auth.api.name());
    // Every fault but a drop replaces the action; a drop (and a delay) comes after it.
    match trace
        .injection
        .as_ref()
        .and_then(|i| Some((i.kind?, i.server_error_status)))
    {
        None | Some((FaultKind::Drop, _)) => Ok((auth, None)),
        Some((kind, status)) => match fault_replies::api_error(kind, status) {
            Some(e) => Err(e),
            None => Ok((auth, Some(Outcome::Page(kind, status)))),
        },
    }
}

fn serve(emu: &Emulator, auth: &Authenticated) -> Result<Value, ApiError> {
    match auth.api {
        Api::AssumeRole => sts::assume_role(emu, auth),
        Api::Cams(action) => cams::handle(emu, action, auth.caller.account(), &auth.params),
    }
}
