//! Binding and running: the emulator's listener first (in emulate mode its address is the
//! upstreams' and the QR images' host), then the relay's; both stop together on shutdown.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context as _;
#[cfg(feature = "emulator")]
use cams_protocol::credentials::Credentials;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

#[cfg(feature = "emulator")]
use cams_emulator::{self as emulator, sts, Emulator};

#[cfg(feature = "emulator")]
use crate::config::RelayIdentity;
use crate::config::{Plan, PlanMode, RelayConfig};
use crate::conn_limits::ConnLimits;
use crate::http_server::{self, ServeSettings};
use crate::{fd_limit, routes};

/// The emulator's listener and state, bound but not yet serving.
#[cfg(feature = "emulator")]
type PendingEmulator = (TcpListener, RunningEmulator);
#[cfg(not(feature = "emulator"))]
type PendingEmulator = std::convert::Infallible;

/// The role the relay assumes for browsers in emulate mode.
#[cfg(feature = "emulator")]
pub const EMULATED_ROLE_NAME: &str = "cams-qrdl-browser";

/// The running emulator.
#[cfg(feature = "emulator")]
#[derive(Debug)]
pub struct RunningEmulator {
    pub addr: SocketAddr,
    /// The emulator's base URL (`http://<addr>/`).
    pub url: Url,
    /// Its state, for tests that shift the clock or read counters.
    pub state: Arc<Emulator>,
}

/// The running relay (and emulator); stop it with [`Running::shutdown`].
#[derive(Debug)]
pub struct Running {
    pub relay_addr: SocketAddr,
    pub config: Arc<RelayConfig>,
    #[cfg(feature = "emulator")]
    pub emulator: Option<RunningEmulator>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// The page's URL.
    pub fn relay_url(&self) -> Url {
        base_url(self.relay_addr)
    }

    /// Stops accepting, lets requests in flight finish (until `--drain-timeout`), and waits for
    /// both servers.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        for task in self.tasks {
            task.await.context("server task failed")??;
        }
        Ok(())
    }
}

/// Binds the listeners and starts serving; returns once both accept connections. Nothing is
/// spawned until every listener is bound and the routes are built, so a failure leaves nothing
/// running.
pub async fn start(plan: Plan) -> anyhow::Result<Running> {
    let (config, emulator): (RelayConfig, Option<PendingEmulator>) = match &plan.mode {
        PlanMode::Production {
            upstreams,
            identity,
        } => (
            RelayConfig::production(&plan, upstreams.clone(), identity.clone()),
            None,
        ),
        #[cfg(feature = "emulator")]
        PlanMode::Emulate {
            listen,
            emulator,
            ignored_endpoints,
        } => {
            if *ignored_endpoints {
                tracing::warn!("--emulate: --cams-endpoint and --sts-endpoint are ignored; both upstreams are the emulator");
            }
            let listener = TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen} (--emulator-listen)"))?;
            let addr = listener.local_addr()?;
            let url = base_url(addr);
            let state = Emulator::new(emulator.clone(), url.clone());
            let identity = register_relay_identity(&state);
            let config = RelayConfig::emulated(&plan, url.clone(), identity);
            (
                config,
                Some((listener, RunningEmulator { addr, url, state })),
            )
        }
    };
    let config = Arc::new(config);
    let listener = TcpListener::bind(plan.listen)
        .await
        .with_context(|| format!("cannot listen on {} (--listen)", plan.listen))?;
    let relay_addr = listener.local_addr()?;
    let relay_routes = routes::routes(Arc::clone(&config))?;

    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    #[cfg(not(feature = "emulator"))]
    let _ = emulator;
    #[cfg(feature = "emulator")]
    let emulator = emulator.map(|(emulator_listener, running)| {
        // Its own serve loop: the drop fault closes connections without a reply.
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(emulator::listener::serve(
            emulator_listener,
            running.state.router(),
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            },
        )));
        running
    });
    let conn = &config.conn;
    let limits = ConnLimits::new(
        conn.effective_max_connections(fd_limit::current()),
        conn.max_connections_per_ip,
    );
    if limits.max() < conn.max_connections as usize {
        tracing::warn!(
            max_connections = limits.max(),
            open_file_limit = fd_limit::current(),
            "--max-connections lowered to three quarters of the open-file limit; raise the \
             limit (LimitNOFILE=, ulimit -Hn) for more"
        );
    }
    let settings = ServeSettings {
        header_read_timeout: conn.header_read_timeout(),
        idle_timeout: conn.idle_timeout(),
        drain_timeout: conn.drain_timeout(),
        limits,
    };
    tasks.push(tokio::spawn(http_server::serve(
        listener,
        relay_routes,
        settings,
        stopped,
    )));
    Ok(Running {
        relay_addr,
        config,
        #[cfg(feature = "emulator")]
        emulator,
        stop,
        tasks,
    })
}

/// In emulate mode the relay gets a long-term key of its own in the emulator, and a role there.
#[cfg(feature = "emulator")]
fn register_relay_identity(emulator: &Emulator) -> RelayIdentity {
    let credentials = Credentials {
        access_key_id: format!("LTAIrelay{}", sts::random_alnum(15)),
        access_key_secret: sts::random_alnum(30),
        security_token: None,
    };
    emulator.add_access_key(&credentials.access_key_id, &credentials.access_key_secret);
    RelayIdentity {
        credentials,
        role_arn: format!(
            "acs:ram::{}:role/{EMULATED_ROLE_NAME}",
            emulator.config().account_id
        ),
    }
}

/// `http://<addr>/`, with a wildcard address replaced by loopback so the URL can be opened.
pub fn base_url(addr: SocketAddr) -> Url {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let text = format!("http://{}/", SocketAddr::new(ip, addr.port()));
    Url::parse(&text).unwrap_or_else(|_| {
        // A socket address always forms a valid URL; keep a usable value regardless.
        Url::parse("http://127.0.0.1/").expect("literal URL")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_openable() {
        assert_eq!(
            base_url("0.0.0.0:8080".parse().unwrap()).as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            base_url("[::]:81".parse().unwrap()).as_str(),
            "http://[::1]:81/"
        );
        assert_eq!(
            base_url("192.168.1.2:9".parse().unwrap()).as_str(),
            "http://192.168.1.2:9/"
        );
    }
}
