//! `GET /sts`: what AssumeRole is sent, caching and refresh, one call for many callers, errors.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cams_protocol::credentials::Credentials;
use cams_protocol::sign::{sign_params, Method};
use cams_protocol::time::parse_timestamp;
use cams_relay::api_args::DEFAULT_STS_POLICY;
use cams_relay::auth::tiers::tier_policies;
use cams_relay::auth::{ActionSet, Caller};
use cams_relay::config::RelayIdentity;
use cams_relay::sts_vendor::{StsSettings, StsVendor};

use crate::support::*;

fn vendor(sts: &Mock, clock: &Arc<AtomicI64>, duration_secs: u32) -> StsVendor {
    let clock = Arc::clone(clock);
    StsVendor::new(
        client(),
        StsSettings {
            endpoint: url::Url::parse(&sts.url).unwrap(),
            identity: RelayIdentity {
                credentials: Credentials {
                    access_key_id: RELAY_KEY_ID.into(),
                    access_key_secret: RELAY_SECRET.into(),
                    security_token: None,
                },
                role_arn: ROLE_ARN.into(),
            },
            duration_secs,
            policies: tier_policies(DEFAULT_STS_POLICY, ActionSet::ALL).unwrap(),
            timeout: Duration::from_secs(5),
        },
        Arc::new(move || clock.load(Ordering::SeqCst)),
    )
}

