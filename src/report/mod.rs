//! Reports: one [`OriginReport`] per origin, ranked by score, written as table, CSV, JSON,
//! NDJSON, JUnit XML, GitHub Actions annotations, a self-contained HTML page or OpenMetrics
//! text for Prometheus. Every format but OpenMetrics (numbers only) carries the same facts. [`baseline`] compares a report with a previous one, [`merge`] joins
//! shard reports.

pub mod baseline;
pub mod csv_rows;
pub mod escape;
pub(crate) mod file;
pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod merge;
pub(crate) mod openmetrics;
pub mod options;
pub use file::ReportReadError;
pub use merge::MergeError;
pub(crate) mod table;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::finding::{risk_of, score_of, Code, Finding, GateLevel, Risk};
use crate::target::{SkippedOrigin, Target};
use options::ReportOptions;

/// The name every JSON report carries in its `schema` member; `merge` refuses any other.
pub const SCHEMA: &str = "originscan.report.v1";

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising failed.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV writing failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
}

impl ReportError {
    /// Whether the reader went away (a closed pipe is not an error for a CLI).
    pub fn is_broken_pipe(&self) -> bool {
        use std::io::ErrorKind::BrokenPipe;
        match self {
            ReportError::Io(e) => e.kind() == BrokenPipe,
            ReportError::Json(e) => e.io_error_kind() == Some(BrokenPipe),
            ReportError::Csv(e) => {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe)
            }
        }
    }
}

/// Output formats: `--format`, else the output file's extension ([`Format::choose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A readable table.
    Table,
    /// One row per origin.
    Csv,
    /// The whole report.
    Json,
    /// One origin object a line, written as each finishes.
    Ndjson,
    /// JUnit XML: one test case per origin, failed when at or above the gate.
    Junit,
    /// GitHub Actions workflow commands: one annotation per finding at or above the gate.
    Github,
    /// One self-contained HTML page.
    Html,
    /// OpenMetrics text (Prometheus): per-origin risk, score, findings by severity and
    /// certificate expiry, and the scan's counts, for the textfile collector or Pushgateway.
    Openmetrics,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            "junit" => Ok(Format::Junit),
            "github" => Ok(Format::Github),
            "html" => Ok(Format::Html),
            "openmetrics" => Ok(Format::Openmetrics),
            other => Err(format!(
                "`{other}` is not a format: use table, csv, json, ndjson, junit, github, html \
                 or openmetrics"
            )),
        }
    }
}

impl Format {
    /// The format to write: `--format` if given, else the output file's extension, else a table
    /// on a terminal and JSON otherwise.
    pub fn choose(
        flag: Option<&str>,
        output: Option<&std::path::Path>,
        stdout_is_terminal: bool,
    ) -> Result<Format, String> {
        match (flag, output) {
            (Some(f), _) => f.parse(),
            (None, Some(path)) => {
                Format::from_extension(&path.to_string_lossy()).ok_or_else(|| {
                    format!(
                    "cannot tell the report format from `{}`: name the file .txt (table), .csv, \
                     .json, .ndjson (or .jsonl), .xml (junit), .html or .prom (openmetrics), or \
                     give -f table|csv|json|ndjson|junit|github|html|openmetrics",
                    crate::report::escape::printable(&path.display().to_string())
                )
                })
            }
            (None, None) if stdout_is_terminal => Ok(Format::Table),
            (None, None) => Ok(Format::Json),
        }
    }

    /// The format a file name implies, if any.
    pub fn from_extension(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "txt" => Some(Format::Table),
            "xml" => Some(Format::Junit),
            "html" | "htm" => Some(Format::Html),
            // .prom: what node_exporter's textfile collector reads.
            "prom" | "om" => Some(Format::Openmetrics),
            _ => None,
        }
    }
}

/// `1 origin`, `2 origins`: a count with its noun, singular for one.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Phase timings in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingsMs {
    /// DNS resolution, retries included (0 for an IP literal or a `--resolve` override).
    pub dns: Option<u64>,
    /// The successful attempt of the first port and address that connected (HTTPS first).
    pub connect: Option<u64>,
    /// CloudFront's handshake (rustls's for an IP origin), whatever its outcome.
    pub tls: Option<u64>,
    /// From the request to the response's first byte (the HTTPS port's, else the HTTP port's).
    pub ttfb: Option<u64>,
    /// The whole origin: every probe, the idle wait included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The settings one origin was scanned with: its distribution's, over CloudFront's defaults.
