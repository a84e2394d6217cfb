//! TLS findings from CloudFront's own hellos: no common protocol or suite, TLS 1.3 only, legacy
//! only, a client certificate demanded, an unsupported key or signature, a distribution whose
//! OriginSslProtocols leaves out what the origin speaks, and the failures of the handshake itself.

use serde_json::{json, Value};

use super::{early_close, not_tls};
use crate::cloudfront::alerts::{self, alert_name};
use crate::cloudfront::tls_profile::{is_documented_suite, suite_name, Profile, TlsVersion};
use crate::finding::{Code, Finding};
use crate::probe::diagnostic_hellos::{HelloPurpose, HelloReply, Negotiation};
use crate::probe::Observation;

fn version_name(wire: u16) -> String {
    TlsVersion::from_wire(wire)
        .map(|v| v.api_name().to_string())
        .unwrap_or_else(|| format!("0x{wire:04x}"))
}

/// What a reply was, in words (the `result` member of its evidence).
fn result_of(reply: &HelloReply) -> &'static str {
    match reply {
        HelloReply::Accepted { .. } => "accepted",
        HelloReply::Alert { .. } => "alert",
        HelloReply::ClosedBeforeReply => "closed before any reply",
        HelloReply::ClosedDuringHandshake => "closed during the handshake",
        HelloReply::Reset => "reset",
        HelloReply::NotTls { .. } => "not TLS",
        HelloReply::Timeout => "no reply in time",
        HelloReply::Malformed(_) => "malformed",
        HelloReply::NotConnected => "could not connect",
    }
}

fn describe(reply: &HelloReply) -> Value {
    let result = result_of(reply);
    match reply {
        HelloReply::Accepted {
            version,
            suite,
            chain,
            client_cert_requested,
        } => json!({
            "result": result,
            "version": version_name(*version),
            "suite": suite_name(*suite),
            "suite_code": format!("0x{suite:04X}"),
            "certificates": chain.len(),
            "client_certificate_requested": client_cert_requested,
        }),
        HelloReply::Alert { code } => {
            json!({"result": result, "alert": alert_name(*code), "alert_code": code})
        }
        HelloReply::ClosedBeforeReply => json!({"result": result}),
        HelloReply::ClosedDuringHandshake => json!({"result": result}),
        HelloReply::Reset => json!({"result": result}),
        HelloReply::NotTls { first_bytes } => {
            json!({"result": result, "first_bytes": first_bytes.escape_ascii().to_string()})
        }
        HelloReply::Timeout => json!({"result": result}),
        HelloReply::Malformed(reason) => json!({"result": result, "reason": reason}),
        HelloReply::NotConnected => json!({"result": result}),
    }
}

/// The evidence every negotiation finding carries.
fn with_context(finding: Finding, negotiation: &Negotiation) -> Finding {
    let attempts: Vec<Value> = negotiation
        .attempts
        .iter()
        .map(|a| json!({"hello": a.purpose.as_str(), "offered_up_to": a.offered.api_name(), "reply": describe(&a.reply)}))
        .collect();
    finding
        .evidence("profile", negotiation.profile.as_str())
        .evidence(
            "allowed_protocols",
            negotiation
                .allowed
                .iter()
                .map(|v| v.api_name())
                .collect::<Vec<_>>(),
        )
        .evidence("allowed_protocols_assumed", negotiation.allowed_assumed)
        .evidence("hellos", attempts)
        .evidence("address", negotiation.address.to_string())
}

/// Whether CloudFront accepts a negotiated version under the distribution's settings.
fn acceptable(negotiation: &Negotiation, version: TlsVersion) -> bool {
    match negotiation.profile {
        // 2025: CloudFront offers up to TLS 1.3; the allowed list sets the minimum.
        Profile::Y2025 => negotiation
            .allowed
            .iter()
            .min()
            .is_some_and(|min| version >= *min),
        Profile::Legacy => negotiation.allowed.contains(&version),
    }
}

/// Findings from the negotiation.
pub fn check(observation: &Observation, negotiation: &Negotiation) -> Vec<Finding> {
    let Some(first) = negotiation.first() else {
        return Vec::new();
    };
    let at = negotiation.address.to_string();
    let finding = match first {
        HelloReply::NotTls { first_bytes } => return not_tls(observation, &at, first_bytes),
        // Closed without a word: an offer refused silently if the wider offer is accepted,
        // else an origin that closes every connection.
        HelloReply::ClosedBeforeReply => match negotiation.reply_to(HelloPurpose::Diagnostic) {
            Some(HelloReply::Accepted { .. }) => refused(negotiation, &at, 0),
            _ => return vec![early_close(&at)],
        },
        HelloReply::Alert {
            code: alerts::PROTOCOL_VERSION,
        } => protocol_refused(negotiation, &at),
        HelloReply::Alert { code } if alerts::is_refusal(*code) => refused(negotiation, &at, *code),
        HelloReply::Alert { code } => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!(
                "{at} answered CloudFront's ClientHello with alert {} ({code})",
                alert_name(*code)
            ),
        )
        .evidence("alert", alert_name(*code))
        .evidence("alert_code", *code),
        HelloReply::Accepted {
            version,
            suite,
            client_cert_requested,
            ..
        } => return accepted(negotiation, &at, *version, *suite, *client_cert_requested),
        other => {
            let what = match other {
                HelloReply::Malformed(reason) => format!("malformed ({reason})"),
                other => result_of(other).to_string(),
            };
            Finding::new(
                Code::TLS_HANDSHAKE_FAILED,
                format!("CloudFront's handshake with {at} failed: {what}"),
            )
        }
    };
    vec![with_context(finding, negotiation)]
}

