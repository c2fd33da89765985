//! The credential cache a client holds: direct keys as given, temporary ones fetched from the
//! relay or the provider, cached, refreshed early (`cams_protocol::refresh`) through one shared in-flight
//! refresh, and dropped when the gateway says they went stale. A refresh takes a pacing slot
//! (the relay's AssumeRole counts against the same account's limit), ahead of queued calls.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use cams_protocol::credentials::Credentials;
use cams_protocol::error::CamsError;
use cams_protocol::refresh::needs_refresh;
use cams_protocol::sts::{read_credentials_in, relay_failure, TemporaryCredentials};
use js_sys::{Function, Promise, JSON};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::web::client::calendar::BrowserCalendar;
use crate::web::client::clock::Clock;
use crate::web::client::config::{RelaySource, Source};
use crate::web::client::gate::Gate;
use crate::web::client::http::{send, url_for_message, HttpFailure, HttpRequest};
use crate::web::client::shared::Shared;
use crate::web::client::timers::sleep;
use crate::web::error::WebError;
use crate::web::js::{message_of, JsDocument};

/// Keys for one call, whether they came from the cache (and so may be refreshed), and when
/// they expire (server time).
#[derive(Clone)]
pub(crate) struct Lease {
    pub credentials: Rc<Credentials>,
    pub temporary: bool,
    pub expiration: Option<i64>,
    /// The host CAMS sees, when the source said (`CamsHost`).
    pub cams_host: Option<Rc<str>>,
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
    cams_host: Option<Rc<str>>,
}

impl Cached {
    fn lease(&self) -> Lease {
        Lease {
            credentials: self.credentials.clone(),
            temporary: true,
            expiration: self.expiration,
            cams_host: self.cams_host.clone(),
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
                cams_host: None,
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
            cams_host: None,
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
                cams_host: t.cams_host.map(Rc::from),
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
    let headers: Vec<(&str, &str)> = relay
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = send(&HttpRequest {
        url: &relay.url,
        method: "GET",
        body: None,
        headers: &headers,
        credentials: relay.credentials,
        timeout_ms,
    })
    .await
    .map_err(|failure| match failure {
        HttpFailure::Network(msg) => CamsError {
            retryable: true,
            ..CamsError::credentials(format!(
                "Could not reach the STS relay at {where_} ({msg}). Check stsRelayUrl, that the relay runs, and that it allows this page's origin."
            ))
        },
        HttpFailure::Timeout => CamsError {
            retryable: true,
            ..CamsError::credentials(format!(
                "The STS relay at {where_} did not answer within {timeout_ms} ms."
            ))
        },
        HttpFailure::Unsupported(e) => e,
    })?;
    let parsed = JSON::parse(&reply.body).ok();
    if !(200..300).contains(&reply.status) {
        let (error, relay_code) = relay_failure(reply.status, parsed.map(JsDocument).as_ref());
        return Err(WebError { error, relay_code });
    }
    let Some(parsed) = parsed else {
        return Err(CamsError {
            http_status: Some(reply.status),
            ..CamsError::credentials(
                "The credentials relay did not answer with JSON (expected an AccessKeyId, AccessKeySecret, SecurityToken and Expiration).",
            )
        }
        .into());
    };
    read_credentials_in(&BrowserCalendar, &JsDocument(parsed), "relay").map_err(|e| {
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
        CamsError::credentials(format!(
            "The credentials provider threw: {}",
            message_of(&e)
        ))
    })?;
    let value = match within(Promise::resolve(&returned), timeout_ms).await {
        Some(Ok(value)) => value,
        None => {
            return Err(CamsError {
                retryable: true,
                ..CamsError::credentials(format!(
                    "The credentials provider did not answer within {timeout_ms} ms."
                ))
            }
            .into())
        }
        Some(Err(e)) => {
            return Err(CamsError::credentials(format!(
                "The credentials provider failed: {}",
                message_of(&e)
            ))
            .into())
        }
    };
    if !value.is_object() {
        return Err(CamsError::credentials(
            "The credentials provider returned no object (expected {accessKeyId, accessKeySecret, securityToken?, expiration?}).",
        )
        .into());
    }
    // The same reader as the relay's reply: the object is read as a JSON document.
    Ok(read_credentials_in(
        &BrowserCalendar,
        &JsDocument(value),
        "provider",
    )?)
}

/// `promise`'s outcome if it settles within `ms`, `None` when the time runs out first.
async fn within(promise: Promise, ms: u32) -> Option<Result<JsValue, JsValue>> {
    let mut settled = pin!(JsFuture::from(promise));
    let mut timer = pin!(sleep(f64::from(ms)));
    poll_fn(|cx| {
        if let Poll::Ready(outcome) = settled.as_mut().poll(cx) {
            return Poll::Ready(Some(outcome));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}
