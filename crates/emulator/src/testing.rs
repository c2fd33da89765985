//! Helpers for tests, under `/__emulator/` on the emulator's listener only (never on the relay):
//! - `POST /__emulator/html`: 200 with an HTML error page, as a misconfigured proxy answers;
//! - `GET /__emulator/stats`: counters, in total and `perAccount`; `?accessKeyId=ID` gives one
//!   account's (an STS key counts as the key that minted it), `busiestWindow` the most calls
//!   of one account the QPS limit saw within one second; `POST /__emulator/stats/reset` clears
//!   them;
//! - `GET|POST|DELETE /__emulator/faults`: shows, sets (a JSON [`FaultConfig`]) or clears fault
//!   injection; each answers with the state `{active, config, matched, injected}`;
//! - `GET /__emulator/clock`: the emulator's time and offset; `POST /__emulator/clock` with
//!   `offsetSeconds=N`, `advanceSeconds=N` or `advanceMillis=N` and/or `freeze=true|false`
//!   (query or a JSON object body, e.g. `{"offsetSeconds":600}`) shifts, stops or restarts it;
//! - `POST /__emulator/seed`: creates many codes at once, with no signature, QPS limit or fault,
//!   for tests and benchmarks (a list of 2,000 codes takes minutes at 5 creates a second). The
//!   body is `{"phoneNumber": "…", "count": N}` and optionally `"accessKeyId"` (whose account
//!   gets them; an STS key counts as the key that minted it; the demo key by default),
//!   `"custSpaceId"`, `"message"` (each code's message is it followed by the code's number,
//!   "Seeded" by default) and `"format"` (`PNG` or `SVG`). The answer is `{created, codes,
//!   limitReached}`: creation stops at the number's limit.
//!
//! They can switch faults on and move the clock, so they are not open to any web page a developer
//! happens to visit while an emulator runs:
//! - no CORS headers unless `--emulator-admin-cors ORIGIN` names the page allowed (a browser test
//!   runner's), so another origin's script cannot read them, nor send a POST that needs a
//!   preflight;
//! - a POST must be `application/json` (a type no plain form or `text/plain` fetch can send
//!   without that preflight); `POST /__emulator/html` is exempt, it changes nothing;
//! - the `Host` must be an IP address or `localhost`, so a DNS-rebinding page (its own name
//!   pointed at the emulator's address) gets 403.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{from_fn, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cams_protocol::encode::parse_form;
use cams_protocol::time::format_timestamp;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::faults::FaultConfig;
use crate::keys::KeyKind;
use crate::store::{Owner, StoreError};
use crate::{lock, Emulator, DEMO_ACCESS_KEY_ID};

/// The one admin route a POST of any type may reach: it changes nothing.
const HTML_PATH: &str = "/__emulator/html";

/// The admin routes, guarded (see the module docs); `cors_origins` may call them from a page.
pub fn routes(cors_origins: &[String]) -> Router<Arc<Emulator>> {
    let router = Router::new()
        .route(HTML_PATH, post(html).get(html))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/stats/reset", post(reset_stats))
        .route(
            "/__emulator/faults",
            get(faults).post(set_faults).delete(clear_faults),
        )
        .route("/__emulator/clock", get(clock).post(set_clock))
        .route("/__emulator/seed", post(seed))
        .layer(from_fn(guard));
    let origins: Vec<HeaderValue> = cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return router;
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
            .allow_headers(Any)
            .expose_headers([
                header::DATE,
                HeaderName::from_static(crate::reply::REQUEST_ID_HEADER),
            ]),
    )
}

/// Middleware: the Host and content-type rules of the module docs.
async fn guard(request: Request, next: Next) -> Response {
    let host_ok = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(local_host);
    if !host_ok {
        return refuse(
            StatusCode::FORBIDDEN,
            "the emulator's admin routes answer only a Host that is an IP address or localhost",
        );
    }
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if request.method() == Method::POST && request.uri().path() != HTML_PATH && !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST to the emulator's admin routes needs Content-Type: application/json",
        );
    }
    next.run(request).await
}

/// An IP address or `localhost` (or a name under it), any port.
fn local_host(host: &str) -> bool {
    let Ok(authority) = Authority::from_str(host) else {
        return false;
    };
    if host.contains('@') {
        return false;
    }
    let name = authority.host().trim_end_matches('.').to_ascii_lowercase();
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost")
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
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

/// The long-term key an AccessKeyId acts for: an STS key's minter, else the key itself.
fn account_of(emu: &Emulator, id: &str) -> String {
    match lock(&emu.keys).lookup(id) {
        Some(KeyKind::Temporary(s)) => s.parent_access_key_id,
        _ => id.to_owned(),
    }
}

async fn stats(
    State(emu): State<Arc<Emulator>>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    if let Some(id) = query.get("accessKeyId") {
        // An STS key's calls count toward the long-term key that minted it.
        return Json(emu.stats.account_snapshot(&account_of(&emu, id)));
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

/// The most codes one seed call creates: WhatsApp's per-number limit.
const MAX_SEED: u64 = crate::store::MAX_CODES_PER_NUMBER as u64;

/// `POST /__emulator/seed` (see the module docs).
async fn seed(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    const USAGE: &str = "Give a JSON object with phoneNumber (digits) and count (1 to 2000), and \
                         optionally accessKeyId, custSpaceId, message and format (PNG or SVG).";
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request(USAGE);
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let Some(phone) = text("phoneNumber")
        .filter(|p| (6..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    else {
        return bad_request(USAGE);
    };
    let Some(count) = fields
        .get("count")
        .and_then(Value::as_u64)
        .filter(|n| (1..=MAX_SEED).contains(n))
    else {
        return bad_request(USAGE);
    };
    let format = match text("format").unwrap_or("PNG") {
        f @ ("PNG" | "SVG") => f,
        _ => return bad_request(USAGE),
    };
    let message = text("message").unwrap_or("Seeded");
    let owner = Owner {
        account: account_of(&emu, text("accessKeyId").unwrap_or(DEMO_ACCESS_KEY_ID)),
        phone_number: phone.to_owned(),
        cust_space_id: text("custSpaceId").unwrap_or_default().to_owned(),
    };
    let mut codes = Vec::new();
    let mut limit_reached = false;
    let mut store = lock(&emu.store);
    for i in 1..=count {
        match store.create(&owner, &format!("{message} {i}"), format) {
            Ok(record) => codes.push(record.code),
            Err(StoreError::LimitReached(_)) => {
                limit_reached = true;
                break;
            }
            Err(StoreError::NotFound) => break,
        }
    }
    drop(store);
    Json(json!({ "created": codes.len(), "codes": codes, "limitReached": limit_reached }))
        .into_response()
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

async fn set_clock(State(emu): State<Arc<Emulator>>, uri: Uri, body: Bytes) -> Response {
    const USAGE: &str = "Give freeze=true|false and/or one of offsetSeconds=N, advanceSeconds=N, \
                         advanceMillis=N (whole numbers), in the query or a JSON object body.";
    let mut params: HashMap<String, String> = uri
        .query()
        .map(parse_form)
        .unwrap_or_default()
        .into_iter()
        .collect();
    if !body.iter().all(u8::is_ascii_whitespace) {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
            return bad_request(USAGE);
        };
        for (name, value) in fields {
            let text = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return bad_request(USAGE),
            };
            params.insert(name, text);
        }
    }
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
