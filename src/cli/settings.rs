//! Raw flags become validated settings here, in one place; every usage error is found before
//! any traffic is sent. [`ScanSettings::scanner`] then wires the scan's components from them.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::check::cert::trust::{TrustError, TrustStore};
use crate::check::CheckContext;
use crate::cli::ScanArgs;
use crate::engine::Scanner;
use crate::finding::GateLevel;
use crate::probe::authority::{AuthoritySettings, ZoneHealthCache};
use crate::probe::client_certificate::ClientIdentity;
use crate::probe::cloudfront_tls::CloudFrontTls;
use crate::probe::diagnostic_hellos::Negotiator;
use crate::probe::dialer::{Dialer, DialerLimits};
use crate::probe::dns::{DnsProbe, DnsSettings, DnsSetupError};
use crate::probe::dns_politeness::DnsPoliteness;
use crate::probe::scope::AddressScope;
use crate::probe::tls::TlsProbe;
use crate::probe::OriginProber;
use crate::report::options::{ReportOptions, ScanOptions};
use crate::report::Format;
use crate::target::validate_dns_name;

/// A usage error: a flag's value is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct UsageError {
    /// The flag at fault as typed (`--dns-timeout`), or the subcommand (`demo`).
    pub flag: &'static str,
    /// What is wrong, usually with what to give instead (`give 1 to 10 attempts`).
    pub message: String,
}

/// A component of the scan could not be set up from valid settings.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The roots could not be loaded.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The resolver could not be set up.
    #[error(transparent)]
    Dns(#[from] DnsSetupError),
    /// The TLS client could not be configured.
    #[error("TLS setup: {0}")]
    Tls(#[from] rustls::Error),
}

/// `--shard I/N`: the I-th (1-based) of N stable shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    /// I: the shard scanned, 1 to N.
    pub index: u64,
    /// N: how many shards the input is split into, 1 to 10,000.
    pub count: u64,
}

