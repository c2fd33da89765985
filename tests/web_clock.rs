//! A browser clock 20 minutes off, played by shifting the emulator's clock (the gateway's time)
//! instead: the client reads the server's time from `Date` after `InvalidTimeStamp.Expired`,
//! corrects its offset, retries once, and keeps the offset for later calls. In a file of its own:
//! the emulator's clock is shared by every test running at the same time, and files run one
//! after another. The clock is put back before anything is asserted. (Through a relay the
//! shifted emulator would refuse the relay's own AssumeRole: the relay's clock is the server
//! side's, and a relay host keeps its clock set. The client's correction is the same there.)
#![cfg(target_arch = "wasm32")]

mod web_support;

use cams_qrdl::web::CamsClient;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn shift_emulator_clock(offset_secs: i64) {
    let (status, body) = fetch_text(
        &format!(
            "{}/__emulator/clock?offsetSeconds={offset_secs}",
            emulator()
        ),
        // JSON: the emulator's admin routes take no other POST.
        &js(r#"{"method":"POST","headers":{"Content-Type":"application/json"}}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

fn describe(e: &JsValue) -> String {
    format!(
        "{}: {}",
        get_str(e, "code").unwrap_or_default(),
        get_str(e, "message").unwrap_or_default()
    )
}

async fn create(client: &CamsClient, phone: &str) -> Result<(), String> {
    settle(client.create_qrdl(create_request(phone, "Clock test", "PNG")))
        .await
        .map(|_| ())
        .map_err(|e| describe(&e))
}

/// Everything that runs with the clock shifted; errors are returned, not panicked, so the clock
/// is put back whatever happens.
async fn with_shifted_clock(key: &TestKey) -> Result<(), String> {
    // The server 20 minutes ahead of this browser.
    shift_emulator_clock(1200).await;
    let client = CamsClient::new(key_config(emulator(), key)).expect("config is valid");
    create(&client, "8613800000701").await?;
    // The offset is kept: the next call is right the first time.
    create(&client, "8613800000701").await?;

    // A batch on a fresh client: the first window's calls are all refused, corrected and resent.
    let client = CamsClient::new(key_config(emulator(), key)).expect("config is valid");
    let items: Array = (0..8)
        .map(|i| create_request("8613800000702", &format!("Skewed {i}"), "PNG"))
        .collect();
    let results = settle(client.create_qrdls(items.into(), JsValue::UNDEFINED))
        .await
        .map_err(|e| describe(&e))?;
    for r in Array::from(&results).iter() {
        if get(&r, "ok").as_bool() != Some(true) {
            return Err(format!("batch item: {}", describe(&get(&r, "error"))));
        }
    }

    // The server 20 minutes behind.
    shift_emulator_clock(-1200).await;
    let client = CamsClient::new(key_config(emulator(), key)).expect("config is valid");
    create(&client, "8613800000703").await?;

    Ok(())
}

#[wasm_bindgen_test]
async fn a_clock_twenty_minutes_off_still_works() {
    let key = test_key("clock-skew");
    // A refused timestamp is refused before the key is looked up: it shows in the totals only.
    let expired = || async {
        let (_, body) = fetch_text(&format!("{}/__emulator/stats", emulator()), &js("{}")).await;
        get(&get(&js(&body), "byCode"), "InvalidTimeStamp.Expired")
            .as_f64()
            .unwrap_or(0.0)
    };
    let expired_before = expired().await;
    let outcome = with_shifted_clock(&key).await;
    shift_emulator_clock(0).await;
    outcome.expect("every call succeeds with the clock 20 minutes off");

    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "byCode.OK"), 11.0);
    assert_eq!(stat(&stats, "created"), 11.0);
    // Refused: the first call of the first client (its second knew the offset), the batch
    // client's first window of five at most, and the first call of the last client.
    let refused = expired().await - expired_before;
    assert!((3.0..=7.0).contains(&refused), "{refused} refused");
}
