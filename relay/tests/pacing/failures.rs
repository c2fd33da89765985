//! Redis going away and a replica dying mid-batch: nothing is created twice, every item ends
//! with a code that says what happened, and what is left goes on.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::*;

fn loopback(last: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
}

async fn created(emu: &Emu) -> u64 {
    emu.stats().await["created"].as_u64().unwrap()
}

async fn wait_created(emu: &Emu, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while created(emu).await < n {
        assert!(
            Instant::now() < deadline,
            "fewer than {n} codes created in a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Codes a create may end with when the relay went away mid-call: no reply, so the outcome is
/// unknown and the client does not send it again.
const UNKNOWN_OUTCOME: [&str; 2] = ["NetworkError", "Timeout"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_batch_refuses_what_is_unsent_and_the_relays_go_on_when_it_is_back() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    let a = RelayProcess::start(&emu, Some(&redis), &[]);
    let b = RelayProcess::start(&emu, Some(&redis), &[]);
    let mut client = NativeClient::new(&a.url, loopback(30), 5.0).await;
    // A short patience for not-sent refusals, so the batch settles while Redis is down.
    client.max_not_sent = 2;
    let client = Arc::new(client);
    let batch = tokio::spawn({
        let client = Arc::clone(&client);
        async move { client.batch(phones(5, 20), 20).await }
    });
    wait_created(&emu, 6).await;
    redis.stop();
    let outcomes = batch.await.unwrap();
    let ok = outcomes.iter().filter(|o| o.result.is_ok()).count() as u64;
    for o in &outcomes {
        assert!(
            matches!(o.code(), "OK" | "RelayPacerUnavailable"),
            "every item ends OK or refused unsent: {o:?}"
        );
        if let Err(e) = &o.result {
            assert!(e.retryable, "{e:?}");
            assert_eq!(o.not_sent, 2, "refused, sent again twice, refused: {o:?}");
        }
    }
    assert!((6..20).contains(&ok), "{}", summary(&outcomes));
    // Nothing unsent reached CAMS, nothing was created twice.
    assert_eq!(created(&emu).await, ok);
    let stats = emu.stats().await;
    assert_eq!(stats["throttled"], 0, "{stats}");

    // Redis is back (empty): both replicas pace again, through a new connection.
    redis.restart();
    for (i, relay) in [&a, &b].into_iter().enumerate() {
        let client = NativeClient::new(&relay.url, loopback(31 + i as u8), 5.0).await;
        let o = client
            .create(&phones(6 + i as u32, 1)[0], "after Redis")
            .await;
        assert!(o.result.is_ok(), "{o:?}");
    }
    assert_eq!(created(&emu).await, ok + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_batch_creates_nothing_twice_and_the_survivor_goes_on() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    let mut doomed = RelayProcess::start(&emu, Some(&redis), &[]);
    let survivor = RelayProcess::start(&emu, Some(&redis), &[]);
    let x = Arc::new(NativeClient::new(&doomed.url, loopback(40), 5.0).await);
    let y = Arc::new(NativeClient::new(&survivor.url, loopback(41), 5.0).await);
    let bx = tokio::spawn({
        let x = Arc::clone(&x);
        async move { x.batch(phones(7, 15), 15).await }
    });
    let by = tokio::spawn({
        let y = Arc::clone(&y);
        async move { y.batch(phones(8, 15), 15).await }
    });
    wait_created(&emu, 8).await;
    doomed.kill();
    let (ox, oy) = (bx.await.unwrap(), by.await.unwrap());

    // The survivor's client got every code.
    assert!(oy.iter().all(|o| o.result.is_ok()), "{}", summary(&oy));
    // The dead replica's client: codes made, or an outcome it cannot know and does not retry.
    let mut unknown = 0;
    for o in &ox {
        match o.code() {
            "OK" => {}
            code if UNKNOWN_OUTCOME.contains(&code) => {
                unknown += 1;
                let e = o.result.as_ref().unwrap_err();
                assert_eq!(
                    o.retries, 0,
                    "a create with no reply is not sent again: {o:?}"
                );
                assert!(e.http_status.is_none(), "{e:?}");
            }
            _ => panic!("unexpected end of an item: {o:?}"),
        }
    }
    assert!(unknown > 0, "the kill cut something: {}", summary(&ox));
    let ok = ox.iter().chain(&oy).filter(|o| o.result.is_ok()).count() as u64;
    let stats = emu.stats().await;
    let made = stats["created"].as_u64().unwrap();
    assert!(
        made >= ok && made <= ok + unknown,
        "created {made}, {ok} known and {unknown} unknown: {stats}"
    );
    assert!(
        stats["byCode"].get("Qrdl.LimitExceeded").is_none(),
        "{stats}"
    );
    // The dead replica's slots ran out and counted as settled then: no throttling for anyone.
    assert_eq!(stats["throttled"], 0, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_redis_is_refused_unsent_within_its_time_limit() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let emu = Emu::start(5).await;
    let relay = RelayProcess::start(&emu, Some(&redis), &["--redis-timeout-ms", "200"]);
    let client = NativeClient::new(&relay.url, loopback(50), 5.0).await;
    let first = client.create(&phones(10, 1)[0], "before").await;
    assert!(first.result.is_ok(), "{first:?}");
    let calls_before = emu.stats().await["requests"].as_u64().unwrap();
    // Redis answers nobody for 3 s.
    let paused = redis.command(&["CLIENT", "PAUSE", "3000", "ALL"]).unwrap();
    assert!(paused.starts_with("+OK"), "{paused}");
    let started = Instant::now();
    let r = http()
        .post(format!("{}cams", relay.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=CreatePhoneMessageQrdl&Version=2020-06-06")
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["x-cams-relay-sent"], "false");
    assert_eq!(json(r).await["Code"], "RelayPacerUnavailable");
    assert!(took < Duration::from_millis(2500), "refused after {took:?}");
    assert_eq!(
        emu.stats().await["requests"].as_u64().unwrap(),
        calls_before,
        "nothing reached CAMS"
    );
}
