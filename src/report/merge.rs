//! `originscan merge`: joins the JSON reports of shards (`--shard I/N`) into one ranked report.
//! Origins are concatenated and ranked again; the summary is counted again (the duration is
//! the longest shard's, since shards run side by side); skipped origins, warnings and resolved
//! findings are joined without repeats. An origin row that two reports both hold (same origin,
//! port, distribution id and origin id) is kept from the first, with a warning.

use std::collections::{HashMap, HashSet};

use super::baseline::BaselineSummary;
use super::options::ReportOptions;
use super::{Report, ResolvedFinding, SCHEMA};
use crate::finding::{Code, FindingStatus};
use crate::target::SkippedOrigin;

/// Why reports could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No report was given.
    #[error("nothing to merge: give at least one report")]
    Empty,
    /// A report is not an `originscan.report.v1` report.
    #[error("report {index} has schema `{schema}`, not `{SCHEMA}`")]
    Schema {
        /// 1-based position in the list given.
        index: usize,
        /// The schema it names.
        schema: String,
    },
}

type RowKey = (String, u16, Option<String>, Option<String>);

fn describe(key: &RowKey) -> String {
    let (origin, port, distribution, origin_id) = key;
    match (distribution, origin_id) {
        (Some(d), Some(o)) => format!("{origin}:{port} ({d}/{o})"),
        (Some(d), None) => format!("{origin}:{port} ({d})"),
        (None, Some(o)) => format!("{origin}:{port} ({o})"),
        (None, None) => format!("{origin}:{port}"),
    }
}

