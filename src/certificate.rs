//! What a certificate says, parsed once from its DER with x509-parser: validity, names, issuer
//! links, key and signature algorithm. Shared by the certificate checks and by the probe, which
//! asks other SNIs only when the leaf does not cover the name CloudFront checks. Names are
//! compared as raw DER so that no string normalisation can make two different names look equal.

use std::net::IpAddr;

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Signature algorithms with SHA-1 or MD5: sha1WithRSAEncryption, md5WithRSAEncryption,
/// md2WithRSAEncryption, ecdsa-with-SHA1, the obsolete OIW sha1WithRSA, dsa-with-sha1.
const WEAK_SIGNATURE_OIDS: &[&str] = &[
    "1.2.840.113549.1.1.5",
    "1.2.840.113549.1.1.4",
    "1.2.840.113549.1.1.2",
    "1.2.840.10045.4.1",
    "1.3.14.3.2.29",
    "1.2.840.10040.4.3",
];

/// What one certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertFacts {
    /// Subject name, raw DER contents (without the outer SEQUENCE header).
    pub subject: Vec<u8>,
    /// Issuer name, raw DER contents.
    pub issuer: Vec<u8>,
    /// The subject as x509-parser prints it (`C=US, O=..., CN=...`, in the certificate's
    /// order), for the evidence.
    pub subject_text: String,
    /// The issuer, printed the same way.
    pub issuer_text: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// DNS names in the SAN extension, lower-case.
    pub dns_names: Vec<String>,
    /// IP addresses in the SAN extension.
    pub ip_addresses: Vec<IpAddr>,
    /// The subject's CN values, lower-case (those that are not strings are left out).
    pub common_names: Vec<String>,
    /// Whether basicConstraints says CA (false without the extension).
    pub is_ca: bool,
    /// Public key algorithm, e.g. `RSA`, `EC`.
    pub key_algorithm: &'static str,
    /// Public key size in bits (RSA modulus, EC field).
    pub key_bits: usize,
    /// Signed with SHA-1 or MD5.
    pub weak_signature: bool,
    /// The signature algorithm's name or OID.
    pub signature_algorithm: String,
}

impl CertFacts {
    /// Parses a DER certificate; `None` if it is not one.
    pub(crate) fn parse(der: &[u8]) -> Option<CertFacts> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => dns_names.push(dns.to_ascii_lowercase()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            ip_addresses.push(ip);
                        }
                    }
                    _ => {}
                }
            }
        }
        let common_names = cert
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .map(str::to_ascii_lowercase)
            .collect();
        let (key_algorithm, key_bits) = match cert.public_key().parsed() {
            Ok(PublicKey::RSA(rsa)) => ("RSA", rsa.key_size()),
            Ok(PublicKey::EC(ec)) => ("EC", ec.key_size()),
            Ok(PublicKey::DSA(y)) => ("DSA", y.len() * 8),
            Ok(_) | Err(_) => ("other", 0),
        };
        let sig_oid = &cert.signature_algorithm.algorithm;
        let weak_signature = WEAK_SIGNATURE_OIDS.contains(&sig_oid.to_id_string().as_str());
        let signature_algorithm =
            x509_parser::objects::oid2sn(sig_oid, x509_parser::objects::oid_registry())
                .map(str::to_string)
                .unwrap_or_else(|_| sig_oid.to_id_string());
        Some(CertFacts {
            subject: der_contents(cert.subject().as_raw()).to_vec(),
            issuer: der_contents(cert.issuer().as_raw()).to_vec(),
            subject_text: cert.subject().to_string(),
            issuer_text: cert.issuer().to_string(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            dns_names,
            ip_addresses,
            common_names,
            is_ca: cert.is_ca(),
            key_algorithm,
            key_bits,
            weak_signature,
            signature_algorithm,
        })
    }

    /// Whether subject and issuer are the same name.
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Whether `issuer` is the certificate that issued this one (by name).
    pub(crate) fn is_issued_by(&self, issuer: &CertFacts) -> bool {
        self.issuer == issuer.subject
    }

    /// Whether the certificate covers `name` (a DNS name or IP literal) as s2n-tls (CloudFront)
    /// decides: a SAN DNS name, or the subject CN only when there is no DNS SAN. Wildcards cover
    /// exactly one leftmost label.
    pub(crate) fn covers(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Ok(ip) = name.parse::<IpAddr>() {
            // s2n never takes a CN as an IP address.
            return self.ip_addresses.contains(&ip);
        }
        // s2n's rule (s2n_verify_host_information, RFC 6125 section 6.4.4): the SAN's DNS names
        // when there is one; the subject CN only when the certificate has no DNS SAN at all.
        let patterns = if self.dns_names.is_empty() {
            &self.common_names
        } else {
            &self.dns_names
        };
        patterns
            .iter()
            .filter(|pattern| pattern.parse::<IpAddr>().is_err())
            .any(|pattern| name_matches(pattern, &name))
    }

    /// Every name the certificate carries (SAN DNS names, SAN IPs, then CNs).
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.dns_names.clone();
        names.extend(self.ip_addresses.iter().map(|ip| ip.to_string()));
        for cn in &self.common_names {
            if !names.contains(cn) {
                names.push(cn.clone());
            }
        }
        names
    }
}

