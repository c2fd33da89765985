//! Settings STS would refuse on every `AssumeRole`, refused when the relay starts instead: a
//! relay that starts and then fails each `/sts` looks healthy to its load balancer while no
//! browser can do anything.
//!
//! From STS's AssumeRole documentation: `DurationSeconds` is 900 to 43,200 (and at most the
//! role's maximum session duration, 3,600 unless raised, which only STS knows); a `Policy` is at
//! most 1,024 bytes of a policy document (`Version` "1" and a `Statement` list); `RoleArn`
//! is `acs:ram::<account ID>:role/<role name>`. The emulator models the same bounds (its minimum
//! duration is `--emulator-sts-min-duration`, its maximum 3,600).

use serde_json::Value;

/// STS's shortest `DurationSeconds`.
pub const MIN_DURATION_SECS: u32 = 900;
/// STS's longest `DurationSeconds` (for a role whose maximum session duration allows it).
pub const MAX_DURATION_SECS: u32 = 43_200;
/// A role's maximum session duration unless its owner raised it.
pub const DEFAULT_ROLE_MAX_SECS: u32 = 3_600;
/// STS's longest session `Policy`, in bytes ("The size of Policy must be smaller than 1024
/// bytes", as STS words its refusal).
pub const MAX_POLICY_LEN: usize = 1_024;

/// `--sts-duration` against `min..=max`: STS's 900 to 43,200, or the emulator's own bounds in
/// emulate mode.
pub fn check_duration(secs: u32, min: u32, max: u32) -> Result<(), String> {
    if (min..=max).contains(&secs) {
        Ok(())
    } else {
        Err(format!(
            "--sts-duration {secs}: STS grants {min} to {max} seconds (and at most the role's \
             maximum session duration, {DEFAULT_ROLE_MAX_SECS} unless raised)"
        ))
    }
}

/// A session policy STS takes: a policy document of at most [`MAX_POLICY_LEN`] bytes.
/// `what` names it in the error (the flag, or the tier whose policy it is).
pub fn check_policy(what: &str, policy: &str) -> Result<(), String> {
    let len = policy.len();
    if len > MAX_POLICY_LEN {
        return Err(format!(
            "{what}: the session policy is {len} bytes; STS takes at most {MAX_POLICY_LEN}. \
             Shorten it (merge statements, use wildcards)."
        ));
    }
    let doc: Value =
        serde_json::from_str(policy).map_err(|e| format!("{what}: not valid JSON: {e}"))?;
    if doc.get("Version").and_then(Value::as_str) != Some("1") {
        return Err(format!("{what}: a session policy needs \"Version\": \"1\""));
    }
    let statements = doc
        .get("Statement")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{what}: a session policy needs a non-empty \"Statement\" list"))?;
    for s in statements {
        let effect = s.get("Effect").and_then(Value::as_str);
        if !matches!(effect, Some("Allow" | "Deny")) || s.get("Action").is_none() {
            return Err(format!(
                "{what}: every statement needs \"Effect\": \"Allow\" or \"Deny\" and an \"Action\""
            ));
        }
    }
    Ok(())
}

/// `acs:ram::<digits>:role/<name>`, as STS parses `RoleArn`.
pub fn check_role_arn(arn: &str) -> Result<(), String> {
    let ok = arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(account, resource)| {
            !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource
                    .get(..5)
                    .is_some_and(|p| p.eq_ignore_ascii_case("role/"))
                && resource.get(5..).is_some_and(|name| {
                    (1..=64).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
                })
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "ALIBABA_CLOUD_ROLE_ARN {arn:?}: STS takes a role ARN like \
             acs:ram::<account ID>:role/<role name> (copy it from the role's page in the RAM console)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_args::DEFAULT_STS_POLICY;

    #[test]
    fn durations_outside_what_sts_grants_are_refused() {
        let sts = |secs| check_duration(secs, MIN_DURATION_SECS, MAX_DURATION_SECS);
        assert!(sts(900).is_ok());
        assert!(sts(43_200).is_ok());
        for bad in [0, 899, 43_201] {
            let e = sts(bad).unwrap_err();
            assert!(e.contains("--sts-duration") && e.contains("900"), "{e}");
        }
        assert!(check_duration(60, 60, 3600).is_ok());
    }

    #[test]
    fn policies_sts_would_refuse_are_refused() {
        assert!(check_policy("--sts-policy", DEFAULT_STS_POLICY).is_ok());
        let exactly = format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"cams:*","Resource":"*","Pad":"{}"}}]}}"#,
            "x".repeat(MAX_POLICY_LEN - 90)
        );
        assert_eq!(exactly.len(), MAX_POLICY_LEN);
        assert!(check_policy("--sts-policy", &exactly).is_ok());
        let over = exactly.replacen("xx", "xxx", 1);
        assert!(check_policy("--sts-policy", &over)
            .unwrap_err()
            .contains("1025 bytes"));
        for bad in [
            r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#,
            r#"{"Version":"1","Statement":[]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow"}]}"#,
            "[]",
        ] {
            assert!(check_policy("--sts-policy", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn role_arns_have_sts_s_shape() {
        assert!(check_role_arn("acs:ram::1234567890123456:role/cams-qrdl-browser").is_ok());
        assert!(check_role_arn("acs:ram::1:ROLE/A.b_c").is_ok());
        for bad in [
            "",
            "cams-qrdl-browser",
            "acs:ram::abc:role/x",
            "acs:ram::1:user/x",
            "acs:ram::1:role/",
            "acs:ram::1:role/a b",
        ] {
            assert!(check_role_arn(bad).is_err(), "{bad}");
        }
    }
}
