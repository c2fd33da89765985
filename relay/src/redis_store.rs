//! The relay's one Redis connection (`--redis-url`), shared by the account pacer and the
//! per-client rate limits: the `redis` crate's connection manager, which multiplexes every
//! command over one connection and reconnects in the background when it breaks.
//!
//! Every command has a time limit (`--redis-timeout-ms`): a Redis that does not answer in time
//! counts as unreachable for that command, and the caller decides what that means (the pacer
//! refuses to send, the rate limits fall back to memory). Nothing here retries a command: a
//! script that timed out may or may not have run, which the pacer's scripts are written to
//! survive (a slot taken and never used expires with its lease).

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, ScriptInvocation};

/// Reconnection attempts per broken connection before the manager gives up until the next
/// command (which starts again).
const RECONNECT_ATTEMPTS: usize = 2;
/// Longest pause between reconnection attempts.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// A Redis connection with a per-command time limit.
#[derive(Clone)]
pub struct RedisStore {
    manager: ConnectionManager,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for `url`; connects on first use, so a relay starts (and refuses `/cams` clearly)
    /// while Redis is still down. A malformed URL is an error. Needs a Tokio runtime.
    pub fn connect(url: &str, timeout: Duration) -> Result<Arc<RedisStore>, String> {
        let client = redis::Client::open(url)
            .map_err(|e| format!("--redis-url: not a Redis URL ({})", kind(&e)))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(timeout))
            .set_connection_timeout(Some(timeout))
            .set_number_of_retries(RECONNECT_ATTEMPTS)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("--redis-url: {}", kind(&e)))?;
        Ok(Arc::new(RedisStore { manager, timeout }))
    }

    /// Runs a prepared script (EVALSHA, loading it on first use) within the time limit.
    pub async fn run<T: FromRedisValue>(&self, script: &ScriptInvocation<'_>) -> Result<T, String> {
        let mut conn = self.manager.clone();
        match tokio::time::timeout(self.timeout, script.invoke_async(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(describe(&e)),
            Err(_) => Err(format!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            )),
        }
    }

    /// `PING`, within the time limit.
    pub async fn ping(&self) -> Result<(), String> {
        let mut conn = self.manager.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        match tokio::time::timeout(self.timeout, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(describe(&e)),
            Err(_) => Err(format!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            )),
        }
    }
}

/// A short description of a Redis error that never repeats the URL (it may hold a password).
fn describe(e: &redis::RedisError) -> String {
    if e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() {
        "Redis cannot be reached".to_owned()
    } else if e.is_timeout() {
        "Redis did not answer in time".to_owned()
    } else {
        format!("Redis refused the command ({})", kind(e))
    }
}

fn kind(e: &redis::RedisError) -> String {
    format!("{:?}", e.kind())
}
