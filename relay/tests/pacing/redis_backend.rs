//! The Redis backend on its own, two instances standing for two replicas: whose turn a free slot
//! is, and what happens to a dead replica's slots.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cams_relay::pacer::backend::{ClientKey, Decision, PacerBackend, Release, SlotId};
use cams_relay::pacer::redis_backend::{RedisBackend, LEASE};
use cams_relay::redis_store::RedisStore;

use crate::harness::*;

/// One call per window of 1,020 ms, the rule at 1 per second.
fn backend(redis: &RedisServer, account: &str) -> RedisBackend {
    let store = RedisStore::connect(&redis.url(), Duration::from_secs(2)).unwrap();
    RedisBackend::new(store, account, 1, 1020)
}

fn keys(k: &[&str]) -> Vec<ClientKey> {
    k.iter().map(|s| s.to_string()).collect()
}

/// Asks until a slot is granted (sleeping what the backend says between asks); the grant and
/// how long it took.
async fn until_granted(b: &RedisBackend, waiting: &[ClientKey]) -> (ClientKey, SlotId, Duration) {
    let started = Instant::now();
    loop {
        match b.acquire(waiting).await.unwrap() {
            Decision::Grant { client, slot } => return (client, slot, started.elapsed()),
            Decision::Wait(d) => tokio::time::sleep(d).await,
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no slot in 20 s"
        );
    }
}

#[tokio::test]
async fn a_free_slot_is_the_turn_of_the_client_served_least_recently_on_any_replica() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (a, b) = (backend(&redis, "fair"), backend(&redis, "fair"));
    let (client, slot, _) = until_granted(&a, &keys(&["batch"])).await;
    assert_eq!(client, "batch");
    a.release(slot, Release::Settled).await.unwrap();
    // Replica B's client has been waiting (B asked for it), never served.
    assert!(matches!(
        b.acquire(&keys(&["single"])).await.unwrap(),
        Decision::Wait(_)
    ));
    // From now on A asks first, every time, for its busy client; B's client, waiting and never
    // served, gets the next free slot all the same.
    loop {
        if let Decision::Grant { .. } = a.acquire(&keys(&["batch"])).await.unwrap() {
            panic!("the busy client took the waiting one's turn");
        }
        match b.acquire(&keys(&["single"])).await.unwrap() {
            Decision::Grant { client, .. } => {
                assert_eq!(client, "single");
                break;
            }
            Decision::Wait(d) => tokio::time::sleep(d).await,
        }
    }
}

#[tokio::test]
async fn a_dead_replicas_slot_expires_with_its_lease_and_counts_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let dead = backend(&redis, "lease");
    let (_, slot, _) = until_granted(&dead, &keys(&["x"])).await;
    // The replica dies: its renewals stop with it.
    drop(dead);
    let survivor = backend(&redis, "lease");
    let (_, _, waited) = until_granted(&survivor, &keys(&["y"])).await;
    // The slot was in flight until its lease ran out, then counted as settled for a window.
    assert!(
        waited >= LEASE + Duration::from_secs(1) && waited < LEASE + Duration::from_secs(4),
        "waited {waited:?}"
    );
    // A settle of the expired slot arriving late (the replica was only slow) counts nothing
    // again: the slot is not in the recent settles, and the survivor's slot is still the only
    // one in flight.
    let late = backend(&redis, "lease");
    late.release(slot.clone(), Release::Settled).await.unwrap();
    let score = redis
        .command(&["ZSCORE", "cams-relay:{lease}:pacer:settled", &slot.0])
        .unwrap();
    assert!(
        score.starts_with("$-1") || score.starts_with("_"),
        "{score}"
    );
    let inflight = redis
        .command(&["ZCARD", "cams-relay:{lease}:pacer:inflight"])
        .unwrap();
    assert_eq!(inflight.trim(), ":1");
}

#[tokio::test]
async fn a_replica_that_lives_keeps_its_slot_past_the_lease() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let live = Arc::new(backend(&redis, "renew"));
    let (_, slot, _) = until_granted(&live, &keys(&["x"])).await;
    let other = backend(&redis, "renew");
    // Past twice the lease the slot is still in flight: renewed every second.
    let deadline = Instant::now() + LEASE * 2;
    while Instant::now() < deadline {
        match other.acquire(&keys(&["y"])).await.unwrap() {
            Decision::Grant { .. } => panic!("a live replica's slot was taken"),
            Decision::Wait(d) => tokio::time::sleep(d).await,
        }
    }
    live.release(slot, Release::Cancelled).await.unwrap();
    // Cancelled: never sent, so the slot is free at once.
    let (_, _, waited) = until_granted(&other, &keys(&["y"])).await;
    assert!(waited < Duration::from_millis(500), "waited {waited:?}");
}
