//! GitHub Actions workflow commands (`-f github`): one annotation line per finding at or above
//! the gate (`--fail-on`), `::error` for critical and high, `::warning` for medium, `::notice`
//! for low, titled with the finding's code. With the gate at `never` every finding above `info`
//! is annotated. Data and properties are escaped as GitHub's toolkit does, so an origin's text
//! can neither end the command nor start another.

use std::io::Write;

use super::{Report, ReportError};
use crate::finding::{GateLevel, Severity};

/// Escapes a command's message: `%`, `\r`, `\n`.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value: as [`escape_data`], plus `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a severity (`None` for `info`, which is never annotated).
pub(crate) fn command(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical | Severity::High => Some("error"),
        Severity::Medium => Some("warning"),
        Severity::Low => Some("notice"),
        Severity::Info => None,
    }
}

/// Writes one annotation per finding at or above `gate`.
pub(crate) fn write(
    report: &Report,
    gate: GateLevel,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let shown = |severity: Severity| match gate {
        GateLevel::Never => severity > Severity::Info,
        level => level.includes(severity),
    };
    for origin in report.rows() {
        let origin = origin?;
        for finding in origin.findings.iter().filter(|f| shown(f.severity)) {
            let Some(command) = command(finding.severity) else {
                continue;
            };
            writeln!(
                out,
                "::{command} title={}::{}",
                escape_property(finding.code.as_str()),
                escape_data(&super::escape::printable(&format!(
                    "{}:{}: {} (fix: {})",
                    origin.origin, origin.port, finding.summary, finding.fix
                )))
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Finding};
    use crate::report::test_support::{origin, report};

    fn render(report: &Report, gate: GateLevel) -> String {
        let mut out = Vec::new();
        write(report, gate, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn sample() -> Report {
        report(vec![
            origin(
                "a.example.com",
                vec![
                    Finding::new(Code::CERT_EXPIRED, "expired"),
                    Finding::new(Code::DNS_PRIVATE_ADDRESS, "private"),
                    Finding::new(Code::TCP_SLOW_CONNECT, "slow"),
                    Finding::new(Code::HTTP_NO_KEEPALIVE, "closes"),
                    Finding::new(Code::HTTP_NO_KEEPALIVE, "info").severity(Severity::Info),
                ],
            ),
            origin("b.example.com", vec![]),
        ])
    }

    #[test]
    fn one_line_per_finding_at_or_above_the_gate() {
        let low = render(&sample(), GateLevel::AtLeast(Severity::Low));
        let lines: Vec<&str> = low.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            "::error title=CERT_EXPIRED::a.example.com:443: expired (fix: Renew the certificate and install the new chain on the origin.)"
        );
        assert!(lines[1].starts_with("::error title=DNS_PRIVATE_ADDRESS::"));
        assert!(lines[2].starts_with("::warning title=TCP_SLOW_CONNECT::"));
        assert!(lines[3].starts_with("::notice title=HTTP_NO_KEEPALIVE::"));
        assert_eq!(
            render(&sample(), GateLevel::AtLeast(Severity::High))
                .lines()
                .count(),
            2
        );
        assert_eq!(
            render(&sample(), GateLevel::AtLeast(Severity::Critical))
                .lines()
                .count(),
            1
        );
        assert_eq!(render(&sample(), GateLevel::Never), low);
    }

    #[test]
    fn hostile_text_cannot_break_out_of_the_command() {
        let hostile = "evil%0A::error title=x::pwned\r\n::warning::y, z: %";
        let r = report(vec![origin(
            hostile,
            vec![Finding::new(Code::CERT_EXPIRED, hostile)],
        )]);
        let out = render(&r, GateLevel::AtLeast(Severity::Low));
        assert_eq!(out.lines().count(), 1);
        assert!(out.ends_with('\n'));
        // Control characters from the origin are shown as text (never a line break, an escape
        // sequence or a bell), then the command's own encoding applies.
        assert!(out.contains("evil%250A::error title=x::pwned\\u{d}\\u{a}::warning::y, z: %25:443"));
        assert!(!out.trim_end().contains(['\r', '\n']));
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a:b,c%\r"), "a:b,c%25%0D");
    }
}
