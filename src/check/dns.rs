//! DNS findings from the resolution: NXDOMAIN, SERVFAIL, timeouts, no address, dangling,
//! looping and long CNAME chains, and addresses CloudFront cannot reach.

use serde_json::json;

use crate::finding::{Code, Finding};
use crate::probe::dns::{DnsFailure, Resolution};
use crate::probe::Observation;
use crate::target::IpAddressType;

/// CNAME chains longer than this are a risk (docs/FINDINGS.md).
pub(crate) const MAX_CNAME_CHAIN: usize = 8;

/// Findings from the resolution: its failure, a CNAME chain over [`MAX_CNAME_CHAIN`] links,
/// and addresses left out as outside the scan's scope (an IP literal's and `--resolve`'s too).
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings = Vec::new();
    let name = observation.target.origin.to_string();
    let chain = match &observation.resolution {
        Resolution::Failed {
            failure,
            cname_chain,
        } => {
            let family = observation.target.ip_address_type;
            findings.push(failure_finding(&name, family, failure, cname_chain));
            cname_chain
        }
        Resolution::Resolved { cname_chain, .. } => cname_chain,
        Resolution::Literal(_) | Resolution::Overridden(_) => return private(observation),
    };
    if chain.len() > MAX_CNAME_CHAIN {
        findings.push(
            Finding::new(
                Code::DNS_CNAME_CHAIN_LONG,
                format!(
                    "{name} goes through {} CNAMEs (more than {MAX_CNAME_CHAIN})",
                    chain.len()
                ),
            )
            .evidence("cname_chain", json!(chain)),
        );
    }
    findings.extend(private(observation));
    findings
}