#[tokio::test]
async fn assume_role_is_a_signed_post_with_the_policy_and_a_fresh_session_name() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &["--sts-duration", "1200"]).await;

    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.header("cache-control"), Some("no-store"));
    let body = got.json();
    assert_eq!(body["AccessKeyId"], "STS.mock1");
    assert_eq!(body["AccessKeySecret"], "mock-sts-secret-1");
    assert_eq!(body["SecurityToken"], "CAIS-mock+token/1=");
    assert!(parse_timestamp(body["Expiration"].as_str().unwrap()).is_some());
    // The host /cams forwards to, which a Signature V3 call through it is signed for.
    assert_eq!(body["CamsHost"], cams.authority.as_str(), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 5, "{body}");

    let seen = sts.seen();
    assert_eq!(seen.len(), 1);
    let call = &seen[0];
    assert_eq!(call.method, "POST");
    assert_eq!(call.uri, "/");
    assert_eq!(
        call.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(call.param("Action").as_deref(), Some("AssumeRole"));
    assert_eq!(call.param("Version").as_deref(), Some("2015-04-01"));
    assert_eq!(call.param("AccessKeyId").as_deref(), Some(RELAY_KEY_ID));
    assert_eq!(call.param("RoleArn").as_deref(), Some(ROLE_ARN));
    assert_eq!(call.param("DurationSeconds").as_deref(), Some("1200"));
    // An anonymous caller of a production relay: the relay's policy, with update, delete and
    // list denied.
    let policy: serde_json::Value = serde_json::from_str(&call.param("Policy").unwrap()).unwrap();
    let default: serde_json::Value = serde_json::from_str(DEFAULT_STS_POLICY).unwrap();
    assert_eq!(policy["Statement"][0], default["Statement"][0]);
    assert_eq!(policy["Statement"][1]["Effect"], "Deny");
    assert_eq!(
        policy["Statement"][1]["Action"],
        serde_json::json!([
            "cams:ListPhoneMessageQrdl",
            "cams:UpdatePhoneMessageQrdl",
            "cams:DeletePhoneMessageQrdl"
        ])
    );
    assert_eq!(
        call.param("RoleSessionName").as_deref(),
        Some("cams-qrdl-anonymous")
    );
    assert!(call.param("SecurityToken").is_none());
    // The signature verifies with the relay's secret, and the secret itself was not sent.
    let params = cams_protocol::encode::parse_form(&String::from_utf8_lossy(&call.body));
    let unsigned: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = sign_params(Method::Post, unsigned.iter().copied(), RELAY_SECRET);
    assert_eq!(call.param("Signature"), Some(expected.signature));
    assert!(!String::from_utf8_lossy(&call.body).contains("relay-Secret"));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn sts_policy_flag_overrides_the_default() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let policy =
        r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"cams:*","Resource":"*"}]}"#;
    let relay = production(
        &cams,
        &sts,
        &["--sts-policy", policy, "--auth-token", "tok"],
    )
    .await;
    // Signed-in callers get it as it is.
    let got = get(&at(&relay, "/sts"), &[("authorization", "Bearer tok")]).await;
    assert_eq!(got.status, 200);
    let sent: serde_json::Value =
        serde_json::from_str(&sts.seen()[0].param("Policy").unwrap()).unwrap();
    assert_eq!(
        sent,
        serde_json::from_str::<serde_json::Value>(policy).unwrap()
    );
    relay.shutdown().await.unwrap();
    for (bad, why) in [
        ("{not json", "not valid JSON"),
        (r#"{"Version":"1"}"#, "Statement"),
        (r#"{"Version":"2","Statement":[]}"#, "Version"),
    ] {
        let refused = production_refused(&["--sts-policy", bad]).await;
        assert!(
            refused.contains("--sts-policy") && refused.contains(why),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn settings_sts_refuses_on_every_call_stop_the_start() {
    // Over 43,200 the command line itself refuses it.
    assert!(<cams_relay::cli::Cli as clap::Parser>::try_parse_from([
        "cams-relay",
        "--sts-duration",
        "43201"
    ])
    .is_err());
    for duration in ["899", "60"] {
        let refused = production_refused(&["--sts-duration", duration]).await;
        assert!(
            refused.contains("--sts-duration") && refused.contains("900 to 43200"),
            "{refused}"
        );
    }
    // A policy over STS's 1,024 bytes, or one the anonymous tier's Deny pushes over it.
    let statement = r#"{"Effect":"Allow","Action":"cams:CreatePhoneMessageQrdl","Resource":"*"}"#;
    let long = format!(
        r#"{{"Version":"1","Statement":[{}]}}"#,
        [statement; 14].join(",")
    );
    assert!(long.len() > 1024);
    let refused = production_refused(&["--sts-policy", &long, "--auth-token", "t"]).await;
    assert!(refused.contains("1024"), "{refused}");
    let near = format!(
        r#"{{"Version":"1","Statement":[{}]}}"#,
        [statement; 12].join(",")
    );
    assert!(near.len() <= 1024);
    let refused = production_refused(&["--sts-policy", &near]).await;
    assert!(
        refused.contains("anonymous tier") && refused.contains("1024"),
        "{refused}"
    );
}

#[tokio::test]
async fn credentials_are_reused_until_the_browsers_refresh_window() {
    let clock = Arc::new(AtomicI64::new(1_800_000_000));
    let sts = mock_sts(Arc::clone(&clock), Duration::ZERO).await;
    let v = vendor(&sts, &clock, 3600);
    let first = v.credentials(&Caller::Anonymous).await.unwrap();
    assert_eq!(first.credentials.access_key_id, "STS.mock1");
    // 3600 s: the browser refreshes with 720 s left (a fifth), so the relay hands the same set
    // out until then, and never one with less left.
    clock.fetch_add(3600 - 720 - 1, Ordering::SeqCst);
    assert_eq!(v.credentials(&Caller::Anonymous).await.unwrap(), first);
    assert_eq!(sts.count(), 1);
    clock.fetch_add(1, Ordering::SeqCst);
    let second = v.credentials(&Caller::Anonymous).await.unwrap();
    assert_eq!(second.credentials.access_key_id, "STS.mock2");
    assert_eq!(sts.count(), 2);
    assert!(second.expiration - clock.load(Ordering::SeqCst) == 3600);
    // And the new set is kept in turn.
    assert_eq!(v.credentials(&Caller::Anonymous).await.unwrap(), second);
    assert_eq!(sts.count(), 2);
}

#[tokio::test]
async fn short_lifetimes_refresh_at_a_fifth() {
    let clock = Arc::new(AtomicI64::new(1_800_000_000));
    let sts = mock_sts(Arc::clone(&clock), Duration::ZERO).await;
    let v = vendor(&sts, &clock, 900);
    v.credentials(&Caller::Anonymous).await.unwrap();
    clock.fetch_add(900 - 180 - 1, Ordering::SeqCst);
    v.credentials(&Caller::Anonymous).await.unwrap();
    assert_eq!(sts.count(), 1);
    clock.fetch_add(1, Ordering::SeqCst);
    v.credentials(&Caller::Anonymous).await.unwrap();
    assert_eq!(sts.count(), 2);
}

#[tokio::test]
async fn many_callers_at_once_make_one_assume_role() {
    let clock = Arc::new(AtomicI64::new(now()));
    let sts = mock_sts(Arc::clone(&clock), Duration::from_millis(300)).await;
    let v = Arc::new(vendor(&sts, &clock, 3600));
    let calls: Vec<_> = (0..25)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move { v.credentials(&Caller::Anonymous).await })
        })
        .collect();
    for c in calls {
        assert_eq!(
            c.await.unwrap().unwrap().credentials.access_key_id,
            "STS.mock1"
        );
    }
    assert_eq!(sts.count(), 1);
}

#[tokio::test]
async fn many_browsers_at_once_make_one_assume_role_over_http() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::from_millis(300)).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &[]).await;
    let url = at(&relay, "/sts");
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { get(&url, &[]).await })
        })
        .collect();
    for c in calls {
        let got = c.await.unwrap();
        assert_eq!(
            (got.status, got.json()["AccessKeyId"].as_str()),
            (200, Some("STS.mock1"))
        );
    }
    assert_eq!(sts.count(), 1);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_failure_is_shared_by_those_waiting_then_retried() {
    let clock = Arc::new(AtomicI64::new(now()));
    let sts = Mock::start(|_| crate::support::MockReply {
        delay: Duration::from_millis(300),
        ..MockReply::json(
            403,
            r#"{"RequestId":"R-D","HostId":"sts.aliyuncs.com","Code":"NoPermission","Message":"You are not authorized to do this action.","Recommend":"https://r"}"#,
        )
    })
    .await;
    let v = Arc::new(vendor(&sts, &clock, 3600));
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move { v.credentials(&Caller::Anonymous).await })
        })
        .collect();
    for c in calls {
        let e = c.await.unwrap().unwrap_err();
        assert_eq!((e.status.as_u16(), e.code.as_str()), (502, "NoPermission"));
    }
    assert_eq!(sts.count(), 1);
    // A later caller asks again.
    assert!(v.credentials(&Caller::Anonymous).await.is_err());
    assert_eq!(sts.count(), 2);
}