/// Whether a certificate name pattern (possibly `*.x.y`) matches a host name.
pub(crate) fn name_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(suffix) => match name.split_once('.') {
            Some((first, rest)) => !first.is_empty() && rest == suffix && suffix.contains('.'),
            None => false,
        },
        None => pattern == name,
    }
}

/// The contents of a DER TLV (skips the tag and length); the input itself if it is not one.
pub(crate) fn der_contents(raw: &[u8]) -> &[u8] {
    let Some(&first_len) = raw.get(1) else {
        return raw;
    };
    let (header, len) = if first_len < 0x80 {
        (2, first_len as usize)
    } else {
        let count = (first_len & 0x7f) as usize;
        if count == 0 || count > 4 || raw.len() < 2 + count {
            return raw;
        }
        let len = raw[2..2 + count]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (2 + count, len)
    };
    raw.get(header..header + len).unwrap_or(raw)
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_leftmost_label() {
        assert!(name_matches("*.example.com", "a.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(name_matches("www.example.com", "www.example.com"));
        assert!(!name_matches("www.example.com", "api.example.com"));
    }

    #[test]
    fn der_contents_skips_short_and_long_headers() {
        assert_eq!(der_contents(&[0x30, 0x02, 0xaa, 0xbb]), &[0xaa, 0xbb]);
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        assert_eq!(der_contents(&long).len(), 0x80);
        assert_eq!(der_contents(&[0x30]), &[0x30]);
    }

    #[test]
    fn parses_names_and_validity_from_a_generated_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["a.example.test".into(), "*.w.example.test".into()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "cn.example.test");
        let cert = params.self_signed(&key).unwrap();
        let facts = CertFacts::parse(cert.der()).unwrap();
        assert!(facts.is_self_issued());
        assert!(facts.covers("a.example.test"));
        assert!(facts.covers("x.w.example.test"));
        // With DNS names in the SAN, s2n does not look at the CN (RFC 6125 section 6.4.4).
        assert!(!facts.covers("cn.example.test"));
        assert!(!facts.covers("b.example.test"));
        assert_eq!(facts.key_algorithm, "EC");
        assert!(facts.not_after > facts.not_before);
        assert!(CertFacts::parse(b"not a certificate").is_none());
    }

    #[test]
    fn the_cn_counts_only_without_a_dns_san_and_never_as_an_ip() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "origin.example.test");
        let facts = CertFacts::parse(params.self_signed(&key).unwrap().der()).unwrap();
        assert!(facts.covers("origin.example.test"));
        assert!(!facts.covers("other.example.test"));

        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "192.0.2.7");
        let facts = CertFacts::parse(params.self_signed(&key).unwrap().der()).unwrap();
        assert!(!facts.covers("192.0.2.7"));
    }
}
