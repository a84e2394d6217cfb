//! The command line: clap definitions, and [`parse`], which applies the team's config file
//! under the flags given. Clap's `ArgMatches` goes no further than this module;
//! [`settings`] turns the raw flags into validated settings in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub(crate) mod config_file;
pub(crate) mod progress;
pub(crate) mod settings;

use clap::{CommandFactory, FromArgMatches};

pub use config_file::ConfigError;
use config_file::ConfigFile;
pub use settings::{SetupError, UsageError};

/// `--dns-timeout`'s default, in seconds.
pub const DEFAULT_DNS_TIMEOUT_SECS: f64 = 5.0;

/// Parses the process's arguments (exiting with clap's message on a usage error) and applies
/// `originscan.toml` (or `--config`) under the flags given to `scan` and `demo`.
pub fn parse() -> Result<Command, ConfigError> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    let given = |name: &str| matches.subcommand_matches(name);
    Ok(match cli.command {
        Command::Scan(args) => Command::Scan(with_config(args, given("scan"))?),
        #[cfg(feature = "lab")]
        Command::Demo(mut args) => {
            args.scan = with_config(args.scan, given("demo"))?;
            Command::Demo(args)
        }
        other => other,
    })
}

/// `args` with the config file's values for every option the command line did not give.
pub fn with_config(
    mut args: ScanArgs,
    matches: Option<&clap::ArgMatches>,
) -> Result<ScanArgs, ConfigError> {
    if let Some(config) = ConfigFile::load(args.config.as_deref())? {
        config.apply(&mut args, matches);
    }
    Ok(args)
}

/// Writes shell completions for `shell`.
pub fn write_completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    clap_complete::generate(shell, &mut Cli::command(), "originscan", out);
    Ok(())
}

/// The man pages: originscan(1), then originscan-COMMAND(1) for each command, as (file name,
/// roff).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let top = Cli::command();
    let mut pages = Vec::new();
    let mut page = Vec::new();
    clap_mangen::Man::new(top.clone()).render(&mut page)?;
    pages.push(("originscan.1".to_string(), page));
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("originscan-{}", sub.get_name());
        let mut page = Vec::new();
        let command = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("originscan {}", sub.get_name()))
            .after_help(EXIT_CODES);
        clap_mangen::Man::new(command).render(&mut page)?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

const EXAMPLES: &str = "\
Examples:
  Try it on the built-in lab (no network needed):
    originscan demo

  Bulk audit of an exported list, ranked, as CSV:
    originscan scan -i origins.csv -o audit.csv

  CI gate before a cutover: test the new address before DNS points at it, fail on critical:
    originscan scan origin.example.com --resolve origin.example.com:203.0.113.10 --fail-on critical

  Nightly scan of every origin, kept as JSON:
    originscan scan -i origins.txt -f json -o nightly-$(date +%F).json

Exit codes: 0 scan done and gate not tripped, 1 gate tripped (--fail-on, --fail-on-new; the
reason is on stderr), 2 usage, input or runtime error, 130 interrupted (the report holds what
finished).";

/// What the demo sets for its scan, whatever the scan options above say as defaults.
#[cfg(feature = "lab")]
const DEMO_DEFAULTS: &str = "\
The demo's scan differs from `scan`'s defaults shown above: it reads the lab's targets.csv, asks
the lab's resolver (--resolver, --dns-port), trusts the lab's CA (--ca-file), allows only
127.0.0.0/8 (--allow-private), and, unless given, uses --dns-timeout 1 --dns-attempts 1 (the lab
answers at once or never) and --resolver-rate 10000 (its resolver is in this process).

Exit codes: 0 done and gate not tripped, 1 gate tripped, 2 usage, input or runtime error, 130
interrupted.";

/// The exit codes, for the man pages of every command.
const EXIT_CODES: &str = "Exit codes: 0 done and gate not tripped, 1 gate tripped (--fail-on, \
--fail-on-new; the reason is on stderr), 2 usage, input or runtime error, 130 interrupted (the \
report holds what finished).";

/// Predicts which origins will make Amazon CloudFront answer 502 Bad Gateway.
#[derive(Debug, Parser)]
#[command(name = "originscan", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// The subcommand, with its own flags; each exits with the codes in its man page.
    #[command(subcommand)]
    pub command: Command,
}

