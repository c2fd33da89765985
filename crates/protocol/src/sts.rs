//! Temporary credentials as a relay or a provider hands them over.
//!
//! Three shapes are accepted: STS `AssumeRole`'s reply as is (`{RequestId, Credentials:{...}}`),
//! its `Credentials` object alone, or the same four fields in camelCase (all read as
//! [`StsCredentials`]). No error message ever echoes the body: it holds a secret.

use crate::credentials::Credentials;
use crate::decode::Document;
use crate::error::{is_retryable, is_throttling, CamsError};
use crate::time::{Calendar, Crates};
use crate::wire::StsCredentials;

/// Credentials with the moment they stop working, when the source said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub credentials: Credentials,
    /// Seconds since the Unix epoch; `None` when the source gave no `Expiration`.
    pub expiration: Option<i64>,
    /// The host CAMS sees, when the source said (`CamsHost`: cams-relay's `/sts` does, a
    /// provider may): what a Signature V3 call through a pass-through is signed for.
    pub cams_host: Option<String>,
}

/// Reads credentials from a parsed document. `source` names where they came from ("relay",
/// "provider") for the error message, which is a `CredentialsError`.
pub fn read_credentials(
    doc: &impl Document,
    source: &str,
) -> Result<TemporaryCredentials, CamsError> {
    read_credentials_in(&Crates, doc, source)
}

/// [`read_credentials`], with `calendar` reading the `Expiration`.
pub fn read_credentials_in(
    calendar: &dyn Calendar,
    doc: &impl Document,
    source: &str,
) -> Result<TemporaryCredentials, CamsError> {
    let fail = |what: &str| CamsError::credentials(format!("The credentials {source} {what}."));
    // AssumeRole's reply as is (`{RequestId, Credentials: {...}}`), or the object alone.
    let inner = doc.member("Credentials");
    let fields = match inner.as_ref().map(|c| c.decode::<StsCredentials>()) {
        Some(Ok(fields)) => fields,
        _ => doc.decode::<StsCredentials>().map_err(|m| {
            // Which member, never the value: serde's reason may quote it. (A reader that
            // tracks no path, the browser module's, names no member.)
            match m.member() {
                "" => fail(
                    "answered with something else than an object of strings (AccessKeyId, AccessKeySecret, SecurityToken, Expiration)",
                ),
                "AccessKeyId" | "accessKeyId" => fail("gave no AccessKeyId"),
                "AccessKeySecret" | "accessKeySecret" => fail("gave no AccessKeySecret"),
                member => fail(&format!("gave a {member} that is not a string")),
            }
        })?,
    };
    if fields.access_key_id.is_empty() {
        return Err(fail("gave no AccessKeyId"));
    }
    if fields.access_key_secret.is_empty() {
        return Err(fail("gave no AccessKeySecret"));
    }
    let expiration = match fields.expiration.as_deref().filter(|e| !e.is_empty()) {
        None => None,
        Some(text) => Some(calendar.parse_timestamp(text).ok_or_else(|| {
            fail("gave an Expiration that is not a UTC timestamp like 2024-01-31T12:00:00Z")
        })?),
    };
    Ok(TemporaryCredentials {
        credentials: Credentials {
            access_key_id: fields.access_key_id,
            access_key_secret: fields.access_key_secret,
            security_token: fields.security_token.filter(|t| !t.is_empty()),
        },
        expiration,
        cams_host: text_member(doc, "CamsHost", "camsHost"),
    })
}

/// A non-empty string member under its PascalCase or its camelCase name, or `None`.
fn text_member(doc: &impl Document, pascal: &str, camel: &str) -> Option<String> {
    let member = doc.member(pascal).or_else(|| doc.member(camel))?;
    member.decode::<String>().ok().filter(|s| !s.is_empty())
}

