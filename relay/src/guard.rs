//! Who may call `/sts` and `/cams`: the origin check and CORS, the per-client rate limit and, on
//! `/sts`, sign-in ([`crate::auth`]), as one middleware in front of each route.
//!
//! Order matters: the origin is checked first (a refused site gets no CORS headers, so its page
//! cannot read anything), then the rate limit (so guessing a token is throttled too), then who
//! the caller is; the handler gets that as a [`Caller`] extension. Preflights are answered here
//! and never reach a handler.
//!
//! A request without `Origin` is allowed: browsers omit it on same-origin GETs, and non-browser
//! clients (curl, a dashboard's back end) are not what CORS protects against. A request whose
//! `Origin` names the relay's own host (its `Host`) is the served page itself and is allowed.
//!
//! That makes the `Host` header matter, so it is checked before anything else: an IP address,
//! `localhost`, a host of an allowed origin or an `--allow-host` name. A DNS-rebinding page
//! (a site whose name the attacker points at the relay's address, say on an intranet) sends
//! its own name as `Host` and is refused, same-origin GETs included.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::auth::{AuthFailure, Authenticator, Caller};
use crate::rate_limit::{retry_after_secs, RateLimiter};
use crate::relay_error::{codes, RelayError};
use crate::shared_rate_limit::SharedRateLimiter;

/// Response headers a cross-origin page may read besides the safelisted ones: the gateway's
/// `Date` (for clock skew), request ID and retry hints, and the pacer's "nothing was sent".
const EXPOSED_HEADERS: &str =
    "Date, Retry-After, x-acs-request-id, x-acs-retry-after, x-cams-relay-sent";

/// How long a browser may cache a preflight.
const PREFLIGHT_MAX_AGE_SECS: u32 = 600;

/// The cross-site origins configured with `--allow-origin`, normalised (`scheme://host[:port]`,
/// lower case, default port dropped), and the host names the relay answers to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    origins: Vec<String>,
    /// `--allow-host` names and the allowed origins' hosts, lower case.
    hosts: Vec<String>,
}

impl AllowedOrigins {
    /// Parses every `--allow-origin`; the error names the bad one and why.
    pub fn parse(list: &[String]) -> Result<AllowedOrigins, String> {
        AllowedOrigins::parse_with_hosts(list, &[])
    }

    /// Parses every `--allow-origin` and `--allow-host`.
    pub fn parse_with_hosts(list: &[String], hosts: &[String]) -> Result<AllowedOrigins, String> {
        let mut out = AllowedOrigins::default();
        for given in list {
            let origin = normalize_origin(given).ok_or_else(|| {
                format!(
                    "--allow-origin {given:?}: expected an origin like https://dashboard.example.com \
                     (scheme and host, optional port, no path, no wildcard)"
                )
            })?;
            if let Some(host) = Url::parse(&origin)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
            {
                out.add_host(host);
            }
            if !out.origins.contains(&origin) {
                out.origins.push(origin);
            }
        }
        for given in hosts {
            let host = given.trim().trim_end_matches('.').to_ascii_lowercase();
            let plain = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !plain {
                return Err(format!(
                    "--allow-host {given:?}: expected a host name like relay.example.com \
                     (no scheme, port or path)"
                ));
            }
            out.add_host(host);
        }
        Ok(out)
    }

    fn add_host(&mut self, host: String) {
        if !self.hosts.contains(&host) {
            self.hosts.push(host);
        }
    }

    /// Whether a request's `Host` header names the relay as it may be called: an IP address,
    /// `localhost` (or a name under it), or a configured host; any port.
    pub fn allows_host(&self, host: &str) -> bool {
        let Ok(authority) = Authority::from_str(host) else {
            return false;
        };
        let name = authority.host().trim_end_matches('.').to_ascii_lowercase();
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || self.hosts.contains(&name)
    }

    /// Whether the `Origin` header value is configured, or is the relay's own (`host` is the
    /// request's `Host`).
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let Some(normalized) = normalize_origin(origin) else {
            return false;
        };
        // An `Origin` header is exactly an origin: anything with a path or a trailing slash was
        // not sent by a browser.
        if normalized != origin.to_ascii_lowercase() {
            return false;
        }
        self.origins.contains(&normalized) || host.is_some_and(|h| same_host(&normalized, h))
    }
}

/// `scheme://host[:port]` of an http(s) origin, or `None` for anything that is not one (a path,
/// a query, user info, `null`, `*`).
fn normalize_origin(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let url = Url::parse(trimmed).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !trimmed.contains('*');
    plain.then(|| url.origin().ascii_serialization().to_ascii_lowercase())
}

