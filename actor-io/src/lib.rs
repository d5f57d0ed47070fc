//! # Pinion networking
//!
//! Every I/O endpoint is an actor pinned to one shard and driven by that
//! shard's reactor: io_uring where the kernel allows it, epoll otherwise.
//!
//! - [`codec`]: the decoder/encoder traits over a receive buffer, and a
//!   length-prefixed frame codec.
//! - [`http`]: HTTP/1.1 without I/O: request parsing (pipelined), body
//!   framing, response writing with a cached `Date`, the client side's
//!   request writing and response parsing, and limits that answer bad input
//!   with the right status code.

pub mod codec;
pub mod http;
