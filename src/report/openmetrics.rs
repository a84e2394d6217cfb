//! OpenMetrics output (`-f openmetrics`, or an `-o` file named `.prom` or `.om`): the report as
//! metrics for Prometheus, through node_exporter's textfile collector or the Pushgateway.
//!
//! The text is OpenMetrics 1.0 and, read as the Prometheus text format 0.0.4 (what the
//! textfile collector, the Pushgateway and `promtool check metrics` parse), the same metrics:
//! every family is a gauge, `# UNIT` lines (comments to the older parser) name the unit of the
//! `_seconds` families, no sample carries a timestamp (the textfile collector refuses them; the
//! scan's time is a metric of its own), and the text ends with `# EOF`.
//!
//! Per origin (labels `origin`, `port`, `distribution_id`, `origin_id`; the last two only when
//! the input gave them): `originscan_origin_risk` (0 ok, 1 low, 2 medium, 3 high, 4 critical),
//! `originscan_origin_score`, `originscan_origin_findings` by `severity`,
//! `originscan_ssl_earliest_cert_expiry_timestamp_seconds` and
//! `originscan_origin_probe_duration_seconds`. Per scan: its time, duration, interruption,
//! origins by risk, skipped and unscanned origins, findings by `code` (every catalog code, so
//! the label is bounded by the catalog) and, with `--baseline`, findings by baseline status.
//! No label carries a finding's text or evidence.
//!
//! Families must each be written whole, so the rows are read once ([`Report::rows`], one packed
//! row at a time) into one compact record per origin (its escaped label set and its numbers,
//! about a tenth of a packed row) and the families are written from those records. Two rows
//! with the same label set (the same origin and port reached with another Host, SNI or
//! protocol policy) would be one series twice, which the format forbids: the first, the
//! riskiest by rank, is kept.

use std::collections::HashSet;
use std::io::Write;

use super::{Report, ReportError};
use crate::finding::{Code, Risk, Severity};

/// The prefix of every metric name.
const PREFIX: &str = "originscan_";

/// Severities in the order the `severity` label is written.
const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// A risk level as a number, so that `originscan_origin_risk >= 3` means high or worse.
pub(crate) fn risk_value(risk: Risk) -> u8 {
    match risk {
        Risk::Ok => 0,
        Risk::Low => 1,
        Risk::Medium => 2,
        Risk::High => 3,
        Risk::Critical => 4,
    }
}

/// A label value as the exposition formats quote it: backslash, double quote and line feed
/// escaped (`\\`, `\"`, `\n`); any other control character (an escape sequence, NUL, the C1
/// set) is written as the visible text `\u{1b}`, its backslash escaped, so that a terminal
/// showing the file shows it and does not act on it.
pub(crate) fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Whether `name` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// One origin, as the per-origin families need it.
struct Series {
    /// `origin="…",port="…"[,distribution_id="…"][,origin_id="…"]`, escaped.
    labels: String,
    risk: u8,
    score: u32,
    /// Findings per severity, in [`SEVERITIES`] order.
    findings: [u32; 5],
    cert_expiry: Option<i64>,
    probe_ms: Option<u64>,
}

