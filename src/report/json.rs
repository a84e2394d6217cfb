//! JSON (`originscan.report.v1`) and NDJSON output.

use std::io::Write;

use serde::ser::SerializeSeq;
use serde::Serialize;

use super::options::ReportOptions;
use super::{OriginReport, Report, ReportError, ResolvedFinding, Summary};
use crate::target::SkippedOrigin;

/// The whole report, pretty-printed; packed rows are read back one at a time as they are
/// written.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    if report.packed.is_empty() {
        serde_json::to_writer_pretty(&mut *out, report)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &View::of(report))?;
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// [`Report`] as it serialises, with `origins` read from [`Report::rows`]: the same members in
/// the same order, under the same rules.
#[derive(Serialize)]
struct View<'a> {
    schema: &'a str,
    generated_at: &'a str,
    options: &'a ReportOptions,
    summary: &'a Summary,
    origins: Rows<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped: &'a [SkippedOrigin],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    resolved: &'a [ResolvedFinding],
}

impl<'a> View<'a> {
    fn of(report: &'a Report) -> View<'a> {
        View {
            schema: &report.schema,
            generated_at: &report.generated_at,
            options: &report.options,
            summary: &report.summary,
            origins: Rows(report),
            skipped: &report.skipped,
            warnings: &report.warnings,
            resolved: &report.resolved,
        }
    }
}

struct Rows<'a>(&'a Report);

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.row_count()))?;
        for row in self.0.rows() {
            let row = row.map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&*row)?;
        }
        seq.end()
    }
}

/// One origin as one NDJSON line.
pub(crate) fn write_line(origin: &OriginReport, out: &mut dyn Write) -> Result<(), ReportError> {
    serde_json::to_writer(&mut *out, origin)?;
    out.write_all(b"\n")?;
    Ok(())
}
