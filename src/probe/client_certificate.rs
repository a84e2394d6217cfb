//! The client certificate CloudFront presents to an origin with origin mTLS
//! (`CustomOriginConfig.OriginMtlsConfig`), when the user has it: `--origin-client-cert CERT
//! --origin-client-key KEY`. Both files are read and checked when the scan starts, before any
//! traffic: PEM, at least one certificate, one private key, and a key that belongs to the first
//! certificate (s2n-tls, the library that presents it, loads the pair once here and says so).
//!
//! Errors name the file at fault and never show key material: a key's PEM parser error is not
//! passed on (it may quote a line of the file), only what is wrong in words.

use std::io::Read;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::probe::cloudfront_tls::pem_block;

/// The most bytes read from either file: a certificate chain or a key is a few KiB.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A client certificate chain and its private key, as PEM text for s2n-tls, checked to load.
#[derive(Clone)]
pub struct ClientIdentity {
    /// The chain, leaf first, re-encoded as PEM (only `CERTIFICATE` blocks).
    pub(crate) chain_pem: String,
    /// The private key, re-encoded as PEM with its own label (PKCS#8, PKCS#1 or SEC1).
    pub(crate) key_pem: String,
    /// The certificate file as given, for messages.
    pub cert_path: PathBuf,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("ClientIdentity")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

/// Why `--origin-client-cert`/`--origin-client-key` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientIdentityError {
    /// The certificate file: unreadable, too large, or no PEM certificate in it.
    #[error("{path}: {message}")]
    Certificate {
        /// The certificate file as given.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The key file: unreadable, too large, encrypted, or no PEM private key in it.
    #[error("{path}: {message}")]
    Key {
        /// The key file as given.
        path: String,
        /// What is wrong (never the key's content).
        message: String,
    },
    /// The pair does not load: the key does not belong to the certificate, or s2n refuses one.
    #[error("{key_path} and {cert_path}: {message}")]
    Pair {
        /// The certificate file as given.
        cert_path: String,
        /// The key file as given.
        key_path: String,
        /// What is wrong.
        message: String,
    },
}

impl ClientIdentityError {
    /// Which flag is at fault, for the usage error.
    pub fn flag(&self) -> &'static str {
        match self {
            ClientIdentityError::Certificate { .. } => "--origin-client-cert",
            ClientIdentityError::Key { .. } | ClientIdentityError::Pair { .. } => {
                "--origin-client-key"
            }
        }
    }
}

/// Reads at most [`MAX_FILE_BYTES`] of `path`.
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "over {} KiB: not a PEM certificate or key",
            MAX_FILE_BYTES / 1024
        ));
    }
    Ok(bytes)
}

