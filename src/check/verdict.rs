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
//! - **The client certificate** (`--origin-client-cert`, [`client_certificate`]): presented and
//!   accepted, the origin's request for it is no finding; presented and refused with an alert
//!   (during a TLS 1.2 handshake, or on the first read under TLS 1.3, whose client finishes its
//!   handshake before the origin has checked the certificate), it is TLS_CLIENT_CERT_REJECTED,
//!   CloudFront's 502, in place of the findings that refusal caused.

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

/// What became of the client certificate given with `--origin-client-cert` on one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientCertificate {
    /// Not presented: the export says the distribution has no OriginMtlsConfig, so CloudFront
    /// sends no certificate.
    Withheld,
    /// Offered; the origin did not ask for one.
    NotAsked,
    /// Presented, and the origin went on: the handshake completed and no alert refused it.
    Accepted,
    /// Presented, and the origin refused it with this alert.
    Refused {
        /// The alert's number (`bad_certificate` 42, `unknown_ca` 48, ...).
        alert: u8,
        /// Whether the alert came after the handshake (TLS 1.3), on the first read.
        after_handshake: bool,
    },
    /// Offered, but CloudFront's handshake failed before telling (or there was none: an origin
    /// given as an IP address).
    NotVerified,
}

impl ClientCertificate {
    /// The word the report's `settings.client_certificate` uses.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            ClientCertificate::Withheld => "withheld",
            ClientCertificate::NotAsked => "not_asked",
            ClientCertificate::Accepted => "accepted",
            ClientCertificate::Refused { .. } => "refused",
            ClientCertificate::NotVerified => "not_verified",
        }
    }
}

/// What became of `--origin-client-cert` on this origin; `None` when none was given.
pub(crate) fn client_certificate(observation: &Observation) -> Option<ClientCertificate> {
    const CLOSE_NOTIFY: u8 = 0;
    match observation.target.client_certificate? {
        false => Some(ClientCertificate::Withheld),
        true => Some(match &observation.cloudfront {
            Some(CloudFrontHandshake::Established {
                client_cert_sent: true,
                alert_after,
                ..
            }) => match alert_after.filter(|a| *a != CLOSE_NOTIFY) {
                Some(alert) => ClientCertificate::Refused {
                    alert,
                    after_handshake: true,
                },
                None => ClientCertificate::Accepted,
            },
            Some(CloudFrontHandshake::Established { .. }) => ClientCertificate::NotAsked,
            Some(CloudFrontHandshake::Failed { received, .. })
                if received.client_cert_requested =>
            {
                match received.alert.filter(|(_, a)| *a != CLOSE_NOTIFY) {
                    Some((_, alert)) => ClientCertificate::Refused {
                        alert,
                        after_handshake: false,
                    },
                    None => ClientCertificate::NotVerified,
                }
            }
            _ => ClientCertificate::NotVerified,
        }),
    }
}