impl Shard {
    /// Whether the item with this stable hash belongs to this shard.
    pub(crate) fn holds(&self, stable_hash: u64) -> bool {
        stable_hash % self.count == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn usage(flag: &'static str, message: impl Into<String>) -> UsageError {
    UsageError {
        flag,
        message: message.into(),
    }
}

/// Everything a scan needs to know, validated.
#[derive(Debug, Clone)]
pub(crate) struct ScanSettings {
    /// Positional target specs as given, parsed with the inputs.
    pub targets: Vec<String>,
    /// `--input` files as given (`-` is stdin).
    pub inputs: Vec<String>,
    /// `--output` (`None`: stdout).
    pub output: Option<PathBuf>,
    /// `--format`, else from the output file's extension, else table on a terminal, JSON
    /// otherwise.
    pub format: Format,
    /// Resolvers (empty: the system's).
    pub resolvers: Vec<SocketAddr>,
    /// `--resolve` overrides: addresses by lower-case host name, in the order given.
    pub overrides: HashMap<String, Vec<IpAddr>>,
    /// The `--resolve` entries as given (to warn about those that match no target).
    pub resolve_entries: Vec<ResolveEntry>,
    /// `--ca-file` PEM files, trusted beside Mozilla's roots; read by [`Self::scanner`].
    pub ca_files: Vec<PathBuf>,
    /// `--origin-client-cert` with `--origin-client-key`, read and checked: the client
    /// certificate CloudFront presents to origins with origin mTLS.
    pub client_identity: Option<ClientIdentity>,
    /// `--expiry-warn` horizons in days (1-3650), ascending, without duplicates.
    pub expiry_warn_days: Vec<u32>,
    /// `--dns-timeout`, over 0 and at most 60 s.
    pub dns_timeout: Duration,
    /// `--dns-attempts`, 1-10.
    pub dns_attempts: usize,
    /// Queries per second to any one DNS server (recursive or authoritative).
    pub resolver_rate: NonZeroU32,
    /// Queries awaiting an answer at once from any one DNS server.
    pub dns_in_flight: usize,
    /// The port authoritative servers are asked on (53; the lab uses its own).
    pub dns_port: u16,
    /// `--concurrency`: origins in flight at once, 1-100,000.
    pub concurrency: usize,
    /// `--rate`: new connections per second, overall (`None`: unlimited).
    pub rate: Option<NonZeroU32>,
    /// `--per-ip`: connections open at once to one address (the dialer raises it to 3).
    pub per_ip: NonZeroU32,
    /// Exit 1 at or above this.
    pub fail_on: GateLevel,
    /// Which addresses may be connected to: public ones, plus `--allow-private`'s ranges.
    pub scope: AddressScope,
    /// The `--allow-private` ranges as given, for the report.
    pub allow_private: Option<Vec<String>>,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
    /// `--path`: starts with `/`, printable ASCII without spaces, at most 2048 bytes.
    pub path: String,
    /// Whether to run the keep-alive idle probe.
    pub idle_probe: bool,
    /// OriginSslProtocols for targets that do not give theirs.
    pub ssl_protocols: Option<Vec<crate::cloudfront::tls_profile::TlsVersion>>,
    /// `--cloudfront-profile`: what CloudFront's hellos and s2n policy offer (`2025` unless
    /// `legacy`), and whether its key exchange is post-quantum (`2025-pq`).
    pub profile: crate::cloudfront::tls_profile::ProfileChoice,
    /// `--quiet`: no notices on stderr and no progress bar (errors still print).
    pub quiet: bool,
    /// `--shard I/N`: only the targets in that shard are scanned (`None`: all).
    pub shard: Option<Shard>,
    /// `--baseline`: the earlier JSON report whose findings make this one's new or known.
    pub baseline: Option<PathBuf>,
    /// `--baseline-optional`: a missing baseline file is an empty baseline.
    pub baseline_optional: bool,
    /// `--csv-raw`: CSV cells not neutralised for spreadsheets.
    pub csv_raw: bool,
    /// `--fail-on-new`: exit 1 when a finding new against the baseline is at or above this.
    pub fail_on_new: GateLevel,
}

impl ScanSettings {
    /// Validates raw flags. `stdout_is_terminal` picks the default format.
    pub(crate) fn from_args(
        args: &ScanArgs,
        stdout_is_terminal: bool,
    ) -> Result<ScanSettings, UsageError> {
        let format = Format::choose(
            args.format.as_deref(),
            args.output.as_deref(),
            stdout_is_terminal,
        )
        .map_err(|m| usage("--format", m))?;
        let resolvers = args
            .resolvers
            .iter()
            .map(|r| parse_resolver(r).map_err(|m| usage("--resolver", m)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut overrides: HashMap<String, Vec<IpAddr>> = HashMap::new();
        let mut resolve_entries = Vec::new();
        for text in &args.resolve {
            let entry = parse_resolve(text).map_err(|m| usage("--resolve", m))?;
            overrides
                .entry(entry.host.clone())
                .or_default()
                .push(entry.ip);
            resolve_entries.push(entry);
        }
        let mut expiry_warn_days = args
            .expiry_warn
            .split(',')
            .map(|d| {
                d.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| {
                        usage(
                            "--expiry-warn",
                            format!("`{d}` is not a number of days (1-3650)"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        expiry_warn_days.sort_unstable();
        expiry_warn_days.dedup();
        if !(args.dns_timeout > 0.0 && args.dns_timeout <= 60.0) {
            return Err(usage(
                "--dns-timeout",
                "give seconds over 0 and at most 60 (e.g. 0.5 or 5)",
            ));
        }
        if !(1..=10).contains(&args.dns_attempts) {
            return Err(usage("--dns-attempts", "give 1 to 10 attempts"));
        }
        let resolver_rate = NonZeroU32::new(args.resolver_rate)
            .filter(|r| r.get() <= 100_000)
            .ok_or_else(|| usage("--resolver-rate", "give 1 to 100000 queries per second"))?;
        if args.dns_port == 0 {
            return Err(usage("--dns-port", "give a port from 1 to 65535"));
        }
        if !(1..=4096).contains(&args.dns_in_flight) {
            return Err(usage("--dns-in-flight", "give 1 to 4096 queries"));
        }
        if !(1..=100_000).contains(&args.concurrency) {
            return Err(usage("--concurrency", "give 1 to 100000 origins in flight"));
        }
        let rate = match args.rate {
            None => None,
            Some(r) => {
                Some(NonZeroU32::new(r).ok_or_else(|| usage("--rate", "must be at least 1"))?)
            }
        };
        let per_ip = NonZeroU32::new(args.per_ip)
            .filter(|n| n.get() >= crate::probe::dialer::MIN_PER_IP)
            .ok_or_else(|| {
                usage(
                    "--per-ip",
                    format!(
                        "give at least {}: an origin's two ports and CloudFront's hello are open at once",
                        crate::probe::dialer::MIN_PER_IP
                    ),
                )
            })?;
        let fail_on = args
            .fail_on
            .parse()
            .map_err(|m: String| usage("--fail-on", m))?;
        let scope = match &args.allow_private {
            None => AddressScope::public_only(),
            // Only the bare flag opens every private range: an empty or blank value (an unset
            // variable in `--allow-private "$RANGES"`) is a mistake, not a wish.
            Some(ranges) if ranges.is_empty() => AddressScope::allowing_all_private(),
            Some(ranges) if ranges.iter().any(|r| r.trim().is_empty()) => {
                return Err(usage(
                    "--allow-private",
                    "an empty range would open every private range; name the ranges (e.g. \
                     127.0.0.0/8), or give the flag alone to allow them all",
                ))
            }
            Some(ranges) => AddressScope::allowing(
                ranges
                    .iter()
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| parse_range(r).map_err(|m| usage("--allow-private", m)))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let client_identity = match (&args.origin_client_cert, &args.origin_client_key) {
            (None, None) => None,
            (Some(cert), Some(key)) => {
                Some(ClientIdentity::read(cert, key).map_err(|e| usage(e.flag(), e.to_string()))?)
            }
            (Some(_), None) => {
                return Err(usage(
                    "--origin-client-cert",
                    "give its private key with --origin-client-key too",
                ))
            }
            (None, Some(_)) => {
                return Err(usage(
                    "--origin-client-key",
                    "give the certificate it belongs to with --origin-client-cert too",
                ))
            }
        };
        Ok(ScanSettings {
            targets: args.targets.clone(),
            inputs: args.inputs.clone(),
            output: args.output.clone(),
            format,
            resolvers,
            overrides,
            resolve_entries,
            ca_files: args.ca_files.clone(),
            client_identity,
            expiry_warn_days,
            dns_timeout: Duration::from_secs_f64(args.dns_timeout),
            dns_attempts: args.dns_attempts,
            resolver_rate,
            dns_in_flight: args.dns_in_flight,
            dns_port: args.dns_port,
            concurrency: args.concurrency,
            rate,
            per_ip,
            fail_on,
            scope,
            allow_private: args.allow_private.clone(),
            progress: !args.no_progress && !args.quiet,
            quiet: args.quiet,
            baseline: args.baseline.clone(),
            baseline_optional: args.baseline_optional,
            csv_raw: args.csv_raw,
            fail_on_new: args
                .fail_on_new
                .parse()
                .map_err(|m: String| usage("--fail-on-new", m))?,
            shard: args
                .shard
                .as_deref()
                .map(parse_shard)
                .transpose()
                .map_err(|m| usage("--shard", m))?,
            path: validate_path(&args.path).map_err(|m| usage("--path", m))?,
            idle_probe: !args.no_idle_probe,
            ssl_protocols: args
                .ssl_protocols
                .as_deref()
                .map(crate::cloudfront::tls_profile::parse_ssl_protocols)
                .transpose()
                .map_err(|m| usage("--ssl-protocols", m))?,
            profile: args
                .cloudfront_profile
                .parse()
                .map_err(|m: String| usage("--cloudfront-profile", m))?,
        })
    }

    /// Builds the scan's components from these settings, wired in one place (ripgrep's
    /// `HiArgs` pattern): roots, DNS with its politeness, zone checks, the dialer with its scope
    /// and limits, the TLS probes, and what the checks need.
    pub(crate) fn scanner(&self) -> Result<Arc<Scanner<OriginProber>>, SetupError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut extra_roots = Vec::new();
        for path in &self.ca_files {
            extra_roots.extend(TrustStore::read_pem(path)?);
        }
        let cloudfront = Arc::new(
            CloudFrontTls::new(&extra_roots).with_client_identity(self.client_identity.clone()),
        );
        let trust = TrustStore::new(provider.clone(), extra_roots)?;
        let politeness = Arc::new(DnsPoliteness::new(self.resolver_rate, self.dns_in_flight));
        let dns = Arc::new(DnsProbe::new(
            &DnsSettings {
                resolvers: self.resolvers.clone(),
                overrides: self.overrides.clone(),
                timeout: self.dns_timeout,
                attempts: self.dns_attempts,
            },
            politeness,
        )?);
        let zones = Arc::new(ZoneHealthCache::new(
            dns.clone(),
            self.scope.clone(),
            AuthoritySettings {
                port: self.dns_port,
                timeout: self.dns_timeout,
                attempts: self.dns_attempts,
                // Each origin in flight asks the resolver once or twice: a query may wait
                // behind that many others at the rate.
                queue_wait: Duration::from_secs_f64(
                    (self.concurrency as f64 * 2.0 + 64.0) / f64::from(self.resolver_rate.get()),
                )
                .max(Duration::from_secs(2)),
            },
        ));
        // The origin's resolution and its zone's checks run side by side; an origin waits for
        // the longer of the two (A and AAAA in parallel, each with its attempts, plus slack; or
        // the zone's budget: its cut, then its servers or the delegation walk).
        let dns_budget =
            (self.dns_timeout * (self.dns_attempts as u32 + 1)).max(zones.health_budget());
        let dialer = Dialer::new(
            self.scope.clone(),
            DialerLimits {
                rate: self.rate,
                per_ip: Some(self.per_ip),
            },
        );
        Ok(Arc::new(Scanner {
            prober: OriginProber {
                dns,
                zones: Some(zones),
                dialer: Arc::new(dialer),
                tls: TlsProbe::new(provider.clone())?,
                cloudfront,
                negotiator: Negotiator::new(provider, self.profile.profile),
                post_quantum: self.profile.post_quantum,
                idle_probe: self.idle_probe,
            },
            context: CheckContext {
                now: time::OffsetDateTime::now_utc().unix_timestamp(),
                expiry_warn_days: self.expiry_warn_days.clone(),
                trust,
            },
            dns_budget,
        }))
    }

    /// The options recorded in the report.
    pub(crate) fn report_options(&self) -> ReportOptions {
        ReportOptions {
            scan: Some(ScanOptions {
                resolvers: self.resolvers.iter().map(|r| r.to_string()).collect(),
                resolve_overrides: self.overrides.len(),
                expiry_warn_days: self.expiry_warn_days.clone(),
                dns_timeout_s: self.dns_timeout.as_secs_f64(),
                dns_attempts: self.dns_attempts,
                resolver_rate: self.resolver_rate.get(),
                dns_in_flight: self.dns_in_flight,
                dns_port: self.dns_port,
                concurrency: self.concurrency,
                rate: self.rate.map(NonZeroU32::get),
                per_ip: self.per_ip.get(),
                allow_private: self.allow_private.clone(),
                path: self.path.clone(),
                idle_probe: self.idle_probe,
                cloudfront_profile: self.profile.as_str().to_string(),
                shard: self.shard.map(|shard| shard.to_string()),
                ssl_protocols: self
                    .ssl_protocols
                    .as_ref()
                    .map(|v| v.iter().map(|p| p.api_name().to_string()).collect()),
            }),
            ..ReportOptions::default()
        }
    }
}

/// `IP` or `IP:PORT` or `[V6]:PORT`; port 53 by default, never 0.
pub(crate) fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        if addr.port() == 0 {
            return Err(format!(
                "`{text}`: give a port from 1 to 65535 (or none for 53)"
            ));
        }
        return Ok(addr);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("`{text}` is not IP or IP:PORT"))
}

/// One `--resolve` entry: the host, the port it names (curl's `HOST:PORT:ADDR`), the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolveEntry {
    /// The host name, lower-case.
    pub(crate) host: String,
    /// The port named, if any: the entry is meant for the host's targets on that port.
    pub(crate) port: Option<u16>,
    /// The address to connect to.
    pub(crate) ip: IpAddr,
    /// The entry as given, for messages.
    pub(crate) text: String,
}

/// `HOST:ADDR`, `HOST:[IPv6]` or `HOST:PORT:ADDR` (ADDR an IPv4 or a bracketed IPv6). Nothing
/// ambiguous is accepted: `HOST:2001:db8::1` could be port 2001 and address `db8::1`, so an IPv6
/// address must be bracketed.
pub(crate) fn parse_resolve(text: &str) -> Result<ResolveEntry, String> {
    let (host, rest) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not HOST:ADDR"))?;
    if host.contains('*') {
        return Err(format!(
            "`{host}`: a wildcard names no single host; give one HOST:ADDR per host"
        ));
    }
    let host = validate_dns_name(host)?;
    let address = |addr: &str| -> Result<IpAddr, String> {
        if let Some(inner) = addr.strip_prefix('[') {
            return inner
                .strip_suffix(']')
                .and_then(|v6| v6.parse::<std::net::Ipv6Addr>().ok())
                .map(IpAddr::V6)
                .ok_or_else(|| format!("`{addr}` in `{text}` is not a bracketed IPv6 address"));
        }
        match addr.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => Ok(IpAddr::V4(v4)),
            Ok(IpAddr::V6(_)) => Err(format!(
                "`{text}`: bracket an IPv6 address (HOST:[{addr}] or HOST:PORT:[{addr}])"
            )),
            Err(_) => Err(format!("`{addr}` in `{text}` is not an IP address")),
        }
    };
    let entry = |port: Option<u16>, ip: IpAddr| ResolveEntry {
        host: host.clone(),
        port,
        ip,
        text: text.to_string(),
    };
    if rest.starts_with('[') || rest.parse::<std::net::Ipv4Addr>().is_ok() {
        return Ok(entry(None, address(rest)?));
    }
    match rest.split_once(':') {
        Some((port, addr)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            let port = port
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{port}` in `{text}` is not a port from 1 to 65535"))?;
            if addr.parse::<std::net::Ipv6Addr>().is_ok() {
                return Err(format!(
                    "`{text}`: bracket the IPv6 address (HOST:PORT:[{addr}]); unbracketed, it reads as a port and part of an address"
                ));
            }
            Ok(entry(Some(port), address(addr)?))
        }
        _ => Ok(entry(None, address(rest)?)),
    }
}

/// `I/N` with 1 ≤ I ≤ N ≤ 10000.
pub(crate) fn parse_shard(text: &str) -> Result<Shard, String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not I/N (e.g. 2/4)"))?;
    let (i, n): (u64, u64) = (
        i.trim()
            .parse()
            .map_err(|_| format!("`{i}` is not a shard number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a shard count"))?,
    );
    if n == 0 || n > 10_000 || i == 0 || i > n {
        return Err(format!("`{text}`: give 1 <= I <= N <= 10000"));
    }
    Ok(Shard { index: i, count: n })
}

/// A request path: starts with `/`, printable ASCII without spaces, at most 2048 bytes.
fn validate_path(path: &str) -> Result<String, String> {
    if !path.starts_with('/') {
        return Err(format!("`{path}` must start with /"));
    }
    if path.len() > 2048 {
        return Err(format!(
            "the path is {} bytes; CloudFront's URLs, and this check's, stop at 2048",
            path.len()
        ));
    }
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "give a path of printable ASCII without spaces (percent-encode the rest)".into(),
        );
    }
    Ok(path.to_string())
}

fn parse_range(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not a CIDR range or address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &[&str]) -> Result<ScanSettings, UsageError> {
        use clap::Parser;
        let mut argv = vec!["originscan", "scan", "origin.example.com"];
        argv.extend(extra);
        match crate::cli::Cli::try_parse_from(argv)
            .expect("flags parse")
            .command
        {
            crate::cli::Command::Scan(args) => ScanSettings::from_args(&args, false),
            _ => unreachable!("a scan command"),
        }
    }

    #[test]
    fn only_the_bare_allow_private_opens_every_private_range() {
        let ten: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(settings(&["--allow-private"]).unwrap().scope.permits(ten));
        for empty in ["", ",", " ", "127.0.0.0/8,", ", "] {
            let error = settings(&["--allow-private", empty]).unwrap_err();
            assert_eq!(error.flag, "--allow-private", "{empty:?}");
        }
        let lab = settings(&["--allow-private", "127.0.0.0/8"]).unwrap();
        assert!(!lab.scope.permits(ten));
        assert!(lab.scope.permits("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn small_defects_of_the_flags_are_named() {
        assert_eq!(settings(&["--per-ip", "2"]).unwrap_err().flag, "--per-ip");
        assert_eq!(settings(&["--per-ip", "3"]).unwrap().per_ip.get(), 3);
        let zero = settings(&["--dns-timeout", "0"]).unwrap_err();
        assert!(zero.message.contains("over 0"), "{}", zero.message);
        let long = format!("/{}", "a".repeat(100_000));
        let error = settings(&["--path", &long]).unwrap_err();
        assert!(error.message.contains("100001 bytes"), "{}", error.message);
    }

    #[test]
    fn dns_in_flight_is_validated() {
        assert_eq!(settings(&[]).unwrap().dns_in_flight, 32);
        assert_eq!(
            settings(&["--dns-in-flight", "500"]).unwrap().dns_in_flight,
            500
        );
        for bad in ["0", "4097"] {
            assert_eq!(
                settings(&["--dns-in-flight", bad]).unwrap_err().flag,
                "--dns-in-flight"
            );
        }
    }

    #[test]
    fn resolver_rate_and_dns_port_are_validated() {
        let defaults = settings(&[]).unwrap();
        assert_eq!(defaults.resolver_rate.get(), 200);
        assert_eq!(defaults.dns_port, 53);
        let custom = settings(&["--resolver-rate", "20", "--dns-port", "5353"]).unwrap();
        assert_eq!((custom.resolver_rate.get(), custom.dns_port), (20, 5353));
        assert_eq!(
            settings(&["--resolver-rate", "0"]).unwrap_err().flag,
            "--resolver-rate"
        );
        assert_eq!(
            settings(&["--resolver-rate", "100001"]).unwrap_err().flag,
            "--resolver-rate"
        );
        assert_eq!(
            settings(&["--dns-port", "0"]).unwrap_err().flag,
            "--dns-port"
        );
    }

    #[test]
    fn resolver_and_resolve_forms() {
        assert_eq!(
            parse_resolver("127.0.0.1").unwrap(),
            "127.0.0.1:53".parse().unwrap()
        );
        assert_eq!(
            parse_resolver("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            parse_resolver("[::1]:5353").unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert!(parse_resolver("resolver.example").is_err());

        let entry = parse_resolve("Origin.example.com:127.0.0.2").unwrap();
        assert_eq!(
            (entry.host.as_str(), entry.port, entry.ip),
            ("origin.example.com", None, "127.0.0.2".parse().unwrap())
        );
        let entry = parse_resolve("a.example.com:443:[::1]").unwrap();
        assert_eq!((entry.port, entry.ip), (Some(443), "::1".parse().unwrap()));
        let entry = parse_resolve("a.example.com:8443:127.0.0.3").unwrap();
        assert_eq!(
            (entry.port, entry.ip),
            (Some(8443), "127.0.0.3".parse().unwrap())
        );
        assert_eq!(
            parse_resolve("a.example.com:[::1]").unwrap().ip,
            "::1".parse::<IpAddr>().unwrap()
        );
        assert!(parse_resolve("a.example.com").is_err());
        assert!(parse_resolve("a.example.com:nowhere").is_err());
        // Nothing ambiguous: an unbracketed IPv6 could be a port and part of an address.
        for bad in [
            "foo.example:2001:db8::1",
            "a.example.com:443:::1",
            "a.example.com:::1",
            "a.example.com:[::1",
            "a.example.com:0:127.0.0.1",
            "a.example.com:99999:127.0.0.1",
            "*.example:127.0.0.1",
        ] {
            assert!(parse_resolve(bad).is_err(), "{bad}");
        }
        assert!(parse_resolver("127.0.0.1:0").is_err());
        assert!(parse_resolver("[::1]:0").is_err());
    }
}
