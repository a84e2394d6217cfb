//! CloudFront's own handshake (s2n-tls) has the last word over the diagnosis.
//!
//! - **s2n connected**: CloudFront reaches the origin, so no finding may say it cannot. The
//!   diagnosis (rustls, webpki, CloudFront's hand-built hellos) is stricter in places (SHA-1
//!   signatures, suites it does not speak): its findings that contradict a completed handshake are
//!   dropped. Kept: the chain-order rule, which CloudFront enforces on top of s2n; risks that do
//!   not stop this connection (expiry soon, legacy-only, TLS 1.3-only, other SNIs, aliases); and a
//!   client certificate request, which under TLS 1.3 fails on the first read, after the handshake.
//! - **s2n failed**: CloudFront answers 502, so the origin gets a critical finding whatever the
//!   diagnosis found: the diagnosis's own when it has one (it says why), else one made from
//!   s2n's result: TLS_HANDSHAKE_STALLED for an origin that sent its ServerHello and then nothing,
//!   TLS_MESSAGE_TOO_LARGE for a handshake message over s2n's 64 KiB limit, TLS_HANDSHAKE_FAILED
//!   otherwise. That finding says the HTTP checks did not run, and what s2n said.

use serde_json::json;

use crate::cloudfront::alerts::alert_name;
use crate::finding::{Code, Finding, Severity};
use crate::probe::cloudfront_tls::{CloudFrontHandshake, Received, S2N_MAX_MESSAGE};
use crate::probe::Observation;

/// Findings that say CloudFront's handshake cannot complete.
const CONTRADICT_A_HANDSHAKE: &[Code] = &[
    Code::TLS_NO_COMMON_PROTOCOL,
    Code::TLS_NO_COMMON_CIPHER,
    Code::TLS_HANDSHAKE_FAILED,
    Code::TLS_NOT_TLS,
    Code::TLS_UNSUPPORTED_SIGNATURE,
    Code::CF_SSL_PROTOCOLS_TOO_NARROW,
    Code::CERT_EXPIRED,
    Code::CERT_NOT_YET_VALID,
    Code::CERT_SELF_SIGNED,
    Code::CERT_UNTRUSTED_ROOT,
    Code::CERT_INCOMPLETE_CHAIN,
    Code::CERT_NAME_MISMATCH,
    Code::CERT_INVALID,
];

/// Applies s2n's verdict to the diagnosis's findings.
pub(crate) fn apply(observation: &Observation, findings: &mut Vec<Finding>) {
    let Some(handshake) = &observation.cloudfront else {
        return;
    };
    match handshake {
        CloudFrontHandshake::Established { .. } => {
            findings.retain(|f| {
                !(CONTRADICT_A_HANDSHAKE.contains(&f.code)
                    || (f.code == Code::HTTP_EARLY_CLOSE
                        && f.evidence.get("stage") == Some(&json!("after accept"))))
            });
        }
        CloudFrontHandshake::Failed { received, .. }
        | CloudFrontHandshake::TimedOut { received, .. }
            if mtls_unverified(observation, received) =>
        {
            // CloudFront presents its client certificate (origin mTLS); originscan has none, so
            // s2n's failure says nothing about CloudFront's handshake: not a 502.
            if let Some(finding) = findings
                .iter_mut()
                .find(|f| f.code == Code::TLS_CLIENT_CERT_REQUIRED)
            {
                *finding = with_cloudfront_evidence(finding.clone(), handshake);
            }
        }
        CloudFrontHandshake::Failed { received, .. }
        | CloudFrontHandshake::TimedOut { received, .. } => {
            let own = own_finding(handshake, received, sent_chain_message(observation));
            if own.code == Code::TLS_MESSAGE_TOO_LARGE {
                // The size is the reason: webpki's reading of the chain (BadEncoding) and the
                // hellos' failure to read it are not.
                findings
                    .retain(|f| !matches!(f.code, Code::CERT_INVALID | Code::TLS_HANDSHAKE_FAILED));
            }
            let explained = findings.iter().position(explains_a_failure);
            if let Some(index) = explained {
                // The diagnosis's reason is CloudFront's 502 now, whatever its usual severity.
                let finding = &mut findings[index];
                if finding.severity < Severity::Critical {
                    finding.severity = Severity::Critical;
                }
            }
            // The diagnosis's reason stands; s2n's own finding is added when it names another
            // cause (a size, a stall), and stands alone when the diagnosis has none.
            let index = match explained {
                Some(index) if own.code == Code::TLS_HANDSHAKE_FAILED => index,
                _ => {
                    findings.push(own);
                    findings.len() - 1
                }
            };
            let finding = findings.remove(index);
            findings.insert(index, with_cloudfront_evidence(finding, handshake));
        }
    }
}

