//! The command line: the relay's flags, and with the `emulator` feature `--emulate` and the
//! emulator's own flags (`cams_emulator::cli`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::api_args::ApiArgs;

/// Serves the cams-qrdl page, hands the browser short-lived STS credentials (`GET /sts`) and passes
/// signed CAMS calls through (`POST /cams`).
///
/// Production mode takes the RAM user's key and the role to assume from ALIBABA_CLOUD_ACCESS_KEY_ID,
/// ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_ROLE_ARN. In a build with the emulator, with
/// none of them set or with --emulate, a built-in emulator of CAMS (2020-06-06) and STS
/// (2015-04-01) starts on its own listener and both upstreams point at it.
// Not `Debug`: it holds the auth token and emulator secrets.
#[derive(Clone, Parser)]
#[command(name = "cams-relay", version, about, long_about, after_long_help = AFTER_HELP)]
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

    /// Bearer token that signs a caller of /sts in (`Authorization: Bearer TOKEN`): everyone
    /// with it shares one set of signed-in credentials. /cams needs none: every call through it
    /// is signed with credentials only /sts hands out.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CAMS_RELAY_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub auth_token: Option<String>,

    /// Start the emulator and point both upstreams at it, even when production variables are set.
    #[cfg(feature = "emulator")]
    #[arg(long)]
    pub emulate: bool,

    /// The emulator's flags.
    #[cfg(feature = "emulator")]
    #[command(flatten)]
    pub emulator: cams_emulator::cli::EmulatorArgs,

    /// Flags of /sts and /cams.
    #[command(flatten)]
    pub api: ApiArgs,

    /// Tiers and sign-in of /sts.
    #[command(flatten)]
    pub auth: crate::auth::AuthArgs,

    /// The listener's timeouts and connection caps.
    #[command(flatten)]
    pub conn: crate::conn_limits::ConnArgs,

    /// The page's and every reply's security headers.
    #[command(flatten)]
    pub page: crate::page_headers::PageArgs,
}

#[cfg(feature = "emulator")]
const AFTER_HELP: &str = cams_emulator::cli::EMULATOR_HELP;
#[cfg(not(feature = "emulator"))]
const AFTER_HELP: &str =
    "This build has no emulator (build with --features emulator for --emulate).";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_relays_flags() {
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
        ])
        .unwrap();
        assert_eq!(cli.listen.port(), 0);
        assert_eq!(cli.allow_origins.len(), 2);
    }

    #[cfg(feature = "emulator")]
    #[test]
    fn the_emulators_flags_are_the_relays_too() {
        let cli = Cli::try_parse_from([
            "cams-relay",
            "--emulate",
            "--emulator-listen",
            "127.0.0.1:0",
            "--emulator-qps",
            "0",
        ])
        .unwrap();
        assert!(cli.emulate);
        assert_eq!(cli.emulator.emulator_qps, 0);
    }

    #[cfg(not(feature = "emulator"))]
    #[test]
    fn a_production_build_has_no_emulator_flags() {
        for flag in [
            "--emulate",
            "--emulator-listen=127.0.0.1:0",
            "--emulator-qps=0",
        ] {
            assert!(Cli::try_parse_from(["cams-relay", flag]).is_err(), "{flag}");
        }
        let help = Cli::command().render_long_help().to_string();
        assert!(!help.contains("--emulator-listen"), "{help}");
    }

    #[test]
    fn rejects_bad_values() {
        for args in [
            &["cams-relay", "--listen", "localhost"][..],
            &["cams-relay", "--cams-endpoint", "not a url"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}
