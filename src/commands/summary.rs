//! What a run says on stderr when it ends: one summary line (counts by risk, time, where the
//! report went), and, when a gate trips, why: the threshold, how many origins, and the first few
//! with their codes. `-q` silences the summary, never the gate's reason.

use std::collections::BTreeMap;

use crate::finding::{FindingStatus, GateLevel, Risk};
use crate::report::baseline::BaselineTally;
use crate::report::escape::printable;
use crate::report::{counted, OriginReport, Report};

/// Origins named in a gate's reason before "and N more".
const ORIGINS_NAMED: usize = 5;

/// `200 origins in 5.7 s: 111 critical, 31 high, 0 medium, 5 low, 53 ok; report: audit.csv`.
pub(crate) fn summary_line(report: &Report, destination: &str) -> String {
    let counts: Vec<String> = Risk::ALL
        .iter()
        .map(|risk| {
            let n = report.summary.by_risk.get(risk).copied().unwrap_or(0);
            format!("{n} {risk}")
        })
        .collect();
    let mut line = format!(
        "{} in {:.1} s: {}",
        counted(report.summary.origins, "origin"),
        report.summary.duration_ms as f64 / 1000.0,
        counts.join(", ")
    );
    if report.summary.interrupted {
        line.push_str(&format!(
            "; interrupted: {} not scanned",
            counted(report.summary.not_scanned, "target")
        ));
    }
    if !report.skipped.is_empty() {
        line.push_str(&format!(
            "; {} skipped",
            counted(report.skipped.len(), "origin")
        ));
    }
    line.push_str(&format!("; report: {}", printable(destination)));
    line
}

/// Why each gate tripped, one sentence a gate; empty when none did (a scan tallies them as
/// origins finish: [`StreamTally`]).
#[cfg(test)]
pub(crate) fn gate_reasons(
    report: &Report,
    fail_on: GateLevel,
    fail_on_new: GateLevel,
) -> Vec<String> {
    let mut gates = GateTally::new(fail_on, fail_on_new);
    for origin in &report.origins {
        gates.add(origin);
    }
    gates.reasons(report.summary.baseline.is_some())
}

/// The origins that trip one gate: how many, and the first [`ORIGINS_NAMED`] in rank order
/// with their codes (kept as they come, so that no row need be held).
#[derive(Debug, Default)]
struct Tripped {
    count: usize,
    /// (score, origin, port, codes), best ranked first.
    named: Vec<(u32, String, u16, Vec<&'static str>)>,
}

impl Tripped {
    fn add(&mut self, origin: &OriginReport, codes: Vec<&'static str>) {
        self.count += 1;
        let rank_key =
            |score: u32, name: &str, port: u16| (std::cmp::Reverse(score), name.to_string(), port);
        let key = rank_key(origin.score, &origin.origin, origin.port);
        let at = self
            .named
            .partition_point(|(score, name, port, _)| rank_key(*score, name, *port) <= key);
        if at < ORIGINS_NAMED {
            self.named.insert(
                at,
                (origin.score, origin.origin.clone(), origin.port, codes),
            );
            self.named.truncate(ORIGINS_NAMED);
        }
    }

    /// `a.example:443 (CERT_EXPIRED), b.example:443 (TLS_NO_COMMON_PROTOCOL) and 3 more`.
    fn names(&self) -> String {
        let named: Vec<String> = self
            .named
            .iter()
            .map(|(_, name, port, codes)| {
                format!("{}:{port} ({})", printable(name), codes.join(", "))
            })
            .collect();
        let more = self.count.saturating_sub(ORIGINS_NAMED);
        if more == 0 {
            named.join(", ")
        } else {
            format!("{} and {more} more", named.join(", "))
        }
    }
}

/// The `--fail-on` and `--fail-on-new` gates, fed one origin at a time.
#[derive(Debug)]
struct GateTally {
    fail_on: GateLevel,
    fail_on_new: GateLevel,
    at_or_above: Tripped,
    with_new: Tripped,
}

impl GateTally {
    fn new(fail_on: GateLevel, fail_on_new: GateLevel) -> GateTally {
        GateTally {
            fail_on,
            fail_on_new,
            at_or_above: Tripped::default(),
            with_new: Tripped::default(),
        }
    }

    fn add(&mut self, origin: &OriginReport) {
        if self.fail_on.trips(origin.risk) {
            let codes = origin
                .findings
                .iter()
                .filter(|f| self.fail_on.includes(f.severity))
                .map(|f| f.code.as_str())
                .collect();
            self.at_or_above.add(origin, codes);
        }
        let new: Vec<&'static str> = origin
            .findings
            .iter()
            .filter(|f| {
                f.status != Some(FindingStatus::Known) && self.fail_on_new.includes(f.severity)
            })
            .map(|f| f.code.as_str())
            .collect();
        if !new.is_empty() {
            self.with_new.add(origin, new);
        }
    }