/// Writes the report as OpenMetrics text: see the module documentation.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let mut series: Vec<Series> = Vec::with_capacity(report.row_count());
    let mut seen: HashSet<String> = HashSet::with_capacity(report.row_count());
    let mut by_code = vec![0u64; Code::ALL.len()];
    for row in report.rows() {
        let row = row?;
        for finding in &row.findings {
            if let Some(i) = Code::ALL.iter().position(|c| *c == finding.code) {
                by_code[i] += 1;
            }
        }
        let mut labels = format!(
            "origin=\"{}\",port=\"{}\"",
            label_value(&row.origin),
            row.port
        );
        for (name, value) in [
            ("distribution_id", &row.distribution_id),
            ("origin_id", &row.origin_id),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                labels.push_str(&format!(",{name}=\"{}\"", label_value(value)));
            }
        }
        if !seen.insert(labels.clone()) {
            continue;
        }
        let mut findings = [0u32; 5];
        for finding in &row.findings {
            if let Some(i) = SEVERITIES.iter().position(|s| *s == finding.severity) {
                findings[i] += 1;
            }
        }
        series.push(Series {
            labels,
            risk: risk_value(row.risk),
            score: row.score,
            findings,
            cert_expiry: row
                .earliest_cert_expiry
                .as_deref()
                .and_then(super::html::parse_date),
            probe_ms: row.timings_ms.total,
        });
    }
    drop(seen);

    let mut w = Families { out };
    w.family(
        "origin_risk",
        None,
        "The origin's risk of a CloudFront 502 or 504, its most severe finding: 0 ok, 1 low, \
         2 medium, 3 high, 4 critical.",
    )?;
    for s in &series {
        w.sample("origin_risk", &s.labels, s.risk)?;
    }
    w.family(
        "origin_score",
        None,
        "The origin's risk score, 0-100: its most severe finding's weight plus a tenth of the \
         others'.",
    )?;
    for s in &series {
        w.sample("origin_score", &s.labels, s.score)?;
    }
    w.family(
        "origin_findings",
        None,
        "Findings on the origin, by severity.",
    )?;
    for s in &series {
        for (severity, count) in SEVERITIES.iter().zip(s.findings) {
            let labels = format!("{},severity=\"{severity}\"", s.labels);
            w.sample("origin_findings", &labels, count)?;
        }
    }
    w.family(
        "ssl_earliest_cert_expiry_timestamp_seconds",
        Some("seconds"),
        "The earliest notAfter among the certificates the origin sent, as a Unix time \
         (blackbox_exporter's probe_ssl_earliest_cert_expiry); absent without a certificate.",
    )?;
    for s in &series {
        if let Some(at) = s.cert_expiry {
            w.sample("ssl_earliest_cert_expiry_timestamp_seconds", &s.labels, at)?;
        }
    }
    w.family(
        "origin_probe_duration_seconds",
        Some("seconds"),
        "How long probing the origin took, every probe and the idle wait included.",
    )?;
    for s in &series {
        if let Some(ms) = s.probe_ms {
            w.sample("origin_probe_duration_seconds", &s.labels, Seconds(ms))?;
        }
    }

    let summary = &report.summary;
    w.family(
        "scan_timestamp_seconds",
        Some("seconds"),
        "When the scan finished, as a Unix time.",
    )?;
    let finished = super::html::parse_date(&report.generated_at).unwrap_or(0);
    w.sample("scan_timestamp_seconds", "", finished)?;
    w.family(
        "scan_duration_seconds",
        Some("seconds"),
        "Wall time of the scan (of a merged report: its longest shard's).",
    )?;
    w.sample("scan_duration_seconds", "", Seconds(summary.duration_ms))?;
    w.family(
        "scan_interrupted",
        None,
        "1 when the scan was interrupted and some origins have no row, else 0.",
    )?;
    w.sample("scan_interrupted", "", u8::from(summary.interrupted))?;
    w.family("scan_origins", None, "Origins in the report, by risk.")?;
    for risk in Risk::ALL {
        let count = summary.by_risk.get(&risk).copied().unwrap_or(0);
        w.sample("scan_origins", &format!("risk=\"{risk}\""), count)?;
    }
    w.family(
        "scan_skipped_origins",
        None,
        "Origins of the input that cannot be scanned (S3 REST, VPC, multi-tenant).",
    )?;
    w.sample("scan_skipped_origins", "", report.skipped.len())?;
    w.family(
        "scan_not_scanned_origins",
        None,
        "Origins not scanned because the scan was interrupted.",
    )?;
    w.sample("scan_not_scanned_origins", "", summary.not_scanned)?;
    w.family(
        "scan_findings",
        None,
        "Findings in the report, by code (every code of the catalog).",
    )?;
    for (code, count) in Code::ALL.iter().zip(&by_code) {
        w.sample(
            "scan_findings",
            &format!("code=\"{}\"", code.as_str()),
            count,
        )?;
    }
    if let Some(baseline) = &summary.baseline {
        w.family(
            "scan_baseline_findings",
            None,
            "Findings against the --baseline report: new, known, and resolved (no longer firing).",
        )?;
        for (status, count) in [
            ("new", baseline.new),
            ("known", baseline.known),
            ("resolved", baseline.resolved),
        ] {
            w.sample(
                "scan_baseline_findings",
                &format!("status=\"{status}\""),
                count,
            )?;
        }
    }
    w.out.write_all(b"# EOF\n")?;
    Ok(())
}