/// originscan's subcommands: each variant's doc comment is its line in `--help`.
#[derive(Debug, Subcommand)]
// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Scan origins as CloudFront would connect to them, and rank them by 502 risk.
    #[command(after_help = EXAMPLES)]
    Scan(ScanArgs),
    /// Start the lab (a simulated fleet on loopback) in this process and scan it.
    #[cfg(feature = "lab")]
    #[command(after_help = DEMO_DEFAULTS)]
    Demo(DemoArgs),
    /// Run the lab until interrupted, writing targets, truth, resolver address and CA into DIR.
    #[cfg(feature = "lab")]
    Lab(LabArgs),
    /// Check a Lambda@Edge function result (or a whole event holding it) against CloudFront's
    /// rules, offline: disallowed and read-only headers, size limits, status, shape.
    LintLambda(LintLambdaArgs),
    /// Join shard reports (JSON) into one ranked report.
    Merge(MergeArgs),
    /// What changed between two JSON reports: origins added or removed, findings new or resolved.
    Diff {
        /// The older JSON report (`scan -f json`), e.g. last night's.
        old: PathBuf,
        /// The newer JSON report, compared with OLD.
        new: PathBuf,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        /// The shell to print a completion script for.
        shell: clap_complete::Shell,
    },
    /// Print the man pages (roff) to stdout: originscan(1), then one page per command
    /// (originscan-scan(1), ...); with --dir, write each as its own file there.
    Man {
        /// Write originscan.1, originscan-scan.1, ... into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Explain a finding code: when it fires, its severity, and how to fix it.
    Explain {
        /// A finding code, e.g. CERT_EXPIRED (or `all`).
        code: String,
    },
}

