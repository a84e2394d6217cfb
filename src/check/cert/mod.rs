//! Certificate findings, judged on the chain exactly as the origin sent it, as CloudFront does:
//! no reordering, no fetching of missing intermediates (no AIA).
//!
//! Facts come from x509-parser (validity, names, issuer links); webpki's verdict over the same
//! roots is consulted for what the facts do not explain (bad signatures, wrong key usage), and
//! matched by error variant, never by text.

pub(crate) mod signature_memo;
pub mod trust;

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, Error as TlsError};
use serde_json::json;

use crate::certificate::CertFacts;
use crate::check::CheckContext;
use crate::finding::{Code, Finding, Severity};
use crate::probe::tls::TlsOutcome;
use crate::probe::Observation;

const DAY: i64 = 86_400;

/// RSA keys above this size are a risk (inferred for origins: docs/CLOUDFRONT.md).
pub const MAX_RSA_BITS: usize = 4096;

/// Certificate findings for the chain the origin sent: from the rustls handshake, or, when only
/// CloudFront's own handshake got that far (TLS 1.0/1.1, suites rustls lacks), from its
/// Certificate message.
pub fn check(observation: &Observation, context: &CheckContext) -> Vec<Finding> {
    let name = observation.target.certificate_name();
    // With the viewer's Host forwarded, CloudFront validates the certificate against each alias
    // (CF_HOST_FORWARD_ALIAS_MISMATCH), not against the origin domain.
    let forwarded = observation.target.host_forwarding == crate::target::HostForwarding::Forwarded
        && !observation.target.aliases.is_empty()
        && observation.target.host_header.is_none();
    let keep = |findings: Vec<Finding>| -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| !(forwarded && f.code == Code::CERT_NAME_MISMATCH))
            .collect()
    };
    if let Some(TlsOutcome::Established { chain, .. }) =
        observation.tls.as_ref().map(|t| &t.outcome)
    {
        return keep(check_chain(chain, &name, context));
    }
    match observation.negotiation.as_ref().and_then(|n| n.chain()) {
        Some(chain) => {
            let chain: Vec<CertificateDer<'static>> = chain
                .iter()
                .map(|der| CertificateDer::from(der.clone()))
                .collect();
            keep(check_chain(&chain, &name, context))
                .into_iter()
                .map(|f| {
                    f.evidence(
                        "chain_from",
                        "CloudFront's handshake (the rustls handshake failed)",
                    )
                })
                .collect()
        }
        None => Vec::new(),
    }
}

/// The earliest `notAfter` (seconds since the epoch) among the certificates the origin sent,
/// from the same chain [`check`] judges: the rustls handshake's, else CloudFront's handshake's
/// Certificate message. `None` when no certificate was seen or none parses. What
/// blackbox_exporter's `probe_ssl_earliest_cert_expiry` reports for a probe.
pub(crate) fn earliest_expiry(observation: &Observation) -> Option<i64> {
    let not_after = |der: &[u8]| {
        x509_parser::parse_x509_certificate(der)
            .ok()
            .map(|(_, cert)| cert.validity().not_after.timestamp())
    };
    if let Some(TlsOutcome::Established { chain, .. }) =
        observation.tls.as_ref().map(|t| &t.outcome)
    {
        return chain.iter().filter_map(|der| not_after(der)).min();
    }
    observation
        .negotiation
        .as_ref()
        .and_then(|n| n.chain())
        .and_then(|chain| chain.iter().filter_map(|der| not_after(der)).min())
}

