//! Every reply's envelope: the JSON content type, a `RequestId` (body and `x-acs-request-id`
//! header) and a `Date` header from the emulator's clock, so a client can measure its skew.

use std::time::SystemTime;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Header carrying the request ID, as Alibaba's gateway sends it.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// Which service a request is for; it picks the `HostId` fallback and the troubleshooting link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    Cams,
    Sts,
}

impl Product {
    /// The product name Alibaba's troubleshooting links use.
    pub fn troubleshoot_name(self) -> &'static str {
        match self {
            Product::Cams => "cams",
            Product::Sts => "Sts",
        }
    }

    /// The real host, used as `HostId` when the request named none.
    pub fn default_host(self) -> &'static str {
        match self {
            Product::Cams => "cams.ap-southeast-1.aliyuncs.com",
            Product::Sts => "sts.aliyuncs.com",
        }
    }
}

/// What every reply to one request shares.
#[derive(Clone, Debug)]
pub struct ReplyContext {
    pub request_id: String,
    /// The `Host` the request was sent to, as the gateway echoes it in `HostId`.
    pub host: Option<String>,
    pub product: Product,
    pub date: SystemTime,
}

impl ReplyContext {
    pub fn new(headers: &HeaderMap, product: Product, date: SystemTime) -> ReplyContext {
        ReplyContext {
            request_id: new_request_id(),
            host: headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty())
                .map(str::to_owned),
            product,
            date,
        }
    }

    pub fn host_id(&self) -> &str {
        self.host
            .as_deref()
            .unwrap_or_else(|| self.product.default_host())
    }
}

/// An uppercase UUID, like the gateway's request IDs.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}

/// A JSON reply; `body` must be an object, and gets the `RequestId`.
pub fn json(status: StatusCode, mut body: Value, ctx: &ReplyContext) -> Response {
    if let Value::Object(map) = &mut body {
        map.insert("RequestId".into(), Value::String(ctx.request_id.clone()));
    }
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    stamp(headers, ctx);
    response
}

/// Adds `Date` and `x-acs-request-id` to any reply.
pub fn stamp(headers: &mut HeaderMap, ctx: &ReplyContext) {
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(ctx.date)) {
        headers.insert(header::DATE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
        headers.insert(REQUEST_ID_HEADER, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uppercase_uuids() {
        let id = new_request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_ascii_uppercase());
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert_ne!(id, new_request_id());
    }
}
