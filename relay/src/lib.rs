//! cams-relay: serves the cams-qrdl page, vends short-lived STS credentials to browsers and
//! passes signed CAMS calls through. With its `emulator` feature it also runs the CAMS + STS
//! emulator (`cams-emulator`) for development and tests.
//!
//! [`cli`] and [`config`] turn the command line and environment into a [`config::RelayConfig`];
//! [`routes::routes`] builds the relay's router from it; [`server::start`] binds the listeners
//! (the emulator's first, in emulate mode) and runs both until shutdown, the relay's through
//! [`http_server`] under the limits of [`conn_limits`].
//!
//! Who gets which credentials is [`auth`]'s; `docs/security.md` has the threat model and every
//! defence.

pub mod access_log;
pub mod acs3_request;
pub mod api;
pub mod api_args;
pub mod auth;
pub mod cli;
pub mod config;
pub mod conn_limits;
pub mod fd_limit;
pub mod guard;
pub mod host_header;
pub mod http_server;
pub mod pacer;
pub mod page_headers;
pub mod proxy;
pub mod rate_limit;
pub mod redis_store;
pub mod relay_error;
pub mod routes;
pub mod scrub;
pub mod server;
pub mod shared_rate_limit;
pub mod static_files;
pub mod sts_limits;
pub mod sts_vendor;
pub mod upstream_client;
pub mod upstream_hosts;

/// The property tests' settings: 512 cases, and no failure files (a bug found gets a named test).
#[cfg(test)]
pub(crate) fn proptest_config() -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..Default::default()
    }
}