/// A relay's failure, read from its HTTP status and body (`None` when it is not JSON): a
/// `CredentialsError` with the status, and the relay's own error code (`Code` or `code`) when
/// the body has one, returned apart too.
pub fn relay_failure(http_status: u16, doc: Option<&impl Document>) -> (CamsError, Option<String>) {
    // `Code` / `Message`, in either case; anything else is no code.
    let text = |pascal: &str, camel: &str| text_member(doc?, pascal, camel);
    let code = text("Code", "code");
    let detail = match (&code, text("Message", "message")) {
        (Some(c), Some(m)) => format!(" ({c}: {})", clip(&m, 300)),
        (Some(c), None) => format!(" ({c})"),
        (None, Some(m)) => format!(" ({})", clip(&m, 300)),
        (None, None) => String::new(),
    };
    let error = CamsError {
        http_status: Some(http_status),
        retryable: relay_failure_is_transient(code.as_deref(), http_status),
        ..CamsError::credentials(format!(
            "The STS relay answered HTTP {http_status}{detail}, so no temporary credentials could be had. Check stsRelayUrl, the relay's logs and its RAM role."
        ))
    };
    (error, code)
}

/// Whether asking the relay again may help. cams-relay answers an STS refusal with 502 and STS's
/// own code: a missing role or permission stays missing, so only STS's transient codes, throttling
/// and the relay's upstream failures count; without a code, the status decides.
fn relay_failure_is_transient(code: Option<&str>, http_status: u16) -> bool {
    match code {
        Some(c) if is_throttling(c) => true,
        Some("RelayTimeout" | "RelayUpstreamError") => true,
        Some("ServiceUnavailable" | "InternalError" | "UnknownError") => true,
        Some(c) if c.starts_with("Relay") => false,
        Some(_) if http_status == 502 => false,
        _ => is_retryable(None, http_status),
    }
}

/// At most `max` characters, so a relay's stack trace does not flood an error message.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Text bodies, parsed with serde_json: the relay's and the tests' way in.
#[cfg(feature = "json")]
mod text {
    use super::*;

    pub fn parse_credentials(body: &str, source: &str) -> Result<TemporaryCredentials, CamsError> {
        let doc: serde_json::Value = serde_json::from_str(body).map_err(|_| {
            CamsError::credentials(format!(
                "The credentials {source} did not answer with JSON (expected an AccessKeyId, AccessKeySecret, SecurityToken and Expiration)."
            ))
        })?;
        read_credentials(&doc, source)
    }

    pub fn parse_relay_failure(http_status: u16, body: &str) -> (CamsError, Option<String>) {
        let doc = serde_json::from_str::<serde_json::Value>(body).ok();
        relay_failure(http_status, doc.as_ref())
    }
}

#[cfg(feature = "json")]
pub use text::{parse_credentials, parse_relay_failure};

#[cfg(test)]
mod tests {
    use super::*;

    const ASSUME_ROLE: &str = r#"{"RequestId":"6894B13B-6D71-4EF5-88FA-F32781734A7F","AssumedRoleUser":{"Arn":"acs:ram::123:role/cams/s","AssumedRoleId":"34458433936495***:s"},"Credentials":{"SecurityToken":"CAIS****","AccessKeyId":"STS.L4aBSCSJVMuKg5U1****","AccessKeySecret":"wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK****","Expiration":"2015-04-09T11:52:19Z"}}"#;

    fn expected() -> TemporaryCredentials {
        TemporaryCredentials {
            credentials: Credentials {
                access_key_id: "STS.L4aBSCSJVMuKg5U1****".into(),
                access_key_secret: "wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK****".into(),
                security_token: Some("CAIS****".into()),
            },
            expiration: crate::time::parse_timestamp("2015-04-09T11:52:19Z"),
            cams_host: None,
        }
    }

    #[test]
    fn the_three_shapes_read_alike() {
        let alone =
            &ASSUME_ROLE[ASSUME_ROLE.find("{\"SecurityToken").unwrap()..ASSUME_ROLE.len() - 1];
        let camel = r#"{"accessKeyId":"STS.L4aBSCSJVMuKg5U1****","accessKeySecret":"wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK****","securityToken":"CAIS****","expiration":"2015-04-09T11:52:19.000Z"}"#;
        for body in [ASSUME_ROLE, alone, camel] {
            assert_eq!(
                parse_credentials(body, "relay").unwrap(),
                expected(),
                "{body}"
            );
        }
    }