/// Whether s2n's handshake failed on the client certificate of a distribution with origin mTLS:
/// the origin asked for one (in the clear, or in the hellos) and s2n, which has none to give,
/// failed after that or on the alert an origin sends for a missing certificate.
fn mtls_unverified(observation: &Observation, received: &Received) -> bool {
    const HANDSHAKE_FAILURE: u8 = 40;
    const BAD_CERTIFICATE: u8 = 42;
    const CERTIFICATE_REQUIRED: u8 = 116;
    let asked = received.client_cert_requested
        || observation.negotiation.as_ref().is_some_and(|n| {
            n.attempts.iter().any(|a| {
                matches!(
                    a.reply,
                    crate::probe::diagnostic_hellos::HelloReply::Accepted {
                        client_cert_requested: true,
                        ..
                    }
                )
            })
        });
    let on_the_certificate = received.client_cert_requested
        || matches!(
            received.alert,
            Some((
                _,
                HANDSHAKE_FAILURE | BAD_CERTIFICATE | CERTIFICATE_REQUIRED
            ))
        );
    observation.target.origin_mtls == Some(true) && asked && on_the_certificate
}

/// Whether the diagnosis's finding says why a handshake fails.
fn explains_a_failure(finding: &Finding) -> bool {
    match finding.code {
        Code::TLS_UNSUPPORTED_SIGNATURE | Code::HTTP_PLAINTEXT_POLICY_MISMATCH => true,
        Code::HTTP_EARLY_CLOSE => finding.evidence.get("stage") == Some(&json!("after accept")),
        code => {
            finding.severity == Severity::Critical
                && matches!(code.area(), "TLS" | "Certificate" | "TCP" | "Configuration")
        }
    }
}

/// The finding s2n's result makes on its own: TLS_MESSAGE_TOO_LARGE or TLS_HANDSHAKE_STALLED
/// when it names a cause the diagnosis cannot see, else TLS_HANDSHAKE_FAILED in s2n's words.
fn own_finding(
    handshake: &CloudFrontHandshake,
    received: &Received,
    chain_message: Option<usize>,
) -> Finding {
    let encrypted_oversize = chain_message.filter(|size| {
        *size > S2N_MAX_MESSAGE && matches!(handshake, CloudFrontHandshake::Failed { .. })
    });
    if let Some(size) = received.oversized_message.or(encrypted_oversize) {
        return Finding::new(
            Code::TLS_MESSAGE_TOO_LARGE,
            format!(
                "the origin sends a {size}-byte handshake message (its certificate chain); CloudFront's TLS stack takes at most {S2N_MAX_MESSAGE}"
            ),
        )
        .evidence("message_bytes", size)
        .evidence("limit_bytes", S2N_MAX_MESSAGE);
    }
    match handshake {
        CloudFrontHandshake::TimedOut {
            received, waited, ..
        } if received.server_hello.is_some() => Finding::new(
            Code::TLS_HANDSHAKE_STALLED,
            format!(
                "the origin sent its ServerHello and then nothing for {} s: CloudFront's handshake never completes",
                waited.as_secs()
            ),
        )
        .evidence("received_bytes", received.bytes),
        _ => failed(handshake),
    }
}

/// The size of the Certificate message that carries the chain rustls was sent (TLS 1.3 form:
/// header, context, list length, and per certificate its length and an empty extension list).
/// Under TLS 1.3 that message is encrypted, so s2n's refusal of an oversized one cannot be read
/// from the bytes it received: the chain rustls recorded tells the size.
fn sent_chain_message(observation: &Observation) -> Option<usize> {
    let message = |sizes: &mut dyn Iterator<Item = usize>| {
        4 + 1 + 3 + sizes.map(|len| 3 + len + 2).sum::<usize>()
    };
    let from_rustls = observation.tls.as_ref().and_then(|tls| match &tls.outcome {
        crate::probe::tls::TlsOutcome::Established { chain, .. } => {
            Some(message(&mut chain.iter().map(|c| c.len())))
        }
        crate::probe::tls::TlsOutcome::Failed(_) => None,
    });
    // CloudFront's hand-built hello reads a TLS 1.2 chain in the clear, whatever its size.
    let from_hellos = observation
        .negotiation
        .as_ref()
        .and_then(|n| n.chain())
        .map(|chain| message(&mut chain.iter().map(Vec::len)));
    from_rustls.max(from_hellos)
}

