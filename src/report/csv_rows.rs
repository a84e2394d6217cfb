//! CSV output: one row per origin,
//! `rank,origin,port,risk,score,codes,top_finding,fix,distribution_id,origin_id,addresses`.
//! A file meant for a spreadsheet: every cell whose text comes from an origin, a certificate or
//! an input file is neutralised when a spreadsheet would read it as a formula
//! ([`super::escape::spreadsheet_cell`]), unless `--csv-raw` asks for the text as it is.

use std::io::Write;

use super::{Report, ReportError};

/// The header row, written first; the `codes` and `addresses` cells join their values with `;`.
pub const HEADER: [&str; 11] = [
    "rank",
    "origin",
    "port",
    "risk",
    "score",
    "codes",
    "top_finding",
    "fix",
    "distribution_id",
    "origin_id",
    "addresses",
];

/// Writes the header, then one row per origin in rank order; `top_finding` and `fix` are its
/// most severe finding's (empty without one). Skipped origins and warnings are left out.
pub fn write(report: &Report, out: &mut dyn Write, raw: bool) -> Result<(), ReportError> {
    let cell = |text: String| {
        if raw {
            text
        } else {
            super::escape::spreadsheet_cell(&text)
        }
    };
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for origin in report.rows() {
        let origin = origin?;
        let top = origin.findings.first();
        writer.write_record([
            origin.rank.map(|r| r.to_string()).unwrap_or_default(),
            cell(origin.origin.clone()),
            origin.port.to_string(),
            origin.risk.to_string(),
            origin.score.to_string(),
            origin.codes().join(";"),
            cell(top.map(|f| f.summary.clone()).unwrap_or_default()),
            cell(top.map(|f| f.fix.to_string()).unwrap_or_default()),
            cell(origin.distribution_id.clone().unwrap_or_default()),
            cell(origin.origin_id.clone().unwrap_or_default()),
            cell(origin.addresses.join(";")),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
