//! The relay's accept loop: hyper-util's HTTP/1.1 + h2 connection builder (what `axum::serve`
//! uses, but with its timeouts set), the connection caps of [`crate::conn_limits`], an idle
//! watchdog per connection, and a graceful shutdown with a deadline.
//!
//! Per connection:
//! - hyper's `header_read_timeout` (HTTP/1.1) bounds each request head and each idle wait between
//!   keep-alive requests; request heads are read into at most [`MAX_BUF_BYTES`];
//! - the watchdog closes a connection that has not begun a request within the header-read
//!   timeout of being accepted (hyper's own timer starts only once it has seen enough bytes to
//!   tell HTTP/1.1 from h2), and one with no request in flight and no byte read or written for
//!   the idle timeout;
//! - on shutdown, each connection is asked to finish (HTTP/1.1: after the request in flight; h2:
//!   GOAWAY), and whatever is still open at the drain deadline is closed.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt as _;

use crate::conn_limits::{ConnLimits, MAX_BUF_BYTES};

/// Most concurrent h2 streams per connection (browsers open a handful).
const MAX_H2_STREAMS: u32 = 64;
/// The largest h2 header list taken, like the HTTP/1.1 buffer.
const MAX_H2_HEADER_LIST: u32 = MAX_BUF_BYTES as u32;

/// How the loop treats connections.
#[derive(Clone, Debug)]
pub struct ServeSettings {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub drain_timeout: Duration,
    pub limits: Arc<ConnLimits>,
}

/// Serves `router` on `listener` until `stop` turns true, then drains (see the module docs).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ServeSettings,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_buf_size(MAX_BUF_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_H2_STREAMS)
        .max_header_list_size(MAX_H2_HEADER_LIST);
    let builder = Arc::new(builder);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        accept_failed(&e).await;
                        continue;
                    }
                };
                // Over a cap: closed at once (dropping the stream), costing nothing more.
                let Ok(permit) = settings.limits.admit(peer.ip()) else {
                    continue;
                };
                let connection = serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    Arc::clone(&builder),
                    settings.clone(),
                    stop.clone(),
                );
                connections.spawn(async move {
                    connection.await;
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(settings.drain_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            drain_timeout_secs = settings.drain_timeout.as_secs(),
            "the drain deadline passed: closing the connections still open"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
    Ok(())
}

/// Resolves once the server is told to stop (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// An accept error: a client that left before it was accepted is nothing; anything else
/// (descriptors exhausted) is logged, and the loop pauses a moment instead of spinning.
async fn accept_failed(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accept failed (out of file descriptors?)");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    builder: Arc<Builder<TokioExecutor>>,
    settings: ServeSettings,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // Per-client rate limits and logs read the peer from here, as with axum::serve.
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = requests.request_started();
        let reply = router.clone().oneshot(request.map(Body::new));
        async move {
            let response = reply.await;
            drop(in_flight);
            response
        }
    });
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(client = %peer, error = %e, "connection ended with an error");
            }
        }
        why = activity.watch(settings.header_read_timeout, settings.idle_timeout) => {
            tracing::debug!(client = %peer, why, "closing a connection");
        }
        _ = stopped(&mut stop) => {
            // Finish what is in flight; the server's drain deadline bounds the wait.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// What a connection is doing: when a byte last moved, and the requests begun and in flight.
#[derive(Clone)]
struct Activity(Arc<ActivityState>);

struct ActivityState {
    accepted: Instant,
    /// Milliseconds after `accepted` of the last byte read or written.
    last_ms: AtomicU64,
    started: AtomicU64,
    in_flight: AtomicUsize,
}

/// Held while a request is being answered.
struct InFlight(Activity);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0 .0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.touch();
    }
}

impl Activity {
    fn new() -> Activity {
        Activity(Arc::new(ActivityState {
            accepted: Instant::now(),
            last_ms: AtomicU64::new(0),
            started: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.0.accepted.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last_ms.store(ms, Ordering::Release);
    }

    fn request_started(&self) -> InFlight {
        self.0.started.fetch_add(1, Ordering::AcqRel);
        self.0.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// Resolves when the connection should be closed, saying why.
    async fn watch(&self, first_request: Duration, idle: Duration) -> &'static str {
        let state = &self.0;
        let first_deadline = state.accepted + first_request;
        loop {
            let now = Instant::now();
            if state.started.load(Ordering::Acquire) == 0 && now >= first_deadline {
                return "no request began within the header-read timeout";
            }
            let last =
                state.accepted + Duration::from_millis(state.last_ms.load(Ordering::Acquire));
            let idle_deadline = last + idle;
            if state.in_flight.load(Ordering::Acquire) == 0 && now >= idle_deadline {
                return "idle";
            }
            let mut next = if now >= idle_deadline {
                now + idle
            } else {
                idle_deadline
            };
            if state.started.load(Ordering::Acquire) == 0 {
                next = next.min(first_deadline);
            }
            tokio::time::sleep_until(next).await;
        }
    }
}

/// A TCP stream that records when bytes move.
struct Tracked {
    inner: TcpStream,
    activity: Activity,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_a_request_closes_at_the_header_timeout() {
        let a = Activity::new();
        let why = a
            .watch(Duration::from_secs(5), Duration::from_secs(60))
            .await;
        assert_eq!(why, "no request began within the header-read timeout");
        assert!(a.0.accepted.elapsed() >= Duration::from_secs(5));
        assert!(a.0.accepted.elapsed() < Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_keeps_the_connection_and_idleness_closes_it() {
        let a = Activity::new();
        let guard = a.request_started();
        let watched = a.clone();
        let watch = tokio::spawn(async move {
            watched
                .watch(Duration::from_secs(5), Duration::from_secs(10))
                .await
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!watch.is_finished(), "closed with a request in flight");
        drop(guard);
        let at = Instant::now();
        assert_eq!(watch.await.unwrap(), "idle");
        assert!(at.elapsed() >= Duration::from_secs(10));
    }
}
