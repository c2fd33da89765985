//! The state replicas share in Redis, seen from Redis itself: per-client rate limits counted
//! across replicas, and the pacer's slots.

use crate::harness::*;

#[tokio::test]
async fn a_clients_rate_limit_is_counted_across_replicas() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    // 1 per second, burst 2, per client address, shared.
    let limit = ["--cams-rate-limit", "1"];
    let a = RelayProcess::start(&emu, Some(&redis), &limit);
    let b = RelayProcess::start(&emu, Some(&redis), &limit);
    let http = http();
    let mut codes = Vec::new();
    for relay in [&a, &b, &b] {
        let r = http
            .post(format!("{}cams", relay.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("not a CAMS call")
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
    }
    // Two through A and B together use the burst; the third, through B, is refused.
    assert_eq!(codes, [403, 403, 429]);
}

#[tokio::test]
async fn the_pacers_state_is_kept_under_the_accounts_keys_and_expires() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    let relay = RelayProcess::start(&emu, Some(&redis), &[]);
    let client = NativeClient::new(&relay.url, None, 5.0).await;
    let o = client.create(&phones(9, 1)[0], "one").await;
    assert!(o.result.is_ok(), "{o:?}");
    let keys = redis.command(&["KEYS", "cams-relay:*"]).unwrap();
    assert!(
        keys.contains("cams-relay:{1234567890123456}:pacer:settled"),
        "{keys}"
    );
    let ttl = redis
        .command(&["PTTL", "cams-relay:{1234567890123456}:pacer:served"])
        .unwrap();
    let ttl: i64 = ttl.trim_start_matches(':').trim().parse().unwrap();
    assert!(ttl > 0, "the state expires when idle: {ttl}");
    // The slot settled: nothing is in flight.
    let inflight = redis
        .command(&["ZCARD", "cams-relay:{1234567890123456}:pacer:inflight"])
        .unwrap();
    assert_eq!(inflight.trim(), ":0");
}
