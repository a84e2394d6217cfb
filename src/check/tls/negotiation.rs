//! TLS findings from CloudFront's own hellos: no common protocol or suite, TLS 1.3 only, legacy
//! only, a client certificate demanded, an unsupported key or signature, a distribution whose
//! OriginSslProtocols leaves out what the origin speaks, and the failures of the handshake itself.

use serde_json::{json, Value};

use super::no_tls::{early_close, not_tls};
use crate::cloudfront::alerts::{self, alert_name};
use crate::cloudfront::tls_profile::{is_documented_suite, suite_name, Profile, TlsVersion};
use crate::finding::{Code, Finding, Severity};
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
        HelloReply::ClosedBeforeReply { reset: false } => "closed before any reply",
        HelloReply::ClosedBeforeReply { reset: true } => "reset before any reply",
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
        HelloReply::ClosedBeforeReply { .. } => json!({"result": result}),
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

/// Findings from CloudFront's hellos: which versions and suites the origin takes against what
/// the distribution allows, and how it refuses.
pub(crate) fn check(observation: &Observation, negotiation: &Negotiation) -> Vec<Finding> {
    let Some(first) = negotiation.first() else {
        return Vec::new();
    };
    let at = negotiation.address.to_string();
    let finding = match first {
        HelloReply::NotTls { first_bytes } => return not_tls(observation, &at, first_bytes),
        // Closed without a word: an offer refused silently if the wider offer is accepted,
        // else an origin that closes every connection.
        HelloReply::ClosedBeforeReply { reset } => {
            match negotiation.reply_to(HelloPurpose::Diagnostic) {
                Some(HelloReply::Accepted { .. }) => refused(negotiation, &at, 0),
                _ => return vec![early_close(&at, *reset)],
            }
        }
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
        } => {
            let client_cert = match (*client_cert_requested, observation.target.origin_mtls) {
                (false, _) => ClientCert::NotAsked,
                (true, Some(true)) => ClientCert::AskedWithOriginMtls,
                (true, _) => ClientCert::Asked,
            };
            return accepted(negotiation, &at, *version, *suite, client_cert);
        }
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

/// Whether the origin asked for a client certificate, and whether CloudFront has one to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientCert {
    NotAsked,
    /// Asked, and the distribution has no origin mTLS (or the input cannot say).
    Asked,
    /// Asked, and the distribution has origin mTLS: CloudFront presents its certificate, which
    /// originscan does not have.
    AskedWithOriginMtls,
}

