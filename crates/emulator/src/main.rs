//! `cams-emulator`: the emulator on its own, for clients and SDKs that talk to CAMS and STS
//! directly (`cams-relay --emulate` runs the same emulator beside the relay).

use std::process::ExitCode;

use cams_emulator::cli::{EmulatorArgs, EMULATOR_HELP};
use cams_emulator::{listener, Emulator};
use clap::Parser;
use tokio::net::TcpListener;

/// Emulates Alibaba Cloud CAMS 2020-06-06 (the four message QR code actions) and STS 2015-04-01
/// (AssumeRole) at `/` of its listener, as the real hosts serve them.
#[derive(Parser)]
#[command(name = "cams-emulator", version, about, after_long_help = EMULATOR_HELP)]
struct Cli {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    // Before the address is printed: a script that starts the emulator may stop it at once.
    let shutdown = match shutdown_signal() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cams-emulator: cannot watch for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listen = cli.emulator.emulator_listen;
    let tcp = match TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cams-emulator: cannot listen on {listen} (--emulator-listen): {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = match tcp.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cams-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(url) = url::Url::parse(&format!("http://{addr}/")) else {
        eprintln!("cams-emulator: {addr} makes no URL");
        return ExitCode::FAILURE;
    };
    let config = cli.emulator.config();
    let keys: Vec<&str> = config
        .access_keys
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    println!(
        "cams-emulator: listening on {url} (CAMS 2020-06-06 and STS 2015-04-01; access keys: {})",
        keys.join(", ")
    );
    let emulator = Emulator::new(config, url);
    match listener::serve(tcp, emulator.router(), shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cams-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this returns, not when the
/// future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
