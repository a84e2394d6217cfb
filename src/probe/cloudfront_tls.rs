//! CloudFront's own TLS connection to an origin, made by s2n-tls (AWS's TLS library) with the
//! CloudFront-Upstream security policy that stands for the scan ([`crate::cloudfront::policy`]).
//! Its handshake is the verdict: versions, suites, groups, signature schemes, the certificate
//! chain's trust and the name rule are s2n's own. The HTTP exchange and the idle probe then run
//! over this connection, as CloudFront's requests do.
//!
//! Two traps are handled here:
//! - **Blinding.** On a fatal error s2n asks for a 10-30 s delay before the connection closes, to
//!   hide timing from an attacker; s2n-tls-tokio waits it out. A scanner has no secret to hide,
//!   and the wait would hold a concurrency slot per failing origin: every config sets
//!   `set_max_blinding_delay(0)`, so that a failing handshake returns at once.
//! - **What a failure leaves.** s2n gives an error name and drops the connection. What the origin
//!   sent is kept by a [`RecordingStream`] under the TLS stream, so that the diagnosis can tell a silent
//!   origin from one that stalls after its ServerHello, and read a plaintext alert or (TLS 1.2 and
//!   older) the certificate chain as sent.
//!
//! With `--origin-client-cert` ([`ClientIdentity`]), the handshakes of an origin CloudFront
//! presents its certificate to (`client_cert: true`) use configs that hold it, with s2n's
//! client auth type `Optional`: the certificate is sent when the origin asks, and nothing
//! changes when it does not. Those configs are cached beside the others (the key's third member).

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use s2n_tls::config::Config;
use s2n_tls::enums::Version;
use s2n_tls_tokio::{TlsConnector, TlsStream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::cloudfront::hello::{RecordReader, ServerMessage};
use crate::cloudfront::tls_profile::TlsVersion;
use crate::probe::client_certificate::ClientIdentity;
use crate::probe::tls::RecordingStream;

/// The most bytes of the origin's handshake kept for the diagnosis (a little over s2n's 64 KiB
/// handshake message limit, so that an oversized certificate message can be seen as such).
const MAX_RECORDED: usize = 80 * 1024;

/// s2n configs by policy name, name rule, whether they hold the client certificate and ALPN
/// offer: one per combination the scan uses, built once, cloned per connection.
pub struct CloudFrontTls {
    roots_pem: Vec<u8>,
    client_identity: Option<ClientIdentity>,
    configs: Mutex<HashMap<ConfigKey, Config>>,
}

/// What tells one s2n config from another: the policy, the name rule, whether the config holds
/// the client certificate, and the ALPN offer.
type ConfigKey = (&'static str, NameRule, bool, Alpn);

/// The ALPN list CloudFront's hello carries for an origin with OriginHttpVersion `http2` (or a
/// gRPC behavior), in order of preference: "CloudFront offers HTTP/2 to the origin by using
/// ALPN. If the origin doesn't negotiate HTTP/2, CloudFront uses HTTP/1.1" (botocore).
pub const ALPN_H2: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// What CloudFront's hello offers with ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alpn {
    /// No ALPN extension: OriginHttpVersion `http1.1` (AWS does not document an ALPN for it;
    /// see docs/CLOUDFRONT.md, "HTTP/2 to the origin").
    None,
    /// [`ALPN_H2`]: `h2`, then `http/1.1`.
    H2,
}

impl Alpn {
    /// The offer for `target`.
    pub fn for_target(target: &crate::target::Target) -> Alpn {
        if target.offers_h2() {
            Alpn::H2
        } else {
            Alpn::None
        }
    }
}

/// Which certificate names a handshake accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameRule {
    /// s2n's own rule against the server name sent, as CloudFront verifies: the verdict.
    ServerName,
    /// Any name: the chain must still be trusted. Only for the diagnosis (which certificate an
    /// origin serves for another SNI), never for a verdict.
    AnyName,
}

