//! The client's settings.

use std::time::Duration;

use super::HttpClient;
use crate::http::Limits;
use crate::tls::TlsConnector;

/// Settings for an [`HttpClient`]. `Clone + Send`: build one, send it to
/// every shard, and [`build`](Self::build) a client there.
///
/// ```
/// use std::time::Duration;
/// let settings = actor_io::client::HttpClient::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .request_timeout(Some(Duration::from_secs(10)))
///     .max_idle_per_host(4)
///     .idle_timeout(Duration::from_secs(30));
/// assert_eq!(settings.clone().max_idle(), 4);
/// ```
#[derive(Debug, Clone)]
pub struct HttpClientBuilder {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) max_idle_per_host: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) limits: Limits,
    pub(crate) tls: Option<TlsConnector>,
}

impl Default for HttpClientBuilder {
    /// Connect timeout 10 s, request timeout 30 s, 8 idle connections per
    /// host kept for 60 s, default [`Limits`], no TLS.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Some(Duration::from_secs(30)),
            max_idle_per_host: 8,
            idle_timeout: Duration::from_secs(60),
            limits: Limits::default(),
            tls: None,
        }
    }
}

impl HttpClientBuilder {
    /// The longest a new connection may take to open, TLS handshake
    /// included ([`ClientError::ConnectTimeout`](super::ClientError::ConnectTimeout) past it).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// The longest a whole request may take, from taking a connection to
    /// the last byte of the response ([`ClientError::Timeout`](super::ClientError::Timeout)
    /// past it; the connection is then closed). `None`: no limit.
    pub fn request_timeout(mut self, d: Option<Duration>) -> Self {
        self.request_timeout = d;
        self
    }

    /// The most idle keep-alive connections kept per (host, port, TLS) on
    /// each shard; 0 turns reuse off.
    pub fn max_idle_per_host(mut self, n: usize) -> Self {
        self.max_idle_per_host = n;
        self
    }

    /// The per-host idle connection cap set so far.
    pub fn max_idle(&self) -> usize {
        self.max_idle_per_host
    }

    /// How long an idle connection is kept before it is closed.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Limits applied to responses (head size, body size...).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Enables `https` URLs with this connector (see
    /// [`client_config`](crate::tls::client_config)).
    pub fn tls(mut self, connector: TlsConnector) -> Self {
        self.tls = Some(connector);
        self
    }

    /// A client with these settings and an empty pool, for the calling
    /// shard.
    pub fn build(self) -> HttpClient {
        HttpClient::from_builder(self)
    }
}
