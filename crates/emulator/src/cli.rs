//! The emulator's command-line flags, shared by its own binary and by `cams-relay --emulate`
//! (flattened into the relay's command line when the relay is built with its `emulator`
//! feature).

use std::net::SocketAddr;

use crate::faults::FaultConfig;
use crate::EmulatorConfig;

/// How the emulator runs.
// Not `Debug`: it holds secrets.
#[derive(Clone, clap::Args)]
pub struct EmulatorArgs {
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
    /// '{"throttleRate":0.2,"seed":42}' (see the emulator's README).
    #[arg(long, value_name = "JSON", value_parser = parse_faults)]
    pub emulator_faults: Option<FaultConfig>,

    /// An origin whose pages may call the admin routes (/__emulator/*) from the browser
    /// (repeatable), e.g. a browser test runner's page. Without it they answer no CORS at all, so
    /// no web page a developer visits can switch faults on or move the clock.
    #[arg(long = "emulator-admin-cors", value_name = "ORIGIN", value_parser = parse_origin)]
    pub emulator_admin_cors: Vec<String>,
}

impl EmulatorArgs {
    /// The emulator's configuration. The documented demo key stays (the page offers it), unless
    /// a key of that ID is given.
    pub fn config(&self) -> EmulatorConfig {
        let mut config = EmulatorConfig {
            sts_min_duration: self.emulator_sts_min_duration,
            qps_limit: self.emulator_qps,
            faults: self.emulator_faults.clone(),
            admin_cors_origins: self.emulator_admin_cors.clone(),
            ..EmulatorConfig::default()
        };
        for AccessKeyArg { id, secret } in &self.emulator_access_keys {
            config.access_keys.retain(|(known, _)| known != id);
            config.access_keys.push((id.clone(), secret.clone()));
        }
        config
    }
}

/// The emulator's routes, shown at the end of `--help`.
pub const EMULATOR_HELP: &str = "\
The emulator's listener serves:
  GET|POST /                 the RPC API (CAMS 2020-06-06 actions, STS 2015-04-01 AssumeRole)
  GET /qr/<CODE>.png|.svg    the QR image of a code's deep link
  POST /__emulator/html      an HTML error page (for client tests)
  GET /__emulator/stats      counters (total and perAccount; ?accessKeyId=ID for one account);
                             POST /__emulator/stats/reset clears them
  GET|POST|DELETE /__emulator/faults
                             fault injection: show, set (JSON body, as --emulator-faults), clear
  GET|POST /__emulator/clock the emulator's clock; offsetSeconds=N, advanceSeconds=N or
                             advanceMillis=N shifts it, freeze=true|false stops or restarts it
The /__emulator/ routes answer only a Host that is an IP address or localhost, take POSTs only as
application/json (POST /__emulator/html excepted: it changes nothing) and send no CORS headers
unless --emulator-admin-cors names the page's origin.";

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

/// `scheme://host[:port]` of an http(s) origin (no wildcard: an opt-in names its page).
fn parse_origin(s: &str) -> Result<String, String> {
    let usage =
        || "expected an origin like http://127.0.0.1:8000 (no path, no wildcard)".to_owned();
    let url = url::Url::parse(s.trim()).map_err(|_| usage())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if plain {
        Ok(url.origin().ascii_serialization())
    } else {
        Err(usage())
    }
}

fn parse_faults(s: &str) -> Result<FaultConfig, String> {
    FaultConfig::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    fn parse(args: &[&str]) -> Result<EmulatorArgs, clap::Error> {
        let mut all = vec!["cams-emulator"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|c| c.args)
    }

    #[test]
    fn parses_every_flag() {
        let a = parse(&[
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
            "--emulator-admin-cors",
            "http://127.0.0.1:18083/",
        ])
        .unwrap();
        assert_eq!(a.emulator_admin_cors, ["http://127.0.0.1:18083"]);
        assert_eq!(a.emulator_qps, 0);
        assert_eq!(a.emulator_faults.as_ref().map(|f| f.seed), Some(7));
        assert_eq!(a.emulator_listen.port(), 0);
        assert_eq!(a.emulator_access_keys[0].id, "id1");
        assert_eq!(a.emulator_access_keys[0].secret, "se:cret");
        assert_eq!(a.emulator_sts_min_duration, 5);
        assert!(!format!("{:?}", a.emulator_access_keys).contains("se:cret"));
    }

    #[test]
    fn rejects_bad_values() {
        for args in [
            &["--emulator-access-key", "nosecret"][..],
            &["--emulator-access-key", ":s"],
            &["--emulator-sts-min-duration", "0"],
            &["--emulator-qps", "-1"],
            &["--emulator-faults", r#"{"throttleRate":2}"#],
            &["--emulator-faults", "not json"],
            &["--emulator-admin-cors", "*"],
            &["--emulator-admin-cors", "http://127.0.0.1:1/page"],
            &["--emulator-admin-cors", "127.0.0.1:1"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn the_demo_key_stays_beside_given_keys_unless_replaced() {
        let config = parse(&[]).unwrap().config();
        assert_eq!(config.access_keys, EmulatorConfig::default().access_keys);
        assert_eq!((config.qps_limit, config.faults), (5, None));
        let config = parse(&[
            "--emulator-access-key",
            "k1:s1",
            "--emulator-access-key",
            "k2:s2",
        ])
        .unwrap()
        .config();
        let ids: Vec<&str> = config
            .access_keys
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(ids, ["demo-access-key-id", "k1", "k2"]);
        let config = parse(&["--emulator-access-key", "demo-access-key-id:other"])
            .unwrap()
            .config();
        assert_eq!(
            config.access_keys,
            [("demo-access-key-id".to_owned(), "other".to_owned())]
        );
    }
}
