//! Real components for the account-pacing tests and benchmark, each started on a free port and
//! stopped when dropped: `redis-server` (Debian's), the emulator (in this process, so a test
//! controls its faults), `cams-relay` replicas as child processes in production mode (so one
//! can be killed outright), and native clients that sign with `cams-protocol` and follow the
//! browser module's rules (its own pacing, `cams_protocol::retry`).

#![allow(dead_code)] // shared by the tests and the benchmark, which use different parts

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cams_emulator::{listener, Emulator, EmulatorConfig};
use cams_protocol::credentials::Credentials;
use cams_protocol::error::CamsError;
use cams_protocol::pacing::{Pacer, Slot};
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION};
use cams_protocol::retry::{
    self, next_step, not_sent_delay_ms, requested_wait_ms, retry_delay_ms, Next,
};
use cams_protocol::sign::Method;
use cams_protocol::types::Action;
use tokio::sync::{oneshot, Notify};

/// The relays' own long-term key, registered in the emulator.
pub const RELAY_KEY_ID: &str = "LTAIpacingRelay";
pub const RELAY_SECRET: &str = "pacing-relay-Secret-7Hq";
pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/cams-qrdl-browser";

/// How long a component may take to come up before the test fails.
const START_LIMIT: Duration = Duration::from_secs(20);

// ---- HTTP ----

/// A client builder on the relay's TLS stack (rustls with ring), without proxies.
pub fn http_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy()
}

pub fn http() -> reqwest::Client {
    http_builder().build().unwrap()
}

pub async fn reqwest_get(url: &str) -> reqwest::Response {
    http().get(url).send().await.unwrap()
}

/// A reply's body as JSON.
pub async fn json(r: reqwest::Response) -> serde_json::Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

// ---- Redis ----

