//! The pacer's state in this process: `cams_protocol::pacing::Pacer` itself, with a monotonic
//! clock, and the order in which clients were last served. For one relay, or replicas that
//! each pace a share of the account (`--cams-account-qps` divided among them).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use cams_protocol::pacing::{Pacer, Slot};

use super::backend::{
    least_recently_served, BackendError, BoxFuture, ClientKey, Decision, PacerBackend, Release,
    SlotId,
};

/// Clients remembered for fairness; past it the memory starts afresh (everyone equal again).
const MAX_REMEMBERED_CLIENTS: usize = 10_000;

/// How long the dispatcher sleeps when every slot is in flight: a settle here wakes it sooner,
/// and nothing else can free a slot.
const AFTER_SETTLE_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct State {
    pacer: Pacer,
    served: HashMap<ClientKey, u64>,
    grants: u64,
}

/// In-memory backend.
#[derive(Debug)]
pub struct MemoryBackend {
    epoch: Instant,
    state: Mutex<State>,
}

impl MemoryBackend {
    /// A pacer for `qps` calls per second (at least 1).
    pub fn new(qps: u32) -> MemoryBackend {
        MemoryBackend {
            epoch: Instant::now(),
            state: Mutex::new(State {
                pacer: Pacer::new(f64::from(qps.max(1))),
                served: HashMap::new(),
                grants: 0,
            }),
        }
    }

    fn now_ms(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() * 1000.0
    }

    fn decide(&self, waiting: &[ClientKey]) -> Decision {
        let now = self.now_ms();
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match s.pacer.next_slot(now) {
            Slot::Now => {}
            Slot::At(t) => return Decision::Wait(ms((t - now).max(1.0))),
            Slot::AfterSettle => return Decision::Wait(AFTER_SETTLE_WAIT),
        }
        let Some(client) =
            least_recently_served(waiting, |c| s.served.get(c).copied().unwrap_or(0)).cloned()
        else {
            return Decision::Wait(AFTER_SETTLE_WAIT);
        };
        s.pacer.start();
        s.grants += 1;
        if s.served.len() >= MAX_REMEMBERED_CLIENTS && !s.served.contains_key(&client) {
            s.served.clear();
        }
        let n = s.grants;
        s.served.insert(client.clone(), n);
        Decision::Grant {
            client,
            slot: SlotId(format!("m{n}")),
        }
    }

    fn settle(&self, how: Release) {
        let now = self.now_ms();
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match how {
            Release::Settled => s.pacer.settle(now),
            Release::Uncertain => s.pacer.settle_uncertain(now),
            Release::Cancelled => s.pacer.cancel(),
        }
    }
}

fn ms(v: f64) -> Duration {
    Duration::try_from_secs_f64(v / 1000.0).unwrap_or(Duration::from_secs(1))
}

impl PacerBackend for MemoryBackend {
    fn acquire<'a>(
        &'a self,
        waiting: &'a [ClientKey],
    ) -> BoxFuture<'a, Result<Decision, BackendError>> {
        let d = self.decide(waiting);
        Box::pin(async move { Ok(d) })
    }

    fn release(&self, _slot: SlotId, how: Release) -> BoxFuture<'_, Result<(), BackendError>> {
        self.settle(how);
        Box::pin(async { Ok(()) })
    }

    fn store(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Vec<ClientKey> {
        k.iter().map(|s| s.to_string()).collect()
    }

    fn grant(d: Decision) -> (ClientKey, SlotId) {
        match d {
            Decision::Grant { client, slot } => (client, slot),
            other => panic!("expected a grant, got {other:?}"),
        }
    }

    #[test]
    fn grants_per_window_then_waits_and_turns_go_round() {
        let b = MemoryBackend::new(2);
        let (c1, s1) = grant(b.decide(&keys(&["a", "b"])));
        let (c2, _s2) = grant(b.decide(&keys(&["a", "b"])));
        assert_eq!((c1.as_str(), c2.as_str()), ("a", "b"));
        // Both in flight: wait for a settle.
        assert_eq!(b.decide(&keys(&["a"])), Decision::Wait(AFTER_SETTLE_WAIT));
        b.settle(Release::Settled);
        // One settled just now: it holds the window for another second and a margin.
        let Decision::Wait(d) = b.decide(&keys(&["a"])) else {
            panic!()
        };
        assert!(
            d > Duration::from_millis(900) && d <= Duration::from_millis(1020),
            "{d:?}"
        );
        let _ = s1;
    }

    #[test]
    fn a_cancelled_slot_is_free_at_once() {
        let b = MemoryBackend::new(1);
        grant(b.decide(&keys(&["a"])));
        b.settle(Release::Cancelled);
        grant(b.decide(&keys(&["a"])));
    }

    #[test]
    fn a_newcomer_goes_before_a_busy_client() {
        let b = MemoryBackend::new(1000);
        for _ in 0..5 {
            assert_eq!(grant(b.decide(&keys(&["batch"]))).0, "batch");
        }
        assert_eq!(grant(b.decide(&keys(&["batch", "single"]))).0, "single");
        assert_eq!(grant(b.decide(&keys(&["batch", "single"]))).0, "batch");
    }
}
