//! What a run says on stderr when it ends: one summary line (counts by risk, time, where the
//! report went), and, when a gate trips, why: the threshold, how many origins, and the first few
//! with their codes. `-q` silences the summary, never the gate's reason.

use crate::finding::{FindingStatus, GateLevel, Risk};
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

/// Why each gate tripped, one sentence a gate; empty when none did.
pub(crate) fn gate_reasons(
    report: &Report,
    fail_on: GateLevel,
    fail_on_new: GateLevel,
) -> Vec<String> {
    let mut reasons = Vec::new();
    let at_or_above: Vec<&OriginReport> = report
        .origins
        .iter()
        .filter(|o| fail_on.trips(o.risk))
        .collect();
    if !at_or_above.is_empty() {
        reasons.push(format!(
            "--fail-on {fail_on}: {} at or above {fail_on}: {}",
            counted(at_or_above.len(), "origin"),
            name_origins(&at_or_above, |o| {
                o.findings
                    .iter()
                    .filter(|f| fail_on.includes(f.severity))
                    .map(|f| f.code.as_str())
                    .collect()
            })
        ));
    }
    let is_new = |o: &OriginReport| {
        o.findings
            .iter()
            .filter(|f| f.status != Some(FindingStatus::Known) && fail_on_new.includes(f.severity))
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>()
    };
    let with_new: Vec<&OriginReport> = report
        .origins
        .iter()
        .filter(|o| !is_new(o).is_empty())
        .collect();
    if !with_new.is_empty() {
        let against = if report.summary.baseline.is_some() {
            "new against the baseline"
        } else {
            "new (no --baseline given: every finding counts as new)"
        };
        reasons.push(format!(
            "--fail-on-new {fail_on_new}: {} with findings at or above {fail_on_new} {against}: {}",
            counted(with_new.len(), "origin"),
            name_origins(&with_new, is_new)
        ));
    }
    reasons
}

/// `a.example:443 (CERT_EXPIRED), b.example:443 (TLS_NO_COMMON_PROTOCOL) and 3 more`.
fn name_origins<'a>(
    origins: &[&'a OriginReport],
    codes: impl Fn(&'a OriginReport) -> Vec<&'static str>,
) -> String {
    let named: Vec<String> = origins
        .iter()
        .take(ORIGINS_NAMED)
        .map(|o| {
            format!(
                "{}:{} ({})",
                printable(&o.origin),
                o.port,
                codes(o).join(", ")
            )
        })
        .collect();
    let more = origins.len().saturating_sub(ORIGINS_NAMED);
    if more == 0 {
        named.join(", ")
    } else {
        format!("{} and {more} more", named.join(", "))
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