fn accepted(
    negotiation: &Negotiation,
    at: &str,
    wire: u16,
    suite: u16,
    client_cert: ClientCert,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match client_cert {
        ClientCert::NotAsked => {}
        ClientCert::Asked => findings.push(with_context(
            Finding::new(
                Code::TLS_CLIENT_CERT_REQUIRED,
                format!("{at} asks CloudFront for a client certificate; without origin mTLS the handshake fails"),
            ),
            negotiation,
        )),
        ClientCert::AskedWithOriginMtls => findings.push(with_context(
            Finding::new(
                Code::TLS_CLIENT_CERT_REQUIRED,
                format!("{at} asks for a client certificate and the distribution has origin mTLS: CloudFront presents its certificate; whether the origin accepts it was not verified (originscan has no certificate to present)"),
            )
            .severity(Severity::Info)
            .evidence("origin_mtls", true)
            .evidence("client_certificate", "not verified"),
            negotiation,
        )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{codes, single, ObservationBuilder};
    use crate::finding::Severity;
    use HelloPurpose::{CloudFront, Diagnostic, Tls12, Tls13, WithoutWeakSuites};

    const ECDHE_RSA_AES128_GCM: u16 = 0xC02F;
    const AES128_GCM_STATIC_RSA: u16 = 0x009C;
    const DES_CBC3_SHA: u16 = 0x000A;
    const ECDHE_RSA_CHACHA20: u16 = 0xCCA8;

    fn accepted(version: TlsVersion, suite: u16) -> HelloReply {
        HelloReply::Accepted {
            version: version.wire(),
            suite,
            chain: vec![],
            client_cert_requested: false,
        }
    }

    fn alert(code: u8) -> HelloReply {
        HelloReply::Alert { code }
    }

    fn origin() -> ObservationBuilder {
        ObservationBuilder::for_origin("origin.example.com").https_port_connected()
    }

    /// What the negotiation check says about `origin`'s hellos.
    fn judged(origin: ObservationBuilder) -> Vec<Finding> {
        let observation = origin.build();
        let negotiation = observation.negotiation.as_ref().expect("hellos");
        check(&observation, negotiation)
    }

    fn hellos(replies: &[(HelloPurpose, HelloReply)]) -> Vec<Finding> {
        judged(origin().cloudfront_hellos(replies))
    }

    #[test]
    fn tls12_with_an_ecdhe_gcm_suite_has_no_finding() {
        let findings = hellos(&[(
            CloudFront,
            accepted(TlsVersion::Tls12, ECDHE_RSA_AES128_GCM),
        )]);
        assert!(findings.is_empty(), "{findings:?}");
        let legacy = judged(
            origin()
                .cloudfront_profile(Profile::Legacy)
                .allowed_protocols(&[TlsVersion::Tls12])
                .cloudfront_hellos(&[(CloudFront, accepted(TlsVersion::Tls12, 0xC030))]),
        );
        assert!(legacy.is_empty(), "{legacy:?}");
        // An undocumented but offered suite is fine on its own.
        let static_rsa = hellos(&[(
            CloudFront,
            accepted(TlsVersion::Tls12, AES128_GCM_STATIC_RSA),
        )]);
        assert!(static_rsa.is_empty(), "{static_rsa:?}");
        // No hello sent: nothing to judge.
        assert!(hellos(&[]).is_empty());
    }

    #[test]
    fn findings_carry_the_hellos_and_the_distributions_settings() {
        let finding = single(hellos(&[(CloudFront, alert(80))]));
        assert_eq!(finding.evidence["profile"], "2025");
        assert_eq!(
            finding.evidence["allowed_protocols"],
            json!(["TLSv1", "TLSv1.1", "TLSv1.2"])
        );
        assert_eq!(finding.evidence["allowed_protocols_assumed"], true);
        assert_eq!(finding.evidence["address"], "192.0.2.1:443");
        assert_eq!(
            finding.evidence["hellos"],
            json!([{"hello": "cloudfront", "offered_up_to": "TLSv1.2",
                    "reply": {"result": "alert", "alert": "internal_error", "alert_code": 80}}])
        );
        let given = single(judged(
            origin()
                .allowed_protocols(&[TlsVersion::Tls12])
                .cloudfront_hellos(&[(CloudFront, alert(80))]),
        ));
        assert_eq!(given.evidence["allowed_protocols"], json!(["TLSv1.2"]));
        assert_eq!(given.evidence["allowed_protocols_assumed"], false);
    }

    #[test]
    fn plain_http_answering_the_hello_is_not_tls() {
        let findings = hellos(&[(
            CloudFront,
            HelloReply::NotTls {
                first_bytes: b"HTTP/1.0 400 Bad Request".to_vec(),
            },
        )]);
        assert_eq!(
            codes(&findings),
            vec![Code::TLS_NOT_TLS, Code::HTTP_PLAINTEXT_POLICY_MISMATCH]
        );
        assert_eq!(
            findings[0].evidence["first_bytes"],
            "HTTP/1.0 400 Bad Request"
        );
    }

    #[test]
    fn closing_every_hello_unanswered_is_an_early_close() {
        let finding = single(hellos(&[
            (CloudFront, HelloReply::ClosedBeforeReply { reset: true }),
            (Diagnostic, HelloReply::ClosedBeforeReply { reset: true }),
        ]));
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.evidence["stage"], "after accept");
        assert_eq!(finding.evidence["reset"], true);
        assert_eq!(finding.evidence["address"], "192.0.2.1:443");
    }

    #[test]
    fn a_silent_refusal_of_cloudfronts_offer_alone_is_an_unsupported_signature() {
        let finding = single(hellos(&[
            (CloudFront, HelloReply::ClosedBeforeReply { reset: false }),
            (
                Diagnostic,
                accepted(TlsVersion::Tls12, ECDHE_RSA_AES128_GCM),
            ),
        ]));
        assert_eq!(finding.code, Code::TLS_UNSUPPORTED_SIGNATURE);
        assert_eq!(finding.evidence["alert"], "none: the connection was closed");
    }

    #[test]
    fn refusing_cloudfronts_offer_but_taking_its_suite_in_a_wider_one_is_an_unsupported_signature()
    {
        let finding = single(hellos(&[
            (CloudFront, alert(40)),
            (
                Diagnostic,
                accepted(TlsVersion::Tls12, ECDHE_RSA_AES128_GCM),
            ),
        ]));
        assert_eq!(finding.code, Code::TLS_UNSUPPORTED_SIGNATURE);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.evidence["alert"], "handshake_failure");
        assert_eq!(finding.evidence["hellos"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn choosing_a_suite_cloudfront_does_not_offer_is_no_common_cipher() {
        for refusal in [40, 71, 47] {
            let finding = single(hellos(&[
                (CloudFront, alert(refusal)),
                (Diagnostic, accepted(TlsVersion::Tls12, ECDHE_RSA_CHACHA20)),
            ]));
            assert_eq!(finding.code, Code::TLS_NO_COMMON_CIPHER, "alert {refusal}");
            assert_eq!(finding.severity, Severity::Critical);
            assert_eq!(finding.evidence["alert"], alert_name(refusal));
        }
    }

    #[test]
    fn refusing_the_wider_offer_too_fails_the_handshake() {
        let finding = single(hellos(&[(CloudFront, alert(71)), (Diagnostic, alert(71))]));
        assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED);
        assert_eq!(finding.evidence["alert"], "insufficient_security");
    }

    #[test]
    fn another_alert_fails_the_handshake_and_names_it() {
        let finding = single(hellos(&[(CloudFront, alert(112))]));
        assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["alert"], "unrecognized_name");
        assert_eq!(finding.evidence["alert_code"], 112);
    }

    #[test]
    fn closes_resets_stalls_and_garbage_fail_the_handshake() {
        for reply in [
            HelloReply::ClosedDuringHandshake,
            HelloReply::Reset,
            HelloReply::Timeout,
            HelloReply::Malformed("record too long".into()),
            HelloReply::NotConnected,
        ] {
            let finding = single(hellos(&[(CloudFront, reply.clone())]));
            assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED, "{reply:?}");
            assert!(finding.summary.contains(result_of(&reply)), "{reply:?}");
        }
        let malformed = single(hellos(&[(
            CloudFront,
            HelloReply::Malformed("record too long".into()),
        )]));
        assert!(malformed.summary.contains("malformed (record too long)"));
    }

    #[test]
    fn refusing_tls12_and_taking_tls13_is_tls13_only() {
        let finding = single(hellos(&[
            (CloudFront, alert(alerts::PROTOCOL_VERSION)),
            (Tls13, accepted(TlsVersion::Tls13, 0x1301)),
        ]));
        assert_eq!(finding.code, Code::TLS_TLS13_ONLY);
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["hellos"][1]["reply"]["version"], "TLSv1.3");
    }

    #[test]
    fn refusing_every_version_offered_is_no_common_protocol() {
        let finding = single(hellos(&[
            (CloudFront, alert(alerts::PROTOCOL_VERSION)),
            (Tls13, alert(alerts::PROTOCOL_VERSION)),
        ]));
        assert_eq!(finding.code, Code::TLS_NO_COMMON_PROTOCOL);
        assert_eq!(finding.severity, Severity::Critical);
        assert!(
            finding.summary.contains("nor TLSv1.3"),
            "{}",
            finding.summary
        );
        // The legacy profile sends no TLS 1.3 hello, and says nothing of it.
        let legacy = single(judged(
            origin()
                .cloudfront_profile(Profile::Legacy)
                .cloudfront_hellos(&[(CloudFront, alert(alerts::PROTOCOL_VERSION))]),
        ));
        assert_eq!(legacy.code, Code::TLS_NO_COMMON_PROTOCOL);
        assert!(!legacy.summary.contains("TLSv1.3"), "{}", legacy.summary);
        assert_eq!(legacy.evidence["profile"], "legacy");
    }

    #[test]
    fn tls12_refused_under_an_older_only_setting_is_too_narrow() {
        let finding = single(judged(
            origin()
                .cloudfront_profile(Profile::Legacy)
                .allowed_protocols(&[TlsVersion::Tls10])
                .cloudfront_hellos(&[
                    (CloudFront, alert(alerts::PROTOCOL_VERSION)),
                    (Tls12, accepted(TlsVersion::Tls12, ECDHE_RSA_AES128_GCM)),
                ]),
        ));
        assert_eq!(finding.code, Code::CF_SSL_PROTOCOLS_TOO_NARROW);
        assert_eq!(finding.severity, Severity::Critical);
        assert!(
            finding.summary.contains("speaks TLSv1.2"),
            "{}",
            finding.summary
        );
        assert_eq!(finding.evidence["allowed_protocols"], json!(["TLSv1"]));
    }

    /// The codes for an origin that negotiates `version` with an allowed list `allowed`.
    fn negotiating(profile: Profile, allowed: &[TlsVersion], version: TlsVersion) -> Vec<Code> {
        codes(&judged(
            origin()
                .cloudfront_profile(profile)
                .allowed_protocols(allowed)
                .cloudfront_hellos(&[(CloudFront, accepted(version, 0xC013))]),
        ))
    }

    #[test]
    fn under_2025_the_allowed_list_is_a_minimum() {
        use TlsVersion::{Tls10, Tls11, Tls12};
        // At the minimum: allowed, but older than TLS 1.2.
        assert_eq!(
            negotiating(Profile::Y2025, &[Tls11, Tls12], Tls11),
            vec![Code::TLS_LEGACY_ONLY]
        );
        // Just under it: refused by CloudFront.
        assert_eq!(
            negotiating(Profile::Y2025, &[Tls11, Tls12], Tls10),
            vec![Code::CF_SSL_PROTOCOLS_TOO_NARROW]
        );
        // A gap in the list does not matter: only its minimum does.
        assert_eq!(
            negotiating(Profile::Y2025, &[Tls10, Tls12], Tls11),
            vec![Code::TLS_LEGACY_ONLY]
        );
        assert_eq!(negotiating(Profile::Y2025, &[Tls11, Tls12], Tls12), vec![]);
    }

    #[test]
    fn under_legacy_the_allowed_list_is_exact() {
        use TlsVersion::{Tls10, Tls11, Tls12};
        assert_eq!(
            negotiating(Profile::Legacy, &[Tls10, Tls12], Tls11),
            vec![Code::CF_SSL_PROTOCOLS_TOO_NARROW]
        );
        assert_eq!(
            negotiating(Profile::Legacy, &[Tls10, Tls12], Tls10),
            vec![Code::TLS_LEGACY_ONLY]
        );
    }

    #[test]
    fn speaking_only_tls10_where_it_is_allowed_is_legacy_only() {
        let finding = single(hellos(&[(CloudFront, accepted(TlsVersion::Tls10, 0xC013))]));
        assert_eq!(finding.code, Code::TLS_LEGACY_ONLY);
        assert_eq!(finding.severity, Severity::High);
        assert!(
            finding.summary.contains("at most TLSv1"),
            "{}",
            finding.summary
        );
        assert_eq!(finding.evidence["hellos"][0]["reply"]["version"], "TLSv1");
    }

    #[test]
    fn only_3des_or_rc4_is_legacy_only() {
        let finding = single(hellos(&[
            (CloudFront, accepted(TlsVersion::Tls12, DES_CBC3_SHA)),
            (WithoutWeakSuites, alert(40)),
        ]));
        assert_eq!(finding.code, Code::TLS_LEGACY_ONLY);
        assert!(
            finding.summary.contains("DES-CBC3-SHA"),
            "{}",
            finding.summary
        );
        assert_eq!(
            finding.evidence["hellos"][0]["reply"]["suite_code"],
            "0x000A"
        );
        // Preferring 3DES while taking a strong suite too is fine.
        let prefers = hellos(&[
            (CloudFront, accepted(TlsVersion::Tls12, DES_CBC3_SHA)),
            (
                WithoutWeakSuites,
                accepted(TlsVersion::Tls12, ECDHE_RSA_AES128_GCM),
            ),
        ]);
        assert!(prefers.is_empty(), "{prefers:?}");
    }

    #[test]
    fn asking_for_a_client_certificate_is_reported() {
        let finding = single(hellos(&[(
            CloudFront,
            HelloReply::Accepted {
                version: TlsVersion::Tls12.wire(),
                suite: ECDHE_RSA_AES128_GCM,
                chain: vec![],
                client_cert_requested: true,
            },
        )]));
        assert_eq!(finding.code, Code::TLS_CLIENT_CERT_REQUIRED);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(
            finding.evidence["hellos"][0]["reply"]["client_certificate_requested"],
            true
        );
        assert!(!finding.evidence.contains_key("note"));
    }

    #[test]
    fn with_origin_mtls_a_client_certificate_request_is_not_a_502() {
        let observation = origin()
            .origin_mtls()
            .cloudfront_hellos(&[(
                CloudFront,
                HelloReply::Accepted {
                    version: TlsVersion::Tls12.wire(),
                    suite: ECDHE_RSA_AES128_GCM,
                    chain: vec![],
                    client_cert_requested: true,
                },
            )])
            .build();
        let finding = single(crate::check::tls::check(&observation));
        assert_eq!(finding.code, Code::TLS_CLIENT_CERT_REQUIRED);
        assert_eq!(finding.severity, Severity::Info);
        assert_eq!(finding.evidence["client_certificate"], "not verified");
    }

    #[test]
    fn an_undocumented_suite_is_noted_on_the_finding() {
        let finding = single(hellos(&[(
            CloudFront,
            HelloReply::Accepted {
                version: TlsVersion::Tls12.wire(),
                suite: AES128_GCM_STATIC_RSA,
                chain: vec![],
                client_cert_requested: true,
            },
        )]));
        assert_eq!(finding.code, Code::TLS_CLIENT_CERT_REQUIRED);
        assert_eq!(
            finding.evidence["note"],
            "AES128-GCM-SHA256 works in practice but is not on AWS's documented list"
        );
    }

    #[test]
    fn an_unknown_version_fails_the_handshake() {
        let finding = single(hellos(&[(
            CloudFront,
            HelloReply::Accepted {
                version: 0x7f1c,
                suite: ECDHE_RSA_AES128_GCM,
                chain: vec![],
                client_cert_requested: false,
            },
        )]));
        assert_eq!(finding.code, Code::TLS_HANDSHAKE_FAILED);
        assert!(finding.summary.contains("0x7f1c"), "{}", finding.summary);
        assert_eq!(finding.evidence["hellos"][0]["reply"]["version"], "0x7f1c");
    }
}
