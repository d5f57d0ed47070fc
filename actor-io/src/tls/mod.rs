//! TLS with rustls, for TCP and HTTP, server and client.
//!
//! rustls is a buffered state machine: ciphertext goes in through
//! `read_tls`, plaintext comes out of `reader()`, and what it wants to send
//! waits in `write_tls`. [`TlsStream`] drives it over any [`Transport`] with
//! owned buffers (a connection's completion-based `read(buf)` and
//! `write_all(buf)`), so the same code runs under io_uring and epoll.
//!
//! - [`TlsAcceptor`] and [`TlsConnector`] hold shared rustls configurations
//!   and perform the handshake.
//! - [`server_config`] and [`client_config`] build configurations from PEM
//!   text with the `ring` provider.

mod config;
mod stream;
mod transport;

pub use config::{TlsConfigError, client_config, server_config};
pub use stream::{TlsAcceptor, TlsConnector, TlsError, TlsStream};
pub use transport::Transport;

pub use rustls;