/// TLS_HANDSHAKE_FAILED in s2n's words.
fn failed(handshake: &CloudFrontHandshake) -> Finding {
    let summary = match handshake {
        CloudFrontHandshake::Failed {
            error, received, ..
        } => match received.alert {
            Some((_, code)) => format!(
                "CloudFront's handshake fails: the origin sends the alert {} ({error})",
                alert_name(code)
            ),
            None => format!("CloudFront's handshake fails ({error})"),
        },
        CloudFrontHandshake::TimedOut { waited, .. } => format!(
            "CloudFront's handshake gets no reply within {} s",
            waited.as_secs()
        ),
        CloudFrontHandshake::Established { .. } => "CloudFront's handshake completes".into(),
    };
    Finding::new(Code::TLS_HANDSHAKE_FAILED, summary)
}

/// The evidence of what CloudFront's stack saw, and that the HTTP checks did not run.
fn with_cloudfront_evidence(finding: Finding, handshake: &CloudFrontHandshake) -> Finding {
    let (result, error, received) = match handshake {
        CloudFrontHandshake::Established { .. } => return finding,
        CloudFrontHandshake::Failed {
            error,
            message,
            received,
            ..
        } => (
            "failed",
            json!({"name": error, "message": message}),
            received,
        ),
        CloudFrontHandshake::TimedOut { received, .. } => ("timed out", json!(null), received),
    };
    finding
        .evidence(
            "cloudfront_handshake",
            json!({
                "stack": "s2n-tls",
                "policy": handshake.policy(),
                "result": result,
                "error": error,
                "alert": received.alert.map(|(_, code)| alert_name(code)),
                "server_hello": received.server_hello.map(|(v, s)| format!("0x{v:04X} 0x{s:04X}")),
                "received_bytes": received.bytes,
            }),
        )
        .evidence(
            "http_checks",
            "not run: CloudFront's handshake does not complete, so CloudFront sends no request",
        )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::test_support::{certificate_for, codes, ObservationBuilder};
    use crate::cloudfront::tls_profile::TlsVersion;
    use rustls::pki_types::CertificateDer;

    const POLICY: &str = "CloudFront-Upstream-TLS-1-0-2025";

    fn established() -> CloudFrontHandshake {
        CloudFrontHandshake::Established {
            policy: POLICY,
            version: TlsVersion::Tls12,
            cipher: "ECDHE-RSA-AES128-SHA".into(),
            validated_chain: Vec::new(),
            sent_chain: None,
            elapsed: Duration::from_millis(5),
            alpn: None,
        }
    }

    fn failed(error: &str, received: Received) -> CloudFrontHandshake {
        CloudFrontHandshake::Failed {
            policy: POLICY,
            error: error.into(),
            message: "words".into(),
            received,
            elapsed: Duration::from_millis(5),
        }
    }

    fn judged(handshake: CloudFrontHandshake, mut findings: Vec<Finding>) -> Vec<Finding> {
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .tls_established(certificate_for(&["origin.example.com"]))
            .cloudfront_handshake(handshake)
            .build();
        apply(&observation, &mut findings);
        findings
    }

    #[test]
    fn a_completed_handshake_drops_what_contradicts_it_and_keeps_the_rest() {
        let findings = judged(
            established(),
            vec![
                Finding::new(Code::CERT_INVALID, "webpki refuses SHA-1"),
                Finding::new(Code::TLS_NO_COMMON_CIPHER, "rustls speaks no CBC"),
                Finding::new(Code::CERT_WEAK_SIGNATURE, "SHA-1"),
                Finding::new(Code::CERT_CHAIN_ORDER, "out of order"),
                Finding::new(Code::HTTP_EARLY_CLOSE, "closed").evidence("stage", "after accept"),
                Finding::new(Code::HTTP_EARLY_CLOSE, "closed").evidence("stage", "after request"),
            ],
        );
        assert_eq!(
            codes(&findings),
            vec![
                Code::CERT_WEAK_SIGNATURE,
                Code::CERT_CHAIN_ORDER,
                Code::HTTP_EARLY_CLOSE
            ]
        );
        assert_eq!(findings[2].evidence["stage"], "after request");
    }

    #[test]
    fn with_origin_mtls_a_failure_on_the_client_certificate_is_not_a_502() {
        let refused = failed(
            "S2N_ERR_ALERT",
            Received {
                alert: Some((2, 116)),
                client_cert_requested: true,
                bytes: 900,
                ..Received::default()
            },
        );
        let asked = || {
            Finding::new(Code::TLS_CLIENT_CERT_REQUIRED, "asks")
                .severity(Severity::Info)
                .evidence("client_certificate", "not verified")
        };
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .origin_mtls()
            .cloudfront_handshake(refused.clone())
            .build();
        let mut findings = vec![asked()];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::TLS_CLIENT_CERT_REQUIRED]);
        assert_eq!(findings[0].severity, Severity::Info);
        assert_eq!(
            findings[0].evidence["cloudfront_handshake"]["policy"],
            POLICY
        );
        // Without origin mTLS the same failure is CloudFront's 502.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .cloudfront_handshake(refused)
            .build();
        let mut findings = vec![asked()];
        apply(&observation, &mut findings);
        assert!(findings.iter().any(|f| f.severity == Severity::Critical));
    }

    #[test]
    fn a_failed_handshake_is_never_left_without_a_critical_finding() {
        let findings = judged(
            failed(
                "S2N_ERR_ALERT",
                Received {
                    alert: Some((2, 40)),
                    bytes: 7,
                    ..Received::default()
                },
            ),
            vec![Finding::new(Code::HTTP_NO_KEEPALIVE, "closes")],
        );
        let failure = findings
            .iter()
            .find(|f| f.code == Code::TLS_HANDSHAKE_FAILED)
            .expect("a critical finding");
        assert_eq!(failure.severity, Severity::Critical);
        assert!(
            failure.summary.contains("handshake_failure"),
            "{}",
            failure.summary
        );
        assert_eq!(failure.evidence["cloudfront_handshake"]["policy"], POLICY);
        assert_eq!(
            failure.evidence["cloudfront_handshake"]["error"]["name"],
            "S2N_ERR_ALERT"
        );
        assert!(failure.evidence["http_checks"]
            .as_str()
            .is_some_and(|s| s.starts_with("not run")));
    }

    #[test]
    fn the_diagnosis_reason_is_kept_and_made_critical() {
        let findings = judged(
            failed("S2N_ERR_ALERT", Received::default()),
            vec![Finding::new(Code::TLS_UNSUPPORTED_SIGNATURE, "Ed25519 key")],
        );
        assert_eq!(codes(&findings), vec![Code::TLS_UNSUPPORTED_SIGNATURE]);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(
            findings[0].evidence["cloudfront_handshake"]["result"],
            "failed"
        );
    }

    #[test]
    fn silence_after_the_server_hello_is_a_stall() {
        let stalled = CloudFrontHandshake::TimedOut {
            policy: POLICY,
            received: Received {
                bytes: 63,
                server_hello: Some((0x0303, 0xC02F)),
                ..Received::default()
            },
            waited: Duration::from_secs(10),
        };
        assert_eq!(
            codes(&judged(stalled, Vec::new())),
            vec![Code::TLS_HANDSHAKE_STALLED]
        );
        // Silence from the start is no stall: no ServerHello came.
        let silent = CloudFrontHandshake::TimedOut {
            policy: POLICY,
            received: Received::default(),
            waited: Duration::from_secs(10),
        };
        assert_eq!(
            codes(&judged(silent, Vec::new())),
            vec![Code::TLS_HANDSHAKE_FAILED]
        );
    }

    #[test]
    fn an_oversized_message_is_the_reason_not_webpki() {
        let findings = judged(
            failed(
                "S2N_ERR_BAD_MESSAGE",
                Received {
                    oversized_message: Some(210_000),
                    ..Received::default()
                },
            ),
            vec![
                Finding::new(Code::CERT_INVALID, "BadEncoding"),
                Finding::new(Code::TLS_HANDSHAKE_FAILED, "the hello reader gave up"),
            ],
        );
        assert_eq!(codes(&findings), vec![Code::TLS_MESSAGE_TOO_LARGE]);
        assert_eq!(findings[0].evidence["message_bytes"], 210_000);
    }

    #[test]
    fn under_tls13_the_chain_rustls_got_tells_the_size() {
        let big = vec![CertificateDer::from(vec![0u8; 70_000])];
        let mut observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .tls_established(big)
            .cloudfront_handshake(failed("S2N_ERR_BAD_MESSAGE", Received::default()))
            .build();
        let mut findings = vec![Finding::new(Code::CERT_INVALID, "BadEncoding")];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::TLS_MESSAGE_TOO_LARGE]);
        assert_eq!(findings[0].evidence["message_bytes"], 70_013);
        // A chain under the limit is no reason.
        observation.tls = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .tls_established(certificate_for(&["origin.example.com"]))
            .build()
            .tls;
        let mut findings = vec![Finding::new(Code::CERT_INVALID, "bad signature")];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::CERT_INVALID]);
    }

    #[test]
    fn without_cloudfronts_handshake_nothing_changes() {
        let observation = ObservationBuilder::for_origin("origin.example.com").build();
        let mut findings = vec![Finding::new(Code::CERT_INVALID, "x")];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::CERT_INVALID]);
    }
}
