//! # Pinion networking
//!
//! Every I/O endpoint is an actor pinned to one shard and driven by that
//! shard's reactor: io_uring where the kernel allows it, epoll otherwise.
//!
//! - [`net`]: [`TcpListener`](net::TcpListener) (one per shard on a shared
//!   port), [`TcpStream`](net::TcpStream) and [`UdpSocket`](net::UdpSocket),
//!   with per-shard connection counters in the runtime's metrics, and
//!   [`Stream`](net::Stream), one connection's bytes, plain or TLS: what the
//!   server, the client and protocols of your own read and write.
//! - [`IoBuf`] / [`IoBufMut`]: the owned buffers operations take and hand
//!   back: `read(buf) -> (io::Result<usize>, buf)`. Dropping an operation
//!   cancels it (as [`timeout`] does on expiry); the buffer stays with the
//!   reactor until the kernel lets go of it, and an fd an accept produced
//!   after the cancel is closed. Bytes a cancelled read had already taken
//!   are lost with it, so to bound an idle wait prefer a timeout around
//!   [`TcpStream::readable`](net::TcpStream::readable), which holds no data.
//! - [`codec`]: the decoder/encoder traits over a receive buffer, and a
//!   length-prefixed frame codec.
//! - [`http`]: HTTP/1.1 as a protocol, without I/O: request and response
//!   heads, body framing (lengths, chunked), the request decoder the server
//!   uses and the response decoder the client uses, response writing with a
//!   cached `Date`, and limits that answer bad input with the right status
//!   code. Methods, status codes, versions and URIs are the `http` crate's
//!   types, and messages convert to and from `http::Request`/`Response`.
//! - [`server`]: the HTTP/1.1 server, listener and connection actors on
//!   every I/O shard, with routes served by functions, futures or actors.
//! - [`client`]: an HTTP/1.1 client with a keep-alive connection pool per
//!   shard, connect and request timeouts, and optional TLS.
//! - [`observe`]: `/metrics` in Prometheus text format, `/health`, `/ready`
//!   and `/alive`.
//! - [`tls`]: rustls handshakes, server and client, over a shard's TCP
//!   stream; a session is a [`Stream`](net::Stream) like a plain connection.
//!
//! Sockets live on the shard that made them and must be used there (they
//! are `!Send`); made off a shard, they fail with an error wrapping
//! [`actor_core::io_driver::NotOnShard`].
//!
//! ```
//! use actor_io::net::{TcpListener, TcpStream};
//!
//! let rt = actor_core::Runtime::builder().shards(1).build()?;
//! let (tx, rx) = std::sync::mpsc::channel();
//! rt.handle().spawn_on(0, move || {
//!     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     let server = async move {
//!         let (conn, _) = listener.accept().await.unwrap();
//!         let (n, buf) = conn.read(Vec::with_capacity(64)).await;
//!         let (res, _) = conn.write_all(buf[..n.unwrap()].to_vec()).await;
//!         res.unwrap();
//!     };
//!     let client = async move {
//!         let conn = TcpStream::connect(addr).await.unwrap();
//!         conn.write_all(b"ping".to_vec()).await.0.unwrap();
//!         let (n, buf) = conn.read(vec![0u8; 64].into_boxed_slice()).await;
//!         tx.send(buf[..n.unwrap()].to_vec()).unwrap();
//!     };
//!     Runner(Some(Box::pin(server)), Some(Box::pin(client)))
//! })?;
//! assert_eq!(rx.recv()?, b"ping");
//! rt.shutdown()?;
//!
//! // An actor that runs two futures when it starts.
//! # use std::{future::Future, pin::Pin};
//! # struct Runner(Option<Pin<Box<dyn Future<Output = ()>>>>, Option<Pin<Box<dyn Future<Output = ()>>>>);
//! # impl actor_core::Actor for Runner {
//! #     type Msg = ();
//! #     async fn on_start(&mut self, ctx: &mut actor_core::Context<Self>) -> Result<(), actor_core::BoxError> {
//! #         ctx.spawn_task(self.0.take().unwrap());
//! #         ctx.spawn_task(self.1.take().unwrap());
//! #         Ok(())
//! #     }
//! #     async fn handle(&mut self, _: (), _: &mut actor_core::Context<Self>) {}
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod buf;
pub mod client;
pub mod codec;
mod driver;
pub mod http;
pub mod net;
pub mod observe;
mod pool;
pub mod server;
mod shard_counters;
pub mod tls;

pub use buf::{IoBuf, IoBufMut};
pub use driver::timeout;
