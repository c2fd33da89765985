//! What the relay runs with: the mode, the upstream endpoints, its own RAM identity.
//!
//! Resolution happens in two steps because in emulate mode the upstreams are the emulator's
//! address, known only once its listener is bound: [`plan`] reads the command line and the
//! environment, then [`crate::server::start`] binds and builds the final [`RelayConfig`].

use std::fmt;
use std::path::PathBuf;

use cams_protocol::credentials::Credentials;
use url::Url;

use crate::api_args::ApiArgs;
use crate::auth::AuthArgs;
use crate::cli::Cli;
use crate::conn_limits::ConnArgs;
use crate::page_headers::PageArgs;
#[cfg(feature = "emulator")]
use cams_emulator::EmulatorConfig;

/// Where /cams forwards to when no `--cams-endpoint` is given.
pub const DEFAULT_CAMS_ENDPOINT: &str = "https://cams.ap-southeast-1.aliyuncs.com/";
/// Where /sts calls AssumeRole when no `--sts-endpoint` is given.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.aliyuncs.com/";

/// The official variable names, as Alibaba's credential libraries read them.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";

/// Whether the upstreams are Alibaba's (or whatever the flags name) or the built-in emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Production,
    Emulate,
}

impl Mode {
    /// The word `/relay.json` and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Production => "production",
            Mode::Emulate => "emulate",
        }
    }
}

/// The two hosts the relay talks to. Both are base URLs whose path `/` is the RPC endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstreams {
    pub cams: Url,
    pub sts: Url,
}

/// The relay's own long-term key and the role it assumes for browsers. `Debug` redacts the
/// secret (see [`Credentials`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayIdentity {
    pub credentials: Credentials,
    pub role_arn: String,
}

/// Everything the relay's routes need; shared as `Arc<RelayConfig>`.
#[derive(Clone)]
pub struct RelayConfig {
    pub mode: Mode,
    /// The static page's directory.
    pub www: PathBuf,
    pub upstreams: Upstreams,
    pub identity: RelayIdentity,
    /// Cross-site origins allowed to call /sts and /cams.
    pub allow_origins: Vec<String>,
    /// Bearer token required on /sts and /cams, when set.
    pub auth_token: Option<String>,
    /// The emulator's base URL when it runs (emulate mode).
    pub emulator_url: Option<Url>,
    /// Flags of /sts and /cams.
    pub api: ApiArgs,
    /// Tiers and sign-in.
    pub auth: AuthArgs,
    /// The listener's limits.
    pub conn: ConnArgs,
    /// Security headers.
    pub page: PageArgs,
    /// The `DurationSeconds` the upstream STS grants: (min, max).
    pub sts_duration_bounds: (u32, u32),
}

impl fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayConfig")
            .field("mode", &self.mode)
            .field("www", &self.www)
            .field("upstreams", &self.upstreams)
            .field("identity", &self.identity)
            .field("allow_origins", &self.allow_origins)
            .field(
                "auth_token",
                &self.auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field("emulator_url", &self.emulator_url.as_ref().map(Url::as_str))
            .field("api", &self.api)
            .field("auth", &self.auth)
            .field("conn", &self.conn)
            .field("page", &self.page)
            .field("sts_duration_bounds", &self.sts_duration_bounds)
            .finish()
    }
}

/// The command line and environment, resolved, before anything is bound.
#[derive(Clone)]
pub struct Plan {
    pub listen: std::net::SocketAddr,
    pub www: PathBuf,
    pub allow_origins: Vec<String>,
    pub auth_token: Option<String>,
    pub mode: PlanMode,
    pub api: ApiArgs,
    pub auth: AuthArgs,
    pub conn: ConnArgs,
    pub page: PageArgs,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("listen", &self.listen)
            .field("www", &self.www)
            .field("allow_origins", &self.allow_origins)
            .field(
                "auth_token",
                &self.auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field("mode", &self.mode)
            .field("api", &self.api)
            .field("auth", &self.auth)
            .field("conn", &self.conn)
            .field("page", &self.page)
            .finish()
    }
}

/// Production carries its final upstreams and identity; emulate carries what the emulator needs.
#[derive(Clone, Debug)]
pub enum PlanMode {
    Production {
        upstreams: Upstreams,
        identity: RelayIdentity,
    },
    #[cfg(feature = "emulator")]
    Emulate {
        listen: std::net::SocketAddr,
        emulator: EmulatorConfig,
        /// Endpoint flags given with `--emulate`; ignored, but worth a warning.
        ignored_endpoints: bool,
    },
}

