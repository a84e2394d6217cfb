//! One origin as CloudFront would reach it, and the parser for command-line target specs.
//!
//! Defaults are CloudFront's (see [`crate::cloudfront`]); inputs override them per target.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

use crate::cloudfront;

/// The origin's address as configured: a DNS name or an IP literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A DNS name, lower-case, without a trailing dot.
    Name(String),
    /// An IP literal; no DNS is involved.
    Ip(IpAddr),
}

impl Host {
    /// Parses a host name or IP literal (IPv6 with or without brackets).
    pub fn parse(text: &str) -> Result<Host, String> {
        let trimmed = text.trim();
        let unbracketed = trimmed
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(trimmed);
        if let Ok(ip) = unbracketed.parse::<IpAddr>() {
            return Ok(Host::Ip(ip));
        }
        validate_dns_name(trimmed).map(Host::Name)
    }

    /// The DNS name (lower-case, no trailing dot); `None` for an IP literal.
    pub fn name(&self) -> Option<&str> {
        match self {
            Host::Name(name) => Some(name),
            Host::Ip(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => f.write_str(name),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Checks a DNS name's syntax and returns it lower-case without a trailing dot. An
/// internationalized name (`bücher.example`) is converted to its ASCII form
/// (`xn--bcher-kva.example`), as CloudFront's resolver would need it; a label already in
/// `xn--` form must be valid punycode.
pub fn validate_dns_name(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('.');
    let name = if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(trimmed)
            .map_err(|_| format!("`{text}` is not a valid internationalized host name"))?
    };
    if name.is_empty() {
        return Err("empty host name".into());
    }
    if name.len() > 253 {
        return Err(format!(
            "host name is {} characters long (at most 253)",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!("`{text}` has an empty label"));
        }
        if label.len() > 63 {
            return Err(format!("`{text}` has a label over 63 characters"));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '*'))
        {
            return Err(format!("`{text}` is not a host name (character {bad:?})"));
        }
        if label.starts_with("xn--") && !is_valid_a_label(label) {
            return Err(format!(
                "`{text}` has invalid punycode in label `{label}` (not an IDN's ASCII form)"
            ));
        }
    }
    Ok(name)
}

/// Whether an `xn--` label decodes to a valid internationalized label that encodes back to it.
fn is_valid_a_label(label: &str) -> bool {
    let (unicode, result) = idna::domain_to_unicode(label);
    result.is_ok()
        && unicode != label
        && idna::domain_to_ascii(&unicode).is_ok_and(|ascii| ascii == label)
}

/// CloudFront's OriginProtocolPolicy: which of the origin's ports CloudFront connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolPolicy {
    /// CloudFront always connects with HTTPS.
    HttpsOnly,
    /// CloudFront always connects with plain HTTP.
    HttpOnly,
    /// CloudFront uses the viewer's protocol: both ports are used.
    MatchViewer,
}

impl ProtocolPolicy {
    /// Whether CloudFront connects to the HTTPS port: `https-only` and `match-viewer`.
    pub fn uses_https(self) -> bool {
        matches!(
            self,
            ProtocolPolicy::HttpsOnly | ProtocolPolicy::MatchViewer
        )
    }
    /// Whether CloudFront connects to the HTTP port: `http-only` and `match-viewer`.
    pub fn uses_http(self) -> bool {
        matches!(self, ProtocolPolicy::HttpOnly | ProtocolPolicy::MatchViewer)
    }
    /// The API's name for the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolPolicy::HttpsOnly => "https-only",
            ProtocolPolicy::HttpOnly => "http-only",
            ProtocolPolicy::MatchViewer => "match-viewer",
        }
    }
}

impl FromStr for ProtocolPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "https-only" => Ok(ProtocolPolicy::HttpsOnly),
            "http-only" => Ok(ProtocolPolicy::HttpOnly),
            "match-viewer" => Ok(ProtocolPolicy::MatchViewer),
            other => Err(format!(
                "`{other}` is not a protocol policy: use https-only, http-only or match-viewer"
            )),
        }
    }
}

