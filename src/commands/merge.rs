//! `originscan merge`: shard reports joined and ranked again.

use super::output::output_and_format;
use super::{CommandError, ScanExit};
use crate::cli::settings::UsageError;
use crate::cli::MergeArgs;
use crate::finding::GateLevel;
use crate::report::file::{read_report, ReportReadError};

/// Reads every shard report, merges them, writes the result; exit 1 at or above `--fail-on`.
pub(crate) fn run(args: &MergeArgs) -> Result<ScanExit, CommandError> {
    let gate: GateLevel = args.fail_on.parse().map_err(|message| UsageError {
        flag: "--fail-on",
        message,
    })?;
    let reports = args
        .reports
        .iter()
        .map(|path| read_report(path))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = crate::report::merge::merge(reports).map_err(ReportReadError::from)?;
    let (format, mut out) = output_and_format(args.format.as_deref(), args.output.as_ref())?;
    merged.write(format, &mut out, false, gate)?;
    out.commit()?;
    Ok(if merged.origins.iter().any(|o| gate.trips(o.risk)) {
        ScanExit::GateTripped
    } else {
        ScanExit::Clean
    })
}
