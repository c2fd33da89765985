//! The QPS limit: 5 accepted CAMS calls per account in any sliding 1000 ms, `System.LimitControl`
//! past it. The clock is frozen and stepped by milliseconds, so every boundary is exact.

use axum::http::Method;
use cams_emulator::EmulatorConfig;
use serde_json::Value;

use crate::harness::{demo_key, other_key, two_keys, Harness, Reply, OTHER_KEY_ID};
use cams_emulator::DEMO_ACCESS_KEY_ID;

/// Two keys, the documented limit, the clock stopped.
fn frozen() -> Harness {
    let h = Harness::with_config(two_keys());
    h.emu.clock.set_frozen(true);
    h
}

fn outcome(r: &Reply) -> String {
    match r.status.as_u16() {
        200 => "OK".into(),
        _ => r.json()["Code"].as_str().unwrap_or("?").to_owned(),
    }
}

async fn stats(h: &Harness, key: &str) -> Value {
    h.get_path(&format!("/__emulator/stats?accessKeyId={key}"))
        .await
        .json()
}

#[tokio::test]
async fn six_calls_within_a_second_refuse_exactly_the_sixth() {
    let h = frozen();
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(h.list_as(&demo_key()).await);
        h.emu.clock.advance_millis(100);
    }
    let codes: Vec<String> = got.iter().map(outcome).collect();
    assert_eq!(codes, ["OK", "OK", "OK", "OK", "OK", "System.LimitControl"]);
    got[5].assert_error(400, "System.LimitControl");
    assert_eq!(got[5].message(), "The system is under flow control.");
    let s = stats(&h, DEMO_ACCESS_KEY_ID).await;
    assert_eq!(
        (s["accepted"].as_u64(), s["throttled"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(s["byCode"]["System.LimitControl"], 1);
}

#[tokio::test]
async fn six_concurrent_calls_on_the_real_clock_refuse_exactly_one() {
    let h = Harness::with_config(EmulatorConfig::default());
    let k = demo_key();
    let (a, b, c, d, e, f) = tokio::join!(
        h.list_as(&k),
        h.list_as(&k),
        h.list_as(&k),
        h.list_as(&k),
        h.list_as(&k),
        h.list_as(&k)
    );
    let refused = [a, b, c, d, e, f]
        .iter()
        .filter(|r| outcome(r) == "System.LimitControl")
        .count();
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn calls_200ms_apart_are_never_refused() {
    let h = frozen();
    for i in 0..25 {
        let r = h.list_as(&demo_key()).await;
        assert_eq!(outcome(&r), "OK", "call {i}");
        h.emu.clock.advance_millis(200);
    }
    assert_eq!(stats(&h, DEMO_ACCESS_KEY_ID).await["throttled"], 0);
}

#[tokio::test]
async fn the_window_is_exactly_1000ms_and_refusals_count_as_arrivals() {
    let h = frozen();
    for _ in 0..5 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    h.emu.clock.advance_millis(999);
    // The five arrivals at t are still inside (t + 999 - 1000, t + 999].
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
    h.emu.clock.advance_millis(1);
    // At t + 1000 they are out, but the refusal at t + 999 arrived: four fit, not five.
    for _ in 0..4 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
    // A second after those, the window is clear again.
    h.emu.clock.advance_millis(1000);
    for _ in 0..5 {
        h.list_as(&demo_key()).await.assert_ok();
    }
}

#[tokio::test]
async fn each_long_term_key_is_its_own_account() {
    let h = frozen();
    for _ in 0..5 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
    for _ in 0..5 {
        h.list_as(&other_key()).await.assert_ok();
    }
    h.list_as(&other_key())
        .await
        .assert_error(400, "System.LimitControl");
    let s = h.get_path("/__emulator/stats").await.json();
    assert_eq!(s["throttled"], 2);
    assert_eq!(s["perAccount"][DEMO_ACCESS_KEY_ID]["accepted"], 5);
    assert_eq!(s["perAccount"][OTHER_KEY_ID]["throttled"], 1);
    assert_eq!(s["qpsLimit"], 5);
}

#[tokio::test]
async fn sts_credentials_count_toward_the_key_that_minted_them() {
    let h = frozen();
    // AssumeRole itself is not limited.
    let mut sessions = Vec::new();
    for _ in 0..7 {
        sessions.push(h.assume_role(&[]).await);
    }
    for _ in 0..3 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    h.list_as(&sessions[0]).await.assert_ok();
    h.list_as(&sessions[1]).await.assert_ok();
    h.list_as(&sessions[2])
        .await
        .assert_error(400, "System.LimitControl");
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
    // Another key's sessions are another account.
    let others = h.assume_role_as(&other_key(), &[]).await;
    h.list_as(&others).await.assert_ok();
    // Stats asked for by an STS key answer for its minter.
    let s = stats(&h, &sessions[0].access_key_id).await;
    assert_eq!(s["accessKeyId"], DEMO_ACCESS_KEY_ID);
    assert_eq!(
        (s["accepted"].as_u64(), s["throttled"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(s["byAction"]["AssumeRole"], 7);
}

#[tokio::test]
async fn qr_images_are_not_limited() {
    let h = frozen();
    let code = h.create("limit", "PNG").await["QrdlCode"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..4 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    for _ in 0..10 {
        assert_eq!(h.get_path(&format!("/qr/{code}.png")).await.status, 200);
    }
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
}

#[tokio::test]
async fn the_limit_is_configurable_and_zero_turns_it_off() {
    let two = Harness::with_config(EmulatorConfig {
        qps_limit: 2,
        ..EmulatorConfig::default()
    });
    two.emu.clock.set_frozen(true);
    let codes: Vec<String> = [
        two.list_as(&demo_key()).await,
        two.list_as(&demo_key()).await,
        two.list_as(&demo_key()).await,
    ]
    .iter()
    .map(outcome)
    .collect();
    assert_eq!(codes, ["OK", "OK", "System.LimitControl"]);

    let off = Harness::with_config(EmulatorConfig {
        qps_limit: 0,
        ..EmulatorConfig::default()
    });
    off.emu.clock.set_frozen(true);
    for _ in 0..30 {
        off.list_as(&demo_key()).await.assert_ok();
    }
    let s = off.get_path("/__emulator/stats").await.json();
    assert_eq!(
        (s["accepted"].as_u64(), s["qpsLimit"].as_u64()),
        (Some(30), Some(0))
    );
}

#[tokio::test]
async fn the_window_follows_the_clock_moved_over_http() {
    let h = Harness::with_config(two_keys());
    let freeze = h
        .admin(Method::POST, "/__emulator/clock?freeze=true", None)
        .await
        .json();
    assert_eq!(freeze["frozen"], true);
    for _ in 0..5 {
        h.list_as(&demo_key()).await.assert_ok();
    }
    let step = h
        .admin(Method::POST, "/__emulator/clock?advanceMillis=999", None)
        .await
        .json();
    assert_eq!(
        step["nowMillis"].as_i64().unwrap() - freeze["nowMillis"].as_i64().unwrap(),
        999
    );
    h.list_as(&demo_key())
        .await
        .assert_error(400, "System.LimitControl");
    h.admin(Method::POST, "/__emulator/clock?advanceMillis=1", None)
        .await;
    h.list_as(&demo_key()).await.assert_ok();
}