/// CloudFront's IpAddressType for the origin: which address family it connects over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpAddressType {
    /// IPv4 only (CloudFront's default).
    #[default]
    Ipv4,
    /// IPv6 only (`ipv6`): only AAAA records are resolved.
    Ipv6,
    /// IPv4 and IPv6 (`dualstack`): both A and AAAA records are resolved.
    DualStack,
}

impl IpAddressType {
    /// The API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            IpAddressType::Ipv4 => "ipv4",
            IpAddressType::Ipv6 => "ipv6",
            IpAddressType::DualStack => "dualstack",
        }
    }
}

impl FromStr for IpAddressType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ipv4" => Ok(IpAddressType::Ipv4),
            "ipv6" => Ok(IpAddressType::Ipv6),
            "dualstack" => Ok(IpAddressType::DualStack),
            other => Err(format!(
                "`{other}` is not an IpAddressType: use ipv4, ipv6 or dualstack"
            )),
        }
    }
}

/// `CustomOriginConfig.OriginHttpVersion`: the HTTP version CloudFront offers the origin.
///
/// botocore's model: "When you specify `http2`, CloudFront offers HTTP/2 to the origin by using
/// ALPN. If the origin doesn't negotiate HTTP/2, CloudFront uses HTTP/1.1. CloudFront uses
/// HTTP/2 only over Transport Layer Security (TLS) 1.2 or later. Otherwise, it uses HTTP/1.1."
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OriginHttpVersion {
    /// `http1.1` (CloudFront's default when the member is absent).
    #[default]
    Http11,
    /// `http2`: `h2` and `http/1.1` offered with ALPN.
    Http2,
}

impl OriginHttpVersion {
    /// The API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            OriginHttpVersion::Http11 => "http1.1",
            OriginHttpVersion::Http2 => "http2",
        }
    }
}

impl FromStr for OriginHttpVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "http1.1" => Ok(OriginHttpVersion::Http11),
            "http2" => Ok(OriginHttpVersion::Http2),
            other => Err(format!(
                "{:?} is not an OriginHttpVersion: use http1.1 or http2",
                crate::report::escape::printable(other)
            )),
        }
    }
}

/// Whether CloudFront forwards the viewer's Host header to this origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostForwarding {
    /// CloudFront sends the origin domain as Host (and SNI).
    #[default]
    NotForwarded,
    /// A cache behavior routed to the origin forwards Host: viewers' aliases arrive as Host/SNI.
    Forwarded,
    /// Forwarding could not be told (a custom origin request policy whose content was not
    /// given); the text says what was assumed.
    Unknown(String),
}

/// Where a target came from, for the report and for error messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provenance {
    /// Input file (or `-` for stdin, or `argv`).
    pub file: Option<String>,
    /// 1-based line in that file.
    pub line: Option<usize>,
    /// CloudFront distribution id, when imported from a distribution export.
    pub distribution_id: Option<String>,
    /// CloudFront origin id, when imported from a distribution export.
    pub origin_id: Option<String>,
    /// The origin group(s) the origin is a member of, when imported.
    pub origin_groups: Vec<String>,
}

/// One of the origin's CustomHeaders, which CloudFront adds to every request it sends the
/// origin. The value is often a secret (a shared `X-Origin-Verify` token): it is sent, never
/// shown: `Debug` prints the name only, and reports carry names only.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomHeader {
    name: String,
    value: String,
}

