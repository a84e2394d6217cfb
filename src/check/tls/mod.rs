//! TLS handshake findings: no TLS at all, a plain-HTTP speaker on the HTTPS port, an origin
//! that closes before answering, alerts, resets and stalls.

pub mod negotiation;

use crate::finding::{Code, Finding};
use crate::probe::tls::{TlsFailure, TlsOutcome};
use crate::probe::Observation;

/// Handshake findings: from CloudFront's own hellos when they ran, else from rustls; and
/// TLS_SNI_DEPENDENT.
pub fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings = handshake(observation);
    findings.extend(sni_dependent(observation));
    findings
}

/// TLS_SNI_DEPENDENT: the origin has a certificate for the name CloudFront checks, but serves it
/// only for another SNI than the one CloudFront sends.
fn sni_dependent(observation: &Observation) -> Option<Finding> {
    let name = observation.target.certificate_name();
    let sent = observation.target.sni_name().map(str::to_string);
    observation.sni_alternatives.iter().find_map(|alternative| {
        let leaf = alternative.chain.as_ref()?.first()?;
        let facts = crate::check::cert::facts::CertFacts::parse(leaf)?;
        facts.covers(&name).then(|| {
            let serving = alternative.sni.clone().unwrap_or_else(|| "(no SNI)".into());
            Finding::new(
                Code::TLS_SNI_DEPENDENT,
                format!(
                    "the origin has a certificate for {name}, but serves it for SNI {serving}; CloudFront sends SNI {} and gets another",
                    sent.clone().unwrap_or_else(|| "(none)".into())
                ),
            )
            .evidence("cloudfront_sni", sent.clone().unwrap_or_default())
            .evidence("serving_sni", serving)
            .evidence("names", serde_json::json!(facts.names()))
        })
    })
}

fn handshake(observation: &Observation) -> Vec<Finding> {
    if let Some(negotiation) = &observation.negotiation {
        return negotiation::check(observation, negotiation);
    }
    let Some(tls) = &observation.tls else {
        return Vec::new();
    };
    let TlsOutcome::Failed(failure) = &tls.outcome else {
        return Vec::new();
    };
    let at = tls.address.to_string();
    let finding = match failure {
        TlsFailure::ClosedBeforeReply => return vec![early_close(&at)],
        TlsFailure::NotTls { first_bytes } => return not_tls(observation, &at, first_bytes),
        TlsFailure::Alert { description, code } => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!("{at} ended the handshake with alert {description} ({code})"),
        )
        .evidence("alert", description.as_str())
        .evidence("alert_code", *code),
        TlsFailure::ClosedDuringHandshake => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!("{at} closed the connection during the handshake"),
        )
        .evidence("error", "closed during handshake"),
        TlsFailure::Reset => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!("{at} reset the connection during the handshake"),
        )
        .evidence("error", "connection reset"),
        TlsFailure::Timeout(limit) => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!(
                "{at} did not finish the handshake within {} s",
                limit.as_secs()
            ),
        )
        .evidence("error", "handshake timeout")
        .evidence("timeout_s", limit.as_secs()),
        TlsFailure::Protocol(error) => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!("the handshake with {at} failed: {error}"),
        )
        .evidence("error", error.as_str()),
    };
    let finding = match &tls.sni {
        Some(sni) => finding.evidence("sni", sni.as_str()),
        None => finding,
    };
    vec![finding.evidence("address", at)]
}

/// HTTP_EARLY_CLOSE for an origin that closed right after accepting the connection.
pub fn early_close(at: &str) -> Finding {
    Finding::new(
        Code::HTTP_EARLY_CLOSE,
        format!("{at} closed the connection right after accepting it, before any reply to the ClientHello"),
    )
    .evidence("stage", "after accept")
    .evidence("address", at)
}

/// TLS_NOT_TLS (and HTTP_PLAINTEXT_POLICY_MISMATCH for plain HTTP on the HTTPS port).
pub fn not_tls(observation: &Observation, at: &str, first_bytes: &[u8]) -> Vec<Finding> {
    let shown = printable(first_bytes);
    let mut findings = vec![Finding::new(
        Code::TLS_NOT_TLS,
        format!("{at} answered the ClientHello with something that is not TLS: {shown:?}"),
    )
    .evidence("first_bytes", shown.clone())
    .evidence("address", at)];
    if first_bytes.starts_with(b"HTTP/") && observation.target.policy.uses_https() {
        findings.push(
            Finding::new(
                Code::HTTP_PLAINTEXT_POLICY_MISMATCH,
                format!(
                    "the policy is {} but {at} speaks plain HTTP on the HTTPS port",
                    observation.target.policy.as_str()
                ),
            )
            .evidence("policy", observation.target.policy.as_str())
            .evidence("first_bytes", shown)
            .evidence("address", at),
        );
    }
    findings
}

/// Bytes as text for the evidence: printable ASCII kept, the rest escaped.
pub fn printable(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}
