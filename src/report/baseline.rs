//! Baselines and diffs. [`apply`] marks each finding of a report `new` or `known` against a
//! previous report (`--baseline`) and lists the findings that no longer fire; [`gate_new`] is
//! the `--fail-on-new` gate; [`diff`] says what changed between two reports
//! (`originscan diff OLD.json NEW.json`).
//!
//! A finding is identified by (origin, port, code): its summary and evidence may change from
//! one scan to the next (a certificate's days left) without it becoming new. An origin row is
//! identified by (origin, port, distribution id, origin id), as in [`super::merge`].

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::escape::printable;
use super::{OriginReport, Report, ResolvedFinding};
use crate::finding::{Code, FindingStatus, GateLevel, Risk, Severity};

/// How a report compares with its baseline: findings new, known, and resolved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// How many findings are not in the baseline (matched by origin, port and code).
    #[serde(default)]
    pub new: usize,
    /// How many findings were in the baseline already.
    #[serde(default)]
    pub known: usize,
    /// Findings of the baseline that no longer fire.
    #[serde(default)]
    pub resolved: usize,
}

type FindingKey<'a> = (&'a str, u16, Code);

fn finding_keys(report: &Report) -> HashSet<FindingKey<'_>> {
    report
        .origins
        .iter()
        .flat_map(|o| {
            o.findings
                .iter()
                .map(|f| (o.origin.as_str(), o.port, f.code))
        })
        .collect()
}

/// Marks every finding of `report` new or known against `previous`, lists the findings of
/// `previous` that `report` no longer has in `report.resolved` (one per origin, port and code),
/// and records the counts in `report.summary.baseline`. Applying again replaces all three.
pub fn apply(report: &mut Report, previous: &Report) -> BaselineSummary {
    let mut tally = BaselineTally::new(previous);
    for origin in &mut report.origins {
        tally.mark(origin);
    }
    tally.finish(report)
}

/// [`apply`] one origin at a time, as a streamed scan (NDJSON) reports them: it holds the
/// baseline's finding keys and those seen again, never the rows.
pub(crate) struct BaselineTally<'a> {
    previous: &'a Report,
    /// Each finding key of the baseline, numbered.
    before: HashMap<FindingKey<'a>, usize>,
    /// Which of them this report has.
    seen: Vec<bool>,
    summary: BaselineSummary,
}

impl<'a> BaselineTally<'a> {
    /// A tally against the baseline `previous`.
    pub(crate) fn new(previous: &'a Report) -> BaselineTally<'a> {
        let before: HashMap<FindingKey<'a>, usize> = finding_keys(previous)
            .into_iter()
            .enumerate()
            .map(|(i, key)| (key, i))
            .collect();
        BaselineTally {
            previous,
            seen: vec![false; before.len()],
            before,
            summary: BaselineSummary::default(),
        }
    }

    /// Marks each finding of `origin` new or known.
    pub(crate) fn mark(&mut self, origin: &mut OriginReport) {
        for finding in &mut origin.findings {
            let before: &HashMap<FindingKey<'_>, usize> = &self.before;
            let status = match before.get(&(origin.origin.as_str(), origin.port, finding.code)) {
                Some(&i) => {
                    self.seen[i] = true;
                    self.summary.known += 1;
                    FindingStatus::Known
                }
                None => {
                    self.summary.new += 1;
                    FindingStatus::New
                }
            };
            finding.status = Some(status);
        }
    }

    /// Lists the baseline's findings no origin had in `report.resolved` and records the counts
    /// in `report.summary.baseline`.
    pub(crate) fn finish(mut self, report: &mut Report) -> BaselineSummary {
        let mut listed = HashSet::new();
        let mut resolved = Vec::new();
        for origin in &self.previous.origins {
            for finding in &origin.findings {
                let key = (origin.origin.as_str(), origin.port, finding.code);
                let seen = self.before.get(&key).is_some_and(|&i| self.seen[i]);
                if !seen && listed.insert(key) {
                    resolved.push(ResolvedFinding {
                        origin: origin.origin.clone(),
                        port: origin.port,
                        code: finding.code,
                        summary: finding.summary.clone(),
                    });
                }
            }
        }
        self.summary.resolved = resolved.len();
        report.resolved = resolved;
        report.summary.baseline = Some(self.summary);
        self.summary
    }
}

/// The `--fail-on-new` gate: whether a finding at or above `level` is new. Findings without a
/// status (no baseline was applied) count as new, so a forgotten `--baseline` fails safe.
pub fn gate_new(report: &Report, level: GateLevel) -> bool {
    report.origins.iter().any(|o| {
        o.findings
            .iter()
            .any(|f| f.status != Some(FindingStatus::Known) && level.includes(f.severity))
    })
}

/// A finding in a [`Diff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingChange {
    /// The finding's catalog code: what a diff matches findings on, within an origin row.
    pub code: Code,
    /// Its severity (in the report it comes from).
    pub severity: Severity,
    /// Its summary (in the report it comes from).
    pub summary: String,
}

