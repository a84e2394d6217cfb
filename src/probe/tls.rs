//! A full rustls handshake with the SNI CloudFront would send, recording the chain as sent.
//!
//! The handshake never fails on the certificate: the chain is kept whatever its validity and
//! judged later by the certificate checks (as CloudFront judges it: no repair, no AIA). Handshake
//! signatures are still verified. The first bytes the origin sends are kept, so a failure can be
//! told apart: nothing at all (the origin closed after accept), something that is not TLS, an
//! alert, a reset, or a stall.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// How many leading bytes of the origin's reply are kept for the evidence.
const KEPT_BYTES: usize = 24;

/// Why the handshake did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFailure {
    /// The origin closed (or reset) the connection without sending a byte.
    ClosedBeforeReply {
        /// Whether it was a reset (`Connection reset by peer`, or a broken pipe while sending
        /// the ClientHello) rather than an orderly close.
        reset: bool,
    },
    /// The origin's first bytes are not a TLS record.
    NotTls {
        /// The origin's first bytes, raw, at most 24.
        first_bytes: Vec<u8>,
    },
    /// The origin sent a fatal alert.
    Alert {
        /// The alert's description, e.g. `HandshakeFailure`.
        description: String,
        /// The description's wire code (e.g. 40 for `HandshakeFailure`).
        code: u8,
    },
    /// The origin closed the connection in the middle of the handshake.
    ClosedDuringHandshake,
    /// The origin reset the connection in the middle of the handshake.
    Reset,
    /// The handshake did not finish within the timeout it carries (ConnectionTimeout).
    Timeout(Duration),
    /// Any other TLS error (the rustls error, for the evidence).
    Protocol(String),
}

/// What the handshake gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsOutcome {
    /// The handshake completed.
    Established {
        /// Protocol version, e.g. `TLSv1_3`.
        version: String,
        /// Negotiated suite, e.g. `TLS13_AES_128_GCM_SHA256`.
        cipher_suite: String,
        /// The certificate chain exactly as the server sent it.
        chain: Vec<CertificateDer<'static>>,
    },
    /// The handshake did not complete: how it failed.
    Failed(TlsFailure),
}

/// One handshake, observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsObservation {
    /// The peer's address and port (`0.0.0.0:0` if the socket could not tell).
    pub address: SocketAddr,
    /// The SNI sent (none for an IP literal).
    pub sni: Option<String>,
    /// The version, suite and chain as sent, or how the handshake failed.
    pub outcome: TlsOutcome,
    /// The handshake's time, whatever its outcome: at most the timeout given (the target's
    /// ConnectionTimeout).
    pub elapsed: Duration,
}

/// Makes rustls handshakes that record the chain.
#[derive(Clone)]
pub struct TlsProbe {
    connector: TlsConnector,
}

impl std::fmt::Debug for TlsProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsProbe").finish_non_exhaustive()
    }
}

impl TlsProbe {
    /// A probe using `provider` (ring) for the handshake.
    pub fn new(provider: Arc<CryptoProvider>) -> Result<TlsProbe, rustls::Error> {
        let algorithms = provider.signature_verification_algorithms;
        let config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(RecordAnyChain { algorithms }))
            .with_no_client_auth();
        Ok(TlsProbe {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// Handshakes over `stream`, sending `sni` (or none, for an IP origin).
    /// Returns the open TLS stream when the handshake completed.
    pub async fn handshake(
        &self,
        stream: TcpStream,
        sni: Option<&str>,
        timeout: Duration,
    ) -> (
        TlsObservation,
        Option<TlsStream<RecordingStream<TcpStream>>>,
    ) {
        let started = Instant::now();
        let address = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let server_name = sni
            .and_then(|name| ServerName::try_from(name.to_string()).ok())
            .unwrap_or_else(|| ServerName::IpAddress(address.ip().into()));
        let sent_sni = match server_name {
            ServerName::DnsName(ref name) => Some(name.as_ref().to_string()),
            _ => None,
        };
        let (recording, capture) = RecordingStream::new(stream);
        let result =
            tokio::time::timeout(timeout, self.connector.connect(server_name, recording)).await;
        let (outcome, stream) = match result {
            Err(_) => (TlsOutcome::Failed(TlsFailure::Timeout(timeout)), None),
            Ok(Ok(tls)) => {
                let (_, connection) = tls.get_ref();
                let outcome = TlsOutcome::Established {
                    version: connection
                        .protocol_version()
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_default(),
                    cipher_suite: connection
                        .negotiated_cipher_suite()
                        .map(|s| format!("{:?}", s.suite()))
                        .unwrap_or_default(),
                    chain: connection
                        .peer_certificates()
                        .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect())
                        .unwrap_or_default(),
                };
                (outcome, Some(tls))
            }
            Ok(Err(error)) => {
                let captured = capture.lock().map(|c| c.clone()).unwrap_or_default();
                (
                    TlsOutcome::Failed(classify_failure(&error, &captured)),
                    None,
                )
            }
        };
        let observation = TlsObservation {
            address,
            sni: sent_sni,
            outcome,
            elapsed: started.elapsed(),
        };
        (observation, stream)
    }
}

/// Classifies a failed handshake by the rustls error variant and the bytes the origin sent.
fn classify_failure(error: &io::Error, captured: &Capture) -> TlsFailure {
    if captured.first_bytes.is_empty() {
        return TlsFailure::ClosedBeforeReply {
            reset: matches!(
                error.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            ),
        };
    }
    if !looks_like_tls_record(&captured.first_bytes) {
        return TlsFailure::NotTls {
            first_bytes: captured.first_bytes.clone(),
        };
    }
    if let Some(tls_error) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return match tls_error {
            rustls::Error::AlertReceived(alert) => TlsFailure::Alert {
                description: format!("{alert:?}"),
                code: u8::from(*alert),
            },
            other => TlsFailure::Protocol(other.to_string()),
        };
    }
    match error.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => TlsFailure::Reset,
        io::ErrorKind::UnexpectedEof => TlsFailure::ClosedDuringHandshake,
        _ if captured.eof => TlsFailure::ClosedDuringHandshake,
        _ => TlsFailure::Protocol(error.to_string()),
    }
}

