//! `originscan explain CODE`: the finding catalog, one code or `all`; `explain policies`: which
//! s2n-tls CloudFront-Upstream policy stands for CloudFront under each profile and
//! OriginSslProtocols.

use std::io::Write;

use super::CommandError;
use crate::cli::settings::UsageError;
use crate::finding::Code;
use crate::report::ReportError;

/// Writes when `code` fires, its area and severity, and its fix.
pub(crate) fn run(code: &str, out: &mut dyn Write) -> Result<(), CommandError> {
    if code.eq_ignore_ascii_case("policies") {
        return policies(out);
    }
    let codes: Vec<Code> = if code.eq_ignore_ascii_case("all") {
        Code::ALL.to_vec()
    } else {
        vec![code.parse().map_err(|message: String| UsageError {
            flag: "explain",
            message: format!(
                "{message}; `originscan explain all` lists every code, `explain policies` CloudFront's TLS policies"
            ),
        })?]
    };
    for code in codes {
        writeln!(
            out,
            "{code} ({}, {})\n  fires when: {}\n  fix: {}\n",
            code.area(),
            code.default_severity(),
            code.fires_when(),
            code.fix()
        )
        .map_err(ReportError::from)?;
    }
    Ok(())
}

/// The policy table, with its source.
fn policies(out: &mut dyn Write) -> Result<(), CommandError> {
    use crate::cloudfront::policy::POLICIES;
    writeln!(
        out,
        "CloudFront's TLS to origins is s2n-tls with one of these security policies (source: s2n-tls\n\
         tls/s2n_security_policies.c, crate s2n-tls 0.3.47). --cloudfront-profile picks the column,\n\
         the lowest version in OriginSslProtocols (--ssl-protocols) the row.\n"
    )
    .map_err(ReportError::from)?;
    writeln!(out, "{:<9} {:<8} POLICY", "PROFILE", "LOWEST").map_err(ReportError::from)?;
    for row in POLICIES {
        writeln!(
            out,
            "{:<9} {:<8} {}",
            row.profile,
            row.lowest.api_name(),
            row.policy
        )
        .map_err(ReportError::from)?;
    }
    Ok(())
}
