//! What a pacing relay answers when it sends nothing, without Redis or with a Redis that is not
//! there, and what `/relay.json` says.

use std::time::Duration;

use crate::harness::*;

/// A body `/cams` forwards (the emulator refuses it, unsigned, which is all these tests need).
const UNSIGNED_CREATE: &str = "Action=CreatePhoneMessageQrdl&Version=2020-06-06";

async fn post(url: &str) -> reqwest::Response {
    http()
        .post(format!("{url}cams"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(UNSIGNED_CREATE)
        .send()
        .await
        .unwrap()
}

async fn requests(emu: &Emu) -> u64 {
    emu.stats().await["requests"].as_u64().unwrap()
}

#[tokio::test]
async fn a_full_queue_and_a_long_wait_are_relay_busy_and_nothing_is_sent() {
    let emu = Emu::start(5).await;
    let relay = RelayProcess::start(
        &emu,
        None,
        &[
            "--cams-account-qps",
            "1",
            "--cams-queue-max",
            "1",
            "--cams-queue-wait-ms",
            "300",
        ],
    );
    let info = relay.relay_json().await;
    assert_eq!(
        (
            &info["pacesAccount"],
            &info["accountQps"],
            &info["pacerStore"]
        ),
        (
            &serde_json::json!(true),
            &serde_json::json!(1),
            &serde_json::json!("memory")
        )
    );
    // The first call takes the one slot of this second and is forwarded.
    let first = post(&relay.url).await;
    assert_eq!(first.status(), 400, "the emulator's own refusal");
    assert_eq!(requests(&emu).await, 1);
    // The second waits for a slot a second away, past its 300 ms; the third finds the queue
    // full and is refused at once.
    let (second, third) = tokio::join!(post(&relay.url), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post(&relay.url).await
    });
    for r in [second, third] {
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["x-cams-relay-sent"], "false");
        let secs: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&secs));
        let body = json(r).await;
        assert_eq!(body["Code"], "RelayBusy");
        assert!(body["Message"]
            .as_str()
            .unwrap()
            .contains("nothing was sent"));
    }
    assert_eq!(requests(&emu).await, 1, "nothing else reached CAMS");
}

#[tokio::test]
async fn an_unreachable_redis_is_relay_pacer_unavailable_and_nothing_is_sent() {
    let emu = Emu::start(5).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("redis://127.0.0.1:{closed}/");
    let relay = RelayProcess::start(&emu, None, &["--redis-url", &url]);
    assert_eq!(relay.relay_json().await["pacerStore"], "redis");
    for _ in 0..2 {
        let r = post(&relay.url).await;
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["x-cams-relay-sent"], "false");
        assert_eq!(r.headers()["retry-after"], "1");
        let body = json(r).await;
        assert_eq!(body["Code"], "RelayPacerUnavailable", "{body}");
        let message = body["Message"].as_str().unwrap();
        assert!(message.contains("--redis-url"), "{message}");
        assert!(!message.contains(&closed.to_string()), "{message}");
    }
    assert_eq!(requests(&emu).await, 0, "nothing reached CAMS");
    // /sts does not need Redis (its rate limit falls back to memory).
    let sts = reqwest_get(&format!("{}sts", relay.url)).await;
    assert_eq!(sts.status(), 200);
}

#[tokio::test]
async fn pacing_off_forwards_at_once_and_says_so() {
    let emu = Emu::start(0).await;
    let relay = RelayProcess::start(&emu, None, &["--cams-account-qps", "0"]);
    assert_eq!(relay.relay_json().await["pacesAccount"], false);
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let url = relay.url.clone();
            tokio::spawn(async move { post(&url).await.status().as_u16() })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap(), 400);
    }
    assert_eq!(requests(&emu).await, 12);
}
