//! The trusted roots: Mozilla's set (webpki-roots), plus `--ca-file` PEM roots.
//!
//! Holds what webpki's verdict on a chain needs (the roots, and the signature algorithms, whose
//! verdicts are remembered across origins: [`crate::check::cert::signature_memo`]) and the anchors' subject
//! names, which tell a chain that reaches a root from one that stops short of it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, SignatureVerificationAlgorithm, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::RootCertStore;

use crate::check::cert::signature_memo::{MemoAlgorithm, SignatureMemo};

/// Why the trust store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The CA file could not be read or parsed.
    #[error("--ca-file {path}: {message}")]
    CaFile {
        /// The `--ca-file` path as given.
        path: String,
        /// The read or PEM parse error, or `no PEM certificate in it`.
        message: String,
    },
    /// rustls refused a root.
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(String),
}

/// Roots, and the signature algorithms webpki checks chains with.
#[derive(Debug, Clone)]
pub struct TrustStore {
    roots: Arc<RootCertStore>,
    algorithms: Arc<[MemoAlgorithm]>,
    memo: Arc<SignatureMemo>,
    anchor_subjects: Arc<HashSet<Vec<u8>>>,
}

impl TrustStore {
    /// Mozilla's roots plus `extra` (DER).
    pub fn new(
        provider: Arc<CryptoProvider>,
        extra: Vec<CertificateDer<'static>>,
    ) -> Result<TrustStore, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in extra {
            roots
                .add(cert)
                .map_err(|e| TrustError::Verifier(format!("a --ca-file root is unusable: {e}")))?;
        }
        let anchor_subjects = roots
            .roots
            .iter()
            .map(|anchor| anchor.subject.as_ref().to_vec())
            .collect();
        if roots.is_empty() {
            return Err(TrustError::Verifier("no trusted root".into()));
        }
        let memo = Arc::new(SignatureMemo::new());
        let algorithms = provider
            .signature_verification_algorithms
            .all
            .iter()
            .map(|algorithm| MemoAlgorithm::new(*algorithm, memo.clone()))
            .collect();
        Ok(TrustStore {
            roots: Arc::new(roots),
            algorithms,
            memo,
            anchor_subjects: Arc::new(anchor_subjects),
        })
    }

    /// Reads every certificate of a PEM file.
    pub fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        let error = |message: String| TrustError::CaFile {
            path: path.display().to_string(),
            message,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| error(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(e.to_string()))?;
        if certs.is_empty() {
            return Err(error("no PEM certificate in it".into()));
        }
        Ok(certs)
    }

    /// Whether a trusted root has this subject (DER contents).
    pub fn has_anchor_named(&self, subject: &[u8]) -> bool {
        self.anchor_subjects.contains(subject)
    }

    /// webpki's verdict on a chain as sent, for `server_name`: what rustls's
    /// `WebPkiServerVerifier::verify_server_cert` says with these roots, no revocation lists and
    /// no OCSP response (the same two calls it makes), with signature verdicts remembered.
    pub fn verify_chain(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        let algorithms: Vec<&dyn SignatureVerificationAlgorithm> = self
            .algorithms
            .iter()
            .map(|a| a as &dyn SignatureVerificationAlgorithm)
            .collect();
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            &algorithms,
        )?;
        verify_server_name(&cert, server_name)
    }

    /// Signature verdicts remembered so far.
    pub fn remembered_signatures(&self) -> usize {
        self.memo.len()
    }
}

#[cfg(all(test, feature = "lab"))]
mod tests {
    use super::*;
    use crate::lab::ca::{ChainShape, LabCa, LeafKey, LeafSpec};
    use rustls::client::danger::ServerCertVerifier;
    use rustls::client::WebPkiServerVerifier;

    /// The memoised verdict equals rustls's own verifier over the same roots, for every chain
    /// shape, key type and validity, asked twice (the second time from the memo), and for a
    /// leaf whose signature was tampered with after a valid one was remembered.
    #[test]
    fn verdicts_equal_rustls_verifier_and_survive_the_memo() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let ca = LabCa::generate().unwrap();
        let store = TrustStore::new(provider.clone(), vec![ca.root_der()]).unwrap();
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        roots.add(ca.root_der()).unwrap();
        let reference = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap();
        let now = UnixTime::now();
        let name = ServerName::try_from("origin.lab.test").unwrap();
        let other = ServerName::try_from("other.lab.test").unwrap();
        let mut chains = Vec::new();
        for shape in [
            ChainShape::Complete,
            ChainShape::LeafOnly,
            ChainShape::SelfSigned,
            ChainShape::Untrusted,
            ChainShape::WrongOrder,
        ] {
            for key in [LeafKey::Ecdsa, LeafKey::Rsa, LeafKey::Ed25519] {
                for (from, until) in [(-1, 365), (-30, -1), (1, 365)] {
                    let spec = LeafSpec {
                        names: vec!["origin.lab.test".into()],
                        common_name: None,
                        valid_from: time::Duration::days(from),
                        valid_until: time::Duration::days(until),
                        key,
                        chain: shape,
                    };
                    chains.push(ca.leaf(&spec).unwrap().chain);
                }
            }
        }
        // A valid chain, then the same leaf with its last signature byte flipped.
        let mut tampered = chains[0].clone();
        let mut leaf = tampered[0].as_ref().to_vec();
        if let Some(last) = leaf.last_mut() {
            *last ^= 1;
        }
        tampered[0] = CertificateDer::from(leaf);
        chains.push(tampered);
        for _ in 0..2 {
            for chain in &chains {
                for server_name in [&name, &other] {
                    let ours = store.verify_chain(&chain[0], &chain[1..], server_name, now);
                    let theirs =
                        reference.verify_server_cert(&chain[0], &chain[1..], server_name, &[], now);
                    assert_eq!(
                        format!("{ours:?}"),
                        format!("{:?}", theirs.map(|_| ())),
                        "chain of {} certificates for {server_name:?}",
                        chain.len()
                    );
                }
            }
        }
        assert!(
            store.remembered_signatures() > 0,
            "verdicts were remembered"
        );
        assert!(
            chains[0].len() > 1
                && store
                    .verify_chain(&chains[0][0], &chains[0][1..], &name, now)
                    .is_ok()
        );
        let last = chains.last().unwrap();
        assert!(store
            .verify_chain(&last[0], &last[1..], &name, now)
            .is_err());
    }
}
