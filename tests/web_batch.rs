//! Pacing and batches against the emulator's 5 QPS limit (a sliding one-second window per
//! account): 50 concurrent creates with no throttle, `createQrdls` / `deleteQrdls` (order,
//! progress, stop, bad arguments), and a batch that outlives its 3-second STS credentials.
//! Every test signs with a key of its own, so each has its own QPS window and counters.
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::cell::RefCell;
use std::rc::Rc;

use cams_qrdl::web::CamsClient;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

fn requests(phone: &str, n: usize) -> Array {
    (0..n)
        .map(|i| create_request(phone, &format!("Item {i}"), "PNG"))
        .collect()
}

async fn list(client: &CamsClient, phone: &str) -> Vec<String> {
    let reply = settle(client.list_qrdls(js(&format!(r#"{{"phoneNumber":"{phone}"}}"#))))
        .await
        .expect("list succeeds");
    listed_codes(&reply)
}

fn ok(settled: &JsValue) -> bool {
    get(settled, "ok").as_bool() == Some(true)
}

/// The settled results of a batch, checked to be `{ok, value}` / `{ok, error}` objects.
async fn batch(p: Promise) -> Vec<JsValue> {
    let results = settle(p).await.expect("a batch resolves");
    let results: Vec<JsValue> = Array::from(&results).iter().collect();
    for r in &results {
        if ok(r) {
            assert!(get(r, "value").is_object());
        } else {
            assert_eq!(get(r, "ok").as_bool(), Some(false));
            assert_eq!(
                get_str(&get(r, "error"), "name").as_deref(),
                Some("CamsError")
            );
        }
    }
    results
}

#[wasm_bindgen_test]
async fn fifty_concurrent_creates_are_paced_and_none_is_throttled() {
    let key = test_key("pace-fifty");
    let phone = "8613800000501";
    let config = key_config(emulator(), &key);
    // No retries: a throttled call would fail here instead of hiding in a retry.
    set(&config, "maxRetries", &JsValue::from(0));
    let client = CamsClient::new(config).expect("config is valid");
    let started = js_sys::Date::now();
    let all: Array = (0..50)
        .map(|i| client.create_qrdl(create_request(phone, &format!("Store {i}"), "PNG")))
        .collect();
    let results = settle(Promise::all(&all)).await.expect("all 50 succeed");
    let elapsed = js_sys::Date::now() - started;
    console_log!("50 concurrent creates through one client: {elapsed:.0} ms");
    assert_eq!(Array::from(&results).length(), 50);

    // What the emulator counted, not the time taken: no one-second window of arrivals held more
    // than 5 (so the 50 arrivals span at least 9 s), and some window held 5, as the pacer sends
    // five at once whenever five slots are free.
    let stats = account_stats(&key.id).await;
    assert_eq!(
        stat(&stats, "throttled"),
        0.0,
        "the emulator throttled some"
    );
    assert_eq!(
        stat(&stats, "busiestWindow"),
        5.0,
        "the most arrivals in one second"
    );
    // The rule needs 9 windows plus 9 round trips (about 9.2 s on loopback). A pacer that wasted
    // a window each time would take 18 s, one that sent one call per window 50 s. The bound is
    // three times the rule's time, for a loaded 2-core machine running other suites beside.
    assert!(
        elapsed < 30_000.0,
        "{elapsed} ms: far slower than the limit allows"
    );
    assert_eq!(stat(&stats, "created"), 50.0);
    assert_eq!(stat(&stats, "requests"), 50.0);
    let codes = list(&client, phone).await;
    assert_eq!(codes.len(), 50);
}

#[wasm_bindgen_test]
async fn a_batch_settles_every_item_in_order_and_reports_progress() {
    let key = test_key("batch-order");
    let phone = "8613800000502";
    let client = CamsClient::new(key_config(emulator(), &key)).expect("config is valid");
    let items = requests(phone, 8);
    // One bad item fails alone, without stopping the others.
    items.set(3, create_request("12", "Item 3", "PNG"));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let on_progress = {
        let seen = seen.clone();
        Closure::<dyn FnMut(f64, f64, f64, JsValue)>::new(move |done, total, index, result| {
            seen.borrow_mut()
                .push((done, total, index, get(&result, "ok").as_bool()))
        })
    };
    let options = js("{}");
    set(&options, "onProgress", on_progress.as_ref());
    let results = batch(client.create_qrdls(items.into(), options)).await;

    assert_eq!(results.len(), 8);
    for (i, r) in results.iter().enumerate() {
        if i == 3 {
            assert!(!ok(r));
            let e = get(r, "error");
            assert_eq!(code(&e), "InvalidParameter");
            assert_eq!(get_str(&e, "field").as_deref(), Some("phoneNumber"));
        } else {
            assert!(ok(r), "item {i}");
            let data = get(&get(r, "value"), "data");
            assert_eq!(
                get_str(&data, "prefilledMessage").as_deref(),
                Some(format!("Item {i}").as_str())
            );
        }
    }
    // After each item: how many are done, of how many, which one, and its result.
    let seen = seen.borrow().clone();
    let counts: Vec<(f64, f64)> = seen.iter().map(|s| (s.0, s.1)).collect();
    let expected: Vec<(f64, f64)> = (1..=8).map(|d| (f64::from(d), 8.0)).collect();
    assert_eq!(counts, expected);
    for s in &seen {
        assert_eq!(s.3, Some(ok(&results[s.2 as usize])));
    }
    let mut indexes: Vec<usize> = seen.iter().map(|s| s.2 as usize).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..8).collect::<Vec<_>>());
    assert_eq!(list(&client, phone).await.len(), 7);
    let stats = account_stats(&key.id).await;
    assert_eq!(stat(&stats, "created"), 7.0);
    assert_eq!(stat(&stats, "throttled"), 0.0);
}

#[wasm_bindgen_test]
async fn stopping_a_batch_settles_the_unsent_items_as_aborted() {
    let key = test_key("batch-stop");
    let phone = "8613800000503";
    let client = CamsClient::new(key_config(emulator(), &key)).expect("config is valid");
    let controller = web_sys::AbortController::new().expect("AbortController");
    // When the first call settled: the sixth slot opens one window (1 s) after it.
    let first_settled = Rc::new(std::cell::Cell::new(None::<f64>));
    let on_progress = {
        let controller = controller.clone();
        let first_settled = first_settled.clone();
        Closure::<dyn FnMut(f64, f64)>::new(move |done, _total| {
            if first_settled.get().is_none() {
                first_settled.set(Some(js_sys::Date::now()));
            }
            if done >= 3.0 {
                controller.abort();
            }
        })
    };
    let options = js("{}");
    set(&options, "onProgress", on_progress.as_ref());
    set(&options, "signal", &controller.signal());
    let results = batch(client.create_qrdls(requests(phone, 20).into(), options)).await;
    let first_settled = first_settled.get().expect("a call settled");
    let after_first = js_sys::Date::now() - first_settled;

    let done = results.iter().filter(|r| ok(r)).count();
    // The first window's five were sent at once; the stop came before the sixth could go.
    assert!((3..=5).contains(&done), "{done} done");
    for r in results.iter().filter(|r| !ok(r)) {
        let e = get(r, "error");
        assert_eq!(code(&e), "Aborted");
        assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    }
    // Finished items first: the queue is first come, first served.
    assert!(results[..done].iter().all(ok));
    // The unsent items settled as soon as the stop came, not when a slot opened for them: the
    // rule opens the sixth slot one window after the first call settled, and by then only the
    // other four of the first five (sent together with it) had to come back.
    assert!(
        after_first < 1000.0,
        "the batch settled {after_first} ms after its first call: it waited for a slot"
    );
    // Nothing aborted reached the service; nothing sent was lost.
    assert_eq!(list(&client, phone).await.len(), done);
    assert_eq!(stat(&account_stats(&key.id).await, "created"), done as f64);

    // A signal aborted before the batch starts: nothing is sent at all.
    let key = test_key("batch-preaborted");
    let client = CamsClient::new(key_config(emulator(), &key)).expect("config is valid");
    let controller = web_sys::AbortController::new().expect("AbortController");
    controller.abort();
    let options = js("{}");
    set(&options, "signal", &controller.signal());
    let results = batch(client.create_qrdls(requests(phone, 3).into(), options)).await;
    assert!(results.iter().all(|r| code(&get(r, "error")) == "Aborted"));
    assert_eq!(stat(&account_stats(&key.id).await, "requests"), 0.0);
}

#[wasm_bindgen_test]
async fn delete_qrdls_deletes_each_and_reports_the_unknown_one() {
    let key = test_key("batch-delete");
    let phone = "8613800000504";
    let client = CamsClient::new(key_config(emulator(), &key)).expect("config is valid");
    let created = batch(client.create_qrdls(requests(phone, 6).into(), JsValue::UNDEFINED)).await;
    let codes: Vec<String> = created
        .iter()
        .map(|r| get_str(&get(&get(r, "value"), "data"), "qrdlCode").expect("created"))
        .collect();
    let deletes: Array = codes
        .iter()
        .map(String::as_str)
        .chain(["NOSUCHCD"])
        .map(|c| js(&format!(r#"{{"phoneNumber":"{phone}","qrdlCode":"{c}"}}"#)))
        .collect();
    let results = batch(client.delete_qrdls(deletes.into(), JsValue::UNDEFINED)).await;
    assert_eq!(results.len(), 7);
    assert!(results[..6].iter().all(ok));
    assert_eq!(code(&get(&results[6], "error")), "Qrdl.NotExists");
    assert!(list(&client, phone).await.is_empty());
}

#[wasm_bindgen_test]
async fn bad_batch_arguments_are_invalid_parameters() {
    let key = test_key("batch-args");
    let client = CamsClient::new(key_config(emulator(), &key)).expect("config is valid");
    let e = rejection(client.create_qrdls(js(r#"{"phoneNumber":"1"}"#), JsValue::UNDEFINED)).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("requests"));
    let e = rejection(client.delete_qrdls(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("requests"));
    let e = rejection(client.create_qrdls(js("[]"), "fast".into())).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("options"));
    let e = rejection(client.create_qrdls(js("[]"), js(r#"{"signal":{}}"#))).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("options.signal"));
    let e = rejection(client.create_qrdls(js("[]"), js(r#"{"onProgress":1}"#))).await;
    assert_eq!(get_str(&e, "field").as_deref(), Some("options.onProgress"));
    assert_eq!(
        batch(client.create_qrdls(js("[]"), JsValue::NULL))
            .await
            .len(),
        0
    );

    // A callback that throws neither stops the batch nor loses a result.
    let options = js("{}");
    set(
        &options,
        "onProgress",
        &js_function("throw new Error('progress bar broke')"),
    );
    let results = batch(client.create_qrdls(requests("8613800000505", 3).into(), options)).await;
    assert!(results.iter().all(ok));
    assert_eq!(stat(&account_stats(&key.id).await, "created"), 3.0);
}

#[wasm_bindgen_test]
async fn a_batch_outlives_its_sts_credentials() {
    // The second relay hands out credentials that last 3 s; 25 calls take about 4.4 s.
    let phone = "8613800000506";
    let config = js("{}");
    let creds = js("{}");
    set(
        &creds,
        "stsRelayUrl",
        &format!("{}/sts", short_relay()).into(),
    );
    set(&config, "credentials", &creds);
    set(
        &config,
        "endpoint",
        &format!("{}/cams", short_relay()).into(),
    );
    let client = CamsClient::new(config).expect("config is valid");
    let results = batch(client.create_qrdls(requests(phone, 25).into(), JsValue::UNDEFINED)).await;
    for (i, r) in results.iter().enumerate() {
        assert!(
            ok(r),
            "item {i}: {}",
            get_str(&get(r, "error"), "message").unwrap_or_default()
        );
    }
    assert_eq!(list(&client, phone).await.len(), 25);
    let (_, body) = fetch_text(&format!("{}/__emulator/stats", short_emulator()), &js("{}")).await;
    let stats = js(&body);
    assert_eq!(stat(&stats, "created"), 25.0);
    assert!(
        stat(&stats, "byAction.AssumeRole") >= 2.0,
        "the credentials were renewed during the batch"
    );
}
