//! The account pacer of `/cams`: every call the relay forwards first takes a slot from one
//! pacer for the whole account, by the client's own arrival-safe rule
//! (`cams_protocol::pacing`): a call goes only when fewer than N calls are in flight or got
//! their reply within the last second (plus a margin), so no one-second window at CAMS holds
//! more than N arrivals from all clients together, whatever the network does.
//!
//! Calls wait in a queue, fairly: a free slot goes to the waiting client served least recently
//! ([`client`] says who a client is), so one person's 2,000-row batch never starves another's
//! single create. The queue is bounded (`--cams-queue-max`, `--cams-queue-wait-ms`); past it a
//! call gets `503 RelayBusy` ([`refusal`]) and nothing is sent.
//!
//! The state lives in memory ([`memory`]) or, with `--redis-url`, in Redis ([`redis_backend`]),
//! shared by every replica. When Redis cannot be reached within `--redis-timeout-ms`, waiting
//! calls get `503 RelayPacerUnavailable` and nothing is sent: a relay that cannot see the
//! account's other calls cannot keep it under its limit, and a throttling storm costs more than
//! a refusal a client retries.
//!
//! One task per relay (the dispatcher) asks the backend for slots on behalf of the queue and
//! hands each to the chosen client's oldest waiting call; the call's handler settles the slot
//! when CAMS's reply is in (or counts it one window late when it is not).

pub mod args;
pub mod backend;
pub mod client;
pub mod memory;
pub mod queue;
pub mod redis_backend;
pub mod refusal;
pub mod setup;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use cams_protocol::pacing::Pacer;
use tokio::sync::Notify;

pub use backend::ClientKey;
use backend::{Decision, PacerBackend, Release, SlotId};
pub use client::{client_key, PeerIp};
use queue::FairQueue;
pub use refusal::Refusal;

use crate::redis_store::RedisStore;

/// The longest `Retry-After` a busy refusal asks for.
const MAX_RETRY_AFTER_SECS: u64 = 60;

/// What the pacer needs to know.
#[derive(Clone, Debug)]
pub struct PacerSettings {
    /// Calls per second for the account (at least 1).
    pub qps: u32,
    pub queue_max: usize,
    pub queue_wait: Duration,
}

/// What a relay's `/relay.json` says about pacing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacingInfo {
    pub qps: u32,
    /// `"memory"` or `"redis"`.
    pub store: &'static str,
}

/// The account scope of the pacer's shared state: the account ID of the role the relay assumes
/// (`acs:ram::<account>:role/...`), so relays of one account share a pacer whatever RAM user
/// they run as; else the relay's own AccessKeyId.
pub fn account_scope(role_arn: &str, access_key_id: &str) -> String {
    let account = role_arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split(':').next())
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()));
    match account {
        Some(a) => a.to_owned(),
        None => access_key_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
            .collect(),
    }
}

/// The pacer of one relay for one account.
pub struct AccountPacer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AccountPacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountPacer")
            .field("store", &self.shared.backend.store())
            .field("settings", &self.shared.settings)
            .finish()
    }
}