fn failure_finding(
    name: &str,
    family: IpAddressType,
    failure: &DnsFailure,
    chain: &[String],
) -> Finding {
    // The records IpAddressType makes CloudFront ask for, and the IpAddressType as the API
    // spells it.
    let (wanted, setting) = match family {
        IpAddressType::Ipv4 => ("A", "ipv4"),
        IpAddressType::Ipv6 => ("AAAA", "ipv6"),
        IpAddressType::DualStack => ("A or AAAA", "dualstack"),
    };
    let finding = match failure {
        DnsFailure::NxDomain => Finding::new(
            Code::DNS_NXDOMAIN,
            format!("{name} does not exist (NXDOMAIN)"),
        )
        .evidence("rcode", "NXDOMAIN"),
        DnsFailure::ServFail => Finding::new(
            Code::DNS_SERVFAIL,
            format!("resolving {name} fails with SERVFAIL"),
        )
        .evidence("rcode", "SERVFAIL"),
        DnsFailure::Refused => Finding::new(
            Code::DNS_SERVFAIL,
            format!("the resolvers refuse to resolve {name}"),
        )
        .evidence("rcode", "REFUSED"),
        DnsFailure::Timeout => Finding::new(
            Code::DNS_TIMEOUT,
            format!("no resolver answered for {name} in time"),
        )
        .evidence("error", "timeout"),
        DnsFailure::NoAddress => Finding::new(
            Code::DNS_NO_ADDRESS,
            format!("{name} exists but has no {wanted} record"),
        )
        .evidence("rcode", "NOERROR")
        .evidence("answers", 0)
        .evidence("ip_address_type", setting),
        DnsFailure::OtherFamilyOnly(addresses) => {
            let (other, fix) = match family {
                IpAddressType::Ipv6 => ("A", "IPv6 only; give the name an AAAA record or set IpAddressType to ipv4 or dualstack"),
                _ => ("AAAA", "IPv4 only; give the name an A record or set IpAddressType to ipv6 or dualstack"),
            };
            let shown: Vec<String> = addresses.iter().map(ToString::to_string).collect();
            Finding::new(
                Code::DNS_NO_ADDRESS,
                format!(
                    "{name} has no {wanted} record, only {other} ({}): with IpAddressType {setting} CloudFront connects over {fix}",
                    shown.join(", ")
                ),
            )
            .evidence("rcode", "NOERROR")
            .evidence("answers", 0)
            .evidence("ip_address_type", setting)
            .evidence("other_family_addresses", json!(shown))
        }
        DnsFailure::DanglingCname => Finding::new(
            Code::DNS_CNAME_DANGLING,
            format!(
                "{name} is a CNAME to {}, which does not resolve",
                chain.last().map(String::as_str).unwrap_or("a missing name")
            ),
        )
        .evidence("dangling_target", chain.last().cloned().unwrap_or_default()),
        DnsFailure::CnameLoop => {
            let mut path = vec![name.to_string()];
            path.extend(chain.iter().cloned());
            Finding::new(
                Code::DNS_CNAME_LOOP,
                format!(
                    "{name} is a CNAME loop ({}): it never resolves, so CloudFront answers 502",
                    path.join(" → ")
                ),
            )
            .evidence("cname_loop", json!(path))
        }
        DnsFailure::DnssecBogus(bogus) => {
            let answered: Vec<String> = bogus.addresses.iter().map(ToString::to_string).collect();
            let errors: Vec<String> = bogus.extended_errors.iter().map(|e| e.describe()).collect();
            let why = if errors.is_empty() {
                String::new()
            } else {
                format!(" (the resolver says: {})", errors.join("; "))
            };
            Finding::new(
                Code::DNS_DNSSEC_BOGUS,
                format!(
                    "resolving {name} fails with SERVFAIL, but resolves to {} with DNSSEC checking disabled: its DNSSEC signatures do not validate{why}",
                    answered.join(", ")
                ),
            )
            .evidence("rcode", "SERVFAIL")
            .evidence("resolver", bogus.resolver.to_string())
            .evidence(
                "checking_disabled_answer",
                json!({ "type": bogus.record_type.to_string(), "addresses": answered }),
            )
            .evidence("extended_errors", json!(errors))
        }
        DnsFailure::Other(error) => Finding::new(
            Code::DNS_SERVFAIL,
            format!("resolving {name} failed: {error}"),
        )
        .evidence("error", error.as_str()),
    };
    if chain.is_empty() {
        finding
    } else {
        finding.evidence("cname_chain", json!(chain))
    }
}