/// The host-name callback of [`NameRule::AnyName`].
struct AcceptAnyName;

impl s2n_tls::callbacks::VerifyHostNameCallback for AcceptAnyName {
    fn verify_host_name(&self, _host_name: &str) -> bool {
        true
    }
}

impl std::fmt::Debug for CloudFrontTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudFrontTls").finish_non_exhaustive()
    }
}

/// Why s2n could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("s2n-tls setup ({policy}): {message}")]
pub struct S2nSetupError {
    /// The s2n security policy whose config failed, e.g. `CloudFront-Upstream-2025`.
    pub policy: String,
    /// s2n's error, as text.
    pub message: String,
}

/// What CloudFront's handshake gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudFrontHandshake {
    /// s2n completed the handshake: CloudFront reaches this origin over TLS.
    Established {
        /// The s2n security policy's name, e.g. `CloudFront-Upstream-TLS-1-2-2025`.
        policy: &'static str,
        /// The negotiated version (TLS 1.2 when s2n does not say).
        version: TlsVersion,
        /// The suite, in s2n's (OpenSSL-style) words.
        cipher: String,
        /// The chain s2n validated (its trusted root included, even if the origin did not send
        /// it).
        validated_chain: Vec<CertificateDer<'static>>,
        /// The chain as the origin sent it, when it was sent in the clear (TLS 1.2 and older).
        sent_chain: Option<Vec<CertificateDer<'static>>>,
        /// How long the handshake took.
        elapsed: Duration,
        /// Whether s2n sent the client certificate (`--origin-client-cert`): the origin asked
        /// for one and this handshake had it to give.
        client_cert_sent: bool,
        /// The alert the origin sent after the handshake, read by the HTTP exchange: a TLS 1.3
        /// origin refuses a client certificate so, the client's side of the handshake being
        /// over before the origin has checked it. Filled by the prober, not the handshake.
        alert_after: Option<u8>,
        /// The ALPN protocol the origin selected, as sent (s2n accepts one that was not
        /// offered: `tls/extensions/s2n_server_alpn.c` copies it unchecked); `None` when it
        /// selected none.
        alpn: Option<Vec<u8>>,
    },
    /// s2n refused or failed the handshake: CloudFront answers 502.
    Failed {
        /// The s2n security policy's name, e.g. `CloudFront-Upstream-TLS-1-2-2025`.
        policy: &'static str,
        /// s2n's stable error name (`S2N_ERR_CERT_UNTRUSTED`, ...).
        error: String,
        /// s2n's error message, as text, for the evidence (`S2N_SETUP`'s is the setup error).
        message: String,
        /// What the origin sent before it failed.
        received: Received,
        /// How long until it failed.
        elapsed: Duration,
    },
    /// The handshake did not finish within ConnectionTimeout: CloudFront answers 502 (or 504).
    TimedOut {
        /// The s2n security policy's name, e.g. `CloudFront-Upstream-TLS-1-2-2025`.
        policy: &'static str,
        /// What the origin sent before it went silent.
        received: Received,
        /// The timeout given (the target's ConnectionTimeout), not a measured time.
        waited: Duration,
    },
}

impl CloudFrontHandshake {
    /// Whether s2n completed the handshake.
    pub fn established(&self) -> bool {
        matches!(self, CloudFrontHandshake::Established { .. })
    }

    /// Whether the handshake failed over the name: s2n refused the certificate for the name it
    /// verified (the SNI sent), or the origin answered the SNI with `unrecognized_name`.
    pub fn name_refused(&self) -> bool {
        match self {
            CloudFrontHandshake::Failed {
                error, received, ..
            } => {
                error == "S2N_ERR_CERT_INVALID_HOSTNAME"
                    || received.alert.map(|(_, code)| code) == Some(UNRECOGNIZED_NAME)
            }
            _ => false,
        }
    }

