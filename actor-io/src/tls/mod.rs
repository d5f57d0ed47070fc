//! TLS with rustls, for TCP and HTTP, server and client.
//!
//! rustls is a buffered state machine: ciphertext goes in through
//! `read_tls`, plaintext comes out of `reader()`, and what it wants to send
//! waits in `write_tls`. A session drives it over a shard's
//! [`TcpStream`](crate::net::TcpStream) with owned buffers, so the same code
//! runs under io_uring and epoll, and is read and written as a
//! [`Stream`](crate::net::Stream), the type plain connections have too.
//!
//! - [`TlsAcceptor`] and [`TlsConnector`] hold shared rustls configurations
//!   and perform the handshake.
//! - [`server_config`] and [`client_config`] build configurations from PEM
//!   text with the `ring` provider.

mod config;
mod handshake;
mod session;

pub use config::{TlsConfigError, client_config, server_config};
pub use handshake::{TlsAcceptor, TlsConnector, TlsError};
pub(crate) use session::TlsSession;

pub use rustls;
