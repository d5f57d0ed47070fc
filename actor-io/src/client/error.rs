//! What can go wrong with a request.

use std::io;

use super::UrlError;
use crate::http::{EncodeError, HttpError};
use crate::tls::TlsError;

/// Why a request failed.
///
/// A connection that saw any of these errors in the middle of an exchange
/// is closed, never returned to the pool.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL could not be parsed.
    #[error("bad url: {0}")]
    BadUrl(#[from] UrlError),
    /// The request could not be written (an invalid method, target or header).
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] EncodeError),
    /// The host name did not resolve to any address.
    #[error("could not resolve {host}: {source}")]
    Resolve {
        /// The host that was looked up.
        host: String,
        /// What the resolver said.
        source: io::Error,
    },
    /// No connection could be opened (refused, unreachable...).
    #[error("connect: {0}")]
    Connect(io::Error),
    /// Opening the connection (TCP and any TLS handshake) took longer than
    /// the connect timeout.
    #[error("connect timed out")]
    ConnectTimeout,
    /// The whole request took longer than the request timeout; the
    /// connection was dropped.
    #[error("request timed out")]
    Timeout,
    /// The connection failed, or closed before the response was complete.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The response was malformed or broke a limit.
    #[error("bad response: {0}")]
    Http(#[from] HttpError),
    /// The TLS handshake failed.
    #[error("{0}")]
    Tls(#[from] TlsError),
    /// An `https` URL, but the client has no
    /// [`TlsConnector`](crate::tls::TlsConnector).
    #[error("https requested but no TLS connector is configured")]
    TlsNotConfigured,
}

impl ClientError {
    /// Whether this is [`ConnectTimeout`](Self::ConnectTimeout) or
    /// [`Timeout`](Self::Timeout).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::ConnectTimeout | Self::Timeout)
    }
}
