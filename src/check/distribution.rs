//! Configuration findings that need the distribution's settings: a forwarded Host whose aliases
//! the origin's certificate does not cover (CF_HOST_FORWARD_ALIAS_MISMATCH). The protocol and
//! read-timeout configuration findings live with the TLS and HTTP checks that observe them.

use serde_json::json;

use crate::certificate::CertFacts;
use crate::finding::{Code, Finding};
use crate::probe::{AliasHandshake, Observation};
use crate::target::HostForwarding;

/// CF_HOST_FORWARD_ALIAS_MISMATCH when Host is forwarded and CloudFront's handshake (s2n) with
/// a probed alias fails: over the name (the names the certificate has, when it came in the
/// clear, are the evidence), or otherwise; nothing when s2n completes every alias's handshake.
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    let target = &observation.target;
    if target.host_forwarding != HostForwarding::Forwarded
        || observation.alias_certificates.is_empty()
    {
        return Vec::new();
    }
    let mut uncovered = Vec::new();
    let mut unreachable = Vec::new();
    let mut errors = Vec::new();
    for alias in &observation.alias_certificates {
        let leaf = || {
            alias
                .chain
                .as_ref()
                .and_then(|chain| chain.first())
                .and_then(|leaf| CertFacts::parse(leaf))
        };
        match &alias.handshake {
            AliasHandshake::Established => {}
            AliasHandshake::NameRefused => uncovered.push(match leaf() {
                Some(leaf) => json!({"alias": alias.alias, "names": leaf.names()}),
                // TLS 1.3 sends the certificate encrypted: s2n's refusal is the evidence.
                None => json!({"alias": alias.alias, "names": null}),
            }),
            AliasHandshake::Failed(error) => {
                unreachable.push(alias.alias.clone());
                errors.push(json!({"alias": alias.alias, "error": error}));
            }
        }
    }
    let mut findings = Vec::new();
    if !uncovered.is_empty() {
        let names: Vec<&str> = uncovered
            .iter()
            .filter_map(|u| u["alias"].as_str())
            .collect();
        findings.push(
            Finding::new(
                Code::CF_HOST_FORWARD_ALIAS_MISMATCH,
                format!(
                    "Host is forwarded to {}, but its certificate does not cover {}",
                    target.origin,
                    names.join(", ")
                ),
            )
            .evidence("uncovered", json!(uncovered))
            .evidence("aliases", json!(target.aliases))
            // What was asked, not what was listed: wildcard aliases are not sent as SNI.
            .evidence("aliases_probed", observation.alias_certificates.len()),
        );
    }
    if !unreachable.is_empty() {
        findings.push(
            Finding::new(
                Code::CF_HOST_FORWARD_ALIAS_MISMATCH,
                format!(
                    "Host is forwarded to {}, but no TLS handshake completes with SNI {}",
                    target.origin,
                    unreachable.join(", ")
                ),
            )
            .evidence("failed_aliases", json!(unreachable))
            .evidence("errors", json!(errors)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{certificate_for, codes, single, ObservationBuilder};
    use crate::finding::Severity;
    use crate::probe::MAX_ALIASES_PROBED;

    fn origin() -> ObservationBuilder {
        ObservationBuilder::for_origin("origin.example.com")
            .https_port_connected()
            .tls_established(certificate_for(&["origin.example.com"]))
    }

    #[test]
    fn aliases_the_certificate_covers_have_no_finding() {
        let observation = origin()
            .host_forwarded_for(&["www.example.com", "shop.example.com"])
            .alias_certificate("www.example.com", Some(certificate_for(&["*.example.com"])))
            .alias_certificate(
                "shop.example.com",
                Some(certificate_for(&["shop.example.com"])),
            )
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
    }

    #[test]
    fn without_host_forwarded_aliases_are_not_judged() {
        let uncovered = Some(certificate_for(&["origin.example.com"]));
        let not_forwarded = origin()
            .alias_certificate("www.example.com", uncovered.clone())
            .build();
        assert!(check(&not_forwarded).is_empty());
        let unknown = origin()
            .host_forwarding_unknown(&["www.example.com"])
            .alias_certificate("www.example.com", uncovered)
            .build();
        assert!(check(&unknown).is_empty());
        // Forwarded, but no alias was probed (all wildcards, say).
        let none_probed = origin().host_forwarded_for(&["*.example.com"]).build();
        assert!(check(&none_probed).is_empty());
    }

    #[test]
    fn an_alias_the_certificate_misses_is_a_mismatch() {
        let observation = origin()
            .host_forwarded_for(&["www.example.com", "shop.example.net"])
            .alias_certificate("www.example.com", Some(certificate_for(&["*.example.com"])))
            .alias_certificate(
                "shop.example.net",
                Some(certificate_for(&["origin.example.com", "*.example.com"])),
            )
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::CF_HOST_FORWARD_ALIAS_MISMATCH);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(
            finding.evidence["uncovered"],
            json!([{"alias": "shop.example.net", "names": ["origin.example.com", "*.example.com"]}])
        );
        assert_eq!(
            finding.evidence["aliases"],
            json!(["www.example.com", "shop.example.net"])
        );
        assert_eq!(finding.evidence["aliases_probed"], 2);
        assert!(finding.summary.contains("does not cover shop.example.net"));
    }

    #[test]
    fn aliases_probed_stops_at_the_probes_limit() {
        let aliases: Vec<String> = (1..=MAX_ALIASES_PROBED + 1)
            .map(|i| format!("a{i}.example.net"))
            .collect();
        let aliases: Vec<&str> = aliases.iter().map(String::as_str).collect();
        // The probe asks the first MAX_ALIASES_PROBED; the evidence counts what was asked.
        let mut builder = origin().host_forwarded_for(&aliases);
        for alias in &aliases[..MAX_ALIASES_PROBED] {
            builder =
                builder.alias_certificate(alias, Some(certificate_for(&["origin.example.com"])));
        }
        let finding = single(check(&builder.build()));
        assert_eq!(finding.evidence["aliases_probed"], MAX_ALIASES_PROBED);
        assert_eq!(finding.evidence["aliases"].as_array().unwrap().len(), 9);
    }

    #[test]
    fn a_wildcard_alias_is_not_counted_as_probed() {
        let observation = origin()
            .host_forwarded_for(&["*.example.net", "www.example.net"])
            .alias_certificate(
                "www.example.net",
                Some(certificate_for(&["origin.example.com"])),
            )
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.evidence["aliases_probed"], 1);
    }

    #[test]
    fn s2n_has_the_last_word_on_an_alias() {
        // s2n completed the handshake: no finding, whatever the chain parses to.
        let observation = origin()
            .host_forwarded_for(&["www.example.com"])
            .alias_handshake("www.example.com", AliasHandshake::Established, None)
            .build();
        assert!(check(&observation).is_empty());
        // s2n refused the name over TLS 1.3 (no chain in the clear): a mismatch all the same.
        let observation = origin()
            .host_forwarded_for(&["www.example.com"])
            .alias_handshake("www.example.com", AliasHandshake::NameRefused, None)
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::CF_HOST_FORWARD_ALIAS_MISMATCH);
        assert_eq!(
            finding.evidence["uncovered"],
            json!([{"alias": "www.example.com", "names": null}])
        );
    }

    #[test]
    fn an_alias_without_a_handshake_is_reported_apart() {
        let observation = origin()
            .host_forwarded_for(&["www.example.com", "shop.example.com", "api.example.com"])
            .alias_certificate("www.example.com", None)
            .alias_certificate("shop.example.com", Some(vec![]))
            .alias_certificate("api.example.com", Some(certificate_for(&["example.com"])))
            .build();
        let findings = check(&observation);
        assert_eq!(
            codes(&findings),
            vec![
                Code::CF_HOST_FORWARD_ALIAS_MISMATCH,
                Code::CF_HOST_FORWARD_ALIAS_MISMATCH
            ]
        );
        assert_eq!(
            findings[0].evidence["uncovered"][0]["alias"],
            "api.example.com"
        );
        assert_eq!(
            findings[1].evidence["failed_aliases"],
            json!(["www.example.com", "shop.example.com"])
        );
        assert_eq!(findings[1].severity, Severity::Critical);
        assert!(findings[1].summary.contains("no TLS handshake completes"));
        assert_eq!(
            findings[1].evidence["errors"][0]["error"],
            "S2N_ERR_CERT_UNTRUSTED"
        );
    }
}
