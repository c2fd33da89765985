//! `cams-relay`: see `cams-relay --help` and the crate documentation.

use std::process::ExitCode;

use cams_relay::cli::Cli;
use cams_relay::config::Mode;
use cams_relay::{config, server};
use clap::Parser;

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
    let plan = match config::plan(&cli, |name| std::env::var(name).ok()) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("cams-relay: {e}");
            return ExitCode::from(2);
        }
    };
    if !plan.www.is_dir() {
        tracing::warn!(www = %plan.www.display(), "the --www directory does not exist; the page will answer 404");
    }
    let running = match server::start(plan).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cams-relay: {e:#}");
            return ExitCode::FAILURE;
        }
    };

    // These lines are the interface scripts read: keep their shape.
    let config = &running.config;
    if let Some(emulator) = &running.emulator {
        let keys: Vec<&str> = emulator
            .state
            .config()
            .access_keys
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        println!(
            "cams-relay: emulator listening on {} (CAMS 2020-06-06 and STS 2015-04-01; access keys: {})",
            emulator.url,
            keys.join(", ")
        );
    }
    println!(
        "cams-relay: serving {} (mode: {}, static files from {})",
        running.relay_url(),
        config.mode.as_str(),
        config.www.display()
    );
    match config.mode {
        Mode::Emulate => tracing::info!("emulate mode: /sts and /cams use the built-in emulator"),
        Mode::Production => {
            tracing::info!(
                cams = %config.upstreams.cams,
                sts = %config.upstreams.sts,
                access_key_id = %config.identity.credentials.access_key_id,
                role_arn = %config.identity.role_arn,
                "production mode"
            );
            if config.auth_token.is_none() {
                tracing::warn!(
                    "/sts has no --auth-token: anyone who can reach this relay gets credentials \
                     for the four QR-code actions (Origin checks stop other sites' pages, not \
                     curl). Fine for a public QR page; for a dashboard, set --auth-token or put \
                     the relay behind the dashboard's login (docs/relay.md)"
                );
            }
        }
    }

    shutdown_signal().await;
    println!("cams-relay: shutting down");
    match running.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cams-relay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