impl ClientIdentity {
    /// Reads and checks `cert` (PEM certificates, leaf first) and `key` (a PEM private key).
    pub fn read(cert: &Path, key: &Path) -> Result<ClientIdentity, ClientIdentityError> {
        let cert_path = cert.display().to_string();
        let key_path = key.display().to_string();
        let cert_error = |message: String| ClientIdentityError::Certificate {
            path: cert_path.clone(),
            message,
        };
        let key_error = |message: &str| ClientIdentityError::Key {
            path: key_path.clone(),
            message: message.to_string(),
        };

        let cert_bytes = read_capped(cert).map_err(cert_error)?;
        let chain = CertificateDer::pem_slice_iter(&cert_bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| cert_error(format!("not PEM certificates ({e})")))?;
        if chain.is_empty() {
            let message = if PrivateKeyDer::from_pem_slice(&cert_bytes).is_ok() {
                "no PEM certificate in it (it holds a private key: give it to --origin-client-key)"
            } else {
                "no PEM certificate in it (want -----BEGIN CERTIFICATE-----)"
            };
            return Err(cert_error(message.to_string()));
        }

        let key_bytes = read_capped(key).map_err(|e| key_error(&e))?;
        let key_der = match PrivateKeyDer::from_pem_slice(&key_bytes) {
            Ok(key) => key,
            Err(_) if contains(&key_bytes, b"ENCRYPTED") => {
                return Err(key_error(
                    "an encrypted private key: give it decrypted (e.g. `openssl pkey -in KEY -out plain.pem`)",
                ))
            }
            Err(_) if contains(&key_bytes, b"-----BEGIN CERTIFICATE-----") => {
                return Err(key_error(
                    "no PEM private key in it (it holds a certificate: give it to --origin-client-cert)",
                ))
            }
            Err(_) => {
                return Err(key_error(
                    "no PEM private key in it (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
                ))
            }
        };
        let label = match &key_der {
            PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
            PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
            _ => "PRIVATE KEY",
        };
        let identity = ClientIdentity {
            chain_pem: chain.iter().map(|c| pem_block("CERTIFICATE", c)).collect(),
            key_pem: pem_block(label, key_der.secret_der()),
            cert_path: cert.to_path_buf(),
        };
        // s2n checks that the key is the certificate's: loading the pair once tells.
        let mut builder = s2n_tls::config::Builder::new();
        builder
            .load_pem(identity.chain_pem.as_bytes(), identity.key_pem.as_bytes())
            .map_err(|e| ClientIdentityError::Pair {
                cert_path: cert_path.clone(),
                key_path: key_path.clone(),
                message: match e.name() {
                    "S2N_ERR_KEY_MISMATCH" => {
                        "the private key does not belong to the (first) certificate".to_string()
                    }
                    "S2N_ERR_DECODE_CERTIFICATE" | "S2N_ERR_NO_CERTIFICATE_IN_PEM" => {
                        format!("s2n-tls cannot read the certificate in {cert_path}")
                    }
                    "S2N_ERR_DECODE_PRIVATE_KEY" => {
                        format!("s2n-tls cannot read the private key in {key_path}")
                    }
                    name => format!("s2n-tls cannot load the pair ({name})"),
                },
            })?;
        Ok(identity)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn pair() -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client.test".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn a_matching_pair_loads_and_its_debug_holds_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pair();
        let identity = ClientIdentity::read(
            &write(dir.path(), "c.pem", &cert),
            &write(dir.path(), "k.pem", &key),
        )
        .unwrap();
        assert!(identity
            .chain_pem
            .starts_with("-----BEGIN CERTIFICATE-----"));
        let shown = format!("{identity:?}");
        assert!(
            !shown.contains("PRIVATE") && !shown.contains(&key[40..80]),
            "{shown}"
        );
    }

    #[test]
    fn each_fault_names_its_file_and_never_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pair();
        let (_, other_key) = pair();
        let cert_path = write(dir.path(), "c.pem", &cert);
        let key_path = write(dir.path(), "k.pem", &key);
        let other = write(dir.path(), "other.pem", &other_key);
        let junk = write(dir.path(), "junk.pem", "hello\n");
        let missing = dir.path().join("missing.pem");
        let cases = [
            (
                &junk,
                &key_path,
                "--origin-client-cert",
                "junk.pem: no PEM certificate",
            ),
            (
                &key_path,
                &key_path,
                "--origin-client-cert",
                "give it to --origin-client-key",
            ),
            (&missing, &key_path, "--origin-client-cert", "missing.pem: "),
            (
                &cert_path,
                &junk,
                "--origin-client-key",
                "junk.pem: no PEM private key",
            ),
            (
                &cert_path,
                &cert_path,
                "--origin-client-key",
                "give it to --origin-client-cert",
            ),
            (&cert_path, &other, "--origin-client-key", "does not belong"),
        ];
        for (c, k, flag, want) in cases {
            let error = ClientIdentity::read(c, k).unwrap_err();
            let message = error.to_string();
            assert_eq!(error.flag(), flag, "{message}");
            assert!(message.contains(want), "{message}");
            assert!(!message.contains("MII") && !message.contains(&other_key[40..80]));
        }
    }
}
