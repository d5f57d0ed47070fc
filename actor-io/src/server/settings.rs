//! What every listener and connection of one server shares.

use std::time::Duration;

use super::routes::Routes;
use crate::http::Limits;
use crate::tls::TlsAcceptor;

/// A server's configuration, shared (behind an `Arc`) by its listeners and
/// connections on every shard.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) routes: Routes,
    pub(crate) limits: Limits,
    /// From the first byte of a request until it is complete (head and
    /// body); also bounds a TLS handshake.
    pub(crate) header_timeout: Duration,
    /// Between requests on a kept-alive connection; also bounds a write.
    pub(crate) idle_timeout: Duration,
    /// For the futures answering one batch of requests.
    pub(crate) handler_timeout: Duration,
    pub(crate) tls: Option<TlsAcceptor>,
}
