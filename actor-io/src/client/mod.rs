//! An HTTP/1.1 client: keep-alive connection pools per shard, timeouts,
//! `Content-Length`, chunked and read-until-close bodies, optional TLS.
//!
//! An [`HttpClient`] lives on the shard that built it (it is `!Send`) and
//! keeps idle connections by (host, port, TLS): a request takes the most
//! recently used live connection or opens one, and gives it back once the
//! response has been read in full, unless either side said
//! `Connection: close`. Requests are written by
//! [`Request::encode`](crate::http::Request::encode) and responses parsed by
//! [`ResponseDecoder`](crate::http::ResponseDecoder), so the client follows
//! the same framing rules and [`Limits`](crate::http::Limits) as the server
//! side. Every failure is a typed [`ClientError`].
//!
//! ```
//! use std::io::{Read, Write};
//! use actor_io::client::HttpClient;
//!
//! // A tiny server on a plain thread: one connection, two answers.
//! let server = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let url = format!("http://{}/hello", server.local_addr()?);
//! std::thread::spawn(move || {
//!     let (mut conn, _) = server.accept().unwrap();
//!     let mut buf = [0u8; 1024];
//!     for _ in 0..2 {
//!         let _ = conn.read(&mut buf).unwrap();
//!         conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi").unwrap();
//!     }
//! });
//!
//! let rt = actor_core::Runtime::builder().shards(1).build()?;
//! let (tx, rx) = std::sync::mpsc::channel();
//! rt.handle().spawn_on(0, move || Runner(Some(Box::pin(async move {
//!     let client = HttpClient::new();
//!     let first = client.get(&url).await.unwrap();
//!     let second = client.get(&url).await.unwrap();
//!     tx.send((first.status.as_u16(), second.body, client.stats().connections_opened)).unwrap();
//! }))))?;
//! assert_eq!(rx.recv()?, (200, b"hi".to_vec(), 1));
//! rt.shutdown()?;
//!
//! // An actor that runs a future when it starts.
//! # use std::{future::Future, pin::Pin};
//! # struct Runner(Option<Pin<Box<dyn Future<Output = ()>>>>);
//! # impl actor_core::Actor for Runner {
//! #     type Msg = ();
//! #     async fn on_start(&mut self, ctx: &mut actor_core::Context<Self>) -> Result<(), actor_core::BoxError> {
//! #         ctx.spawn_task(self.0.take().unwrap());
//! #         Ok(())
//! #     }
//! #     async fn handle(&mut self, _: (), _: &mut actor_core::Context<Self>) {}
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
mod conn;
mod destination;
mod error;
mod http_client;
mod pool;
mod resolve;

pub use builder::HttpClientBuilder;
pub use destination::UrlError;
pub use error::ClientError;
pub use http_client::{ClientStats, HttpClient};
