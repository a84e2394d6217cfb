//! The machine's TLS handshake ceiling, for BENCHMARKS.md: TCP connect plus one rustls handshake
//! per lab origin, no checks, at a given concurrency. originscan's throughput is reported as a
//! fraction of this figure, measured against the same lab in the same run.
//!
//!     cargo run --release --example handshake_ceiling -- LAB_DIR/truth.json [CONCURRENCY]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

#[derive(Debug)]
struct AcceptAll(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAll {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let truth_path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: handshake_ceiling TRUTH.json [CONCURRENCY]"))?;
    let concurrency: usize = args.next().map(|c| c.parse()).transpose()?.unwrap_or(256);
    let truth: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&truth_path)?)?;
    // Only the lab's TLS-answering healthy-style origins: those with an address whose truth has
    // no TCP/DNS/TLS-level problem.
    let targets: Vec<(SocketAddr, String)> = truth
        .iter()
        .filter(|t| {
            t["expected"].as_array().is_some_and(|codes| {
                codes.iter().all(|c| {
                    c.as_str().is_some_and(|c| {
                        c.starts_with("CERT_")
                            || c.starts_with("HTTP_")
                                && c != "HTTP_EARLY_CLOSE"
                                && c != "HTTP_PLAINTEXT_POLICY_MISMATCH"
                    })
                })
            })
        })
        .filter(|t| !t["pathology"].as_str().unwrap_or("").contains("http-only"))
        .filter_map(|t| {
            let ip = t["addresses"].as_array()?.first()?.as_str()?.parse().ok()?;
            let port = t["port"].as_u64()? as u16;
            Some((SocketAddr::new(ip, port), t["origin"].as_str()?.to_string()))
        })
        .collect();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAll(
            provider.signature_verification_algorithms,
        )))
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let started = Instant::now();
    let done = stream::iter(targets.iter().cloned())
        .map(|(addr, name)| {
            let connector = connector.clone();
            async move {
                let tcp = tokio::time::timeout(
                    Duration::from_secs(10),
                    tokio::net::TcpStream::connect(addr),
                )
                .await
                .ok()?
                .ok()?;
                let server_name = ServerName::try_from(name).ok()?;
                tokio::time::timeout(Duration::from_secs(10), connector.connect(server_name, tcp))
                    .await
                    .ok()?
                    .ok()
            }
        })
        .buffer_unordered(concurrency)
        .filter(|r| futures::future::ready(r.is_some()))
        .count()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "handshake ceiling: {done} handshakes of {} origins in {elapsed:.2} s = {:.0} handshakes/s (concurrency {concurrency})",
        targets.len(),
        done as f64 / elapsed
    );
    Ok(())
}
