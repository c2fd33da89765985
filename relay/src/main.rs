//! `cams-relay`: see `cams-relay --help` and the crate documentation.

use std::process::ExitCode;

use cams_relay::cli::Cli;
use cams_relay::config::Mode;
use cams_relay::{api, config, fd_limit, server};
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
    // Before anything is printed: a script that reads the "serving" line may stop the relay at
    // once, and the default action of SIGTERM would kill it without a clean shutdown.
    let shutdown = match shutdown_signal() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cams-relay: cannot watch for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Every connection is a descriptor: take all the process may have (docs/security.md).
    match fd_limit::raise() {
        Some((before, after)) if after > before => {
            tracing::info!(before, after, "raised the open-file limit (RLIMIT_NOFILE)")
        }
        Some((_, after)) if after < 4096 => tracing::warn!(
            limit = after,
            "the open-file limit is low and cannot be raised further (its hard limit): the \
             connection cap follows it; raise it with LimitNOFILE= or ulimit -Hn"
        ),
        _ => {}
    }
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
    #[cfg(feature = "emulator")]
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
    // Started, so the setting is valid.
    let anonymous = api::anonymous_actions(config).unwrap_or_default();
    match config.mode {
        Mode::Emulate => {
            tracing::info!("emulate mode: /sts and /cams use the built-in emulator");
            if anonymous.changes_existing_codes() {
                tracing::warn!(
                    anonymous_actions = %anonymous,
                    "EMULATE MODE: anonymous callers may {} codes, with no sign-in, so the \
                     local page works as it is; a production relay never lets anonymous callers \
                     update or delete. Pass --anonymous-actions create to try the tiers",
                    anonymous.words().join(", ")
                );
            }
        }
        Mode::Production => {
            tracing::info!(
                cams = %config.upstreams.cams,
                sts = %config.upstreams.sts,
                access_key_id = %config.identity.credentials.access_key_id,
                role_arn = %config.identity.role_arn,
                "production mode"
            );
            if anonymous.is_empty() {
                tracing::info!("/sts: signed-in callers only (--auth-token or --auth-jwks)");
            } else {
                tracing::warn!(
                    anonymous_actions = %anonymous,
                    "/sts: anyone who can reach this relay gets credentials that may {} QR \
                     codes (Origin checks stop other sites' pages, not curl); update and delete \
                     need a signed-in caller. Right for a public QR page; for a dashboard, see \
                     the README's deployment section",
                    anonymous.words().join(" and ")
                );
            }
        }
    }

    shutdown.await;
    println!("cams-relay: shutting down");
    match running.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cams-relay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this returns, not when the
/// future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
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
