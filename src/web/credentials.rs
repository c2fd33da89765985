//! The credential cache a client holds: direct keys as given, temporary ones fetched from the
//! relay or the provider, cached, refreshed early (core::refresh) through one shared in-flight
//! refresh, and dropped when the gateway says they went stale. A refresh takes a pacing slot
//! (the relay's AssumeRole counts against the same account's limit), ahead of queued calls.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect, JSON};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::web::clock::Clock;
use crate::web::config::{RelaySource, Source};
use crate::web::error::WebError;
use crate::web::gate::Gate;
use crate::web::host::within;
use crate::web::http::{send, url_for_message, HttpFailure, HttpRequest};
use crate::web::js::message_of;
use crate::web::shared::Shared;
use cams_protocol::credentials::Credentials;
use cams_protocol::error::CamsError;
use cams_protocol::refresh::needs_refresh;
use cams_protocol::sts::{parse_credentials, parse_relay_failure, TemporaryCredentials};

/// Keys for one call, whether they came from the cache (and so may be refreshed), and when
/// they expire (server time).
#[derive(Clone)]
pub(crate) struct Lease {
    pub credentials: Rc<Credentials>,
    pub temporary: bool,
    pub expiration: Option<i64>,
}

type Outcome = Result<Lease, WebError>;

pub(crate) struct CredentialCache {
    inner: Rc<Inner>,
}

struct Inner {
    source: Source,
    timeout_ms: u32,
    clock: Rc<Clock>,
    gate: Gate,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    inflight: Option<Shared<Outcome>>,
}

struct Cached {
    credentials: Rc<Credentials>,
    obtained_at: i64,
    expiration: Option<i64>,
}

impl Cached {
    fn lease(&self) -> Lease {
        Lease {
            credentials: self.credentials.clone(),
            temporary: true,
            expiration: self.expiration,
        }
    }
}

impl CredentialCache {
    pub(crate) fn new(source: Source, timeout_ms: u32, clock: Rc<Clock>, gate: Gate) -> Self {
        CredentialCache {
            inner: Rc::new(Inner {
                source,
                timeout_ms,
                clock,
                gate,
                state: RefCell::new(State::default()),
            }),
        }
    }

    /// Cached keys while they are fresh; otherwise the result of the one refresh in flight
    /// (started here when there is none).
    pub(crate) async fn get(&self) -> Result<Lease, WebError> {
        if let Source::Direct(credentials) = &self.inner.source {
            return Ok(Lease {
                credentials: credentials.clone(),
                temporary: false,
                expiration: None,
            });
        }
        let (refresh, start) = {
            let mut state = self.inner.state.borrow_mut();
            if let Some(c) = &state.cached {
                if !needs_refresh(
                    self.inner.clock.now_unix_secs(),
                    c.obtained_at,
                    c.expiration,
                ) {
                    return Ok(c.lease());
                }
            }
            match &state.inflight {
                Some(refresh) => (refresh.clone(), false),
                None => {
                    let refresh = Shared::new();
                    state.inflight = Some(refresh.clone());
                    (refresh, true)
                }
            }
        };
        // Spawned, not driven by this call, so the refresh finishes even if this caller stops
        // waiting. Started after the borrow above ends.
        if start {
            wasm_bindgen_futures::spawn_local(run_refresh(self.inner.clone(), refresh.clone()));
        }
        refresh.wait().await
    }

    /// Keys to send with now, after waiting for a pacing slot with `lease`: the cache's current
    /// ones (a refresh may have replaced them meanwhile), or `lease` itself, unless they have
    /// expired; then `None`, and the caller gets new ones.
    pub(crate) fn usable(&self, lease: &Lease) -> Option<Lease> {
        if !lease.temporary {
            return Some(lease.clone());
        }
        let current = match &self.inner.state.borrow().cached {
            Some(c) => c.lease(),
            None => lease.clone(),
        };
        let now = self.inner.clock.now_unix_secs();
        current
            .expiration
            .is_none_or(|e| now < e)
            .then_some(current)
    }

