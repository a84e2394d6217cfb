//! Reading a JSON report back (`--baseline`, `merge`, `diff`), with errors that name the file,
//! line and column.

use std::path::Path;

use super::Report;

/// Why a report file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportReadError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The file as given.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Not an originscan JSON report.
    #[error("{path}:{line}:{column}: not an originscan JSON report ({message})")]
    Invalid {
        /// The file as given.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// The reports cannot be merged.
    #[error("{0}")]
    Merge(#[from] super::merge::MergeError),
}

/// Reads a whole JSON report; its schema name is not checked here (`merge` checks it).
pub(crate) fn read_report(path: &Path) -> Result<Report, ReportReadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReportReadError::Io {
        path: shown.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ReportReadError::Invalid {
        path: shown,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}