struct Shared {
    backend: Box<dyn PacerBackend>,
    settings: PacerSettings,
    per_window: usize,
    queue: Mutex<FairQueue<Result<Slot, Refusal>>>,
    /// A call joined the queue.
    arrived: Notify,
    /// A slot of this relay was released.
    freed: Notify,
    closed: AtomicBool,
    /// Whether the last backend call worked (the log says when this changes).
    healthy: AtomicBool,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, FairQueue<Result<Slot, Refusal>>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Retry-After` for a call refused while `queued` calls wait: the windows they need.
    fn retry_after_secs(&self, queued: usize) -> u64 {
        let windows = queued.div_ceil(self.per_window.max(1));
        u64::try_from(windows)
            .unwrap_or(MAX_RETRY_AFTER_SECS)
            .clamp(1, MAX_RETRY_AFTER_SECS)
    }

    fn set_healthy(&self, ok: bool, error: Option<&str>) {
        if self.healthy.swap(ok, Ordering::Relaxed) != ok {
            match error {
                Some(e) => tracing::warn!(
                    error = e,
                    "the account pacer's store is unreachable: /cams answers RelayPacerUnavailable"
                ),
                None => tracing::info!("the account pacer's store is reachable again"),
            }
        }
    }
}

impl AccountPacer {
    /// A pacer over `backend`, with its dispatcher running (it stops when the pacer is dropped).
    /// Needs a Tokio runtime.
    pub fn new(backend: Box<dyn PacerBackend>, settings: PacerSettings) -> AccountPacer {
        let per_window = Pacer::new(f64::from(settings.qps.max(1))).per_window();
        let shared = Arc::new(Shared {
            backend,
            settings,
            per_window,
            queue: Mutex::new(FairQueue::default()),
            arrived: Notify::new(),
            freed: Notify::new(),
            closed: AtomicBool::new(false),
            healthy: AtomicBool::new(true),
        });
        tokio::spawn(dispatch(Arc::clone(&shared)));
        AccountPacer { shared }
    }

    /// An in-memory pacer.
    pub fn in_memory(settings: PacerSettings) -> AccountPacer {
        AccountPacer::new(Box::new(memory::MemoryBackend::new(settings.qps)), settings)
    }

    /// A pacer whose state is in Redis, shared with every relay of `account` on it.
    pub fn in_redis(
        store: Arc<RedisStore>,
        account: &str,
        settings: PacerSettings,
    ) -> AccountPacer {
        let rule = Pacer::new(f64::from(settings.qps.max(1)));
        let window_ms = rule.window_ms().ceil() as u64;
        let backend =
            redis_backend::RedisBackend::new(store, account, rule.per_window(), window_ms);
        AccountPacer::new(Box::new(backend), settings)
    }

    pub fn info(&self) -> PacingInfo {
        PacingInfo {
            qps: self.shared.settings.qps,
            store: self.shared.backend.store(),
        }
    }

    /// Waits for a slot for a call of `client`, within the queue's bounds.
    pub async fn acquire(&self, client: ClientKey) -> Result<Slot, Refusal> {
        let shared = &self.shared;
        let rx = {
            let mut q = shared.queue();
            if q.len() >= shared.settings.queue_max {
                q.prune();
            }
            if q.len() >= shared.settings.queue_max {
                return Err(Refusal::Busy {
                    retry_after_secs: shared.retry_after_secs(q.len()),
                    waited: false,
                });
            }
            q.push(client)
        };
        shared.arrived.notify_one();
        match tokio::time::timeout(shared.settings.queue_wait, rx).await {
            Ok(Ok(Ok(mut slot))) => {
                // From here the call is as good as sent: if its handler is dropped now (the
                // browser went away mid-call), the slot counts as uncertain.
                slot.sent = true;
                Ok(slot)
            }
            Ok(Ok(Err(refusal))) => Err(refusal),
            Ok(Err(_)) => Err(Refusal::Unavailable {
                reason: "the pacer stopped".into(),
            }),
            // The receiver is dropped: a slot sent to it after all comes back as cancelled.
            Err(_) => Err(Refusal::Busy {
                retry_after_secs: shared.retry_after_secs(shared.queue().len()),
                waited: true,
            }),
        }
    }
}

impl Drop for AccountPacer {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.arrived.notify_one();
        self.shared.freed.notify_one();
    }
}

/// Sends `call` when `pacer` (if any) gives a slot, and settles the slot by the call's outcome:
/// a reply (`Ok`) settles now, a failure (timeout, broken connection) one window late.
pub async fn paced<T, E>(
    pacer: Option<&AccountPacer>,
    client: ClientKey,
    call: impl Future<Output = Result<T, E>>,
) -> Result<Result<T, E>, Refusal> {
    let Some(pacer) = pacer else {
        return Ok(call.await);
    };
    let slot = pacer.acquire(client).await?;
    let result = call.await;
    slot.settle(result.is_ok());
    Ok(result)
}

/// A slot of the account pacer, held while its call is out. Dropped without
/// [`Slot::settle`], it counts as uncertain once sent and as never used before.
pub struct Slot {
    shared: Arc<Shared>,
    id: Option<SlotId>,
    sent: bool,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("id", &self.id)
            .field("sent", &self.sent)
            .finish()
    }
}

impl Slot {
    /// The call is over: `replied` when its reply came back, else it may still arrive.
    pub fn settle(mut self, replied: bool) {
        self.finish(if replied {
            Release::Settled
        } else {
            Release::Uncertain
        });
    }

    fn finish(&mut self, how: Release) {
        let Some(id) = self.id.take() else { return };
        let shared = Arc::clone(&self.shared);
        let release = async move {
            match shared.backend.release(id, how).await {
                Ok(()) => {}
                // The slot's lease runs out instead, and it counts as settled then.
                Err(e) => tracing::warn!(error = %e, "cannot release a pacer slot"),
            }
            shared.freed.notify_one();
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(release);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let how = if self.sent {
            Release::Uncertain
        } else {
            Release::Cancelled
        };
        self.finish(how);
    }
}

/// The dispatcher: while calls wait, asks the backend for a slot for them and hands it out.
async fn dispatch(shared: Arc<Shared>) {
    loop {
        if shared.closed.load(Ordering::SeqCst) {
            for tx in shared.queue().drain() {
                let _ = tx.send(Err(Refusal::Unavailable {
                    reason: "the relay is shutting down".into(),
                }));
            }
            return;
        }
        let waiting = {
            let mut q = shared.queue();
            q.prune();
            q.clients()
        };
        if waiting.is_empty() {
            shared.arrived.notified().await;
            continue;
        }
        match shared.backend.acquire(&waiting).await {
            Ok(Decision::Grant { client, slot }) => {
                shared.set_healthy(true, None);
                let slot = Slot {
                    shared: Arc::clone(&shared),
                    id: Some(slot),
                    sent: false,
                };
                // No call of that client left: the slot is dropped, hence cancelled.
                let _ = shared.queue().answer(&client, Ok(slot));
            }
            Ok(Decision::Wait(wait)) => {
                shared.set_healthy(true, None);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shared.freed.notified() => {}
                }
            }
            Err(e) => {
                shared.set_healthy(false, Some(&e.0));
                // Every call waiting now is refused, unsent; the next arrival tries again.
                for tx in shared.queue().drain() {
                    let _ = tx.send(Err(Refusal::Unavailable {
                        reason: e.0.clone(),
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(qps: u32, queue_max: usize, wait_ms: u64) -> PacerSettings {
        PacerSettings {
            qps,
            queue_max,
            queue_wait: Duration::from_millis(wait_ms),
        }
    }

    #[test]
    fn the_account_is_the_roles() {
        assert_eq!(
            account_scope("acs:ram::1234567890123456:role/browser", "LTAIx"),
            "1234567890123456"
        );
        assert_eq!(account_scope("nonsense", "LTAI{x}:y"), "LTAIxy");
    }

    #[tokio::test]
    async fn slots_beyond_the_window_wait_and_a_full_queue_is_busy() {
        let pacer = AccountPacer::in_memory(settings(2, 1, 50));
        let a = pacer.acquire("a".into()).await.unwrap();
        let b = pacer.acquire("b".into()).await.unwrap();
        // Both in flight: the next waits its longest and is refused, unsent.
        let busy = pacer.acquire("c".into()).await.unwrap_err();
        assert!(
            matches!(busy, Refusal::Busy { waited: true, .. }),
            "{busy:?}"
        );
        a.settle(true);
        b.settle(false);
        // Settled just now: still a second and more to wait, past this queue's 50 ms.
        assert!(pacer.acquire("c".into()).await.is_err());
    }

    #[tokio::test]
    async fn a_queue_past_its_bound_refuses_at_once() {
        let pacer = Arc::new(AccountPacer::in_memory(settings(1, 1, 10_000)));
        let held = pacer.acquire("a".into()).await.unwrap();
        let p = Arc::clone(&pacer);
        let waiting = tokio::spawn(async move { p.acquire("b".into()).await.map(|_| ()) });
        // Wait until the second call is queued, then a third is refused at once.
        while pacer.shared.queue().is_empty() {
            tokio::task::yield_now().await;
        }
        let refused = pacer.acquire("c".into()).await.unwrap_err();
        assert_eq!(
            refused,
            Refusal::Busy {
                retry_after_secs: 1,
                waited: false
            }
        );
        drop(held);
        waiting.abort();
    }

    #[tokio::test]
    async fn a_call_dropped_mid_flight_holds_its_slot_a_window_longer_than_a_reply() {
        // One per window of 1,020 ms, a wait of 1.5 s: enough after a reply, not after a call
        // whose handler was dropped (the browser went away while CAMS had it).
        let replied = AccountPacer::in_memory(settings(1, 10, 1_500));
        replied.acquire("a".into()).await.unwrap().settle(true);
        assert!(replied.acquire("a".into()).await.is_ok());
        let dropped = AccountPacer::in_memory(settings(1, 10, 1_500));
        drop(dropped.acquire("a".into()).await.unwrap());
        assert!(matches!(
            dropped.acquire("a".into()).await,
            Err(Refusal::Busy { waited: true, .. })
        ));
    }

    #[tokio::test]
    async fn a_slot_never_used_is_free_again() {
        let pacer = AccountPacer::in_memory(settings(1, 10, 2_000));
        // Taken and dropped before sending (sent is set only in acquire): cancelled.
        let mut slot = pacer.acquire("a".into()).await.unwrap();
        slot.sent = false;
        drop(slot);
        let again = tokio::time::timeout(Duration::from_millis(500), pacer.acquire("a".into()))
            .await
            .expect("a cancelled slot frees at once");
        assert!(again.is_ok());
    }
}