/// A command line that cannot run.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Some but not all of the three production variables are set.
    PartialEnvironment { missing: Vec<&'static str> },
    /// None of them is set, and this build has no emulator to run instead.
    NoCredentials,
    /// An endpoint that is not an http(s) base URL.
    BadEndpoint { flag: &'static str, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::PartialEnvironment { missing } => write!(
                f,
                "production mode needs {ENV_ACCESS_KEY_ID}, {ENV_ACCESS_KEY_SECRET} and \
                 {ENV_ROLE_ARN}; missing: {}. Set all three, or none (or pass --emulate) to run \
                 against the built-in emulator.",
                missing.join(", ")
            ),
            ConfigError::NoCredentials => write!(
                f,
                "production mode needs {ENV_ACCESS_KEY_ID}, {ENV_ACCESS_KEY_SECRET} and \
                 {ENV_ROLE_ARN}; none is set. (This build has no emulator: build cams-relay with \
                 --features emulator to run against it.)"
            ),
            ConfigError::BadEndpoint { flag, reason } => write!(f, "{flag}: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Resolves the mode: emulate with `--emulate` or when none of the three variables is set (in a
/// build with the emulator), production when all three are, an error otherwise. `env` reads a
/// variable (empty = unset).
pub fn plan(cli: &Cli, env: impl Fn(&str) -> Option<String>) -> Result<Plan, ConfigError> {
    let read = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let vars = [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_ROLE_ARN].map(|n| (n, read(n)));
    let missing: Vec<&'static str> = vars
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();

    let mode = match vars {
        #[cfg(feature = "emulator")]
        _ if cli.emulate || missing.len() == 3 => PlanMode::Emulate {
            listen: cli.emulator.emulator_listen,
            emulator: cli.emulator.config(),
            ignored_endpoints: cli.cams_endpoint.is_some() || cli.sts_endpoint.is_some(),
        },
        [(_, Some(id)), (_, Some(secret)), (_, Some(role_arn))] => PlanMode::Production {
            upstreams: Upstreams {
                cams: endpoint(
                    "--cams-endpoint",
                    cli.cams_endpoint.as_ref(),
                    DEFAULT_CAMS_ENDPOINT,
                )?,
                sts: endpoint(
                    "--sts-endpoint",
                    cli.sts_endpoint.as_ref(),
                    DEFAULT_STS_ENDPOINT,
                )?,
            },
            identity: RelayIdentity {
                credentials: Credentials {
                    access_key_id: id,
                    access_key_secret: secret,
                    security_token: None,
                },
                role_arn,
            },
        },
        _ if missing.len() == 3 => return Err(ConfigError::NoCredentials),
        _ => return Err(ConfigError::PartialEnvironment { missing }),
    };
    Ok(Plan {
        listen: cli.listen,
        www: cli.www.clone(),
        allow_origins: cli.allow_origins.clone(),
        auth_token: cli.auth_token.clone().filter(|t| !t.is_empty()),
        mode,
        api: cli.api.clone(),
        auth: cli.auth.clone(),
        conn: cli.conn.clone(),
        page: cli.page.clone(),
    })
}

/// An http(s) URL with a host, no query or fragment. Its path is not used: both APIs live at `/`
/// of their host, where the relay sends every call (`proxy::target_url`).
fn endpoint(flag: &'static str, given: Option<&Url>, default: &str) -> Result<Url, ConfigError> {
    let bad = |reason: &str| ConfigError::BadEndpoint {
        flag,
        reason: reason.to_owned(),
    };
    let url = match given {
        Some(u) => u.clone(),
        None => Url::parse(default).map_err(|e| bad(&e.to_string()))?,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the endpoint must be an http:// or https:// URL"));
    }
    if url.host_str().is_none() {
        return Err(bad("the endpoint needs a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("the endpoint must not have a query or fragment"));
    }
    Ok(url)
}

impl RelayConfig {
    /// The final configuration of emulate mode: both upstreams are the emulator.
    #[cfg(feature = "emulator")]
    pub fn emulated(plan: &Plan, emulator_url: Url, identity: RelayIdentity) -> RelayConfig {
        let max = cams_emulator::sts::MAX_DURATION_SECS;
        let min = match &plan.mode {
            PlanMode::Emulate { emulator, .. } => emulator.sts_min_duration.min(max),
            PlanMode::Production { .. } => crate::sts_limits::MIN_DURATION_SECS,
        };
        RelayConfig {
            sts_duration_bounds: (min, max),
            mode: Mode::Emulate,
            www: plan.www.clone(),
            upstreams: Upstreams {
                cams: emulator_url.clone(),
                sts: emulator_url.clone(),
            },
            identity,
            allow_origins: plan.allow_origins.clone(),
            auth_token: plan.auth_token.clone(),
            api: plan.api.clone(),
            auth: plan.auth.clone(),
            conn: plan.conn.clone(),
            page: plan.page.clone(),
            emulator_url: Some(emulator_url),
        }
    }

    /// The final configuration of production mode.
    pub fn production(plan: &Plan, upstreams: Upstreams, identity: RelayIdentity) -> RelayConfig {
        RelayConfig {
            sts_duration_bounds: (
                crate::sts_limits::MIN_DURATION_SECS,
                crate::sts_limits::MAX_DURATION_SECS,
            ),
            mode: Mode::Production,
            www: plan.www.clone(),
            upstreams,
            identity,
            allow_origins: plan.allow_origins.clone(),
            auth_token: plan.auth_token.clone(),
            api: plan.api.clone(),
            auth: plan.auth.clone(),
            conn: plan.conn.clone(),
            page: plan.page.clone(),
            emulator_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["cams-relay"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const ALL: [(&str, &str); 3] = [
        (ENV_ACCESS_KEY_ID, "LTAIrelay"),
        (ENV_ACCESS_KEY_SECRET, "relay-secret"),
        (ENV_ROLE_ARN, "acs:ram::123:role/browser"),
    ];

    #[cfg(feature = "emulator")]
    #[test]
    fn no_variables_means_emulate_with_the_demo_key() {
        let p = plan(&cli(&[]), env(&[])).unwrap();
        let PlanMode::Emulate { emulator, .. } = p.mode else {
            panic!("expected emulate")
        };
        assert_eq!(emulator.access_keys, EmulatorConfig::default().access_keys);
        assert_eq!((emulator.qps_limit, emulator.faults), (5, None));
    }

    #[cfg(not(feature = "emulator"))]
    #[test]
    fn without_the_emulator_no_variables_is_an_error() {
        let err = plan(&cli(&[]), env(&[])).unwrap_err();
        assert_eq!(err, ConfigError::NoCredentials);
        assert!(err.to_string().contains(ENV_ACCESS_KEY_ID));
    }

    #[test]
    // Without the emulator feature, production is the only mode.
    #[allow(irrefutable_let_patterns)]
    fn all_variables_means_production_with_default_endpoints() {
        let p = plan(&cli(&[]), env(&ALL)).unwrap();
        let PlanMode::Production {
            upstreams,
            identity,
        } = p.mode
        else {
            panic!("expected production")
        };
        assert_eq!(upstreams.cams.as_str(), DEFAULT_CAMS_ENDPOINT);
        assert_eq!(upstreams.sts.as_str(), DEFAULT_STS_ENDPOINT);
        assert_eq!(identity.credentials.access_key_id, "LTAIrelay");
        assert_eq!(identity.role_arn, "acs:ram::123:role/browser");
        assert!(!format!("{identity:?}").contains("relay-secret"));
    }

    #[cfg(feature = "emulator")]
    #[test]
    fn emulate_flag_wins_over_variables() {
        let p = plan(
            &cli(&["--emulate", "--cams-endpoint", "https://x.example"]),
            env(&ALL),
        );
        assert!(matches!(
            p.unwrap().mode,
            PlanMode::Emulate {
                ignored_endpoints: true,
                ..
            }
        ));
    }

    #[test]
    fn some_variables_is_an_error_naming_the_missing_ones() {
        let err = plan(&cli(&[]), env(&ALL[..1])).unwrap_err();
        assert_eq!(
            err,
            ConfigError::PartialEnvironment {
                missing: vec![ENV_ACCESS_KEY_SECRET, ENV_ROLE_ARN]
            }
        );
        assert!(err.to_string().contains(ENV_ROLE_ARN));
        // Blank counts as unset.
        let blank = [ALL[0], ALL[1], (ENV_ROLE_ARN, " ")];
        assert!(plan(&cli(&[]), env(&blank)).is_err());
    }

    #[test]
    // Without the emulator feature, production is the only mode.
    #[allow(irrefutable_let_patterns)]
    fn endpoints_must_be_http_base_urls() {
        for bad in [
            "ftp://x.example",
            "https://x.example/?a=1",
            "data:text/plain,x",
        ] {
            assert!(
                plan(&cli(&["--cams-endpoint", bad]), env(&ALL)).is_err(),
                "{bad}"
            );
        }
        let p = plan(&cli(&["--sts-endpoint", "http://127.0.0.1:9/"]), env(&ALL)).unwrap();
        let PlanMode::Production { upstreams, .. } = p.mode else {
            panic!()
        };
        assert_eq!(upstreams.sts.as_str(), "http://127.0.0.1:9/");
    }

    #[cfg(feature = "emulator")]
    #[test]
    fn debug_redacts_the_auth_token() {
        let p = plan(&cli(&["--auth-token", "t0ken-value"]), env(&[])).unwrap();
        let c = RelayConfig::emulated(
            &p,
            Url::parse("http://127.0.0.1:1/").unwrap(),
            RelayIdentity {
                credentials: Credentials {
                    access_key_id: "id".into(),
                    access_key_secret: "s3cret".into(),
                    security_token: None,
                },
                role_arn: "r".into(),
            },
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains("t0ken-value") && !shown.contains("s3cret"));
    }
}
