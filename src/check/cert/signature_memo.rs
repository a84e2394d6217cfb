//! Remembered signature verdicts for the certificate checks.
//!
//! Judging every origin's chain verifies the same signatures again and again: an intermediate's
//! signature by its root is the same for every origin whose certificate that CA issued (a fleet
//! has a handful of CAs), and a certificate served by several origins is checked once per origin.
//! Verifying a signature is a pure function of the algorithm, the public key, the signed message
//! and the signature, so [`MemoAlgorithm`] wraps each of webpki's algorithms and remembers each
//! verdict (valid or not), keyed by the SHA-256 digest of all four: the same inputs get the same
//! verdict they would get from the algorithm itself, and nothing is judged differently.
//!
//! Only the checks use it. The handshake's own signatures (CertificateVerify, ServerKeyExchange)
//! sign fresh randoms, never repeat, and are verified directly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ring::digest::{Context, SHA256};
use rustls::pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

/// At most this many verdicts are kept (about 3 MB); later ones are computed and not kept.
pub(crate) const MAX_REMEMBERED: usize = 65_536;

/// Verdicts shared by the [`MemoAlgorithm`]s of one trust store.
#[derive(Debug, Default)]
pub(crate) struct SignatureMemo {
    verdicts: Mutex<HashMap<[u8; 32], bool>>,
}

impl SignatureMemo {
    pub(crate) fn new() -> SignatureMemo {
        SignatureMemo::default()
    }

    /// How many verdicts are kept, at most [`MAX_REMEMBERED`].
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], bool>> {
        self.verdicts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn recall(&self, key: &[u8; 32]) -> Option<bool> {
        self.lock().get(key).copied()
    }

    fn remember(&self, key: [u8; 32], valid: bool) {
        let mut verdicts = self.lock();
        if verdicts.len() < MAX_REMEMBERED {
            verdicts.insert(key, valid);
        }
    }
}

/// A webpki signature algorithm whose verdicts are remembered in a [`SignatureMemo`].
#[derive(Debug)]
pub(crate) struct MemoAlgorithm {
    inner: &'static dyn SignatureVerificationAlgorithm,
    memo: Arc<SignatureMemo>,
}

impl MemoAlgorithm {
    /// Wraps `inner`, remembering in `memo`.
    pub(crate) fn new(
        inner: &'static dyn SignatureVerificationAlgorithm,
        memo: Arc<SignatureMemo>,
    ) -> MemoAlgorithm {
        MemoAlgorithm { inner, memo }
    }

    /// SHA-256 over the algorithm's identifiers, the key, the message and the signature, each
    /// prefixed with its length so that no two different inputs run together the same way.
    fn key(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> [u8; 32] {
        let mut context = Context::new(&SHA256);
        for part in [
            self.inner.public_key_alg_id().as_ref(),
            self.inner.signature_alg_id().as_ref(),
            public_key,
            message,
            signature,
        ] {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(context.finish().as_ref());
        key
    }
}

impl SignatureVerificationAlgorithm for MemoAlgorithm {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = self.key(public_key, message, signature);
        let valid = match self.memo.recall(&key) {
            Some(valid) => valid,
            None => {
                let valid = self
                    .inner
                    .verify_signature(public_key, message, signature)
                    .is_ok();
                self.memo.remember(key, valid);
                valid
            }
        };
        if valid {
            Ok(())
        } else {
            Err(InvalidSignature)
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }

    fn fips_status(&self) -> rustls::pki_types::FipsStatus {
        self.inner.fips_status()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts real verifications; valid only when the signature equals the message.
    #[derive(Debug)]
    struct Counting(std::sync::atomic::AtomicUsize);

    impl SignatureVerificationAlgorithm for Counting {
        fn verify_signature(
            &self,
            _public_key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if message == signature {
                Ok(())
            } else {
                Err(InvalidSignature)
            }
        }
        fn public_key_alg_id(&self) -> AlgorithmIdentifier {
            AlgorithmIdentifier::from_slice(b"key")
        }
        fn signature_alg_id(&self) -> AlgorithmIdentifier {
            AlgorithmIdentifier::from_slice(b"sig")
        }
    }

    static COUNTING: Counting = Counting(std::sync::atomic::AtomicUsize::new(0));

    #[test]
    fn remembers_both_verdicts_and_tells_inputs_apart() {
        let memo = Arc::new(SignatureMemo::new());
        let algorithm = MemoAlgorithm::new(&COUNTING, memo.clone());
        let calls = || COUNTING.0.load(std::sync::atomic::Ordering::SeqCst);
        let before = calls();
        for _ in 0..3 {
            assert!(algorithm.verify_signature(b"k", b"m", b"m").is_ok());
            assert!(algorithm.verify_signature(b"k", b"m", b"x").is_err());
        }
        assert_eq!(calls() - before, 2, "each input verified once");
        // Moving a byte from the message to the key is another input, verified afresh.
        assert!(algorithm.verify_signature(b"km", b"", b"m").is_err());
        assert!(algorithm.verify_signature(b"k", b"mm", b"mm").is_ok());
        assert_eq!(calls() - before, 4);
        assert_eq!(memo.len(), 4);
    }
}
