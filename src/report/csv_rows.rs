//! CSV output: one row per origin,
//! `rank,origin,port,risk,score,codes,top_finding,fix,distribution_id,origin_id,addresses`.

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
pub fn write(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for origin in &report.origins {
        let top = origin.findings.first();
        writer.write_record([
            origin.rank.map(|r| r.to_string()).unwrap_or_default(),
            origin.origin.clone(),
            origin.port.to_string(),
            origin.risk.to_string(),
            origin.score.to_string(),
            origin.codes().join(";"),
            top.map(|f| f.summary.clone()).unwrap_or_default(),
            top.map(|f| f.fix.clone()).unwrap_or_default(),
            origin.distribution_id.clone().unwrap_or_default(),
            origin.origin_id.clone().unwrap_or_default(),
            origin.addresses.join(";"),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
