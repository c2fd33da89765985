//! The relay's listener under slow and greedy clients: unfinished request heads and idle
//! connections are closed, one address cannot take every descriptor, and shutdown does not wait
//! on a half-sent request. The descriptor and shutdown tests run the binary, with a low
//! open-file limit of its own.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cams_relay::cli::Cli;
use cams_relay::config;
use cams_relay::server::{self, Running};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Long enough for any loaded machine to close a connection it should close within a second.
const PATIENCE: Duration = Duration::from_secs(20);

async fn relay(extra: &[&str]) -> Running {
    let mut args = vec![
        "cams-relay",
        "--emulate",
        "--listen",
        "127.0.0.1:0",
        "--emulator-listen",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let plan = config::plan(&Cli::try_parse_from(args).unwrap(), |_| None).unwrap();
    server::start(plan).await.unwrap()
}

/// Whether the server closes the connection (end of stream or reset) within `wait`; whatever it
/// sends first is read and dropped.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(wait, read_all).await.is_ok()
}

/// `GET /healthz` on a connection from `from` (a loopback address of its own); the status.
async fn healthz_from(from: &str, relay: SocketAddr) -> Option<u16> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(relay).await.ok()?;
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {relay}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut reply = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut reply))
        .await
        .ok()?
        .ok()?;
    String::from_utf8_lossy(&reply)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::test]
async fn an_unfinished_request_head_is_dropped_after_the_header_read_timeout() {
    let running = relay(&["--header-read-timeout", "1"]).await;
    let mut slow = TcpStream::connect(running.relay_addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    assert!(closed_within(&mut slow, PATIENCE).await, "still open");
    // One that sends nothing at all, too.
    let mut silent = TcpStream::connect(running.relay_addr).await.unwrap();
    assert!(closed_within(&mut silent, PATIENCE).await, "still open");
    // A head larger than the relay buffers is refused at that size, not held.
    let mut huge = TcpStream::connect(running.relay_addr).await.unwrap();
    let padding = "a".repeat(70 * 1024);
    let head = format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {padding}");
    let _ = huge.write_all(head.as_bytes()).await;
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, huge.read_to_end(&mut reply)).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 431"), "{reply}");
    // An idle keep-alive connection after its reply, as well.
    let mut kept = TcpStream::connect(running.relay_addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut kept, PATIENCE).await, "still open");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idle_h2_connection_is_closed_after_the_idle_timeout() {
    let running = relay(&["--idle-timeout", "1", "--header-read-timeout", "600"]).await;
    let mut h2 = TcpStream::connect(running.relay_addr).await.unwrap();
    // The HTTP/2 preface and an empty SETTINGS frame (prior knowledge, as h2c clients send).
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    assert!(closed_within(&mut h2, PATIENCE).await, "still open");
    running.shutdown().await.unwrap();
}

/// The relay binary in emulate mode with an open-file limit of `nofile` (soft and hard), and
/// its address.
fn spawn_relay(nofile: u64, extra: &[&str]) -> (Child, SocketAddr) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cams-relay"));
    command
        .args([
            "--emulate",
            "--listen",
            "127.0.0.1:0",
            "--emulator-listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .env_remove("ALIBABA_CLOUD_ROLE_ARN")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: runs in the child between fork and exec; setrlimit is async-signal-safe and
        // nothing here allocates or takes a lock.
        unsafe {
            command.pre_exec(move || rlimit::setrlimit(rlimit::Resource::NOFILE, nofile, nofile));
        }
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("cams-relay: serving "))
        .unwrap();
    let addr = serving
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    // Keep reading stdout so the relay never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn sigterm(child: &Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// Waits for the child to exit, at most `wait`; how long it took.
fn exit_within(child: &mut Child, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < wait {
        if child.try_wait().unwrap().is_some() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

// Linux: the whole of 127.0.0.0/8 is loopback there, so "another address" is 127.0.0.2.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn many_idle_connections_from_one_address_do_not_stop_healthz_for_others() {
    // 256 descriptors in all: without caps, 300 idle connections would take every one, and the
    // relay could accept nobody else.
    let (mut child, addr) = spawn_relay(256, &["--max-connections-per-ip", "32"]);
    let mut held = Vec::new();
    for _ in 0..300 {
        match TcpStream::connect(addr).await {
            Ok(s) => held.push(s),
            Err(_) => break,
        }
    }
    assert!(held.len() >= 250, "only {} connections opened", held.len());
    let status = healthz_from("127.0.0.2", addr).await;
    // The greedy address keeps 32; the rest were closed as they came.
    let checks: Vec<_> = held
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move { closed_within(&mut s, Duration::from_secs(5)).await })
        })
        .collect();
    let mut closed = 0;
    for c in checks {
        closed += usize::from(c.await.unwrap());
    }
    sigterm(&child);
    let exited = exit_within(&mut child, PATIENCE);
    if exited.is_none() {
        let _ = child.kill();
    }
    assert_eq!(status, Some(200), "/healthz from another address");
    assert!(
        closed >= 250 - 32,
        "only {closed} of the extra connections were closed"
    );
    assert!(exited.is_some(), "no exit after SIGTERM");
}

#[tokio::test]
async fn sigterm_with_half_sent_requests_exits_within_the_drain_deadline() {
    let (mut child, addr) = spawn_relay(
        4096,
        &[
            "--drain-timeout",
            "1",
            "--header-read-timeout",
            "600",
            "--idle-timeout",
            "600",
        ],
    );
    let mut half_head = TcpStream::connect(addr).await.unwrap();
    half_head
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let mut half_body = TcpStream::connect(addr).await.unwrap();
    half_body
        .write_all(
            b"POST /cams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nAction=Create",
        )
        .await
        .unwrap();
    // The relay has taken both in by the time it answers a later one.
    assert_eq!(healthz_from("127.0.0.1", addr).await, Some(200));
    sigterm(&child);
    let exited = exit_within(&mut child, PATIENCE);
    if exited.is_none() {
        let _ = child.kill();
    }
    let took = exited.expect("no exit within 20 s of SIGTERM");
    assert!(child.wait().unwrap().success());
    drop((half_head, half_body));
    // The deadline is one second; anything near the 600 s timeouts would be the bug.
    assert!(took < PATIENCE, "{took:?}");
}