fn protocol_refused(negotiation: &Negotiation, at: &str) -> Finding {
    let allowed: Vec<&str> = negotiation.allowed.iter().map(|v| v.api_name()).collect();
    if let Some(HelloReply::Accepted { .. }) = negotiation.reply_to(HelloPurpose::Tls13) {
        return with_context(
            Finding::new(
                Code::TLS_TLS13_ONLY,
                format!("{at} accepts only TLS 1.3: it relies on CloudFront's newer origin TLS 1.3 support, which OriginSslProtocols does not show"),
            ),
            negotiation,
        );
    }
    if let Some(HelloReply::Accepted { version, .. }) = negotiation.reply_to(HelloPurpose::Tls12) {
        return with_context(
            Finding::new(
                Code::CF_SSL_PROTOCOLS_TOO_NARROW,
                format!(
                    "{at} speaks {} but the distribution allows only {}",
                    version_name(*version),
                    allowed.join(", ")
                ),
            ),
            negotiation,
        );
    }
    let refused_13 = if negotiation.profile == Profile::Y2025 {
        ", nor TLSv1.3"
    } else {
        ""
    };
    with_context(
        Finding::new(
            Code::TLS_NO_COMMON_PROTOCOL,
            format!(
                "{at} refuses every protocol version CloudFront offers it ({}{refused_13})",
                allowed.join(", ")
            ),
        ),
        negotiation,
    )
}

/// How the origin refused: the alert's name, or that it just closed (`code` 0).
fn refusal(code: u8) -> &'static str {
    if code == 0 {
        "none: the connection was closed"
    } else {
        alert_name(code)
    }
}

/// `code` is the alert that refused CloudFront's offer, or 0 when the origin just closed.
fn refused(negotiation: &Negotiation, at: &str, code: u8) -> Finding {
    let finding = match negotiation.reply_to(HelloPurpose::Diagnostic) {
        Some(HelloReply::Accepted { suite, .. })
            if negotiation.profile.cipher_suites().contains(suite) =>
        {
            Finding::new(
                Code::TLS_UNSUPPORTED_SIGNATURE,
                format!(
                    "{at} refuses CloudFront's offer ({}), yet accepts CloudFront's suite {} when also offered Ed25519/Ed448, RSA-PSS or P-521: its key or signature is one the {} profile does not offer",
                    refusal(code),
                    suite_name(*suite),
                    negotiation.profile.as_str()
                ),
            )
        }
        Some(HelloReply::Accepted { suite, .. }) => Finding::new(
            Code::TLS_NO_COMMON_CIPHER,
            format!(
                "{at} accepts none of CloudFront's cipher suites; offered more, it chose {} (0x{suite:04X})",
                suite_name(*suite)
            ),
        ),
        _ => Finding::new(
            Code::TLS_HANDSHAKE_FAILED,
            format!("{at} refuses CloudFront's ClientHello with alert {} ({code}), and a wider offer too", refusal(code)),
        ),
    };
    with_context(finding.evidence("alert", refusal(code)), negotiation)
}

fn accepted(
    negotiation: &Negotiation,
    at: &str,
    wire: u16,
    suite: u16,
    client_cert: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if client_cert {
        findings.push(with_context(
            Finding::new(
                Code::TLS_CLIENT_CERT_REQUIRED,
                format!("{at} asks CloudFront for a client certificate; without origin mTLS the handshake fails"),
            ),
            negotiation,
        ));
    }
    let Some(version) = TlsVersion::from_wire(wire) else {
        findings.push(with_context(
            Finding::new(
                Code::TLS_HANDSHAKE_FAILED,
                format!("{at} chose an unknown version 0x{wire:04x}"),
            ),
            negotiation,
        ));
        return findings;
    };
    if !acceptable(negotiation, version) {
        let allowed: Vec<&str> = negotiation.allowed.iter().map(|v| v.api_name()).collect();
        findings.push(with_context(
            Finding::new(
                Code::CF_SSL_PROTOCOLS_TOO_NARROW,
                format!(
                    "{at} speaks at most {} but the distribution allows only {}",
                    version.api_name(),
                    allowed.join(", ")
                ),
            ),
            negotiation,
        ));
    } else if version < TlsVersion::Tls12 {
        findings.push(with_context(
            Finding::new(
                Code::TLS_LEGACY_ONLY,
                format!(
                    "{at} speaks at most {}: it works only because the distribution allows it; the console's default (TLSv1.2) would fail",
                    version.api_name()
                ),
            ),
            negotiation,
        ));
    } else if crate::cloudfront::tls_profile::WEAK_SUITES.contains(&suite)
        && !matches!(
            negotiation.reply_to(HelloPurpose::WithoutWeakSuites),
            Some(HelloReply::Accepted { .. })
        )
    {
        findings.push(with_context(
            Finding::new(
                Code::TLS_LEGACY_ONLY,
                format!(
                    "{at} accepts only {} of CloudFront's suites",
                    suite_name(suite)
                ),
            ),
            negotiation,
        ));
    }
    if !is_documented_suite(suite) && !findings.is_empty() {
        // Static-RSA suites s2n offers but AWS's ciphers page does not list.
        let last = findings.len() - 1;
        findings[last] = findings[last].clone().evidence(
            "note",
            format!(
                "{} works in practice but is not on AWS's documented list",
                suite_name(suite)
            ),
        );
    }
    findings
}
