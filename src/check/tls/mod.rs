//! TLS handshake findings: no TLS at all, a plain-HTTP speaker on the HTTPS port, an origin
//! that closes before answering, alerts, resets and stalls; a certificate served for another
//! SNI only; an origin that fails the post-quantum hello only.

pub(crate) mod negotiation;
mod no_tls;

use no_tls::{early_close, not_tls};

use crate::finding::{Code, Finding};
use crate::probe::tls::{TlsFailure, TlsOutcome};
use crate::probe::Observation;

/// Handshake findings: from CloudFront's own hellos when they ran, else from rustls; and
/// TLS_SNI_DEPENDENT and TLS_PQ_HELLO_INTOLERANT.
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings = handshake(observation);
    findings.extend(sni_dependent(observation));
    findings.extend(post_quantum_intolerant(observation));
    findings
}

/// TLS_PQ_HELLO_INTOLERANT: under `2025-pq`, CloudFront's post-quantum handshake failed or
/// stalled where the 2025 one (the verdict's) then completed.
fn post_quantum_intolerant(observation: &Observation) -> Option<Finding> {
    use crate::probe::cloudfront_tls::CloudFrontHandshake;
    let refused = observation.post_quantum_refused.as_ref()?;
    let classic = observation
        .cloudfront
        .as_ref()
        .filter(|c| c.established())?;
    let how = match refused {
        CloudFrontHandshake::TimedOut { waited, .. } => {
            format!("stalls (no handshake within {} s)", waited.as_secs())
        }
        CloudFrontHandshake::Failed { error, .. } => format!("fails ({error})"),
        CloudFrontHandshake::Established { .. } => return None,
    };
    Some(
        Finding::new(
            Code::TLS_PQ_HELLO_INTOLERANT,
            format!(
                "CloudFront's post-quantum handshake ({}) {how}; the 2025 handshake ({}) completes",
                refused.policy(),
                classic.policy()
            ),
        )
        .evidence("post_quantum_policy", refused.policy())
        .evidence("classic_policy", classic.policy())
        .evidence("post_quantum_outcome", how),
    )
}