#[tokio::test]
async fn sts_errors_come_back_as_502_with_the_upstream_code_and_no_secret() {
    let echo = format!(
        r#"{{"RequestId":"R-E","HostId":"sts.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"secret was {RELAY_SECRET} enc {}","Recommend":"https://api.alibabacloud.com/troubleshoot?q=SignatureDoesNotMatch"}}"#,
        cams_protocol::encode::percent_encode(RELAY_SECRET)
    );
    let sts = Mock::start(move |_| MockReply::json(400, &echo)).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &[]).await;
    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(got.status, 502);
    let body = got.json();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    assert_eq!(body["RequestId"], "R-E");
    assert_eq!(body["HostId"], "sts.aliyuncs.com");
    assert!(body["Recommend"].as_str().unwrap().starts_with("https://"));
    assert!(!got.text.contains(RELAY_SECRET));
    assert!(!got
        .text
        .contains(&cams_protocol::encode::percent_encode(RELAY_SECRET)));
    assert!(body["Message"].as_str().unwrap().contains("<redacted>"));
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn sts_garbage_and_unreachable_are_relay_upstream_errors() {
    let html = Mock::start(|_| MockReply {
        headers: vec![("content-type", "text/html".into())],
        ..MockReply::json(200, "<html>hello</html>")
    })
    .await;
    let cams = ok_cams().await;
    let relay = production(&cams, &html, &[]).await;
    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError")
    );
    relay.shutdown().await.unwrap();

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let plan = cams_relay::config::plan(
        &<cams_relay::cli::Cli as clap::Parser>::try_parse_from([
            "cams-relay",
            "--listen",
            "127.0.0.1:0",
            "--allow-any-upstream",
            "--sts-endpoint",
            &format!("http://{closed}/"),
            "--cams-endpoint",
            &cams.url,
        ])
        .unwrap(),
        |n| match n {
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("id".into()),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("s".into()),
            "ALIBABA_CLOUD_ROLE_ARN" => Some(ROLE_ARN.into()),
            _ => None,
        },
    )
    .unwrap();
    let relay = cams_relay::server::start(plan).await.unwrap();
    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (502, "RelayUpstreamError")
    );
    relay.shutdown().await.unwrap();
}

