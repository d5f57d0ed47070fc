//! Opening TLS sessions: the server's and the client's side of the
//! handshake, and why one failed.

use std::io;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};

use super::session::TlsSession;
use crate::net::{Stream, TcpStream};

/// Why a handshake failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The transport failed or closed.
    #[error("tls transport: {0}")]
    Io(#[from] io::Error),
    /// The peer broke the protocol or was refused: a certificate that does
    /// not verify, no shared cipher suite, a bad record. The alert has been
    /// sent.
    #[error("tls: {0}")]
    Protocol(#[from] rustls::Error),
    /// The peer closed the connection during the handshake.
    #[error("tls: the peer closed the connection during the handshake")]
    Closed,
    /// The name to connect to is not a valid DNS name or IP address.
    #[error("tls: invalid server name {0:?}")]
    InvalidServerName(String),
}

/// Accepts TLS connections with one shared server configuration.
#[derive(Debug, Clone)]
pub struct TlsAcceptor {
    config: Arc<ServerConfig>,
}

impl TlsAcceptor {
    /// An acceptor for `config` (see [`server_config`](super::server_config)).
    pub fn new(config: Arc<ServerConfig>) -> Self {
        TlsAcceptor { config }
    }

    /// Runs the server side of the handshake over `tcp`; the session is a
    /// [`Stream`], read and written as a plain one.
    pub async fn accept(&self, tcp: TcpStream) -> Result<Stream, TlsError> {
        let conn = ServerConnection::new(self.config.clone())?;
        let session = TlsSession::handshake(tcp, conn.into()).await?;
        Ok(Stream::from_tls(session))
    }
}

/// Opens TLS connections with one shared client configuration.
#[derive(Debug, Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl TlsConnector {
    /// A connector for `config` (see [`client_config`](super::client_config)).
    pub fn new(config: Arc<ClientConfig>) -> Self {
        TlsConnector { config }
    }

    /// Runs the client side of the handshake over `tcp`, verifying that the
    /// server's certificate is valid for `server_name`; the session is a
    /// [`Stream`].
    pub async fn connect(&self, server_name: &str, tcp: TcpStream) -> Result<Stream, TlsError> {
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|_| TlsError::InvalidServerName(server_name.to_string()))?;
        let conn = ClientConnection::new(self.config.clone(), name)?;
        let session = TlsSession::handshake(tcp, conn.into()).await?;
        Ok(Stream::from_tls(session))
    }
}
