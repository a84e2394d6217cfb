//! The options a report records: what shaped the scan (or which command made the report), so
//! that a reader can tell what was tested. Read back from older reports with every member
//! optional.

use serde::{Deserialize, Serialize};

/// The `options` object of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// The command that made a report other than a scan (`lint-lambda`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The Lambda@Edge event type linted (`lint-lambda`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// A scan's settings, flattened into this object; a merged report keeps the first shard's
    /// (without `shard`); `None` for `lint-lambda`.
    #[serde(flatten)]
    pub scan: Option<ScanOptions>,
    /// The shards joined by `merge` (each report's `shard`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
    /// How many reports `merge` joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_reports: Option<usize>,
}

/// The settings of a scan, as validated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanOptions {
    /// `--resolver` addresses (empty: the system's).
    pub resolvers: Vec<String>,
    /// How many names `--resolve` pins.
    pub resolve_overrides: usize,
    /// `--expiry-warn` horizons, ascending.
    pub expiry_warn_days: Vec<u32>,
    /// `--dns-timeout`, seconds.
    pub dns_timeout_s: f64,
    /// `--dns-attempts`: tries per DNS query, 1-10.
    pub dns_attempts: usize,
    /// `--resolver-rate`: queries per second to any one DNS server.
    pub resolver_rate: u32,
    /// `--dns-in-flight`: queries awaiting an answer at once from any one DNS server.
    pub dns_in_flight: usize,
    /// `--dns-port`: the port the authoritative servers were asked on (53 outside the lab).
    pub dns_port: u16,
    /// `--concurrency` as used (lowered if the open-file limit required it).
    pub concurrency: usize,
    /// `--rate` (none: unlimited).
    pub rate: Option<u32>,
    /// `--per-ip` as given: connections open at once to one address (the dialer uses at
    /// least 3).
    pub per_ip: u32,
    /// `--allow-private` ranges as given (an empty list: every private range).
    pub allow_private: Option<Vec<String>>,
    /// `--path`: the path the HTTP requests asked for.
    pub path: String,
    /// Whether the keep-alive idle probe ran.
    pub idle_probe: bool,
    /// `--cloudfront-profile`: `2025` or `legacy`.
    pub cloudfront_profile: String,
    /// `--shard I/N`, e.g. `2/4` (`None`: the whole input, or a merged report).
    pub shard: Option<String>,
    /// `--ssl-protocols`, as API names.
    pub ssl_protocols: Option<Vec<String>>,
}
