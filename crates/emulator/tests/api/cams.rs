//! The four CAMS actions: replies, state, and the validation WhatsApp applies behind CAMS.

use cams_emulator::EmulatorConfig;
use serde_json::Value;

use crate::harness::{other_key, two_keys, Harness, BASE, PHONE};

fn code_of(data: &Value) -> String {
    data["QrdlCode"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_returns_the_documented_qrdl() {
    let h = Harness::new();
    let message = "Hello 你好 👋 & = + %";
    let data = h.create(message, "PNG").await;
    let code = code_of(&data);
    assert_eq!(code.len(), 8);
    assert!(code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(data["DeepLinkUrl"], format!("https://wa.me/message/{code}"));
    assert_eq!(data["QrImageUrl"], format!("{BASE}qr/{code}.png"));
    assert_eq!(data["PhoneNumber"], PHONE);
    assert_eq!(data["GenerateQrImage"], "PNG");
    assert_eq!(data["PrefilledMessage"], message);
    let keys: Vec<&str> = data
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");

    // Another create for the same number and message is another code.
    assert_ne!(code_of(&h.create(message, "PNG").await), code);
}

#[tokio::test]
async fn list_returns_a_numbers_codes_per_space() {
    let h = Harness::new();
    let a = code_of(&h.create("one", "PNG").await);
    let b = code_of(&h.create("two", "SVG").await);
    let in_space = h
        .call(
            "CreatePhoneMessageQrdl",
            &[
                ("PhoneNumber", PHONE),
                ("PrefilledMessage", "three"),
                ("GenerateQrImage", "PNG"),
                ("CustSpaceId", "cams-space-1"),
            ],
        )
        .await
        .assert_ok();

    let body = h
        .call("ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
        .await
        .assert_ok();
    assert_eq!(body["Code"], "OK");
    let listed: Vec<String> = body["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(code_of)
        .collect();
    assert_eq!(listed, vec![a, b]);
    assert_eq!(
        body["Data"][1]["QrImageUrl"],
        format!("{BASE}qr/{}.svg", listed[1])
    );

    let body = h
        .call(
            "ListPhoneMessageQrdl",
            &[("PhoneNumber", PHONE), ("CustSpaceId", "cams-space-1")],
        )
        .await
        .assert_ok();
    assert_eq!(body["Data"].as_array().unwrap().len(), 1);
    assert_eq!(body["Data"][0], in_space["Data"]);

    let empty = h
        .call("ListPhoneMessageQrdl", &[("PhoneNumber", "4915100000000")])
        .await
        .assert_ok();
    assert_eq!(empty["Data"], Value::Array(vec![]));
}

/// As Alibaba documents Update: the original code stops working and the reply's code and deep
/// link are the ones to print from then on.
#[tokio::test]
async fn update_replaces_the_code_and_the_old_one_stops_working() {
    let h = Harness::new();
    let before = h.create("before", "PNG").await;
    let code = code_of(&before);
    let second = code_of(&h.create("second", "PNG").await);
    let body = h
        .call(
            "UpdatePhoneMessageQrdl",
            &[
                ("PhoneNumber", PHONE),
                ("QrdlCode", &code),
                ("PrefilledMessage", "after"),
                ("GenerateQrImage", "SVG"),
            ],
        )
        .await
        .assert_ok();
    let after = &body["Data"];
    let new_code = code_of(after);
    assert_ne!(new_code, code);
    assert_eq!(
        after["DeepLinkUrl"],
        format!("https://wa.me/message/{new_code}")
    );
    assert_eq!(after["PrefilledMessage"], "after");
    assert_eq!(after["GenerateQrImage"], "SVG");
    assert_eq!(after["QrImageUrl"], format!("{BASE}qr/{new_code}.svg"));

    // The new code takes the old one's place in the list; the old one is gone.
    let listed = h
        .call("ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
        .await
        .assert_ok();
    assert_eq!(&listed["Data"][0], after);
    assert_eq!(listed["Data"][1]["QrdlCode"], second.as_str());
    assert_eq!(listed["Data"].as_array().map(Vec::len), Some(2));

    // Its image no longer resolves; the new one does.
    assert_eq!(h.get_path(&format!("/qr/{code}.png")).await.status, 404);
    assert_eq!(h.get_path(&format!("/qr/{code}.svg")).await.status, 404);
    assert_eq!(h.get_path(&format!("/qr/{new_code}.svg")).await.status, 200);

    // Updating or deleting the old code is refused as a code that does not exist.
    h.call(
        "DeletePhoneMessageQrdl",
        &[("PhoneNumber", PHONE), ("QrdlCode", &code)],
    )
    .await
    .assert_error(400, "Qrdl.NotExists");

    for (phone, qrdl) in [
        (PHONE, "ZZZZZZZZ"),
        (PHONE, code.as_str()),
        ("4915100000000", new_code.as_str()),
    ] {
        let r = h
            .call(
                "UpdatePhoneMessageQrdl",
                &[
                    ("PhoneNumber", phone),
                    ("QrdlCode", qrdl),
                    ("PrefilledMessage", "x"),
                    ("GenerateQrImage", "PNG"),
                ],
            )
            .await;
        r.assert_error(400, "Qrdl.NotExists");
        assert!(r.message().contains(qrdl));
    }
}

#[tokio::test]
async fn delete_removes_the_code_and_has_no_data() {
    let h = Harness::new();
    let keep = code_of(&h.create("keep", "PNG").await);
    let gone = code_of(&h.create("gone", "PNG").await);
    let delete = [("PhoneNumber", PHONE), ("QrdlCode", gone.as_str())];
    let body = h.call("DeletePhoneMessageQrdl", &delete).await.assert_ok();
    assert_eq!(body["Code"], "OK");
    assert!(body.get("Data").is_none(), "{body}");

    let listed = h
        .call("ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
        .await
        .assert_ok();
    let codes: Vec<String> = listed["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(code_of)
        .collect();
    assert_eq!(codes, vec![keep]);

    h.call("DeletePhoneMessageQrdl", &delete)
        .await
        .assert_error(400, "Qrdl.NotExists");
}

#[tokio::test]
async fn missing_business_parameters_are_named() {
    let h = Harness::new();
    for (action, params, missing) in [
        (
            "CreatePhoneMessageQrdl",
            vec![("PrefilledMessage", "x"), ("GenerateQrImage", "PNG")],
            "PhoneNumber",
        ),
        (
            "CreatePhoneMessageQrdl",
            vec![("PhoneNumber", PHONE), ("PrefilledMessage", "x")],
            "GenerateQrImage",
        ),
        (
            "CreatePhoneMessageQrdl",
            vec![
                ("PhoneNumber", PHONE),
                ("GenerateQrImage", "PNG"),
                ("PrefilledMessage", ""),
            ],
            "PrefilledMessage",
        ),
        (
            "UpdatePhoneMessageQrdl",
            vec![
                ("PhoneNumber", PHONE),
                ("PrefilledMessage", "x"),
                ("GenerateQrImage", "PNG"),
            ],
            "QrdlCode",
        ),
        (
            "DeletePhoneMessageQrdl",
            vec![("PhoneNumber", PHONE)],
            "QrdlCode",
        ),
        ("ListPhoneMessageQrdl", vec![], "PhoneNumber"),
    ] {
        let r = h.call(action, &params).await;
        r.assert_error(400, "MissingParameter");
        assert!(
            r.message().contains(&format!("\"{missing}\"")),
            "{action}: {}",
            r.message()
        );
    }
}

#[tokio::test]
async fn values_whatsapp_refuses_are_invalid() {
    let h = Harness::new();
    let long = "a".repeat(141);
    for (phone, message, format, field) in [
        ("+8613800001234", "x", "PNG", "PhoneNumber"),
        ("86 138 0000", "x", "PNG", "PhoneNumber"),
        ("12345", "x", "PNG", "PhoneNumber"),
        (PHONE, long.as_str(), "PNG", "PrefilledMessage"),
        (PHONE, "   ", "PNG", "PrefilledMessage"),
        (PHONE, "x", "JPG", "GenerateQrImage"),
        (PHONE, "x", "png", "GenerateQrImage"),
    ] {
        let r = h
            .call(
                "CreatePhoneMessageQrdl",
                &[
                    ("PhoneNumber", phone),
                    ("PrefilledMessage", message),
                    ("GenerateQrImage", format),
                ],
            )
            .await;
        r.assert_error(400, &format!("InvalidParameter.{field}"));
    }
    // 140 characters is allowed, however many bytes they take.
    let emoji = "👋".repeat(140);
    assert_eq!(
        h.create(&emoji, "SVG").await["PrefilledMessage"],
        emoji.as_str()
    );
}

#[tokio::test]
async fn the_per_number_limit_is_enforced() {
    let h = Harness::with_config(EmulatorConfig {
        max_codes_per_number: 3,
        ..EmulatorConfig::default()
    });
    for i in 0..3 {
        h.create(&format!("m{i}"), "PNG").await;
    }
    let r = h
        .call(
            "CreatePhoneMessageQrdl",
            &[
                ("PhoneNumber", PHONE),
                ("PrefilledMessage", "one too many"),
                ("GenerateQrImage", "PNG"),
            ],
        )
        .await;
    r.assert_error(400, "Qrdl.LimitExceeded");
    assert!(r.message().contains('3'), "{}", r.message());
}

#[tokio::test]
async fn an_account_sees_only_its_own_codes() {
    let h = Harness::with_config(two_keys());
    let mine = h.create("mine", "PNG").await;
    let code = code_of(&mine);
    // Another account's key lists nothing for the same number and cannot touch the code.
    let r = h.list_as(&other_key()).await;
    assert_eq!(r.assert_ok()["Data"], serde_json::json!([]));
    let r = h
        .call_as(
            &other_key(),
            "DeletePhoneMessageQrdl",
            &[("PhoneNumber", PHONE), ("QrdlCode", &code)],
        )
        .await;
    r.assert_error(400, "Qrdl.NotExists");
    // Temporary credentials act for the key that assumed the role.
    let temporary = h.assume_role(&[]).await;
    let listed = h.list_as(&temporary).await.assert_ok()["Data"].clone();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(code_of(&listed[0]), code);
}
