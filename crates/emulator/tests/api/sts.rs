//! AssumeRole: minting, using, expiring, and session policies on CAMS calls.

use cams_emulator::EmulatorConfig;
use cams_protocol::sign::Method as SignMethod;
use cams_protocol::time::{format_timestamp, parse_timestamp};
use serde_json::Value;

use crate::harness::{Harness, PHONE};

const ROLE: &str = "acs:ram::1234567890123456:role/cams-qrdl-browser";

fn list() -> [(&'static str, &'static str); 1] {
    [("PhoneNumber", PHONE)]
}

fn create() -> [(&'static str, &'static str); 3] {
    [
        ("PhoneNumber", PHONE),
        ("PrefilledMessage", "from a session"),
        ("GenerateQrImage", "PNG"),
    ]
}

#[tokio::test]
async fn assume_role_mints_documented_credentials() {
    let h = Harness::new();
    let before = h.emu.clock.now_secs();
    let r = h
        .call(
            "AssumeRole",
            &[("RoleArn", ROLE), ("RoleSessionName", "web-42")],
        )
        .await;
    let body = r.assert_ok();
    assert!(
        body.get("Code").is_none(),
        "STS replies carry no Code: {body}"
    );
    assert!(body["RequestId"].as_str().is_some());
    let user = &body["AssumedRoleUser"];
    assert_eq!(
        user["Arn"],
        "acs:ram::1234567890123456:assumed-role/cams-qrdl-browser/web-42"
    );
    assert!(user["AssumedRoleId"].as_str().unwrap().ends_with(":web-42"));
    let c = &body["Credentials"];
    assert!(c["AccessKeyId"].as_str().unwrap().starts_with("STS."));
    assert!(c["AccessKeySecret"].as_str().unwrap().len() >= 30);
    assert!(c["SecurityToken"].as_str().unwrap().len() > 100);
    let expiration = c["Expiration"].as_str().unwrap();
    let at = parse_timestamp(expiration).unwrap();
    assert_eq!(expiration, format_timestamp(at));
    assert!(
        (before + 3600..=before + 3602).contains(&at),
        "{expiration}"
    );
}

