//! RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
//! request message that lacks a Host header field and to any request message that contains more
//! than one Host header field line or a Host header field with an invalid field value."
//!
//! Checked before anything else on every route: two `Host` lines (which two parts of a chain of
//! proxies may read differently), a `Host` with user info (`user@host`, which no client sends and
//! an origin check could misread), a `Host` that is no authority at all, and an HTTP/1.1 request
//! without one. An absolute-form request target with user info is refused the same way.

use std::str::FromStr;

use axum::extract::Request;
use axum::http::uri::Authority;
use axum::http::{header, StatusCode, Version};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::relay_error::{codes, RelayError};

/// Why a request's host is malformed, when it is.
pub fn problem(request: &Request) -> Option<&'static str> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let target_has_userinfo = request
        .uri()
        .authority()
        .is_some_and(|a| a.as_str().contains('@'));
    if target_has_userinfo {
        return Some("the request target has user info");
    }
    match (hosts.next(), hosts.next()) {
        (None, _)
            if request.version() == Version::HTTP_11 && request.uri().authority().is_none() =>
        {
            Some("an HTTP/1.1 request needs a Host header")
        }
        (None, _) => None,
        (Some(_), Some(_)) => Some("the request has more than one Host header"),
        (Some(value), None) => {
            let valid = value.to_str().ok().is_some_and(|h| {
                !h.is_empty() && !h.contains('@') && Authority::from_str(h).is_ok()
            });
            (!valid).then_some("the Host header is not a host[:port]")
        }
    }
}

/// Middleware: 400 `RelayBadRequest` for a malformed host (readable cross-origin, like the
/// guard's refusals: [`crate::guard::refusal_cors_for`]).
pub async fn check(request: Request, next: Next) -> Response {
    match problem(&request) {
        Some(why) => {
            let mut r = RelayError::new(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                format!("Bad request: {why}."),
            )
            .into_response();
            crate::guard::refusal_cors_for(request.headers(), r.headers_mut());
            r
        }
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(version: Version, uri: &str, hosts: &[&str]) -> Request {
        let mut b = Request::builder().uri(uri).version(version);
        for h in hosts {
            b = b.header(header::HOST, *h);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn one_plain_host_passes() {
        for h in [
            "relay.example.com",
            "127.0.0.1:8080",
            "[::1]:80",
            "localhost",
        ] {
            assert_eq!(
                problem(&request(Version::HTTP_11, "/sts", &[h])),
                None,
                "{h}"
            );
        }
        // HTTP/1.0 may go without; HTTP/2 names the authority in the target.
        assert_eq!(problem(&request(Version::HTTP_10, "/", &[])), None);
        assert_eq!(
            problem(&request(Version::HTTP_2, "http://relay.example.com/", &[])),
            None
        );
    }

    #[test]
    fn duplicates_userinfo_and_junk_are_refused() {
        for hosts in [
            &["a.example", "b.example"][..],
            &["a.example", "a.example"],
            &["user@a.example"],
            &["user:pw@127.0.0.1:8080"],
            &[""],
            &["a.example/path"],
            &["a b"],
        ] {
            assert!(
                problem(&request(Version::HTTP_11, "/", hosts)).is_some(),
                "{hosts:?}"
            );
        }
        assert!(problem(&request(Version::HTTP_11, "/", &[])).is_some());
        assert!(problem(&request(
            Version::HTTP_11,
            "http://user@relay.example.com/cams",
            &["relay.example.com"]
        ))
        .is_some());
    }
}
