//! [`Client`]: the credential cache, the pacing gate and the single `call` path every request
//! takes, with its retries (`cams_protocol::retry`), clock correction
//! (`cams_protocol::clock_skew`) and credential refresh. The batches are in `batch`, the
//! exports in `api`.

use std::rc::Rc;

use cams_protocol::acs3::{prepare_in, Acs3Call, Acs3Shape};
use cams_protocol::clock_skew::{correct_in, unfixable, SkewFix};
use cams_protocol::credentials::Credentials;
use cams_protocol::error::{codes, CamsError};
use cams_protocol::options::{Options, SignatureVersion};
use cams_protocol::params::{form_body, signed_params_in, CallContext, CAMS_VERSION};
use cams_protocol::redact::redact;
use cams_protocol::response::{not_json, read_base, read_list, read_qrdl};
use cams_protocol::retry::{
    gave_up, next_step, not_sent_delay_ms, requested_wait_ms_in, retry_delay_ms, unknown_outcome,
    wait_too_long, Next, MAX_NOT_SENT_RETRIES,
};
use cams_protocol::sign::Method;
use cams_protocol::time::Calendar as _;
use cams_protocol::types::Operation;
use js_sys::JSON;
use wasm_bindgen::JsValue;

use crate::web::client::calendar::BrowserCalendar;
use crate::web::client::clock::Clock;
use crate::web::client::config::Config;
use crate::web::client::credentials::{CredentialCache, Lease};
use crate::web::client::gate::Gate;
use crate::web::client::http::{send, url_for_message, HttpFailure, HttpReply, HttpRequest};
use crate::web::client::platform::random_nonce;
use crate::web::client::timers::{sleep, Stop};
use crate::web::error::WebError;
use crate::web::js::{to_js, JsDocument};

/// Reads a reply (status, body) into the JS object handed back: the body through the
/// browser's `JSON.parse`, then the action's reader. One function per action, so that the call
/// path is not generic and the module holds one copy of it.
pub(crate) type Reader = fn(u16, &str) -> Result<JsValue, CamsError>;

/// The reply body as a document, or the `InvalidResponse` of a body that is not JSON.
fn parsed(status: u16, body: &str) -> Result<JsValue, CamsError> {
    JSON::parse(body).map_err(|e| not_json(status, body, &crate::web::js::message_of(&e)))
}

pub(crate) fn read_qrdl_reply(status: u16, body: &str) -> Result<JsValue, CamsError> {
    let doc = parsed(status, body)?;
    read_qrdl(status, &JsDocument(doc)).map(|r| to_js(&r))
}

pub(crate) fn read_list_reply(status: u16, body: &str) -> Result<JsValue, CamsError> {
    let doc = parsed(status, body)?;
    read_list(status, &JsDocument(doc)).map(|r| to_js(&r))
}

pub(crate) fn read_base_reply(status: u16, body: &str) -> Result<JsValue, CamsError> {
    let doc = parsed(status, body)?;
    read_base(status, &JsDocument(doc)).map(|r| to_js(&r))
}

/// How often one call may find its keys expired after waiting for its slot before it sends
/// with them anyway.
const MAX_RELEASES: u32 = 2;

pub(crate) struct Client {
    options: Options,
    credentials: CredentialCache,
    gate: Gate,
    clock: Rc<Clock>,
    /// The endpoint's own host when it is a service's root (`https://cams.…/`, the emulator),
    /// which is the host the service sees; `None` for a pass-through such as `/cams`.
    endpoint_host: Option<String>,
}

impl Client {
    pub(crate) fn new(config: Config) -> Self {
        let clock = Rc::new(Clock::default());
        let gate = Gate::new(config.options.max_qps);
        Client {
            credentials: CredentialCache::new(
                config.source,
                config.options.timeout_ms,
                clock.clone(),
                gate.clone(),
            ),
            gate,
            clock,
            endpoint_host: root_host(&config.options.endpoint),
            options: config.options,
        }
    }