    /// How long the handshake took, until it completed, failed or was given up.
    pub fn elapsed(&self) -> Duration {
        match self {
            CloudFrontHandshake::Established { elapsed, .. }
            | CloudFrontHandshake::Failed { elapsed, .. } => *elapsed,
            CloudFrontHandshake::TimedOut { waited, .. } => *waited,
        }
    }

    /// The name of the s2n security policy the handshake used, whatever its outcome.
    pub fn policy(&self) -> &'static str {
        match self {
            CloudFrontHandshake::Established { policy, .. }
            | CloudFrontHandshake::Failed { policy, .. }
            | CloudFrontHandshake::TimedOut { policy, .. } => policy,
        }
    }
}

/// What the origin sent during a handshake that did not complete, read from the recorded bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// Bytes received during the handshake, counted up to the 80 KiB recorded.
    pub bytes: usize,
    /// The first bytes (at most 16), for an origin that does not speak TLS.
    pub first_bytes: Vec<u8>,
    /// The ServerHello's version and suite, if one came.
    pub server_hello: Option<(u16, u16)>,
    /// An alert in the clear: (level, description).
    pub alert: Option<(u8, u8)>,
    /// The certificate chain, if it came in the clear (TLS 1.2 and older).
    pub chain: Option<Vec<CertificateDer<'static>>>,
    /// The largest handshake message seen, in bytes, when it is over s2n's limit.
    pub oversized_message: Option<usize>,
    /// Whether the origin asked for a client certificate (in the clear: TLS 1.2 and older).
    pub client_cert_requested: bool,
}

impl Received {
    /// Reads what the origin sent.
    fn from_bytes(bytes: &[u8]) -> Received {
        let mut received = Received {
            bytes: bytes.len(),
            first_bytes: bytes.iter().take(16).copied().collect(),
            ..Received::default()
        };
        let mut reader = RecordReader::new();
        if reader.push(bytes).is_err() {
            return received;
        }
        while let Ok(Some(message)) = reader.next_message() {
            match message {
                ServerMessage::ServerHello {
                    version,
                    cipher_suite,
                    hello_retry: false,
                } => received.server_hello = Some((version, cipher_suite)),
                ServerMessage::Certificate { chain } => {
                    received.chain = Some(chain.into_iter().map(CertificateDer::from).collect());
                }
                ServerMessage::CertificateRequest => received.client_cert_requested = true,
                ServerMessage::Alert { level, description } => {
                    received.alert.get_or_insert((level, description));
                }
                _ => {}
            }
        }
        received.oversized_message = reader.largest_message().filter(|n| *n > S2N_MAX_MESSAGE);
        received
    }
}

/// The `unrecognized_name` alert: the origin has no certificate for the SNI sent.
const UNRECOGNIZED_NAME: u8 = 112;

/// s2n's largest handshake message (`S2N_MAXIMUM_HANDSHAKE_MESSAGE_LENGTH`, 64 KiB).
pub const S2N_MAX_MESSAGE: usize = 64 * 1024;

impl CloudFrontTls {
    /// Configs trusting Mozilla's roots and `extra_roots` (`--ca-file`), built as needed.
    pub fn new(extra_roots: &[CertificateDer<'static>]) -> CloudFrontTls {
        let mut roots_pem = Vec::new();
        for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| c.as_ref())
            .chain(extra_roots.iter().map(|c| c.as_ref()))
        {
            roots_pem.extend_from_slice(pem_block("CERTIFICATE", der).as_bytes());
        }
        CloudFrontTls {
            roots_pem,
            client_identity: None,
            configs: Mutex::new(HashMap::new()),
        }
    }

    /// The same, presenting `identity` (`--origin-client-cert`) on the handshakes asked to.
    pub fn with_client_identity(mut self, identity: Option<ClientIdentity>) -> CloudFrontTls {
        self.client_identity = identity;
        self
    }

