//! A stand-in for Alibaba Cloud's API gateway with CAMS 2020-06-06 and STS 2015-04-01 behind it,
//! on its own listener with the API at `/` like the real hosts, so the browser module, the relay
//! and Alibaba's official SDKs can be tested against it unchanged.
//!
//! It verifies requests exactly as the gateway does, with Signature V2 or V3 (see [`gateway`] and
//! [`acs3_gateway`]), with the same signers the browser uses, answers with the real bodies and error codes ([`errors`]), keeps the QR codes
//! ([`store`]) and serves their images ([`qr`]). STS credentials it mints ([`sts`]) carry their
//! session policy, which [`authz`] enforces on CAMS calls. Its clock ([`clock`]) can be shifted.
//!
//! Between authentication and the service, [`dispatch`] applies the per-account QPS limit
//! ([`flow_control`]) and injected faults ([`faults`], [`fault_injector`], [`fault_replies`]);
//! a dropped reply needs the emulator's own [`listener`]. [`stats`] counts all of it, and
//! [`testing`] has the controls under `/__emulator/`.

pub mod acs3_gateway;
pub mod authz;
pub mod cams;
pub mod cli;
pub mod clock;
pub mod dispatch;
pub mod errors;
pub mod fault_injector;
pub mod fault_replies;
pub mod faults;
pub mod flow_control;
pub mod gateway;
pub mod keys;
pub mod listener;
pub mod nonce;
pub mod policy;
pub mod qr;
pub mod reply;
pub mod stats;
pub mod store;
pub mod sts;
pub mod testing;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::{header, HeaderName, Method};
use axum::routing::{any, get};
use axum::Router;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};
use url::Url;

use crate::clock::Clock;
use crate::fault_injector::FaultInjector;
use crate::fault_replies::ACS_RETRY_AFTER_HEADER;
use crate::faults::FaultConfig;
use crate::flow_control::{FlowControl, DEFAULT_QPS};
use crate::keys::KeyStore;
use crate::nonce::NonceStore;
use crate::stats::Stats;
use crate::store::{QrdlStore, MAX_CODES_PER_NUMBER};

/// The timestamp window and the nonce memory, both 15 minutes.
pub const WINDOW_SECS: i64 = 15 * 60;

/// The documented demo key the emulator always accepts (beside any `--emulator-access-key`). Its
/// name says it is not a real secret; the page offers it in emulate mode.
pub const DEMO_ACCESS_KEY_ID: &str = "demo-access-key-id";
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-access-key-secret";

/// The emulated account's ID (16 digits, like a real one); roles and ARNs live in it.
pub const DEFAULT_ACCOUNT_ID: &str = "1234567890123456";

/// What the emulator accepts. `Debug` shows key IDs only.
#[derive(Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Long-term keys, as (AccessKeyId, AccessKeySecret).
    pub access_keys: Vec<(String, String)>,
    /// Shortest DurationSeconds AssumeRole grants (900 like STS; lower in tests).
    pub sts_min_duration: u32,
    /// Most codes per phone number (2,000 like WhatsApp; lower in tests).
    pub max_codes_per_number: usize,
    pub account_id: String,
    /// CAMS calls per second and account (5, as documented); 0 turns the limit off.
    pub qps_limit: u32,
    /// Fault injection in force from the start (`/__emulator/faults` changes it).
    pub faults: Option<FaultConfig>,
    /// Origins whose pages may call the admin routes (`/__emulator/*`) cross-origin; empty, the
    /// default, answers them with no CORS headers at all ([`testing`]).
    pub admin_cors_origins: Vec<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            access_keys: vec![(
                DEMO_ACCESS_KEY_ID.to_owned(),
                DEMO_ACCESS_KEY_SECRET.to_owned(),
            )],
            sts_min_duration: 900,
            max_codes_per_number: MAX_CODES_PER_NUMBER,
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            qps_limit: DEFAULT_QPS,
            faults: None,
            admin_cors_origins: Vec::new(),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field(
                "access_keys",
                &self
                    .access_keys
                    .iter()
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>(),
            )
            .field("sts_min_duration", &self.sts_min_duration)
            .field("max_codes_per_number", &self.max_codes_per_number)
            .field("account_id", &self.account_id)
            .field("qps_limit", &self.qps_limit)
            .field("faults", &self.faults)
            .field("admin_cors_origins", &self.admin_cors_origins)
            .finish()
    }
}

/// The emulator's state, shared by its routes.
pub struct Emulator {
    pub(crate) config: EmulatorConfig,
    /// Where the emulator is reachable; the base of every `QrImageUrl`.
    base_url: Url,
    pub clock: Clock,
    pub(crate) keys: Mutex<KeyStore>,
    pub(crate) nonces: Mutex<NonceStore>,
    pub(crate) store: Mutex<QrdlStore>,
    pub stats: Stats,
    pub(crate) flow: FlowControl,
    pub(crate) faults: FaultInjector,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("config", &self.config)
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// An emulator reachable at `base_url` (its bound address, so QR URLs work).
    pub fn new(config: EmulatorConfig, base_url: Url) -> Arc<Emulator> {
        let mut keys = KeyStore::default();
        for (id, secret) in &config.access_keys {
            keys.add_long_term(id, secret);
        }
        Arc::new(Emulator {
            store: Mutex::new(QrdlStore::new(config.max_codes_per_number)),
            flow: FlowControl::new(config.qps_limit),
            faults: FaultInjector::new(config.faults.clone()),
            config,
            base_url,
            clock: Clock::default(),
            keys: Mutex::new(keys),
            nonces: Mutex::new(NonceStore::default()),
            stats: Stats::default(),
        })
    }

    /// Accepts another long-term key from now on (the relay registers its own this way).
    pub fn add_access_key(&self, id: &str, secret: &str) {
        lock(&self.keys).add_long_term(id, secret);
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// `<base>/qr/<CODE>.<ext>`.
    pub fn qr_url(&self, code: &str, ext: &str) -> String {
        match self.base_url.join(&format!("qr/{code}.{ext}")) {
            Ok(u) => u.to_string(),
            Err(_) => format!("{}qr/{code}.{ext}", self.base_url),
        }
    }

    /// Replaces the fault setting (`None`: no faults), restarting its sequence.
    pub fn set_faults(&self, config: Option<FaultConfig>) {
        self.faults.set(config);
    }

    /// The emulator's routes: the API and the QR images with CORS for any origin (preflights
    /// included), as a browser module needs; the admin routes under `/__emulator/` guarded as
    /// [`testing`] says. Serve them with [`listener::serve`], or dropped replies cannot be
    /// emulated.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/", any(dispatch::handle))
            .route("/qr/{file}", get(qr::serve))
            .layer(cors())
            .merge(testing::routes(&self.config.admin_cors_origins))
            .with_state(Arc::clone(self))
    }
}

/// Any origin, GET/POST/OPTIONS, any request header (mirrored from the preflight: a `*` would
/// not cover `Authorization`, which V3 signs with); the headers a client reads are exposed. The
/// admin routes have their own rules ([`testing`]).
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            header::DATE,
            HeaderName::from_static(reply::REQUEST_ID_HEADER),
            header::RETRY_AFTER,
            HeaderName::from_static(ACS_RETRY_AFTER_HEADER),
        ])
}

/// Locks a mutex, carrying on if a panicking thread poisoned it (the data stays consistent:
/// every critical section is a single map update).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
