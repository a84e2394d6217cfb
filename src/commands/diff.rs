//! `originscan diff OLD NEW`: what changed between two reports.

use std::io::Write;
use std::path::Path;

use super::{CommandError, ScanExit};
use crate::report::file::read_report;
use crate::report::ReportError;

/// Prints origins added or removed and findings new or resolved.
pub(crate) fn run(old: &Path, new: &Path) -> Result<ScanExit, CommandError> {
    let (old, new) = (read_report(old)?, read_report(new)?);
    let changes = crate::report::baseline::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    write!(out, "{changes}").map_err(ReportError::from)?;
    Ok(ScanExit::Clean)
}
