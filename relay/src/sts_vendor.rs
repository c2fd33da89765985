//! `GET /sts`: temporary credentials for the browser, from STS `AssumeRole` signed with the
//! relay's own RAM-user key (the shared signer, POST form body).
//!
//! Every caller gets credentials of its own tier ([`crate::auth::tiers`]), under its own
//! `RoleSessionName`: one set shared by all anonymous callers, one by everyone presenting the
//! bearer token, and one for each signed-in user (a JWT's subject), kept for the
//! [`MAX_USERS`] users seen most recently. A set is never handed to another caller.
//!
//! Each set is minted and handed out until it is due for a refresh by the very rule the browser
//! module uses (less than min(15 minutes, a fifth of the lifetime) left), so a browser never
//! receives credentials it would itself consider stale. Concurrent callers of one set share one
//! AssumeRole: they queue on a lock around its cache, and whoever finds the cache fresh, or a
//! fetch finished while it waited (success or failure), takes that outcome instead of calling
//! STS again.
//!
//! Lifetimes are measured on STS's clock: the time left is `Expiration` minus the reply's `Date`,
//! counted from the relay's own clock when the reply came, so a relay whose clock is behind never
//! hands out credentials STS already considers expired (and says how far off it is).

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use cams_protocol::credentials::Credentials;
use cams_protocol::params::{form_body, signed_params, CallContext, STS_VERSION};
use cams_protocol::refresh::needs_refresh;
use cams_protocol::sign::Method;
use cams_protocol::sts::parse_credentials;
use cams_protocol::time::{format_timestamp, parse_http_date};
use lru::LruCache;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use url::Url;

use crate::access_log::LogCode;
use crate::auth::{Caller, IssuedKeys, TierPolicies};
use crate::config::RelayIdentity;
use crate::relay_error::{codes, RelayError};
use crate::scrub::{redact_secret, without_string_to_sign};
use crate::upstream_client::{self, UpstreamFailure};

/// Most bytes of an STS reply the relay reads.
const MAX_REPLY_BYTES: usize = 64 * 1024;
/// Most characters of an STS error message passed on.
const MAX_MESSAGE_CHARS: usize = 500;
/// Signed-in users whose credentials are kept; the least recently served go first.
pub const MAX_USERS: usize = 4096;
/// A difference between the relay's clock and STS's worth a warning, in seconds.
pub const SKEW_WARNING_SECS: i64 = 30;

/// Seconds since the Unix epoch; replaceable in tests.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(unix_now)
}

/// Seconds since the Unix epoch, by the system clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What AssumeRole is asked for.
#[derive(Clone, Debug)]
pub struct StsSettings {
    /// The STS endpoint; the request goes to this URL.
    pub endpoint: Url,
    pub identity: RelayIdentity,
    pub duration_secs: u32,
    /// Each tier's session policy, sent as `Policy`.
    pub policies: TierPolicies,
    /// Limit for the whole AssumeRole exchange.
    pub timeout: Duration,
}

/// Credentials minted by STS, with when the relay got them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minted {
    /// With its SecurityToken. `Debug` redacts the secret and the token.
    pub credentials: Credentials,
    /// STS's `Expiration`, seconds since the epoch (what the browser is told).
    pub expiration: i64,
    /// The relay's clock when the reply came.
    pub obtained_at: i64,
    /// When they expire by the relay's clock: `obtained_at` plus the lifetime STS gave.
    pub local_expiration: i64,
}

impl Minted {
    /// The `/sts` reply body: the `Credentials` object of AssumeRole, and `CamsHost` when
    /// given (the host to sign Signature V3 calls through `/cams` for).
    pub fn body(&self, cams_host: Option<&str>) -> Value {
        let mut body = json!({
            "AccessKeyId": self.credentials.access_key_id,
            "AccessKeySecret": self.credentials.access_key_secret,
            "SecurityToken": self.credentials.security_token.as_deref().unwrap_or_default(),
            "Expiration": format_timestamp(self.expiration),
        });
        if let Some(host) = cams_host {
            body["CamsHost"] = json!(host);
        }
        body
    }
}

#[derive(Default)]
struct Cache {
    minted: Option<Arc<Minted>>,
    /// The outcome of the last fetch when it failed, for callers that waited on it.
    failure: Option<RelayError>,
}

