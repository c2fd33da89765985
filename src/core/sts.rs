//! Temporary credentials as a relay or a provider hands them over.
//!
//! Three shapes are accepted: STS `AssumeRole`'s reply as is (`{RequestId, Credentials:{...}}`),
//! its `Credentials` object alone, or the same four fields in camelCase. No error message ever
//! echoes the body: it holds a secret.

use crate::core::credentials::Credentials;
use crate::core::error::{is_retryable, is_throttling, CamsError};
use crate::core::json::{self, Value};
use crate::core::text::decimal;
use crate::core::timestamp::parse_timestamp;
use alloc::{borrow::ToOwned, string::String};

/// Credentials with the moment they stop working, when the source said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub credentials: Credentials,
    /// Seconds since the Unix epoch; `None` when the source gave no `Expiration`.
    pub expiration: Option<i64>,
}

/// Reads credentials from JSON text. `source` names where they came from ("relay", "provider")
/// for the error message, which is a `CredentialsError`.
pub fn parse_credentials(body: &str, source: &str) -> Result<TemporaryCredentials, CamsError> {
    let fail =
        |what: &str| CamsError::credentials(["The credentials ", source, " ", what, "."].concat());
    let value = json::parse(body)
        .map_err(|_| fail("did not answer with JSON (expected an AccessKeyId, AccessKeySecret, SecurityToken and Expiration)"))?;
    if !matches!(value, Value::Object(_)) {
        return Err(fail("answered with JSON that is not an object"));
    }
    let inner = match value.get("Credentials") {
        Some(inner @ Value::Object(_)) => inner,
        _ => &value,
    };
    let access_key_id =
        required(inner, "AccessKeyId").ok_or_else(|| fail("gave no AccessKeyId"))?;
    let access_key_secret =
        required(inner, "AccessKeySecret").ok_or_else(|| fail("gave no AccessKeySecret"))?;
    let security_token = optional(inner, "SecurityToken")
        .map_err(|()| fail("gave a SecurityToken that is not a string"))?;
    let expiration = match optional(inner, "Expiration")
        .map_err(|()| fail("gave an Expiration that is not a string"))?
    {
        None => None,
        Some(text) => Some(parse_timestamp(&text).ok_or_else(|| {
            fail("gave an Expiration that is not a UTC timestamp like 2024-01-31T12:00:00Z")
        })?),
    };
    Ok(TemporaryCredentials {
        credentials: Credentials {
            access_key_id,
            access_key_secret,
            security_token,
        },
        expiration,
    })
}

/// The field under its PascalCase name or its camelCase one.
fn field<'a>(obj: &'a Value, pascal: &str) -> Option<&'a Value> {
    obj.get(pascal).or_else(|| {
        let mut camel = String::with_capacity(pascal.len());
        let mut chars = pascal.chars();
        if let Some(first) = chars.next() {
            camel.push(first.to_ascii_lowercase());
        }
        camel.extend(chars);
        obj.get(&camel)
    })
}

/// A non-empty string, or `None`.
fn required(obj: &Value, pascal: &str) -> Option<String> {
    match field(obj, pascal) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Absent, null or empty is `None`; a string is kept; anything else is an error.
fn optional(obj: &Value, pascal: &str) -> Result<Option<String>, ()> {
    match field(obj, pascal) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

/// A relay's failure, read from its HTTP status and body: a `CredentialsError` with the status,
/// and the relay's own error code (`Code` or `code`) when the body has one, returned apart too.
pub fn relay_failure(http_status: u16, body: &str) -> (CamsError, Option<String>) {
    let parsed = json::parse(body).ok();
    let text = |name: &str| match parsed.as_ref().and_then(|m| field(m, name)) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let code = text("Code");
    let detail = match (&code, text("Message")) {
        (Some(c), Some(m)) => [" (", c, ": ", &clip(&m, 300), ")"].concat(),
        (Some(c), None) => [" (", c, ")"].concat(),
        (None, Some(m)) => [" (", &clip(&m, 300), ")"].concat(),
        (None, None) => String::new(),
    };
    let error = CamsError {
        http_status: Some(http_status),
        retryable: relay_failure_is_transient(code.as_deref(), http_status),
        ..CamsError::credentials(
            [
                "The STS relay answered HTTP ",
                &decimal(http_status.into()),
                &detail,
                ", so no temporary credentials could be had. Check stsRelayUrl, the relay's logs and its RAM role.",
            ]
            .concat(),
        )
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
        Some((i, _)) => [s.get(..i).unwrap_or(s), "…"].concat(),
        None => s.to_owned(),
    }
}

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
            expiration: parse_timestamp("2015-04-09T11:52:19Z"),
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
        let (e, code) = relay_failure(
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
            assert_eq!(relay_failure(502, body).0.retryable, retryable, "{body}");
        }
        assert!(
            relay_failure(429, r#"{"Code":"Throttling.Relay"}"#)
                .0
                .retryable
        );

        let (e, code) = relay_failure(503, "<html>down</html>");
        assert_eq!(code, None);
        assert!(e.retryable);
        assert!(e.message.contains("503"));

        let (e, _) = relay_failure(
            500,
            &format!(r#"{{"code":"x","message":"{}"}}"#, "y".repeat(5000)),
        );
        assert!(e.message.len() < 1000);
    }
}
