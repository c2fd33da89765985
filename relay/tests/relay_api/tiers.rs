//! Tiers and sign-in: anonymous callers may only do what `--anonymous-actions` grants (create, in
//! production), signed-in callers (the bearer token, or a JWT checked against the identity
//! provider's JWKS) get credentials of their own under their own session name, and `/cams`
//! refuses what a key's tier was not granted.

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cams_protocol::credentials::Credentials;
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::sign::Method;
use cams_relay::auth::jwt::{JwksSource, JwtError, JwtSettings, JwtVerifier};
use cams_relay::auth::session_name;
use cams_relay::server::Running;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::*;

const ISSUER: &str = "https://idp.example.com/";
const AUDIENCE: &str = "cams-relay";

/// A test-only signing key (relay/tests/jwt/).
struct Signer {
    key: EncodingKey,
    alg: Algorithm,
    kid: &'static str,
}

fn es256_a() -> Signer {
    Signer {
        key: EncodingKey::from_ec_pem(include_bytes!("../jwt/es256-a.pem")).unwrap(),
        alg: Algorithm::ES256,
        kid: "es256-a",
    }
}

fn es256_b() -> Signer {
    Signer {
        key: EncodingKey::from_ec_pem(include_bytes!("../jwt/es256-b.pem")).unwrap(),
        alg: Algorithm::ES256,
        kid: "es256-b",
    }
}

fn rs256() -> Signer {
    Signer {
        key: EncodingKey::from_rsa_pem(include_bytes!("../jwt/rs256.pem")).unwrap(),
        alg: Algorithm::RS256,
        kid: "rs256",
    }
}

/// The JWKS that publishes these keys' public halves.
fn jwks(signers: &[&Signer]) -> String {
    let keys: Vec<Value> = signers
        .iter()
        .map(|s| {
            let mut jwk = Jwk::from_encoding_key(&s.key, s.alg).unwrap();
            jwk.common.key_id = Some(s.kid.to_owned());
            serde_json::to_value(jwk).unwrap()
        })
        .collect();
    json!({ "keys": keys }).to_string()
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now(), "exp": now() + 600})
}