    /// The config for `policy` with `rule` and `alpn`, holding the client certificate when `client_cert`
    /// and one was given; built on first use.
    pub fn config(
        &self,
        policy: &'static str,
        rule: NameRule,
        client_cert: bool,
        alpn: Alpn,
    ) -> Result<Config, S2nSetupError> {
        let identity = self.client_identity.as_ref().filter(|_| client_cert);
        let key = (policy, rule, identity.is_some(), alpn);
        let mut configs = self.configs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(config) = configs.get(&key) {
            return Ok(config.clone());
        }
        let error = |e: s2n_tls::error::Error| S2nSetupError {
            policy: policy.to_string(),
            message: e.to_string(),
        };
        let mut builder = s2n_tls::config::Builder::new();
        builder.with_system_certs(false).map_err(error)?;
        builder
            .set_security_policy(&s2n_tls::security::Policy::from_version(policy).map_err(error)?)
            .map_err(error)?;
        builder.trust_pem(&self.roots_pem).map_err(error)?;
        // No blinding: see the module documentation.
        builder.set_max_blinding_delay(0).map_err(error)?;
        if rule == NameRule::AnyName {
            builder
                .set_verify_host_callback(AcceptAnyName)
                .map_err(error)?;
        }
        if let Some(identity) = identity {
            // `Optional`: the certificate goes when the origin asks, and only then.
            builder
                .load_pem(identity.chain_pem.as_bytes(), identity.key_pem.as_bytes())
                .map_err(error)?;
            builder
                .set_client_auth_type(s2n_tls::enums::ClientAuthType::Optional)
                .map_err(error)?;
        }
        if alpn == Alpn::H2 {
            builder
                .set_application_protocol_preference(ALPN_H2)
                .map_err(error)?;
        }
        let config = builder.build().map_err(error)?;
        configs.insert(key, config.clone());
        Ok(config)
    }

    /// CloudFront's handshake on `stream` with `sni` (the name s2n sends and verifies) and
    /// `alpn` offered, within `timeout`, presenting the client certificate if asked when
    /// `client_cert`; the TLS stream when it completes.
    pub async fn handshake(
        &self,
        policy: &'static str,
        stream: TcpStream,
        sni: &str,
        timeout: Duration,
        client_cert: bool,
        alpn: Alpn,
    ) -> (CloudFrontHandshake, Option<CloudFrontStream>) {
        self.handshake_with(
            (policy, NameRule::ServerName, client_cert, alpn),
            stream,
            sni,
            timeout,
        )
        .await
    }

