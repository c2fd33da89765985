//! Helpers for tests, under `/__emulator/` on the emulator's listener only (never on the relay):
//! - `POST /__emulator/html`: 200 with an HTML error page, as a misconfigured proxy answers;
//! - `GET /__emulator/stats`: counters, in total and `perAccount`; `?accessKeyId=ID` gives one
//!   account's (an STS key counts as the key that minted it); `POST /__emulator/stats/reset`
//!   clears them;
//! - `GET|POST|DELETE /__emulator/faults`: shows, sets (a JSON [`FaultConfig`]) or clears fault
//!   injection; each answers with the state `{active, config, matched, injected}`;
//! - `GET /__emulator/clock`: the emulator's time and offset; `POST /__emulator/clock` with
//!   `offsetSeconds=N`, `advanceSeconds=N` or `advanceMillis=N` and/or `freeze=true|false`
//!   (query or form body) shifts, stops or restarts it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cams_protocol::time::format_timestamp;
use serde_json::{json, Value};

use crate::faults::FaultConfig;
use crate::gateway::merge_params;
use crate::keys::KeyKind;
use crate::{lock, Emulator};

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/__emulator/html", post(html).get(html))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/stats/reset", post(reset_stats))
        .route(
            "/__emulator/faults",
            get(faults).post(set_faults).delete(clear_faults),
        )
        .route("/__emulator/clock", get(clock).post(set_clock))
}

async fn html() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>",
        "<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n"
    ))
}

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

async fn stats(
    State(emu): State<Arc<Emulator>>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    if let Some(id) = query.get("accessKeyId") {
        // An STS key's calls count toward the long-term key that minted it.
        let account = match lock(&emu.keys).lookup(id) {
            Some(KeyKind::Temporary(s)) => s.parent_access_key_id,
            _ => id.clone(),
        };
        return Json(emu.stats.account_snapshot(&account));
    }
    let mut v = emu.stats.snapshot();
    if let Value::Object(map) = &mut v {
        map.insert("qpsLimit".into(), json!(emu.flow.limit()));
    }
    Json(v)
}

async fn reset_stats(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.stats.reset();
    StatusCode::NO_CONTENT
}

async fn faults(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(emu.faults.state_json())
}

/// Replaces the setting with the body's (a JSON object of the documented fields).
async fn set_faults(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match FaultConfig::parse(&text) {
        Ok(config) => {
            emu.set_faults(Some(config));
            Json(emu.faults.state_json()).into_response()
        }
        Err(why) => bad_request(format!("fault setting refused: {why}")),
    }
}

async fn clear_faults(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    emu.set_faults(None);
    Json(emu.faults.state_json())
}

fn clock_json(emu: &Emulator) -> Json<Value> {
    Json(json!({
        "now": format_timestamp(emu.clock.now_secs()),
        "nowMillis": emu.clock.now_millis(),
        "offsetSeconds": emu.clock.offset_secs(),
        "frozen": emu.clock.is_frozen(),
    }))
}

async fn clock(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    clock_json(&emu)
}

enum Shift {
    OffsetSecs(i64),
    AdvanceMillis(i64),
}

async fn set_clock(
    State(emu): State<Arc<Emulator>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const USAGE: &str = "Give freeze=true|false and/or one of offsetSeconds=N, advanceSeconds=N, \
                         advanceMillis=N (whole numbers).";
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = merge_params(uri.query(), ct, &body);
    let number = |name: &str| params.get(name).map(|v| v.trim().parse::<i64>());
    let freeze = match params.get("freeze").map(|v| v.trim()) {
        None => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => return bad_request(USAGE),
    };
    let shift = match (
        number("offsetSeconds"),
        number("advanceSeconds"),
        number("advanceMillis"),
    ) {
        (None, None, None) => None,
        (Some(Ok(secs)), None, None) => Some(Shift::OffsetSecs(secs)),
        (None, Some(Ok(secs)), None) => Some(Shift::AdvanceMillis(secs.saturating_mul(1000))),
        (None, None, Some(Ok(ms))) => Some(Shift::AdvanceMillis(ms)),
        _ => return bad_request(USAGE),
    };
    if freeze.is_none() && shift.is_none() {
        return bad_request(USAGE);
    }
    if let Some(f) = freeze {
        emu.clock.set_frozen(f);
    }
    match shift {
        Some(Shift::OffsetSecs(secs)) => emu.clock.set_offset_secs(secs),
        Some(Shift::AdvanceMillis(ms)) => emu.clock.advance_millis(ms),
        None => {}
    }
    clock_json(&emu).into_response()
}