/// The targets and flags of `scan` (also `demo`'s); `originscan.toml` fills the flags not
/// given.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Targets: host, host:port, https://host, https://host:port, http://host, http://host:port.
    pub targets: Vec<String>,

    /// Read targets from FILE: .txt (one a line, # comments), .csv (header row with an `origin`
    /// column), or .json (`aws cloudfront list-distributions` or `get-distribution-config`
    /// output: every custom origin with its distribution's settings); `-` is stdin. Repeatable.
    /// An input holds at most 512 MiB; stdin and pipes at most 10,000,000 lines (past either,
    /// exit 2 naming the line). Duplicates merge, the first wins.
    #[arg(short, long = "input", value_name = "FILE")]
    pub inputs: Vec<String>,

    /// Write the report to FILE (format from --format, else from the extension).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// table | csv | json | ndjson | junit | github | html | openmetrics [default: table on a
    /// terminal, else json].
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// Resolver IP[:PORT] to ask (repeatable) [default: the system's].
    #[arg(long = "resolver", value_name = "ADDR")]
    pub resolvers: Vec<String>,

    /// Connect to ADDR for HOST, skipping DNS (as curl's --resolve, any port); repeatable.
    /// The way to test a new origin before the DNS cutover.
    #[arg(long = "resolve", value_name = "HOST:ADDR")]
    pub resolve: Vec<String>,

    /// Extra trusted roots (PEM), besides Mozilla's; repeatable.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_files: Vec<PathBuf>,

    /// Origin mTLS: a client certificate (PEM, leaf first, then any intermediates) to present
    /// as CloudFront does. A distribution with OriginMtlsConfig has CloudFront present its
    /// client certificate (ClientCertificateArn) to the origin when the origin's TLS handshake
    /// asks for one (CertificateRequest); without it CloudFront presents none and such an
    /// origin answers 502. Given the same certificate (and --origin-client-key), the scan
    /// presents it to every origin whose export has OriginMtlsConfig and to origins from lists,
    /// CSV or the command line (which cannot say), never to an export's origin without it; an
    /// origin that refuses it is TLS_CLIENT_CERT_REJECTED. Without it, a request on a
    /// distribution with origin mTLS is an info finding: not verified. Read and checked before
    /// any traffic.
    #[arg(long, value_name = "CERT")]
    pub origin_client_cert: Option<PathBuf>,

    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1, not encrypted) of --origin-client-cert;
    /// the two go together. Its content is never printed.
    #[arg(long, value_name = "KEY")]
    pub origin_client_key: Option<PathBuf>,

    /// Certificate expiry horizons in days: the shortest is high, the others medium.
    #[arg(long, value_name = "DAYS,..", default_value = "30,7")]
    pub expiry_warn: String,

    /// Timeout of one DNS query, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_DNS_TIMEOUT_SECS)]
    pub dns_timeout: f64,

    /// Attempts per DNS query; only timeouts are retried (after 100 ms, then twice as long).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub dns_attempts: usize,

    /// Queries per second to any one DNS server, recursive or authoritative (see also
    /// `--dns-in-flight`).
    #[arg(long, value_name = "N", default_value_t = crate::probe::dns_politeness::DEFAULT_RESOLVER_RATE)]
    pub resolver_rate: u32,

    /// Queries awaiting an answer at once from any one DNS server. With latency this, not
    /// `--resolver-rate`, bounds a scan's DNS: N in flight over a 50 ms round trip is 20 N
    /// queries a second at most.
    #[arg(long, value_name = "N", default_value_t = crate::probe::dns_politeness::MAX_DNS_IN_FLIGHT_PER_SERVER)]
    pub dns_in_flight: usize,

    /// The port the zone's authoritative servers are asked on (lab use).
    #[arg(long, value_name = "PORT", default_value_t = 53)]
    pub dns_port: u16,

    /// Origins in flight at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub concurrency: usize,

    /// New connections per second, overall [default: unlimited].
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,

    /// Connections in flight to any one origin IP.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub per_ip: u32,

    /// critical | high | medium | low | never: exit 1 if any origin is at or above.
    #[arg(long, value_name = "LEVEL", default_value = "never")]
    pub fail_on: String,

    /// A previous JSON report: each finding is marked new or known, and resolved ones are listed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// A missing --baseline file is an empty baseline (every finding new), with a notice: for
    /// the first night of a nightly job. Without it a missing baseline is an error.
    #[arg(long, requires = "baseline")]
    pub baseline_optional: bool,

    /// Like --fail-on, counting only findings that are new against --baseline.
    #[arg(long, value_name = "LEVEL", default_value = "never")]
    pub fail_on_new: String,

    /// Treat these private or loopback ranges as reachable (all private ranges when none is
    /// named); addresses in other private ranges are reported and never connected to.
    #[arg(long, value_name = "CIDR,..", num_args = 0..=1, require_equals = false, value_delimiter = ',')]
    pub allow_private: Option<Vec<String>>,

    /// Never show the progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// CSV cells exactly as they are: without it, a cell from an origin, a certificate or an
    /// input file that a spreadsheet would read as a formula (starting with = + - @, a tab or
    /// CR) gets a leading `'` (OWASP's advice against CSV injection).
    #[arg(long)]
    pub csv_raw: bool,

    /// The path the HTTP checks request (GET, with the Host header CloudFront would send).
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub path: String,

    /// Origin SSL protocols the distribution allows, for targets that do not say (CSV column
    /// `ssl_protocols`), e.g. TLSv1.2 or TLSv1,TLSv1.1,TLSv1.2 [default: TLSv1,TLSv1.1,TLSv1.2,
    /// and the evidence says it was assumed].
    #[arg(long, value_name = "LIST")]
    pub ssl_protocols: Option<String>,

    /// What CloudFront offers origins: 2025 (with TLS 1.3 and RSA-PSS), 2025-pq (the same with
    /// post-quantum key exchange: an origin that fails only the larger hello is
    /// TLS_PQ_HELLO_INTOLERANT) or legacy (before 2025: SSLv3 to TLS 1.2).
    #[arg(long, value_name = "PROFILE", default_value = "2025")]
    pub cloudfront_profile: String,

    /// `aws cloudfront get-origin-request-policy` (or list-origin-request-policies) outputs, to
    /// tell whether a custom policy forwards Host; repeatable.
    #[arg(long = "origin-request-policies", value_name = "FILE")]
    pub origin_request_policies: Vec<PathBuf>,

    /// Scan only the I-th of N stable shards of the input (1-based, e.g. 2/4): a target stays
    /// in its shard across runs. Join shard reports with `originscan merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Defaults shared by a team (TOML, keys named like the flags) [default: ./originscan.toml
    /// if present]. Flags given here win over the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Quiet: no progress bar and no notices on stderr (errors still print).
    #[arg(short, long)]
    pub quiet: bool,

    /// Skip the keep-alive probe (reusing each connection after OriginKeepaliveTimeout idle).
    #[arg(long)]
    pub no_idle_probe: bool,

    /// Reading the account from the CloudFront API.
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `scan --aws`: the account read from the CloudFront API instead of (or besides) exports.
#[cfg(feature = "aws")]
#[derive(Debug, Clone, Default, Args)]
pub struct AwsArgs {
    /// Read every distribution of the account, and the origin request and cache policies their
    /// behaviors name, from the CloudFront API (credentials and region from the AWS SDK's
    /// default chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_CLOUDFRONT are honoured), and scan
    /// them as an export. Needs cloudfront:ListDistributions, and, when a behavior names a
    /// policy, cloudfront:ListOriginRequestPolicies and cloudfront:ListCachePolicies.
    #[arg(long)]
    pub aws: bool,

