//! SIP over TLS (RFC 3261 §26.2, "sips:" and `transport=tls`): a listener
//! that does the TLS handshake and then serves the connection exactly like
//! TCP (Content-Length framing, CRLF keep-alives, the same writers). The
//! certificate and key are PEM files named in the settings, read once at
//! start; `switchboard cert` makes a self-signed pair for development.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use super::transports::{Inbound, Writers, serve_stream, stream_flow};
use crate::sip::transport::Transport;

/// A peer that has not finished its handshake by then is dropped, so that
/// half-open connections cannot pile up.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where SIP over TLS listens and with which certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub bind: SocketAddr,
    /// PEM: the server certificate first, then any intermediates.
    pub cert: PathBuf,
    /// PEM: the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why SIP over TLS could not start; each names the file or address at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(
        "cannot read the SIP TLS {what} {path}: {source} (set sip_tls_cert and sip_tls_key, \
         or make a development pair with `switchboard cert`)"
    )]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the SIP TLS certificate file {path} holds no PEM certificate{}", detail(.reason))]
    NoCertificate { path: PathBuf, reason: String },
    #[error("the SIP TLS key file {path} holds no PEM private key{}", detail(.reason))]
    NoKey { path: PathBuf, reason: String },
    #[error("the SIP TLS certificate {cert} and key {key} cannot be used: {reason}")]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("binding SIP over TLS to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

fn detail(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

/// Reads the certificate chain and key and builds the server side of TLS
/// (TLS 1.2 and 1.3: many desk phones still speak only 1.2).
pub fn server_config(settings: &TlsSettings) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read(&settings.cert, "certificate")?;
    let key_pem = read(&settings.key, "key")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| TlsError::NoCertificate {
            path: settings.cert.clone(),
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: settings.cert.clone(),
            reason: String::new(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::NoKey {
        path: settings.key.clone(),
        reason: match e {
            pem::Error::NoItemsFound => String::new(),
            other => other.to_string(),
        },
    })?;
    let unusable = |e: rustls::Error| TlsError::Unusable {
        cert: settings.cert.clone(),
        key: settings.key.clone(),
        reason: e.to_string(),
    };
    // The provider is named rather than taken from a process-wide default,
    // so nothing depends on which crypto backend another crate installs.
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(unusable)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(unusable)?;
    Ok(Arc::new(config))
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

/// Loads the certificate, binds the listener and starts accepting; returns
/// the bound address.
pub async fn listen(
    settings: &TlsSettings,
    writers: Writers,
    inbound: mpsc::Sender<Inbound>,
) -> Result<SocketAddr, TlsError> {
    let acceptor = TlsAcceptor::from(server_config(settings)?);
    let bind_error = |source| TlsError::Bind {
        addr: settings.bind,
        source,
    };
    let listener = TcpListener::bind(settings.bind).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    tokio::spawn(accept(listener, acceptor, writers, inbound));
    Ok(addr)
}

async fn accept(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    writers: Writers,
    inbound: mpsc::Sender<Inbound>,
) {
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "TLS accept failed");
                    continue;
                }
            },
            () = inbound.closed() => return,
        };
        // Responses written back to back must not wait on delayed ACKs.
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let (writers, inbound) = (writers.clone(), inbound.clone());
        // The handshake runs in the connection's own task: a slow peer must
        // not hold up the next one.
        tokio::spawn(async move {
            let stream =
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => {
                        // Scanners fail handshakes all day: not worth an info line each.
                        tracing::debug!(peer = %remote, error = %e, "SIP TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(peer = %remote, "SIP TLS handshake timed out");
                        return;
                    }
                };
            let flow = stream_flow(Transport::Tls, remote);
            serve_stream(stream, flow, writers, inbound).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::sip::cert;

    fn settings(dir: &Path) -> TlsSettings {
        TlsSettings {
            bind: "127.0.0.1:0".parse().unwrap(),
            cert: dir.join("sip.crt"),
            key: dir.join("sip.key"),
        }
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_generated_pair_makes_a_server_config() {
        let dir = tempfile::tempdir().unwrap();
        cert::write_self_signed(dir.path(), &[], now(), false).unwrap();
        assert!(server_config(&settings(dir.path())).is_ok());
    }

    #[test]
    fn a_missing_certificate_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = server_config(&settings(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("certificate") && error.contains("sip.crt"),
            "{error}"
        );
    }

    #[test]
    fn a_key_file_without_a_key_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        cert::write_self_signed(dir.path(), &[], now(), false).unwrap();
        std::fs::copy(dir.path().join("sip.crt"), dir.path().join("sip.key")).unwrap();
        let error = server_config(&settings(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("no PEM private key") && error.contains("sip.key"),
            "{error}"
        );
    }

    #[test]
    fn a_key_of_another_certificate_is_refused() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        cert::write_self_signed(first.path(), &[], now(), false).unwrap();
        cert::write_self_signed(second.path(), &[], now(), false).unwrap();
        let mixed = TlsSettings {
            key: second.path().join("sip.key"),
            ..settings(first.path())
        };
        let error = server_config(&mixed).unwrap_err();
        assert!(matches!(error, TlsError::Unusable { .. }), "{error}");
    }
}
