//! How many connections the relay holds open, and for how long: the flags, and the caps.
//!
//! Slowloris and descriptor exhaustion: without limits one client can open connections until the
//! process runs out of file descriptors (then nobody, `/healthz` included, gets an answer), or
//! trickle headers to pin memory on each. So:
//! - a global cap (`--max-connections`, lowered to three quarters of the open-file limit so the
//!   relay keeps descriptors for its upstream calls and files) and a cap per client address
//!   (`--max-connections-per-ip`, an IPv4 address or an IPv6 /64): a connection over either is
//!   closed as soon as it is accepted, so it costs a descriptor for a moment only;
//! - a header-read timeout (`--header-read-timeout`, hyper's own), counted from when the relay
//!   starts waiting for a request head, so it also closes HTTP/1.1 keep-alive connections that
//!   sit idle between requests; request heads are read into at most [`MAX_BUF_BYTES`];
//! - an idle timeout (`--idle-timeout`) for any connection, HTTP/1.1 or h2, with no request in
//!   flight and no byte moving;
//! - a drain deadline on shutdown (`--drain-timeout`): requests in flight get that long to finish,
//!   then every connection still open is closed, so a half-sent request cannot hold SIGTERM up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Args;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::rate_limit::client_key;

/// The most a connection buffers while reading (a request head must fit): hyper's default is
/// about 400 KB, far more than a request to the relay (a JWT included) needs.
pub const MAX_BUF_BYTES: usize = 64 * 1024;
/// Descriptors kept for everything but client connections when the cap is derived from the
/// open-file limit: a quarter of it.
const FD_SHARE_FOR_CLIENTS: (u64, u64) = (3, 4);

/// Flags of the relay's listener.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct ConnArgs {
    /// Seconds a client has to send a whole request head, counted from when the relay starts
    /// waiting for it (a new connection, or the end of the previous reply: an idle HTTP/1.1
    /// keep-alive connection is closed after this long).
    #[arg(long, default_value_t = 15, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout: u64,

    /// Seconds a connection (HTTP/1.1 or h2) may stay open with no request in flight and no byte
    /// moving.
    #[arg(long, default_value_t = 60, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,

    /// Most client connections open at once; more are closed as soon as they are accepted. Also
    /// held to three quarters of the open-file limit (RLIMIT_NOFILE).
    #[arg(long, default_value_t = 10_000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Most connections open at once from one client address (an IPv4 address, an IPv6 /64);
    /// 0: no cap per address. Behind a reverse proxy every client has the proxy's address: set 0
    /// and limit at the proxy.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections_per_ip: u32,

    /// Seconds shutdown (SIGTERM, Ctrl-C) lets requests in flight finish before it closes every
    /// connection still open. Above the upstream time limit (15 s), so a create in flight gets
    /// its answer.
    #[arg(long, default_value_t = 20, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub drain_timeout: u64,
}

impl Default for ConnArgs {
    fn default() -> Self {
        ConnArgs {
            header_read_timeout: 15,
            idle_timeout: 60,
            max_connections: 10_000,
            max_connections_per_ip: 256,
            drain_timeout: 20,
        }
    }
}

impl ConnArgs {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout)
    }

    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout)
    }

    /// The global cap for an open-file limit of `fd_limit` (None: unknown).
    pub fn effective_max_connections(&self, fd_limit: Option<u64>) -> usize {
        let flag = self.max_connections as usize;
        match fd_limit {
            Some(limit) => {
                let (num, den) = FD_SHARE_FOR_CLIENTS;
                let share = usize::try_from(limit.saturating_mul(num) / den).unwrap_or(usize::MAX);
                flag.min(share.max(1))
            }
            None => flag,
        }
    }
}

/// The caps, shared by the accept loop; a [`ConnPermit`] holds a connection's place.
#[derive(Debug)]
pub struct ConnLimits {
    global: Arc<Semaphore>,
    max: usize,
    per_ip: u32,
    open: Mutex<HashMap<IpAddr, u32>>,
    /// When a refusal was last logged (refusals come in floods; one line every few seconds).
    logged: Mutex<Option<Instant>>,
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    Global,
    PerIp,
}

