//! The command line, exactly as DESIGN.md documents it, plus the emulator's test knobs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::api_args::ApiArgs;
use crate::emulator::faults::FaultConfig;

/// Serves the cams-qrdl page, hands the browser short-lived STS credentials (`GET /sts`) and passes
/// signed CAMS calls through (`POST /cams`).
///
/// Production mode takes the RAM user's key and the role to assume from ALIBABA_CLOUD_ACCESS_KEY_ID,
/// ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_ROLE_ARN. With none of them set, or with
/// --emulate, a built-in emulator of CAMS (2020-06-06) and STS (2015-04-01) starts on its own
/// listener and both upstreams point at it.
// Not `Debug`: it holds the auth token and emulator secrets.
#[derive(Clone, Parser)]
#[command(name = "cams-relay", version, about, long_about, after_long_help = EMULATOR_HELP)]
pub struct Cli {
    /// Address of the relay (page, /sts, /cams, /healthz, /relay.json). Port 0 picks a free port;
    /// the bound address is printed.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Directory of the static page served at `/` (index.html, the wasm package).
    #[arg(long, default_value = "www", value_name = "DIR")]
    pub www: PathBuf,

    /// CAMS endpoint that /cams forwards to (production only).
    /// [default: https://cams.ap-southeast-1.aliyuncs.com]
    #[arg(long, value_name = "URL")]
    pub cams_endpoint: Option<url::Url>,

    /// STS endpoint that /sts calls AssumeRole on (production only).
    /// [default: https://sts.aliyuncs.com]
    #[arg(long, value_name = "URL")]
    pub sts_endpoint: Option<url::Url>,

    /// Origin allowed to call /sts and /cams from another site (repeatable). The page's own origin
    /// needs no entry.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,

    /// Bearer token a caller of /sts must present (`Authorization: Bearer TOKEN`). /cams needs
    /// none: every call through it is signed with credentials only /sts hands out.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CAMS_RELAY_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub auth_token: Option<String>,

    /// Start the emulator and point both upstreams at it, even when production variables are set.
    #[arg(long)]
    pub emulate: bool,

    /// Address of the emulator's own listener (its API is at `/`, like the real hosts). Port 0
    /// picks a free port; the bound address is printed.
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub emulator_listen: SocketAddr,

    /// Long-term key the emulator accepts, as ID:SECRET (repeatable), besides the documented
    /// demo key demo-access-key-id:demo-access-key-secret (always accepted, unless a key with
    /// that ID is given here)
    #[arg(long = "emulator-access-key", value_name = "ID:SECRET", value_parser = parse_access_key)]
    pub emulator_access_keys: Vec<AccessKeyArg>,

    /// Shortest DurationSeconds the emulator's AssumeRole accepts (the real STS: 900). Lower it in
    /// tests to watch tokens expire.
    #[arg(long, default_value_t = 900, value_name = "SECONDS",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub emulator_sts_min_duration: u32,

    /// CAMS calls per second the emulator accepts per account (each long-term key; STS
    /// credentials count toward the key that minted them), over a sliding one-second window;
    /// more get System.LimitControl. 0 turns the limit off.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub emulator_qps: u32,

    /// Fault injection from the start, as the JSON that POST /__emulator/faults takes, e.g.
    /// '{"throttleRate":0.2,"seed":42}' (see the relay's README).
    #[arg(long, value_name = "JSON", value_parser = parse_faults)]
    pub emulator_faults: Option<FaultConfig>,

    /// Flags of /sts and /cams.
    #[command(flatten)]
    pub api: ApiArgs,
}

/// The emulator's routes, shown at the end of `--help`.
const EMULATOR_HELP: &str = "\
The emulator's listener serves:
  GET|POST /                 the RPC API (CAMS 2020-06-06 actions, STS 2015-04-01 AssumeRole)
  GET /qr/<CODE>.png|.svg    the QR image of a code's deep link
  POST /__emulator/html      an HTML error page (for client tests)
  GET /__emulator/stats      counters (total and perAccount; ?accessKeyId=ID for one account);
                             POST /__emulator/stats/reset clears them
  GET|POST|DELETE /__emulator/faults
                             fault injection: show, set (JSON body, as --emulator-faults), clear
  GET|POST /__emulator/clock the emulator's clock; offsetSeconds=N, advanceSeconds=N or
                             advanceMillis=N shifts it, freeze=true|false stops or restarts it";

/// An `ID:SECRET` pair from the command line. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKeyArg {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for AccessKeyArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessKeyArg({}:<redacted>)", self.id)
    }
}

fn parse_access_key(s: &str) -> Result<AccessKeyArg, String> {
    match s.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(AccessKeyArg {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }),
        _ => Err("expected ID:SECRET, both non-empty".to_owned()),
    }
}

fn parse_faults(s: &str) -> Result<FaultConfig, String> {
    FaultConfig::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_every_flag() {
        let cli = Cli::try_parse_from([
            "cams-relay",
            "--listen",
            "127.0.0.1:0",
            "--www",
            "site",
            "--cams-endpoint",
            "https://cams.example.com",
            "--allow-origin",
            "https://a.example",
            "--allow-origin",
            "https://b.example",
            "--emulate",
            "--emulator-listen",
            "127.0.0.1:0",
            "--emulator-access-key",
            "id1:se:cret",
            "--emulator-sts-min-duration",
            "5",
            "--emulator-qps",
            "0",
            "--emulator-faults",
            r#"{"throttleRate":0.5,"seed":7}"#,
        ])
        .unwrap();
        assert_eq!(cli.emulator_qps, 0);
        assert_eq!(cli.emulator_faults.as_ref().map(|f| f.seed), Some(7));
        assert_eq!(cli.listen.port(), 0);
        assert_eq!(cli.allow_origins.len(), 2);
        assert!(cli.emulate);
        assert_eq!(cli.emulator_access_keys[0].id, "id1");
        assert_eq!(cli.emulator_access_keys[0].secret, "se:cret");
        assert_eq!(cli.emulator_sts_min_duration, 5);
        assert!(!format!("{:?}", cli.emulator_access_keys).contains("se:cret"));
    }

    #[test]
    fn rejects_bad_values() {
        for args in [
            &["cams-relay", "--emulator-access-key", "nosecret"][..],
            &["cams-relay", "--emulator-access-key", ":s"],
            &["cams-relay", "--emulator-sts-min-duration", "0"],
            &["cams-relay", "--emulator-qps", "-1"],
            &["cams-relay", "--emulator-faults", r#"{"throttleRate":2}"#],
            &["cams-relay", "--emulator-faults", "not json"],
            &["cams-relay", "--listen", "localhost"],
            &["cams-relay", "--cams-endpoint", "not a url"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}
