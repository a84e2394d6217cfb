//! JSON (`originscan.report.v1`) and NDJSON output.

use std::io::Write;

use super::{OriginReport, Report, ReportError};

/// The whole report, pretty-printed.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// One origin as one NDJSON line.
pub(crate) fn write_line(origin: &OriginReport, out: &mut dyn Write) -> Result<(), ReportError> {
    serde_json::to_writer(&mut *out, origin)?;
    out.write_all(b"\n")?;
    Ok(())
}