/// Certificate findings for a chain as sent, for a connection to `name`.
pub fn check_chain(
    chain: &[CertificateDer<'static>],
    name: &str,
    context: &CheckContext,
) -> Vec<Finding> {
    if chain.is_empty() {
        return vec![Finding::new(
            Code::CERT_INVALID,
            "the origin sent no certificate",
        )];
    }
    let mut facts = Vec::with_capacity(chain.len());
    for (index, der) in chain.iter().enumerate() {
        match CertFacts::parse(der) {
            Some(f) => facts.push(f),
            None => {
                return vec![Finding::new(
                    Code::CERT_INVALID,
                    format!("certificate {index} of the chain cannot be parsed"),
                )
                .evidence("index", index)]
            }
        }
    }
    let mut findings = validity(&facts, context);
    let leaf = &facts[0];
    let self_signed = leaf.is_self_issued();
    if self_signed {
        findings.push(
            Finding::new(
                Code::CERT_SELF_SIGNED,
                format!("the certificate is self-signed ({})", leaf.subject_text),
            )
            .evidence("subject", leaf.subject_text.as_str()),
        );
    } else {
        findings.extend(chain_order(&facts));
        findings.extend(anchoring(&facts, context));
    }
    if !leaf.covers(name) {
        findings.push(
            Finding::new(
                Code::CERT_NAME_MISMATCH,
                format!("no name in the certificate matches {name}"),
            )
            .evidence("expected", name)
            .evidence("names", json!(leaf.names())),
        );
    }
    findings.extend(key_and_signature(&facts));
    findings.extend(unexplained_webpki_error(chain, name, context, &findings));
    findings
}

fn describe(facts: &CertFacts, index: usize) -> serde_json::Value {
    json!({
        "index": index,
        "subject": facts.subject_text,
        "issuer": facts.issuer_text,
        "not_before": rfc3339(facts.not_before),
        "not_after": rfc3339(facts.not_after),
    })
}

fn validity(facts: &[CertFacts], context: &CheckContext) -> Vec<Finding> {
    let now = context.now;
    let mut findings = Vec::new();
    let mut soonest: Option<(usize, i64)> = None;
    for (index, cert) in facts.iter().enumerate() {
        let role = if index == 0 {
            "the certificate"
        } else {
            "a chain certificate"
        };
        if now > cert.not_after {
            findings.push(
                Finding::new(
                    Code::CERT_EXPIRED,
                    format!(
                        "{role} ({}) expired on {}",
                        cert.subject_text,
                        rfc3339(cert.not_after)
                    ),
                )
                .evidence("certificate", describe(cert, index))
                .evidence("days_ago", (now - cert.not_after) / DAY),
            );
        } else if now < cert.not_before {
            findings.push(
                Finding::new(
                    Code::CERT_NOT_YET_VALID,
                    format!(
                        "{role} ({}) is not valid before {}",
                        cert.subject_text,
                        rfc3339(cert.not_before)
                    ),
                )
                .evidence("certificate", describe(cert, index)),
            );
        } else if soonest.is_none_or(|(_, at)| cert.not_after < at) {
            soonest = Some((index, cert.not_after));
        }
    }
    if let Some((index, not_after)) = soonest {
        let days_left = (not_after - now) / DAY;
        let horizon = context
            .expiry_warn_days
            .iter()
            .position(|days| not_after - now <= i64::from(*days) * DAY);
        if let Some(position) = horizon {
            let severity = if position == 0 {
                Severity::High
            } else {
                Severity::Medium
            };
            let cert = &facts[index];
            findings.push(
                Finding::new(
                    Code::CERT_EXPIRES_SOON,
                    format!(
                        "{} expires in {days_left} days ({})",
                        cert.subject_text,
                        rfc3339(not_after)
                    ),
                )
                .severity(severity)
                .evidence("certificate", describe(cert, index))
                .evidence("days_left", days_left)
                .evidence("horizon_days", context.expiry_warn_days[position]),
            );
        }
    }
    findings
}

/// The chain must go leaf, then its issuer, and so on up.
fn chain_order(facts: &[CertFacts]) -> Option<Finding> {
    let broken = facts
        .windows(2)
        .position(|pair| !pair[0].is_issued_by(&pair[1]))?;
    // A chain whose only out-of-place certificate is unrelated junk is still out of order:
    // CloudFront reads the chain as sent.
    let sent: Vec<String> = facts.iter().map(|f| f.subject_text.clone()).collect();
    Some(
        Finding::new(
            Code::CERT_CHAIN_ORDER,
            format!(
                "certificate {} ({}) is not followed by its issuer ({})",
                broken, facts[broken].subject_text, facts[broken].issuer_text
            ),
        )
        .evidence("sent_order", json!(sent))
        .evidence("position", broken),
    )
}

/// Does the chain, built from the certificates sent (in any order), reach a trusted root?
fn anchoring(facts: &[CertFacts], context: &CheckContext) -> Option<Finding> {
    let mut path = vec![0usize];
    loop {
        let current = &facts[*path.last()?];
        if current.is_self_issued() && path.len() > 1 {
            break;
        }
        let next = (0..facts.len()).find(|i| !path.contains(i) && current.is_issued_by(&facts[*i]));
        match next {
            Some(i) => path.push(i),
            None => break,
        }
    }
    let top = &facts[*path.last()?];
    let path_subjects: Vec<String> = path
        .iter()
        .map(|i| facts[*i].subject_text.clone())
        .collect();
    if top.is_self_issued() {
        if context.trust.has_anchor_named(&top.subject) {
            return None;
        }
        return Some(
            Finding::new(
                Code::CERT_UNTRUSTED_ROOT,
                format!(
                    "the chain ends at {}, a root that is not trusted",
                    top.subject_text
                ),
            )
            .evidence("root", top.subject_text.as_str())
            .evidence("path", json!(path_subjects)),
        );
    }
    if context.trust.has_anchor_named(&top.issuer) {
        return None;
    }
    if path.len() == 1 {
        return Some(
            Finding::new(
                Code::CERT_INCOMPLETE_CHAIN,
                format!(
                    "the origin sends only its certificate; the intermediate {} is missing",
                    top.issuer_text
                ),
            )
            .evidence("missing_issuer", top.issuer_text.as_str())
            .evidence("sent", facts.len()),
        );
    }
    Some(
        Finding::new(
            Code::CERT_UNTRUSTED_ROOT,
            format!(
                "the chain ends at {}, issued by {}, which is not a trusted root",
                top.subject_text, top.issuer_text
            ),
        )
        .evidence("issuer", top.issuer_text.as_str())
        .evidence("path", json!(path_subjects)),
    )
}

fn key_and_signature(facts: &[CertFacts]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let leaf = &facts[0];
    if leaf.key_algorithm == "RSA" && leaf.key_bits > MAX_RSA_BITS {
        findings.push(
            Finding::new(
                Code::CERT_KEY_TOO_LARGE,
                format!(
                    "the certificate has a {}-bit RSA key (over {MAX_RSA_BITS})",
                    leaf.key_bits
                ),
            )
            .evidence("key_bits", leaf.key_bits),
        );
    }
    if let Some((index, weak)) = facts
        .iter()
        .enumerate()
        .find(|(_, f)| f.weak_signature && !f.is_self_issued())
    {
        findings.push(
            Finding::new(
                Code::CERT_WEAK_SIGNATURE,
                format!(
                    "{} is signed with {}",
                    weak.subject_text, weak.signature_algorithm
                ),
            )
            .evidence("index", index)
            .evidence("signature_algorithm", weak.signature_algorithm.as_str()),
        );
    }
    findings
}

/// Consults webpki; reports only refusals that the findings so far do not already explain.
fn unexplained_webpki_error(
    chain: &[CertificateDer<'static>],
    name: &str,
    context: &CheckContext,
    findings: &[Finding],
) -> Option<Finding> {
    let server_name = ServerName::try_from(name.to_string()).ok()?;
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(context.now).unwrap_or(0),
    ));
    let error = context
        .trust
        .verify_chain(&chain[0], &chain[1..], &server_name, now)
        .err()?;
    let has = |codes: &[Code]| findings.iter().any(|f| codes.contains(&f.code));
    let certificate_error = match &error {
        TlsError::InvalidCertificate(e) => e,
        other => {
            return Some(
                Finding::new(Code::CERT_INVALID, "the certificate chain is refused")
                    .evidence("webpki", format!("{other:?}")),
            )
        }
    };
    let explained = match certificate_error {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            has(&[Code::CERT_EXPIRED])
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            has(&[Code::CERT_NOT_YET_VALID])
        }
        CertificateError::UnknownIssuer => has(&[
            Code::CERT_SELF_SIGNED,
            Code::CERT_UNTRUSTED_ROOT,
            Code::CERT_INCOMPLETE_CHAIN,
        ]),
        // CloudFront also accepts a match on the subject CN, which webpki does not.
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => true,
        _ => false,
    };
    if explained {
        return None;
    }
    let code = match certificate_error {
        CertificateError::UnknownIssuer => Code::CERT_UNTRUSTED_ROOT,
        _ => Code::CERT_INVALID,
    };
    Some(
        Finding::new(
            code,
            format!("webpki refuses the chain: {certificate_error:?}"),
        )
        .evidence("webpki", format!("{certificate_error:?}")),
    )
}