    /// The chain an origin serves for `sni` to CloudFront's policy, whatever names it covers:
    /// the chain s2n validated when the handshake completes, else the chain as sent when it came
    /// in the clear (TLS 1.2 and older), else `None`.
    pub async fn served_chain(
        &self,
        policy: &'static str,
        stream: TcpStream,
        sni: &str,
        timeout: Duration,
        client_cert: bool,
        alpn: Alpn,
    ) -> Option<Vec<CertificateDer<'static>>> {
        match self
            .handshake_with(
                (policy, NameRule::AnyName, client_cert, alpn),
                stream,
                sni,
                timeout,
            )
            .await
            .0
        {
            CloudFrontHandshake::Established {
                validated_chain, ..
            } => Some(validated_chain),
            CloudFrontHandshake::Failed { received, .. }
            | CloudFrontHandshake::TimedOut { received, .. } => received.chain,
        }
    }

    async fn handshake_with(
        &self,
        (policy, rule, client_cert, alpn): ConfigKey,
        stream: TcpStream,
        sni: &str,
        timeout: Duration,
    ) -> (CloudFrontHandshake, Option<CloudFrontStream>) {
        let started = Instant::now();
        let config = match self.config(policy, rule, client_cert, alpn) {
            Ok(config) => config,
            Err(error) => {
                return (
                    CloudFrontHandshake::Failed {
                        policy,
                        error: "S2N_SETUP".into(),
                        message: error.to_string(),
                        received: Received::default(),
                        elapsed: started.elapsed(),
                    },
                    None,
                )
            }
        };
        let _ = stream.set_nodelay(true);
        let (recorder, capture) = RecordingStream::with_limit(stream, MAX_RECORDED);
        let connector = TlsConnector::new(config);
        let connecting = connector.connect(sni, recorder);
        let result = tokio::time::timeout(timeout, connecting).await;
        // The recording is read once and freed: a connection kept for HTTP holds no copy.
        let received = || {
            let bytes = capture.lock().unwrap_or_else(|e| e.into_inner()).stop();
            Received::from_bytes(&bytes)
        };
        match result {
            Ok(Ok(tls)) => {
                let connection = tls.as_ref();
                let validated_chain = connection
                    .peer_cert_chain()
                    .ok()
                    .map(|chain| {
                        chain
                            .iter()
                            .filter_map(|cert| cert.ok())
                            .filter_map(|cert| cert.der().ok().map(|d| d.to_vec()))
                            .map(CertificateDer::from)
                            .collect()
                    })
                    .unwrap_or_default();
                let handshake = CloudFrontHandshake::Established {
                    policy,
                    version: connection
                        .actual_protocol_version()
                        .ok()
                        .and_then(version_of)
                        .unwrap_or(TlsVersion::Tls12),
                    cipher: connection.cipher_suite().unwrap_or("?").to_string(),
                    validated_chain,
                    sent_chain: received().chain,
                    elapsed: started.elapsed(),
                    client_cert_sent: connection.client_cert_used(),
                    alert_after: None,
                    alpn: connection.application_protocol().map(<[u8]>::to_vec),
                };
                (handshake, Some(CloudFrontStream(tls)))
            }
            Ok(Err(error)) => (
                CloudFrontHandshake::Failed {
                    policy,
                    error: error.name().to_string(),
                    message: error.message().to_string(),
                    received: received(),
                    elapsed: started.elapsed(),
                },
                None,
            ),
            Err(_) => (
                CloudFrontHandshake::TimedOut {
                    policy,
                    received: received(),
                    waited: timeout,
                },
                None,
            ),
        }
    }
}

/// An established CloudFront connection, for the HTTP exchange and the idle probe.
pub struct CloudFrontStream(TlsStream<RecordingStream<TcpStream>>);

impl CloudFrontStream {
    /// The alert the origin sent on this connection, if s2n has read one.
    pub fn received_alert(&self) -> Option<u8> {
        self.0.as_ref().alert()
    }
}

impl std::fmt::Debug for CloudFrontStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudFrontStream").finish_non_exhaustive()
    }
}

impl AsyncRead for CloudFrontStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for CloudFrontStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

fn version_of(version: Version) -> Option<TlsVersion> {
    Some(match version {
        Version::SSLV3 => TlsVersion::Ssl3,
        Version::TLS10 => TlsVersion::Tls10,
        Version::TLS11 => TlsVersion::Tls11,
        Version::TLS12 => TlsVersion::Tls12,
        Version::TLS13 => TlsVersion::Tls13,
        _ => return None,
    })
}