/// Whether the (normalised) origin names the same host and port as the `Host` header. The scheme
/// is not compared: behind a TLS-terminating proxy the relay cannot know it.
fn same_host(origin: &str, host: &str) -> bool {
    let (Ok(url), Ok(authority)) = (Url::parse(origin), Authority::from_str(host)) else {
        return false;
    };
    let Some(origin_host) = url.host_str() else {
        return false;
    };
    let origin_port = url.port_or_known_default();
    // A `Host` without a port means the default port of the scheme the page was loaded over.
    let scheme_default = if url.scheme() == "https" { 443 } else { 80 };
    let host_port = Some(authority.port_u16().unwrap_or(scheme_default));
    origin_host.eq_ignore_ascii_case(authority.host()) && origin_port == host_port
}

/// The guard of one route.
#[derive(Debug)]
pub struct Guard {
    origins: AllowedOrigins,
    /// Who the caller is (`/sts`); `None`: nobody is asked (`/cams`).
    auth: Option<Arc<Authenticator>>,
    /// `None` turns rate limiting off.
    limiter: Option<RateLimiter>,
    /// The same limits kept in Redis for all replicas (`--redis-url`); `limiter` is the
    /// fallback while Redis cannot be reached.
    shared: Option<SharedRateLimiter>,
    /// The route's method, for preflights (`GET` or `POST`).
    method: Method,
}

impl Guard {
    pub fn new(
        origins: AllowedOrigins,
        auth: Option<Arc<Authenticator>>,
        limiter: Option<RateLimiter>,
        method: Method,
    ) -> Guard {
        Guard {
            origins,
            auth,
            limiter,
            shared: None,
            method,
        }
    }

    /// Keeps the rate limit in Redis, shared with other replicas (when there is one at all).
    pub fn with_shared_limit(mut self, shared: Option<SharedRateLimiter>) -> Guard {
        self.shared = shared.filter(|_| self.limiter.is_some());
        self
    }

    /// The wait before `ip` may make a request, if it must.
    async fn rate_limited(&self, ip: IpAddr) -> Option<Duration> {
        let limiter = self.limiter.as_ref()?;
        if let Some(shared) = &self.shared {
            match shared.check(ip).await {
                Ok(verdict) => return verdict.err(),
                Err(e) => {
                    tracing::debug!(error = %e, "shared rate limit unavailable; using memory")
                }
            }
        }
        limiter.check(ip, Instant::now()).err()
    }
}

/// Middleware: the origin, preflight, rate limit and token checks, then CORS headers on the
/// route's reply.
pub async fn check(State(guard): State<Arc<Guard>>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if !host
        .as_deref()
        .is_some_and(|h| guard.origins.allows_host(h))
    {
        return refuse_host();
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let cors_origin = match (origins.next(), origins.next()) {
        (None, _) => None,
        (Some(origin), None) => match origin.to_str() {
            Ok(o) if guard.origins.allows(o, host.as_deref()) => Some(origin.clone()),
            _ => return refuse_origin(),
        },
        (Some(_), Some(_)) => return refuse_origin(),
    };

    if request.method() == Method::OPTIONS {
        return preflight(&guard, headers, cors_origin.as_ref());
    }

    let refused = {
        let ip = peer_ip(&request);
        guard.rate_limited(ip).await.map(|wait| {
            let secs = retry_after_secs(wait);
            RelayError {
                retry_after_secs: Some(secs),
                ..RelayError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::RATE_LIMITED,
                    format!("Too many requests to the relay from this address; retry in {secs} s."),
                )
            }
            .into_response()
        })
    };
    let refused = match (refused, &guard.auth) {
        (Some(r), _) => Some(r),
        (None, None) => None,
        (None, Some(auth)) => match auth.authenticate(request.headers()).await {
            Ok(caller) => {
                request.extensions_mut().insert::<Caller>(caller);
                None
            }
            Err(failure) => Some(unauthorized(&failure)),
        },
    };

    let mut response = match refused {
        Some(r) => r,
        None => next.run(request).await,
    };
    let out = response.headers_mut();
    out.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = cors_origin {
        cors_headers(out, origin);
    }
    response
}

/// 401 for a caller that did not sign in, or whose credentials did not check out.
fn unauthorized(failure: &AuthFailure) -> Response {
    let (message, challenge) = match failure {
        AuthFailure::Missing => (
            "The relay gives credentials to signed-in callers only: send Authorization: Bearer \
             <token or JWT> (the module's credentials.headers option)."
                .to_owned(),
            HeaderValue::from_static("Bearer"),
        ),
        AuthFailure::Refused(why) => (
            format!("The relay refused this sign-in: {why}."),
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        ),
    };
    let mut r =
        RelayError::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, message).into_response();
    r.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    r
}