/// Whether bytes start like a TLS (or SSLv3) record: a known content type and major version 3.
pub fn looks_like_tls_record(bytes: &[u8]) -> bool {
    match bytes {
        [content_type, rest @ ..] if (20..=24).contains(content_type) => {
            rest.first().is_none_or(|major| *major == 3)
        }
        _ => false,
    }
}

/// Accepts any certificate chain (it is judged later) but verifies handshake signatures.
#[derive(Debug)]
struct RecordAnyChain {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for RecordAnyChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What the origin sent first, and whether it closed.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// The first bytes received (at most the stream's limit: [`KEPT_BYTES`] for rustls's
    /// handshake).
    pub first_bytes: Vec<u8>,
    /// Whether a read returned end of stream.
    pub eof: bool,
    /// How many bytes are kept at most; 0 once [`Capture::stop`] was called.
    limit: usize,
}

impl Capture {
    /// Stops keeping bytes and hands over those kept: a connection that goes on (for HTTP)
    /// holds no copy.
    pub(crate) fn stop(&mut self) -> Vec<u8> {
        self.limit = 0;
        std::mem::take(&mut self.first_bytes)
    }
}

/// A stream that keeps the first bytes it reads (up to a limit), and whether it saw the end.
#[derive(Debug)]
pub struct RecordingStream<S> {
    inner: S,
    capture: Arc<Mutex<Capture>>,
}

impl<S> RecordingStream<S> {
    fn new(inner: S) -> (RecordingStream<S>, Arc<Mutex<Capture>>) {
        RecordingStream::with_limit(inner, KEPT_BYTES)
    }

    /// A stream that keeps at most `limit` bytes of what it reads.
    pub(crate) fn with_limit(inner: S, limit: usize) -> (RecordingStream<S>, Arc<Mutex<Capture>>) {
        let capture = Arc::new(Mutex::new(Capture {
            limit,
            ..Capture::default()
        }));
        (
            RecordingStream {
                inner,
                capture: capture.clone(),
            },
            capture,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RecordingStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let new = &buf.filled()[before..];
            if let Ok(mut capture) = self.capture.lock() {
                if new.is_empty() {
                    capture.eof = true;
                } else if capture.first_bytes.len() < capture.limit {
                    let room = capture.limit - capture.first_bytes.len();
                    capture
                        .first_bytes
                        .extend_from_slice(&new[..room.min(new.len())]);
                }
            }
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RecordingStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tls_records() {
        assert!(looks_like_tls_record(&[0x16, 0x03, 0x03, 0x00, 0x10]));
        assert!(looks_like_tls_record(&[0x15, 0x03, 0x01]));
        assert!(looks_like_tls_record(&[0x16]));
        assert!(!looks_like_tls_record(b"HTTP/1.1 400 Bad Request"));
        assert!(!looks_like_tls_record(b"SSH-2.0-OpenSSH"));
        assert!(!looks_like_tls_record(&[0x16, 0x02, 0x00]));
    }
}
