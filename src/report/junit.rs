//! JUnit XML (`-f junit`): one `<testsuite name="originscan">` (inside `<testsuites>`) with one
//! test case per origin, named `origin:port` and classed by distribution id (`origins` when the
//! origin is not from a CloudFront export). A test case fails when the origin's risk trips the
//! gate (`--fail-on`): one `<failure>` per finding at or above the gate; the origin's other
//! findings go to its `<system-out>`. Origins the input skipped (S3 REST, VPC origins) are
//! skipped test cases. The shape is the Jenkins/Ant one that CI systems read
//! (`fixtures/junit/junit.xsd`).

use std::io::Write;

use super::escape::{attr, text};
use super::{OriginReport, Report, ReportError};
use crate::finding::{Finding, GateLevel};

/// The `--fail-on` level as written in the suite's properties.
fn gate_name(gate: GateLevel) -> &'static str {
    match gate {
        GateLevel::Never => "never",
        GateLevel::AtLeast(severity) => severity.as_str(),
    }
}

/// Milliseconds as JUnit seconds, `12.345`.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The test case's time: the sum of the origin's phase timings.
fn origin_ms(origin: &OriginReport) -> u64 {
    let t = &origin.timings_ms;
    if let Some(total) = t.total {
        return total;
    }
    [t.dns, t.connect, t.tls, t.ttfb]
        .iter()
        .flatten()
        .fold(0u64, |sum, ms| sum.saturating_add(*ms))
}

/// `<testcase classname>`: the distribution id, or `origins`.
fn classname(distribution_id: Option<&str>) -> &str {
    match distribution_id {
        Some(id) if !id.is_empty() => id,
        _ => "origins",
    }
}

/// A finding's text: summary, fix, evidence.
fn finding_text(finding: &Finding) -> Result<String, ReportError> {
    let status = finding
        .status
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    Ok(format!(
        "[{}] {}{}: {}\nfix: {}\nevidence: {}\n",
        finding.severity,
        finding.code,
        status,
        finding.summary,
        finding.fix,
        serde_json::to_string_pretty(&finding.evidence)?
    ))
}

/// The findings of one origin that fail it (at or above the gate), when its risk trips the gate.
fn failing(origin: &OriginReport, gate: GateLevel) -> Vec<&Finding> {
    if !gate.trips(origin.risk) {
        return Vec::new();
    }
    origin
        .findings
        .iter()
        .filter(|f| gate.includes(f.severity))
        .collect()
}

fn write_origin(
    origin: &OriginReport,
    gate: GateLevel,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">",
        attr(classname(origin.distribution_id.as_deref())),
        attr(&format!("{}:{}", origin.origin, origin.port)),
        seconds(origin_ms(origin))
    )?;
    let failures = failing(origin, gate);
    for finding in &failures {
        writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(&format!("{}: {}", finding.code, finding.summary)),
            attr(finding.code.as_str()),
            text(&finding_text(finding)?)
        )?;
    }
    if failures.is_empty() && gate.trips(origin.risk) {
        // A report edited by hand (or from another version) may carry a risk without the
        // findings behind it: the case still fails.
        writeln!(
            out,
            "      <failure message=\"{}\" type=\"risk\">{}</failure>",
            attr(&format!("risk {} (score {})", origin.risk, origin.score)),
            text(&format!(
                "the origin's risk is {} and the gate is {}\n",
                origin.risk,
                gate_name(gate)
            ))
        )?;
    }
    let mut system_out = format!(
        "risk {}, score {}, addresses {}\n",
        origin.risk,
        origin.score,
        if origin.addresses.is_empty() {
            "-".to_string()
        } else {
            origin.addresses.join(", ")
        }
    );
    for finding in origin
        .findings
        .iter()
        .filter(|f| !failures.iter().any(|failed| std::ptr::eq(*failed, *f)))
    {
        system_out.push_str(&finding_text(finding)?);
    }
    writeln!(out, "      <system-out>{}</system-out>", text(&system_out))?;
    writeln!(out, "    </testcase>")?;
    Ok(())
}

