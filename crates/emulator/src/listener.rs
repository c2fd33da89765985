//! The emulator's own listener. Every connection carries a switch that the `drop` fault flips:
//! from then on the connection refuses every write, hyper gives up on it and closes the socket,
//! so the client gets no byte of a reply, exactly as when a server or a middlebox dies after
//! reading the request. (An erroring body stream would not do: the status line and headers would
//! already be out.)

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Serves the emulator's router on `listener` until `shutdown` completes, with droppable
/// connections (handlers reach them through `ConnectInfo<Connection>`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(
        DroppableListener(listener),
        router.into_make_service_with_connect_info::<Connection>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A TCP listener whose connections can be dropped by the handler serving them.
#[derive(Debug)]
pub struct DroppableListener(pub TcpListener);

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // TcpListener's own `accept` retries (and backs off) on accept errors.
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let stream = DroppableStream {
            inner: stream,
            dropped: Arc::new(AtomicBool::new(false)),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// What a handler knows of its connection: the peer and the switch that drops it.
#[derive(Clone, Debug)]
pub struct Connection {
    pub remote_addr: SocketAddr,
    dropped: Arc<AtomicBool>,
}

impl Connection {
    /// Makes the connection close without sending the reply being prepared (or anything else).
    pub fn drop_without_reply(&self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        Connection {
            remote_addr: *stream.remote_addr(),
            dropped: Arc::clone(&stream.io().dropped),
        }
    }
}

/// A TCP stream that fails every operation once dropped.
#[derive(Debug)]
pub struct DroppableStream {
    inner: TcpStream,
    dropped: Arc<AtomicBool>,
}

impl DroppableStream {
    fn check(&self) -> io::Result<()> {
        if self.dropped.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "emulator fault: connection dropped",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
