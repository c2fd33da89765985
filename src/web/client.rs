//! `CamsClient`: the credential cache and the single `call` path every request takes, where
//! pacing, retries with backoff and batches plug in.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::core::credentials::Credentials;
use crate::core::error::CamsError;
use crate::core::options::Options;
use crate::core::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use crate::core::redact::redact;
use crate::core::refresh::is_stale_credentials;
use crate::core::response::{parse_base, parse_list, parse_qrdl};
use crate::core::sign::Method;
use crate::core::types::{Action, Operation};
use crate::web::config::{read_config, Config};
use crate::web::convert::{base_response, list_response, qrdl_response};
use crate::web::credentials::CredentialCache;
use crate::web::error::WebError;
use crate::web::http::{send, url_for_message, HttpFailure, HttpRequest};
use crate::web::platform::{now_unix_secs, random_nonce};
use crate::web::request::{create_or_update_op, list_or_delete_op};

/// Reads a reply body into the action's typed result.
pub(crate) type Parser<T> = fn(u16, &str) -> Result<T, CamsError>;

/// Turns a typed result into the JS object handed back.
type ToJs<T> = fn(&T) -> JsValue;

pub(crate) struct Client {
    options: Options,
    credentials: CredentialCache,
}

impl Client {
    pub(crate) fn new(config: Config) -> Self {
        Client {
            credentials: CredentialCache::new(config.source, config.options.timeout_ms),
            options: config.options,
        }
    }

    /// Every request goes through here: credentials, signing, sending, reading the reply, and
    /// one retry with fresh credentials when the gateway says the cached ones went stale.
    pub(crate) async fn call<T>(&self, op: &Operation, parse: Parser<T>) -> Result<T, WebError> {
        let mut refreshed = false;
        loop {
            let lease = self.credentials.get().await?;
            let outcome = self.send_once(op, &lease.credentials).await?;
            match parse(outcome.0, &outcome.1) {
                Err(e) if lease.temporary && !refreshed && is_stale_credentials(&e.code) => {
                    self.credentials.invalidate(&lease);
                    refreshed = true;
                }
                Err(e) => return Err(scrub(e, &lease.credentials).into()),
                Ok(value) => return Ok(value),
            }
        }
    }

    /// Signs with a fresh nonce and timestamp and POSTs the form: a CORS simple request.
    async fn send_once(
        &self,
        op: &Operation,
        creds: &Credentials,
    ) -> Result<(u16, String), CamsError> {
        let nonce = random_nonce()?;
        let ctx = CallContext {
            action: op.action.name(),
            version: CAMS_VERSION,
            unix_secs: now_unix_secs(),
            nonce: &nonce,
        };
        let body = form_body(&signed_params(Method::Post, &ctx, creds, &op.params()));
        let headers = [(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        let endpoint = &self.options.endpoint;
        let reply = send(&HttpRequest {
            url: endpoint,
            method: "POST",
            body: Some(&body),
            headers: &headers,
            credentials: None,
            timeout_ms: self.options.timeout_ms,
        })
        .await
        .map_err(|failure| {
            // Whether a create that got no reply ran is unknown: not retryable, or it may
            // make a second QR code.
            let safe_to_resend = op.action.is_idempotent();
            match failure {
                HttpFailure::Network(msg) => CamsError {
                    retryable: safe_to_resend,
                    ..CamsError::network(format!(
                        "Could not reach {} ({msg}). Check the endpoint, your connection, and that the endpoint allows this page's origin (CORS); a cams-relay /cams URL does.",
                        url_for_message(endpoint)
                    ))
                },
                HttpFailure::Timeout => CamsError {
                    retryable: safe_to_resend,
                    ..CamsError::timeout(self.options.timeout_ms)
                },
                HttpFailure::Unsupported(e) => e,
            }
        })?;
        Ok((reply.status, reply.body))
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
pub(crate) fn run<T: 'static>(
    client: Rc<Client>,
    op: Result<Operation, CamsError>,
    parse: Parser<T>,
    to_js: ToJs<T>,
) -> Promise {
    future_to_promise(async move {
        let op = op?;
        let result = client.call(&op, parse).await?;
        Ok(to_js(&result))
    })
}

/// A client for many calls: it keeps temporary credentials between them.
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
        run(self.client.clone(), op, parse_qrdl, qrdl_response)
    }

    /// Lists a number's message QR codes.
    #[wasm_bindgen(js_name = listQrdls, unchecked_return_type = "Promise<ListQrdlResponse>")]
    pub fn list_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListQrdlsRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::List);
        run(self.client.clone(), op, parse_list, list_response)
    }

    /// Changes a code's message or image format.
    #[wasm_bindgen(js_name = updateQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
    pub fn update_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = create_or_update_op(&request, Action::Update);
        run(self.client.clone(), op, parse_qrdl, qrdl_response)
    }

    /// Deletes a code.
    #[wasm_bindgen(js_name = deleteQrdl, unchecked_return_type = "Promise<BaseResponse>")]
    pub fn delete_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::Delete);
        run(self.client.clone(), op, parse_base, base_response)
    }
}
