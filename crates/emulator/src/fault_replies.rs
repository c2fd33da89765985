//! The replies injected faults give: `Throttling.User` with optional retry hints, 500/503 JSON
//! errors, 502/504 HTML pages as a load balancer in front of the gateway sends them, and a 200
//! HTML page as a captive portal or misrouted proxy does. Every one carries the emulator's `Date`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::errors::{self, ApiError};
use crate::faults::{FaultKind, RetryAfterHeader};
use crate::reply::ReplyContext;

/// Alibaba's SDKs read this header's value as milliseconds.
pub const ACS_RETRY_AFTER_HEADER: &str = "x-acs-retry-after";

/// The JSON refusal of a fault that has one (throttle, server error 500/503).
pub fn api_error(kind: FaultKind, status: u16) -> Option<ApiError> {
    match (kind, status) {
        (FaultKind::Throttle, _) => Some(errors::throttling_user()),
        (FaultKind::ServerError, 500) => Some(errors::internal_error()),
        (FaultKind::ServerError, 503) => Some(errors::service_unavailable()),
        _ => None,
    }
}

/// Adds `Retry-After: <seconds>` and/or `x-acs-retry-after: <milliseconds>`.
pub fn add_retry_after(response: &mut Response, seconds: u32, which: RetryAfterHeader) {
    let headers = response.headers_mut();
    if which != RetryAfterHeader::AcsRetryAfter {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if which != RetryAfterHeader::RetryAfter {
        headers.insert(
            ACS_RETRY_AFTER_HEADER,
            HeaderValue::from(u64::from(seconds) * 1000),
        );
    }
}

/// The HTML page of a fault without a JSON body (502/504, or the 200 page), or `None`.
pub fn html_page(kind: FaultKind, status: u16, ctx: &ReplyContext) -> Option<Response> {
    let (status, body) = match (kind, status) {
        (FaultKind::ServerError, 502) => (StatusCode::BAD_GATEWAY, gateway_page("502 Bad Gateway")),
        (FaultKind::ServerError, 504) => (
            StatusCode::GATEWAY_TIMEOUT,
            gateway_page("504 Gateway Time-out"),
        ),
        (FaultKind::Html, _) => (StatusCode::OK, PORTAL_PAGE.to_owned()),
        _ => return None,
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // A load balancer's page has a Date but no request ID: the gateway never saw the call.
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(ctx.date)) {
        response.headers_mut().insert(header::DATE, v);
    }
    Some(response)
}

/// The reply for a drop when the connection cannot be dropped (router driven without the
/// emulator's listener): a visible error instead of a silent normal reply.
pub fn drop_unavailable(ctx: &ReplyContext) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Emulator.DropUnavailable",
        "dropRate needs the emulator served by cams_emulator::listener::serve.",
    )
    .into_response(ctx)
}

/// The error page of an nginx-family load balancer (Alibaba's SLB runs Tengine).
fn gateway_page(title: &str) -> String {
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
         <hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// A 200 that is not the API: what a captive portal or a proxy's login page returns.
const PORTAL_PAGE: &str = concat!(
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in to continue</title></head>",
    "<body><h1>Sign in to continue</h1><p>This network requires you to sign in.</p></body></html>\n"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Product;
    use axum::http::HeaderMap;
    use std::time::UNIX_EPOCH;

    #[test]
    fn each_kind_has_exactly_one_reply_shape() {
        let ctx = ReplyContext::new(&HeaderMap::new(), Product::Cams, UNIX_EPOCH);
        for status in [500, 502, 503, 504] {
            let json = api_error(FaultKind::ServerError, status).is_some();
            let html = html_page(FaultKind::ServerError, status, &ctx).is_some();
            assert!(json != html, "{status}");
        }
        assert!(api_error(FaultKind::Throttle, 503).is_some());
        let page = html_page(FaultKind::Html, 503, &ctx).unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()["date"], "Thu, 01 Jan 1970 00:00:00 GMT");
        assert!(html_page(FaultKind::Drop, 503, &ctx).is_none());
    }

    #[test]
    fn retry_after_in_seconds_and_milliseconds() {
        let mut r = ().into_response();
        add_retry_after(&mut r, 2, RetryAfterHeader::Both);
        assert_eq!(r.headers()["retry-after"], "2");
        assert_eq!(r.headers()["x-acs-retry-after"], "2000");
        let mut r = ().into_response();
        add_retry_after(&mut r, 2, RetryAfterHeader::RetryAfter);
        assert!(r.headers().get("x-acs-retry-after").is_none());
        let mut r = ().into_response();
        add_retry_after(&mut r, 2, RetryAfterHeader::AcsRetryAfter);
        assert!(r.headers().get("retry-after").is_none());
    }
}