    /// With --aws: also write what was read to FILE, an export that `-i FILE` reads again (the
    /// distributions and the policies in one file), to replay the run.
    #[arg(long, value_name = "FILE", requires = "aws")]
    pub aws_save: Option<PathBuf>,

    /// With --aws: the profile of ~/.aws/config and ~/.aws/credentials to use [default:
    /// AWS_PROFILE, else `default`].
    #[arg(long, value_name = "NAME", requires = "aws")]
    pub profile: Option<String>,
}

/// Options of `demo`.
#[cfg(feature = "lab")]
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Origins in the lab: the pathologies in turn, repeating after the last.
    #[arg(long, default_value_t = crate::lab::fleet::Pathology::ALL.len())]
    pub count: usize,

    /// Add hostile origins (garbage, endless records, slowloris, resets, silence).
    #[arg(long)]
    pub hostile: bool,

    /// How the lab simulates the network.
    #[command(flatten)]
    pub network: LabNetworkArgs,

    /// Scan options (targets, resolver and CA come from the lab).
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Options of `merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Shard reports (`originscan scan --shard I/N -f json` outputs).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,

    /// table | csv | json | ndjson | junit | github | html | openmetrics [default: table on a
    /// terminal, else json].
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// Write the merged report to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 if any origin is at or above this level.
    #[arg(long, value_name = "LEVEL", default_value = "never")]
    pub fail_on: String,
}

/// Options of `lint-lambda`.
#[derive(Debug, Clone, Args)]
pub struct LintLambdaArgs {
    /// The function's result (JSON), or a whole CloudFront event holding it.
    pub file: PathBuf,

    /// viewer-request | origin-request | origin-response | viewer-response [default: from the
    /// event's `config.eventType`].
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,

    /// The request or response the function received (JSON or a whole event), to catch changes
    /// to read-only headers and, in viewer-response, to the status.
    #[arg(long, value_name = "FILE")]
    pub original: Option<PathBuf>,

    /// table | csv | json | ndjson | junit | github | html | openmetrics [default: table on a
    /// terminal, else json].
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// Write the report to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 if a finding is at or above this level (critical | high | medium | low | never).
    #[arg(long, value_name = "LEVEL", default_value = "high")]
    pub fail_on: String,
}

/// Options of `lab`.
#[cfg(feature = "lab")]
#[derive(Debug, Clone, Args)]
pub struct LabArgs {
    /// Origins in the lab: the pathologies in turn, repeating after the last.
    #[arg(long, default_value_t = crate::lab::fleet::Pathology::ALL.len())]
    pub count: usize,

    /// Add hostile origins (garbage, endless records, slowloris, resets, silence).
    #[arg(long)]
    pub hostile: bool,

    /// Where to write targets.csv, truth.json, ca.pem, resolver.txt and scan-args.txt.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// Second octet of the lab's 127.X.0.0/16 origin block (keeps parallel labs apart).
    #[arg(long, default_value_t = 1)]
    pub block: u8,

    /// The port of every lab DNS server [default: 53 when it may be bound, else a free port;
    /// scan-args.txt names it].
    #[arg(long, value_name = "PORT")]
    pub dns_port: Option<u16>,

    /// How the lab simulates the network.
    #[command(flatten)]
    pub network: LabNetworkArgs,
}

/// The lab's network options (`lab` and `demo`).
#[cfg(feature = "lab")]
#[derive(Debug, Clone, Copy, Args)]
pub struct LabNetworkArgs {
    /// Simulated round-trip time: every DNS answer, TLS handshake flight and HTTP response of
    /// the lab waits this many milliseconds (TCP connects stay instant: the kernel answers them).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub rtt: u64,

    /// Spread the ordinary origins over this many extra DNS zones (z0.lab.test, ...), four
    /// authoritative servers each, as a fleet shares zones (0-100).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=100))]
    pub zones: u64,
}
