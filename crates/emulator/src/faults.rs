//! What fault injection does, as tests write it: the JSON of `POST /__emulator/faults` and of
//! `--emulator-faults`. Unknown fields are refused, so a typo never silently injects nothing.
//!
//! Kinds, one at most per call, picked by one draw of a seeded PRNG: `throttle`
//! (`Throttling.User`, before the action), `serverError` (500/503 JSON, 502/504 an HTML gateway
//! page, before the action), `drop` (the action runs, then the connection closes with no reply),
//! `html` (200 with an HTML page, before the action). `latencyMs` delays the reply of every
//! matching call, after the action.

use serde::{Deserialize, Serialize};

/// The actions fault injection may target; `AssumeRole` only when named in `actions`.
pub const FAULTABLE_ACTIONS: [&str; 5] = [
    "CreatePhoneMessageQrdl",
    "ListPhoneMessageQrdl",
    "UpdatePhoneMessageQrdl",
    "DeletePhoneMessageQrdl",
    "AssumeRole",
];

/// Longest injectable delay, so a mistaken value cannot hang a test run for hours.
pub const MAX_LATENCY_MS: u64 = 120_000;

/// A fault-injection setting. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Only calls signed with this long-term key, or with STS credentials it minted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// Seed of the PRNG that picks faulted calls (default 0): same seed, same sequence.
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub throttle_rate: f64,
    #[serde(default)]
    pub server_error_rate: f64,
    /// 500, 502, 503 (default) or 504.
    #[serde(default = "default_server_error_status")]
    pub server_error_status: u16,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub drop_rate: f64,
    #[serde(default)]
    pub html_rate: f64,
    /// Adds `Retry-After` (seconds) and `x-acs-retry-after` (milliseconds) to throttle replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u32>,
    /// Which of the two headers `retryAfterSeconds` sends (default both).
    #[serde(default)]
    pub retry_after_header: RetryAfterHeader,
    /// The first N matching calls get a fault (the rates only weigh which kind), later ones none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_first: Option<u64>,
    /// Only these actions (default: the four CAMS actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
}

/// The retry hint headers a throttle reply carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryAfterHeader {
    #[default]
    #[serde(rename = "both")]
    Both,
    /// `Retry-After: <seconds>` only (HTTP's).
    #[serde(rename = "Retry-After")]
    RetryAfter,
    /// `x-acs-retry-after: <milliseconds>` only (Alibaba's).
    #[serde(rename = "x-acs-retry-after")]
    AcsRetryAfter,
}

fn default_server_error_status() -> u16 {
    503
}

/// The fault a call gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Throttle,
    ServerError,
    Drop,
    Html,
}

impl FaultKind {
    /// The name used in counters.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::ServerError => "serverError",
            FaultKind::Drop => "drop",
            FaultKind::Html => "html",
        }
    }
}