/// Custom headers by name only: their values are often secrets and never leave the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginSettings {
    /// HTTPSPort.
    pub https_port: u16,
    /// HTTPPort.
    pub http_port: u16,
    /// OriginProtocolPolicy.
    pub protocol_policy: String,
    /// OriginSslProtocols as the API names them; absent when the input gave none (the scan
    /// then assumes TLSv1, TLSv1.1 and TLSv1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_protocols: Option<Vec<String>>,
    /// OriginReadTimeout, seconds.
    pub read_timeout_s: u64,
    /// OriginKeepaliveTimeout, seconds.
    pub keepalive_timeout_s: u64,
    /// ConnectionTimeout, seconds.
    pub connect_timeout_s: u64,
    /// ConnectionAttempts.
    pub connection_attempts: u8,
    /// IpAddressType (`ipv4`, `ipv6`, `dualstack`).
    pub ip_address_type: String,
    /// The path requested: OriginPath followed by `--path`.
    pub path: String,
    /// The names of the CustomHeaders sent (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_headers: Vec<String>,
    /// ResponseCompletionTimeout, seconds, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_completion_timeout_s: Option<u64>,
    /// Whether OriginMtlsConfig is set; absent when the input cannot say (not an export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_mtls: Option<bool>,
    /// What became of `--origin-client-cert` (absent when none was given): `accepted`
    /// (presented and the origin went on), `refused` (presented and refused with an alert:
    /// TLS_CLIENT_CERT_REJECTED), `not_asked` (offered, the origin asked for none), `withheld`
    /// (not presented: the export says the distribution has no OriginMtlsConfig) or
    /// `not_verified` (offered, CloudFront's handshake failed before telling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
    /// OriginHttpVersion (`http1.1`, `http2`).
    #[serde(default = "default_http_version")]
    pub http_version: String,
    /// Whether a gRPC behavior (`GrpcConfig.Enabled`) routes to the origin; absent when none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grpc: bool,
    /// The ALPN protocols CloudFront's hello offers, in order; absent when it offers none
    /// (OriginHttpVersion `http1.1` without gRPC).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alpn_offered: Vec<String>,
    /// Observed, not configured: the ALPN protocol the origin selected in CloudFront's
    /// handshake, when it selected one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpn_selected: Option<String>,
    /// Observed, not configured: the HTTP version of the request over CloudFront's TLS
    /// connection (`h2` or `http/1.1`); absent when none was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_protocol: Option<String>,
}

fn default_http_version() -> String {
    crate::target::OriginHttpVersion::Http11
        .as_str()
        .to_string()
}

impl OriginSettings {
    /// The settings `target` is scanned with.
    pub fn of(target: &Target) -> OriginSettings {
        OriginSettings {
            https_port: target.https_port,
            http_port: target.http_port,
            protocol_policy: target.policy.as_str().to_string(),
            ssl_protocols: target
                .ssl_protocols
                .as_ref()
                .map(|v| v.iter().map(|p| p.api_name().to_string()).collect()),
            read_timeout_s: target.read_timeout.as_secs(),
            keepalive_timeout_s: target.keepalive_timeout.as_secs(),
            connect_timeout_s: target.connect_timeout.as_secs(),
            connection_attempts: target.connection_attempts,
            ip_address_type: target.ip_address_type.as_str().to_string(),
            path: target.request_path(),
            custom_headers: target
                .custom_headers
                .iter()
                .map(|h| h.name().to_string())
                .collect(),
            response_completion_timeout_s: target.response_completion_timeout.map(|d| d.as_secs()),
            origin_mtls: target.origin_mtls,
            client_certificate: target
                .client_certificate
                .map(|offered| if offered { "not_verified" } else { "withheld" }.to_string()),
            http_version: target.http_version.as_str().to_string(),
            grpc: target.grpc,
            alpn_offered: if target.offers_h2() {
                crate::probe::cloudfront_tls::ALPN_H2
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect()
            } else {
                Vec::new()
            },
            alpn_selected: None,
            http_protocol: None,
        }
    }
}

