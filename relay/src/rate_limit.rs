//! A per-client token bucket, in memory: each client (an IPv4 address, or an IPv6 /64, since one
//! host usually holds a whole /64) may make `burst` requests at once, then `rate` per second.
//!
//! Memory is bounded: a full bucket is the same as no bucket, so full ones are dropped when the
//! table grows; if it is still too big (a flood from many addresses), it is cleared, letting
//! clients start afresh rather than refusing everyone.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most clients tracked before the table is pruned.
const MAX_CLIENTS: usize = 65_536;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets by client address.
#[derive(Debug)]
pub struct RateLimiter {
    rate_per_sec: f64,
    burst: f64,
    max_clients: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// `per_minute` requests a minute, with a burst of a third of that (at least 1).
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter::new(f64::from(per_minute) / 60.0, (per_minute / 3).max(1))
    }

    /// `per_second` requests a second, with a burst of as many (not twice as many: a burst is
    /// what spends an account's QPS in a moment).
    pub fn per_second(per_second: u32) -> RateLimiter {
        RateLimiter::new(f64::from(per_second), per_second.max(1))
    }

    pub fn new(rate_per_sec: f64, burst: u32) -> RateLimiter {
        RateLimiter {
            rate_per_sec: rate_per_sec.max(f64::MIN_POSITIVE),
            burst: f64::from(burst.max(1)),
            max_clients: MAX_CLIENTS,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip` at `now`; `Err` holds how long until one is free.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = client_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= self.max_clients && !buckets.contains_key(&key) {
            buckets.retain(|_, b| self.refilled(*b, now) < self.burst);
            if buckets.len() >= self.max_clients {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.rate_per_sec;
            Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::MAX))
        }
    }

    /// Tokens added per second.
    pub fn rate_per_sec(&self) -> f64 {
        self.rate_per_sec
    }

    /// Requests allowed at once.
    pub fn burst(&self) -> f64 {
        self.burst
    }

    fn refilled(&self, b: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
        (b.tokens + elapsed * self.rate_per_sec).min(self.burst)
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Whole seconds for `Retry-After`, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn burst_then_rate() {
        let l = RateLimiter::per_minute(30); // 0.5/s, burst 10
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(l.check(ip("10.0.0.1"), t0).is_ok());
        }
        let wait = l.check(ip("10.0.0.1"), t0).unwrap_err();
        assert_eq!(retry_after_secs(wait), 2);
        // Another client is unaffected.
        assert!(l.check(ip("10.0.0.2"), t0).is_ok());
        // Two seconds later one more token is there, and only one.
        let t2 = t0 + Duration::from_secs(2);
        assert!(l.check(ip("10.0.0.1"), t2).is_ok());
        assert!(l.check(ip("10.0.0.1"), t2).is_err());
    }

    #[test]
    fn ipv6_counts_by_64_and_mapped_v4_as_v4() {
        let l = RateLimiter::new(0.001, 1);
        let t = Instant::now();
        assert!(l.check(ip("2001:db8:1:2::1"), t).is_ok());
        assert!(l.check(ip("2001:db8:1:2:ffff::9"), t).is_err());
        assert!(l.check(ip("2001:db8:1:3::1"), t).is_ok());
        assert!(l.check(ip("192.0.2.7"), t).is_ok());
        assert!(l.check(ip("::ffff:192.0.2.7"), t).is_err());
    }

    #[test]
    fn table_stays_bounded() {
        let mut l = RateLimiter::new(1.0, 2);
        l.max_clients = 4;
        let t = Instant::now();
        for i in 0..4 {
            l.check(IpAddr::from([10, 0, 0, i]), t).unwrap();
        }
        assert_eq!(l.tracked(), 4);
        // Later, every bucket has refilled: they are pruned to make room.
        let later = t + Duration::from_secs(10);
        l.check(ip("10.0.1.1"), later).unwrap();
        assert_eq!(l.tracked(), 1);
        // All busy: the table is cleared rather than growing.
        for i in 0..3 {
            l.check(IpAddr::from([10, 0, 2, i]), later).unwrap();
        }
        l.check(ip("10.0.3.1"), later).unwrap();
        assert!(l.tracked() <= 4);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
