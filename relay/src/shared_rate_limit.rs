//! The per-client rate limits of `/sts` and `/cams` in Redis, so replicas behind one load
//! balancer count a client's requests together: the same token bucket as
//! [`crate::rate_limit::RateLimiter`] (same rate and burst, same client key), as one Lua script
//! on Redis's clock.
//!
//! When Redis cannot be reached the guard falls back to the replica's own in-memory bucket:
//! the limits protect the relay from abuse, and a relay that keeps serving `/sts` is worth more
//! than exact counting for a few seconds.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use redis::Script;

use crate::rate_limit::{client_key, RateLimiter};
use crate::redis_store::RedisStore;

const TOKEN_BUCKET: &str = include_str!("pacer/lua/token_bucket.lua");

/// A route's shared limiter.
pub struct SharedRateLimiter {
    store: Arc<RedisStore>,
    prefix: String,
    rate_per_ms: f64,
    burst: f64,
    script: Script,
}

impl std::fmt::Debug for SharedRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedRateLimiter")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl SharedRateLimiter {
    /// The limits of `local` for `route` (`"sts"`, `"cams"`) of `account`, kept in `store`.
    pub fn new(
        store: Arc<RedisStore>,
        account: &str,
        route: &str,
        local: &RateLimiter,
    ) -> SharedRateLimiter {
        SharedRateLimiter {
            store,
            prefix: format!("cams-relay:{{{account}}}:rate:{route}:"),
            rate_per_ms: local.rate_per_sec() / 1000.0,
            burst: local.burst(),
            script: Script::new(TOKEN_BUCKET),
        }
    }

    /// Takes a token for `ip`: `Ok(Err(wait))` when there is none, `Err` when Redis cannot say.
    pub async fn check(&self, ip: IpAddr) -> Result<Result<(), Duration>, String> {
        let mut inv = self.script.prepare_invoke();
        inv.key(format!("{}{}", self.prefix, client_key(ip)))
            .arg(self.rate_per_ms)
            .arg(self.burst);
        let (allowed, wait_ms): (i64, i64) = self.store.run(&inv).await?;
        Ok(if allowed == 1 {
            Ok(())
        } else {
            Err(Duration::from_millis(
                u64::try_from(wait_ms).unwrap_or(1000),
            ))
        })
    }
}