/// One origin's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OriginReport {
    /// Rank in the report (1 = riskiest); absent in NDJSON, which streams before ranking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// The origin domain (lower-case) or IP literal; for `lint-lambda`, the file linted.
    pub origin: String,
    /// The port shown (HTTPS unless http-only; 0 for `lint-lambda`).
    pub port: u16,
    /// OriginProtocolPolicy as the API spells it (`https-only`, ...); for `lint-lambda`,
    /// `lambda@edge EVENT`.
    pub protocol_policy: String,
    /// The SNI CloudFront sends: explicit, else the forwarded Host, else the origin name
    /// (`None` for an IP origin with neither).
    pub sni: Option<String>,
    /// The Host header CloudFront sends instead of the origin domain, when one is forwarded.
    pub host_header: Option<String>,
    /// Distribution id (from a CloudFront export, or a CSV `distribution_id` column).
    pub distribution_id: Option<String>,
    /// Origin id (from a CloudFront export, or a CSV `origin_id` column).
    pub origin_id: Option<String>,
    /// Origin groups the origin belongs to (from a CloudFront export).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origin_groups: Vec<String>,
    /// Aliases routed to the origin (from a CloudFront export).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `forwarded` when the viewer's Host reaches the origin; or what was assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_forwarding: Option<String>,
    /// Where the target came from, `FILE:LINE`.
    pub input: Option<String>,
    /// The settings CloudFront reaches the origin with, as scanned; absent for `lint-lambda`
    /// and, in memory, for the ranked formats that do not show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<OriginSettings>,
    /// The addresses DNS gave (or the IP literal, or `--resolve`'s), out-of-scope ones
    /// included; empty when DNS failed or nothing was observed.
    pub addresses: Vec<String>,
    /// The highest finding severity; `ok` when nothing is above `info`.
    pub risk: Risk,
    /// Risk score, 0-100: the highest finding's weight plus a tenth of the others'.
    pub score: u32,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// The earliest `notAfter` (RFC 3339) among the certificates the origin sent, the chain as
    /// sent; absent when no certificate was seen (no TLS, a failed connection, `lint-lambda`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_cert_expiry: Option<String>,
    /// How long each phase took; all absent for a row with no observation (deadline exceeded,
    /// internal error, `lint-lambda`).
    pub timings_ms: TimingsMs,
}

impl OriginReport {
    /// The report for a target and its findings (addresses and timings: [`Self::observed`]).
    pub fn new(target: &Target, findings: Vec<Finding>) -> OriginReport {
        let input = match (&target.provenance.file, target.provenance.line) {
            (Some(file), Some(line)) => Some(format!("{file}:{line}")),
            (Some(file), None) => Some(file.clone()),
            _ => None,
        };
        OriginReport {
            rank: None,
            origin: target.origin.to_string(),
            port: target.primary_port(),
            protocol_policy: target.policy.as_str().to_string(),
            sni: target.sni_name().map(str::to_string),
            host_header: target.host_header.clone(),
            distribution_id: target.provenance.distribution_id.clone(),
            origin_id: target.provenance.origin_id.clone(),
            origin_groups: target.provenance.origin_groups.clone(),
            aliases: target.aliases.clone(),
            host_forwarding: match &target.host_forwarding {
                crate::target::HostForwarding::NotForwarded => None,
                crate::target::HostForwarding::Forwarded => Some("forwarded".into()),
                crate::target::HostForwarding::Unknown(note) => Some(note.clone()),
            },
            input,
            settings: Some(OriginSettings::of(target)),
            addresses: Vec::new(),
            risk: risk_of(&findings),
            score: score_of(&findings),
            timings_ms: TimingsMs::default(),
            earliest_cert_expiry: None,
            findings,
        }
    }

    /// The same report with what became of the client certificate (`--origin-client-cert`),
    /// as observed.
    pub fn with_client_certificate(mut self, outcome: Option<&str>) -> OriginReport {
        if let (Some(settings), Some(outcome)) = (&mut self.settings, outcome) {
            settings.client_certificate = Some(outcome.to_string());
        }
        self
    }

