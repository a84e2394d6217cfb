//! The lab's certificate authorities and leaf certificates, made with rcgen at start.
//!
//! - the lab CA (root, then an intermediate that issues the leaves): trusted via `ca.pem`;
//! - a rogue CA (root and intermediate) that the scanner does not trust;
//! - a deeper chain (root, policy CA, issuing CA 2) used to send a chain out of order.
//!
//! ECDSA P-256 keys are generated; the RSA leaf key is `fixtures/lab/rsa2048.pk8.pem`, because
//! ring cannot generate RSA keys (see `fixtures/lab/README.md`).

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::LabError;

const RSA_LEAF_KEY: &str = include_str!("../../fixtures/lab/rsa2048.pk8.pem");

/// The key type of a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKey {
    /// ECDSA P-256: one key, generated at start, shared by every ECDSA leaf.
    Ecdsa,
    /// RSA 2048: the fixed key of `fixtures/lab/rsa2048.pk8.pem` (ring cannot generate one).
    Rsa,
    /// Ed25519 (a key CloudFront's signature schemes do not cover).
    Ed25519,
}

/// How the leaf is issued and which chain the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainShape {
    /// Leaf then the lab intermediate.
    Complete,
    /// The leaf alone (intermediate missing).
    LeafOnly,
    /// A self-signed leaf.
    SelfSigned,
    /// Leaf then intermediate of the rogue (untrusted) CA.
    Untrusted,
    /// Leaf, then the policy CA, then the issuing CA 2 that signed the leaf: out of order.
    WrongOrder,
}

/// What leaf to make.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// SAN DNS names (the first is also the CN, unless `common_name` says otherwise).
    pub names: Vec<String>,
    /// The subject CN, when not the first SAN name.
    pub common_name: Option<String>,
    /// notBefore, relative to when the leaf is issued (negative: in the past).
    pub valid_from: Duration,
    /// notAfter, relative to when the leaf is issued (negative: already expired).
    pub valid_until: Duration,
    /// Key type (a healthy leaf's: ECDSA P-256).
    pub key: LeafKey,
    /// Who issues the leaf and which chain the server sends (a healthy leaf's: the leaf, then
    /// the lab intermediate).
    pub chain: ChainShape,
}

impl LeafSpec {
    /// A healthy leaf for `names`, valid from a day ago for a year.
    pub fn healthy(names: Vec<String>) -> LeafSpec {
        LeafSpec {
            names,
            common_name: None,
            valid_from: Duration::days(-1),
            valid_until: Duration::days(365),
            key: LeafKey::Ecdsa,
            chain: ChainShape::Complete,
        }
    }
}

/// A chain to serve and its key.
pub struct ServedCert {
    /// The chain as the server sends it.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
}

/// The lab's CAs and leaf keys, generated once at start: the trusted CA, a rogue one, and a
/// deeper chain for out-of-order sending.
pub struct LabCa {
    root: CertifiedIssuer<'static, KeyPair>,
    intermediate: CertifiedIssuer<'static, KeyPair>,
    rogue_intermediate: CertifiedIssuer<'static, KeyPair>,
    policy: CertifiedIssuer<'static, KeyPair>,
    issuing2: CertifiedIssuer<'static, KeyPair>,
    ecdsa_key: KeyPair,
    rsa_key: KeyPair,
    ed25519_key: KeyPair,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "originscan lab");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(365);
    params.not_after = now + Duration::days(3650);
    params
}

impl LabCa {
    /// Generates every CA and the ECDSA and Ed25519 leaf keys (the RSA key is the fixture's).
    pub fn generate() -> Result<LabCa, LabError> {
        let root = CertifiedIssuer::self_signed(
            ca_params("originscan Lab Root CA"),
            KeyPair::generate()?,
        )?;
        let intermediate = CertifiedIssuer::signed_by(
            ca_params("originscan Lab Issuing CA"),
            KeyPair::generate()?,
            &root,
        )?;
        let rogue_root =
            CertifiedIssuer::self_signed(ca_params("Rogue Root CA"), KeyPair::generate()?)?;
        let rogue_intermediate = CertifiedIssuer::signed_by(
            ca_params("Rogue Issuing CA"),
            KeyPair::generate()?,
            &rogue_root,
        )?;
        let policy = CertifiedIssuer::signed_by(
            ca_params("originscan Lab Policy CA"),
            KeyPair::generate()?,
            &root,
        )?;
        let issuing2 = CertifiedIssuer::signed_by(
            ca_params("originscan Lab Issuing CA 2"),
            KeyPair::generate()?,
            &policy,
        )?;
        Ok(LabCa {
            root,
            intermediate,
            rogue_intermediate,
            policy,
            issuing2,
            ecdsa_key: KeyPair::generate()?,
            rsa_key: KeyPair::from_pem(RSA_LEAF_KEY)?,
            ed25519_key: KeyPair::generate_for(&rcgen::PKCS_ED25519)?,
        })
    }

    /// The trusted root, PEM (the scanner's `--ca-file`).
    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    /// The trusted root, DER: what in-process tests give a `TrustStore` or `CloudFrontTls`.
    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.der().clone()
    }

    /// Issues a leaf and returns the chain the server sends with its key.
    pub fn leaf(&self, spec: &LeafSpec) -> Result<ServedCert, LabError> {
        let mut params = CertificateParams::new(spec.names.clone())?;
        if let Some(cn) = spec.common_name.as_ref().or(spec.names.first()) {
            params
                .distinguished_name
                .push(DnType::CommonName, cn.as_str());
        }
        let now = OffsetDateTime::now_utc();
        params.not_before = now + spec.valid_from;
        params.not_after = now + spec.valid_until;
        params.is_ca = IsCa::ExplicitNoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.use_authority_key_identifier_extension = true;
        let key = match spec.key {
            LeafKey::Ecdsa => &self.ecdsa_key,
            LeafKey::Rsa => &self.rsa_key,
            LeafKey::Ed25519 => &self.ed25519_key,
        };
        let chain = match spec.chain {
            ChainShape::Complete => vec![
                params.signed_by(key, &self.intermediate)?.der().clone(),
                self.intermediate.der().clone(),
            ],
            ChainShape::LeafOnly => vec![params.signed_by(key, &self.intermediate)?.der().clone()],
            ChainShape::SelfSigned => {
                params.use_authority_key_identifier_extension = false;
                vec![params.self_signed(key)?.der().clone()]
            }
            ChainShape::Untrusted => vec![
                params
                    .signed_by(key, &self.rogue_intermediate)?
                    .der()
                    .clone(),
                self.rogue_intermediate.der().clone(),
            ],
            ChainShape::WrongOrder => vec![
                params.signed_by(key, &self.issuing2)?.der().clone(),
                self.policy.der().clone(),
                self.issuing2.der().clone(),
            ],
        };
        Ok(ServedCert {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        })
    }
}