    /// Every request goes through here: keys, a pacing slot, signing, sending, reading the
    /// reply, and what a failure calls for (core::retry::next_step): a backoff and another
    /// slot, a corrected clock, fresh keys, or an error. `stop` ends it before anything more is
    /// sent (a batch's signal).
    pub(crate) async fn call(
        &self,
        op: &Operation,
        read: Reader,
        stop: &Stop,
    ) -> Result<JsValue, WebError> {
        let mut retries = 0u32;
        let mut not_sent = 0u32;
        let mut refreshed = false;
        let mut clock_fixed = false;
        let mut releases = 0u32;
        let mut last: Option<CamsError> = None;
        loop {
            let stopped = |_| WebError::from(aborted(last.as_ref()));
            let lease = stop
                .or_stop(self.credentials.get())
                .await
                .map_err(stopped)??;
            // Before a slot is taken: with no host to sign for, nothing is sent.
            let host = match self.options.signature_version {
                SignatureVersion::V3 => Some(self.signing_host(&lease)?),
                SignatureVersion::V2 => None,
            };
            // Keys that already look expired (a provider's odd expiration, a skewed clock) are
            // used for this call all the same: the gateway decides.
            let usable_before = self.credentials.usable(&lease).is_some();
            let permit = stop.or_stop(self.gate.acquire()).await.map_err(stopped)?;
            // Keys that expired while the call waited for its slot are replaced.
            let lease = match self.credentials.usable(&lease) {
                Some(current) => current,
                None if usable_before && releases < MAX_RELEASES => {
                    releases += 1;
                    self.credentials.invalidate(&lease);
                    continue;
                }
                None => lease,
            };
            let sent_secs = self.clock.now_unix_secs();
            let sent = self
                .send_once(op, &lease.credentials, sent_secs, host.as_deref())
                .await;
            match &sent {
                Ok(_) => drop(permit),
                Err(_) => permit.settle_without_reply(),
            }
            let (e, reply) = match sent {
                Ok(reply) => match read(reply.status, &reply.body) {
                    Ok(value) => return Ok(value),
                    Err(e) => (scrub(e, &lease.credentials), Some(reply)),
                },
                Err(e) => (e, None),
            };
            let headers = reply.as_ref().map(|r| &r.headers);
            let date = headers.and_then(|h| h.date.as_deref());
            match next_step(op.action, &e) {
                step @ (Next::Backoff | Next::NotSent)
                    if (step == Next::Backoff && retries < self.options.max_retries)
                        || (step == Next::NotSent && not_sent < MAX_NOT_SENT_RETRIES) =>
                {
                    let server_now = date
                        .and_then(|d| BrowserCalendar.parse_http_date(d))
                        .unwrap_or_else(|| self.clock.now_unix_secs());
                    let requested = requested_wait_ms_in(
                        &BrowserCalendar,
                        headers.and_then(|h| h.retry_after.as_deref()),
                        headers.and_then(|h| h.acs_retry_after.as_deref()),
                        server_now,
                    );
                    let random = js_sys::Math::random();
                    // A relay that sent nothing asks for its own wait and costs no retry.
                    let delay = match step {
                        Next::NotSent => not_sent_delay_ms(random, requested),
                        _ => retry_delay_ms(retries, random, requested),
                    };
                    let Some(delay) = delay else {
                        return Err(wait_too_long(e, requested.unwrap_or_default()).into());
                    };
                    let waited = stop.or_stop(sleep(delay)).await;
                    if waited.is_err() {
                        return Err(aborted(Some(&e)).into());
                    }
                    match step {
                        Next::NotSent => not_sent += 1,
                        _ => retries += 1,
                    }
                }
                Next::Backoff => return Err(gave_up(e, retries).into()),
                Next::FixClock if !clock_fixed => {
                    let received = reply.as_ref().map_or(0.0, |r| r.received_ms);
                    match correct_in(&BrowserCalendar, date, received, sent_secs) {
                        SkewFix::Retry { offset_ms } => {
                            self.clock.set_offset_ms(offset_ms);
                            clock_fixed = true;
                        }
                        fix => return Err(unfixable(e, fix).into()),
                    }
                }
                Next::FixClock => {
                    return Err(unfixable(e, SkewFix::Retry { offset_ms: 0.0 }).into())
                }
                Next::RefreshCredentials if lease.temporary && !refreshed => {
                    self.credentials.invalidate(&lease);
                    refreshed = true;
                }
                Next::UnknownOutcome => return Err(unknown_outcome(e).into()),
                _ => return Err(e.into()),
            }
            last = Some(e);
        }
    }