    /// The same report with the earliest expiry (seconds since the epoch) of the certificates
    /// the origin sent.
    pub fn with_cert_expiry(mut self, not_after: Option<i64>) -> OriginReport {
        self.earliest_cert_expiry = not_after.map(crate::check::cert::rfc3339);
        self
    }

    /// The same report with the addresses the origin resolved to and its phase timings.
    pub fn observed(mut self, addresses: Vec<String>, timings_ms: TimingsMs) -> OriginReport {
        self.addresses = addresses;
        self.timings_ms = timings_ms;
        self
    }

    /// The same report with what CloudFront's handshake and request used: the ALPN protocol
    /// the origin selected, and the HTTP version of the request over TLS.
    pub fn negotiated(
        mut self,
        alpn_selected: Option<String>,
        http_protocol: Option<&str>,
    ) -> OriginReport {
        if let Some(settings) = &mut self.settings {
            settings.alpn_selected = alpn_selected;
            settings.http_protocol = http_protocol.map(str::to_string);
        }
        self
    }

    /// A one-row report on a Lambda@Edge function result (`lint-lambda`): the subject is the
    /// file, the "policy" the event type; there is no port, SNI or address.
    pub fn for_lambda_result(file: &str, event: &str, findings: Vec<Finding>) -> OriginReport {
        OriginReport {
            rank: None,
            origin: file.to_string(),
            port: 0,
            protocol_policy: format!("lambda@edge {event}"),
            sni: None,
            host_header: None,
            distribution_id: None,
            origin_id: None,
            origin_groups: Vec::new(),
            aliases: Vec::new(),
            host_forwarding: None,
            input: Some(file.to_string()),
            settings: None,
            addresses: Vec::new(),
            risk: risk_of(&findings),
            score: score_of(&findings),
            timings_ms: TimingsMs::default(),
            earliest_cert_expiry: None,
            findings,
        }
    }

    /// The row as a ranked report keeps it until written ([`PackedRow`]).
    pub(crate) fn pack(mut self) -> Result<PackedRow, ReportError> {
        for finding in &mut self.findings {
            if finding.fix == finding.code.fix() {
                // Restored from the catalog when the row is read back.
                finding.fix = std::borrow::Cow::Borrowed("");
            }
        }
        Ok(PackedRow {
            score: self.score,
            port: self.port,
            json: serde_json::to_vec(&self)?.into_boxed_slice(),
            origin: self.origin.into_boxed_str(),
        })
    }

    /// The codes of its findings, most severe first (the findings' own order).
    pub fn codes(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.code.as_str()).collect()
    }
}

/// One origin's row as a ranked report keeps it until it is written: its rank key and the row
/// as compact JSON (the catalog's fix left out), about a third of the row's size in memory;
/// [`Report::rows`] reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedRow {
    score: u32,
    port: u16,
    origin: Box<str>,
    json: Box<[u8]>,
}

impl PackedRow {
    fn unpack(&self, rank: usize) -> Result<OriginReport, ReportError> {
        let mut origin: OriginReport = serde_json::from_slice(&self.json)?;
        for finding in &mut origin.findings {
            if finding.fix.is_empty() {
                finding.fix = std::borrow::Cow::Borrowed(finding.code.fix());
            }
        }
        origin.rank = Some(rank);
        Ok(origin)
    }
}

/// Counts and timing of a scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many origin rows the report has.
    pub origins: usize,
    /// Origin rows per risk level, every level listed (0 included).
    pub by_risk: BTreeMap<Risk, usize>,
    /// Wall time of the scan (of a merged report: the longest shard's).
    pub duration_ms: u64,
    /// Whether the scan was interrupted (then `not_scanned` origins have no row).
    pub interrupted: bool,
    /// Targets not scanned because of the interruption.
    pub not_scanned: usize,
    /// New, known and resolved findings against a baseline report (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::BaselineSummary>,
}

/// A finding of the baseline report that this report no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedFinding {
    /// The origin domain or IP literal, as in the baseline's row.
    pub origin: String,
    /// The port the baseline's row shows: HTTPS unless the policy is http-only.
    pub port: u16,
    /// The code that no longer fires.
    pub code: Code,
    /// What the baseline said.
    pub summary: String,
}