/// A connection's place under the caps, given back on drop.
#[derive(Debug)]
pub struct ConnPermit {
    _global: OwnedSemaphorePermit,
    ip: Option<(Arc<ConnLimits>, IpAddr)>,
}

impl ConnLimits {
    pub fn new(max: usize, per_ip: u32) -> Arc<ConnLimits> {
        Arc::new(ConnLimits {
            global: Arc::new(Semaphore::new(max.max(1))),
            max: max.max(1),
            per_ip,
            open: Mutex::new(HashMap::new()),
            logged: Mutex::new(None),
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// A place for a connection from `ip`, if the caps allow one.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<ConnPermit, Refused> {
        let global = Arc::clone(&self.global)
            .try_acquire_owned()
            .map_err(|_| self.refused(Refused::Global, ip))?;
        if self.per_ip == 0 {
            return Ok(ConnPermit {
                _global: global,
                ip: None,
            });
        }
        let key = client_key(ip);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key).or_insert(0);
        if *count >= self.per_ip {
            drop(open);
            return Err(self.refused(Refused::PerIp, ip));
        }
        *count += 1;
        Ok(ConnPermit {
            _global: global,
            ip: Some((Arc::clone(self), key)),
        })
    }

    fn refused(&self, why: Refused, ip: IpAddr) -> Refused {
        let mut logged = self.logged.lock().unwrap_or_else(PoisonError::into_inner);
        if logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
            *logged = Some(Instant::now());
            match why {
                Refused::Global => tracing::warn!(
                    max = self.max,
                    client = %ip,
                    "connection cap reached (--max-connections): closing new connections"
                ),
                Refused::PerIp => tracing::warn!(
                    max = self.per_ip,
                    client = %ip,
                    "a client address is at its connection cap (--max-connections-per-ip): \
                     closing its new connections"
                ),
            }
        }
        why
    }

    /// Connections open from `ip`'s address (or /64).
    pub fn open_from(&self, ip: IpAddr) -> u32 {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(&client_key(ip)).copied().unwrap_or(0)
    }
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        if let Some((limits, key)) = self.ip.take() {
            let mut open = limits.open.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(count) = open.get_mut(&key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_address_has_its_own_cap_and_places_come_back() {
        let limits = ConnLimits::new(10, 2);
        let a1 = limits.admit(ip("10.0.0.1")).unwrap();
        let _a2 = limits.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(limits.admit(ip("10.0.0.1")).unwrap_err(), Refused::PerIp);
        // Another address is unaffected; an IPv6 /64 is one address.
        let _b = limits.admit(ip("10.0.0.2")).unwrap();
        let _c1 = limits.admit(ip("2001:db8::1")).unwrap();
        let _c2 = limits.admit(ip("2001:db8::2")).unwrap();
        assert_eq!(limits.admit(ip("2001:db8::3")).unwrap_err(), Refused::PerIp);
        drop(a1);
        assert_eq!(limits.open_from(ip("10.0.0.1")), 1);
        assert!(limits.admit(ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn the_global_cap_holds_for_everyone() {
        let limits = ConnLimits::new(2, 0);
        let a = limits.admit(ip("10.0.0.1")).unwrap();
        let _b = limits.admit(ip("10.0.0.2")).unwrap();
        assert_eq!(limits.admit(ip("10.0.0.3")).unwrap_err(), Refused::Global);
        drop(a);
        assert!(limits.admit(ip("10.0.0.3")).is_ok());
        assert_eq!(
            limits.open_from(ip("10.0.0.1")),
            0,
            "no per-address table without a cap"
        );
    }

    #[test]
    fn the_global_cap_leaves_descriptors_for_the_rest() {
        let args = ConnArgs::default();
        assert_eq!(args.effective_max_connections(None), 10_000);
        assert_eq!(args.effective_max_connections(Some(1_048_576)), 10_000);
        assert_eq!(args.effective_max_connections(Some(1024)), 768);
        assert_eq!(args.effective_max_connections(Some(0)), 1);
    }
}
