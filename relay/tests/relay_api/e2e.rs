//! Against the built-in emulator: credentials from `/sts` sign CAMS calls that go through
//! `/cams` and that the emulator accepts, within the session policy the relay asked for.

use cams_protocol::credentials::Credentials;
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::sign::Method;
use cams_relay::server::Running;

use crate::support::*;

const PHONE: &str = "8613800005678";

async fn sts_credentials(relay: &Running) -> Credentials {
    let got = get(&at(relay, "/sts"), &[]).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let t = cams_protocol::sts::parse_credentials(&got.text, "relay").unwrap();
    assert!(t.credentials.security_token.is_some());
    t.credentials
}

async fn call(
    relay: &Running,
    creds: &Credentials,
    action: &str,
    business: &[(&str, &str)],
) -> Got {
    let nonce = uuid::Uuid::new_v4().to_string();
    let ctx = CallContext {
        action,
        version: CAMS_VERSION,
        unix_secs: now(),
        nonce: &nonce,
    };
    let params = signed_params(Method::Post, &ctx, creds, business);
    post(&at(relay, "/cams"), &[], form_body(&params)).await
}

fn assume_role_calls(relay: &Running) -> u64 {
    relay.emulator.as_ref().unwrap().state.stats.snapshot()["byAction"]["AssumeRole"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn sts_credentials_sign_calls_the_emulator_accepts_through_cams() {
    // Eleven /sts calls from one address: above the default burst of 10.
    let relay = emulated(&["--sts-rate-limit", "120"]).await;
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let url = at(&relay, "/sts");
            tokio::spawn(async move { get(&url, &[]).await })
        })
        .collect();
    let mut ids = Vec::new();
    for c in calls {
        let got = c.await.unwrap();
        assert_eq!(got.status, 200);
        ids.push(got.json()["AccessKeyId"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(assume_role_calls(&relay), 1);

    let creds = sts_credentials(&relay).await;
    assert_eq!(creds.access_key_id, ids[0]);
    assert_eq!(assume_role_calls(&relay), 1);
    let got = call(
        &relay,
        &creds,
        "CreatePhoneMessageQrdl",
        &[
            ("PhoneNumber", PHONE),
            ("GenerateQrImage", "PNG"),
            ("PrefilledMessage", "Hello from the relay test ~*+&="),
        ],
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let body = got.json();
    assert_eq!(body["Code"], "OK");
    let code = body["Data"]["QrdlCode"].as_str().unwrap().to_owned();
    assert_eq!(
        body["Data"]["PrefilledMessage"],
        "Hello from the relay test ~*+&="
    );
    assert!(got.header("date").is_some());

    let got = call(
        &relay,
        &creds,
        "ListPhoneMessageQrdl",
        &[("PhoneNumber", PHONE)],
    )
    .await;
    assert_eq!(got.json()["Code"], "OK");
    assert!(got.text.contains(&code));

    // A wrong signature is the emulator's refusal, passed through as it came.
    let wrong = Credentials {
        access_key_secret: "not-the-secret".into(),
        ..creds.clone()
    };
    let got = call(
        &relay,
        &wrong,
        "ListPhoneMessageQrdl",
        &[("PhoneNumber", PHONE)],
    )
    .await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (400, "SignatureDoesNotMatch")
    );
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_default_policy_allows_the_four_actions_and_an_override_can_deny() {
    let relay = emulated(&[]).await;
    let creds = sts_credentials(&relay).await;
    let got = call(
        &relay,
        &creds,
        "ListPhoneMessageQrdl",
        &[("PhoneNumber", PHONE)],
    )
    .await;
    assert_eq!(got.code(), "OK");
    relay.shutdown().await.unwrap();

    let only_create = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"cams:CreatePhoneMessageQrdl","Resource":"*"}]}"#;
    let relay = emulated(&["--sts-policy", only_create]).await;
    let creds = sts_credentials(&relay).await;
    let got = call(
        &relay,
        &creds,
        "ListPhoneMessageQrdl",
        &[("PhoneNumber", PHONE)],
    )
    .await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (400, "Ram.PermissionDeny"),
        "{}",
        got.text
    );
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn sts_duration_reaches_assume_role() {
    let relay = emulated(&["--emulator-sts-min-duration", "60", "--sts-duration", "60"]).await;
    let got = get(&at(&relay, "/sts"), &[]).await;
    let exp =
        cams_protocol::time::parse_timestamp(got.json()["Expiration"].as_str().unwrap()).unwrap();
    assert!((55..=65).contains(&(exp - now())), "{}", exp - now());
    relay.shutdown().await.unwrap();

    // Below the emulator's (and STS's) minimum: refused at start, not on every /sts.
    let refused = emulated_refused(&["--sts-duration", "60"]).await;
    assert!(
        refused.contains("--sts-duration") && refused.contains("900 to 3600"),
        "{refused}"
    );
}