/// Seconds since the epoch as an RFC 3339 UTC timestamp.
pub fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| seconds.to_string())
}

#[cfg(all(test, feature = "lab"))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::check::cert::trust::TrustStore;
    use crate::lab::ca::{ChainShape, LabCa, LeafKey, LeafSpec};

    fn context(ca: &LabCa) -> CheckContext {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        CheckContext {
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            expiry_warn_days: vec![7, 30],
            trust: TrustStore::new(provider, vec![ca.root_der()]).unwrap(),
        }
    }

    fn codes(ca: &LabCa, spec: LeafSpec, name: &str) -> Vec<Code> {
        let served = ca.leaf(&spec).unwrap();
        let mut codes: Vec<Code> = check_chain(&served.chain, name, &context(ca))
            .iter()
            .map(|f| f.code)
            .collect();
        codes.sort();
        codes
    }

    fn spec(chain: ChainShape, from_days: i64, until_days: i64) -> LeafSpec {
        LeafSpec {
            names: vec!["origin.lab.test".into()],
            common_name: None,
            valid_from: time::Duration::days(from_days),
            valid_until: time::Duration::days(until_days),
            key: LeafKey::Ecdsa,
            chain,
        }
    }

    #[test]
    fn healthy_chains_have_no_findings() {
        let ca = LabCa::generate().unwrap();
        assert_eq!(
            codes(&ca, spec(ChainShape::Complete, -1, 365), "origin.lab.test"),
            vec![]
        );
        let rsa = LeafSpec {
            key: LeafKey::Rsa,
            ..spec(ChainShape::Complete, -1, 365)
        };
        assert_eq!(codes(&ca, rsa, "origin.lab.test"), vec![]);
        let wildcard = LeafSpec {
            names: vec!["*.lab.test".into()],
            ..spec(ChainShape::Complete, -1, 365)
        };
        assert_eq!(codes(&ca, wildcard.clone(), "origin.lab.test"), vec![]);
        assert_eq!(
            codes(&ca, wildcard, "a.origin.lab.test"),
            vec![Code::CERT_NAME_MISMATCH]
        );
    }

    #[test]
    fn each_chain_pathology_has_its_code() {
        let ca = LabCa::generate().unwrap();
        let name = "origin.lab.test";
        assert_eq!(
            codes(&ca, spec(ChainShape::Complete, -400, -1), name),
            vec![Code::CERT_EXPIRED]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::Complete, 1, 400), name),
            vec![Code::CERT_NOT_YET_VALID]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::SelfSigned, -1, 365), name),
            vec![Code::CERT_SELF_SIGNED]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::Untrusted, -1, 365), name),
            vec![Code::CERT_UNTRUSTED_ROOT]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::LeafOnly, -1, 365), name),
            vec![Code::CERT_INCOMPLETE_CHAIN]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::WrongOrder, -1, 365), name),
            vec![Code::CERT_CHAIN_ORDER]
        );
        assert_eq!(
            codes(&ca, spec(ChainShape::Complete, -1, 365), "other.lab.test"),
            vec![Code::CERT_NAME_MISMATCH]
        );
        // Two problems at once are both reported.
        assert_eq!(
            codes(&ca, spec(ChainShape::LeafOnly, -400, -1), "other.lab.test"),
            vec![
                Code::CERT_EXPIRED,
                Code::CERT_INCOMPLETE_CHAIN,
                Code::CERT_NAME_MISMATCH
            ]
        );
    }

    #[test]
    fn expiry_horizons_pick_the_severity() {
        let ca = LabCa::generate().unwrap();
        let context = context(&ca);
        let severity_for = |days: i64| {
            let served = ca.leaf(&spec(ChainShape::Complete, -1, days)).unwrap();
            check_chain(&served.chain, "origin.lab.test", &context)
                .iter()
                .find(|f| f.code == Code::CERT_EXPIRES_SOON)
                .map(|f| f.severity)
        };
        assert_eq!(severity_for(3), Some(Severity::High));
        assert_eq!(severity_for(20), Some(Severity::Medium));
        assert_eq!(severity_for(60), None);
    }

    fn fixture(name: &str) -> CertificateDer<'static> {
        use rustls::pki_types::pem::PemObject;
        let path = format!("{}/fixtures/certs/{name}", env!("CARGO_MANIFEST_DIR"));
        CertificateDer::from_pem_file(&path).unwrap()
    }

    #[test]
    fn weak_signatures_and_large_keys_are_found() {
        // Made by scripts/make-cert-fixtures.sh (openssl): a SHA-1 leaf and an RSA 8192 leaf,
        // both from a CA outside the trusted roots.
        let ca = LabCa::generate().unwrap();
        let context = context(&ca);
        let codes_of = |leaf: &str, name: &str| -> Vec<Code> {
            check_chain(&[fixture(leaf), fixture("sha1-ca.pem")], name, &context)
                .iter()
                .map(|f| f.code)
                .collect()
        };
        let sha1 = codes_of("sha1-leaf.pem", "sha1.fixture.test");
        assert!(sha1.contains(&Code::CERT_WEAK_SIGNATURE), "{sha1:?}");
        assert!(!sha1.contains(&Code::CERT_KEY_TOO_LARGE));
        let big = codes_of("rsa8192-leaf.pem", "rsa8192.fixture.test");
        assert!(big.contains(&Code::CERT_KEY_TOO_LARGE), "{big:?}");
        assert!(!big.contains(&Code::CERT_WEAK_SIGNATURE));
        // A healthy lab chain has neither.
        let served = ca.leaf(&spec(ChainShape::Complete, -1, 365)).unwrap();
        let healthy = check_chain(&served.chain, "origin.lab.test", &context);
        assert!(healthy.is_empty(), "{healthy:?}");
    }

    #[test]
    fn an_empty_or_garbage_chain_is_invalid() {
        let ca = LabCa::generate().unwrap();
        let context = context(&ca);
        assert_eq!(
            check_chain(&[], "a.test", &context)[0].code,
            Code::CERT_INVALID
        );
        let garbage = vec![CertificateDer::from(vec![0x30, 0x03, 0x01, 0x02, 0x03])];
        assert_eq!(
            check_chain(&garbage, "a.test", &context)[0].code,
            Code::CERT_INVALID
        );
    }
}