fn sign(s: &Signer, claims: &Value) -> String {
    let mut header = Header::new(s.alg);
    header.kid = Some(s.kid.to_owned());
    encode(&header, claims, &s.key).unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The JWKS as a file, `@path` for `--auth-jwks`.
struct JwksFile(std::path::PathBuf);

impl JwksFile {
    fn new(signers: &[&Signer]) -> JwksFile {
        let path =
            std::env::temp_dir().join(format!("cams-relay-jwks-{}.json", uuid::Uuid::new_v4()));
        std::fs::write(&path, jwks(signers)).unwrap();
        JwksFile(path)
    }

    fn flag(&self) -> String {
        format!("@{}", self.0.display())
    }
}

impl Drop for JwksFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// A CAMS call's body signed with `key_id` (the mock does not check the signature; the relay's
/// tier check reads the key).
fn call_signed_with(key_id: &str, action: &str) -> String {
    let creds = Credentials {
        access_key_id: key_id.into(),
        access_key_secret: "whatever".into(),
        security_token: Some("CAIS-token".into()),
    };
    let nonce = uuid::Uuid::new_v4().to_string();
    let ctx = CallContext {
        action,
        version: CAMS_VERSION,
        unix_secs: now(),
        nonce: &nonce,
    };
    form_body(&signed_params(
        Method::Post,
        &ctx,
        &creds,
        &[("PhoneNumber", "8613800001111"), ("QrdlCode", "ABCD1234")],
    ))
}

async fn key_id(relay: &Running, headers: &[(&str, &str)]) -> String {
    let got = get(&at(relay, "/sts"), headers).await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.json()["AccessKeyId"].as_str().unwrap().to_owned()
}

/// The AssumeRole call that minted `key` (the mock numbers its keys STS.mock<n>).
fn minted(sts: &Mock, key: &str) -> Seen {
    let n: usize = key.trim_start_matches("STS.mock").parse().unwrap();
    sts.seen()[n - 1].clone()
}

#[tokio::test]
async fn anonymous_callers_of_a_production_relay_may_only_create() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(&cams, &sts, &[]).await;
    let info = get(&at(&relay, "/relay.json"), &[]).await.json();
    assert_eq!(info["anonymousActions"], json!(["create"]));
    assert!(info.get("notice").is_none());

    let anonymous = key_id(&relay, &[]).await;
    let call = minted(&sts, &anonymous);
    assert_eq!(
        call.param("RoleSessionName").as_deref(),
        Some("cams-qrdl-anonymous")
    );
    let policy: Value = serde_json::from_str(&call.param("Policy").unwrap()).unwrap();
    assert_eq!(policy["Statement"][1]["Effect"], "Deny");

    let cams_url = at(&relay, "/cams");
    for action in [
        "DeletePhoneMessageQrdl",
        "UpdatePhoneMessageQrdl",
        "ListPhoneMessageQrdl",
    ] {
        let got = post(&cams_url, &[], call_signed_with(&anonymous, action)).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (403, "RelayUnauthorized"),
            "{action}"
        );
        assert!(got.text.contains("signed-in"), "{}", got.text);
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    }
    assert_eq!(cams.count(), 0, "nothing went to CAMS");
    let got = post(
        &cams_url,
        &[],
        call_signed_with(&anonymous, "CreatePhoneMessageQrdl"),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    // A key the relay did not hand out is for its session policy to judge, at CAMS.
    let got = post(
        &cams_url,
        &[],
        call_signed_with("STS.fromAnotherReplica", "DeletePhoneMessageQrdl"),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(cams.count(), 2);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn each_signed_in_caller_gets_credentials_of_their_own_under_their_name() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let (a, r) = (es256_a(), rs256());
    let keys = JwksFile::new(&[&a, &r]);
    let relay = production(
        &cams,
        &sts,
        &[
            "--auth-token",
            "tok-123",
            "--anonymous-actions",
            "create",
            "--auth-jwks",
            &keys.flag(),
            "--auth-issuer",
            ISSUER,
            "--auth-audience",
            AUDIENCE,
        ],
    )
    .await;
    let alice = bearer(&sign(&a, &claims("alice@example.com")));
    let bob = bearer(&sign(&r, &claims("auth0|bob")));
    let callers: [&[(&str, &str)]; 4] = [
        &[],
        &[("authorization", "Bearer tok-123")],
        &[("authorization", &alice)],
        &[("authorization", &bob)],
    ];
    let mut ids = Vec::new();
    for headers in callers {
        ids.push(key_id(&relay, headers).await);
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "one set per caller: {ids:?}");
    // Each is kept for its own caller and never handed to another.
    for (headers, id) in callers.iter().zip(&ids) {
        assert_eq!(&key_id(&relay, headers).await, id);
    }
    assert_eq!(sts.count(), 4);

    let names: Vec<String> = ids
        .iter()
        .map(|id| minted(&sts, id).param("RoleSessionName").unwrap())
        .collect();
    assert_eq!(names[0], "cams-qrdl-anonymous");
    assert_eq!(names[1], "cams-qrdl-token");
    assert_eq!(names[2], "alice@example.com");
    assert_eq!(names[3], session_name::for_subject("auth0|bob"));
    assert!(names[3].starts_with("auth0_bob-") && session_name::is_valid(&names[3]));
    // Signed-in callers get the relay's whole session policy.
    let policy = minted(&sts, &ids[2]).param("Policy").unwrap();
    assert_eq!(policy, cams_relay::api_args::DEFAULT_STS_POLICY);

    // Alice may delete; the anonymous set still may not.
    let cams_url = at(&relay, "/cams");
    let got = post(
        &cams_url,
        &[],
        call_signed_with(&ids[2], "DeletePhoneMessageQrdl"),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let got = post(
        &cams_url,
        &[],
        call_signed_with(&ids[0], "DeletePhoneMessageQrdl"),
    )
    .await;
    assert_eq!(got.status, 403);
    assert_eq!(cams.count(), 1);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_sign_ins_are_refused_and_never_served_as_anonymous() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let (a, b) = (es256_a(), es256_b());
    let keys = JwksFile::new(&[&a]);
    let relay = production(
        &cams,
        &sts,
        &[
            "--anonymous-actions",
            "create",
            "--auth-jwks",
            &keys.flag(),
            "--auth-issuer",
            ISSUER,
            "--auth-audience",
            AUDIENCE,
        ],
    )
    .await;
    let with = |patch: Value| {
        let mut c = claims("mallory");
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    // Signed by key b but naming key a: the signature does not verify.
    let mut forged_header = Header::new(Algorithm::ES256);
    forged_header.kid = Some("es256-a".into());
    let forged = encode(&forged_header, &claims("mallory"), &b.key).unwrap();
    // HS256 "signed" with the public key as the secret: the classic algorithm confusion.
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("es256-a".into());
    let confused = encode(
        &hs_header,
        &claims("mallory"),
        &EncodingKey::from_secret(jwks(&[&a]).as_bytes()).unwrap(),
    )
    .unwrap();
    let cases = [
        (sign(&a, &with(json!({"exp": now() - 3600}))), "has expired"),
        (
            sign(&a, &with(json!({"iss": "https://other-idp.example/"}))),
            "another issuer",
        ),
        (
            sign(&a, &with(json!({"aud": "another-app"}))),
            "another audience",
        ),
        (
            sign(&a, &with(json!({"nbf": now() + 3600}))),
            "not valid yet",
        ),
        (sign(&a, &with(json!({"sub": null}))), "required claim"),
        (sign(&a, &with(json!({"sub": ""}))), "sub claim"),
        (forged, "does not verify"),
        (sign(&b, &claims("mallory")), "does not publish"),
        (confused, "not accepted"),
        (
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.".to_owned(),
            "neither",
        ),
        ("tok-123".to_owned(), "neither"),
    ];
    for (token, why) in cases {
        let got = get(&at(&relay, "/sts"), &[("authorization", &bearer(&token))]).await;
        assert_eq!(
            (got.status, got.code().as_str()),
            (401, "RelayUnauthorized"),
            "{why}: {}",
            got.text
        );
        assert!(got.text.contains(why), "{why}: {}", got.text);
        assert_eq!(
            got.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
    }
    assert_eq!(sts.count(), 0, "no credentials for any of them");
    // The same relay still serves anonymous callers, and good tokens.
    key_id(&relay, &[]).await;
    key_id(
        &relay,
        &[("authorization", &bearer(&sign(&a, &claims("alice"))))],
    )
    .await;
    assert_eq!(sts.count(), 2);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_dashboard_relay_gives_nothing_to_anonymous_callers() {
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    // --auth-token alone: anonymous callers get nothing unless --anonymous-actions says so.
    let relay = production(&cams, &sts, &["--auth-token", "tok-123"]).await;
    let got = get(&at(&relay, "/sts"), &[]).await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (401, "RelayUnauthorized")
    );
    assert_eq!(got.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        get(&at(&relay, "/relay.json"), &[]).await.json()["anonymousActions"],
        json!([])
    );
    assert_eq!(sts.count(), 0);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn settings_that_would_let_anonymous_callers_change_codes_stop_the_start() {
    for (args, why) in [
        (
            &["--anonymous-actions", "create,delete", "--auth-token", "t"][..],
            "update and delete need a signed-in caller",
        ),
        (&["--anonymous-actions", "all"], "update and delete"),
        (&["--anonymous-actions", "none"], "nobody"),
        (&["--auth-jwks", "@/nonexistent/jwks.json"], "--auth-issuer"),
        (
            &[
                "--auth-jwks",
                "http://idp.example.com/jwks",
                "--auth-issuer",
                "i",
                "--auth-audience",
                "a",
            ],
            "https",
        ),
        (
            &[
                "--auth-jwks",
                "@/nonexistent/jwks.json",
                "--auth-issuer",
                "i",
                "--auth-audience",
                "a",
            ],
            "cannot read",
        ),
    ] {
        let e = production_refused(args).await;
        assert!(e.contains(why), "{args:?}: {e}");
    }
    assert!(<cams_relay::cli::Cli as clap::Parser>::try_parse_from([
        "cams-relay",
        "--anonymous-actions",
        "read"
    ])
    .is_err());
}

#[tokio::test]
async fn jwks_from_a_url_is_fetched_then_fetched_again_for_a_rotated_key() {
    let published = Arc::new(Mutex::new(jwks(&[&es256_a()])));
    let idp = Mock::start({
        let published = Arc::clone(&published);
        move |_| MockReply::json(200, &published.lock().unwrap())
    })
    .await;
    let verifier = JwtVerifier::new(
        JwtSettings {
            source: JwksSource::parse(&idp.url).unwrap(),
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
        },
        client(),
    )
    .unwrap()
    .min_refetch(Duration::ZERO);
    let (a, b) = (es256_a(), es256_b());
    assert_eq!(
        verifier.verify(&sign(&a, &claims("alice"))).await,
        Ok("alice".to_owned())
    );
    assert_eq!(idp.count(), 1);
    // Cached: no fetch for a known key.
    verifier.verify(&sign(&a, &claims("alice"))).await.unwrap();
    assert_eq!(idp.count(), 1);
    // A key it does not publish yet: fetched again, still unknown.
    assert_eq!(
        verifier.verify(&sign(&b, &claims("bob"))).await,
        Err(JwtError::UnknownKey)
    );
    assert_eq!(idp.count(), 2);
    // The provider rotates: the new key's first token brings the new set.
    *published.lock().unwrap() = jwks(&[&a, &b]);
    assert_eq!(
        verifier.verify(&sign(&b, &claims("bob"))).await,
        Ok("bob".to_owned())
    );
    assert_eq!(idp.count(), 3);

    // And through a relay started with the URL.
    let sts = mock_sts(Arc::new(AtomicI64::new(now())), Duration::ZERO).await;
    let cams = ok_cams().await;
    let relay = production(
        &cams,
        &sts,
        &[
            "--auth-jwks",
            &idp.url,
            "--auth-issuer",
            ISSUER,
            "--auth-audience",
            AUDIENCE,
        ],
    )
    .await;
    key_id(
        &relay,
        &[("authorization", &bearer(&sign(&b, &claims("bob"))))],
    )
    .await;
    assert_eq!(get(&at(&relay, "/sts"), &[]).await.status, 401);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn against_the_emulator_anonymous_credentials_cannot_delete_through_the_relay_or_around_it() {
    let relay = emulated(&["--anonymous-actions", "create", "--auth-token", "tok"]).await;
    let info = get(&at(&relay, "/relay.json"), &[]).await.json();
    assert_eq!(info["anonymousActions"], json!(["create"]));
    let anonymous = credentials(&relay, &[]).await;
    let phone = "8613800007777";
    let created = signed_call(
        &at(&relay, "/cams"),
        &anonymous,
        "CreatePhoneMessageQrdl",
        &[
            ("PhoneNumber", phone),
            ("PrefilledMessage", "tiers"),
            ("GenerateQrImage", "PNG"),
        ],
    )
    .await;
    assert_eq!(created.json()["Code"], "OK", "{}", created.text);
    let code = created.json()["Data"]["QrdlCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let delete = [("PhoneNumber", phone), ("QrdlCode", code.as_str())];
    // Through the relay: refused by the relay.
    let got = signed_call(
        &at(&relay, "/cams"),
        &anonymous,
        "DeletePhoneMessageQrdl",
        &delete,
    )
    .await;
    assert_eq!(
        (got.status, got.code().as_str()),
        (403, "RelayUnauthorized")
    );
    // Around it, straight at the service: refused by the session policy, and the refusal
    // names the anonymous session.
    let emulator = relay.emulator.as_ref().unwrap().url.to_string();
    let got = signed_call(&emulator, &anonymous, "DeletePhoneMessageQrdl", &delete).await;
    assert_eq!(got.code(), "Ram.PermissionDeny", "{}", got.text);
    assert!(
        got.json()["AccessDeniedDetail"]
            .as_str()
            .unwrap()
            .contains("cams-qrdl-anonymous"),
        "{}",
        got.text
    );
    // A signed-in caller may.
    let signed_in = credentials(&relay, &[("authorization", "Bearer tok")]).await;
    let got = signed_call(
        &at(&relay, "/cams"),
        &signed_in,
        "DeletePhoneMessageQrdl",
        &delete,
    )
    .await;
    assert_eq!(got.json()["Code"], "OK", "{}", got.text);
    relay.shutdown().await.unwrap();
}

#[tokio::test]
async fn emulate_mode_lets_anonymous_callers_do_everything_and_says_so() {
    let relay = emulated(&[]).await;
    let info = get(&at(&relay, "/relay.json"), &[]).await.json();
    assert_eq!(
        info["anonymousActions"],
        json!(["create", "list", "update", "delete"])
    );
    assert!(
        info["notice"]
            .as_str()
            .unwrap()
            .contains("--anonymous-actions"),
        "{info}"
    );
    relay.shutdown().await.unwrap();
}

async fn credentials(relay: &Running, headers: &[(&str, &str)]) -> Credentials {
    let got = get(&at(relay, "/sts"), headers).await;
    assert_eq!(got.status, 200, "{}", got.text);
    cams_protocol::sts::parse_credentials(&got.text, "relay")
        .unwrap()
        .credentials
}

async fn signed_call(
    url: &str,
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
    post(
        url,
        &[],
        form_body(&signed_params(Method::Post, &ctx, creds, business)),
    )
    .await
}
