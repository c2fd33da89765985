//! The static page: files from `--www` with `index.html` for directories, under the page's
//! security headers ([`crate::page_headers`]). `.wasm` is served as `application/wasm`, which
//! streaming compilation requires; TypeScript declarations (`.d.ts`) as `text/plain` (the
//! extension would otherwise make them `video/mp2t`).
//!
//! Only what the directory publishes is served: a path with a dot-segment (`.env`, `.git/config`,
//! `.htpasswd`; `.well-known/` excepted) is 404, and so is a file whose real path, symbolic links
//! resolved, lies outside `--www` (a link to `/etc/passwd` dropped into the directory, or a
//! linked directory).
//!
//! Files are sent gzip- or brotli-compressed when the browser accepts it (`Accept-Encoding`,
//! `Vary: Accept-Encoding`): the module's glue, the wasm and the page's scripts shrink to about a
//! third. Images, tiny files and range requests go as they are. The API routes (`/sts`, `/cams`,
//! `/relay.json`) are never compressed: they are small and carry credentials.
//!
//! The files are public and readable from any origin (`Access-Control-Allow-Origin: *`, no
//! credentials): a dashboard on another origin loads `<cams-qrdl>`'s module script and the wasm
//! from the relay, and browsers fetch both in CORS mode. Reading them grants nothing; `/sts` and
//! `/cams` keep their own origin checks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use percent_encoding::percent_decode_str;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::page_headers;

/// The one dot-directory a site may publish (RFC 8615).
const WELL_KNOWN: &str = ".well-known";

/// The served directory, as given and with its links resolved.
#[derive(Debug)]
struct Root {
    given: PathBuf,
    /// `None` when the directory does not exist (yet): every path is then checked against a
    /// fresh resolution.
    real: Option<PathBuf>,
}

/// A router serving `dir` for every path, with the page's headers (`csp` from
/// [`page_headers::page_csp`]).
pub fn service(dir: &Path, csp: &str) -> anyhow::Result<Router> {
    let root = Arc::new(Root {
        given: dir.to_path_buf(),
        real: std::fs::canonicalize(dir).ok(),
    });
    let router = Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        .layer(from_fn_with_state(root, only_published))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                // gzip's usual 6; brotli 6 instead of the layer's default, which came out
                // larger than gzip here (the client's wasm: 80,648 B against gzip's 86,569).
                .quality(CompressionLevel::Precise(6)),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ));
    page_headers::page_layers(router, csp).map_err(anyhow::Error::msg)
}

/// Middleware: 404 for dotfiles and for anything outside the directory; TypeScript as text.
async fn only_published(State(root): State<Arc<Root>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(segments) = segments(&path) else {
        return not_found();
    };
    if !within(&root, &segments).await {
        return not_found();
    }
    let mut response = next.run(request).await;
    if response.status().is_success() && path.ends_with(".ts") {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

/// The decoded path segments, or `None` for one the page never publishes: a dot-segment (other
/// than `.well-known`), a backslash, a NUL, or bytes that are not UTF-8.
fn segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode_str(raw).decode_utf8().ok()?.into_owned();
        let hidden = segment.starts_with('.') && segment != WELL_KNOWN;
        if hidden || segment.contains(['\\', '\0', '/']) {
            return None;
        }
        out.push(segment);
    }
    Some(out)
}

/// Whether the file (or, for a directory, its `index.html`) resolves to a path inside the root.
/// A path that does not exist passes: the file service answers 404 for it.
async fn within(root: &Root, segments: &[String]) -> bool {
    let root_real = match &root.real {
        Some(r) => r.clone(),
        None => match tokio::fs::canonicalize(&root.given).await {
            Ok(r) => r,
            Err(_) => return true,
        },
    };
    let target: PathBuf = segments.iter().fold(root.given.clone(), |p, s| p.join(s));
    let Ok(real) = tokio::fs::canonicalize(&target).await else {
        return true;
    };
    if !real.starts_with(&root_real) {
        tracing::warn!(path = %target.display(), "refused a file outside --www (a symbolic link)");
        return false;
    }
    if tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_dir()) {
        if let Ok(index) = tokio::fs::canonicalize(real.join("index.html")).await {
            if !index.starts_with(&root_real) {
                tracing::warn!(path = %target.display(), "refused an index.html outside --www");
                return false;
            }
        }
    }
    true
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_never_published() {
        for hidden in [
            "/.env",
            "/.git/config",
            "/pkg/.npmrc",
            "/%2egit/config",
            "/%2Eenv",
            "/a/%2e%2e/b",
            "/a%5cb",
            "/a%00b",
            "/a%2fb",
            "/%ff",
        ] {
            assert_eq!(segments(hidden), None, "{hidden}");
        }
        assert_eq!(
            segments("/pkg/cams_qrdl.d.ts").unwrap(),
            ["pkg", "cams_qrdl.d.ts"]
        );
        assert_eq!(
            segments("/.well-known/security.txt").unwrap(),
            [".well-known", "security.txt"]
        );
        assert_eq!(segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(segments("/a%20b.html").unwrap(), ["a b.html"]);
    }
}