    /// The `host` a V3 call is signed for, the one the service sees: `signingHost` from the
    /// config, the one the credentials came with (cams-relay's `/sts` says it), or the
    /// endpoint's own.
    fn signing_host(&self, lease: &Lease) -> Result<String, CamsError> {
        let host = (self.options.signing_host.as_deref())
            .or(lease.cams_host.as_deref())
            .or(self.endpoint_host.as_deref());
        host.map(str::to_owned).ok_or_else(|| {
            CamsError::invalid_parameter(
                "signingHost",
                format!(
                    "Nothing was sent: a Signature V3 call through {} must be signed for the host the service sees, and neither the config nor the credentials say it. Give signingHost (a cams-relay's /relay.json names it camsHost), or signatureVersion: \"v2\".",
                    url_for_message(&self.options.endpoint)
                ),
            )
        })
    }

    /// Signs with a fresh nonce and the (corrected) time `unix_secs` (V3 for the signing `host`
    /// when given, else V2), and POSTs the parameters as a form. No reply is a `NetworkError` or
    /// a `Timeout` (`cams_protocol::retry` decides what that means for the action).
    async fn send_once(
        &self,
        op: &Operation,
        creds: &Credentials,
        unix_secs: i64,
        host: Option<&str>,
    ) -> Result<HttpReply, CamsError> {
        let nonce = random_nonce()?;
        let (body, headers) = match host {
            Some(host) => {
                let call = Acs3Call {
                    shape: Acs3Shape::PostForm,
                    action: op.action.name(),
                    version: CAMS_VERSION,
                    host,
                    unix_secs,
                    nonce: &nonce,
                };
                let prepared = prepare_in(&BrowserCalendar, &call, creds, &op.params());
                (prepared.body, prepared.headers)
            }
            None => {
                let ctx = CallContext {
                    action: op.action.name(),
                    version: CAMS_VERSION,
                    unix_secs,
                    nonce: &nonce,
                };
                let params =
                    signed_params_in(&BrowserCalendar, Method::Post, &ctx, creds, &op.params());
                // A CORS simple request: no header but the content type, so no preflight.
                let content_type = ("content-type", FORM.to_owned());
                (form_body(&params), vec![content_type])
            }
        };
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let endpoint = &self.options.endpoint;
        send(&HttpRequest {
            url: endpoint,
            method: "POST",
            body: Some(&body),
            headers: &headers,
            credentials: None,
            timeout_ms: self.options.timeout_ms,
        })
        .await
        .map_err(|failure| match failure {
            HttpFailure::Network(msg) => CamsError::network(format!(
                "Could not reach {} ({msg}). Check the endpoint, your connection, and that the endpoint allows this page's origin (CORS); a cams-relay /cams URL does.",
                url_for_message(endpoint)
            )),
            HttpFailure::Timeout => CamsError::timeout(self.options.timeout_ms),
            HttpFailure::Unsupported(e) => e,
        })
    }
}

/// `url`'s host when it is an absolute URL of a service's root (path `/`).
fn root_host(url: &str) -> Option<String> {
    let url = web_sys::Url::new(url).ok()?;
    (url.pathname() == "/").then(|| url.host())
}

/// The form body's content type (signed in V3, so sent exactly so).
const FORM: &str = "application/x-www-form-urlencoded";

/// The error of a call stopped by its batch's signal before it was sent (again).
fn aborted(last: Option<&CamsError>) -> CamsError {
    let message = match last {
        None => "The batch was stopped before this item was sent.".to_owned(),
        Some(e) => format!(
            "The batch was stopped before this item was sent again (the last attempt got {}: {}).",
            e.code, e.message
        ),
    };
    CamsError {
        retryable: true,
        ..CamsError::new(codes::ABORTED, message)
    }
}

/// The service echoes its string-to-sign, which holds an STS token: cut it out.
fn scrub(mut e: CamsError, creds: &Credentials) -> CamsError {
    if let Some(token) = creds.security_token.as_deref() {
        e.message = redact(&e.message, token);
        e.recommend = e.recommend.map(|r| redact(&r, token));
        e.access_denied_detail = e.access_denied_detail.map(|d| redact(&d, token));
    }
    e
}