/// A `redis-server` of this test's own (no persistence), on a free port.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts one, or `None` (saying why) when `redis-server` is not installed and the run does
    /// not require it. `make test` installs it, and CI (`CI` set) or `CAMS_REQUIRE_REDIS=1`
    /// make its absence a failure.
    pub fn start() -> Option<RedisServer> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            let required = std::env::var_os("CI").is_some()
                || std::env::var("CAMS_REQUIRE_REDIS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "redis-server is not installed (scripts/setup.sh --tests installs it)"
            );
            eprintln!(
                "SKIPPED: redis-server is not installed; `bash scripts/setup.sh --tests` (or \
                 apt-get install redis-server) installs it"
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("cams-redis-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
        };
        // A free port, then redis on it; another process may take it in between, so try again.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return Some(server);
            }
        }
        panic!("redis-server did not start");
    }

    fn spawn(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir.to_str().unwrap(),
                "--loglevel",
                "warning",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + START_LIMIT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                eprintln!("redis-server exited at start: {status}");
                return false;
            }
            if self
                .command(&["PING"])
                .is_ok_and(|r| r.starts_with("+PONG"))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer PING within {START_LIMIT:?}");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops it at once (SIGKILL: its state is gone, as after a crash without persistence).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        assert!(self.spawn(), "redis-server did not restart on its port");
    }

    /// One command over a fresh connection, the raw reply (a simple, integer or bulk reply:
    /// arrays are not read whole).
    pub fn command(&self, args: &[&str]) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut req = format!("*{}\r\n", args.len());
        for a in args {
            req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        s.write_all(req.as_bytes())?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = Vec::new();
        loop {
            let n = s.read(&mut buf)?;
            out.extend_from_slice(&buf[..n]);
            if n == 0 || complete_reply(&out) {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Scripts run so far (EVALSHA and EVAL calls), from `INFO commandstats`.
    pub fn script_calls(&self) -> u64 {
        let info = self.command(&["INFO", "commandstats"]).unwrap_or_default();
        info.lines()
            .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
            .filter_map(|l| {
                l.split("calls=")
                    .nth(1)?
                    .split(',')
                    .next()?
                    .parse::<u64>()
                    .ok()
            })
            .sum()
    }
}

/// Whether a simple or bulk RESP reply is all there.
fn complete_reply(out: &[u8]) -> bool {
    let text = String::from_utf8_lossy(out);
    match text.as_bytes().first() {
        Some(b'$') => {
            let Some((head, rest)) = text.split_once("\r\n") else {
                return false;
            };
            let len: i64 = head[1..].parse().unwrap_or(0);
            len < 0 || rest.len() >= len as usize + 2
        }
        Some(_) => text.ends_with("\r\n"),
        None => false,
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---- The emulator ----

/// The emulator on its own listener, standing in for Alibaba's CAMS and STS hosts.
pub struct Emu {
    pub url: String,
    pub state: Arc<Emulator>,
    stop: Option<oneshot::Sender<()>>,
}

impl Emu {
    /// At `qps` per account, each phone number holding at most one code (a second create for
    /// the same number fails with `Qrdl.LimitExceeded`, so nothing can be created twice
    /// unseen).
    pub async fn start(qps: u32) -> Emu {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let config = EmulatorConfig {
            access_keys: vec![(RELAY_KEY_ID.into(), RELAY_SECRET.into())],
            qps_limit: qps,
            max_codes_per_number: 1,
            ..EmulatorConfig::default()
        };
        let state = Emulator::new(config, url.parse().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(listener::serve(listener, state.router(), async move {
            let _ = stopped.await;
        }));
        Emu {
            url,
            state,
            stop: Some(stop),
        }
    }

    /// `GET /__emulator/stats`.
    pub async fn stats(&self) -> serde_json::Value {
        json(reqwest_get(&format!("{}__emulator/stats", self.url)).await).await
    }

    /// `POST /__emulator/faults`.
    pub async fn set_faults(&self, json: &str) {
        let r = http()
            .post(format!("{}__emulator/faults", self.url))
            .header("content-type", "application/json")
            .body(json.to_owned())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

// ---- Relays ----

/// Where the relay binary is: the one Cargo built for these tests, or `CAMS_RELAY_BIN`.
pub fn relay_bin() -> PathBuf {
    std::env::var_os("CAMS_RELAY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_cams-relay")))
}

/// A `cams-relay` process in production mode against the emulator (`--allow-any-upstream`).
pub struct RelayProcess {
    child: Child,
    pub url: String,
}

impl RelayProcess {
    /// Starts one sharing `redis` (if any), with the per-client rate limits off (every test
    /// client is on loopback) unless `extra` sets them.
    pub fn start(emu: &Emu, redis: Option<&RedisServer>, extra: &[&str]) -> RelayProcess {
        let mut args: Vec<String> = [
            "--listen",
            "127.0.0.1:0",
            "--www",
            "/nonexistent-cams-www",
            "--allow-any-upstream",
            "--cams-endpoint",
            &emu.url,
            "--sts-endpoint",
            &emu.url,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for flag in ["--sts-rate-limit", "--cams-rate-limit"] {
            if !extra.contains(&flag) {
                args.extend([flag.to_owned(), "0".to_owned()]);
            }
        }
        if let Some(r) = redis {
            args.push("--redis-url".into());
            args.push(r.url());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = Command::new(relay_bin())
            .args(&args)
            .env_remove("CAMS_RELAY_REDIS_URL")
            .env_remove("CAMS_RELAY_AUTH_TOKEN")
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", RELAY_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", RELAY_SECRET)
            .env("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)
            .env(
                "RUST_LOG",
                std::env::var("CAMS_TEST_RELAY_LOG").unwrap_or("off".into()),
            )
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("CAMS_TEST_RELAY_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("cams-relay");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(rest) = line.strip_prefix("cams-relay: serving ") {
                    let url = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(url);
                }
            }
        });
        let url = rx
            .recv_timeout(START_LIMIT)
            .unwrap_or_else(|_| panic!("cams-relay did not start: {:?}", child.try_wait()));
        RelayProcess { child, url }
    }

    /// Kills it outright (SIGKILL): no graceful shutdown, calls in flight are cut.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn relay_json(&self) -> serde_json::Value {
        json(reqwest_get(&format!("{}relay.json", self.url)).await).await
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---- Native clients ----

/// What one create came to.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub phone: String,
    /// The code's ID, or the error the call ended with.
    pub result: Result<String, CamsError>,
    /// Times sent again after a not-sent refusal (`RelayBusy`, `RelayPacerUnavailable`).
    pub not_sent: u32,
    /// Retries that counted against `maxRetries`.
    pub retries: u32,
    pub elapsed: Duration,
}

/// One line per outcome (phone, code, retries, time), for failure messages.
pub fn summary(outcomes: &[Outcome]) -> String {
    outcomes
        .iter()
        .map(|o| {
            format!(
                "{} {} retries={} not_sent={} {:?}\n",
                o.phone,
                o.code(),
                o.retries,
                o.not_sent,
                o.elapsed
            )
        })
        .collect()
}

impl Outcome {
    pub fn code(&self) -> &str {
        match &self.result {
            Ok(_) => "OK",
            Err(e) => &e.code,
        }
    }
}

/// A client of one relay: STS credentials from its `/sts`, calls signed with them through its
/// `/cams`, paced (or not) by the browser module's own rule, retried by its retry rule.
pub struct NativeClient {
    http: reqwest::Client,
    /// Where calls are POSTed: the relay's `/cams`, or CAMS itself.
    cams_url: String,
    creds: Credentials,
    /// The client's own pacing (`None`: a naive client that sends everything at once).
    pacer: Option<Mutex<Pacer>>,
    freed: Notify,
    epoch: Instant,
    pub max_retries: u32,
    pub max_not_sent: u32,
}

/// The browser module's default time limit per attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

impl NativeClient {
    /// A client of `relay`, from `local` (a loopback address of its own, so the relay sees
    /// another client) or the default, pacing itself at `qps` (0: not at all).
    pub async fn new(relay: &str, local: Option<IpAddr>, qps: f64) -> NativeClient {
        let mut b = http_builder()
            .pool_max_idle_per_host(64)
            .timeout(ATTEMPT_TIMEOUT);
        if let Some(ip) = local {
            b = b.local_address(ip);
        }
        let http = b.build().unwrap();
        let sts = http
            .get(format!("{relay}sts"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let creds = cams_protocol::sts::parse_credentials(&sts, "relay")
            .unwrap_or_else(|e| panic!("/sts: {e}: {sts}"))
            .credentials;
        NativeClient {
            http,
            cams_url: format!("{relay}cams"),
            creds,
            pacer: (qps > 0.0).then(|| Mutex::new(Pacer::new(qps))),
            freed: Notify::new(),
            epoch: Instant::now(),
            max_retries: cams_protocol::options::DEFAULT_MAX_RETRIES,
            max_not_sent: retry::MAX_NOT_SENT_RETRIES,
        }
    }

    /// Sends straight to `url` (the emulator), bypassing the relay, with the same credentials.
    pub fn direct_to(mut self, url: &str) -> NativeClient {
        self.cams_url = url.to_owned();
        self
    }

    fn now_ms(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() * 1000.0
    }

    async fn take_slot(&self) {
        let Some(pacer) = &self.pacer else { return };
        loop {
            let freed = self.freed.notified();
            let slot = {
                let mut p = pacer.lock().unwrap();
                let slot = p.next_slot(self.now_ms());
                if slot == Slot::Now {
                    p.start();
                }
                slot
            };
            match slot {
                Slot::Now => return,
                Slot::At(t) => {
                    let wait = Duration::from_secs_f64(((t - self.now_ms()) / 1000.0).max(0.0));
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = freed => {}
                    }
                }
                Slot::AfterSettle => freed.await,
            }
        }
    }

    fn release_slot(&self, replied: bool) {
        if let Some(pacer) = &self.pacer {
            let now = self.now_ms();
            let mut p = pacer.lock().unwrap();
            if replied {
                p.settle(now);
            } else {
                p.settle_uncertain(now);
            }
        }
        self.freed.notify_waiters();
    }

    /// One attempt: the reply parsed, with its retry headers.
    async fn attempt(&self, params: &[(&str, &str)]) -> (Result<String, CamsError>, Option<f64>) {
        self.take_slot().await;
        let nonce = uuid::Uuid::new_v4().to_string();
        let unix_secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let ctx = CallContext {
            action: Action::Create.name(),
            version: CAMS_VERSION,
            unix_secs,
            nonce: &nonce,
        };
        let body = form_body(&signed_params(Method::Post, &ctx, &self.creds, params));
        let sent = self
            .http
            .post(&self.cams_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        let reply = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let header = |n: &str| {
                    r.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let wait = requested_wait_ms(
                    header("retry-after").as_deref(),
                    header("x-acs-retry-after").as_deref(),
                    unix_secs,
                );
                match r.text().await {
                    Ok(text) => Ok((status, text, wait)),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        match reply {
            Ok((status, text, wait)) => {
                self.release_slot(true);
                let parsed =
                    cams_protocol::response::parse_qrdl(status, &text).map(|r| r.data.qrdl_code);
                (parsed, wait)
            }
            Err(e) => {
                self.release_slot(false);
                let err = if e.is_timeout() {
                    CamsError::timeout(ATTEMPT_TIMEOUT.as_millis() as u32)
                } else {
                    CamsError::network(e.to_string())
                };
                (Err(err), None)
            }
        }
    }

    /// Creates a code for `phone`, retrying as the browser module does.
    pub async fn create(&self, phone: &str, message: &str) -> Outcome {
        let started = Instant::now();
        let params = [
            ("PhoneNumber", phone),
            ("GenerateQrImage", "PNG"),
            ("PrefilledMessage", message),
        ];
        let (mut retries, mut not_sent) = (0u32, 0u32);
        loop {
            let (result, wait) = self.attempt(&params).await;
            let e = match result {
                Ok(code) => {
                    return Outcome {
                        phone: phone.to_owned(),
                        result: Ok(code),
                        not_sent,
                        retries,
                        elapsed: started.elapsed(),
                    }
                }
                Err(e) => e,
            };
            let delay = match next_step(Action::Create, &e) {
                Next::NotSent if not_sent < self.max_not_sent => {
                    not_sent += 1;
                    not_sent_delay_ms(rand01(), wait)
                }
                Next::Backoff if retries < self.max_retries => {
                    retries += 1;
                    retry_delay_ms(retries - 1, rand01(), wait)
                }
                _ => None,
            };
            let Some(delay) = delay else {
                return Outcome {
                    phone: phone.to_owned(),
                    result: Err(e),
                    not_sent,
                    retries,
                    elapsed: started.elapsed(),
                };
            };
            tokio::time::sleep(Duration::from_secs_f64(delay / 1000.0)).await;
        }
    }

    /// Creates codes for every phone at once (the client's own pacing, if any, spaces them),
    /// at most `concurrency` calls out at a time.
    pub async fn batch(self: &Arc<Self>, phones: Vec<String>, concurrency: usize) -> Vec<Outcome> {
        let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let tasks: Vec<_> = phones
            .into_iter()
            .map(|phone| {
                let client = Arc::clone(self);
                let gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    let _permit = gate.acquire().await.unwrap();
                    client.create(&phone, "paced by the relay").await
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
}

/// Uniform in [0, 1), from a fresh UUID (no rand dependency for one number).
fn rand01() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

/// Phone numbers for client `c`'s items, distinct across clients.
pub fn phones(c: u32, n: u32) -> Vec<String> {
    (0..n).map(|i| format!("861{c:02}{i:08}")).collect()
}

/// The floor for `n` calls at `qps` per one-second window: the first `qps` at once, each later
/// group a window after the one before.
pub fn floor(n: u32, qps: u32) -> Duration {
    Duration::from_secs(u64::from(n.saturating_sub(qps).div_ceil(qps)))
}

/// `addr`'s IP.
pub fn ip(addr: SocketAddr) -> IpAddr {
    addr.ip()
}
