//! Building the pacer and the shared rate limits from the relay's configuration.

use std::sync::Arc;
use std::time::Duration;

use super::args::PacerArgs;
use super::{account_scope, AccountPacer, PacerSettings};
use crate::config::RelayConfig;
use crate::rate_limit::RateLimiter;
use crate::redis_store::RedisStore;
use crate::shared_rate_limit::SharedRateLimiter;

/// The Redis connection (if `--redis-url`) and the account the state is kept under.
pub struct Setup {
    redis: Option<Arc<RedisStore>>,
    account: String,
}

impl Setup {
    /// Opens the Redis connection lazily, and checks it in the background, so the log says at
    /// once whether Redis is there. A malformed URL is an error. Needs a Tokio runtime.
    pub fn new(config: &RelayConfig) -> Result<Setup, String> {
        let args = &config.api.pacing;
        let redis = match &args.redis_url {
            Some(url) => {
                let store = RedisStore::connect(url, Duration::from_millis(args.redis_timeout_ms))?;
                let probe = Arc::clone(&store);
                tokio::spawn(async move {
                    match probe.ping().await {
                        Ok(()) => tracing::info!(
                            "Redis is reachable: the account pacer and the rate limits are shared"
                        ),
                        Err(e) => {
                            tracing::warn!(error = %e, "Redis is not reachable yet: /cams answers RelayPacerUnavailable until it is")
                        }
                    }
                });
                Some(store)
            }
            None => None,
        };
        Ok(Setup {
            redis,
            account: account_scope(
                &config.identity.role_arn,
                &config.identity.credentials.access_key_id,
            ),
        })
    }

    /// The account pacer, unless `--cams-account-qps 0`.
    pub fn pacer(&self, args: &PacerArgs) -> Option<AccountPacer> {
        if args.cams_account_qps == 0 {
            return None;
        }
        let settings = PacerSettings {
            qps: args.cams_account_qps,
            queue_max: args.cams_queue_max,
            queue_wait: Duration::from_millis(args.cams_queue_wait_ms),
        };
        Some(match &self.redis {
            Some(store) => AccountPacer::in_redis(Arc::clone(store), &self.account, settings),
            None => AccountPacer::in_memory(settings),
        })
    }

    /// `route`'s rate limit kept in Redis, when there is Redis and a limit.
    pub fn rate_limit(
        &self,
        route: &str,
        local: Option<&RateLimiter>,
    ) -> Option<SharedRateLimiter> {
        let store = self.redis.as_ref()?;
        Some(SharedRateLimiter::new(
            Arc::clone(store),
            &self.account,
            route,
            local?,
        ))
    }
}