/// Applies s2n's verdict to the diagnosis's findings.
pub(crate) fn apply(observation: &Observation, findings: &mut Vec<Finding>) {
    let Some(handshake) = &observation.cloudfront else {
        return;
    };
    match client_certificate(observation) {
        Some(ClientCertificate::Accepted) => {
            // CloudFront presents the same certificate: the request is answered.
            findings.retain(|f| f.code != Code::TLS_CLIENT_CERT_REQUIRED);
        }
        Some(ClientCertificate::Refused {
            alert,
            after_handshake,
        }) => {
            findings.retain(|f| {
                !(matches!(
                    f.code,
                    Code::TLS_CLIENT_CERT_REQUIRED | Code::TLS_HANDSHAKE_FAILED
                ) || (after_handshake
                    && f.code == Code::HTTP_EARLY_CLOSE
                    && f.evidence.get("https") == Some(&json!(true))))
            });
            findings.push(rejected(observation, handshake, alert, after_handshake));
            return;
        }
        _ => {}
    }
    if let CloudFrontHandshake::Established {
        client_cert_sent: false,
        alert_after: Some(CERTIFICATE_REQUIRED),
        ..
    } = handshake
    {
        // A TLS 1.3 origin asks in an encrypted message and says `certificate_required` on the
        // first read: the request CloudFront's TLS 1.2 hellos could not see, not an early close.
        findings.retain(|f| {
            !(f.code == Code::HTTP_EARLY_CLOSE && f.evidence.get("https") == Some(&json!(true)))
        });
        if !findings
            .iter()
            .any(|f| f.code == Code::TLS_CLIENT_CERT_REQUIRED)
        {
            findings.push(required_after_handshake(observation));
        }
    }
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

/// The alert `certificate_required` (TLS 1.3).
const CERTIFICATE_REQUIRED: u8 = 116;

/// TLS_CLIENT_CERT_REQUIRED for a TLS 1.3 origin that said `certificate_required` after the
/// handshake: `info` and not verified on a distribution with origin mTLS (no certificate to
/// present), else critical.
fn required_after_handshake(observation: &Observation) -> Finding {
    let finding = if observation.target.origin_mtls == Some(true)
        && observation.target.client_certificate != Some(true)
    {
        Finding::new(
            Code::TLS_CLIENT_CERT_REQUIRED,
            "the origin requires a client certificate (TLS 1.3: the alert certificate_required on the first read) and the distribution has origin mTLS: CloudFront presents its certificate; whether the origin accepts it was not verified (give it with --origin-client-cert)",
        )
        .severity(Severity::Info)
        .evidence("origin_mtls", true)
        .evidence("client_certificate", "not verified")
    } else {
        Finding::new(
            Code::TLS_CLIENT_CERT_REQUIRED,
            "the origin requires a client certificate (TLS 1.3: the alert certificate_required on the first read) and CloudFront's handshake presented none: without origin mTLS CloudFront has none to give and answers 502",
        )
    };
    finding.evidence("alert", alert_name(CERTIFICATE_REQUIRED))
}

/// Whether s2n's handshake failed on the client certificate of a distribution with origin mTLS:
/// the origin asked for one (in the clear, or in the hellos) and s2n, which has none to give,
/// failed after that or on the alert an origin sends for a missing certificate.
fn mtls_unverified(observation: &Observation, received: &Received) -> bool {
    const HANDSHAKE_FAILURE: u8 = 40;
    const BAD_CERTIFICATE: u8 = 42;
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
    // With a certificate presented, s2n's failure is CloudFront's: see [`client_certificate`].
    observation.target.origin_mtls == Some(true)
        && observation.target.client_certificate != Some(true)
        && asked
        && on_the_certificate
}

/// TLS_CLIENT_CERT_REJECTED: the origin refused the certificate with `alert`.
fn rejected(
    observation: &Observation,
    handshake: &CloudFrontHandshake,
    alert: u8,
    after_handshake: bool,
) -> Finding {
    let when = if after_handshake {
        "after the handshake, on the first read (TLS 1.3)"
    } else {
        "during the handshake"
    };
    let finding = Finding::new(
        Code::TLS_CLIENT_CERT_REJECTED,
        format!(
            "the certificate given by --origin-client-cert was refused: the origin sent the alert {} {when}; CloudFront, presenting it for origin mTLS, answers 502",
            alert_name(alert)
        ),
    )
    .evidence("alert", alert_name(alert))
    .evidence("alert_stage", if after_handshake { "after handshake" } else { "handshake" })
    .evidence("client_certificate", "refused")
    .evidence("origin_mtls", json!(observation.target.origin_mtls));
    match handshake {
        CloudFrontHandshake::Established { .. } => finding.evidence(
            "http_checks",
            "not run: the origin closed CloudFront's connection before answering",
        ),
        _ => with_cloudfront_evidence(finding, handshake),
    }
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
            client_cert_sent: false,
            alert_after: None,
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

    fn established_with(client_cert_sent: bool, alert_after: Option<u8>) -> CloudFrontHandshake {
        match established() {
            CloudFrontHandshake::Established {
                policy,
                version,
                cipher,
                validated_chain,
                sent_chain,
                elapsed,
                alpn,
                ..
            } => CloudFrontHandshake::Established {
                policy,
                version,
                cipher,
                validated_chain,
                sent_chain,
                elapsed,
                client_cert_sent,
                alert_after,
                alpn,
            },
            other => other,
        }
    }

    fn early_close() -> Finding {
        Finding::new(Code::HTTP_EARLY_CLOSE, "closed")
            .evidence("stage", "after request")
            .evidence("https", true)
    }

    fn asked(severity: Severity) -> Finding {
        Finding::new(Code::TLS_CLIENT_CERT_REQUIRED, "asks").severity(severity)
    }

    #[test]
    fn a_presented_certificate_that_is_accepted_leaves_no_finding_about_it() {
        for origin_mtls in [true, false] {
            let mut builder = ObservationBuilder::for_origin("origin.example.com")
                .https_port_connected()
                .client_certificate(true)
                .cloudfront_handshake(established_with(true, None));
            if origin_mtls {
                builder = builder.origin_mtls();
            }
            let observation = builder.build();
            assert_eq!(
                client_certificate(&observation),
                Some(ClientCertificate::Accepted)
            );
            let mut findings = vec![asked(if origin_mtls {
                Severity::Info
            } else {
                Severity::Critical
            })];
            apply(&observation, &mut findings);
            assert!(findings.is_empty(), "{findings:?}");
        }
    }

    #[test]
    fn a_certificate_offered_to_an_origin_that_asks_for_none_changes_nothing() {
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .client_certificate(true)
            .cloudfront_handshake(established_with(false, None))
            .build();
        assert_eq!(
            client_certificate(&observation),
            Some(ClientCertificate::NotAsked)
        );
        let mut findings = vec![Finding::new(Code::HTTP_NO_KEEPALIVE, "closes")];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::HTTP_NO_KEEPALIVE]);
        // No certificate given: nothing to say.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .cloudfront_handshake(established())
            .build();
        assert_eq!(client_certificate(&observation), None);
    }

    #[test]
    fn a_refused_certificate_is_a_critical_in_place_of_what_the_refusal_caused() {
        // TLS 1.2: the alert ends the handshake, in the clear.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .origin_mtls()
            .client_certificate(true)
            .cloudfront_handshake(failed(
                "S2N_ERR_ALERT",
                Received {
                    alert: Some((2, 48)),
                    client_cert_requested: true,
                    bytes: 900,
                    ..Received::default()
                },
            ))
            .build();
        let mut findings = vec![
            asked(Severity::Info),
            Finding::new(Code::TLS_HANDSHAKE_FAILED, "fails"),
        ];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::TLS_CLIENT_CERT_REJECTED]);
        let finding = &findings[0];
        assert_eq!(finding.severity, Severity::Critical);
        assert!(finding
            .summary
            .starts_with("the certificate given by --origin-client-cert was refused"));
        assert_eq!(finding.evidence["alert"], "unknown_ca");
        assert_eq!(finding.evidence["cloudfront_handshake"]["policy"], POLICY);
        // TLS 1.3: the handshake completes and the alert ends the first read.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .client_certificate(true)
            .cloudfront_handshake(established_with(true, Some(42)))
            .build();
        let mut findings = vec![early_close()];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::TLS_CLIENT_CERT_REJECTED]);
        assert_eq!(findings[0].evidence["alert"], "bad_certificate");
        assert_eq!(findings[0].evidence["alert_stage"], "after handshake");
    }

    #[test]
    fn with_a_certificate_offered_a_failed_handshake_is_cloudfronts_502() {
        // No alert after the request: s2n's failure is CloudFront's, certificate and all.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .origin_mtls()
            .client_certificate(true)
            .cloudfront_handshake(failed(
                "S2N_ERR_CERT_UNTRUSTED",
                Received {
                    client_cert_requested: true,
                    bytes: 900,
                    ..Received::default()
                },
            ))
            .build();
        assert_eq!(
            client_certificate(&observation),
            Some(ClientCertificate::NotVerified)
        );
        let mut findings = vec![asked(Severity::Info)];
        apply(&observation, &mut findings);
        assert!(
            findings
                .iter()
                .any(|f| f.code == Code::TLS_HANDSHAKE_FAILED && f.severity == Severity::Critical),
            "{findings:?}"
        );
    }

    #[test]
    fn a_withheld_certificate_changes_nothing() {
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .client_certificate(false)
            .cloudfront_handshake(failed(
                "S2N_ERR_ALERT",
                Received {
                    alert: Some((2, 40)),
                    client_cert_requested: true,
                    bytes: 900,
                    ..Received::default()
                },
            ))
            .build();
        assert_eq!(
            client_certificate(&observation),
            Some(ClientCertificate::Withheld)
        );
        let mut findings = vec![asked(Severity::Critical)];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::TLS_CLIENT_CERT_REQUIRED]);
        assert_eq!(findings[0].severity, Severity::Critical);
    }

    #[test]
    fn a_tls13_certificate_required_alert_is_the_request_not_an_early_close() {
        for (origin_mtls, severity) in [(false, Severity::Critical), (true, Severity::Info)] {
            let mut builder = ObservationBuilder::for_origin("origin.example.com")
                .https_port_connected()
                .cloudfront_handshake(established_with(false, Some(116)));
            if origin_mtls {
                builder = builder.origin_mtls();
            }
            let mut findings = vec![early_close()];
            apply(&builder.build(), &mut findings);
            assert_eq!(codes(&findings), vec![Code::TLS_CLIENT_CERT_REQUIRED]);
            assert_eq!(findings[0].severity, severity);
        }
        // Another alert after the handshake is not about a certificate.
        let observation = ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .cloudfront_handshake(established_with(false, Some(80)))
            .build();
        let mut findings = vec![early_close()];
        apply(&observation, &mut findings);
        assert_eq!(codes(&findings), vec![Code::HTTP_EARLY_CLOSE]);
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
