//! Who may call `/sts` and `/cams`: the origin check and CORS, the per-client rate limit and, on
//! `/sts`, sign-in ([`crate::auth`]), as one middleware in front of each route.
//!
//! Order matters: the host and origin are checked first, then the rate limit (so guessing a token
//! is throttled too), then who the caller is; the handler gets that as a [`Caller`] extension.
//! Preflights are answered here and never reach a handler.
//!
//! A refused host or origin gets a 403 that its page can read (`RelayOriginNotAllowed`,
//! `RelayHostNotAllowed`, with the flag that fixes it): the refusal reflects the `Origin` with
//! CORS headers, since it says only that nothing ran. Its preflight is answered with a grant that
//! is never cached, so the browser sends the actual request and the page reads that refusal
//! rather than an opaque network error; the actual request stops here, before the rate limit,
//! sign-in or the route. A successful reply never carries CORS headers for a refused origin
//! (docs/security.md, "CORS on refusals").
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
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let (origin, several) = match (origins.next(), origins.next()) {
        (first, None) => (first.cloned(), false),
        (_, Some(_)) => (None, true),
    };
    let refusal = if !host
        .as_deref()
        .is_some_and(|h| guard.origins.allows_host(h))
    {
        Some(Refusal::Host)
    } else if several {
        Some(Refusal::Origin)
    } else {
        match &origin {
            Some(o)
                if !o
                    .to_str()
                    .is_ok_and(|o| guard.origins.allows(o, host.as_deref())) =>
            {
                Some(Refusal::Origin)
            }
            _ => None,
        }
    };
    if let Some(refusal) = refusal {
        // Reflected so the refused page can read why (nothing ran); never with two Origins.
        let origin = origin.filter(is_browser_origin);
        if request.method() == Method::OPTIONS && origin.is_some() {
            return preflight(&guard, headers, origin.as_ref(), Grant::RefusalOnly);
        }
        return refusal.response(origin.as_ref());
    }
    let cors_origin = origin;

    if request.method() == Method::OPTIONS {
        return preflight(&guard, headers, cors_origin.as_ref(), Grant::Full);
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

/// Why the guard refused a request before anything ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// A `Host` the relay does not answer to (DNS rebinding, a name not in `--allow-host`).
    Host,
    /// An `Origin` that is neither configured nor the relay's own, or two `Origin` headers.
    Origin,
}

impl Refusal {
    /// 403 with the code, readable by the refused page (see [`refusal_cors`]).
    fn response(self, origin: Option<&HeaderValue>) -> Response {
        let (code, message) = match self {
            Refusal::Host => (
                codes::HOST_NOT_ALLOWED,
                "This relay does not answer to that host name. Start cams-relay with --allow-host \
                 <name> for the name it is reached by.",
            ),
            Refusal::Origin => (
                codes::ORIGIN_NOT_ALLOWED,
                "This origin may not call the relay. Start cams-relay with --allow-origin <origin> \
                 to allow it.",
            ),
        };
        let mut r = RelayError::new(StatusCode::FORBIDDEN, code, message).into_response();
        let out = r.headers_mut();
        out.append(header::VARY, HeaderValue::from_static("Origin"));
        refusal_cors(out, origin);
        r
    }
}

/// The `Origin` of a refused request, when it is exactly one a browser sends (`scheme://host[:port]`
/// in lower case, or `null`): only those are reflected.
fn is_browser_origin(origin: &HeaderValue) -> bool {
    origin
        .to_str()
        .is_ok_and(|o| o == "null" || normalize_origin(o).is_some_and(|n| n == o))
}

/// CORS on a refusal, so a page on any origin can read the refusal's code and advice (the
/// `--allow-origin` or `--allow-host` to add) instead of an opaque network error. This grants
/// nothing: the reply says only that nothing ran, and no route was reached.
/// `Access-Control-Allow-Credentials` lets a page that fetches with `credentials: "include"`
/// read it too.
pub fn refusal_cors(out: &mut HeaderMap, origin: Option<&HeaderValue>) {
    if let Some(origin) = origin {
        cors_headers(out, origin.clone());
    }
}

/// [`refusal_cors`] for a refusal made before the guard ran (a malformed `Host`), from the
/// request's headers: one well-formed `Origin` is reflected.
pub fn refusal_cors_for(request: &HeaderMap, out: &mut HeaderMap) {
    let mut origins = request.get_all(header::ORIGIN).iter();
    if let (Some(origin), None) = (origins.next(), origins.next()) {
        if is_browser_origin(origin) {
            out.append(header::VARY, HeaderValue::from_static("Origin"));
            refusal_cors(out, Some(origin));
        }
    }
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

/// What a preflight grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    /// An allowed origin: the route, cached for [`PREFLIGHT_MAX_AGE_SECS`].
    Full,
    /// A refused origin or host: the actual request may be sent only to be refused with a
    /// readable code (the guard refuses it before the rate limit, sign-in or the route). Not
    /// cached, so a relay restarted with `--allow-origin` is asked again.
    RefusalOnly,
}

/// `OPTIONS`: 204 with the CORS grant for an origin (see [`Grant`]), a plain 204 with `Allow`
/// without one. The requested headers are granted as asked (an allowed origin is trusted, and a
/// dashboard may add its own, e.g. a CSRF header, through the module's `headers` option; a
/// refused one reaches nothing with them).
fn preflight(
    guard: &Guard,
    headers: &HeaderMap,
    origin: Option<&HeaderValue>,
    grant: Grant,
) -> Response {
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
        let max_age = match grant {
            Grant::Full => PREFLIGHT_MAX_AGE_SECS,
            Grant::RefusalOnly => 0,
        };
        out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(max_age));
    }
    if grant == Grant::RefusalOnly {
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