    fn reasons(&self, baseline: bool) -> Vec<String> {
        let (fail_on, fail_on_new) = (self.fail_on, self.fail_on_new);
        let mut reasons = Vec::new();
        if self.at_or_above.count > 0 {
            reasons.push(format!(
                "--fail-on {fail_on}: {} at or above {fail_on}: {}",
                counted(self.at_or_above.count, "origin"),
                self.at_or_above.names()
            ));
        }
        if self.with_new.count > 0 {
            let against = if baseline {
                "new against the baseline"
            } else {
                "new (no --baseline given: every finding counts as new)"
            };
            reasons.push(format!(
                "--fail-on-new {fail_on_new}: {} with findings at or above {fail_on_new} {against}: {}",
                counted(self.with_new.count, "origin"),
                self.with_new.names()
            ));
        }
        reasons
    }
}

/// What a streamed scan (NDJSON) keeps of its origins once their lines are written: counts by
/// risk, the gates, and the baseline's tally; no row.
pub(crate) struct StreamTally<'a> {
    origins: usize,
    by_risk: BTreeMap<Risk, usize>,
    gates: GateTally,
    baseline: Option<BaselineTally<'a>>,
}

impl<'a> StreamTally<'a> {
    /// A tally for the gates `fail_on` and `fail_on_new`, against `previous` if given.
    pub(crate) fn new(
        previous: Option<&'a Report>,
        fail_on: GateLevel,
        fail_on_new: GateLevel,
    ) -> StreamTally<'a> {
        StreamTally {
            origins: 0,
            by_risk: BTreeMap::new(),
            gates: GateTally::new(fail_on, fail_on_new),
            baseline: previous.map(BaselineTally::new),
        }
    }

    /// Counts one origin, first marking its findings new or known against the baseline.
    pub(crate) fn add(&mut self, origin: &mut OriginReport) {
        if let Some(baseline) = self.baseline.as_mut() {
            baseline.mark(origin);
        }
        self.origins += 1;
        *self.by_risk.entry(origin.risk).or_default() += 1;
        self.gates.add(origin);
    }

    /// Puts the counts (and the baseline's) in `report`, whose rows were not kept; returns
    /// why each gate tripped.
    pub(crate) fn finish(self, report: &mut Report) -> Vec<String> {
        report.summary.origins = self.origins;
        for (risk, count) in self.by_risk {
            report.summary.by_risk.insert(risk, count);
        }
        let baseline = self.baseline.is_some();
        if let Some(tally) = self.baseline {
            tally.finish(report);
        }
        self.gates.reasons(baseline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Finding, Severity};
    use crate::report::options::ReportOptions;
    use crate::target::{Host, Target};

    fn report(rows: &[(&str, Vec<Code>)]) -> Report {
        let origins = rows
            .iter()
            .map(|(name, codes)| {
                let findings = codes.iter().map(|c| Finding::new(*c, "x")).collect();
                OriginReport::new(&Target::new(Host::Name(name.to_string())), findings)
            })
            .collect();
        Report::new(
            origins,
            ReportOptions::default(),
            std::time::Duration::from_millis(5_700),
            false,
            0,
        )
    }

    #[test]
    fn the_summary_counts_by_risk_and_names_the_destination() {
        let r = report(&[
            ("a.example", vec![Code::CERT_EXPIRED]),
            ("b.example", vec![]),
        ]);
        assert_eq!(
            summary_line(&r, "audit.csv"),
            "2 origins in 5.7 s: 1 critical, 0 high, 0 medium, 0 low, 1 ok; report: audit.csv"
        );
        let one = report(&[("a.example", vec![])]);
        assert!(summary_line(&one, "stdout").starts_with("1 origin in "));
    }

    #[test]
    fn a_tripped_gate_names_the_threshold_and_the_first_origins() {
        let rows: Vec<(String, Vec<Code>)> = (0..7)
            .map(|i| (format!("o{i}.example"), vec![Code::CERT_EXPIRED]))
            .collect();
        let rows: Vec<(&str, Vec<Code>)> =
            rows.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
        let r = report(&rows);
        let high = GateLevel::AtLeast(Severity::High);
        let reasons = gate_reasons(&r, high, GateLevel::Never);
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].starts_with("--fail-on high: 7 origins at or above high: "),
            "{}",
            reasons[0]
        );
        assert!(reasons[0].contains(":443 (CERT_EXPIRED)"));
        assert!(reasons[0].ends_with(" and 2 more"), "{}", reasons[0]);
        assert!(gate_reasons(&r, GateLevel::Never, GateLevel::Never).is_empty());
        let new = gate_reasons(&r, GateLevel::Never, high);
        assert!(new[0].contains("no --baseline given"), "{}", new[0]);
    }
}
