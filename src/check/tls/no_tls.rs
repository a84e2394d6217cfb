//! The findings for an origin that does not speak TLS where CloudFront expects it: one that
//! closes right after accepting, and one that answers the ClientHello with something else (plain
//! HTTP on the HTTPS port included). Both the rustls handshake's reading ([`super`]) and
//! CloudFront's hellos' ([`super::negotiation`]) end here.

use crate::finding::{Code, Finding};
use crate::probe::Observation;

/// HTTP_EARLY_CLOSE for an origin that closed (or, with `reset`, reset) the connection right
/// after accepting it.
pub(crate) fn early_close(at: &str, reset: bool) -> Finding {
    Finding::new(
        Code::HTTP_EARLY_CLOSE,
        format!(
            "{at} {} the connection right after accepting it, before any reply to the ClientHello",
            if reset { "reset" } else { "closed" }
        ),
    )
    .evidence("stage", "after accept")
    .evidence("reset", reset)
    .evidence("address", at)
}

/// TLS_NOT_TLS (and HTTP_PLAINTEXT_POLICY_MISMATCH for plain HTTP on the HTTPS port).
pub(crate) fn not_tls(observation: &Observation, at: &str, first_bytes: &[u8]) -> Vec<Finding> {
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
pub(crate) fn printable(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}