impl CustomHeader {
    /// A header CloudFront would send: the name an HTTP token, the value without line breaks or
    /// other control characters (which would end the header early). Errors never quote the
    /// value.
    pub fn new(name: &str, value: &str) -> Result<CustomHeader, String> {
        let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(format!(
                "header name {:?} is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
                crate::report::escape::printable(name)
            ));
        }
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(format!(
                "the value of header {name} holds a line break or another control character \
                 (the value is not shown: it may be a secret)"
            ));
        }
        Ok(CustomHeader {
            name: name.to_string(),
            value: value.to_string(),
        })
    }

    /// The header's name, as configured.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value, for the request only: never put it in a report, a log or an error.
    pub(crate) fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for CustomHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomHeader")
            .field("name", &self.name)
            .field("value", &"<not shown>")
            .finish()
    }
}

/// One origin to scan, with every setting CloudFront would use to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The origin domain (or IP literal).
    pub origin: Host,
    /// HTTPSPort: the port for HTTPS (default 443; 80, 443 or 1024-65535).
    pub https_port: u16,
    /// HTTPPort: the port for plain HTTP (default 80; 80, 443 or 1024-65535).
    pub http_port: u16,
    /// OriginProtocolPolicy: which ports are used (default `https-only`).
    pub policy: ProtocolPolicy,
    /// The Host header CloudFront forwards, when the viewer's Host is forwarded.
    pub host_header: Option<String>,
    /// An explicit SNI (otherwise the forwarded Host, else the origin name).
    pub sni: Option<String>,
    /// ConnectionTimeout: the limit on each TCP connection attempt, also used for the TLS
    /// handshake (default 10 s, 1-10 s).
    pub connect_timeout: Duration,
    /// ConnectionAttempts: TCP connection attempts to each address and port before giving up
    /// (default 3, 1-3).
    pub connection_attempts: u8,
    /// OriginReadTimeout: how long CloudFront waits for the first byte of a response and
    /// between reads (default 30 s, 1-120 s).
    pub read_timeout: Duration,
    /// OriginKeepaliveTimeout: how long CloudFront keeps an idle connection for reuse; the
    /// idle probe waits this long (default 5 s, 1-120 s).
    pub keepalive_timeout: Duration,
    /// IpAddressType: which record types are resolved and so which family is dialed
    /// (default IPv4).
    pub ip_address_type: IpAddressType,
    /// OriginSslProtocols; `None` when neither the input nor `--ssl-protocols` gives it.
    pub ssl_protocols: Option<Vec<crate::cloudfront::tls_profile::TlsVersion>>,
    /// OriginPath: what CloudFront puts before every request path (empty, or `/dir`).
    pub origin_path: String,
    /// The viewer's request path (`--path`, default `/`); CloudFront asks the origin for
    /// OriginPath followed by it ([`Self::request_path`]).
    pub path: String,
    /// CustomHeaders: added to every request CloudFront sends the origin.
    pub custom_headers: Vec<CustomHeader>,
    /// ResponseCompletionTimeout: CloudFront ends the connection when the complete response has
    /// not arrived by then (`None`: no limit; at least OriginReadTimeout).
    pub response_completion_timeout: Option<Duration>,
    /// Whether `CustomOriginConfig.OriginMtlsConfig` is set (CloudFront presents a client
    /// certificate); `None` when the input cannot say (command line, lists, CSV).
    pub origin_mtls: Option<bool>,
    /// Whether CloudFront's handshakes present `--origin-client-cert` when the origin asks:
    /// `None` when no certificate was given; `Some(false)` when the distribution has no
    /// OriginMtlsConfig (CloudFront sends no certificate there); `Some(true)` for an origin with
    /// OriginMtlsConfig or an input that cannot say (see [`Target::offer_client_certificate`]).
    pub client_certificate: Option<bool>,
    /// OriginHttpVersion (default `http1.1`).
    pub http_version: OriginHttpVersion,
    /// Whether a cache behavior routed to this origin has `GrpcConfig.Enabled`: CloudFront
    /// proxies gRPC, which is HTTP/2 only, to it.
    pub grpc: bool,
    /// The distribution's aliases (CNAMEs) routed to this origin by its cache behaviors.
    pub aliases: Vec<String>,
    /// Whether those behaviors forward the viewer's Host header.
    pub host_forwarding: HostForwarding,
    /// The input file and line, or the distribution and origin ids, it came from.
    pub provenance: Provenance,
}

