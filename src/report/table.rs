//! The terminal table: origins ranked, each finding under its origin with the fix, then totals.

use std::io::Write;

use super::{Report, ReportError};
use crate::finding::{Risk, Severity};

fn paint(text: &str, severity_or_risk: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match severity_or_risk {
        "critical" => "1;31",
        "high" => "31",
        "medium" => "33",
        "low" => "36",
        _ => "32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn write_origin(
    out: &mut dyn Write,
    origin: &super::OriginReport,
    width: usize,
    color: bool,
) -> Result<(), ReportError> {
    // Names and summaries come from origins, certificates and input files: a hostile one's
    // escape sequences are shown, never acted on.
    let name = format!(
        "{}:{}",
        super::escape::printable(&origin.origin),
        origin.port
    );
    let risk = format!("{:<8}", origin.risk.as_str());
    writeln!(
        out,
        "{:>4}  {}  {:>5}  {:<width$}  {}",
        origin.rank.unwrap_or(0),
        paint(&risk, origin.risk.as_str(), color),
        origin.score,
        name,
        if origin.findings.is_empty() {
            "-".to_string()
        } else {
            origin.codes().join(", ")
        }
    )?;
    for finding in origin
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
    {
        writeln!(
            out,
            "        {} {}: {}",
            paint(
                &format!("{:<8}", finding.severity.as_str()),
                finding.severity.as_str(),
                color
            ),
            finding.code,
            super::escape::printable(&finding.summary)
        )?;
        writeln!(
            out,
            "                 fix: {}",
            super::escape::printable(&finding.fix)
        )?;
    }
    Ok(())
}

/// Aliases shown beside a distribution's id: ` (www.example.com, shop.example.com, +2 more)`,
/// or nothing when the export names none.
fn aliases_of(aliases: &[String]) -> String {
    const SHOWN: usize = 3;
    if aliases.is_empty() {
        return String::new();
    }
    let mut shown: Vec<String> = aliases
        .iter()
        .take(SHOWN)
        .map(|a| super::escape::printable(a))
        .collect();
    if aliases.len() > SHOWN {
        shown.push(format!("+{} more", aliases.len() - SHOWN));
    }
    format!(" ({})", shown.join(", "))
}

/// Writes the header, the origins (grouped by distribution when any came from an export, the
/// groups in the order of their riskiest origin), then skipped origins, warnings and counts.
pub(crate) fn write(report: &Report, out: &mut dyn Write, color: bool) -> Result<(), ReportError> {
    // A first pass over the rows (read back one at a time when packed) measures the origin
    // column and groups the rows by distribution, keeping each row's index, not the row.
    let mut width = 6;
    // Origins from a CloudFront export are grouped under their distribution (groups in the
    // order of their riskiest origin); the others follow, ranked.
    let mut groups: Vec<(Option<String>, Vec<usize>, Vec<String>)> = Vec::new();
    for (i, origin) in report.rows().enumerate() {
        let origin = origin?;
        width = width.max(
            super::escape::printable(&origin.origin).len() + 1 + origin.port.to_string().len(),
        );
        let key = origin.distribution_id.as_deref();
        let at = match groups.iter().position(|(k, _, _)| k.as_deref() == key) {
            Some(at) => at,
            None => {
                groups.push((key.map(str::to_string), Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        let (_, members, aliases) = &mut groups[at];
        members.push(i);
        for alias in &origin.aliases {
            if !aliases.contains(alias) {
                aliases.push(alias.clone());
            }
        }
    }
    writeln!(
        out,
        "{:>4}  {:<8}  {:>5}  {:<width$}  FINDINGS",
        "RANK", "RISK", "SCORE", "ORIGIN"
    )?;
    let grouped = groups.iter().any(|(k, _, _)| k.is_some());
    let ungrouped = groups.len() == 1;
    for (distribution, members, aliases) in &groups {
        if grouped {
            match distribution {
                Some(id) => writeln!(
                    out,
                    "distribution {}{}",
                    super::escape::printable(id),
                    aliases_of(aliases)
                )?,
                None => writeln!(out, "not from a distribution export")?,
            }
        }
        if ungrouped {
            // One group: the rows in rank order, read as they are written.
            for origin in report.rows() {
                write_origin(out, &*origin?, width, color)?;
            }
            continue;
        }
        for &i in members {
            if let Some(origin) = report.row(i) {
                write_origin(out, &*origin?, width, color)?;
            }
        }
    }
    for skipped in &report.skipped {
        writeln!(
            out,
            "skipped: {} ({}/{}): {}",
            super::escape::printable(&skipped.domain),
            super::escape::printable(&skipped.distribution_id),
            super::escape::printable(&skipped.origin_id),
            super::escape::printable(&skipped.reason)
        )?;
    }
    for warning in &report.warnings {
        writeln!(out, "warning: {}", super::escape::printable(warning))?;
    }
    let counts: Vec<String> = Risk::ALL
        .iter()
        .map(|risk| {
            format!(
                "{} {}",
                report.summary.by_risk.get(risk).copied().unwrap_or(0),
                risk
            )
        })
        .collect();
    writeln!(
        out,
        "\n{} in {:.1} s: {}",
        super::counted(report.summary.origins, "origin"),
        report.summary.duration_ms as f64 / 1000.0,
        counts.join(", ")
    )?;
    if report.summary.interrupted {
        writeln!(
            out,
            "interrupted: {} targets were not scanned",
            report.summary.not_scanned
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{origin, report};

    #[test]
    fn a_distribution_is_named_with_its_aliases() {
        let mut a = origin("a.example.com", vec![]);
        a.distribution_id = Some("E2QWRUHAPOMQZL".into());
        a.aliases = [
            "www.example.com",
            "shop.example.com",
            "api.example.com",
            "m.example.com",
        ]
        .map(String::from)
        .to_vec();
        let mut b = origin("b.example.com", vec![]);
        b.distribution_id = Some("E2QWRUHAPOMQZL".into());
        b.aliases = vec!["www.example.com".into()];
        let mut out = Vec::new();
        write(&report(vec![a, b]), &mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "distribution E2QWRUHAPOMQZL (www.example.com, shop.example.com, api.example.com, +1 more)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_origins_escape_sequences_are_shown_not_run() {
        use crate::finding::{Code, Finding};
        let hostile = "evil\u{1b}[2J\u{1b}]0;owned\u{7}.example";
        let mut o = origin(
            hostile,
            vec![Finding::new(
                Code::CERT_NAME_MISMATCH,
                format!("subject {hostile}"),
            )],
        );
        o.distribution_id = Some(format!("E1{hostile}"));
        let mut out = Vec::new();
        write(&report(vec![o]), &mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("evil\\u{1b}[2J"), "{text}");
    }
}
