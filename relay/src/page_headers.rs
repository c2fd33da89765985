//! Security headers: the static page's, the API's, and HSTS.
//!
//! - The page: a Content-Security-Policy whose `connect-src` and `img-src` name only what this
//!   relay's page needs (itself; Alibaba's API hosts for the access-key mode; in emulate mode the
//!   emulator and loopback; each `--page-connect-src`), `Referrer-Policy: no-referrer`, a
//!   `Permissions-Policy` turning off the powerful features the page never uses, `nosniff`.
//! - The API (`/sts`, `/cams`, `/healthz`, `/relay.json`, the relay's own errors): JSON or text
//!   that no browser should render or run: `Content-Security-Policy: default-src 'none'`,
//!   `nosniff`, `Referrer-Policy: no-referrer`.
//! - `--hsts`: `Strict-Transport-Security` on every reply, for a relay reached over HTTPS (TLS
//!   ends in front of it; over plain HTTP browsers ignore the header).

use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use clap::Args;
use tower_http::set_header::SetResponseHeaderLayer;
use url::Url;

use crate::config::Mode;

/// Flags of the page's and every reply's headers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Args)]
pub struct PageArgs {
    /// Send Strict-Transport-Security: max-age=31536000 (a year) on every reply. Only for a relay
    /// reached over HTTPS (a TLS terminator in front of it): browsers then refuse plain HTTP to
    /// this host name for a year.
    #[arg(long)]
    pub hsts: bool,

    /// An origin the served page may fetch from besides the relay itself and Alibaba's API hosts
    /// (repeatable), e.g. another relay typed into the page's Connection panel: added to the
    /// page's Content-Security-Policy connect-src.
    #[arg(long = "page-connect-src", value_name = "ORIGIN")]
    pub page_connect_src: Vec<String>,
}

/// The API's policy: nothing may load or run, nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// No page of the relay's sends where it came from.
pub const REFERRER_POLICY: &str = "no-referrer";
/// Features the page never uses, off for it and anything it could embed.
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
/// A year, without `includeSubDomains`: the relay speaks for its own name only.
pub const HSTS: &str = "max-age=31536000";
/// Where Alibaba's API hosts (and the QR images CAMS links to) live.
const ALIBABA_SOURCE: &str = "https://*.aliyuncs.com";

/// The page's Content-Security-Policy for this configuration.
pub fn page_csp(mode: Mode, emulator: Option<&Url>, extra: &[String]) -> Result<String, String> {
    let mut connect = vec!["'self'".to_owned()];
    let mut img = vec!["'self'".to_owned(), "data:".into(), "blob:".into()];
    if mode == Mode::Emulate {
        // The emulator's API and QR images, and any local test server.
        if let Some(e) = emulator {
            let origin = e.origin().ascii_serialization();
            connect.push(origin.clone());
            img.push(origin);
        }
        connect.extend(["http://127.0.0.1:*".into(), "http://localhost:*".into()]);
    }
    connect.push(ALIBABA_SOURCE.into());
    img.push(ALIBABA_SOURCE.into());
    for given in extra {
        connect.push(origin_of(given)?);
    }
    connect.dedup();
    Ok(format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src {}; style-src 'self'; \
         connect-src {}; object-src 'none'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'self'",
        img.join(" "),
        connect.join(" ")
    ))
}

/// `scheme://host[:port]` of an http(s) origin; the error names the flag.
fn origin_of(given: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "--page-connect-src {given:?}: expected an origin like https://relay.example.com \
             (scheme and host, optional port, no path)"
        )
    };
    let url = Url::parse(given.trim()).map_err(|_| bad())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if plain {
        Ok(url.origin().ascii_serialization())
    } else {
        Err(bad())
    }
}

fn set<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    name: HeaderName,
    value: HeaderValue,
) -> Router<S> {
    router.layer(SetResponseHeaderLayer::overriding(name, value))
}

/// The page's headers over `router` (its CSP from [`page_csp`]).
pub fn page_layers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    csp: &str,
) -> Result<Router<S>, String> {
    let csp = HeaderValue::from_str(csp).map_err(|e| format!("page CSP: {e}"))?;
    let router = set(router, header::CONTENT_SECURITY_POLICY, csp);
    let router = set(
        router,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let router = set(
        router,
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    Ok(set(
        router,
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    ))
}

/// The API's headers over `router`.
pub fn api_layers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let router = set(
        router,
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(API_CSP),
    );
    let router = set(
        router,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set(
        router,
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    )
}

/// HSTS over `router` when `on`.
pub fn hsts_layer<S: Clone + Send + Sync + 'static>(router: Router<S>, on: bool) -> Router<S> {
    if on {
        set(
            router,
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        )
    } else {
        router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_pages_connect_to_the_relay_and_alibaba_only() {
        let csp = page_csp(Mode::Production, None, &[]).unwrap();
        assert!(
            csp.contains("connect-src 'self' https://*.aliyuncs.com;"),
            "{csp}"
        );
        assert!(
            csp.contains("img-src 'self' data: blob: https://*.aliyuncs.com;"),
            "{csp}"
        );
        assert!(
            !csp.contains("http:") && !csp.contains("127.0.0.1"),
            "{csp}"
        );
        let more = page_csp(
            Mode::Production,
            None,
            &["https://Relay2.example.com/".into()],
        )
        .unwrap();
        assert!(more.contains("https://relay2.example.com;"), "{more}");
        for bad in [
            "*",
            "https://a.example/path",
            "relay.example.com",
            "https://x; script-src *",
        ] {
            assert!(
                page_csp(Mode::Production, None, &[bad.into()]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn emulate_pages_reach_the_emulator_and_loopback() {
        let emu = Url::parse("http://127.0.0.1:8081/").unwrap();
        let csp = page_csp(Mode::Emulate, Some(&emu), &[]).unwrap();
        assert!(
            csp.contains("img-src 'self' data: blob: http://127.0.0.1:8081 "),
            "{csp}"
        );
        assert!(
            csp.contains(
                "connect-src 'self' http://127.0.0.1:8081 http://127.0.0.1:* http://localhost:*"
            ),
            "{csp}"
        );
    }
}