/// One caller's credentials.
#[derive(Default)]
struct Slot {
    /// Fetches finished so far (success or failure); tells a waiter whether one ended meanwhile.
    fetches: AtomicU64,
    cache: Mutex<Cache>,
}

/// Every caller's slot.
struct Slots {
    anonymous: Arc<Slot>,
    token: Arc<Slot>,
    users: LruCache<String, Arc<Slot>>,
}

/// The credential vendor behind `/sts`.
pub struct StsVendor {
    client: reqwest::Client,
    settings: StsSettings,
    clock: Clock,
    slots: std::sync::Mutex<Slots>,
    issued: Arc<IssuedKeys>,
    /// The host `/cams` forwards to, told to browsers with their credentials (`CamsHost`): a
    /// Signature V3 call through `/cams` is signed for it.
    cams_host: Option<String>,
}

impl fmt::Debug for StsVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsVendor")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl StsVendor {
    pub fn new(client: reqwest::Client, settings: StsSettings, clock: Clock) -> StsVendor {
        let issued = Arc::new(IssuedKeys::new(settings.policies.anonymous_actions));
        let users = NonZeroUsize::new(MAX_USERS).unwrap_or(NonZeroUsize::MIN);
        StsVendor {
            client,
            settings,
            clock,
            slots: std::sync::Mutex::new(Slots {
                anonymous: Arc::default(),
                token: Arc::default(),
                users: LruCache::new(users),
            }),
            issued,
            cams_host: None,
        }
    }

    /// Tells browsers, with each `/sts` reply, the host their V3 calls through `/cams` are
    /// signed for.
    pub fn with_cams_host(mut self, host: String) -> StsVendor {
        self.cams_host = Some(host);
        self
    }

    /// The AccessKeyIds handed out so far, by tier (what `/cams` checks).
    pub fn issued_keys(&self) -> Arc<IssuedKeys> {
        Arc::clone(&self.issued)
    }

    fn slot(&self, caller: &Caller) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match caller {
            Caller::Anonymous => Arc::clone(&slots.anonymous),
            Caller::Token => Arc::clone(&slots.token),
            Caller::User(subject) => {
                Arc::clone(slots.users.get_or_insert(subject.clone(), Arc::default))
            }
        }
    }

    /// The caller's fresh cached credentials, or new ones from STS (one call however many of the
    /// same caller ask at once).
    pub async fn credentials(&self, caller: &Caller) -> Result<Arc<Minted>, RelayError> {
        let tier = caller.tier();
        let Some(policy) = self.settings.policies.for_tier(tier) else {
            return Err(RelayError::new(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHORIZED,
                "This relay gives credentials to signed-in callers only.",
            ));
        };
        let slot = self.slot(caller);
        let seen = slot.fetches.load(Ordering::Acquire);
        let mut cache = slot.cache.lock().await;
        if let Some(m) = &cache.minted {
            if !needs_refresh((self.clock)(), m.obtained_at, Some(m.local_expiration)) {
                return Ok(Arc::clone(m));
            }
        }
        if slot.fetches.load(Ordering::Acquire) != seen {
            // A fetch ended while this caller waited: share its outcome rather than ask again.
            if let Some(e) = &cache.failure {
                return Err(e.clone());
            }
            if let Some(m) = &cache.minted {
                return Ok(Arc::clone(m));
            }
        }
        let outcome = self.assume_role(caller, policy).await;
        slot.fetches.fetch_add(1, Ordering::Release);
        match outcome {
            Ok(m) => {
                let m = Arc::new(m);
                self.issued.record(
                    &m.credentials.access_key_id,
                    tier,
                    m.local_expiration,
                    m.obtained_at,
                );
                cache.minted = Some(Arc::clone(&m));
                cache.failure = None;
                Ok(m)
            }
            Err(e) => {
                cache.failure = Some(e.clone());
                Err(e)
            }
        }
    }

    async fn assume_role(&self, caller: &Caller, policy: &str) -> Result<Minted, RelayError> {
        let s = &self.settings;
        let now = (self.clock)();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let session_name = caller.session_name();
        let duration = s.duration_secs.to_string();
        let business = [
            ("RoleArn", s.identity.role_arn.as_str()),
            ("RoleSessionName", session_name.as_str()),
            ("DurationSeconds", duration.as_str()),
            ("Policy", policy),
        ];
        let ctx = CallContext {
            action: "AssumeRole",
            version: STS_VERSION,
            unix_secs: now,
            nonce: &nonce,
        };
        let params = signed_params(Method::Post, &ctx, &s.identity.credentials, &business);
        let signature = params
            .iter()
            .find(|(k, _)| k == "Signature")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();

        let sent = self
            .client
            .post(s.endpoint.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&params))
            .send()
            .await;
        let fail = |f: UpstreamFailure| f.into_error("STS", s.timeout);
        let response = sent.map_err(|e| fail(UpstreamFailure::from_reqwest("STS", &e)))?;
        let status = response.status();
        let sts_now = response
            .headers()
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date);
        let body = upstream_client::read_body("STS", response, MAX_REPLY_BYTES)
            .await
            .map_err(fail)?;
        let received = (self.clock)();
        let text = String::from_utf8_lossy(&body);
        let clean = |t: &str| {
            redact_secret(
                &redact_secret(t, &s.identity.credentials.access_key_secret),
                &signature,
            )
        };
        if !status.is_success() {
            return Err(sts_refusal(status, &text, &clean));
        }
        let parsed = parse_credentials(&text, "STS").map_err(|_| {
            tracing::warn!(
                status = status.as_u16(),
                "STS answered without usable credentials"
            );
            RelayError::upstream("STS", "its reply held no usable credentials")
        })?;
        let (Some(_), Some(expiration)) = (&parsed.credentials.security_token, parsed.expiration)
        else {
            return Err(RelayError::upstream(
                "STS",
                "its reply had no SecurityToken or no Expiration",
            ));
        };
        let lifetime = expiration.saturating_sub(sts_now.unwrap_or(received));
        if let Some(sts_now) = sts_now {
            let skew = sts_now.saturating_sub(received);
            if skew.abs() >= SKEW_WARNING_SECS {
                tracing::warn!(
                    skew_secs = skew,
                    sts_date = %format_timestamp(sts_now),
                    relay_clock = %format_timestamp(received),
                    "this host's clock is {} s {} STS's: credential lifetimes are measured on \
                     STS's clock, but fix this host's time (NTP)",
                    skew.abs(),
                    if skew > 0 { "behind" } else { "ahead of" }
                );
            }
        }
        if lifetime <= 0 {
            tracing::warn!(
                expiration = %format_timestamp(expiration),
                "STS handed out credentials that had already expired"
            );
            return Err(RelayError::upstream(
                "STS",
                "the credentials it handed out had already expired by its own clock",
            ));
        }
        let local_expiration = received.saturating_add(lifetime);
        if needs_refresh(received, received, Some(local_expiration)) {
            tracing::warn!(
                lifetime_secs = lifetime,
                "STS credentials are due for refresh as soon as minted"
            );
        }
        tracing::info!(
            access_key_id = %parsed.credentials.access_key_id,
            session_name = %session_name,
            tier = caller.tier().as_str(),
            expiration = %format_timestamp(expiration),
            "minted STS credentials"
        );
        Ok(Minted {
            credentials: parsed.credentials,
            expiration,
            obtained_at: received,
            local_expiration,
        })
    }
}