/// One origin row that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginChange {
    /// The origin domain or IP literal, as in the reports' rows.
    pub origin: String,
    /// The port the reports show: HTTPS unless the policy is http-only.
    pub port: u16,
    /// Distribution id, if from a CloudFront export.
    pub distribution_id: Option<String>,
    /// Origin id, if from a CloudFront export.
    pub origin_id: Option<String>,
    /// Risk in the old report (`None` when added).
    pub old_risk: Option<Risk>,
    /// Risk in the new report (`None` when removed).
    pub new_risk: Option<Risk>,
    /// Risk score (0-100) in the old report (`None` when added).
    pub old_score: Option<u32>,
    /// Risk score (0-100) in the new report (`None` when removed).
    pub new_score: Option<u32>,
    /// Codes the new report has and the old did not (all findings of an added origin).
    pub new_findings: Vec<FindingChange>,
    /// Codes the old report had and the new does not.
    pub resolved_findings: Vec<FindingChange>,
}

/// What changed between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// When the old report was made.
    pub old_generated_at: String,
    /// When the new report was made.
    pub new_generated_at: String,
    /// How many origin rows the old report has.
    pub old_origins: usize,
    /// How many origin rows the new report has.
    pub new_origins: usize,
    /// Origins only in the new report, in its rank order.
    pub added: Vec<OriginChange>,
    /// Origins only in the old report, in its rank order.
    pub removed: Vec<OriginChange>,
    /// Origins in both whose findings, risk or score changed, in the new report's rank order.
    pub changed: Vec<OriginChange>,
}

impl Diff {
    /// Whether no origin row was added, removed or changed (the times may still differ).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

type RowKey<'a> = (&'a str, u16, Option<&'a str>, Option<&'a str>);

fn row_key(o: &OriginReport) -> RowKey<'_> {
    (
        o.origin.as_str(),
        o.port,
        o.distribution_id.as_deref(),
        o.origin_id.as_deref(),
    )
}

fn change(o: &OriginReport) -> OriginChange {
    OriginChange {
        origin: o.origin.clone(),
        port: o.port,
        distribution_id: o.distribution_id.clone(),
        origin_id: o.origin_id.clone(),
        old_risk: None,
        new_risk: None,
        old_score: None,
        new_score: None,
        new_findings: Vec::new(),
        resolved_findings: Vec::new(),
    }
}

/// The findings of `of` whose code `other` does not have (one per code).
fn missing_from(of: &OriginReport, other: Option<&OriginReport>) -> Vec<FindingChange> {
    let theirs: HashSet<Code> = other
        .map(|o| o.findings.iter().map(|f| f.code).collect())
        .unwrap_or_default();
    let mut listed = HashSet::new();
    of.findings
        .iter()
        .filter(|f| !theirs.contains(&f.code) && listed.insert(f.code))
        .map(|f| FindingChange {
            code: f.code,
            severity: f.severity,
            summary: f.summary.clone(),
        })
        .collect()
}