/// A whole scan's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`]; `merge` refuses a report that names another.
    pub schema: String,
    /// When the scan finished (RFC 3339).
    pub generated_at: String,
    /// The options that shaped the scan.
    pub options: ReportOptions,
    /// Rows by risk, the duration, an interruption, and the baseline's counts.
    pub summary: Summary,
    /// One row per origin, ranked: highest score first, then origin, then port.
    pub origins: Vec<OriginReport>,
    /// Origins of the input that were not scanned, and why (S3 REST and VPC origins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedOrigin>,
    /// Warnings about the input (an incomplete export, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Findings of the baseline report that no longer fire (`--baseline`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<ResolvedFinding>,
    /// The rows of a scan's ranked report, packed and ranked ([`Report::with_packed`]); then
    /// `origins` is empty and the formats read [`Report::rows`].
    #[serde(skip)]
    pub(crate) packed: Vec<PackedRow>,
}

impl Report {
    /// Ranks the origins (score, then name, then port) and counts them.
    pub fn new(
        mut origins: Vec<OriginReport>,
        options: ReportOptions,
        duration: std::time::Duration,
        interrupted: bool,
        not_scanned: usize,
    ) -> Report {
        rank(&mut origins);
        let mut by_risk: BTreeMap<Risk, usize> = Risk::ALL.iter().map(|r| (*r, 0)).collect();
        for origin in &origins {
            *by_risk.entry(origin.risk).or_default() += 1;
        }
        Report {
            schema: SCHEMA.to_string(),
            generated_at: crate::check::cert::rfc3339(
                time::OffsetDateTime::now_utc().unix_timestamp(),
            ),
            options,
            summary: Summary {
                origins: origins.len(),
                by_risk,
                duration_ms: duration.as_millis() as u64,
                interrupted,
                not_scanned,
                baseline: None,
            },
            origins,
            skipped: Vec::new(),
            warnings: Vec::new(),
            resolved: Vec::new(),
            packed: Vec::new(),
        }
    }

    /// The report with these packed rows, ranked, in place of `origins` (whose counts the
    /// caller sets: [`Summary::origins`], [`Summary::by_risk`]).
    pub(crate) fn with_packed(mut self, mut rows: Vec<PackedRow>) -> Report {
        rows.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.origin.cmp(&b.origin))
                .then_with(|| a.port.cmp(&b.port))
        });
        self.packed = rows;
        self
    }

    /// How many origin rows the report has.
    pub fn row_count(&self) -> usize {
        self.origins.len() + self.packed.len()
    }

    /// The `i`-th row (0-based) in rank order, read back if packed.
    pub fn row(&self, i: usize) -> Option<Result<Cow<'_, OriginReport>, ReportError>> {
        match self.origins.get(i) {
            Some(origin) => Some(Ok(Cow::Borrowed(origin))),
            None => {
                let j = i - self.origins.len();
                let row = self.packed.get(j)?;
                Some(row.unpack(j + 1).map(Cow::Owned))
            }
        }
    }

    /// The origin rows, ranked: `origins`, or the packed rows read back one at a time.
    pub fn rows(&self) -> impl Iterator<Item = Result<Cow<'_, OriginReport>, ReportError>> + '_ {
        let held = self.origins.iter().map(|o| Ok(Cow::Borrowed(o)));
        let packed = self
            .packed
            .iter()
            .enumerate()
            .map(|(i, row)| row.unpack(i + 1).map(Cow::Owned));
        held.chain(packed)
    }

    /// Writes the report in a non-streaming format. `gate` (the `--fail-on` level) decides
    /// which JUnit test cases fail and which findings become GitHub annotations.
    pub fn write(
        &self,
        format: Format,
        out: &mut dyn Write,
        color: bool,
        gate: GateLevel,
    ) -> Result<(), ReportError> {
        self.write_with(
            format,
            out,
            WriteOptions {
                color,
                gate,
                csv_raw: false,
            },
        )
    }

    /// Writes the report in `format` with every writing option.
    pub fn write_with(
        &self,
        format: Format,
        out: &mut dyn Write,
        options: WriteOptions,
    ) -> Result<(), ReportError> {
        let WriteOptions {
            color,
            gate,
            csv_raw,
        } = options;
        match format {
            Format::Table => table::write(self, out, color)?,
            Format::Csv => csv_rows::write(self, out, csv_raw)?,
            Format::Json => json::write(self, out)?,
            Format::Ndjson => {
                for origin in &self.origins {
                    json::write_line(origin, out)?;
                }
            }
            Format::Junit => junit::write(self, gate, out)?,
            Format::Github => github::write(self, gate, out)?,
            Format::Html => html::write(self, out)?,
            Format::Openmetrics => openmetrics::write(self, out)?,
        }
        out.flush()?;
        Ok(())
    }
}