    /// Drops the cached keys if they are the ones `lease` handed out (a concurrent call may
    /// already have replaced them).
    pub(crate) fn invalidate(&self, lease: &Lease) {
        let mut state = self.inner.state.borrow_mut();
        if state
            .cached
            .as_ref()
            .is_some_and(|c| Rc::ptr_eq(&c.credentials, &lease.credentials))
        {
            state.cached = None;
        }
    }
}

async fn run_refresh(inner: Rc<Inner>, refresh: Shared<Outcome>) {
    let _slot = match &inner.source {
        Source::Direct(_) => None,
        _ => Some(inner.gate.acquire_first().await),
    };
    // Measured before asking, so the lifetime is never overestimated.
    let obtained_at = inner.clock.now_unix_secs();
    let fetched = match &inner.source {
        Source::Direct(c) => Ok(TemporaryCredentials {
            credentials: Credentials::clone(c),
            expiration: None,
        }),
        Source::Relay(relay) => from_relay(relay, inner.timeout_ms).await,
        Source::Provider(provider) => from_provider(provider, inner.timeout_ms).await,
    };
    let outcome = {
        let mut state = inner.state.borrow_mut();
        state.inflight = None;
        fetched.map(|t| {
            let cached = Cached {
                credentials: Rc::new(t.credentials),
                obtained_at,
                expiration: t.expiration,
            };
            let lease = cached.lease();
            state.cached = Some(cached);
            lease
        })
    };
    refresh.set(outcome);
}

/// `GET stsRelayUrl`; a failure is a `CredentialsError` with the relay's status and code.
async fn from_relay(
    relay: &RelaySource,
    timeout_ms: u32,
) -> Result<TemporaryCredentials, WebError> {
    let where_ = url_for_message(&relay.url);
    let reply = send(&HttpRequest {
        url: &relay.url,
        method: "GET",
        body: None,
        content_type: None,
        headers: Some(&relay.headers),
        credentials: relay.credentials,
        timeout_ms,
    })
    .await
    .map_err(|failure| match failure {
        HttpFailure::Network(msg) => CamsError {
            retryable: true,
            ..CamsError::credentials(
                [
                    "Could not reach the STS relay at ",
                    where_,
                    " (",
                    &msg,
                    "). Check stsRelayUrl, that the relay runs, and that it allows this page's origin.",
                ]
                .concat(),
            )
        },
        HttpFailure::Timeout => CamsError {
            retryable: true,
            ..CamsError::credentials(
                [
                    "The STS relay at ",
                    where_,
                    " did not answer within ",
                    &timeout_ms.to_string(),
                    " ms.",
                ]
                .concat(),
            )
        },
        HttpFailure::Unsupported(e) => e,
    })?;
    if !(200..300).contains(&reply.status) {
        let (error, relay_code) = parse_relay_failure(reply.status, &reply.body);
        return Err(WebError { error, relay_code });
    }
    parse_credentials(&reply.body, "relay").map_err(|e| {
        CamsError {
            http_status: Some(reply.status),
            ..e
        }
        .into()
    })
}

/// Calls the provider (sync or async) under the time limit and reads what it returns.
async fn from_provider(
    provider: &Function,
    timeout_ms: u32,
) -> Result<TemporaryCredentials, WebError> {
    let returned = provider.call0(&JsValue::UNDEFINED).map_err(|e| {
        CamsError::credentials(["The credentials provider threw: ", &message_of(&e)].concat())
    })?;
    let value = match JsFuture::from(within(&returned, timeout_ms)).await {
        Ok(settled) if !settled.is_undefined() => {
            Reflect::get_u32(&settled, 0).unwrap_or(JsValue::UNDEFINED)
        }
        Ok(_) => {
            return Err(CamsError {
                retryable: true,
                ..CamsError::credentials(
                    [
                        "The credentials provider did not answer within ",
                        &timeout_ms.to_string(),
                        " ms.",
                    ]
                    .concat(),
                )
            }
            .into())
        }
        Err(e) => {
            return Err(CamsError::credentials(
                ["The credentials provider failed: ", &message_of(&e)].concat(),
            )
            .into())
        }
    };
    // One parser for every source: the provider's object goes through the same JSON reading.
    let json = JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            CamsError::credentials(
                "The credentials provider returned no object (expected {accessKeyId, accessKeySecret, securityToken?, expiration?}).",
            )
        })?;
    Ok(parse_credentials(&json, "provider")?)
}