/// A DER object as a PEM block with `label` (`CERTIFICATE`, `PRIVATE KEY`).
pub(crate) fn pem_block(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(der.len() * 4 / 3 + 4);
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

#[cfg(all(test, feature = "lab"))]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::lab::ca::{ChainShape, LabCa, LeafSpec};

    /// A rustls server on loopback serving `spec`'s chain to every connection.
    async fn tls_server(ca: &LabCa, spec: &LeafSpec) -> SocketAddr {
        let served = ca.leaf(spec).expect("a leaf");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(served.chain, served.key)
            .expect("a server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(stream).await {
                        let mut buf = [0u8; 1024];
                        let _ = tls.read(&mut buf).await;
                    }
                });
            }
        });
        address
    }

    fn spec(names: &[&str], chain: ChainShape) -> LeafSpec {
        LeafSpec {
            chain,
            ..LeafSpec::healthy(names.iter().map(|n| n.to_string()).collect())
        }
    }

    async fn handshake(
        tls: &CloudFrontTls,
        address: SocketAddr,
        sni: &str,
        timeout: Duration,
    ) -> CloudFrontHandshake {
        let stream = TcpStream::connect(address).await.expect("connect");
        tls.handshake(
            "CloudFront-Upstream-TLS-1-0-2025",
            stream,
            sni,
            timeout,
            false,
            Alpn::None,
        )
        .await
        .0
    }

    #[tokio::test]
    async fn a_completed_handshake_gives_version_and_validated_chain() {
        let ca = LabCa::generate().expect("lab CA");
        let tls = CloudFrontTls::new(&[ca.root_der()]);
        let address = tls_server(&ca, &spec(&["origin.example.test"], ChainShape::Complete)).await;
        match handshake(&tls, address, "origin.example.test", Duration::from_secs(5)).await {
            CloudFrontHandshake::Established {
                version,
                validated_chain,
                policy,
                ..
            } => {
                assert_eq!(version, TlsVersion::Tls13);
                assert_eq!(policy, "CloudFront-Upstream-TLS-1-0-2025");
                assert_eq!(
                    validated_chain.len(),
                    3,
                    "leaf, intermediate and the lab root"
                );
            }
            other => panic!("expected a handshake, got {other:?}"),
        }
    }

    /// s2n's blinding would hold a failing handshake 10-30 s: it must return at once.
    #[tokio::test]
    async fn a_failing_handshake_returns_at_once_with_s2ns_reason() {
        let ca = LabCa::generate().expect("lab CA");
        let tls = CloudFrontTls::new(&[ca.root_der()]);
        let cases = [
            (
                spec(&["other.example.test"], ChainShape::Complete),
                "S2N_ERR_CERT_INVALID_HOSTNAME",
            ),
            (
                spec(&["origin.example.test"], ChainShape::Untrusted),
                "S2N_ERR_CERT_UNTRUSTED",
            ),
            (
                spec(&["origin.example.test"], ChainShape::LeafOnly),
                "S2N_ERR_CERT_UNTRUSTED",
            ),
        ];
        for (spec, expected) in cases {
            let address = tls_server(&ca, &spec).await;
            let started = Instant::now();
            let outcome = handshake(
                &tls,
                address,
                "origin.example.test",
                Duration::from_secs(20),
            )
            .await;
            let took = started.elapsed();
            assert!(took < Duration::from_secs(1), "{expected}: took {took:?}");
            match outcome {
                CloudFrontHandshake::Failed { error, .. } => assert_eq!(error, expected),
                other => panic!("expected {expected}, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_server_hello_then_silence_times_out_with_the_hello_seen() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            if let Ok((mut stream, _)) = listener.accept().await {
                let mut hello = [0u8; 4096];
                let _ = stream.read(&mut hello).await;
                // A TLS 1.2 ServerHello choosing ECDHE-RSA-AES128-GCM-SHA256, then nothing.
                let mut body = vec![0x03, 0x03];
                body.extend_from_slice(&[7u8; 32]);
                body.extend_from_slice(&[0x00, 0xC0, 0x2F, 0x00]);
                let mut message = vec![0x02, 0x00, 0x00, body.len() as u8];
                message.extend_from_slice(&body);
                let mut record = vec![0x16, 0x03, 0x03, 0x00, message.len() as u8];
                record.extend_from_slice(&message);
                let _ = stream.write_all(&record).await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
        });
        let tls = CloudFrontTls::new(&[]);
        let outcome = handshake(
            &tls,
            address,
            "origin.example.test",
            Duration::from_millis(500),
        )
        .await;
        match outcome {
            CloudFrontHandshake::TimedOut { received, .. } => {
                assert_eq!(received.server_hello, Some((0x0303, 0xC02F)));
            }
            other => panic!("expected a stall, got {other:?}"),
        }
    }

    #[test]
    fn pem_is_base64_in_lines_of_64() {
        let text = pem_block("CERTIFICATE", &[0xff; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        // 100 bytes: 136 characters, the last group padded with two `=`.
        assert_eq!(lines[3], "/////w==");
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
    }
}
