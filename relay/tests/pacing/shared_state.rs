//! The state replicas share in Redis, seen from Redis itself: per-client rate limits counted
//! across replicas, and the pacer's slots.

use crate::harness::*;

#[tokio::test]
async fn a_clients_rate_limit_is_counted_across_replicas() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    // 1 per second, burst 1, per client address, shared.
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
    // The first, through A, uses the burst; the next ones, through B, are refused: B counted
    // A's call.
    assert_eq!(codes, [403, 429, 429]);
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
    // The relay settles the slot just after it answers: wait for that.
    let key = |k: &str| format!("cams-relay:{{1234567890123456}}:pacer:{k}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let settled = redis.command(&["ZCARD", &key("settled")]).unwrap();
        let inflight = redis.command(&["ZCARD", &key("inflight")]).unwrap();
        if (settled.trim(), inflight.trim()) == (":1", ":0") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "settled {settled:?}, in flight {inflight:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let ttl = redis.command(&["PTTL", &key("served")]).unwrap();
    let ttl: i64 = ttl.trim_start_matches(':').trim().parse().unwrap();
    assert!(ttl > 0, "the state expires when idle: {ttl}");
}