/// What changed from `old` to `new`: origins added and removed, and per origin in both, the
/// codes new and resolved and the risk and score before and after.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut old_rows: HashMap<RowKey<'_>, &OriginReport> = HashMap::new();
    for o in &old.origins {
        old_rows.entry(row_key(o)).or_insert(o);
    }
    let mut new_rows: HashMap<RowKey<'_>, &OriginReport> = HashMap::new();
    for o in &new.origins {
        new_rows.entry(row_key(o)).or_insert(o);
    }
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut seen = HashSet::new();
    for o in &new.origins {
        let key = row_key(o);
        if !seen.insert(key) {
            continue;
        }
        let before = old_rows.get(&key).copied();
        let mut entry = change(o);
        entry.new_risk = Some(o.risk);
        entry.new_score = Some(o.score);
        entry.old_risk = before.map(|b| b.risk);
        entry.old_score = before.map(|b| b.score);
        entry.new_findings = missing_from(o, before);
        match before {
            None => added.push(entry),
            Some(before) => {
                entry.resolved_findings = missing_from(before, Some(o));
                if !entry.new_findings.is_empty()
                    || !entry.resolved_findings.is_empty()
                    || before.risk != o.risk
                    || before.score != o.score
                {
                    changed.push(entry);
                }
            }
        }
    }
    let mut removed = Vec::new();
    let mut seen = HashSet::new();
    for o in &old.origins {
        let key = row_key(o);
        if seen.insert(key) && !new_rows.contains_key(&key) {
            let mut entry = change(o);
            entry.old_risk = Some(o.risk);
            entry.old_score = Some(o.score);
            removed.push(entry);
        }
    }
    Diff {
        old_generated_at: old.generated_at.clone(),
        new_generated_at: new.generated_at.clone(),
        old_origins: old.origins.len(),
        new_origins: new.origins.len(),
        added,
        removed,
        changed,
    }
}

impl OriginChange {
    fn name(&self) -> String {
        let mut name = format!("{}:{}", printable(&self.origin), self.port);
        match (&self.distribution_id, &self.origin_id) {
            (Some(d), Some(o)) => name.push_str(&format!(" [{}/{}]", printable(d), printable(o))),
            (Some(d), None) => name.push_str(&format!(" [{}]", printable(d))),
            (None, Some(o)) => name.push_str(&format!(" [{}]", printable(o))),
            (None, None) => {}
        }
        name
    }