#[tokio::test]
async fn temporary_credentials_work_on_cams_with_get_and_post() {
    let h = Harness::new();
    let creds = h.assume_role(&[]).await;
    h.call_as(&creds, "CreatePhoneMessageQrdl", &create())
        .await
        .assert_ok();
    let params = h.sign(SignMethod::Get, "ListPhoneMessageQrdl", &creds, &list());
    let body = h.send_params(SignMethod::Get, &params).await.assert_ok();
    assert_eq!(body["Data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_security_token_must_be_present_and_the_one_minted() {
    let h = Harness::new();
    let creds = h.assume_role(&[]).await;
    let other = h.assume_role(&[]).await;

    let mut no_token = creds.clone();
    no_token.security_token = None;
    h.call_as(&no_token, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "MissingSecurityToken");

    let mut foreign = creds.clone();
    foreign.security_token = other.security_token.clone();
    h.call_as(&foreign, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "InvalidSecurityToken.MismatchWithAccessKey");

    let mut garbage = creds.clone();
    garbage.security_token = Some("CAISnot-a-token".into());
    h.call_as(&garbage, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "InvalidSecurityToken.Malformed");

    // A long-term key may not carry a token.
    let mut long_term = crate::harness::demo_key();
    long_term.security_token = creds.security_token.clone();
    h.call_as(&long_term, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "InvalidSecurityToken.MismatchWithAccessKey");

    let mut wrong_secret = creds.clone();
    wrong_secret.access_key_secret = other.access_key_secret.clone();
    h.call_as(&wrong_secret, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn tokens_expire() {
    let h = Harness::new();
    let creds = h.assume_role(&[("DurationSeconds", "900")]).await;
    h.call_as(&creds, "ListPhoneMessageQrdl", &list())
        .await
        .assert_ok();
    h.emu.clock.advance_secs(899);
    h.call_as(&creds, "ListPhoneMessageQrdl", &list())
        .await
        .assert_ok();
    h.emu.clock.advance_secs(2);
    let r = h.call_as(&creds, "ListPhoneMessageQrdl", &list()).await;
    r.assert_error(400, "InvalidSecurityToken.Expired");
    assert_eq!(r.message(), "Specified SecurityToken is expired.");
}

#[tokio::test]
async fn a_lower_minimum_duration_allows_short_sessions_for_tests() {
    let h = Harness::with_config(EmulatorConfig {
        sts_min_duration: 5,
        ..EmulatorConfig::default()
    });
    let creds = h.assume_role(&[("DurationSeconds", "5")]).await;
    h.emu.clock.advance_secs(6);
    h.call_as(&creds, "ListPhoneMessageQrdl", &list())
        .await
        .assert_error(400, "InvalidSecurityToken.Expired");
    h.call(
        "AssumeRole",
        &[
            ("RoleArn", ROLE),
            ("RoleSessionName", "ab"),
            ("DurationSeconds", "4"),
        ],
    )
    .await
    .assert_error(400, "InvalidParameter.DurationSeconds");
}

#[tokio::test]
async fn assume_role_validates_its_parameters() {
    let h = Harness::new();
    let big_policy = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":["{}"],"Resource":"*"}}]}}"#,
        "cams:x,".repeat(200)
    );
    for (params, status, code) in [
        (vec![("RoleSessionName", "ab")], 400, "MissingParameter"),
        (vec![("RoleArn", ROLE)], 400, "MissingParameter"),
        (
            vec![("RoleArn", "acs:ram::x:role/r"), ("RoleSessionName", "ab")],
            400,
            "InvalidParameter.RoleArn",
        ),
        (
            vec![("RoleArn", ROLE), ("RoleSessionName", "a")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            vec![("RoleArn", ROLE), ("RoleSessionName", "has space")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("DurationSeconds", "899"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("DurationSeconds", "3601"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("DurationSeconds", "1h"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("Policy", "{not json"),
            ],
            400,
            "InvalidParameter.PolicyGrammar",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("Policy", r#"{"Version":"1"}"#),
            ],
            400,
            "InvalidParameter.PolicyGrammar",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "ab"),
                ("Policy", big_policy.as_str()),
            ],
            400,
            "InvalidParameter.PolicySize",
        ),
    ] {
        let r = h.call("AssumeRole", &params).await;
        r.assert_error(status, code);
        assert!(r.json()["Recommend"]
            .as_str()
            .unwrap()
            .contains("product=Sts"));
    }
}

#[tokio::test]
async fn only_long_term_keys_may_assume_the_role() {
    let h = Harness::new();
    let creds = h.assume_role(&[]).await;
    h.call_as(
        &creds,
        "AssumeRole",
        &[("RoleArn", ROLE), ("RoleSessionName", "chained")],
    )
    .await
    .assert_error(403, "NoPermission");
}

#[tokio::test]
async fn a_session_policy_limits_cams_actions() {
    let h = Harness::new();
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["cams:CreatePhoneMessageQrdl"],"Resource":"*"}]}"#;
    let creds = h.assume_role(&[("Policy", policy)]).await;
    h.call_as(&creds, "CreatePhoneMessageQrdl", &create())
        .await
        .assert_ok();
    let r = h.call_as(&creds, "ListPhoneMessageQrdl", &list()).await;
    r.assert_error(400, "Ram.PermissionDeny");
    assert_eq!(
        r.message(),
        "You are not authorized to perform the operation."
    );
    let detail: Value =
        serde_json::from_str(r.json()["AccessDeniedDetail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["AuthAction"], "cams:ListPhoneMessageQrdl");
    assert_eq!(detail["AuthPrincipalType"], "AssumedRoleUser");
    assert_eq!(detail["PolicyType"], "SessionPolicy");
    assert_eq!(detail["NoPermissionType"], "ImplicitDeny");
    assert_eq!(
        detail["AuthPrincipalDisplayName"],
        "cams-qrdl-browser:harness"
    );
}

#[tokio::test]
async fn the_four_action_wildcard_allows_them_and_an_explicit_deny_wins() {
    let h = Harness::new();
    let policy = r#"{"Version":"1","Statement":[
        {"Effect":"Allow","Action":"cams:*PhoneMessageQrdl","Resource":"*"},
        {"Effect":"Deny","Action":"cams:Delete*","Resource":"*"}]}"#;
    let creds = h.assume_role(&[("Policy", policy)]).await;
    let data = h
        .call_as(&creds, "CreatePhoneMessageQrdl", &create())
        .await
        .assert_ok()["Data"]
        .clone();
    h.call_as(&creds, "ListPhoneMessageQrdl", &list())
        .await
        .assert_ok();
    let code = data["QrdlCode"].as_str().unwrap();
    let r = h
        .call_as(
            &creds,
            "DeletePhoneMessageQrdl",
            &[("PhoneNumber", PHONE), ("QrdlCode", code)],
        )
        .await;
    r.assert_error(400, "Ram.PermissionDeny");
    let detail: Value =
        serde_json::from_str(r.json()["AccessDeniedDetail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["NoPermissionType"], "ExplicitDeny");
    // The long-term key is not bound by the session's policy.
    h.call(
        "DeletePhoneMessageQrdl",
        &[("PhoneNumber", PHONE), ("QrdlCode", code)],
    )
    .await
    .assert_ok();
}
