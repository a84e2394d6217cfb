//! `originscan explain CODE`: the finding catalog, one code or `all`.

use std::io::Write;

use super::CommandError;
use crate::cli::settings::UsageError;
use crate::finding::Code;
use crate::report::ReportError;

/// Writes when `code` fires, its area and severity, and its fix.
pub(crate) fn run(code: &str, out: &mut dyn Write) -> Result<(), CommandError> {
    let codes: Vec<Code> = if code.eq_ignore_ascii_case("all") {
        Code::ALL.to_vec()
    } else {
        vec![code.parse().map_err(|message: String| UsageError {
            flag: "explain",
            message: format!("{message}; `originscan explain all` lists every code"),
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
