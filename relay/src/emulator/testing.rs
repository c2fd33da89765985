//! Helpers for tests, under `/__emulator/` on the emulator's listener only (never on the relay):
//! - `POST /__emulator/html`: 200 with an HTML error page, as a misconfigured proxy answers;
//! - `GET /__emulator/stats`: request counters; `POST /__emulator/stats/reset` clears them;
//! - `GET /__emulator/clock`: the emulator's time and offset; `POST /__emulator/clock` with
//!   `offsetSeconds=N` or `advanceSeconds=N` (query or form body) shifts it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cams_qrdl::core::timestamp::format_timestamp;
use serde_json::json;

use crate::emulator::gateway::merge_params;
use crate::emulator::Emulator;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/__emulator/html", post(html).get(html))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/stats/reset", post(reset_stats))
        .route("/__emulator/clock", get(clock).post(set_clock))
}

async fn html() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>",
        "<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n"
    ))
}

async fn stats(State(emu): State<Arc<Emulator>>) -> Json<serde_json::Value> {
    Json(emu.stats.snapshot())
}

async fn reset_stats(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.stats.reset();
    StatusCode::NO_CONTENT
}

fn clock_json(emu: &Emulator) -> Json<serde_json::Value> {
    Json(json!({
        "now": format_timestamp(emu.clock.now_secs()),
        "offsetSeconds": emu.clock.offset_secs(),
    }))
}

async fn clock(State(emu): State<Arc<Emulator>>) -> Json<serde_json::Value> {
    clock_json(&emu)
}

async fn set_clock(
    State(emu): State<Arc<Emulator>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = merge_params(uri.query(), ct, &body);
    let number = |name: &str| params.get(name).map(|v| v.trim().parse::<i64>());
    match (number("offsetSeconds"), number("advanceSeconds")) {
        (Some(Ok(secs)), None) => emu.clock.set_offset_secs(secs),
        (None, Some(Ok(secs))) => emu.clock.advance_secs(secs),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "Give exactly one of offsetSeconds=N or advanceSeconds=N (whole seconds).",
            )
                .into_response()
        }
    }
    clock_json(&emu).into_response()
}