impl FaultConfig {
    /// Parses and validates the JSON shape.
    pub fn parse(json: &str) -> Result<FaultConfig, String> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        // serde would also read a struct from an array; only an object is meant.
        if !value.is_object() {
            return Err("expected a JSON object".into());
        }
        let config: FaultConfig = serde_json::from_value(value).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// Rates in [0, 1] adding up to at most 1, a known status and action names, bounded delays.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in self.rates_named() {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if self.total_rate() > 1.0 + 1e-9 {
            return Err(
                "throttleRate + serverErrorRate + dropRate + htmlRate must not exceed 1".into(),
            );
        }
        if ![500, 502, 503, 504].contains(&self.server_error_status) {
            return Err("serverErrorStatus must be 500, 502, 503 or 504".into());
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!("latencyMs must be at most {MAX_LATENCY_MS}"));
        }
        if self.retry_after_seconds.is_some_and(|s| s > 86_400) {
            return Err("retryAfterSeconds must be at most 86400".into());
        }
        if self.access_key_id.as_deref().is_some_and(str::is_empty) {
            return Err("accessKeyId must not be empty (omit it for every key)".into());
        }
        if let Some(actions) = &self.actions {
            if actions.is_empty() {
                return Err("actions must not be empty (omit it for the four CAMS actions)".into());
            }
            if let Some(bad) = actions
                .iter()
                .find(|a| !FAULTABLE_ACTIONS.contains(&a.as_str()))
            {
                return Err(format!(
                    "unknown action {bad:?}; use {}",
                    FAULTABLE_ACTIONS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The kinds with their rates, in the order a draw walks them.
    pub fn rates(&self) -> [(FaultKind, f64); 4] {
        [
            (FaultKind::Throttle, self.throttle_rate),
            (FaultKind::ServerError, self.server_error_rate),
            (FaultKind::Drop, self.drop_rate),
            (FaultKind::Html, self.html_rate),
        ]
    }

    fn rates_named(&self) -> [(&'static str, f64); 4] {
        [
            ("throttleRate", self.throttle_rate),
            ("serverErrorRate", self.server_error_rate),
            ("dropRate", self.drop_rate),
            ("htmlRate", self.html_rate),
        ]
    }

    pub fn total_rate(&self) -> f64 {
        self.rates().iter().map(|(_, r)| r).sum()
    }

    /// Whether a call by `caller_key` (of `account`, its long-term key) to `action` is targeted.
    pub fn matches(&self, caller_key: &str, account: &str, action: &str) -> bool {
        let key_ok = self
            .access_key_id
            .as_deref()
            .is_none_or(|k| k == caller_key || k == account);
        let action_ok = match &self.actions {
            Some(list) => list.iter().any(|a| a == action),
            None => action != "AssumeRole",
        };
        key_ok && action_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shape() {
        let c = FaultConfig::parse(
            r#"{"accessKeyId":"k","seed":42,"throttleRate":0.25,"serverErrorRate":0.25,
                "serverErrorStatus":502,"latencyMs":10,"dropRate":0.25,"htmlRate":0.25,
                "retryAfterSeconds":2,"failFirst":3,"actions":["CreatePhoneMessageQrdl"]}"#,
        )
        .unwrap();
        assert_eq!(c.seed, 42);
        assert_eq!(c.server_error_status, 502);
        assert_eq!(c.fail_first, Some(3));
        let empty = FaultConfig::parse("{}").unwrap();
        assert_eq!(empty.server_error_status, 503);
        assert_eq!(empty.total_rate(), 0.0);
    }

    #[test]
    fn refuses_what_would_silently_do_nothing_or_hang() {
        for bad in [
            r#"{"throttle_rate":1}"#,
            r#"{"throttleRate":1.5}"#,
            r#"{"throttleRate":-0.1}"#,
            r#"{"throttleRate":0.6,"dropRate":0.6}"#,
            r#"{"serverErrorStatus":501}"#,
            r#"{"latencyMs":999999999}"#,
            r#"{"actions":[]}"#,
            r#"{"actions":["DescribeRegions"]}"#,
            r#"{"accessKeyId":""}"#,
            r#"{"seed":-1}"#,
            "[]",
        ] {
            assert!(FaultConfig::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scoping_by_key_account_and_action() {
        let all = FaultConfig::default();
        assert!(all.matches("STS.x", "lt", "ListPhoneMessageQrdl"));
        assert!(!all.matches("lt", "lt", "AssumeRole"));
        let scoped = FaultConfig {
            access_key_id: Some("lt".into()),
            actions: Some(vec!["AssumeRole".into(), "CreatePhoneMessageQrdl".into()]),
            ..FaultConfig::default()
        };
        assert!(scoped.matches("STS.x", "lt", "CreatePhoneMessageQrdl"));
        assert!(scoped.matches("lt", "lt", "AssumeRole"));
        assert!(!scoped.matches("other", "other", "CreatePhoneMessageQrdl"));
        assert!(!scoped.matches("lt", "lt", "ListPhoneMessageQrdl"));
    }
}
