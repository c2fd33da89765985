//! The command-line flags of the account pacer and its Redis (flattened into
//! [`crate::api_args::ApiArgs`]).

use std::fmt;

use clap::Args;

/// CAMS's documented limit: 5 calls per second per account.
pub const DEFAULT_ACCOUNT_QPS: u32 = 5;
/// Calls one relay keeps waiting for a slot before it answers `RelayBusy` at once.
pub const DEFAULT_QUEUE_MAX: usize = 200;
/// How long a call waits for a slot before `RelayBusy`: well inside the browser module's default
/// `timeoutMs` (10 s), which also has to hold the CAMS round trip after the wait.
pub const DEFAULT_QUEUE_WAIT_MS: u64 = 5_000;
/// How long one Redis command may take before the relay gives up on it.
pub const DEFAULT_REDIS_TIMEOUT_MS: u64 = 250;

/// Flags of the account pacer.
#[derive(Clone, PartialEq, Eq, Args)]
pub struct PacerArgs {
    /// CAMS calls per second for the whole account, paced across every client of /cams (and
    /// every replica sharing --redis-url) so that no one-second window at CAMS holds more. 0
    /// turns the pacer off.
    #[arg(long, default_value_t = DEFAULT_ACCOUNT_QPS, value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub cams_account_qps: u32,

    /// Calls this relay keeps waiting for a pacing slot; past it a call gets 503 RelayBusy at
    /// once (nothing sent upstream).
    #[arg(long, default_value_t = DEFAULT_QUEUE_MAX, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub cams_queue_max: usize,

    /// How long a call may wait for a pacing slot before it gets 503 RelayBusy (nothing sent
    /// upstream). Keep it below the clients' time limit minus a CAMS round trip.
    #[arg(long, default_value_t = DEFAULT_QUEUE_WAIT_MS, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub cams_queue_wait_ms: u64,

    /// Redis (redis://[user:password@]host:port/db, rediss:// for TLS) holding the pacer's state
    /// and the per-client rate limits, shared by every replica pointed at it. Without it both
    /// stay in this process's memory. When Redis cannot be reached /cams answers 503
    /// RelayPacerUnavailable (nothing sent) and the rate limits fall back to memory.
    #[arg(
        long,
        value_name = "URL",
        env = "CAMS_RELAY_REDIS_URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,

    /// Time limit of one Redis command; a slower answer counts as Redis being unreachable.
    #[arg(long, default_value_t = DEFAULT_REDIS_TIMEOUT_MS, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub redis_timeout_ms: u64,
}

impl Default for PacerArgs {
    fn default() -> Self {
        PacerArgs {
            cams_account_qps: DEFAULT_ACCOUNT_QPS,
            cams_queue_max: DEFAULT_QUEUE_MAX,
            cams_queue_wait_ms: DEFAULT_QUEUE_WAIT_MS,
            redis_url: None,
            redis_timeout_ms: DEFAULT_REDIS_TIMEOUT_MS,
        }
    }
}

// The URL may hold a password.
impl fmt::Debug for PacerArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacerArgs")
            .field("cams_account_qps", &self.cams_account_qps)
            .field("cams_queue_max", &self.cams_queue_max)
            .field("cams_queue_wait_ms", &self.cams_queue_wait_ms)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<redacted>"))
            .field("redis_timeout_ms", &self.redis_timeout_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: PacerArgs,
    }

    fn parse(args: &[&str]) -> Result<PacerArgs, clap::Error> {
        let mut all = vec!["cams-relay"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|c| c.args)
    }

    #[test]
    fn defaults_pace_at_five_in_memory() {
        let a = parse(&[]).unwrap();
        assert_eq!(a, PacerArgs::default());
        assert_eq!(a.cams_account_qps, 5);
        assert!(a.redis_url.is_none() || std::env::var("CAMS_RELAY_REDIS_URL").is_ok());
    }

    #[test]
    fn flags_parse_and_bad_values_are_refused() {
        let a = parse(&[
            "--cams-account-qps",
            "0",
            "--cams-queue-max",
            "7",
            "--cams-queue-wait-ms",
            "1500",
            "--redis-url",
            "redis://:pw@127.0.0.1:6379/0",
            "--redis-timeout-ms",
            "100",
        ])
        .unwrap();
        assert_eq!(
            (a.cams_account_qps, a.cams_queue_max, a.cams_queue_wait_ms),
            (0, 7, 1500)
        );
        assert!(!format!("{a:?}").contains("pw"));
        for bad in [
            &["--cams-account-qps", "-1"][..],
            &["--cams-queue-max", "0"],
            &["--cams-queue-wait-ms", "0"],
            &["--redis-timeout-ms", "0"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
