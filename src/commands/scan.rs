//! `originscan scan`: read and check everything the run needs (inputs, baseline, output path)
//! before any traffic, build the scan's components from validated settings, run the engine with
//! streaming output and signal handling, then rank, compare with the baseline, write the report
//! atomically, print the closing summary and decide the exit. The demo scans its lab through
//! this same entry point.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::output::Destination;
use super::summary::{summary_line, StreamTally};
use super::{raise_fd_limit, wait_for_signal, CommandError, ScanExit};
use crate::cli::progress::Progress;
use crate::cli::settings::ScanSettings;
use crate::cli::ScanArgs;
use crate::engine;
use crate::input::{self, cloudfront::OriginRequestPolicies};
use crate::report::file::{read_report, ReportReadError};
use crate::report::options::ReportOptions;
use crate::report::{json, Format, OriginReport, PackedRow, Report, ReportError};

/// No descriptors held by anything but the scan itself (a plain `scan`).
pub(crate) const NO_EXTRA_FDS: u64 = 0;
/// Descriptors one origin in flight may hold at once (its ports on its addresses).
const FDS_PER_ORIGIN: u64 = 4;
/// Descriptors kept for everything else (resolver sockets, output).
const FD_RESERVE: u64 = 64;

/// `--aws`: the account read from the CloudFront API as an export in memory (written to
/// `--aws-save FILE` too, whose path then names it), before any scan traffic. Without `--aws`,
/// none.
#[cfg(feature = "aws")]
async fn read_aws_account(
    args: &ScanArgs,
    quiet: bool,
) -> Result<Vec<input::MemoryExport>, CommandError> {
    use crate::aws::{read_account, AwsError};
    if !args.aws.aws {
        return Ok(Vec::new());
    }
    let account = read_account(args.aws.profile.as_deref()).await?;
    let name = match &args.aws.aws_save {
        Some(path) => {
            let save_error = |source| AwsError::Save {
                path: path.display().to_string(),
                source,
            };
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => std::path::Path::new("."),
            };
            let mut file = tempfile::NamedTempFile::new_in(dir).map_err(save_error)?;
            file.write_all(&account.json).map_err(save_error)?;
            file.persist(path).map_err(|e| save_error(e.error))?;
            path.display().to_string()
        }
        None => "aws:cloudfront".to_string(),
    };
    if !quiet {
        eprintln!(
            "originscan: note: --aws: {} distribution(s) on {} page(s) of ListDistributions, \
             {} policy(ies) named by their behaviors{}",
            account.distributions,
            account.pages,
            account.policies,
            args.aws
                .aws_save
                .as_ref()
                .map(|p| format!(
                    "; saved to {}",
                    crate::report::escape::printable(&p.display().to_string())
                ))
                .unwrap_or_default()
        );
    }
    Ok(vec![input::MemoryExport {
        name,
        content: account.json,
    }])
}

/// Without the `aws` feature there is no `--aws`.
#[cfg(not(feature = "aws"))]
async fn read_aws_account(
    _args: &ScanArgs,
    _quiet: bool,
) -> Result<Vec<input::MemoryExport>, CommandError> {
    Ok(Vec::new())
}

/// The result of a scan: the report and how it ended.
#[derive(Debug)]
pub(crate) struct ScanResult {
    /// The ranked report (the demo compares it with the lab's truth).
    #[cfg_attr(not(feature = "lab"), allow(dead_code))]
    pub report: Report,
    /// Clean, gate tripped (`--fail-on`, `--fail-on-new`) or interrupted: the exit code.
    pub exit: ScanExit,
}

