//! STS 2015-04-01 `AssumeRole`: mints temporary credentials for a role of the emulator's
//! account, narrowed by an optional session policy, valid for DurationSeconds (900 to 3600,
//! default 3600; the lower bound is `--emulator-sts-min-duration`).

use std::sync::Arc;

use base64::Engine as _;
use cams_protocol::time::format_timestamp;
use cams_protocol::wire::{AssumeRoleReply, AssumedRoleUser, StsCredentials};
use serde_json::Value;

use crate::errors::{self, ApiError};
use crate::gateway::{Authenticated, Caller};
use crate::keys::Session;
use crate::policy::{SessionPolicy, MAX_POLICY_BYTES};
use crate::{lock, Emulator};

/// The longest session STS grants by default (a role's MaxSessionDuration).
pub const MAX_DURATION_SECS: u32 = 3600;

/// Runs AssumeRole for an authenticated caller; the reply body without `RequestId`.
pub fn assume_role(emu: &Emulator, auth: &Authenticated) -> Result<Value, ApiError> {
    let parent = match &auth.caller {
        Caller::LongTerm { access_key_id } => access_key_id.clone(),
        Caller::Temporary(_) => return Err(errors::sts_no_permission()),
    };
    let param = |name: &str| {
        auth.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let role_arn = param("RoleArn").ok_or_else(|| errors::missing_parameter("RoleArn"))?;
    let session_name =
        param("RoleSessionName").ok_or_else(|| errors::missing_parameter("RoleSessionName"))?;
    let role_name = role_name(role_arn).ok_or_else(errors::role_arn_invalid)?;
    if !valid_session_name(session_name) {
        return Err(errors::role_session_name_invalid());
    }
    let min = emu.config.sts_min_duration.min(MAX_DURATION_SECS);
    let duration = match param("DurationSeconds") {
        None => MAX_DURATION_SECS,
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| (min..=MAX_DURATION_SECS).contains(d))
            .ok_or_else(|| errors::duration_invalid(min, MAX_DURATION_SECS))?,
    };
    let policy = match param("Policy") {
        None => None,
        Some(p) if p.len() > MAX_POLICY_BYTES => return Err(errors::policy_size(MAX_POLICY_BYTES)),
        Some(p) => Some(Arc::new(
            SessionPolicy::parse(p).map_err(|why| errors::policy_grammar(&why))?,
        )),
    };

    let now = emu.clock.now_secs();
    let expires_at = now + i64::from(duration);
    let role_id: u64 = rand::random_range(10u64.pow(18)..10u64.pow(19));
    let session = Session {
        access_key_id: format!("STS.{}", random_alnum(25)),
        access_key_secret: random_alnum(44),
        security_token: security_token(),
        expires_at,
        role_arn: role_arn.to_owned(),
        role_name: role_name.clone(),
        session_name: session_name.to_owned(),
        assumed_role_id: format!("{role_id}:{session_name}"),
        parent_access_key_id: parent,
        policy,
    };
    let reply = AssumeRoleReply {
        request_id: None,
        assumed_role_user: AssumedRoleUser {
            arn: format!(
                "acs:ram::{}:assumed-role/{}/{}",
                emu.config.account_id, role_name, session_name
            ),
            assumed_role_id: session.assumed_role_id.clone(),
        },
        credentials: StsCredentials {
            access_key_id: session.access_key_id.clone(),
            access_key_secret: session.access_key_secret.clone(),
            security_token: Some(session.security_token.clone()),
            expiration: Some(format_timestamp(expires_at)),
        },
    };
    // Strings only: serializing cannot fail.
    let body = serde_json::to_value(reply).unwrap_or_default();
    lock(&emu.keys).add_session(session, now);
    Ok(body)
}

/// The role name of `acs:ram::<account digits>:role/<name>`, lower-cased as RAM writes it.
fn role_name(arn: &str) -> Option<String> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, resource) = rest.split_once(':')?;
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = resource
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("role/"))
        .and(resource.get(5..))?;
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    valid.then(|| name.to_ascii_lowercase())
}

/// 2 to 64 characters of `A-Z a-z 0-9 . _ @ -`.
fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
}

pub fn random_alnum(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A token shaped like STS's: `CAIS` and standard Base64, so it carries `+`, `/` and `=` that a
/// client must encode correctly.
fn security_token() -> String {
    let mut raw = [0u8; 250];
    rand::fill(&mut raw[..]);
    format!(
        "CAIS{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        assert_eq!(
            role_name("acs:ram::1234567890123456:role/CamsQrdl-Browser").as_deref(),
            Some("camsqrdl-browser")
        );
        for bad in [
            "",
            "acs:ram::abc:role/x",
            "acs:ram:::role/x",
            "acs:ram::123:user/x",
            "acs:ram::123:role/",
            "acs:ram::123:role/a b",
            "acs:oss::123:role/x",
            "acs:ram::123:role",
        ] {
            assert_eq!(role_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn session_names() {
        assert!(valid_session_name("ab"));
        assert!(valid_session_name("relay-1.user@example_x"));
        assert!(valid_session_name(&"a".repeat(64)));
        assert!(!valid_session_name("a"));
        assert!(!valid_session_name(&"a".repeat(65)));
        assert!(!valid_session_name("a b"));
        assert!(!valid_session_name("a/b"));
    }

    #[test]
    fn tokens_need_encoding() {
        let t = security_token();
        assert!(t.starts_with("CAIS"));
        assert!(t.len() > 300);
        assert_ne!(t, security_token());
    }
}