/// How a report is written besides its format.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// ANSI colours (a terminal that wants them).
    pub color: bool,
    /// The `--fail-on` level (JUnit failures, GitHub annotations).
    pub gate: GateLevel,
    /// CSV cells exactly as they are, formula-like ones included (`--csv-raw`, for machines).
    pub csv_raw: bool,
}

/// Sorts by score (highest first), then origin, then port, and numbers the ranks.
pub fn rank(origins: &mut [OriginReport]) {
    origins.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.origin.cmp(&b.origin))
            .then_with(|| a.port.cmp(&b.port))
    });
    for (i, origin) in origins.iter_mut().enumerate() {
        origin.rank = Some(i + 1);
    }
}

/// Builders for the format modules' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{OriginReport, Report, TimingsMs};
    use crate::finding::{risk_of, score_of, Finding};

    /// An origin on port 443 with these findings (risk and score computed).
    pub(crate) fn origin(name: &str, findings: Vec<Finding>) -> OriginReport {
        OriginReport {
            rank: None,
            origin: name.to_string(),
            port: 443,
            protocol_policy: "https-only".into(),
            sni: Some(name.to_string()),
            host_header: None,
            distribution_id: None,
            origin_id: None,
            origin_groups: Vec::new(),
            aliases: Vec::new(),
            host_forwarding: None,
            input: None,
            settings: None,
            addresses: vec!["192.0.2.1".into()],
            risk: risk_of(&findings),
            score: score_of(&findings),
            findings,
            timings_ms: TimingsMs::default(),
            earliest_cert_expiry: None,
        }
    }

    /// A ranked report of these origins.
    pub(crate) fn report(origins: Vec<OriginReport>) -> Report {
        Report::new(
            origins,
            serde_json::from_value(serde_json::json!({})).expect("typed"),
            std::time::Duration::ZERO,
            false,
            0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_follow_extensions() {
        for (name, format) in [
            ("junit", Format::Junit),
            ("GitHub", Format::Github),
            ("html", Format::Html),
            ("ndjson", Format::Ndjson),
        ] {
            assert_eq!(name.parse::<Format>(), Ok(format));
        }
        assert!("sarif"
            .parse::<Format>()
            .unwrap_err()
            .contains("junit, github, html or openmetrics"));
        assert_eq!("OpenMetrics".parse::<Format>(), Ok(Format::Openmetrics));
        assert_eq!(
            Format::from_extension("/var/lib/node_exporter/textfile_collector/originscan.prom"),
            Some(Format::Openmetrics)
        );
        assert_eq!(Format::from_extension("x.om"), Some(Format::Openmetrics));
        assert_eq!(
            Format::from_extension("out/report.xml"),
            Some(Format::Junit)
        );
        assert_eq!(Format::from_extension("report.HTML"), Some(Format::Html));
        assert_eq!(Format::from_extension("report.htm"), Some(Format::Html));
        assert_eq!(Format::from_extension("report.json"), Some(Format::Json));
        assert_eq!(Format::from_extension("report"), None);
    }

    #[test]
    fn every_format_writes_an_empty_report() {
        let report = test_support::report(vec![]);
        for format in [
            Format::Table,
            Format::Csv,
            Format::Json,
            Format::Ndjson,
            Format::Junit,
            Format::Github,
            Format::Html,
            Format::Openmetrics,
        ] {
            let mut out = Vec::new();
            report
                .write(format, &mut out, false, GateLevel::Never)
                .unwrap();
        }
    }
}
