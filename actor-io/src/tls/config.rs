//! rustls configurations from PEM text, with the `ring` provider.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// The certificate chain's PEM text holds no certificate or is malformed.
    #[error("certificate PEM: {0}")]
    Certificates(String),
    /// The private key's PEM text holds no key or is malformed.
    #[error("private key PEM: {0}")]
    PrivateKey(String),
    /// rustls refused the combination (a key that does not match, say).
    #[error("tls configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsConfigError::Certificates(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsConfigError::Certificates("no certificate found".into()));
    }
    Ok(certs)
}

/// A server configuration presenting `cert_chain_pem` (leaf first) with
/// `key_pem`, offering `http/1.1` through ALPN.
pub fn server_config(
    cert_chain_pem: &str,
    key_pem: &str,
) -> Result<Arc<ServerConfig>, TlsConfigError> {
    let certs = certificates(cert_chain_pem)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| TlsConfigError::PrivateKey(e.to_string()))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A client configuration trusting the certificates in `roots_pem` only.
pub fn client_config(roots_pem: &str) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(roots_pem)? {
        roots.add(cert)?;
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