/// Scans what `args` name. `extra_fds` are descriptors the process holds besides the scan (the
/// demo's lab): `--concurrency` is lowered if the open-file limit cannot afford it.
/// `keep_rows` keeps every row whole in the returned report's `origins` (the demo compares
/// them with its truth). A scan does not: NDJSON holds nothing of an origin once its line is
/// written, and a ranked format holds each row packed ([`OriginReport::pack`]) until written.
pub(crate) async fn run(
    args: ScanArgs,
    extra_fds: u64,
    keep_rows: bool,
) -> Result<ScanResult, CommandError> {
    let mut settings = ScanSettings::from_args(&args, std::io::stdout().is_terminal())?;
    let policies = OriginRequestPolicies::read(&args.origin_request_policies)?;
    let shard = settings.shard;
    let keep: input::Keep = Box::new(move |t| shard.is_none_or(|s| s.holds(t.stable_hash())));
    let mut matched = vec![false; settings.resolve_entries.len()];
    let exports = read_aws_account(&args, settings.quiet).await?;
    let mut plan = input::plan(
        &settings.targets,
        &exports,
        &settings.inputs,
        &policies,
        keep,
        &mut |target| {
            for (entry, seen) in settings.resolve_entries.iter().zip(matched.iter_mut()) {
                *seen = *seen || override_matches(entry, target);
            }
        },
    )?;
    let mut skipped = std::mem::take(&mut plan.skipped);
    if let Some(shard) = shard {
        skipped.retain(|s| shard.holds(s.stable_hash()));
    }
    let warnings = std::mem::take(&mut plan.warnings);
    let notes = std::mem::take(&mut plan.notes);
    let previous = read_baseline(&settings)?;
    if !settings.quiet {
        for note in &notes {
            eprintln!(
                "originscan: note: {}",
                crate::report::escape::terminal_lines(note)
            );
        }
        for warning in &warnings {
            eprintln!(
                "originscan: warning: {}",
                crate::report::escape::terminal_lines(warning)
            );
        }
        let unmatched = settings
            .resolve_entries
            .iter()
            .zip(&matched)
            .filter(|(_, seen)| !**seen);
        for (entry, _) in unmatched {
            eprintln!(
                "originscan: warning: --resolve {}: matches no target{}",
                crate::report::escape::printable(&entry.text),
                entry
                    .port
                    .map(|p| format!(" on port {p}"))
                    .unwrap_or_default()
            );
        }
    }
    fit_concurrency_to_fd_limit(&mut settings, extra_fds);
    let total = plan.len();
    let mut targets = plan.into_targets();
    let ssl_protocols = settings.ssl_protocols.clone();
    let path = settings.path.clone();
    let client_certificate = settings.client_identity.is_some();
    let with_protocols = (&mut targets).map(|mut target| {
        if target.ssl_protocols.is_none() {
            target.ssl_protocols.clone_from(&ssl_protocols);
        }
        // The viewer's path (`--path`): each request asks for OriginPath followed by it.
        target.path.clone_from(&path);
        target.offer_client_certificate(client_certificate);
        target
    });
    let scanner = settings.scanner()?;
    let mut out = Destination::open(settings.output.as_deref())?;
    let streaming = settings.format == Format::Ndjson;
    let shows_settings = matches!(settings.format, Format::Json | Format::Html);
    let color = settings.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());

    let started = Instant::now();
    let mut progress = Progress::new(total, settings.progress);
    let mut reports: Vec<OriginReport> = Vec::new();
    let mut packed: Vec<PackedRow> = Vec::new();
    let mut tally = StreamTally::new(previous.as_ref(), settings.fail_on, settings.fail_on_new);
    let mut write_error: Option<ReportError> = None;
    let outcome = engine::run(
        scanner,
        with_protocols,
        total,
        settings.concurrency,
        wait_for_signal(),
        |mut report| {
            progress.record(report.risk);
            // Marks the findings new or known (--baseline), counts, and feeds the gates.
            tally.add(&mut report);
            if write_error.is_some() {
                return;
            }
            if streaming {
                if let Err(e) = json::write_line(&report, &mut out)
                    .and_then(|_| out.flush().map_err(ReportError::from))
                {
                    write_error = Some(e);
                }
            }
            if keep_rows {
                reports.push(report);
            } else if !streaming {
                if !shows_settings {
                    // Kept small: only JSON and HTML show the settings object.
                    report.settings = None;
                }
                match report.pack() {
                    Ok(row) => packed.push(row),
                    Err(e) => write_error = Some(e),
                }
            }
        },
    )
    .await;
    progress.finish();
    if let Some(error) = write_error {
        return Err(error.into());
    }
    // An input that changed since it was first read ends the scan early: say so.
    targets.finish()?;

    let mut report = Report::new(
        reports,
        settings.report_options(),
        started.elapsed(),
        outcome.interrupted,
        outcome.not_scanned,
    )
    .with_packed(packed);
    report.skipped = skipped;
    report.skipped.sort();
    report.warnings = warnings;
    let reasons = tally.finish(&mut report);
    if !streaming {
        report.write_with(
            settings.format,
            &mut out,
            crate::report::WriteOptions {
                color,
                gate: settings.fail_on,
                csv_raw: settings.csv_raw,
            },
        )?;
    }
    let destination = out.describe();
    out.commit()?;
    if !settings.quiet {
        eprintln!("originscan: {}", summary_line(&report, &destination));
    }
    let exit = if outcome.interrupted {
        ScanExit::Interrupted
    } else {
        // Without --baseline every finding counts as new: --fail-on-new fails safe.
        for reason in &reasons {
            eprintln!("originscan: gate tripped: {reason}");
        }
        if reasons.is_empty() {
            ScanExit::Clean
        } else {
            ScanExit::GateTripped
        }
    };
    Ok(ScanResult { report, exit })
}

/// Whether a `--resolve` entry names this target's host (and, with a port, one of its ports).
fn override_matches(
    entry: &crate::cli::settings::ResolveEntry,
    target: &crate::target::Target,
) -> bool {
    target.origin.name() == Some(entry.host.as_str())
        && entry
            .port
            .is_none_or(|p| p == target.https_port || p == target.http_port)
}

/// The `--baseline` report, read before any traffic. With `--baseline-optional`, a missing
/// file is an empty baseline (every finding new), with a notice.
fn read_baseline(settings: &ScanSettings) -> Result<Option<Report>, CommandError> {
    let Some(path) = &settings.baseline else {
        return Ok(None);
    };
    match read_report(path) {
        Ok(report) => Ok(Some(report)),
        Err(ReportReadError::Io { source, .. })
            if settings.baseline_optional && source.kind() == std::io::ErrorKind::NotFound =>
        {
            if !settings.quiet {
                eprintln!(
                    "originscan: notice: no baseline at {} yet (--baseline-optional): every finding counts as new",
                    crate::report::escape::printable(&path.display().to_string())
                );
            }
            Ok(Some(Report::new(
                Vec::new(),
                ReportOptions::default(),
                Duration::ZERO,
                false,
                0,
            )))
        }
        Err(error) => Err(error.into()),
    }
}

/// Lowers `--concurrency` to what the open-file limit affords, with a warning.
fn fit_concurrency_to_fd_limit(settings: &mut ScanSettings, extra_fds: u64) {
    let fd_limit = raise_fd_limit();
    let affordable =
        (fd_limit.saturating_sub(extra_fds + FD_RESERVE) / FDS_PER_ORIGIN).max(1) as usize;
    if settings.concurrency > affordable {
        if !settings.quiet {
            eprintln!(
                "originscan: warning: open-file limit {fd_limit} allows {affordable} origins in flight; \
                 --concurrency lowered from {}",
                settings.concurrency
            );
        }
        settings.concurrency = affordable;
    }
}