/// Writes the XML: one test case per origin, failed when its risk trips `gate`, then the
/// skipped origins as skipped test cases.
pub(crate) fn write(
    report: &Report,
    gate: GateLevel,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut failures = 0;
    for origin in report.rows() {
        failures += usize::from(gate.trips(origin?.risk));
    }
    let skipped = report.skipped.len();
    let tests = report.row_count() + skipped;
    let time = seconds(report.summary.duration_ms);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"originscan\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">"
    )?;
    writeln!(
        out,
        "  <testsuite name=\"originscan\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\" timestamp=\"{}\">",
        attr(&report.generated_at)
    )?;
    writeln!(out, "    <properties>")?;
    for (name, value) in [
        ("schema", report.schema.as_str()),
        ("fail_on", gate_name(gate)),
    ] {
        writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(value)
        )?;
    }
    writeln!(out, "    </properties>")?;
    for origin in report.rows() {
        write_origin(&*origin?, gate, out)?;
    }
    for entry in &report.skipped {
        let name = format!("{} ({})", entry.domain, entry.origin_id);
        writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"0.000\">",
            attr(classname(Some(entry.distribution_id.as_str()))),
            attr(&name)
        )?;
        writeln!(out, "      <skipped message=\"{}\"/>", attr(&entry.reason))?;
        writeln!(out, "    </testcase>")?;
    }
    let mut notes: Vec<String> = report
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    if report.summary.interrupted {
        notes.push(format!(
            "interrupted: {} targets were not scanned",
            report.summary.not_scanned
        ));
    }
    for resolved in &report.resolved {
        notes.push(format!(
            "resolved since the baseline: {}:{} {}: {}",
            resolved.origin, resolved.port, resolved.code, resolved.summary
        ));
    }
    if !notes.is_empty() {
        writeln!(
            out,
            "    <system-out>{}</system-out>",
            text(&(notes.join("\n") + "\n"))
        )?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Severity};
    use crate::report::test_support::{origin, report};

    fn render(report: &Report, gate: GateLevel) -> String {
        let mut out = Vec::new();
        write(report, gate, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A small well-formedness check: tags balance, attribute values are quoted, and text and
    /// attributes hold no raw `<` and only known entity or character references.
    fn assert_well_formed(xml: &str) {
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .expect("XML declaration");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = body;
        let check_refs = |s: &str| {
            let mut parts = s.split('&');
            parts.next();
            for part in parts {
                let entity = part.split(';').next().unwrap();
                assert!(
                    part.contains(';')
                        && (["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                            || entity.starts_with('#')),
                    "bad reference &{entity} in {s:?}"
                );
            }
            for c in s.chars() {
                assert!(crate::report::escape::is_xml_char(c), "forbidden {c:?}");
            }
        };
        while let Some(start) = rest.find('<') {
            let (text_part, after) = rest.split_at(start);
            check_refs(text_part);
            let end = after.find('>').expect("tag closes");
            let tag = &after[1..end];
            rest = &after[end + 1..];
            assert!(!tag.contains('<'), "raw < inside tag {tag:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "balanced </{name}>");
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            while !attrs.trim().is_empty() {
                let (key, value) = attrs.trim_start().split_once("=\"").expect("key=\"value\"");
                assert!(key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
                let close = value.find('"').expect("closing quote");
                check_refs(&value[..close]);
                assert!(!value[..close].contains(['\n', '\t', '\r']));
                attrs = &value[close + 1..];
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        check_refs(rest);
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }

    fn attribute<'a>(xml: &'a str, element: &str, name: &str) -> &'a str {
        let start = xml.find(&format!("<{element} ")).unwrap();
        let tag = &xml[start..start + xml[start..].find('>').unwrap()];
        let from = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        &tag[from..from + tag[from..].find('"').unwrap()]
    }

    #[test]
    fn counts_failures_by_gate_and_skipped_entries() {
        let mut r = report(vec![
            origin(
                "a.example.com",
                vec![
                    Finding::new(Code::CERT_EXPIRED, "expired"),
                    Finding::new(Code::HTTP_NO_KEEPALIVE, "closes"),
                ],
            ),
            origin(
                "b.example.com",
                vec![Finding::new(Code::TCP_SLOW_CONNECT, "slow")],
            ),
            origin("c.example.com", vec![]),
        ]);
        r.skipped.push(
            serde_json::from_value(serde_json::json!({
                "domain": "bucket.s3.amazonaws.com", "distribution_id": "E1",
                "origin_id": "s3", "reason": "S3 REST origin"
            }))
            .expect("typed"),
        );
        r.summary.duration_ms = 1234;

        let xml = render(&r, GateLevel::AtLeast(Severity::Critical));
        assert_well_formed(&xml);
        assert_eq!(attribute(&xml, "testsuite", "tests"), "4");
        assert_eq!(attribute(&xml, "testsuite", "failures"), "1");
        assert_eq!(attribute(&xml, "testsuite", "errors"), "0");
        assert_eq!(attribute(&xml, "testsuite", "skipped"), "1");
        assert_eq!(attribute(&xml, "testsuite", "time"), "1.234");
        assert_eq!(xml.matches("<testcase ").count(), 4);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains(
            "<failure message=\"CERT_EXPIRED: expired\" type=\"CERT_EXPIRED\">[critical] CERT_EXPIRED: expired\nfix: Renew"
        ));
        // The low finding of the failing origin is in its system-out, not a failure.
        assert!(xml.contains("[low] HTTP_NO_KEEPALIVE: closes"));
        assert!(xml.contains("<skipped message=\"S3 REST origin\"/>"));
        assert!(xml.contains("classname=\"E1\" name=\"bucket.s3.amazonaws.com (s3)\""));
        assert!(xml.contains("classname=\"origins\" name=\"a.example.com:443\""));

        let xml = render(&r, GateLevel::AtLeast(Severity::Low));
        assert_well_formed(&xml);
        assert_eq!(attribute(&xml, "testsuite", "failures"), "2");
        assert_eq!(xml.matches("<failure ").count(), 3);

        let xml = render(&r, GateLevel::Never);
        assert_well_formed(&xml);
        assert_eq!(attribute(&xml, "testsuite", "failures"), "0");
        assert!(!xml.contains("<failure"));
    }

    #[test]
    fn hostile_strings_are_escaped() {
        let hostile = "<script>alert(1)</script>\"&'%0A\u{0}\u{1b}[31m\u{b}\u{fffe}]]>\n";
        let mut o = origin(
            hostile,
            vec![Finding::new(Code::CERT_NAME_MISMATCH, hostile)
                .evidence("names", serde_json::json!([hostile]))
                .evidence(hostile, hostile)],
        );
        o.distribution_id = Some(hostile.to_string());
        let mut r = report(vec![o]);
        r.warnings.push(hostile.to_string());
        r.skipped.push(
            serde_json::from_value(serde_json::json!({"domain": hostile, "reason": hostile}))
                .expect("typed"),
        );
        r.generated_at = hostile.to_string();
        let xml = render(&r, GateLevel::AtLeast(Severity::High));
        assert_well_formed(&xml);
        assert!(!xml.contains("<script"));
        assert!(
            xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;%0A[31m]]&gt;&#10;")
        );
        assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;\"&amp;'%0A[31m]]&gt;\n"));
    }

    #[test]
    fn risk_without_findings_still_fails() {
        let mut o = origin("x.example.com", vec![]);
        o.risk = crate::finding::Risk::Critical;
        let xml = render(&report(vec![o]), GateLevel::AtLeast(Severity::High));
        assert_well_formed(&xml);
        assert!(xml.contains("type=\"risk\""));
        assert_eq!(attribute(&xml, "testsuite", "failures"), "1");
    }
}
