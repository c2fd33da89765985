//! The `/__emulator/` helpers.

use axum::body::Body;
use axum::http::{header, Method, Request};

use crate::harness::{Harness, ADMIN_HOST};

#[tokio::test]
async fn html_page_for_invalid_response_tests() {
    let h = Harness::new();
    // A browser module posts its signed form here as if it were CAMS: any type is fine, the
    // route changes nothing.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/__emulator/html")
        .header(header::HOST, ADMIN_HOST)
        .header(header::ORIGIN, "http://localhost:1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("Action=CreatePhoneMessageQrdl"))
        .unwrap();
    let r = h.send(request).await;
    assert_eq!(r.status, 200);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // No CORS unless --emulator-admin-cors names the page.
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(String::from_utf8(r.bytes)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[tokio::test]
async fn stats_count_calls_by_action_and_code() {
    let h = Harness::new();
    h.create("one", "PNG").await;
    h.call("ListPhoneMessageQrdl", &[]).await;
    let stats = h.get_path("/__emulator/stats").await.json();
    assert_eq!(stats["requests"], 2);
    assert_eq!(stats["byAction"]["CreatePhoneMessageQrdl"], 1);
    assert_eq!(stats["byCode"]["OK"], 1);
    assert_eq!(stats["byCode"]["MissingParameter"], 1);
}

#[tokio::test]
async fn the_clock_can_be_read_and_shifted_over_http() {
    let h = Harness::new();
    let shift = |query: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/__emulator/clock?{query}"))
            .header(header::HOST, ADMIN_HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::empty())
            .unwrap()
    };
    let r = h.send(shift("offsetSeconds=600")).await;
    assert_eq!(r.json()["offsetSeconds"], 600);
    let r = h.send(shift("advanceSeconds=-100")).await;
    assert_eq!(r.json()["offsetSeconds"], 500);
    assert_eq!(h.emu.clock.offset_secs(), 500);
    assert_eq!(h.send(shift("offsetSeconds=soon")).await.status, 400);
    assert_eq!(
        h.get_path("/__emulator/clock").await.json()["offsetSeconds"],
        500
    );
}

#[tokio::test]
async fn the_clock_takes_a_json_body_too() {
    let h = Harness::new();
    let r = h
        .admin(
            Method::POST,
            "/__emulator/clock",
            Some(r#"{"offsetSeconds":-30,"freeze":true}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["offsetSeconds"], -30);
    assert_eq!(r.json()["frozen"], true);
    for bad in [r#"[1]"#, r#"{"offsetSeconds":[1]}"#, "offsetSeconds=1"] {
        let r = h.admin(Method::POST, "/__emulator/clock", Some(bad)).await;
        assert_eq!(r.status, 400, "{bad}");
    }
    // Nothing to shift: refused, as before.
    assert_eq!(
        h.admin(Method::POST, "/__emulator/clock", None)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn seed_creates_many_codes_for_an_account_at_once() {
    let h = Harness::new();
    let r = h
        .admin(
            Method::POST,
            "/__emulator/seed",
            Some(
                r#"{"phoneNumber":"8613800001234","count":2000,"message":"Store","format":"SVG"}"#,
            ),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["created"], 2000);
    assert_eq!(body["limitReached"], false);
    let listed = h
        .call("ListPhoneMessageQrdl", &[("PhoneNumber", "8613800001234")])
        .await
        .assert_ok();
    let data = listed["Data"].as_array().unwrap();
    assert_eq!(data.len(), 2000);
    assert_eq!(data[0]["PrefilledMessage"], "Store 1");
    assert_eq!(data[1999]["PrefilledMessage"], "Store 2000");
    assert_eq!(data[5]["GenerateQrImage"], "SVG");
    assert_eq!(data[0]["QrdlCode"], body["codes"][0]);

    // At the number's limit it stops and says so; the calls it made are not counted as API calls.
    let more = h
        .admin(
            Method::POST,
            "/__emulator/seed",
            Some(r#"{"phoneNumber":"8613800001234","count":1}"#),
        )
        .await
        .json();
    assert_eq!(
        (more["created"].clone(), more["limitReached"].clone()),
        (0.into(), true.into())
    );

    // Bad bodies are refused; a form POST never reaches it.
    for bad in [
        r#"{"count":1}"#,
        r#"{"phoneNumber":"+86","count":1}"#,
        r#"{"phoneNumber":"8613800001234","count":0}"#,
        r#"{"phoneNumber":"8613800001234","count":1,"format":"JPG"}"#,
    ] {
        assert_eq!(
            h.admin(Method::POST, "/__emulator/seed", Some(bad))
                .await
                .status,
            400,
            "{bad}"
        );
    }
    let form = Request::builder()
        .method(Method::POST)
        .uri("/__emulator/seed")
        .header(header::HOST, ADMIN_HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("phoneNumber=8613800001234&count=1"))
        .unwrap();
    assert_eq!(h.send(form).await.status, 415);
}