/// The fields that make two targets the same scan (duplicates are merged on this): origin,
/// HTTPS and HTTP ports, policy, Host header, SNI, then the CloudFront distribution and origin
/// ids (each distribution's origin is scanned with its own settings).
pub type TargetKey = (
    Host,
    u16,
    u16,
    ProtocolPolicy,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Target {
    /// A target with CloudFront's defaults and the `https-only` policy.
    pub fn new(origin: Host) -> Target {
        Target {
            origin,
            https_port: cloudfront::DEFAULT_HTTPS_PORT,
            http_port: cloudfront::DEFAULT_HTTP_PORT,
            policy: ProtocolPolicy::HttpsOnly,
            host_header: None,
            sni: None,
            connect_timeout: cloudfront::DEFAULT_CONNECT_TIMEOUT,
            connection_attempts: cloudfront::DEFAULT_CONNECTION_ATTEMPTS,
            read_timeout: cloudfront::DEFAULT_READ_TIMEOUT,
            keepalive_timeout: cloudfront::DEFAULT_KEEPALIVE_TIMEOUT,
            ip_address_type: IpAddressType::default(),
            ssl_protocols: None,
            origin_path: String::new(),
            path: "/".to_string(),
            custom_headers: Vec::new(),
            response_completion_timeout: None,
            origin_mtls: None,
            client_certificate: None,
            http_version: OriginHttpVersion::Http11,
            grpc: false,
            aliases: Vec::new(),
            host_forwarding: HostForwarding::NotForwarded,
            provenance: Provenance::default(),
        }
    }

    /// Decides whether CloudFront would present the client certificate given with
    /// `--origin-client-cert` (when `given`) to this origin: to every origin whose distribution
    /// has OriginMtlsConfig, and to those whose input cannot say (lists, CSV, the command line:
    /// the user who gives a certificate says it is CloudFront's), never to an export's origin
    /// without it, which CloudFront reaches with no certificate.
    pub fn offer_client_certificate(&mut self, given: bool) {
        self.client_certificate = given.then_some(self.origin_mtls != Some(false));
    }

    /// The identity used to merge duplicates.
    pub fn key(&self) -> TargetKey {
        (
            self.origin.clone(),
            self.https_port,
            self.http_port,
            self.policy,
            self.host_header.clone(),
            self.sni.clone(),
            self.provenance.distribution_id.clone(),
            self.provenance.origin_id.clone(),
        )
    }

    /// A stable 64-bit hash of the target's identity, for `--shard`: the same across runs,
    /// machines and versions.
    pub fn stable_hash(&self) -> u64 {
        let identity = format!(
            "{}|{}|{}|{}|{}|{}|{}|{}",
            self.origin,
            self.https_port,
            self.http_port,
            self.policy.as_str(),
            self.host_header.as_deref().unwrap_or(""),
            self.sni.as_deref().unwrap_or(""),
            self.provenance.distribution_id.as_deref().unwrap_or(""),
            self.provenance.origin_id.as_deref().unwrap_or(""),
        );
        fnv1a(&identity)
    }

    /// The port shown in reports: HTTPS unless the policy is http-only.
    pub fn primary_port(&self) -> u16 {
        if self.policy.uses_https() {
            self.https_port
        } else {
            self.http_port
        }
    }

    /// The ports CloudFront connects to under this target's policy, HTTPS first.
    pub fn ports(&self) -> Vec<(u16, bool)> {
        let mut ports = Vec::with_capacity(2);
        if self.policy.uses_https() {
            ports.push((self.https_port, true));
        }
        if self.policy.uses_http() {
            ports.push((self.http_port, false));
        }
        ports
    }

    /// The SNI CloudFront sends: explicit, else the forwarded Host, else the origin name.
    /// `None` for an IP-literal origin with nothing else given (no SNI is sent).
    pub fn sni_name(&self) -> Option<&str> {
        self.sni
            .as_deref()
            .or(self.host_header.as_deref())
            .or(self.origin.name())
    }

    /// The name CloudFront's handshake sends as SNI and verifies the certificate against: the
    /// forwarded Host; with Host forwarded from viewers, the first alias a viewer would use (a
    /// wildcard names no single host); else the SNI CloudFront sends ([`Self::sni_name`]).
    pub fn cloudfront_server_name(&self) -> Option<&str> {
        if self.host_header.is_none() && self.host_forwarding == HostForwarding::Forwarded {
            if let Some(alias) = self.aliases.iter().find(|a| !a.starts_with('*')) {
                return Some(alias);
            }
        }
        self.sni_name()
    }

    /// The name the certificate must match: the forwarded Host, else the origin domain.
    pub fn certificate_name(&self) -> String {
        match &self.host_header {
            Some(host) => host.clone(),
            None => self.origin.to_string(),
        }
    }

    /// The Host header CloudFront sends: the forwarded one, else the origin domain.
    pub fn http_host(&self) -> String {
        self.certificate_name()
    }

    /// The path CloudFront asks the origin for: OriginPath followed by the viewer's path
    /// (OriginPath `/prod/v2` and `/` give `/prod/v2/`).
    pub fn request_path(&self) -> String {
        format!("{}{}", self.origin_path, self.path)
    }

    /// Whether CloudFront offers this origin HTTP/2 with ALPN (`h2`, `http/1.1`): OriginHttpVersion
    /// `http2`, or a gRPC behavior routed to it (gRPC is HTTP/2 only). Otherwise its hello
    /// carries no ALPN (see docs/CLOUDFRONT.md, "HTTP/2 to the origin").
    pub fn offers_h2(&self) -> bool {
        self.http_version == OriginHttpVersion::Http2 || self.grpc
    }

    /// Parses a command-line target: `host`, `host:port`, `https://host[:port]`, `http://host[:port]`.
    pub fn parse_spec(spec: &str) -> Result<Target, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err("empty target".into());
        }
        let (scheme, rest) = match spec.split_once("://") {
            Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
            None => (None, spec),
        };
        // Drop any path, query or fragment of a URL.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(format!(
                "`{spec}`: credentials in a target are not supported"
            ));
        }
        let (host_text, port) = split_host_port(authority)?;
        let mut target = Target::new(Host::parse(host_text).map_err(|e| format!("`{spec}`: {e}"))?);
        match scheme.as_deref() {
            None | Some("https") => {
                target.policy = ProtocolPolicy::HttpsOnly;
                if let Some(port) = port {
                    target.https_port = port;
                }
            }
            Some("http") => {
                target.policy = ProtocolPolicy::HttpOnly;
                if let Some(port) = port {
                    target.http_port = port;
                }
            }
            Some(other) => return Err(format!("`{spec}`: scheme `{other}` is not http or https")),
        }
        if let Some(port) = port {
            check_port(port)?;
        }
        Ok(target)
    }
}

