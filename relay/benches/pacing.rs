//! `make bench` (scripts/bench.sh `pacing`): the account pacer with real components, printing
//! figures and asserting nothing.
//!
//! - **batch**: 10 clients × 100 creates (each client pacing itself as the browser module
//!   does) through 2 relays sharing 1 Redis, against the emulator's 5 calls per second: wall
//!   time against the floor, the emulator's throttles, not-sent refusals and retries, Redis
//!   script calls per create.
//! - **latency**: sequential creates with nothing to wait for (the emulator unlimited, the
//!   pacer at 10,000 per second): straight to the emulator, through a relay without pacing,
//!   with its in-memory pacer, and with its Redis pacer; the relay's added latency is the
//!   difference from straight, and Redis round trips per call come from Redis's own counters.
//!
//! `cargo bench -p cams-relay --features emulator --bench pacing [-- batch|latency]`;
//! `CAMS_BENCH_CLIENTS`, `CAMS_BENCH_CREATES` (per client) and `CAMS_BENCH_LATENCY_N` change
//! the sizes.

#[path = "../tests/pacing/harness.rs"]
mod harness;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::*;

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn loopback(last: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    ms(sorted[i])
}

async fn batch(redis: &RedisServer) {
    let clients = env_u32("CAMS_BENCH_CLIENTS", 10);
    let per_client = env_u32("CAMS_BENCH_CREATES", 100);
    let total = clients * per_client;
    let emu = Emu::start(5).await;
    let relays = [
        RelayProcess::start(&emu, Some(redis), &[]),
        RelayProcess::start(&emu, Some(redis), &[]),
    ];
    let mut natives = Vec::new();
    for c in 0..clients {
        let relay = &relays[(c % 2) as usize];
        natives.push(Arc::new(
            NativeClient::new(&relay.url, loopback(100 + c as u8), 5.0).await,
        ));
    }
    let scripts_before = redis.script_calls();
    let started = Instant::now();
    let tasks: Vec<_> = natives
        .iter()
        .enumerate()
        .map(|(c, client)| {
            let client = Arc::clone(client);
            tokio::spawn(async move { client.batch(phones(c as u32, per_client), 100).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.extend(t.await.unwrap());
    }
    let wall = started.elapsed();
    let scripts = redis.script_calls() - scripts_before;
    let stats = emu.stats().await;
    let ok = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let not_sent: u32 = outcomes.iter().map(|o| o.not_sent).sum();
    let retries: u32 = outcomes.iter().map(|o| o.retries).sum();
    let mut waits: Vec<Duration> = outcomes.iter().map(|o| o.elapsed).collect();
    waits.sort();
    let floor = floor(total, 5);
    println!(
        "\n== batch: {clients} clients x {per_client} creates, 2 relays, 1 Redis, CAMS at 5/s =="
    );
    println!(
        "created:          {ok} of {total} (emulator: {} created)",
        stats["created"]
    );
    println!(
        "wall time:        {:.1} s; floor {:.0} s; {:.1} s over it ({:.2}% above)",
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        (wall - floor.min(wall)).as_secs_f64(),
        100.0 * (wall.as_secs_f64() / floor.as_secs_f64().max(1e-9) - 1.0)
    );
    println!(
        "throughput:       {:.2} creates/s",
        f64::from(ok as u32) / wall.as_secs_f64()
    );
    println!(
        "throttled:        {} by the account limit, {} injected",
        stats["throttled"], stats["faults"]["throttle"]
    );
    println!("not-sent retries: {not_sent} (RelayBusy/RelayPacerUnavailable); backoff retries: {retries}");
    println!(
        "per-create time:  p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (queueing in client and relay included)",
        percentile(&waits, 0.5),
        percentile(&waits, 0.99),
        percentile(&waits, 1.0)
    );
    println!(
        "Redis scripts:    {scripts} ({:.2} per create)",
        scripts as f64 / f64::from(total)
    );
}

async fn latency(redis: &RedisServer) {
    let n = env_u32("CAMS_BENCH_LATENCY_N", 300);
    let emu = Emu::start(0).await;
    let fast = ["--cams-account-qps", "10000"];
    let off = RelayProcess::start(&emu, None, &["--cams-account-qps", "0"]);
    let memory = RelayProcess::start(&emu, None, &fast);
    let shared = RelayProcess::start(&emu, Some(redis), &fast);
    let direct = NativeClient::new(&off.url, None, 0.0)
        .await
        .direct_to(&emu.url);
    let cases = [
        ("straight to the emulator", direct, false),
        (
            "relay, pacing off",
            NativeClient::new(&off.url, None, 0.0).await,
            false,
        ),
        (
            "relay, in-memory pacer",
            NativeClient::new(&memory.url, None, 0.0).await,
            false,
        ),
        (
            "relay, Redis pacer",
            NativeClient::new(&shared.url, None, 0.0).await,
            true,
        ),
    ];
    println!("\n== latency: {n} sequential creates each, nothing to wait for ==");
    println!("| path | p50 ms | p90 ms | p99 ms | added p50 ms | Redis scripts per call |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut base = None;
    for (k, (name, client, counts)) in cases.into_iter().enumerate() {
        // Warm the connections (and Redis's script cache) first.
        for i in 0..10 {
            let _ = client.create(&format!("8619{k}{i:08}"), "warm").await;
        }
        let before = redis.script_calls();
        let mut times = Vec::new();
        for i in 0..n {
            let o = client.create(&format!("8618{k}{i:08}"), "latency").await;
            assert!(o.result.is_ok(), "{o:?}");
            times.push(o.elapsed);
        }
        let scripts = redis.script_calls() - before;
        times.sort();
        let p50 = percentile(&times, 0.5);
        let base = *base.get_or_insert(p50);
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:+.2} | {} |",
            p50,
            percentile(&times, 0.9),
            percentile(&times, 0.99),
            p50 - base,
            if counts {
                format!("{:.2}", scripts as f64 / f64::from(n))
            } else {
                "-".to_owned()
            }
        );
    }
}

fn main() {
    let want: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |w: &str| want.is_empty() || want.iter().any(|a| a == w);
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if wants("latency") {
            latency(&redis).await;
        }
        if wants("batch") {
            batch(&redis).await;
        }
    });
}
