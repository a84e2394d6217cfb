//! Configuration findings that need the distribution's settings: a forwarded Host whose aliases
//! the origin's certificate does not cover (CF_HOST_FORWARD_ALIAS_MISMATCH). The protocol and
//! read-timeout configuration findings live with the TLS and HTTP checks that observe them.

use serde_json::json;

use crate::check::cert::facts::CertFacts;
use crate::finding::{Code, Finding};
use crate::probe::{Observation, MAX_ALIASES_PROBED};
use crate::target::HostForwarding;

/// Configuration findings.
pub fn check(observation: &Observation) -> Vec<Finding> {
    let target = &observation.target;
    if target.host_forwarding != HostForwarding::Forwarded
        || observation.alias_certificates.is_empty()
    {
        return Vec::new();
    }
    let mut uncovered = Vec::new();
    let mut unreachable = Vec::new();
    for alias in &observation.alias_certificates {
        match alias
            .chain
            .as_ref()
            .and_then(|chain| chain.first())
            .and_then(|leaf| CertFacts::parse(leaf))
        {
            Some(leaf) if leaf.covers(&alias.alias) => {}
            Some(leaf) => uncovered.push(json!({"alias": alias.alias, "names": leaf.names()})),
            None => unreachable.push(alias.alias.clone()),
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
            .evidence(
                "aliases_probed",
                target.aliases.len().min(MAX_ALIASES_PROBED),
            ),
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
            .evidence("failed_aliases", json!(unreachable)),
        );
    }
    findings
}