/// Validates an origin port against CloudFront's rule.
pub fn check_port(port: u16) -> Result<u16, String> {
    if cloudfront::is_valid_origin_port(port) {
        Ok(port)
    } else {
        Err(format!(
            "port {port} is not one CloudFront connects to (80, 443, or 1024-65535)"
        ))
    }
}

/// Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let parse_port = |text: &str| {
        text.parse::<u16>()
            .map_err(|_| format!("`{text}` is not a port number"))
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{authority}`: missing `]`"))?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(parse_port(port)?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!("`{authority}`: unexpected `{after}`")),
        };
    }
    if authority.matches(':').count() > 1 {
        return Ok((authority, None)); // bare IPv6 literal
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host, Some(parse_port(port)?))),
        None => Ok((authority, None)),
    }
}

/// An origin of the input that is not scanned (an S3 REST or VPC origin), and why.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(default)]
pub struct SkippedOrigin {
    /// The `Id` of the distribution in the export.
    pub distribution_id: String,
    /// The origin's `Id`, unique within its distribution only.
    pub origin_id: String,
    /// The origin's `DomainName`, lower-case.
    pub domain: String,
    /// Why it is not scanned, naming the member that decided it (`S3OriginConfig`,
    /// `VpcOriginConfig`, no `CustomOriginConfig`); shown as is in reports.
    pub reason: String,
}

impl SkippedOrigin {
    /// A stable 64-bit hash of its identity, for `--shard`.
    pub fn stable_hash(&self) -> u64 {
        fnv1a(&format!(
            "{}|{}|{}",
            self.distribution_id, self.origin_id, self.domain
        ))
    }
}

/// FNV-1a over the text's bytes: stable across runs, machines and versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, item 6: an IDN host is scanned under its `xn--` form; invalid punycode is
    /// refused with a clear error.
    #[test]
    fn idn_hosts_become_their_ascii_form_and_bad_punycode_is_refused() {
        assert_eq!(
            validate_dns_name("bücher.example"),
            Ok("xn--bcher-kva.example".to_string())
        );
        assert_eq!(
            validate_dns_name("Bücher.Example."),
            Ok("xn--bcher-kva.example".to_string())
        );
        assert_eq!(
            validate_dns_name("xn--bcher-kva.example"),
            Ok("xn--bcher-kva.example".to_string())
        );
        let t = Target::parse_spec("https://bücher.example:8443/path").unwrap();
        assert_eq!(t.origin, Host::Name("xn--bcher-kva.example".into()));
        assert_eq!(t.https_port, 8443);
        let error = validate_dns_name("xn--zz.example").unwrap_err();
        assert!(
            error.contains("invalid punycode") && error.contains("xn--zz"),
            "{error}"
        );
        assert!(Target::parse_spec("xn--zz.example").is_err());
        // Not a letter in any script: refused, not passed on.
        assert!(validate_dns_name("b\u{fffd}cher.example").is_err());
    }

    #[test]
    fn parses_the_spec_forms() {
        let t = Target::parse_spec("Example.COM").unwrap();
        assert_eq!(t.origin, Host::Name("example.com".into()));
        assert_eq!((t.https_port, t.policy), (443, ProtocolPolicy::HttpsOnly));

        let t = Target::parse_spec("origin.example.com:8443").unwrap();
        assert_eq!(t.https_port, 8443);

        let t = Target::parse_spec("https://origin.example.com:8443/path?q").unwrap();
        assert_eq!(t.https_port, 8443);

        let t = Target::parse_spec("http://origin.example.com").unwrap();
        assert_eq!((t.http_port, t.policy), (80, ProtocolPolicy::HttpOnly));

        let t = Target::parse_spec("[::1]:8443").unwrap();
        assert_eq!(t.origin, Host::Ip("::1".parse().unwrap()));
        assert_eq!(t.https_port, 8443);

        let t = Target::parse_spec("127.0.0.1").unwrap();
        assert_eq!(t.origin, Host::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(t.sni_name(), None);
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "",
            "exa mple.com",
            "example.com:99999",
            "example.com:22",
            "ftp://example.com",
            "a..b",
            "user@host.com",
        ] {
            assert!(Target::parse_spec(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn sni_and_certificate_name_follow_host_forwarding() {
        let mut t = Target::parse_spec("origin.example.com").unwrap();
        assert_eq!(t.sni_name(), Some("origin.example.com"));
        t.host_header = Some("www.example.com".into());
        assert_eq!(t.sni_name(), Some("www.example.com"));
        assert_eq!(t.certificate_name(), "www.example.com");
    }
}
