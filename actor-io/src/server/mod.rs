//! The HTTP/1.1 server: listener and connection actors over the sans-I/O
//! layer of [`http`](crate::http).
//!
//! [`HttpServer::start`] binds one listening socket per shard on a shared
//! port and runs a listener actor on each; every accepted connection becomes
//! a connection actor on the same shard. A connection:
//!
//! - holds no buffer while idle: it waits for readiness, then reads into a
//!   buffer from its shard's pool and returns it once the bytes are used;
//! - decodes every pipelined request in what it read, answers them in
//!   order with one write, and reads no more until that write is taken by
//!   the kernel (a slow reader back-pressures its own connection);
//! - keeps the connection alive as HTTP/1.1 and HTTP/1.0 say, answers
//!   `Expect: 100-continue`, and answers a malformed request with its
//!   status code, then closes;
//! - answers 408 and closes when a request takes longer than the header
//!   timeout to arrive, or no request comes within the idle timeout.
//!
//! [`Routes`] maps method and path to a plain function (answered on the
//! spot), a direct function that writes its answer straight into the
//! connection's output ([`Routes::get_direct`]: no `Response` built per
//! request), a future, or an actor that receives [`HttpCall`] messages; a
//! [`Sharded`](actor_core::partition::Sharded) group routes by key. Counts
//! per shard ([`HttpCounts`]) appear in `/metrics` as
//! `pinion_http_requests_total{shard="0"}` and so on.

mod batch;
mod builder;
mod conn;
mod counters;
mod listener;
mod routes;
mod settings;
mod signal;

pub use builder::{HttpServer, ServerHandle};
pub use counters::HttpCounts;
pub use routes::{HttpCall, Routes};