    #[test]
    fn a_relay_says_the_host_to_sign_for() {
        let t = parse_credentials(
            r#"{"AccessKeyId":"a","AccessKeySecret":"b","CamsHost":"cams.ap-southeast-1.aliyuncs.com"}"#,
            "relay",
        )
        .unwrap();
        assert_eq!(
            t.cams_host.as_deref(),
            Some("cams.ap-southeast-1.aliyuncs.com")
        );
        let t = parse_credentials(
            r#"{"accessKeyId":"a","accessKeySecret":"b","camsHost":"h:1"}"#,
            "provider",
        )
        .unwrap();
        assert_eq!(t.cams_host.as_deref(), Some("h:1"));
    }

    #[test]
    fn token_and_expiration_are_optional() {
        let t = parse_credentials(
            r#"{"accessKeyId":"a","accessKeySecret":"b","securityToken":null}"#,
            "provider",
        )
        .unwrap();
        assert_eq!(t.credentials.security_token, None);
        assert_eq!(t.expiration, None);
    }

    #[test]
    fn bad_replies_are_credentials_errors_without_the_secret() {
        for body in [
            "",
            "<html>",
            "[]",
            r#"{"Credentials":{"AccessKeySecret":"s3cr3t"}}"#,
            r#"{"accessKeyId":"a","accessKeySecret":""}"#,
            r#"{"accessKeyId":"a","accessKeySecret":"s3cr3t","expiration":"tomorrow"}"#,
            r#"{"accessKeyId":"a","accessKeySecret":"s3cr3t","securityToken":5}"#,
        ] {
            let e = parse_credentials(body, "relay").unwrap_err();
            assert_eq!(e.code, "CredentialsError", "{body}");
            assert!(!e.message.contains("s3cr3t"), "{}", e.message);
            assert!(e.message.contains("relay"));
        }
    }

    #[test]
    fn relay_failures_carry_status_and_code() {
        let (e, code) = parse_relay_failure(
            403,
            r#"{"Code":"Forbidden","Message":"auth token required"}"#,
        );
        assert_eq!(code.as_deref(), Some("Forbidden"));
        assert_eq!(e.code, "CredentialsError");
        assert_eq!(e.http_status, Some(403));
        assert!(
            e.message.contains("Forbidden: auth token required"),
            "{}",
            e.message
        );
        assert!(!e.retryable);

        // STS refused (a missing role): asking again cannot help. Its outages and the relay's
        // own upstream failures can.
        for (body, retryable) in [
            (
                r#"{"Code":"EntityNotExist.Role","Message":"The role not exists"}"#,
                false,
            ),
            (r#"{"Code":"NoPermission","Message":"no"}"#, false),
            (r#"{"Code":"RelayOriginNotAllowed"}"#, false),
            (r#"{"Code":"RelayUpstreamError","Message":"down"}"#, true),
            (r#"{"Code":"RelayTimeout"}"#, true),
            (r#"{"Code":"ServiceUnavailable"}"#, true),
            (r#"{"Code":"Throttling.User"}"#, true),
            ("<html>bad gateway</html>", true),
        ] {
            assert_eq!(
                parse_relay_failure(502, body).0.retryable,
                retryable,
                "{body}"
            );
        }
        assert!(
            parse_relay_failure(429, r#"{"Code":"Throttling.Relay"}"#)
                .0
                .retryable
        );

        let (e, code) = parse_relay_failure(503, "<html>down</html>");
        assert_eq!(code, None);
        assert!(e.retryable);
        assert!(e.message.contains("503"));

        let (e, _) = parse_relay_failure(
            500,
            &format!(r#"{{"code":"x","message":"{}"}}"#, "y".repeat(5000)),
        );
        assert!(e.message.len() < 1000);
    }
}
