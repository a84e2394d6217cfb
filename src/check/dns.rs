//! DNS findings from the resolution: NXDOMAIN, SERVFAIL, timeouts, no address, long CNAME
//! chains, and addresses CloudFront cannot reach.

use serde_json::json;

use crate::finding::{Code, Finding};
use crate::probe::dns::{DnsFailure, Resolution};
use crate::probe::Observation;

/// CNAME chains longer than this are a risk (docs/FINDINGS.md).
pub const MAX_CNAME_CHAIN: usize = 8;

/// DNS findings.
pub fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings = Vec::new();
    let name = observation.target.origin.to_string();
    let chain = match &observation.resolution {
        Resolution::Failed {
            failure,
            cname_chain,
        } => {
            findings.push(failure_finding(&name, failure, cname_chain));
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

fn failure_finding(name: &str, failure: &DnsFailure, chain: &[String]) -> Finding {
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
            format!("{name} exists but has no A or AAAA record"),
        )
        .evidence("rcode", "NOERROR")
        .evidence("answers", 0),
        DnsFailure::DanglingCname => Finding::new(
            Code::DNS_CNAME_DANGLING,
            format!(
                "{name} is a CNAME to {}, which does not resolve",
                chain.last().map(String::as_str).unwrap_or("a missing name")
            ),
        )
        .evidence("dangling_target", chain.last().cloned().unwrap_or_default()),
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