/// 403 for a `Host` the relay does not answer to (no CORS headers either).
fn refuse_host() -> Response {
    let mut r = RelayError::new(
        StatusCode::FORBIDDEN,
        codes::HOST_NOT_ALLOWED,
        "This relay does not answer to that host name. Start cams-relay with --allow-host <name> \
         for the name it is reached by.",
    )
    .into_response();
    r.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Origin"));
    r
}

/// 403 without any CORS header, so the refused page cannot even read why.
fn refuse_origin() -> Response {
    let mut r = RelayError::new(
        StatusCode::FORBIDDEN,
        codes::ORIGIN_NOT_ALLOWED,
        "This origin may not call the relay. Start cams-relay with --allow-origin <origin> to allow it.",
    )
    .into_response();
    r.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Origin"));
    r
}

fn cors_headers(out: &mut HeaderMap, origin: HeaderValue) {
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    out.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    out.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
}

/// `OPTIONS`: 204 with the CORS grant for an allowed origin, a plain 204 with `Allow` otherwise.
/// The requested headers are granted as asked (the origin is trusted; a dashboard may add its
/// own, e.g. a CSRF header, through the module's `headers` option).
fn preflight(guard: &Guard, headers: &HeaderMap, origin: Option<&HeaderValue>) -> Response {
    let allow = HeaderValue::from_str(&format!("{}, OPTIONS", guard.method))
        .unwrap_or(HeaderValue::from_static("OPTIONS"));
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(header::ALLOW, allow.clone());
    out.insert(
        header::VARY,
        HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    );
    if let Some(origin) = origin {
        cors_headers(out, origin.clone());
        out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
        let requested = headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .filter(|v| valid_header_list(v));
        out.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            requested
                .cloned()
                .unwrap_or(HeaderValue::from_static("Authorization, Content-Type")),
        );
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from(PREFLIGHT_MAX_AGE_SECS),
        );
    }
    response
}

/// A comma-separated list of header names, and nothing else.
fn valid_header_list(v: &HeaderValue) -> bool {
    v.to_str().is_ok_and(|s| {
        s.split(',')
            .map(str::trim)
            .all(|name| !name.is_empty() && HeaderName::from_str(name).is_ok())
    })
}

/// The TCP peer. Without connection info (a router used without `ConnectInfo`), every client
/// shares one bucket, which errs on the side of limiting.
fn peer_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> AllowedOrigins {
        AllowedOrigins::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn configured_origins_are_normalized() {
        let o = origins(&[
            "https://Dash.Example.com/",
            "http://localhost:3000",
            "https://a.example:443",
        ]);
        assert!(o.allows("https://dash.example.com", None));
        assert!(o.allows("http://localhost:3000", None));
        assert!(o.allows("https://a.example", None));
        assert!(!o.allows("http://dash.example.com", None));
        assert!(!o.allows("https://dash.example.com.evil.example", None));
        assert!(!o.allows("http://localhost:3001", None));
        assert!(!o.allows("https://dash.example.com/", None));
        assert!(!o.allows("null", None));
        assert!(!o.allows("", None));
    }

    #[test]
    fn bad_configured_origins_are_refused() {
        for bad in [
            "*",
            "https://*.example.com",
            "https://a.example/path",
            "dash.example.com",
            "ftp://a.example",
            "https://u@a.example",
            "null",
        ] {
            assert!(AllowedOrigins::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_relays_own_origin_is_allowed() {
        let o = AllowedOrigins::default();
        assert!(o.allows("http://127.0.0.1:8080", Some("127.0.0.1:8080")));
        assert!(o.allows("https://relay.example.com", Some("relay.example.com")));
        assert!(o.allows("https://relay.example.com", Some("Relay.Example.com:443")));
        assert!(o.allows("http://[::1]:8080", Some("[::1]:8080")));
        assert!(!o.allows("http://127.0.0.1:8081", Some("127.0.0.1:8080")));
        assert!(!o.allows("https://evil.example", Some("relay.example.com")));
        assert!(!o.allows("https://relay.example.com:8443", Some("relay.example.com")));
        assert!(!o.allows("https://relay.example.com", Some("bad host")));
    }

    #[test]
    fn header_lists() {
        assert!(valid_header_list(&HeaderValue::from_static(
            "authorization, x-csrf-token"
        )));
        assert!(!valid_header_list(&HeaderValue::from_static("a b")));
        assert!(!valid_header_list(&HeaderValue::from_static("a,,b")));
    }
}