    fn write_findings(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (sign, list) in [('+', &self.new_findings), ('-', &self.resolved_findings)] {
            for finding in list {
                writeln!(
                    f,
                    "      {sign} {} ({}): {}",
                    finding.code,
                    finding.severity,
                    printable(&finding.summary)
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Diff {
    /// The text `originscan diff` prints. Report text is shown with control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "originscan diff: {} -> {}",
            printable(&self.old_generated_at),
            printable(&self.new_generated_at)
        )?;
        writeln!(
            f,
            "origins: {} -> {} ({} added, {} removed, {} changed)",
            self.old_origins,
            self.new_origins,
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        )?;
        if self.is_empty() {
            return writeln!(f, "no changes");
        }
        let worse = self
            .changed
            .iter()
            .filter(|c| c.new_risk > c.old_risk)
            .count();
        let better = self
            .changed
            .iter()
            .filter(|c| c.new_risk < c.old_risk)
            .count();
        if worse + better > 0 {
            writeln!(
                f,
                "risk: {} worse, {better} better",
                super::counted(worse, "origin")
            )?;
        }
        if !self.added.is_empty() {
            writeln!(f, "\nadded:")?;
            for c in &self.added {
                writeln!(
                    f,
                    "  + {}: {} (score {})",
                    c.name(),
                    c.new_risk.map(Risk::as_str).unwrap_or("?"),
                    c.new_score.unwrap_or(0)
                )?;
                c.write_findings(f)?;
            }
        }
        if !self.removed.is_empty() {
            writeln!(f, "\nremoved:")?;
            for c in &self.removed {
                writeln!(
                    f,
                    "  - {}: was {} (score {})",
                    c.name(),
                    c.old_risk.map(Risk::as_str).unwrap_or("?"),
                    c.old_score.unwrap_or(0)
                )?;
            }
        }
        if !self.changed.is_empty() {
            writeln!(f, "\nchanged:")?;
            for c in &self.changed {
                let risk = match (c.old_risk, c.new_risk) {
                    (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                    (_, Some(b)) => format!("{b}"),
                    _ => "?".to_string(),
                };
                let score = match (c.old_score, c.new_score) {
                    (Some(a), Some(b)) if a != b => format!("score {a} -> {b}"),
                    (_, Some(b)) => format!("score {b}"),
                    _ => String::new(),
                };
                writeln!(f, "  ~ {}: {risk} ({score})", c.name())?;
                c.write_findings(f)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::report::test_support::{origin, report};

    fn previous() -> Report {
        report(vec![
            origin(
                "a.example.com",
                vec![
                    Finding::new(Code::CERT_EXPIRES_SOON, "expires in 20 days")
                        .severity(Severity::Medium),
                    Finding::new(Code::HTTP_NO_KEEPALIVE, "closes"),
                ],
            ),
            origin(
                "gone.example.com",
                vec![Finding::new(Code::TCP_REFUSED, "refused")],
            ),
            origin("b.example.com", vec![]),
        ])
    }

    fn current() -> Report {
        report(vec![
            origin(
                "a.example.com",
                vec![
                    Finding::new(Code::CERT_EXPIRES_SOON, "expires in 5 days"),
                    Finding::new(Code::CERT_EXPIRES_SOON, "intermediate expires in 6 days"),
                    Finding::new(Code::DNS_NS_SINGLE, "one server"),
                ],
            ),
            origin(
                "b.example.com",
                vec![Finding::new(Code::CERT_EXPIRED, "expired")],
            ),
            origin("new.example.com", vec![]),
        ])
    }

    fn status_of(report: &Report, origin: &str, code: Code) -> Vec<Option<FindingStatus>> {
        report
            .origins
            .iter()
            .filter(|o| o.origin == origin)
            .flat_map(|o| o.findings.iter().filter(|f| f.code == code))
            .map(|f| f.status)
            .collect()
    }

    #[test]
    fn marks_new_known_and_lists_resolved() {
        let mut now = current();
        let summary = apply(&mut now, &previous());
        assert_eq!(
            summary,
            BaselineSummary {
                new: 2,
                known: 2,
                resolved: 2
            }
        );
        assert_eq!(now.summary.baseline, Some(summary));
        assert_eq!(
            status_of(&now, "a.example.com", Code::CERT_EXPIRES_SOON),
            vec![Some(FindingStatus::Known); 2]
        );
        assert_eq!(
            status_of(&now, "a.example.com", Code::DNS_NS_SINGLE),
            vec![Some(FindingStatus::New)]
        );
        assert_eq!(
            status_of(&now, "b.example.com", Code::CERT_EXPIRED),
            vec![Some(FindingStatus::New)]
        );
        let resolved: Vec<(&str, Code)> = now
            .resolved
            .iter()
            .map(|r| (r.origin.as_str(), r.code))
            .collect();
        assert_eq!(
            resolved,
            vec![
                ("gone.example.com", Code::TCP_REFUSED),
                ("a.example.com", Code::HTTP_NO_KEEPALIVE)
            ]
        );
        assert_eq!(now.resolved[0].summary, "refused");

        // Serialised: lower-case statuses, the resolved list and the counts; read back equal.
        let json = serde_json::to_value(&now).unwrap();
        assert_eq!(json["origins"][0]["findings"][0]["status"], "new");
        assert_eq!(json["summary"]["baseline"]["resolved"], 2);
        assert_eq!(json["resolved"][0]["code"], "TCP_REFUSED");
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back, now);

        // Applying again replaces rather than accumulates.
        let again = apply(&mut now, &previous());
        assert_eq!(again, summary);
        assert_eq!(now.resolved.len(), 2);
    }

    #[test]
    fn reports_without_baseline_fields_still_parse_and_omit_them() {
        let plain = current();
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json.get("resolved").is_none());
        assert!(json["summary"].get("baseline").is_none());
        assert!(json["origins"][0]["findings"][0].get("status").is_none());
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back, plain);
    }

    #[test]
    fn gate_new_counts_only_new_findings() {
        let mut now = current();
        apply(&mut now, &previous());
        let high: GateLevel = "high".parse().unwrap();
        let critical: GateLevel = "critical".parse().unwrap();
        // CERT_EXPIRED on b is new and critical.
        assert!(gate_new(&now, critical));
        now.origins
            .iter_mut()
            .flat_map(|o| o.findings.iter_mut())
            .filter(|f| f.code == Code::CERT_EXPIRED)
            .for_each(|f| f.status = Some(FindingStatus::Known));
        // The high CERT_EXPIRES_SOON is known; the new DNS_NS_SINGLE is only low.
        assert!(!gate_new(&now, critical));
        assert!(!gate_new(&now, high));
        assert!(gate_new(&now, "low".parse().unwrap()));
        assert!(!gate_new(&now, GateLevel::Never));
        // Without a baseline every finding counts as new.
        assert!(gate_new(&current(), critical));
    }

    #[test]
    fn diff_lists_added_removed_and_changed_origins() {
        let d = diff(&previous(), &current());
        let names =
            |list: &[OriginChange]| list.iter().map(|c| c.origin.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.added), vec!["new.example.com"]);
        assert_eq!(names(&d.removed), vec!["gone.example.com"]);
        assert_eq!(names(&d.changed), vec!["b.example.com", "a.example.com"]);
        let b = &d.changed[0];
        assert_eq!(
            (b.old_risk, b.new_risk),
            (Some(Risk::Ok), Some(Risk::Critical))
        );
        assert_eq!(b.new_findings[0].code, Code::CERT_EXPIRED);
        let a = &d.changed[1];
        assert_eq!(
            (a.old_risk, a.new_risk),
            (Some(Risk::Medium), Some(Risk::High))
        );
        assert_eq!(
            a.new_findings.iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::DNS_NS_SINGLE]
        );
        assert_eq!(
            a.resolved_findings
                .iter()
                .map(|f| f.code)
                .collect::<Vec<_>>(),
            vec![Code::HTTP_NO_KEEPALIVE]
        );

        let text = d.to_string();
        assert!(text.contains("origins: 3 -> 3 (1 added, 1 removed, 2 changed)"));
        assert!(text.contains("  + new.example.com:443: ok (score 0)"));
        assert!(text.contains("  - gone.example.com:443: was critical (score 100)"));
        assert!(text.contains("  ~ b.example.com:443: ok -> critical (score 0 -> 100)"));
        assert!(text.contains("      + CERT_EXPIRED (critical): expired"));
        assert!(text.contains("      - HTTP_NO_KEEPALIVE (low): closes"));
        assert!(text.contains("risk: 2 origins worse, 0 better"));

        let same = diff(&current(), &current());
        assert!(same.is_empty());
        assert!(same.to_string().ends_with("no changes\n"));
    }

    #[test]
    fn diff_keys_rows_by_distribution_and_escapes_terminal_text() {
        let mut one = origin("x.example.com", vec![]);
        one.distribution_id = Some("E1".into());
        let mut two = one.clone();
        two.distribution_id = Some("E2".into());
        let hostile = origin(
            "\u{1b}[2Jevil",
            vec![Finding::new(Code::TCP_REFUSED, "a\nb\u{7}")],
        );
        let d = diff(&report(vec![one]), &report(vec![two, hostile]));
        assert_eq!(d.added.len(), 2);
        assert_eq!(d.removed.len(), 1);
        let text = d.to_string();
        assert!(text.contains("x.example.com:443 [E2]"));
        assert!(text.contains("\\u{1b}[2Jevil:443"));
        assert!(text.contains("a\\u{a}b\\u{7}"));
        assert!(!text.contains('\u{1b}'));
    }
}
