//! The commands behind the CLI: `scan`, `demo`, `lab`, `explain`. Each returns a typed error;
//! `main` maps results to exit codes.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::check::cert::trust::{TrustError, TrustStore};
use crate::check::CheckContext;
use crate::cli::progress::Progress;
use crate::cli::settings::{ScanSettings, UsageError};
use crate::cli::{DemoArgs, LabArgs, LabNetworkArgs, ScanArgs};
use crate::engine::{self, Scanner};
use crate::finding::Code;
use crate::input::{self, InputError};
use crate::lab::fleet::FleetMix;
use crate::lab::{Lab, LabConfig, LabError};
use crate::probe::authority::{AuthoritySettings, ZoneHealthCache};
use crate::probe::dialer::{Dialer, DialerLimits};
use crate::probe::dns::{DnsProbe, DnsSettings, DnsSetupError};
use crate::probe::dns_politeness::DnsGate;
use crate::probe::tls::TlsProbe;
use crate::probe::OriginProber;
use crate::report::{json, Format, OriginReport, Report, ReportError};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A flag is wrong.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The targets could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The roots could not be loaded.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The resolver could not be set up.
    #[error(transparent)]
    Dns(#[from] DnsSetupError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The lab could not start.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// The output file could not be created.
    #[error("cannot create {path}: {source}")]
    Output {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// TLS setup failed.
    #[error("TLS setup: {0}")]
    Tls(#[from] rustls::Error),
    /// A Lambda@Edge file could not be read.
    #[error(transparent)]
    Lambda(#[from] LambdaInputError),
    /// The configuration file is wrong.
    #[error(transparent)]
    Config(#[from] crate::cli::config_file::ConfigError),
    /// A report file could not be read.
    #[error(transparent)]
    ReportFile(#[from] ReportReadError),
}

impl AppError {
    /// Whether the user's input or flags are at fault (exit 2 either way, but worded so).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            AppError::Usage(_) | AppError::Input(_) | AppError::Lambda(_)
        )
    }

    /// Whether the reader of our output went away (not an error).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, AppError::Report(e) if e.is_broken_pipe())
    }
}

/// How a scan ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanExit {
    /// Done, gate not tripped.
    Clean,
    /// Done, some origin at or above `--fail-on`.
    GateTripped,
    /// Interrupted by a signal; the report holds what finished.
    Interrupted,
}

/// The result of a scan: the report and how it ended.
#[derive(Debug)]
pub struct ScanResult {
    /// The ranked report.
    pub report: Report,
    /// How it ended.
    pub exit: ScanExit,
}

/// Raises the soft open-file limit to the hard limit; returns the soft limit now in force.
pub fn raise_fd_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// Descriptors one origin in flight may hold at once (its ports on its addresses).
const FDS_PER_ORIGIN: u64 = 4;
/// Descriptors kept for everything else (resolver sockets, output, the lab in a demo).
const FD_RESERVE: u64 = 64;

/// Applies `originscan.toml` (or `--config`) under the flags given on the command line.
fn with_config(
    mut args: ScanArgs,
    matches: Option<&clap::ArgMatches>,
) -> Result<ScanArgs, AppError> {
    if let Some(config) = crate::cli::config_file::ConfigFile::load(args.config.as_deref())? {
        config.apply(&mut args, matches);
    }
    Ok(args)
}

/// `originscan scan`.
pub async fn scan(
    args: ScanArgs,
    matches: Option<&clap::ArgMatches>,
) -> Result<ScanResult, AppError> {
    let args = with_config(args, matches)?;
    let settings = ScanSettings::from_args(&args, std::io::stdout().is_terminal())?;
    let policies = input::cloudfront::OriginRequestPolicies::read(&args.origin_request_policies)?;
    let mut gathered = input::gather_all(&settings.targets, &settings.inputs, &policies)?;
    if let Some((i, n)) = settings.shard {
        gathered.targets.retain(|t| t.stable_hash() % n == i - 1);
        gathered
            .skipped
            .retain(|s| (s.distribution_id.len() + s.origin_id.len()) as u64 % n == i - 1);
    }
    if !settings.quiet {
        for warning in &gathered.warnings {
            eprintln!("originscan: warning: {warning}");
        }
    }
    let skipped: Vec<serde_json::Value> = gathered
        .skipped
        .iter()
        .filter_map(|s| serde_json::to_value(s).ok())
        .collect();
    let warnings = gathered.warnings;
    let mut result =
        run_scan_reporting(settings, gathered.targets, FD_RESERVE, skipped, warnings).await?;
    result.report.skipped.sort_by_key(|s| s.to_string());
    Ok(result)
}

/// Runs a scan of `targets` with validated settings.
pub async fn run_scan(
    settings: ScanSettings,
    targets: Vec<crate::target::Target>,
    fds_in_use: u64,
) -> Result<ScanResult, AppError> {
    run_scan_reporting(settings, targets, fds_in_use, Vec::new(), Vec::new()).await
}

/// Runs a scan, listing the input's skipped origins and warnings in the report.
pub async fn run_scan_reporting(
    mut settings: ScanSettings,
    mut targets: Vec<crate::target::Target>,
    fds_in_use: u64,
    skipped: Vec<serde_json::Value>,
    warnings: Vec<String>,
) -> Result<ScanResult, AppError> {
    let fd_limit = raise_fd_limit();
    let affordable =
        (fd_limit.saturating_sub(fds_in_use + FD_RESERVE) / FDS_PER_ORIGIN).max(1) as usize;
    if settings.concurrency > affordable && !settings.quiet {
        eprintln!(
            "originscan: warning: open-file limit {fd_limit} allows {affordable} origins in flight; \
             --concurrency lowered from {}",
            settings.concurrency
        );
        settings.concurrency = affordable;
    }

    if let Some(protocols) = &settings.ssl_protocols {
        for target in targets.iter_mut().filter(|t| t.ssl_protocols.is_none()) {
            target.ssl_protocols = Some(protocols.clone());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra_roots = Vec::new();
    for path in &settings.ca_files {
        extra_roots.extend(TrustStore::read_pem(path)?);
    }
    let trust = TrustStore::new(provider.clone(), extra_roots)?;
    let gate = Arc::new(DnsGate::new(settings.resolver_rate, settings.dns_in_flight));
    let dns = Arc::new(DnsProbe::new(
        &DnsSettings {
            resolvers: settings.resolvers.clone(),
            overrides: settings.overrides.clone(),
            timeout: settings.dns_timeout,
            attempts: settings.dns_attempts,
        },
        gate,
    )?);
    let zones = Arc::new(ZoneHealthCache::new(
        dns.clone(),
        settings.scope.clone(),
        AuthoritySettings {
            port: settings.dns_port,
            timeout: settings.dns_timeout,
            attempts: settings.dns_attempts,
            // Each origin in flight asks the resolver once or twice: a query may wait behind
            // that many others at the rate.
            queue_wait: Duration::from_secs_f64(
                (settings.concurrency as f64 * 2.0 + 64.0)
                    / f64::from(settings.resolver_rate.get()),
            )
            .max(Duration::from_secs(2)),
        },
    ));
    // The origin's resolution and its zone's checks run side by side; an origin waits for the
    // longer of the two (A and AAAA in parallel, each with its attempts, plus slack; or the
    // zone's budget).
    let dns_budget =
        (settings.dns_timeout * (settings.dns_attempts as u32 + 1)).max(zones.zone_budget());
    let dialer = Dialer::new(
        settings.scope.clone(),
        DialerLimits {
            rate: settings.rate,
            per_ip: Some(settings.per_ip),
        },
    );
    let scanner = Arc::new(Scanner {
        prober: OriginProber {
            dns,
            zones: Some(zones),
            dialer: Arc::new(dialer),
            tls: TlsProbe::new(provider.clone())?,
            negotiator: crate::probe::diagnostic_hellos::Negotiator::new(
                provider,
                settings.profile,
            ),
            path: settings.path.clone(),
            idle_probe: settings.idle_probe,
        },
        context: CheckContext {
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            expiry_warn_days: settings.expiry_warn_days.clone(),
            trust,
        },
        dns_budget,
    });

    let mut out = open_output(settings.output.as_deref())?;
    let streaming = settings.format == Format::Ndjson;
    let color = settings.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = shutdown_tx.send(true);
    });

    let started = Instant::now();
    let mut progress = Progress::new(targets.len(), settings.progress);
    let mut reports: Vec<OriginReport> = Vec::with_capacity(targets.len());
    let mut write_error: Option<ReportError> = None;
    let outcome = engine::run(
        scanner,
        targets,
        settings.concurrency,
        shutdown_rx,
        |report| {
            progress.record(report.risk);
            if streaming && write_error.is_none() {
                if let Err(e) = json::write_line(&report, &mut out)
                    .and_then(|_| out.flush().map_err(ReportError::from))
                {
                    write_error = Some(e);
                }
            }
            reports.push(report);
        },
    )
    .await;
    signals.abort();
    progress.finish();
    if let Some(error) = write_error {
        return Err(error.into());
    }

    let mut report = Report::new(
        reports,
        settings.report_options(),
        started.elapsed(),
        outcome.interrupted,
        outcome.not_scanned,
    );
    report.skipped = skipped;
    report.warnings = warnings;
    if let Some(path) = &settings.baseline {
        let previous = read_report(path)?;
        crate::report::baseline::apply(&mut report, &previous);
    }
    if !streaming {
        report.write(settings.format, &mut out, color, settings.fail_on)?;
    }
    out.flush().map_err(ReportError::from)?;
    if outcome.interrupted && !settings.quiet {
        eprintln!(
            "originscan: interrupted: {} origins reported, {} not scanned",
            outcome.reported, outcome.not_scanned
        );
    }
    let exit = if outcome.interrupted {
        ScanExit::Interrupted
    } else if report.origins.iter().any(|o| settings.fail_on.trips(o.risk))
        // Without --baseline every finding counts as new: --fail-on-new fails safe.
        || crate::report::baseline::gate_new(&report, settings.fail_on_new)
    {
        ScanExit::GateTripped
    } else {
        ScanExit::Clean
    };
    Ok(ScanResult { report, exit })
}

async fn wait_for_signal() {
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

/// `originscan demo`: start the lab, scan it, compare with the ground truth.
pub async fn demo(
    mut args: DemoArgs,
    matches: Option<&clap::ArgMatches>,
) -> Result<ScanResult, AppError> {
    args.scan = with_config(args.scan, matches)?;
    let args = &args;
    if !args.scan.targets.is_empty() || !args.scan.inputs.is_empty() {
        return Err(UsageError {
            flag: "demo",
            message: "the demo scans its own lab; give no targets or --input".into(),
        }
        .into());
    }
    let fd_limit = raise_fd_limit();
    let lab_fds = args.count as u64 * 2 + 64;
    if lab_fds + FD_RESERVE * 2 > fd_limit {
        return Err(UsageError {
            flag: "--count",
            message: format!(
                "a lab of {} origins needs about {lab_fds} open files; the limit is {fd_limit}",
                args.count
            ),
        }
        .into());
    }
    let lab = Lab::start(lab_config(args.count, 1, args.hostile, args.network)).await?;
    let dir = std::env::temp_dir().join(format!("originscan-demo-{}", std::process::id()));
    lab.write_files(&dir)?;
    eprintln!(
        "originscan demo: lab of {} origins on 127.1.0.0/16, DNS at {}, files in {}",
        args.count,
        lab.resolver,
        dir.display()
    );
    let mut scan_args = args.scan.clone();
    scan_args.inputs = vec![dir.join("targets.csv").display().to_string()];
    scan_args.resolvers = vec![lab.resolver.to_string()];
    scan_args.dns_port = lab.resolver.port();
    scan_args.ca_files.push(dir.join("ca.pem"));
    scan_args.allow_private = Some(vec!["127.0.0.0/8".into()]);
    if scan_args.resolver_rate == crate::probe::dns_politeness::DEFAULT_RESOLVER_RATE {
        // The lab's resolver is in this process: politeness towards it would only slow the demo.
        scan_args.resolver_rate = 10_000;
    }
    if scan_args.dns_timeout == 5.0 {
        scan_args.dns_timeout = 1.0;
        scan_args.dns_attempts = 1;
    }
    let settings = ScanSettings::from_args(&scan_args, std::io::stdout().is_terminal())?;
    let targets = input::gather(&[], &settings.inputs)?;
    let result = run_scan(settings, targets, lab_fds).await?;
    let mismatches = truth_mismatches(&result.report, &lab.truth);
    eprintln!(
        "originscan demo: {} of {} origins match the lab's ground truth exactly",
        lab.truth.len() - mismatches.len(),
        lab.truth.len()
    );
    for (origin, expected, reported) in mismatches {
        eprintln!("  {origin}: expected {expected:?}, reported {reported:?}");
    }
    lab.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(result)
}

/// The origins whose reported codes differ from the truth: (origin, expected, reported).
pub fn truth_mismatches(
    report: &Report,
    truth: &[crate::lab::TruthEntry],
) -> Vec<(String, Vec<String>, Option<Vec<String>>)> {
    truth
        .iter()
        .filter_map(|entry| {
            let reported = report
                .origins
                .iter()
                .find(|o| o.origin == entry.origin && o.port == entry.port)
                .map(|o| {
                    let mut codes: Vec<String> = o.codes().iter().map(|c| c.to_string()).collect();
                    codes.sort();
                    codes
                });
            (reported.as_ref() != Some(&entry.expected))
                .then(|| (entry.origin.clone(), entry.expected.clone(), reported))
        })
        .collect()
}

/// The lab `demo` and `lab` start: `count` origins in block `block`, with the network flags.
fn lab_config(count: usize, block: u8, hostile: bool, network: LabNetworkArgs) -> LabConfig {
    LabConfig {
        count,
        block,
        mix: if hostile {
            FleetMix::Hostile
        } else {
            FleetMix::Standard
        },
        rtt: Duration::from_millis(network.rtt),
        shared_zones: network.zones as usize,
        ..LabConfig::default()
    }
}

/// `originscan lab`: run the lab until interrupted.
pub async fn lab(args: &LabArgs) -> Result<(), AppError> {
    raise_fd_limit();
    let lab = Lab::start(LabConfig {
        dns_port: args.dns_port,
        ..lab_config(args.count, args.block, args.hostile, args.network)
    })
    .await?;
    lab.write_files(&args.dir)?;
    println!("lab: {} origins; DNS at {}", args.count, lab.resolver);
    println!("files: {}", args.dir.display());
    println!(
        "scan it: originscan scan -i {} {}",
        args.dir.join("targets.csv").display(),
        lab.scan_args(&args.dir.join("ca.pem")).join(" ")
    );
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    lab.write_dns_traffic(&args.dir)?;
    lab.shutdown();
    Ok(())
}

/// Why a Lambda@Edge file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LambdaInputError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not JSON.
    #[error("{path}:{line}:{column}: not valid JSON ({message})")]
    Json {
        /// The file.
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
        /// The file.
        path: String,
    },
}

fn read_json(path: &std::path::Path) -> Result<serde_json::Value, LambdaInputError> {
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

/// `originscan lint-lambda`: the findings for one function result, as a one-row report.
pub fn lint_lambda(args: &crate::cli::LintLambdaArgs) -> Result<ScanExit, AppError> {
    use crate::lambda::{lint, EventType};
    let format = Format::choose(
        args.format.as_deref(),
        args.output.as_deref(),
        std::io::stdout().is_terminal(),
    )
    .map_err(|m| UsageError {
        flag: "--format",
        message: m,
    })?;
    let fail_on: crate::finding::GateLevel =
        args.fail_on.parse().map_err(|m: String| UsageError {
            flag: "--fail-on",
            message: m,
        })?;
    let value = read_json(&args.file)?;
    let event = match &args.event {
        Some(name) => name.parse::<EventType>().map_err(|m| UsageError {
            flag: "--event",
            message: m,
        })?,
        None => EventType::detect(&value).ok_or_else(|| LambdaInputError::NoEventType {
            path: args.file.display().to_string(),
        })?,
    };
    let original = args.original.as_deref().map(read_json).transpose()?;
    let findings = lint(&value, event, original.as_ref());
    let mut target =
        crate::target::Target::new(crate::target::Host::Name(event.as_str().to_string()));
    target.provenance.file = Some(args.file.display().to_string());
    let mut origin = OriginReport::new(&target, findings, None);
    origin.origin = args.file.display().to_string();
    origin.port = 0;
    origin.protocol_policy = format!("lambda@edge {}", event.as_str());
    origin.sni = None;
    let report = Report::new(
        vec![origin],
        serde_json::json!({"command": "lint-lambda", "event": event.as_str()}),
        std::time::Duration::ZERO,
        false,
        0,
    );
    let mut out = open_output(args.output.as_deref())?;
    report.write(format, &mut out, false, fail_on)?;
    Ok(if report.origins.iter().any(|o| fail_on.trips(o.risk)) {
        ScanExit::GateTripped
    } else {
        ScanExit::Clean
    })
}

/// The report's destination: the `-o` file, else stdout, buffered.
fn open_output(path: Option<&std::path::Path>) -> Result<Box<dyn Write>, AppError> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|source| {
            AppError::Output {
                path: path.display().to_string(),
                source,
            }
        })?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Why a report file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportReadError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not an originscan JSON report.
    #[error("{path}:{line}:{column}: not an originscan JSON report ({message})")]
    Invalid {
        /// The file.
        path: String,
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// Merging failed.
    #[error("{0}")]
    Merge(#[from] crate::report::merge::MergeError),
}

/// Reads a JSON report (`--baseline`, `merge`, `diff`).
pub fn read_report(path: &std::path::Path) -> Result<Report, ReportReadError> {
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

fn output_and_format(
    format: &Option<String>,
    output: &Option<std::path::PathBuf>,
) -> Result<(Format, Box<dyn Write>), AppError> {
    let format = Format::choose(
        format.as_deref(),
        output.as_deref(),
        std::io::stdout().is_terminal(),
    )
    .map_err(|m| UsageError {
        flag: "--format",
        message: m,
    })?;
    let out = open_output(output.as_deref())?;
    Ok((format, out))
}

/// `originscan merge`: shard reports joined and re-ranked.
pub fn merge(args: &crate::cli::MergeArgs) -> Result<ScanExit, AppError> {
    let gate: crate::finding::GateLevel = args.fail_on.parse().map_err(|m: String| UsageError {
        flag: "--fail-on",
        message: m,
    })?;
    let reports = args
        .reports
        .iter()
        .map(|p| read_report(p))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = crate::report::merge::merge(reports).map_err(ReportReadError::from)?;
    let (format, mut out) = output_and_format(&args.format, &args.output)?;
    merged.write(format, &mut out, false, gate)?;
    Ok(if merged.origins.iter().any(|o| gate.trips(o.risk)) {
        ScanExit::GateTripped
    } else {
        ScanExit::Clean
    })
}

/// `originscan diff OLD NEW`.
pub fn diff(old: &std::path::Path, new: &std::path::Path) -> Result<ScanExit, AppError> {
    let (old, new) = (read_report(old)?, read_report(new)?);
    let changes = crate::report::baseline::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    write!(out, "{changes}").map_err(ReportError::from)?;
    Ok(ScanExit::Clean)
}

/// `originscan explain CODE` (or `all`).
pub fn explain(code: &str, out: &mut dyn Write) -> Result<(), AppError> {
    let codes: Vec<Code> = if code.eq_ignore_ascii_case("all") {
        Code::ALL.to_vec()
    } else {
        vec![code.parse().map_err(|message: String| UsageError {
            flag: "explain",
            message: format!("{message}; `originscan explain all` lists every code"),
        })?]
    };
    for code in codes {
        writeln!(
            out,
            "{code} ({}, {})\n  fires when: {}\n  fix: {}\n",
            code.area(),
            code.default_severity(),
            code.fires_when(),
            code.fix()
        )
        .map_err(ReportError::from)?;
    }
    Ok(())
}