/// A vendor whose clock is `relay` and whose STS answers by `sts`.
async fn skewed(relay: &Arc<AtomicI64>, sts_clock: &Arc<AtomicI64>) -> (Mock, StsVendor) {
    let sts = mock_sts(Arc::clone(sts_clock), Duration::ZERO).await;
    let v = vendor(&sts, relay, 900);
    (sts, v)
}

#[tokio::test]
async fn lifetimes_are_measured_on_stss_clock_when_the_relays_is_behind() {
    // The relay's clock ten minutes behind STS's.
    let relay = Arc::new(AtomicI64::new(1_800_000_000));
    let sts_clock = Arc::new(AtomicI64::new(1_800_000_600));
    let (sts, v) = skewed(&relay, &sts_clock).await;
    let first = v.credentials(&Caller::Anonymous).await.unwrap();
    // 900 s from STS's Date, counted from the relay's own clock.
    assert_eq!(first.local_expiration - first.obtained_at, 900);
    assert_eq!(first.expiration, 1_800_000_600 + 900);
    // Due at a fifth before the end by STS's reckoning, not twelve minutes later.
    for clock in [&relay, &sts_clock] {
        clock.fetch_add(900 - 180 - 1, Ordering::SeqCst);
    }
    assert_eq!(v.credentials(&Caller::Anonymous).await.unwrap(), first);
    for clock in [&relay, &sts_clock] {
        clock.fetch_add(1, Ordering::SeqCst);
    }
    let second = v.credentials(&Caller::Anonymous).await.unwrap();
    assert_ne!(second, first);
    assert_eq!(sts.count(), 2);
}

#[tokio::test]
async fn a_relay_clock_ahead_of_stss_keeps_the_full_lifetime() {
    let relay = Arc::new(AtomicI64::new(1_800_000_600));
    let sts_clock = Arc::new(AtomicI64::new(1_800_000_000));
    let (sts, v) = skewed(&relay, &sts_clock).await;
    let first = v.credentials(&Caller::Anonymous).await.unwrap();
    assert_eq!(first.local_expiration, 1_800_000_600 + 900);
    for clock in [&relay, &sts_clock] {
        clock.fetch_add(700, Ordering::SeqCst);
    }
    // The relay's clock says 1,300 s since STS's Date, but only 700 s have passed.
    assert_eq!(v.credentials(&Caller::Anonymous).await.unwrap(), first);
    assert_eq!(sts.count(), 1);
}

#[tokio::test]
async fn credentials_sts_says_have_expired_are_never_handed_out() {
    let clock = Arc::new(AtomicI64::new(now()));
    let expired = format_http_date_and_body(now());
    let sts = Mock::start(move |_| {
        let mut reply = MockReply::json(200, &expired.1);
        reply.headers.push(("date", expired.0.clone()));
        reply
    })
    .await;
    let v = vendor(&sts, &clock, 900);
    let e = v.credentials(&Caller::Anonymous).await.unwrap_err();
    assert_eq!(
        (e.status.as_u16(), e.code.as_str()),
        (502, "RelayUpstreamError")
    );
    assert!(e.message.contains("expired"), "{}", e.message);
}

/// STS's `Date` at `now`, and a reply whose credentials expired a minute before it.
fn format_http_date_and_body(now: i64) -> (String, String) {
    let expiration = cams_protocol::time::format_timestamp(now - 60);
    (
        cams_protocol::time::format_http_date(now),
        format!(
            r#"{{"RequestId":"R","Credentials":{{"AccessKeyId":"STS.old","AccessKeySecret":"s","SecurityToken":"t","Expiration":"{expiration}"}}}}"#
        ),
    )
}