fn private(observation: &Observation) -> Vec<Finding> {
    if observation.out_of_scope.is_empty() {
        return Vec::new();
    }
    let addresses: Vec<String> = observation
        .out_of_scope
        .iter()
        .map(|ip| ip.to_string())
        .collect();
    vec![Finding::new(
        Code::DNS_PRIVATE_ADDRESS,
        format!(
            "{} resolves to {} that CloudFront cannot reach (not connected to)",
            observation.target.origin,
            addresses.join(", ")
        ),
    )
    .evidence("addresses", json!(addresses))
    .evidence("connected", false)
    .evidence("allow_with", "--allow-private CIDR")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{codes, single, ObservationBuilder};
    use crate::finding::Severity;

    fn origin() -> ObservationBuilder {
        ObservationBuilder::for_origin("origin.example.com")
    }

    /// `links` CNAME targets, `hop1.example.net` and on.
    fn chain_of(links: usize) -> Vec<String> {
        (1..=links).map(|i| format!("hop{i}.example.net")).collect()
    }

    fn failing(failure: DnsFailure) -> Finding {
        single(check(&origin().dns_failed(failure).build()))
    }

    #[test]
    fn a_name_resolved_to_public_addresses_has_no_finding() {
        let resolved = origin()
            .resolved(&["192.0.2.1", "2001:db8::1"])
            .through_cnames(&["cdn.example.net"])
            .build();
        assert!(check(&resolved).is_empty(), "{:?}", check(&resolved));
        let literal = ObservationBuilder::for_origin("198.51.100.7").build();
        assert!(check(&literal).is_empty());
        let overridden = origin().overridden(&["203.0.113.5"]).build();
        assert!(check(&overridden).is_empty());
    }

    #[test]
    fn a_servfail_that_resolves_with_checking_disabled_is_dnssec_bogus() {
        use crate::probe::dns::{DnssecBogus, ExtendedError};
        let finding = failing(DnsFailure::DnssecBogus(DnssecBogus {
            resolver: "127.0.0.53:53".parse().unwrap(),
            addresses: vec!["192.0.2.7".parse().unwrap()],
            record_type: hickory_proto::rr::RecordType::A,
            extended_errors: vec![ExtendedError {
                code: 7,
                text: "signature expired".into(),
            }],
        }));
        assert_eq!(finding.code, Code::DNS_DNSSEC_BOGUS);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["rcode"], "SERVFAIL");
        assert_eq!(
            finding.evidence["checking_disabled_answer"]["addresses"][0],
            "192.0.2.7"
        );
        assert_eq!(
            finding.evidence["extended_errors"][0],
            "7 (Signature Expired): signature expired"
        );
        assert!(finding.summary.contains("Signature Expired"));
        // A plain SERVFAIL is not DNSSEC's.
        assert_eq!(failing(DnsFailure::ServFail).code, Code::DNS_SERVFAIL);
    }

    #[test]
    fn nxdomain_is_critical() {
        let finding = failing(DnsFailure::NxDomain);
        assert_eq!(finding.code, Code::DNS_NXDOMAIN);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["rcode"], "NXDOMAIN");
        assert!(finding.summary.contains("origin.example.com"));
    }

    #[test]
    fn servfail_refused_and_other_errors_are_servfail() {
        let servfail = failing(DnsFailure::ServFail);
        assert_eq!(servfail.code, Code::DNS_SERVFAIL);
        assert_eq!(servfail.severity, Severity::Critical);
        assert_eq!(servfail.evidence["rcode"], "SERVFAIL");

        let refused = failing(DnsFailure::Refused);
        assert_eq!(refused.code, Code::DNS_SERVFAIL);
        assert_eq!(refused.evidence["rcode"], "REFUSED");

        let other = failing(DnsFailure::Other("network unreachable".into()));
        assert_eq!(other.code, Code::DNS_SERVFAIL);
        assert_eq!(other.evidence["error"], "network unreachable");
    }

    #[test]
    fn no_answer_in_time_is_a_timeout() {
        let finding = failing(DnsFailure::Timeout);
        assert_eq!(finding.code, Code::DNS_TIMEOUT);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["error"], "timeout");
    }

    #[test]
    fn a_name_without_a_or_aaaa_has_no_address() {
        let finding = failing(DnsFailure::NoAddress);
        assert_eq!(finding.code, Code::DNS_NO_ADDRESS);
        assert_eq!(finding.evidence["rcode"], "NOERROR");
        assert_eq!(finding.evidence["answers"], 0);
    }

    /// Issue 16, item 8: an `ipv6` origin whose name has only an A record is told so, not
    /// "no A or AAAA record".
    #[test]
    fn a_single_family_origin_with_only_the_other_family_says_so() {
        let mut observation = origin()
            .dns_failed(DnsFailure::OtherFamilyOnly(vec!["192.0.2.1"
                .parse()
                .unwrap()]))
            .build();
        observation.target.ip_address_type = IpAddressType::Ipv6;
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::DNS_NO_ADDRESS);
        assert!(
            finding
                .summary
                .contains("has no AAAA record, only A (192.0.2.1): with IpAddressType ipv6"),
            "{}",
            finding.summary
        );
        assert_eq!(
            finding.evidence["other_family_addresses"],
            json!(["192.0.2.1"])
        );

        observation.target.ip_address_type = IpAddressType::Ipv4;
        observation.resolution = Resolution::Failed {
            failure: DnsFailure::OtherFamilyOnly(vec!["2001:db8::1".parse().unwrap()]),
            cname_chain: Vec::new(),
        };
        let finding = single(check(&observation));
        assert!(
            finding
                .summary
                .contains("has no A record, only AAAA (2001:db8::1)"),
            "{}",
            finding.summary
        );
        // Without the other family, the record asked for is named.
        observation.resolution = Resolution::Failed {
            failure: DnsFailure::NoAddress,
            cname_chain: Vec::new(),
        };
        observation.target.ip_address_type = IpAddressType::Ipv6;
        assert!(single(check(&observation))
            .summary
            .ends_with("exists but has no AAAA record"));
    }

    #[test]
    fn a_dangling_cname_names_its_last_target_and_the_chain() {
        let observation = origin()
            .dns_failed(DnsFailure::DanglingCname)
            .through_cnames(&["cdn.example.net", "gone.example.org"])
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::DNS_CNAME_DANGLING);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["dangling_target"], "gone.example.org");
        assert_eq!(
            finding.evidence["cname_chain"],
            json!(["cdn.example.net", "gone.example.org"])
        );
    }

    /// Issue 17, item 5d: a CNAME loop is its own finding, not DNS_NO_ADDRESS.
    #[test]
    fn a_cname_loop_is_a_loop_with_its_path() {
        let observation = origin()
            .dns_failed(DnsFailure::CnameLoop)
            .through_cnames(&["b.example.net", "origin.example.com"])
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::DNS_CNAME_LOOP);
        assert_eq!(finding.severity, crate::finding::Severity::Critical);
        assert_eq!(
            finding.evidence["cname_loop"],
            json!(["origin.example.com", "b.example.net", "origin.example.com"])
        );
        assert!(finding
            .summary
            .contains("origin.example.com → b.example.net → origin.example.com"));
    }

    #[test]
    fn eight_cname_links_are_fine_and_nine_are_too_long() {
        let eight = origin().through_cnames(&chain_of(MAX_CNAME_CHAIN)).build();
        assert!(check(&eight).is_empty(), "{:?}", check(&eight));

        let nine = origin()
            .through_cnames(&chain_of(MAX_CNAME_CHAIN + 1))
            .build();
        let finding = single(check(&nine));
        assert_eq!(finding.code, Code::DNS_CNAME_CHAIN_LONG);
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["cname_chain"], json!(chain_of(9)));
    }

    #[test]
    fn a_long_chain_is_reported_beside_the_failure_it_ends_in() {
        let observation = origin()
            .dns_failed(DnsFailure::NxDomain)
            .through_cnames(&chain_of(9))
            .build();
        assert_eq!(
            codes(&check(&observation)),
            vec![Code::DNS_NXDOMAIN, Code::DNS_CNAME_CHAIN_LONG]
        );
    }

    #[test]
    fn addresses_out_of_scope_are_private_and_not_connected_to() {
        let observation = origin()
            .resolved(&["192.0.2.1", "10.0.0.1"])
            .out_of_scope(&["10.0.0.1"])
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::DNS_PRIVATE_ADDRESS);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.evidence["addresses"], json!(["10.0.0.1"]));
        assert_eq!(finding.evidence["connected"], false);
    }

    #[test]
    fn private_literals_and_overrides_are_reported_too() {
        let literal = ObservationBuilder::for_origin("10.1.2.3")
            .out_of_scope(&["10.1.2.3"])
            .build();
        assert_eq!(codes(&check(&literal)), vec![Code::DNS_PRIVATE_ADDRESS]);
        let overridden = origin()
            .overridden(&["fd00::1"])
            .out_of_scope(&["fd00::1"])
            .build();
        let finding = single(check(&overridden));
        assert_eq!(finding.code, Code::DNS_PRIVATE_ADDRESS);
        assert_eq!(finding.evidence["addresses"], json!(["fd00::1"]));
    }
}
