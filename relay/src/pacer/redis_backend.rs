//! The pacer's state in Redis, shared by every replica pointed at the same `--redis-url`: the
//! rule runs as Lua scripts (`lua/*.lua`), each one atomic, with Redis's own clock, so replicas'
//! clocks never need to agree.
//!
//! - **In flight**: slots with a lease. A replica renews the leases of its calls still waiting
//!   for CAMS every [`RENEW_EVERY`]; a replica that dies stops renewing, and within
//!   [`LEASE`] its slots count as settled at the lease's end (its calls may have arrived up to
//!   then), so the survivors go on after one more window, and no slot is lost for good.
//! - **Recent settles**: per slot, so a settle is counted once (a slot whose lease ran out is no
//!   longer held, and its late settle changes nothing).
//! - **Fairness**: each ask names the replica's waiting clients; a free slot goes to the client
//!   served least recently among those any replica asked for within [`STALE`], so one person's
//!   batch through one replica does not starve another's single create through another. When
//!   that client is another replica's, this replica asks again after [`RESERVED_WAIT`].
//!
//! Keys live under `cams-relay:{<account>}:pacer:` (one hash tag, so a Redis Cluster keeps them
//! on one node) and expire after [`IDLE_TTL`] without an ask.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use redis::Script;

use super::backend::{BackendError, BoxFuture, ClientKey, Decision, PacerBackend, Release, SlotId};
use crate::redis_store::RedisStore;

/// How long a slot stays in flight without its replica renewing it.
pub const LEASE: Duration = Duration::from_millis(3000);
/// How often a replica renews the leases of its calls still in flight.
pub const RENEW_EVERY: Duration = Duration::from_millis(1000);
/// A client no replica asked for within this long is no longer waiting (its replica died, or
/// its calls gave up); longer than [`MAX_POLL`], so live waiters never drop out.
pub const STALE: Duration = Duration::from_millis(1500);
/// The longest a replica goes without asking while it has waiters, which keeps their
/// registration fresh.
pub const MAX_POLL: Duration = Duration::from_millis(300);
/// How soon to ask again when every slot is in flight: another replica's settle is seen only
/// by asking.
pub const SETTLE_POLL: Duration = Duration::from_millis(25);
/// How soon to ask again when the free slot is another replica's client's turn.
pub const RESERVED_WAIT: Duration = Duration::from_millis(10);
/// The state of an account nobody asked for in this long is dropped.
pub const IDLE_TTL: Duration = Duration::from_secs(600);
/// Clients remembered for fairness (the least recent are forgotten first, which puts them
/// first in line again).
const MAX_SERVED: usize = 10_000;

const ACQUIRE: &str = include_str!("lua/acquire.lua");
const SETTLE: &str = include_str!("lua/settle.lua");
const RENEW: &str = include_str!("lua/renew.lua");

/// The Redis backend of one account.
pub struct RedisBackend {
    store: Arc<RedisStore>,
    /// inflight, settled, waiting, served, grants.
    keys: [String; 5],
    holder: String,
    per_window: usize,
    window_ms: u64,
    held: Arc<Mutex<HashSet<String>>>,
    acquire: Script,
    settle: Script,
}

impl RedisBackend {
    /// A backend for `account` (see [`super::account_scope`]) allowing `per_window` calls per
    /// `window_ms`. Spawns the lease renewal, which ends when the backend is dropped.
    pub fn new(
        store: Arc<RedisStore>,
        account: &str,
        per_window: usize,
        window_ms: u64,
    ) -> RedisBackend {
        let prefix = format!("cams-relay:{{{account}}}:pacer:");
        let keys =
            ["inflight", "settled", "waiting", "served", "grants"].map(|k| format!("{prefix}{k}"));
        let held = Arc::new(Mutex::new(HashSet::new()));
        tokio::spawn(renew_leases(
            Arc::clone(&store),
            keys[0].clone(),
            Arc::downgrade(&held),
        ));
        RedisBackend {
            store,
            keys,
            holder: uuid::Uuid::new_v4().simple().to_string(),
            per_window,
            window_ms,
            held,
            acquire: Script::new(ACQUIRE),
            settle: Script::new(SETTLE),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn ask(&self, waiting: &[ClientKey]) -> Result<Decision, BackendError> {
        let mut inv = self.acquire.prepare_invoke();
        for k in &self.keys {
            inv.key(k);
        }
        inv.arg(self.per_window)
            .arg(self.window_ms)
            .arg(millis(LEASE))
            .arg(millis(STALE))
            .arg(&self.holder)
            .arg(millis(IDLE_TTL))
            .arg(millis(RESERVED_WAIT))
            .arg(MAX_SERVED);
        for c in waiting {
            inv.arg(c);
        }
        let (kind, wait_ms, slot, client): (i64, i64, String, String) =
            self.store.run(&inv).await.map_err(BackendError)?;
        if kind == 1 {
            // Held from here: the lease is renewed until the call settles.
            self.held().insert(slot.clone());
            return Ok(Decision::Grant {
                client,
                slot: SlotId(slot),
            });
        }
        let rule = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1).max(1));
        // Never longer than MAX_POLL (the registration stays fresh), and when every slot is in
        // flight no longer than SETTLE_POLL (another replica's settle is seen only by asking).
        let wait = match kind {
            2 => rule.min(SETTLE_POLL),
            _ => rule.min(MAX_POLL),
        };
        Ok(Decision::Wait(wait))
    }

    async fn settle_slot(&self, slot: SlotId, how: Release) -> Result<(), BackendError> {
        // No longer renewed, whatever Redis answers: if the settle is lost, the lease runs out
        // and the slot counts as settled then, which is later than the truth (safe).
        self.held().remove(&slot.0);
        let how = match how {
            Release::Settled => "settled",
            Release::Uncertain => "uncertain",
            Release::Cancelled => "cancelled",
        };
        let mut inv = self.settle.prepare_invoke();
        inv.key(&self.keys[0])
            .key(&self.keys[1])
            .arg(&slot.0)
            .arg(how)
            .arg(self.window_ms);
        self.store
            .run::<i64>(&inv)
            .await
            .map(|_| ())
            .map_err(BackendError)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Renews this replica's leases every [`RENEW_EVERY`] until the backend is gone.
async fn renew_leases(
    store: Arc<RedisStore>,
    inflight: String,
    held: Weak<Mutex<HashSet<String>>>,
) {
    let script = Script::new(RENEW);
    let mut tick = tokio::time::interval(RENEW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(held) = held.upgrade() else { return };
        let ids: Vec<String> = held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        drop(held);
        if ids.is_empty() {
            continue;
        }
        let mut inv = script.prepare_invoke();
        inv.key(&inflight).arg(millis(LEASE));
        for id in &ids {
            inv.arg(id);
        }
        if let Err(e) = store.run::<i64>(&inv).await {
            tracing::warn!(error = %e, slots = ids.len(), "cannot renew the pacer's leases");
        }
    }
}

impl PacerBackend for RedisBackend {
    fn acquire<'a>(
        &'a self,
        waiting: &'a [ClientKey],
    ) -> BoxFuture<'a, Result<Decision, BackendError>> {
        Box::pin(self.ask(waiting))
    }

    fn release(&self, slot: SlotId, how: Release) -> BoxFuture<'_, Result<(), BackendError>> {
        Box::pin(self.settle_slot(slot, how))
    }

    fn store(&self) -> &'static str {
        "redis"
    }
}