/// TLS_SNI_DEPENDENT: the origin has a certificate for the name CloudFront checks, but serves it
/// only for another SNI than the one CloudFront sends.
fn sni_dependent(observation: &Observation) -> Option<Finding> {
    let name = observation.target.certificate_name();
    let sent = observation.target.sni_name().map(str::to_string);
    observation.sni_alternatives.iter().find_map(|alternative| {
        let leaf = alternative.chain.as_ref()?.first()?;
        let facts = crate::certificate::CertFacts::parse(leaf)?;
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
        TlsFailure::ClosedBeforeReply { reset } => return vec![early_close(&at, *reset)],
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::test_support::{certificate_for, codes, single, ObservationBuilder};
    use crate::finding::Severity;
    use crate::probe::cloudfront_tls::CloudFrontHandshake;
    use crate::probe::diagnostic_hellos::{HelloPurpose, HelloReply};

    fn origin() -> ObservationBuilder {
        ObservationBuilder::for_origin("origin.example.com").https_port_connected()
    }

    fn failed(failure: TlsFailure) -> Vec<Finding> {
        check(&origin().tls_failed(failure).build())
    }

    fn s2n_established(policy: &'static str) -> CloudFrontHandshake {
        CloudFrontHandshake::Established {
            policy,
            version: crate::cloudfront::tls_profile::TlsVersion::Tls13,
            cipher: "TLS_AES_128_GCM_SHA256".into(),
            validated_chain: Vec::new(),
            sent_chain: None,
            elapsed: Duration::from_millis(5),
            client_cert_sent: false,
            alert_after: None,
            alpn: None,
        }
    }

    const PQ: &str = "CloudFront-Upstream-TLS-1-0-2025-PQ";
    const CLASSIC: &str = "CloudFront-Upstream-TLS-1-0-2025";

    #[test]
    fn a_post_quantum_hello_that_stalls_where_2025_connects_is_pq_intolerant() {
        let stalled = CloudFrontHandshake::TimedOut {
            policy: PQ,
            received: Default::default(),
            waited: Duration::from_secs(10),
        };
        let observation = origin()
            .tls_established(certificate_for(&["origin.example.com"]))
            .cloudfront_handshake(s2n_established(CLASSIC))
            .post_quantum_refused(stalled)
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::TLS_PQ_HELLO_INTOLERANT);
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["post_quantum_policy"], PQ);
        assert_eq!(finding.evidence["classic_policy"], CLASSIC);
        assert!(finding.summary.contains("stalls"), "{}", finding.summary);
    }

    #[test]
    fn without_a_post_quantum_refusal_there_is_no_pq_finding() {
        // A post-quantum handshake that completed leaves nothing to report.
        let observation = origin()
            .tls_established(certificate_for(&["origin.example.com"]))
            .cloudfront_handshake(s2n_established(PQ))
            .build();
        assert!(check(&observation).is_empty());
        // Both failed: the origin's failure is not the post-quantum hello's.
        let failed = CloudFrontHandshake::Failed {
            policy: CLASSIC,
            error: "S2N_ERR_CERT_UNTRUSTED".into(),
            message: String::new(),
            received: Default::default(),
            elapsed: Duration::from_millis(1),
        };
        let observation = origin()
            .tls_established(certificate_for(&["origin.example.com"]))
            .cloudfront_handshake(failed.clone())
            .post_quantum_refused(failed)
            .build();
        assert!(!codes(&check(&observation)).contains(&Code::TLS_PQ_HELLO_INTOLERANT));
    }

    #[test]
    fn a_completed_handshake_has_no_finding() {
        let observation = origin()
            .tls_established(certificate_for(&["origin.example.com"]))
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
    }

    #[test]
    fn closing_before_any_reply_is_an_early_close() {
        let finding = single(failed(TlsFailure::ClosedBeforeReply { reset: false }));
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["stage"], "after accept");
        assert_eq!(finding.evidence["reset"], false);
        assert_eq!(finding.evidence["address"], "192.0.2.1:443");
    }

    /// Issue 17, item 5a: a reset at the handshake, before any byte, says so.
    #[test]
    fn a_reset_before_any_reply_is_an_early_close_that_says_reset() {
        let finding = single(failed(TlsFailure::ClosedBeforeReply { reset: true }));
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.evidence["stage"], "after accept");
        assert_eq!(finding.evidence["reset"], true);
        assert!(
            finding.summary.contains("reset the connection"),
            "{}",
            finding.summary
        );
    }

    #[test]
    fn plain_http_on_the_https_port_is_not_tls_and_a_policy_mismatch() {
        let findings = failed(TlsFailure::NotTls {
            first_bytes: b"HTTP/1.1 400 Bad Request\r\n".to_vec(),
        });
        assert_eq!(
            codes(&findings),
            vec![Code::TLS_NOT_TLS, Code::HTTP_PLAINTEXT_POLICY_MISMATCH]
        );
        assert_eq!(
            findings[0].evidence["first_bytes"],
            "HTTP/1.1 400 Bad Request\\r\\n"
        );
        assert_eq!(findings[1].evidence["policy"], "https-only");
        assert_eq!(findings[1].severity, Severity::Critical);
    }

    #[test]
    fn other_bytes_on_the_https_port_are_only_not_tls() {
        let finding = single(failed(TlsFailure::NotTls {
            first_bytes: b"SSH-2.0-OpenSSH_9.6\r\n\x00".to_vec(),
        }));
        assert_eq!(finding.code, Code::TLS_NOT_TLS);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(
            finding.evidence["first_bytes"],
            "SSH-2.0-OpenSSH_9.6\\r\\n\\x00"
        );
        assert_eq!(finding.evidence["address"], "192.0.2.1:443");
    }

    #[test]
    fn an_alert_fails_the_handshake_and_names_the_alert_and_sni() {
        let finding = single(failed(TlsFailure::Alert {
            description: "HandshakeFailure".into(),
            code: 40,
        }));
        assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["alert"], "HandshakeFailure");
        assert_eq!(finding.evidence["alert_code"], 40);
        assert_eq!(finding.evidence["sni"], "origin.example.com");
    }

    #[test]
    fn closes_resets_stalls_and_protocol_errors_fail_the_handshake() {
        let cases = [
            (TlsFailure::ClosedDuringHandshake, "closed during handshake"),
            (TlsFailure::Reset, "connection reset"),
            (
                TlsFailure::Timeout(Duration::from_secs(10)),
                "handshake timeout",
            ),
            (
                TlsFailure::Protocol("peer is incompatible".into()),
                "peer is incompatible",
            ),
        ];
        for (failure, error) in cases {
            let finding = single(failed(failure));
            assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED, "{error}");
            assert_eq!(finding.evidence["error"], error);
            assert_eq!(finding.evidence["address"], "192.0.2.1:443");
        }
        let timeout = single(failed(TlsFailure::Timeout(Duration::from_secs(10))));
        assert_eq!(timeout.evidence["timeout_s"], 10);
    }

    #[test]
    fn an_ip_literal_origin_sends_no_sni_and_the_evidence_has_none() {
        let observation = ObservationBuilder::for_origin("198.51.100.7")
            .tls_failed(TlsFailure::Reset)
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED);
        assert!(!finding.evidence.contains_key("sni"));
        assert_eq!(finding.evidence["address"], "198.51.100.7:443");
    }

    #[test]
    fn cloudfronts_own_hellos_are_judged_instead_of_rustls() {
        let accepted = HelloReply::Accepted {
            version: 0x0303,
            suite: 0xC02F,
            chain: vec![],
            client_cert_requested: false,
        };
        let observation = origin()
            .tls_failed(TlsFailure::Reset)
            .cloudfront_hellos(&[(HelloPurpose::CloudFront, accepted)])
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
    }

    #[test]
    fn the_right_certificate_only_without_sni_is_sni_dependent() {
        let observation = origin()
            .tls_established(certificate_for(&["default.example.net"]))
            .sni_alternative(None, Some(certificate_for(&["origin.example.com"])))
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::TLS_SNI_DEPENDENT);
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["cloudfront_sni"], "origin.example.com");
        assert_eq!(finding.evidence["serving_sni"], "(no SNI)");
        assert_eq!(
            finding.evidence["names"],
            serde_json::json!(["origin.example.com"])
        );
    }

    #[test]
    fn the_right_certificate_only_for_the_origin_name_is_sni_dependent() {
        let observation = origin()
            .sni("edge.example.net")
            .tls_established(certificate_for(&["edge.example.net"]))
            .sni_alternative(
                Some("origin.example.com"),
                Some(certificate_for(&["*.example.com"])),
            )
            .sni_alternative(None, None)
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::TLS_SNI_DEPENDENT);
        assert_eq!(finding.evidence["cloudfront_sni"], "edge.example.net");
        assert_eq!(finding.evidence["serving_sni"], "origin.example.com");
    }

    #[test]
    fn other_snis_serving_no_better_certificate_are_not_sni_dependent() {
        let observation = origin()
            .tls_established(certificate_for(&["default.example.net"]))
            .sni_alternative(None, Some(certificate_for(&["default.example.net"])))
            .sni_alternative(None, None)
            .sni_alternative(None, Some(vec![]))
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
    }
}
