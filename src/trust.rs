//! The trusted roots: Mozilla's set (webpki-roots), plus `--ca-file` PEM roots.
//!
//! Holds the webpki verifier the certificate checks consult and the anchors' subject names,
//! which tell a chain that reaches a root from one that stops short of it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

/// Why the trust store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The CA file could not be read or parsed.
    #[error("--ca-file {path}: {message}")]
    CaFile {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// rustls refused to build the verifier.
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(String),
}

/// Roots and the verifier built on them.
#[derive(Debug, Clone)]
pub struct TrustStore {
    verifier: Arc<WebPkiServerVerifier>,
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
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| TrustError::Verifier(e.to_string()))?;
        Ok(TrustStore {
            verifier,
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

    /// The webpki verifier over these roots.
    pub fn verifier(&self) -> &WebPkiServerVerifier {
        &self.verifier
    }
}
