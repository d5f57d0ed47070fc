//! # Pinion networking
//!
//! Every I/O endpoint is an actor pinned to one shard and driven by that
//! shard's reactor: io_uring where the kernel allows it, epoll otherwise.
//!
//! - [`codec`]: the codec trait and a length-prefixed frame codec.
//! - [`http`]: HTTP/1.1 request parsing, body framing and response writing,
//!   with limits that answer bad input with the right status code.
//! - [`observe`]: `/metrics` in Prometheus text format, `/health`, `/ready`
//!   and `/alive`.
//! - [`tls`]: rustls driven over owned-buffer transports, server and client.

pub mod codec;
pub mod http;
pub mod observe;
pub mod tls;
