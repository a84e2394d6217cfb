//! Checks judge observations: pure functions from an [`Observation`] to findings.
//!
//! They hold CloudFront's rules and touch no socket, so each is unit-tested on built
//! observations. One file per area.

pub(crate) mod authority;
pub mod cert;
pub(crate) mod distribution;
pub(crate) mod dns;
pub(crate) mod http;
pub(crate) mod tcp;
#[cfg(test)]
pub(crate) mod test_support;
pub(crate) mod tls;
pub(crate) mod verdict;

use crate::check::cert::trust::TrustStore;
use crate::finding::Finding;
use crate::probe::Observation;

/// What the checks need besides the observation.
#[derive(Debug, Clone)]
pub struct CheckContext {
    /// "Now", seconds since the Unix epoch (fixed per scan, so results are consistent).
    pub now: i64,
    /// Certificate expiry horizons in days, ascending: the first gives `high`, the others `medium`.
    pub expiry_warn_days: Vec<u32>,
    /// Mozilla's roots plus the `--ca-file` ones, that chains are verified against.
    pub trust: TrustStore,
}

/// Every finding for one observation, most severe first.
pub fn run(observation: &Observation, context: &CheckContext) -> Vec<Finding> {
    let mut findings = dns::check(observation);
    findings.extend(authority::check(observation));
    findings.extend(tcp::check(observation));
    findings.extend(tls::check(observation));
    findings.extend(http::check(observation));
    findings.extend(cert::check(observation, context));
    findings.extend(distribution::check(observation));
    verdict::apply(observation, &mut findings);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
    findings
}
