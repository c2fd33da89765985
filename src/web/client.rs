//! `CamsClient`: the credential cache, the pacing gate and the single `call` path every request
//! takes, with its retries (core::retry), clock correction (core::clock_skew) and credential
//! refresh; the batches are in `batch`.

use std::borrow::ToOwned;
use std::boxed::Box;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::web::batch::{run_batch, BatchKind};
use crate::web::clock::Clock;
use crate::web::config::{read_config, Config};
use crate::web::convert::{base_response, list_response, qrdl_response};
use crate::web::credentials::CredentialCache;
use crate::web::error::WebError;
use crate::web::gate::Gate;
use crate::web::http::{send, url_for_message, HttpFailure, HttpReply, HttpRequest};
use crate::web::platform::random_nonce;
use crate::web::request::{create_or_update_op, list_or_delete_op};
use crate::web::timers::{sleep, Stop};
use cams_protocol::clock_skew::{correct, unfixable, SkewFix};
use cams_protocol::credentials::Credentials;
use cams_protocol::error::{codes, CamsError};
use cams_protocol::options::Options;
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::redact::redact;
use cams_protocol::response::{parse_base, parse_list, parse_qrdl};
use cams_protocol::retry::{
    gave_up, next_step, requested_wait_ms, retry_delay_ms, unknown_outcome, wait_too_long, Next,
};
use cams_protocol::sign::Method;
use cams_protocol::time::parse_http_date;
use cams_protocol::types::{Action, Operation};

/// Reads a reply (status, body) into the JS object handed back: the action's parser, then its
/// conversion. One function per action, so that the call path is not generic and the module
/// holds one copy of it.
pub(crate) type Reader = fn(u16, &str) -> Result<JsValue, CamsError>;

pub(crate) fn read_qrdl(status: u16, body: &str) -> Result<JsValue, CamsError> {
    parse_qrdl(status, body).map(|r| qrdl_response(&r))
}

fn read_list(status: u16, body: &str) -> Result<JsValue, CamsError> {
    parse_list(status, body).map(|r| list_response(&r))
}

fn read_base(status: u16, body: &str) -> Result<JsValue, CamsError> {
    parse_base(status, body).map(|r| base_response(&r))
}

/// How often one call may find its keys expired after waiting for its slot before it sends
/// with them anyway.
const MAX_RELEASES: u32 = 2;

