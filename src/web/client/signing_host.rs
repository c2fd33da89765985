//! The `host` a Signature V3 call is signed for: the one the service sees, which a browser can
//! neither set nor, through a pass-through, know by itself.
//!
//! - `signingHost` in the config, when given;
//! - the endpoint's own host when the endpoint is a service's root (`https://cams.…/`, the
//!   emulator's `http://127.0.0.1:8081`): the browser sends that very `Host`;
//! - otherwise the endpoint is a pass-through such as cams-relay's `/cams`, whose `relay.json`
//!   (beside it: `new URL("relay.json", endpoint)`) names its upstream as `camsHost`.

use std::cell::RefCell;

use cams_protocol::error::{codes, CamsError};
use js_sys::{Reflect, JSON};
use wasm_bindgen::JsValue;
use web_sys::Url;

use crate::web::client::http::{send, url_for_message, HttpRequest};

/// The signing host, worked out once per client.
#[derive(Default)]
pub(crate) struct SigningHost {
    known: RefCell<Option<String>>,
}

impl SigningHost {
    pub(crate) fn given(host: Option<String>) -> SigningHost {
        SigningHost {
            known: RefCell::new(host),
        }
    }

    /// The host to sign for calls to `endpoint`. Its failures happen before anything is sent to
    /// the service, so they say so.
    pub(crate) async fn get(&self, endpoint: &str, timeout_ms: u32) -> Result<String, CamsError> {
        if let Some(host) = self.known.borrow().clone() {
            return Ok(host);
        }
        let url = absolute(endpoint)?;
        let host = if url.pathname() == "/" {
            url.host()
        } else {
            from_relay_json(&url, timeout_ms).await?
        };
        *self.known.borrow_mut() = Some(host.clone());
        Ok(host)
    }
}

/// `endpoint` resolved against the page's address (a same-origin path such as `/cams`).
fn absolute(endpoint: &str) -> Result<Url, CamsError> {
    let base = Reflect::get(&js_sys::global(), &JsValue::from_str("location"))
        .ok()
        .and_then(|l| Reflect::get(&l, &JsValue::from_str("href")).ok())
        .and_then(|h| h.as_string());
    let url = match base {
        Some(base) => Url::new_with_base(endpoint, &base),
        None => Url::new(endpoint),
    };
    url.map_err(|_| {
        CamsError::invalid_parameter(
            "endpoint",
            "endpoint is a path, and this environment has no page address to resolve it against: give an absolute URL.",
        )
    })
}

async fn from_relay_json(endpoint: &Url, timeout_ms: u32) -> Result<String, CamsError> {
    let where_ = Url::new_with_base("relay.json", &endpoint.href())
        .map(|u| u.href())
        .unwrap_or_default();
    let fail = |why: &str| {
        CamsError {
        retryable: true,
        ..CamsError::new(
            codes::NETWORK_ERROR,
            format!(
                "Nothing was sent: a Signature V3 call through {} must be signed for the host the service sees, and {} {why}. Set signingHost in the config (the service's host), or signatureVersion: \"v2\".",
                url_for_message(&endpoint.href()),
                url_for_message(&where_),
            ),
        )
    }
    };
    let reply = send(&HttpRequest {
        url: &where_,
        method: "GET",
        body: None,
        headers: &[],
        credentials: None,
        timeout_ms,
    })
    .await
    .map_err(|_| fail("could not be read"))?;
    let host = JSON::parse(&reply.body)
        .ok()
        .filter(|_| (200..300).contains(&reply.status))
        .and_then(|doc| Reflect::get(&doc, &JsValue::from_str("camsHost")).ok())
        .and_then(|h| h.as_string())
        .filter(|h| !h.is_empty());
    host.ok_or_else(|| fail("names no camsHost"))
}