/// Milliseconds written as seconds (`1250` as `1.25`).
struct Seconds(u64);

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, ms) = (self.0 / 1000, self.0 % 1000);
        if ms == 0 {
            write!(f, "{whole}")
        } else {
            let fraction = format!("{ms:03}");
            write!(f, "{whole}.{}", fraction.trim_end_matches('0'))
        }
    }
}

/// Writes metric families: the descriptor lines, then samples.
struct Families<'a> {
    out: &'a mut dyn Write,
}

impl Families<'_> {
    /// `# TYPE`, `# UNIT` (when given) and `# HELP` for the gauge `originscan_<name>`. Help
    /// texts are fixed text without backslash, quote or line feed, the same in both formats.
    fn family(&mut self, name: &str, unit: Option<&str>, help: &str) -> std::io::Result<()> {
        debug_assert!(is_metric_name(&format!("{PREFIX}{name}")));
        debug_assert!(!help.contains(['\\', '"', '\n']));
        writeln!(self.out, "# TYPE {PREFIX}{name} gauge")?;
        if let Some(unit) = unit {
            writeln!(self.out, "# UNIT {PREFIX}{name} {unit}")?;
        }
        writeln!(self.out, "# HELP {PREFIX}{name} {help}")
    }

    /// One sample; `labels` already escaped, without braces (empty for none).
    fn sample(
        &mut self,
        name: &str,
        labels: &str,
        value: impl std::fmt::Display,
    ) -> std::io::Result<()> {
        if labels.is_empty() {
            writeln!(self.out, "{PREFIX}{name} {value}")
        } else {
            writeln!(self.out, "{PREFIX}{name}{{{labels}}} {value}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::report::test_support::{origin, report};

    fn text(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn label_values_are_escaped_and_control_characters_shown() {
        assert_eq!(label_value("a.example.com"), "a.example.com");
        assert_eq!(label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label_value("a\nb"), r"a\nb");
        // ESC and NUL become visible text whose backslash is escaped.
        assert_eq!(label_value("\u{1b}[31m\0"), r"\\u{1b}[31m\\u{0}");
        assert_eq!(label_value("bücher"), "bücher");
    }

    #[test]
    fn risk_levels_map_to_ordered_numbers() {
        let values: Vec<u8> = Risk::ALL.iter().map(|r| risk_value(*r)).collect();
        assert_eq!(values, [4, 3, 2, 1, 0]);
    }

    #[test]
    fn metric_names_are_valid() {
        assert!(is_metric_name("originscan_origin_risk"));
        assert!(!is_metric_name("1abc"));
        assert!(!is_metric_name("a-b"));
        assert!(!is_metric_name(""));
        let text = text(&report(vec![origin("a.example.com", vec![])]));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(is_metric_name(name) && name.starts_with(PREFIX), "{line}");
        }
    }

    #[test]
    fn seconds_from_milliseconds() {
        assert_eq!(Seconds(0).to_string(), "0");
        assert_eq!(Seconds(1250).to_string(), "1.25");
        assert_eq!(Seconds(7).to_string(), "0.007");
        assert_eq!(Seconds(60_000).to_string(), "60");
    }

    #[test]
    fn an_origin_becomes_labelled_samples_and_families_stay_whole() {
        let mut a = origin(
            "a.example.com",
            vec![
                Finding::new(Code::CERT_EXPIRED, "expired"),
                Finding::new(Code::DNS_NS_SINGLE, "one"),
            ],
        );
        a.distribution_id = Some("E2QWRUHAPOMQZL".into());
        a.origin_id = Some("id \"quoted\"\nnext".into());
        a.earliest_cert_expiry = Some("2026-01-15T00:00:00Z".into());
        a.timings_ms.total = Some(1250);
        let b = origin("b.example.com", vec![]);
        let text = text(&report(vec![b, a]));
        let labels = r#"origin="a.example.com",port="443",distribution_id="E2QWRUHAPOMQZL",origin_id="id \"quoted\"\nnext""#;
        for line in [
            format!("originscan_origin_risk{{{labels}}} 4"),
            format!("originscan_origin_score{{{labels}}} 100"),
            format!("originscan_origin_findings{{{labels},severity=\"critical\"}} 1"),
            format!("originscan_origin_findings{{{labels},severity=\"low\"}} 1"),
            format!("originscan_origin_findings{{{labels},severity=\"high\"}} 0"),
            format!("originscan_ssl_earliest_cert_expiry_timestamp_seconds{{{labels}}} 1768435200"),
            format!("originscan_origin_probe_duration_seconds{{{labels}}} 1.25"),
            "originscan_origin_risk{origin=\"b.example.com\",port=\"443\"} 0".to_string(),
            "originscan_scan_origins{risk=\"critical\"} 1".to_string(),
            "originscan_scan_origins{risk=\"ok\"} 1".to_string(),
            "originscan_scan_findings{code=\"CERT_EXPIRED\"} 1".to_string(),
            "originscan_scan_findings{code=\"CERT_INVALID\"} 0".to_string(),
            "# TYPE originscan_scan_duration_seconds gauge".to_string(),
            "# UNIT originscan_scan_duration_seconds seconds".to_string(),
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
        // No certificate seen on b: no expiry sample for it.
        assert!(!text.contains("expiry_timestamp_seconds{origin=\"b.example.com\""));
        // Every family's samples follow its descriptor, none after another family's.
        let mut finished: HashSet<String> = HashSet::new();
        let mut current = String::new();
        for line in text.lines() {
            let name = match line.strip_prefix("# TYPE ") {
                Some(rest) => rest.split(' ').next().unwrap().to_string(),
                None if line.starts_with('#') => continue,
                None => line.split(['{', ' ']).next().unwrap().to_string(),
            };
            if name != current {
                assert!(finished.insert(current.clone()), "{name} split in\n{text}");
                current = name;
            }
        }
    }

    #[test]
    fn a_repeated_label_set_is_written_once_the_riskiest_kept() {
        let worse = origin("a.example.com", vec![Finding::new(Code::CERT_EXPIRED, "x")]);
        let mut better = origin("a.example.com", vec![]);
        better.protocol_policy = "match-viewer".into();
        let text = text(&report(vec![better, worse]));
        let risks: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("originscan_origin_risk{"))
            .collect();
        assert_eq!(
            risks,
            ["originscan_origin_risk{origin=\"a.example.com\",port=\"443\"} 4"]
        );
    }

    #[test]
    fn baseline_counts_only_with_a_baseline() {
        let mut r = report(vec![]);
        assert!(!text(&r).contains("baseline"));
        r.summary.baseline = Some(crate::report::baseline::BaselineSummary {
            new: 2,
            known: 3,
            resolved: 1,
        });
        assert!(text(&r).contains("originscan_scan_baseline_findings{status=\"new\"} 2\n"));
    }
}
