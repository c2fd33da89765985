//! The command-line flags of `/sts` and `/cams` (flattened into [`crate::cli::Cli`]).

use clap::Args;

use crate::pacer::args::PacerArgs;

/// The session policy `/sts` asks for unless `--sts-policy` says otherwise: the four QR-code
/// actions of CAMS and nothing else, whatever the role itself may do.
pub const DEFAULT_STS_POLICY: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["cams:CreatePhoneMessageQrdl","cams:ListPhoneMessageQrdl","cams:UpdatePhoneMessageQrdl","cams:DeletePhoneMessageQrdl"],"Resource":"*"}]}"#;

/// Flags of the relay's API routes.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct ApiArgs {
    /// Lifetime of the credentials /sts hands out (AssumeRole's DurationSeconds; Alibaba's STS
    /// takes 900 to the role's maximum, 3600 by default).
    #[arg(long, default_value_t = 900, value_name = "SECONDS",
          value_parser = clap::value_parser!(u32).range(1..=43_200))]
    pub sts_duration: u32,

    /// Session policy for AssumeRole, as JSON text or @FILE. [default: allow only
    /// cams:CreatePhoneMessageQrdl, ListPhoneMessageQrdl, UpdatePhoneMessageQrdl and
    /// DeletePhoneMessageQrdl]
    #[arg(long, value_name = "JSON|@FILE")]
    pub sts_policy: Option<String>,

    /// Requests per minute one client address may make to /sts (0: no limit). Behind a reverse
    /// proxy every client has the proxy's address: limit there instead.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub sts_rate_limit: u32,

    /// Requests per second one client address may make to /cams, with a burst of as many (0: no
    /// limit). [default: 4 in production, below the account's 5 QPS so that one client cannot
    /// spend all of it; 40 in emulate mode]
    #[arg(long, value_name = "N")]
    pub cams_rate_limit: Option<u32>,

    /// Host name under which /sts and /cams may be called (repeatable), e.g. the relay's public
    /// name when it serves the page itself. IP addresses, localhost and the hosts of
    /// --allow-origin need no entry. Other Host headers get 403: a DNS-rebinding page that
    /// resolves its own name to the relay's address gets nothing.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,

    /// Let --cams-endpoint and --sts-endpoint name any http(s) host. For tests against a mock
    /// only: in production they must be https://*.aliyuncs.com.
    #[arg(long)]
    pub allow_any_upstream: bool,

    /// The account pacer of /cams and its Redis.
    #[command(flatten)]
    pub pacing: PacerArgs,
}

impl Default for ApiArgs {
    fn default() -> Self {
        ApiArgs {
            sts_duration: 900,
            sts_policy: None,
            sts_rate_limit: 30,
            cams_rate_limit: None,
            allow_hosts: Vec::new(),
            allow_any_upstream: false,
            pacing: PacerArgs::default(),
        }
    }
}

/// The per-client `/cams` allowance of a production relay: below the account's 5 QPS.
pub const PRODUCTION_CAMS_RATE_LIMIT: u32 = 4;
/// The per-client `/cams` allowance in emulate mode, where the one local page is the only client.
pub const EMULATE_CAMS_RATE_LIMIT: u32 = 40;

impl ApiArgs {
    /// `--cams-rate-limit`, or the mode's default.
    pub fn cams_rate_limit(&self, mode: crate::config::Mode) -> u32 {
        self.cams_rate_limit.unwrap_or(match mode {
            crate::config::Mode::Production => PRODUCTION_CAMS_RATE_LIMIT,
            crate::config::Mode::Emulate => EMULATE_CAMS_RATE_LIMIT,
        })
    }

    /// The session policy to send, minified; reads `@FILE`. The error says what is wrong.
    pub fn session_policy(&self) -> Result<String, String> {
        let text = match self.sts_policy.as_deref() {
            None => return Ok(DEFAULT_STS_POLICY.to_owned()),
            Some(p) => match p.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("--sts-policy: cannot read {path}: {e}"))?,
                None => p.to_owned(),
            },
        };
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("--sts-policy: not valid JSON: {e}"))?;
        if !value.is_object() {
            return Err("--sts-policy: the policy must be a JSON object".to_owned());
        }
        Ok(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_allows_the_four_actions_only() {
        let p: serde_json::Value =
            serde_json::from_str(&ApiArgs::default().session_policy().unwrap()).unwrap();
        let actions = p["Statement"][0]["Action"].as_array().unwrap();
        assert_eq!(actions.len(), 4);
        assert!(actions
            .iter()
            .all(|a| a.as_str().unwrap().ends_with("PhoneMessageQrdl")));
        assert_eq!(p["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn policy_from_text_or_file() {
        let args = |p: &str| ApiArgs {
            sts_policy: Some(p.to_owned()),
            ..ApiArgs::default()
        };
        assert_eq!(
            args(" { \"Version\" : \"1\" } ").session_policy().unwrap(),
            r#"{"Version":"1"}"#
        );
        assert!(args("{nope").session_policy().is_err());
        assert!(args("[1]").session_policy().is_err());
        let path =
            std::env::temp_dir().join(format!("cams-relay-policy-{}.json", std::process::id()));
        std::fs::write(&path, r#"{"Version":"1","Statement":[]}"#).unwrap();
        let from_file = args(&format!("@{}", path.display())).session_policy();
        let _ = std::fs::remove_file(&path);
        let parsed: serde_json::Value = serde_json::from_str(&from_file.unwrap()).unwrap();
        assert_eq!(parsed, serde_json::json!({"Version": "1", "Statement": []}));
        assert!(args("@/nonexistent/cams-relay/policy.json")
            .session_policy()
            .is_err());
    }
}
