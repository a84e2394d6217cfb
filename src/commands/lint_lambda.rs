//! `originscan lint-lambda`: a Lambda@Edge function result checked against CloudFront's rules,
//! offline, reported as a one-row report.

use std::path::Path;
use std::time::Duration;

use super::output::output_and_format;
use super::{CommandError, ScanExit};
use crate::cli::settings::UsageError;
use crate::cli::LintLambdaArgs;
use crate::finding::GateLevel;
use crate::lambda::{lint, EventType};
use crate::report::options::ReportOptions;
use crate::report::{OriginReport, Report};

/// Why a Lambda@Edge file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LambdaInputError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file as given.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file (or `--original`) is not valid JSON: where serde_json stopped, and why.
    #[error("{path}:{line}:{column}: not valid JSON ({message})")]
    Json {
        /// The file as given.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// No event type given or found.
    #[error("{path}: not a whole event with config.eventType; give --event viewer-request|origin-request|origin-response|viewer-response")]
    NoEventType {
        /// The file as given.
        path: String,
    },
}

/// Lints the file; exit 1 when a finding is at or above `--fail-on`.
pub(crate) fn run(args: &LintLambdaArgs) -> Result<ScanExit, CommandError> {
    let fail_on: GateLevel = args.fail_on.parse().map_err(|message| UsageError {
        flag: "--fail-on",
        message,
    })?;
    let value = read_json(&args.file)?;
    let event = match &args.event {
        Some(name) => name.parse::<EventType>().map_err(|message| UsageError {
            flag: "--event",
            message,
        })?,
        None => EventType::detect(&value).ok_or_else(|| LambdaInputError::NoEventType {
            path: args.file.display().to_string(),
        })?,
    };
    let original = args.original.as_deref().map(read_json).transpose()?;
    let findings = lint(&value, event, original.as_ref());
    let (format, mut out) = output_and_format(args.format.as_deref(), args.output.as_ref())?;
    let subject =
        OriginReport::for_lambda_result(&args.file.display().to_string(), event.as_str(), findings);
    let options = ReportOptions {
        command: Some("lint-lambda".into()),
        event: Some(event.as_str().into()),
        ..ReportOptions::default()
    };
    let report = Report::new(vec![subject], options, Duration::ZERO, false, 0);
    report.write(format, &mut out, false, fail_on)?;
    out.commit()?;
    Ok(if report.origins.iter().any(|o| fail_on.trips(o.risk)) {
        ScanExit::GateTripped
    } else {
        ScanExit::Clean
    })
}

fn read_json(path: &Path) -> Result<serde_json::Value, LambdaInputError> {
    let shown = path.display().to_string();
    let text = std::fs::read(path).map_err(|source| LambdaInputError::Io {
        path: shown.clone(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|e| LambdaInputError::Json {
        path: shown,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}