pub(crate) struct Client {
    options: Options,
    credentials: CredentialCache,
    gate: Gate,
    clock: Rc<Clock>,
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
            let sent = self.send_once(op, &lease.credentials, sent_secs).await;
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
                Next::Backoff if retries < self.options.max_retries => {
                    let server_now = date
                        .and_then(parse_http_date)
                        .unwrap_or_else(|| self.clock.now_unix_secs());
                    let requested = requested_wait_ms(
                        headers.and_then(|h| h.retry_after.as_deref()),
                        headers.and_then(|h| h.acs_retry_after.as_deref()),
                        server_now,
                    );
                    let Some(delay) = retry_delay_ms(retries, js_sys::Math::random(), requested)
                    else {
                        return Err(wait_too_long(e, requested.unwrap_or_default()).into());
                    };
                    let waited = stop.or_stop(sleep(delay)).await;
                    if waited.is_err() {
                        return Err(aborted(Some(&e)).into());
                    }
                    retries += 1;
                }
                Next::Backoff => return Err(gave_up(e, retries).into()),
                Next::FixClock if !clock_fixed => {
                    let received = reply.as_ref().map_or(0.0, |r| r.received_ms);
                    match correct(date, received, sent_secs) {
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

    /// Signs with a fresh nonce and the (corrected) time `unix_secs`, and POSTs the form: a
    /// CORS simple request. No reply is a `NetworkError` or a `Timeout` (core::retry decides
    /// what that means for the action).
    async fn send_once(
        &self,
        op: &Operation,
        creds: &Credentials,
        unix_secs: i64,
    ) -> Result<HttpReply, CamsError> {
        let nonce = random_nonce()?;
        let ctx = CallContext {
            action: op.action.name(),
            version: CAMS_VERSION,
            unix_secs,
            nonce: &nonce,
        };
        let body = form_body(&signed_params(Method::Post, &ctx, creds, &op.params()));
        let endpoint = &self.options.endpoint;
        send(&HttpRequest {
            url: endpoint,
            method: "POST",
            body: Some(&body),
            content_type: Some("application/x-www-form-urlencoded"),
            headers: None,
            credentials: None,
            timeout_ms: self.options.timeout_ms,
        })
        .await
        .map_err(|failure| match failure {
            HttpFailure::Network(msg) => CamsError::network(
                [
                    "Could not reach ",
                    url_for_message(endpoint),
                    " (",
                    &msg,
                    "). Check the endpoint, your connection, and that the endpoint allows this page's origin (CORS); a cams-relay /cams URL does.",
                ]
                .concat(),
            ),
            HttpFailure::Timeout => CamsError::timeout(self.options.timeout_ms),
            HttpFailure::Unsupported(e) => e,
        })
    }
}

/// The error of a call stopped by its batch's signal before it was sent (again).
fn aborted(last: Option<&CamsError>) -> CamsError {
    let message = match last {
        None => "The batch was stopped before this item was sent.".to_owned(),
        Some(e) => [
            "The batch was stopped before this item was sent again (the last attempt got ",
            &e.code,
            ": ",
            &e.message,
            ").",
        ]
        .concat(),
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

/// Runs one validated operation on `client` and settles a promise with the JS result or a
/// `CamsError`. Validation errors reject without anything being sent.
pub(crate) fn run(client: Rc<Client>, op: Result<Operation, CamsError>, read: Reader) -> Promise {
    promise(async move {
        let op = op?;
        Ok(client.call(&op, read, &Stop::never()).await?)
    })
}

/// A promise settled by `f`. Every promise the module hands out is made here, from one boxed
/// future type, so the module holds one copy of `future_to_promise` rather than one per caller.
pub(crate) fn promise(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let f: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    future_to_promise(f)
}

/// A client for many calls: it keeps temporary credentials between them, paces its calls to
/// `maxQps`, and runs batches.
#[wasm_bindgen]
pub struct CamsClient {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl CamsClient {
    /// Checks the config at once; a bad one throws a `CamsError` naming the field.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientConfig")] config: JsValue,
    ) -> Result<CamsClient, JsValue> {
        Ok(CamsClient {
            client: Rc::new(Client::new(read_config(&config)?)),
        })
    }

    /// Creates a message QR code.
    #[wasm_bindgen(js_name = createQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
    pub fn create_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = create_or_update_op(&request, Action::Create);
        run(self.client.clone(), op, read_qrdl)
    }

    /// Lists a number's message QR codes.
    #[wasm_bindgen(js_name = listQrdls, unchecked_return_type = "Promise<ListQrdlResponse>")]
    pub fn list_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListQrdlsRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::List);
        run(self.client.clone(), op, read_list)
    }

    /// Changes a code's message or image format.
    #[wasm_bindgen(js_name = updateQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
    pub fn update_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = create_or_update_op(&request, Action::Update);
        run(self.client.clone(), op, read_qrdl)
    }

    /// Deletes a code.
    #[wasm_bindgen(js_name = deleteQrdl, unchecked_return_type = "Promise<BaseResponse>")]
    pub fn delete_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::Delete);
        run(self.client.clone(), op, read_base)
    }

    /// Creates one code per request, paced and retried like single calls; resolves with one
    /// settled result per request, in order. One failure never stops the others.
    #[wasm_bindgen(
        js_name = createQrdls,
        unchecked_return_type = "Promise<Settled<CreateQrdlResponse>[]>"
    )]
    pub fn create_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateQrdlRequest[]")] requests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BatchOptions<CreateQrdlResponse>")]
        options: JsValue,
    ) -> Promise {
        run_batch(
            self.client.clone(),
            requests,
            options,
            BatchKind {
                request: |r| create_or_update_op(r, Action::Create),
                reply: read_qrdl,
            },
        )
    }

    /// Deletes one code per request, like `createQrdls`.
    #[wasm_bindgen(
        js_name = deleteQrdls,
        unchecked_return_type = "Promise<Settled<BaseResponse>[]>"
    )]
    pub fn delete_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteQrdlRequest[]")] requests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BatchOptions<BaseResponse>")]
        options: JsValue,
    ) -> Promise {
        run_batch(
            self.client.clone(),
            requests,
            options,
            BatchKind {
                request: |r| list_or_delete_op(r, Action::Delete),
                reply: read_base,
            },
        )
    }
}