/// Merges shard reports into one: see the module documentation. The options are the first
/// report's, with each report's `shard` option (when present) gathered in `shards` and the
/// number of reports in `merged_reports`; `generated_at` is the latest report's.
pub(crate) fn merge(reports: Vec<Report>) -> Result<Report, MergeError> {
    if reports.is_empty() {
        return Err(MergeError::Empty);
    }
    if let Some((i, report)) = reports.iter().enumerate().find(|(_, r)| r.schema != SCHEMA) {
        return Err(MergeError::Schema {
            index: i + 1,
            schema: report.schema.clone(),
        });
    }
    let count = reports.len();
    let mut first_holder: HashMap<RowKey, usize> = HashMap::new();
    let mut origins = Vec::new();
    let mut duplicate_warnings = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut skipped: Vec<SkippedOrigin> = Vec::new();
    let mut resolved: Vec<ResolvedFinding> = Vec::new();
    let mut shards = Vec::new();
    let mut options: Option<ReportOptions> = None;
    let mut generated_at = String::new();
    let mut duration_ms = 0u64;
    let mut interrupted = false;
    let mut not_scanned = 0usize;
    let mut any_baseline = false;

    for (i, report) in reports.into_iter().enumerate() {
        if let Some(shard) = report.options.scan.as_ref().and_then(|o| o.shard.clone()) {
            shards.push(shard);
        }
        if options.is_none() {
            options = Some(report.options);
        }
        if report.generated_at > generated_at {
            generated_at = report.generated_at;
        }
        duration_ms = duration_ms.max(report.summary.duration_ms);
        interrupted |= report.summary.interrupted;
        not_scanned = not_scanned.saturating_add(report.summary.not_scanned);
        any_baseline |= report.summary.baseline.is_some();
        for origin in report.origins {
            let key = (
                origin.origin.clone(),
                origin.port,
                origin.distribution_id.clone(),
                origin.origin_id.clone(),
            );
            match first_holder.get(&key) {
                Some(&first) if first != i => duplicate_warnings.push(format!(
                    "{} is in reports {} and {}: kept the one from report {}",
                    describe(&key),
                    first + 1,
                    i + 1,
                    first + 1
                )),
                _ => {
                    first_holder.insert(key, i);
                    origins.push(origin);
                }
            }
        }
        for value in report.skipped {
            if !skipped.contains(&value) {
                skipped.push(value);
            }
        }
        for warning in report.warnings {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        for entry in report.resolved {
            if !resolved.contains(&entry) {
                resolved.push(entry);
            }
        }
    }
    warnings.extend(duplicate_warnings);

    // A shard compared with the whole fleet's baseline lists the other shards' findings as
    // resolved: only what no merged origin still has is resolved.
    let firing: HashSet<(&str, u16, Code)> = origins
        .iter()
        .flat_map(|o| {
            o.findings
                .iter()
                .map(|f| (o.origin.as_str(), o.port, f.code))
        })
        .collect();
    resolved.retain(|r| !firing.contains(&(r.origin.as_str(), r.port, r.code)));
    let baseline = any_baseline.then(|| {
        let mut counts = BaselineSummary {
            resolved: resolved.len(),
            ..BaselineSummary::default()
        };
        for finding in origins.iter().flat_map(|o| &o.findings) {
            match finding.status {
                Some(FindingStatus::New) => counts.new += 1,
                Some(FindingStatus::Known) => counts.known += 1,
                None => {}
            }
        }
        counts
    });

    let mut options = options.unwrap_or_default();
    if let Some(scan) = options.scan.as_mut() {
        scan.shard = None;
    }
    options.shards = shards;
    options.merged_reports = Some(count);

    let mut merged = Report::new(
        origins,
        options,
        std::time::Duration::from_millis(duration_ms),
        interrupted,
        not_scanned,
    );
    if !generated_at.is_empty() {
        merged.generated_at = generated_at;
    }
    merged.summary.baseline = baseline;
    merged.skipped = skipped;
    merged.warnings = warnings;
    merged.resolved = resolved;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Risk};
    use crate::report::test_support::{origin, report};

    fn shard(i: u32, origins: Vec<crate::report::OriginReport>) -> Report {
        let mut r = report(origins);
        r.options = serde_json::from_value(
            serde_json::json!({"concurrency": 8, "shard": format!("{i}/2")}),
        )
        .expect("typed");
        r.summary.duration_ms = 1000 * u64::from(i);
        r.generated_at = format!("2025-01-0{i}T00:00:00Z");
        r.warnings.push("export is incomplete".into());
        r
    }

    #[test]
    fn merges_ranks_and_recounts() {
        let one = shard(
            1,
            vec![
                origin(
                    "b.example.com",
                    vec![Finding::new(Code::TCP_SLOW_CONNECT, "slow")],
                ),
                origin("d.example.com", vec![]),
            ],
        );
        let mut two = shard(
            2,
            vec![
                origin(
                    "a.example.com",
                    vec![Finding::new(Code::CERT_EXPIRED, "expired")],
                ),
                origin(
                    "c.example.com",
                    vec![Finding::new(Code::TCP_SLOW_CONNECT, "slow")],
                ),
            ],
        );
        two.summary.interrupted = true;
        two.summary.not_scanned = 3;
        let merged = merge(vec![one, two]).unwrap();
        let order: Vec<(Option<usize>, &str)> = merged
            .origins
            .iter()
            .map(|o| (o.rank, o.origin.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                (Some(1), "a.example.com"),
                (Some(2), "b.example.com"),
                (Some(3), "c.example.com"),
                (Some(4), "d.example.com")
            ]
        );
        assert_eq!(merged.summary.origins, 4);
        assert_eq!(merged.summary.by_risk[&Risk::Critical], 1);
        assert_eq!(merged.summary.by_risk[&Risk::Medium], 2);
        assert_eq!(merged.summary.by_risk[&Risk::Ok], 1);
        assert_eq!(merged.summary.by_risk[&Risk::High], 0);
        assert_eq!(merged.summary.duration_ms, 2000);
        assert!(merged.summary.interrupted);
        assert_eq!(merged.summary.not_scanned, 3);
        assert_eq!(merged.summary.baseline, None);
        assert_eq!(merged.generated_at, "2025-01-02T00:00:00Z");
        assert_eq!(merged.warnings, vec!["export is incomplete".to_string()]);
        assert_eq!(merged.options.shards, vec!["1/2", "2/2"]);
        assert_eq!(merged.options.merged_reports, Some(2));
        let scan = merged
            .options
            .scan
            .expect("the first report's scan options");
        assert_eq!((scan.concurrency, scan.shard), (8, None));
    }

    #[test]
    fn keeps_the_first_of_duplicate_rows_with_a_warning() {
        let mut first = origin("a.example.com", vec![]);
        first.distribution_id = Some("E1".into());
        first.origin_id = Some("o1".into());
        let mut again = origin("a.example.com", vec![Finding::new(Code::CERT_EXPIRED, "x")]);
        again.distribution_id = Some("E1".into());
        again.origin_id = Some("o1".into());
        let mut other_distribution = again.clone();
        other_distribution.distribution_id = Some("E2".into());
        let merged = merge(vec![
            shard(1, vec![first]),
            shard(2, vec![again, other_distribution]),
        ])
        .unwrap();
        assert_eq!(merged.origins.len(), 2);
        let e1 = merged
            .origins
            .iter()
            .find(|o| o.distribution_id.as_deref() == Some("E1"))
            .unwrap();
        assert!(e1.findings.is_empty(), "the first report's row is kept");
        assert_eq!(
            merged.warnings.last().unwrap(),
            "a.example.com:443 (E1/o1) is in reports 1 and 2: kept the one from report 1"
        );
        assert_eq!(merged.summary.origins, 2);
    }

    #[test]
    fn rejects_other_schemas_and_nothing() {
        let mut bad = report(vec![]);
        bad.schema = "something.else".into();
        let err = merge(vec![report(vec![]), bad]).unwrap_err();
        assert!(
            matches!(&err, MergeError::Schema { index: 2, schema } if schema == "something.else")
        );
        assert_eq!(
            err.to_string(),
            "report 2 has schema `something.else`, not `originscan.report.v1`"
        );
        assert!(matches!(merge(vec![]), Err(MergeError::Empty)));
    }

    #[test]
    fn baseline_results_are_recounted_across_shards() {
        let previous = report(vec![
            origin("a.example.com", vec![Finding::new(Code::CERT_EXPIRED, "x")]),
            origin("b.example.com", vec![Finding::new(Code::TCP_REFUSED, "y")]),
            origin(
                "gone.example.com",
                vec![Finding::new(Code::TCP_TIMEOUT, "z")],
            ),
        ]);
        let mut one = shard(
            1,
            vec![origin(
                "a.example.com",
                vec![Finding::new(Code::CERT_EXPIRED, "x")],
            )],
        );
        let mut two = shard(
            2,
            vec![origin(
                "b.example.com",
                vec![Finding::new(Code::TCP_REFUSED, "y")],
            )],
        );
        crate::report::baseline::apply(&mut one, &previous);
        crate::report::baseline::apply(&mut two, &previous);
        // Each shard thinks the other's findings are resolved.
        assert_eq!(one.resolved.len(), 2);
        let merged = merge(vec![one, two]).unwrap();
        assert_eq!(merged.resolved.len(), 1);
        assert_eq!(merged.resolved[0].origin, "gone.example.com");
        assert_eq!(
            merged.summary.baseline,
            Some(BaselineSummary {
                new: 0,
                known: 2,
                resolved: 1
            })
        );
    }
}