/// An STS error reply as the relay's 502, keeping the upstream's code, IDs and advice.
fn sts_refusal(status: StatusCode, text: &str, clean: &dyn Fn(&str) -> String) -> RelayError {
    let parsed: Option<serde_json::Map<String, Value>> = match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let raw = |name: &str| {
        parsed
            .as_ref()
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    // For the log: the relay's secrets out, STS's string-to-sign kept.
    let logged = |name: &str| raw(name).map(|s| clip(&clean(s), MAX_MESSAGE_CHARS));
    // For the browser: the string-to-sign out too, from whichever field carries it.
    let field =
        |name: &str| raw(name).map(|s| clip(&clean(&without_string_to_sign(s)), MAX_MESSAGE_CHARS));
    let Some(code) = field("Code") else {
        tracing::warn!(
            status = status.as_u16(),
            "STS refused without an error code"
        );
        return RelayError::upstream(
            "STS",
            &format!("it answered HTTP {} without an error code", status.as_u16()),
        );
    };
    tracing::warn!(
        status = status.as_u16(),
        code = %code,
        request_id = logged("RequestId").as_deref(),
        message = logged("Message").as_deref(),
        "STS refused AssumeRole"
    );
    let message = field("Message").unwrap_or_else(|| format!("STS refused AssumeRole ({code})."));
    RelayError {
        request_id: field("RequestId"),
        host_id: field("HostId"),
        recommend: field("Recommend"),
        ..RelayError::new(StatusCode::BAD_GATEWAY, &code, message)
    }
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// `GET /sts`. The caller is who the route's guard found (anonymous without one).
pub async fn handler(
    State(vendor): State<Arc<StsVendor>>,
    caller: Option<Extension<Caller>>,
) -> Response {
    let caller = caller.map_or(Caller::Anonymous, |Extension(c)| c);
    match vendor.credentials(&caller).await {
        Ok(minted) => {
            let body = minted.body(vendor.cams_host.as_deref());
            let mut response = (StatusCode::OK, body.to_string()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response.extensions_mut().insert(LogCode("OK".to_owned()));
            response
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Any STS reply becomes a refusal without a panic, and the secret never survives.
        #[test]
        fn any_sts_refusal_is_read_without_panic(
            text in proptest::prelude::any::<String>(),
            code in "[A-Za-z.]{0,20}",
            message in proptest::prelude::any::<String>(),
            status in 400u16..600,
        ) {
            let clean = |t: &str| redact_secret(t, "s3cr3t");
            let status = StatusCode::from_u16(status).unwrap();
            let _ = sts_refusal(status, &text, &clean);
            let body = serde_json::json!({
                "Code": code,
                "Message": format!("{message} s3cr3t string to sign is:{message}"),
            })
            .to_string();
            let e = sts_refusal(status, &body, &clean);
            proptest::prop_assert!(!e.message.contains("s3cr3t"));
            proptest::prop_assert!(!e.message.to_ascii_lowercase().contains("string to sign is"));
        }
    }

    #[test]
    fn browsers_do_not_get_stss_string_to_sign() {
        let body = r#"{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:GET&%2F&AccessKeyId%3DLTAIrelay%26RoleArn%3Dacs%253Aram"}"#;
        let e = sts_refusal(StatusCode::BAD_REQUEST, body, &|t: &str| t.to_owned());
        assert_eq!(
            e.message,
            "Specified signature is not matched with our calculation (STS's string-to-sign is in the relay's log.)"
        );
        // Whatever introduces it, and in whichever field.
        let body = r#"{"Code":"SignatureDoesNotMatch","Message":"Signature mismatch. Expected StringToSign=POST&%2F&AccessKeyId%3DLTAIrelay","Recommend":"https://api.alibabacloud.com/troubleshoot?q=SignatureDoesNotMatch&sts=POST&%2F&AccessKeyId%3DLTAIrelay"}"#;
        let e = sts_refusal(StatusCode::BAD_REQUEST, body, &|t: &str| t.to_owned());
        assert!(!e.message.contains("LTAIrelay"), "{}", e.message);
        let recommend = e.recommend.unwrap();
        assert!(!recommend.contains("LTAIrelay"), "{recommend}");
        assert!(recommend
            .starts_with("https://api.alibabacloud.com/troubleshoot?q=SignatureDoesNotMatch"));
    }

    #[test]
    fn refusals_keep_the_code_and_lose_the_secret() {
        let body = r#"{"RequestId":"R1","HostId":"sts.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"bad sig for secret s3cr3t and sig AbC+/=","Recommend":"https://r"}"#;
        let clean = |t: &str| redact_secret(&redact_secret(t, "s3cr3t"), "AbC+/=");
        let e = sts_refusal(StatusCode::BAD_REQUEST, body, &clean);
        assert_eq!(e.status, StatusCode::BAD_GATEWAY);
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        assert_eq!(e.host_id.as_deref(), Some("sts.aliyuncs.com"));
        assert_eq!(e.recommend.as_deref(), Some("https://r"));
        assert!(
            !e.message.contains("s3cr3t") && !e.message.contains("AbC+/="),
            "{}",
            e.message
        );
    }

    #[test]
    fn refusals_without_json_are_upstream_errors() {
        let e = sts_refusal(StatusCode::SERVICE_UNAVAILABLE, "<html>", &|t| t.to_owned());
        assert_eq!(e.code, crate::relay_error::codes::UPSTREAM_ERROR);
        assert!(e.message.contains("503"));
        let long = format!(r#"{{"Code":"X","Message":"{}"}}"#, "m".repeat(5000));
        assert!(
            sts_refusal(StatusCode::BAD_REQUEST, &long, &|t| t.to_owned())
                .message
                .len()
                < 600
        );
    }
}
