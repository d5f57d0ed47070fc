//! [`Stream`]: one connection's byte stream, plain TCP or TLS over TCP.

use std::io;
use std::net::{Shutdown, SocketAddr};

use super::TcpStream;
use crate::codec::ReadBuf;
use crate::pool;
use crate::tls::TlsSession;

/// A connection's byte stream, plain or TLS: what the HTTP server and
/// client run over, and what a protocol of your own reads and writes.
///
/// A plain stream comes from a [`TcpStream`] (`Stream::from(tcp)`); a TLS
/// one from [`TlsAcceptor::accept`](crate::tls::TlsAcceptor::accept) or
/// [`TlsConnector::connect`](crate::tls::TlsConnector::connect). Both read
/// and write the same way, with owned buffers. Like the [`TcpStream`]
/// underneath, it lives on the shard that made it (`!Send`).
///
/// ```
/// use actor_io::net::{Stream, TcpListener, TcpStream};
///
/// let rt = actor_core::Runtime::builder().shards(1).build()?;
/// let (tx, rx) = std::sync::mpsc::channel();
/// rt.handle().spawn_on(0, move || Runner(Some(Box::pin(async move {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let mut client = Stream::from(TcpStream::connect(listener.local_addr().unwrap()).await.unwrap());
///     let mut server = Stream::from(listener.accept().await.unwrap().0);
///     client.write_all(b"ping".to_vec()).await.0.unwrap();
///     let (n, buf) = server.read(Vec::with_capacity(16)).await;
///     tx.send((n.unwrap(), buf, server.is_tls())).unwrap();
/// }))))?;
/// assert_eq!(rx.recv()?, (4, b"ping".to_vec(), false));
/// rt.shutdown()?;
///
/// // An actor that runs a future when it starts.
/// # use std::{future::Future, pin::Pin};
/// # struct Runner(Option<Pin<Box<dyn Future<Output = ()>>>>);
/// # impl actor_core::Actor for Runner {
/// #     type Msg = ();
/// #     async fn on_start(&mut self, ctx: &mut actor_core::Context<Self>) -> Result<(), actor_core::BoxError> {
/// #         ctx.spawn_task(self.0.take().unwrap());
/// #         Ok(())
/// #     }
/// #     async fn handle(&mut self, _: (), _: &mut actor_core::Context<Self>) {}
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Stream {
    flavor: Flavor,
}

/// What a stream runs over (as crossbeam's channel flavours: an enum, not a
/// trait object).
#[derive(Debug)]
enum Flavor {
    Plain(TcpStream),
    Tls(Box<TlsSession>),
}

impl From<TcpStream> for Stream {
    fn from(tcp: TcpStream) -> Self {
        Stream {
            flavor: Flavor::Plain(tcp),
        }
    }
}

impl Stream {
    pub(crate) fn from_tls(session: TlsSession) -> Self {
        Stream {
            flavor: Flavor::Tls(Box::new(session)),
        }
    }

    /// Reads into `buf`, replacing its contents: up to `buf.capacity()`
    /// bytes, after which `buf.len()` is the count read. `Ok(0)` is the end
    /// of the stream; over TLS only a clean end (`close_notify`) is, and a
    /// connection closed without it is an `UnexpectedEof` error (it may be a
    /// truncation).
    pub async fn read(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        match &mut self.flavor {
            Flavor::Plain(tcp) => tcp.read(buf).await,
            Flavor::Tls(tls) => tls.read(buf).await,
        }
    }

    /// Writes all of `buf`, completing once the kernel has taken every byte
    /// (a peer that does not read stalls it: that is the back-pressure).
    /// A plain stream first tries one non-blocking send, which a reply
    /// usually fits; only what it leaves goes through the reactor.
    pub async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        match &mut self.flavor {
            Flavor::Plain(tcp) => {
                let sent = match tcp.try_write_now(&buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
                    Err(e) => return (Err(e), buf),
                };
                if sent == buf.len() {
                    return (Ok(()), buf);
                }
                tcp.write_all_from(buf, sent).await
            }
            Flavor::Tls(tls) => tls.write_all(buf).await,
        }
    }

    /// Waits until a read is likely to make progress (data, the end of the
    /// stream, an error), holding no buffer meanwhile. Over TLS, records
    /// already received count.
    pub async fn readable(&mut self) -> io::Result<()> {
        match &mut self.flavor {
            Flavor::Plain(tcp) => tcp.wait_readable().await,
            Flavor::Tls(tls) => {
                // Records rustls already holds do not make the socket readable.
                if tls.has_buffered_input() {
                    return Ok(());
                }
                tls.tcp().readable().await
            }
        }
    }

    /// Ends the sending side: TLS `close_notify`, then a TCP half-close.
    /// The peer's reads then end; this side may still read.
    pub async fn close(&mut self) -> io::Result<()> {
        if let Flavor::Tls(tls) = &mut self.flavor {
            tls.close().await?;
        }
        self.tcp().shutdown(Shutdown::Write)
    }

    /// Whether the stream speaks TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.flavor, Flavor::Tls(_))
    }

    /// The protocol chosen through ALPN in the TLS handshake, if any.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        match &self.flavor {
            Flavor::Plain(_) => None,
            Flavor::Tls(tls) => tls.alpn_protocol(),
        }
    }

    /// The TCP stream underneath (for its addresses and options).
    pub fn tcp(&self) -> &TcpStream {
        match &self.flavor {
            Flavor::Plain(tcp) => tcp,
            Flavor::Tls(tls) => tls.tcp(),
        }
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp().peer_addr()
    }

    /// Whether a read may be tried before waiting for readiness: under
    /// epoll, where waiting on a socket whose readiness is remembered costs
    /// a syscall anyway; not under io_uring, where the wait is a poll
    /// operation submitted with the shard's other operations, cheaper than
    /// a read that mostly finds nothing; not over TLS, whose reads wait.
    pub(crate) fn eager_read(&self) -> bool {
        match &self.flavor {
            Flavor::Plain(tcp) => !tcp.is_uring(),
            Flavor::Tls(_) => false,
        }
    }

    /// Reads what is there into `buf` (replacing its contents) without
    /// waiting for more: a plain non-blocking `recv` (the bytes are there,
    /// the wait said so, and a syscall now costs less than a ring round
    /// trip), or over TLS one transport read. `WouldBlock` means nothing
    /// usable came yet: wait for readiness again.
    pub(crate) async fn read_now(&mut self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        match &mut self.flavor {
            Flavor::Plain(tcp) => {
                buf.clear();
                let res = tcp.try_read_now(&mut buf);
                (res, buf)
            }
            Flavor::Tls(tls) => tls.read_some(buf).await,
        }
    }

    /// [`read_now`](Self::read_now) onto the end of `dst`, up to
    /// [`pool::LARGE`] bytes; a plain stream reads straight into it.
    pub(crate) async fn read_now_into(&mut self, dst: &mut ReadBuf) -> io::Result<usize> {
        if let Flavor::Plain(tcp) = &mut self.flavor {
            return tcp.try_read_now(dst.spare_for_append(pool::LARGE, pool::LARGE / 4));
        }
        let (res, buf) = self.read_now(pool::take_large()).await;
        if let Ok(n) = res {
            dst.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        }
        pool::give(buf);
        res
    }

    /// Whether the connection is no longer fit to carry a new request: the
    /// peer closed it, reset it, or sent bytes nobody asked for (a peek).
    pub(crate) fn is_stale(&self) -> bool {
        self.tcp().is_stale()
    }
}
