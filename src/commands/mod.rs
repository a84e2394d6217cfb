//! The commands behind the CLI, one file each, each readable top to bottom: [`scan`], [`demo`],
//! [`lab`], [`lint_lambda`], [`merge`], [`diff`], [`explain`]. They take validated arguments (the
//! config file is already applied by [`crate::cli`]), return a [`CommandError`] or how the run
//! ended ([`ScanExit`]); `main` maps that to an exit code.

#[cfg(feature = "lab")]
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod explain;
#[cfg(feature = "lab")]
pub(crate) mod lab;
pub(crate) mod lint_lambda;
pub(crate) mod merge;
mod output;
pub(crate) mod scan;
mod summary;

pub use lint_lambda::LambdaInputError;

use crate::cli::Command;
use crate::cli::{ConfigError, SetupError, UsageError};
use crate::input::InputError;
use crate::report::ReportError;
use crate::report::ReportReadError;

/// Why a command failed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A flag is wrong.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The targets could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A component of the scan (roots, resolver, TLS) could not be set up.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The lab could not start.
    #[cfg(feature = "lab")]
    #[error(transparent)]
    Lab(#[from] crate::lab::LabError),
    /// The output file could not be created.
    #[error("cannot create {path}: {source}")]
    Output {
        /// The `-o` path as given.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A Lambda@Edge file could not be read.
    #[error(transparent)]
    Lambda(#[from] LambdaInputError),
    /// The configuration file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A report file could not be read.
    #[error(transparent)]
    ReportFile(#[from] ReportReadError),
    /// `scan --aws` could not read the account.
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Aws(#[from] crate::aws::AwsError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl CommandError {
    /// Whether the reader of our output went away (not an error: exit 0, as ripgrep does).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CommandError::Report(e) if e.is_broken_pipe())
    }
}

/// How a command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanExit {
    /// Done, gate not tripped (exit 0).
    Clean,
    /// Done, some origin at or above `--fail-on` (exit 1).
    GateTripped,
    /// Interrupted by a signal; the report holds what finished (exit 130).
    Interrupted,
}

/// Runs one parsed command on `runtime`.
pub fn run(command: Command, runtime: &tokio::runtime::Runtime) -> Result<ScanExit, CommandError> {
    match command {
        Command::Scan(args) => runtime
            .block_on(scan::run(args, scan::NO_EXTRA_FDS, false))
            .map(|r| r.exit),
        #[cfg(feature = "lab")]
        Command::Demo(args) => runtime.block_on(demo::run(args)).map(|r| r.exit),
        #[cfg(feature = "lab")]
        Command::Lab(args) => runtime.block_on(lab::run(&args)).map(|()| ScanExit::Clean),
        Command::Merge(args) => merge::run(&args),
        Command::Diff { old, new } => diff::run(&old, &new),
        Command::LintLambda(args) => lint_lambda::run(&args),
        Command::Explain { code } => {
            explain::run(&code, &mut std::io::stdout().lock()).map(|()| ScanExit::Clean)
        }
        Command::Completions { shell } => {
            crate::cli::write_completions(shell, &mut std::io::stdout())
                .map_err(ReportError::from)?;
            Ok(ScanExit::Clean)
        }
        Command::Man { dir } => {
            write_man_pages(dir.as_deref())?;
            Ok(ScanExit::Clean)
        }
    }
}

/// Every man page to stdout, or each to its file in `dir`.
fn write_man_pages(dir: Option<&std::path::Path>) -> Result<(), CommandError> {
    use std::io::Write;
    let pages = crate::cli::man_pages().map_err(ReportError::from)?;
    match dir {
        None => {
            let mut out = std::io::stdout().lock();
            for (_, page) in pages {
                out.write_all(&page).map_err(ReportError::from)?;
            }
            out.flush().map_err(ReportError::from)?;
        }
        Some(dir) => {
            for (name, page) in pages {
                let path = dir.join(name);
                std::fs::write(&path, page).map_err(|source| CommandError::Output {
                    path: path.display().to_string(),
                    source,
                })?;
            }
        }
    }
    Ok(())
}

/// Waits for Ctrl-C or SIGTERM.
pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Raises the soft open-file limit to the hard limit; returns the soft limit now in force.
pub(crate) fn raise_fd_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}
