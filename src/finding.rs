//! Finding codes, severities, the catalog that explains each code, and the risk score.
//!
//! Codes are stable: users filter, baseline and gate on them. Add codes, never rename them.
//! The catalog mirrors `docs/FINDINGS.md`; `originscan explain CODE` prints an entry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How bad a finding is for CloudFront's connection to the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only; does not count towards the score.
    Info,
    /// Worth fixing, though no 502 is expected from it (score weight 10).
    Low,
    /// 502s under some conditions, or soon.
    Medium,
    /// 502s likely, or intermittent.
    High,
    /// CloudFront answers 502 (or 504) now.
    Critical,
}

impl Severity {
    /// The score weight of one finding of this severity (docs/ARCHITECTURE.md, "Risk score").
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 100,
            Severity::High => 60,
            Severity::Medium => 25,
            Severity::Low => 10,
            Severity::Info => 0,
        }
    }

    /// Lower-case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An origin's overall risk: its highest severity, or `ok` when nothing above `info` was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Nothing above `info`.
    Ok,
    /// Highest finding is low.
    Low,
    /// Highest finding is medium.
    Medium,
    /// Highest finding is high.
    High,
    /// Highest finding is critical.
    Critical,
}

impl Risk {
    /// All levels, most severe first (table and summary order).
    pub const ALL: [Risk; 5] = [
        Risk::Critical,
        Risk::High,
        Risk::Medium,
        Risk::Low,
        Risk::Ok,
    ];

    /// Lower-case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Critical => "critical",
            Risk::High => "high",
            Risk::Medium => "medium",
            Risk::Low => "low",
            Risk::Ok => "ok",
        }
    }

    fn from_severity(severity: Severity) -> Risk {
        match severity {
            Severity::Critical => Risk::Critical,
            Severity::High => Risk::High,
            Severity::Medium => Risk::Medium,
            Severity::Low => Risk::Low,
            Severity::Info => Risk::Ok,
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--fail-on` level: `never`, or a severity at or above which the gate trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateLevel {
    /// `never`: no risk trips the gate, so findings never fail the run.
    Never,
    /// Trip when any origin's risk is at or above this severity.
    AtLeast(Severity),
}

impl GateLevel {
    /// Whether an origin at `risk` trips this gate.
    pub fn trips(self, risk: Risk) -> bool {
        match self {
            GateLevel::Never => false,
            GateLevel::AtLeast(level) => risk != Risk::Ok && risk >= Risk::from_severity(level),
        }
    }

    /// Whether a finding of `severity` is at or above this gate (`info` never is).
    pub fn includes(self, severity: Severity) -> bool {
        self.trips(Risk::from_severity(severity))
    }
}

impl std::fmt::Display for GateLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateLevel::Never => f.write_str("never"),
            GateLevel::AtLeast(severity) => write!(f, "{severity}"),
        }
    }
}

impl FromStr for GateLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "never" => GateLevel::Never,
            "critical" => GateLevel::AtLeast(Severity::Critical),
            "high" => GateLevel::AtLeast(Severity::High),
            "medium" => GateLevel::AtLeast(Severity::Medium),
            "low" => GateLevel::AtLeast(Severity::Low),
            other => {
                return Err(format!(
                    "`{other}` is not a level: use critical, high, medium, low or never"
                ))
            }
        })
    }
}

macro_rules! catalog {
    ($( $variant:ident => $sev:ident, $area:literal, $when:literal, $fix:literal; )*) => {
        /// Every finding code originscan can report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[allow(non_camel_case_types)]
        pub enum Code { $( #[doc = $when] $variant, )* }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable name, e.g. `CERT_EXPIRED`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => stringify!($variant), )* }
            }

            /// The catalog's severity for this code (some findings pick another, e.g. expiry horizons).
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// The area of the catalog (DNS, TCP, TLS, ...).
            pub fn area(self) -> &'static str {
                match self { $( Code::$variant => $area, )* }
            }

            /// When it fires, in one sentence.
            pub fn fires_when(self) -> &'static str {
                match self { $( Code::$variant => $when, )* }
            }

            /// How to fix it, in one sentence.
            pub fn fix(self) -> &'static str {
                match self { $( Code::$variant => $fix, )* }
            }
        }
    };
}

catalog! {
    DNS_NXDOMAIN => Critical, "DNS", "The origin name does not exist (NXDOMAIN).", "Create the origin's DNS record, or point the distribution at a name that exists.";
    DNS_SERVFAIL => Critical, "DNS", "Resolution fails with SERVFAIL, or every resolver errs.", "Fix the zone's authoritative servers (or DNSSEC) so the origin name resolves.";
    DNS_TIMEOUT => Critical, "DNS", "No resolver answers for the origin name in time.", "Make the zone's authoritative servers answer for the origin name.";
    DNS_NO_ADDRESS => Critical, "DNS", "The name exists but has no A or AAAA record.", "Add an A (or AAAA) record for the origin name.";
    DNS_CNAME_DANGLING => Critical, "DNS", "A CNAME in the chain points to a name that does not resolve.", "Point the CNAME at a name that exists, or remove it.";
    DNS_CNAME_LOOP => Critical, "DNS", "The CNAME chain loops back to a name already in it, so the origin name never resolves.", "Break the CNAME loop: point the last CNAME at a name that has an A (or AAAA) record.";
    DNS_DNSSEC_BOGUS => Critical, "DNS", "The resolvers answer SERVFAIL, and the same question with DNSSEC checking disabled (the CD bit) resolves: the zone's signatures do not validate.", "Re-sign the zone (fresh, unexpired RRSIGs from the published DNSKEYs), or fix the DS record at the parent so that it matches a key the zone publishes (or remove it to go unsigned).";
    DNS_CNAME_CHAIN_LONG => Medium, "DNS", "The CNAME chain is longer than 8 links.", "Shorten the CNAME chain to a few links.";
    DNS_PRIVATE_ADDRESS => High, "DNS", "The origin resolves to a private, loopback or link-local address that CloudFront cannot reach.", "Publish the origin's public address, or use a VPC origin for private addresses.";
    DNS_NS_ALL_UNRESPONSIVE => Critical, "DNS", "None of the apex's authoritative servers answers for the origin name.", "Restore the zone's authoritative servers or fix the delegation at the parent.";
    DNS_NS_UNRESPONSIVE => High, "DNS", "Some of the apex's authoritative servers do not answer: intermittent 502s.", "Fix or remove the name servers that do not answer from the NS set and the delegation.";
    DNS_NS_LAME => High, "DNS", "A listed name server answers without authority or refuses the zone.", "Load the zone on every listed name server, or remove the lame one from the NS set.";
    DNS_NS_INCONSISTENT => Medium, "DNS", "Authoritative servers give different answers or SOA serials.", "Synchronise the zone on every authoritative server (check transfers and serials).";
    DNS_NS_SINGLE => Low, "DNS", "The zone has one authoritative server, or all of them in one /24.", "Add name servers in other networks.";
    TCP_REFUSED => Critical, "TCP", "A port the protocol policy uses refuses the connection.", "Open the port to CloudFront's origin-facing addresses, or change the distribution's port or protocol policy.";
    TCP_TIMEOUT => Critical, "TCP", "A port the policy uses does not answer within the connection timeout, on every attempt.", "Allow CloudFront's origin-facing address ranges through the firewall or security group on this port.";
    TCP_SLOW_CONNECT => Medium, "TCP", "Connecting takes more than half of the connection timeout.", "Bring the origin closer to CloudFront or reduce its load; raise ConnectionTimeout as a stopgap.";
    TCP_SOME_ADDRESSES_DOWN => High, "TCP", "Some of the origin's addresses fail while others work: intermittent 502s.", "Remove dead addresses from DNS or bring them back.";
    TLS_NO_COMMON_PROTOCOL => Critical, "TLS", "The origin accepts none of the protocol versions the distribution allows.", "Enable TLS 1.2 on the origin (or allow the origin's version in OriginSslProtocols).";
    TLS_NO_COMMON_CIPHER => Critical, "TLS", "With an allowed version, the origin accepts none of CloudFront's cipher suites.", "Enable an ECDHE-RSA or ECDHE-ECDSA AES-GCM suite on the origin.";
    TLS_HANDSHAKE_FAILED => Critical, "TLS", "The TLS handshake fails (alert, reset or garbage).", "Fix the origin's TLS configuration so that a TLS 1.2 handshake with CloudFront's offer completes.";
    TLS_NOT_TLS => Critical, "TLS", "The HTTPS port answers something that is not TLS.", "Serve TLS on the HTTPS port, or set the origin protocol policy to http-only.";
    TLS_CLIENT_CERT_REQUIRED => Critical, "TLS", "The origin requests a client certificate and no origin mTLS is configured.", "Stop requiring client certificates, or configure origin mTLS on the distribution.";
    TLS_CLIENT_CERT_REJECTED => Critical, "TLS", "The origin refuses the client certificate given with --origin-client-cert (an alert after it was presented): CloudFront, presenting the same certificate for origin mTLS, gets a 502.", "Make the origin trust the CA that issued the distribution's origin mTLS certificate (and accept its key usage), or set OriginMtlsConfig to a certificate the origin trusts.";
    TLS_UNSUPPORTED_SIGNATURE => High, "TLS", "The server's key, curve or signature uses a scheme CloudFront does not offer.", "Use an RSA or ECDSA P-256/P-384 certificate signed with SHA-256.";
    TLS_TLS13_ONLY => Medium, "TLS", "The origin accepts only TLS 1.3, which CloudFront's API does not list for origins.", "Keep TLS 1.2 enabled on the origin.";
    TLS_LEGACY_ONLY => High, "TLS", "The origin works only with TLSv1/TLSv1.1 or only with 3DES/RC4.", "Enable TLS 1.2 with an ECDHE AES-GCM suite on the origin.";
    TLS_HANDSHAKE_STALLED => Critical, "TLS", "The origin sends its ServerHello and then nothing: CloudFront's handshake never completes.", "Fix the origin's TLS stack (or the device in front of it) so that it finishes the handshake: check its certificate chain, key access and TLS offload.";
    TLS_MESSAGE_TOO_LARGE => Critical, "TLS", "A handshake message (in practice the certificate chain) is over the 64 KiB CloudFront's TLS stack accepts.", "Serve a smaller certificate chain: fewer SANs per certificate, no extra certificates in the chain.";
    TLS_PQ_HELLO_INTOLERANT => Medium, "TLS", "Under --cloudfront-profile 2025-pq: the origin completes CloudFront's 2025 handshake but fails or stalls on the post-quantum ClientHello (over a kilobyte larger, with a hybrid ML-KEM key share).", "Upgrade the origin's TLS stack (or the firewall, load balancer or IDS in front of it) to accept a ClientHello larger than one packet and unknown key-share groups.";
    TLS_SNI_DEPENDENT => Medium, "TLS", "The certificate served changes with SNI and CloudFront would get the wrong one.", "Serve the certificate matching the SNI CloudFront sends (origin name or forwarded Host).";
    CERT_EXPIRED => Critical, "Certificate", "The leaf or a chain certificate is past its notAfter.", "Renew the certificate and install the new chain on the origin.";
    CERT_NOT_YET_VALID => Critical, "Certificate", "A certificate's notBefore is in the future.", "Install a certificate that is already valid, or fix the issuing clock.";
    CERT_SELF_SIGNED => Critical, "Certificate", "The leaf certificate is self-signed.", "Install a certificate from a CA in Mozilla's root program.";
    CERT_UNTRUSTED_ROOT => Critical, "Certificate", "The chain does not lead to a root in Mozilla's set (or --ca-file).", "Install a certificate issued by a CA in Mozilla's root program.";
    CERT_INCOMPLETE_CHAIN => Critical, "Certificate", "An intermediate certificate is missing from what the server sends.", "Configure the origin to send the full chain (leaf, then its intermediates).";
    CERT_CHAIN_ORDER => Critical, "Certificate", "The chain is sent out of order.", "Send the chain in order: the leaf, then the certificate that signed it, and so on up.";
    CERT_NAME_MISMATCH => Critical, "Certificate", "No name in the certificate matches the origin domain (or the forwarded Host).", "Install a certificate whose SAN covers the name CloudFront connects with.";
    CERT_EXPIRES_SOON => High, "Certificate", "A certificate in the chain expires within the warning horizon (7 days high, 30 days medium).", "Renew the certificate before it expires.";
    CERT_KEY_TOO_LARGE => Medium, "Certificate", "The certificate's RSA key is over 4096 bits.", "Use an RSA 2048/4096 or ECDSA P-256 key.";
    CERT_WEAK_SIGNATURE => Low, "Certificate", "A certificate below the root is signed with SHA-1 or MD5.", "Reissue the certificate with a SHA-256 signature.";
    CERT_INVALID => Critical, "Certificate", "The certificate is refused for another reason (bad signature, wrong key usage, malformed).", "Reissue the certificate from a CA in Mozilla's root program for TLS server use.";
    HTTP_EARLY_CLOSE => Critical, "HTTP", "The origin closes the connection (after accept, after the handshake, or after the request) without a response.", "Make the origin answer requests instead of closing the connection.";
    HTTP_MALFORMED_RESPONSE => Critical, "HTTP", "The response is not valid HTTP/1.1.", "Fix the origin (or the proxy in front of it) so it sends valid HTTP/1.1.";
    HTTP_SLOW_RESPONSE => Critical, "HTTP", "No first byte within OriginReadTimeout (CloudFront answers 504).", "Speed up the origin, or raise OriginReadTimeout.";
    HTTP_SLOW_RESPONSE_NEAR => Medium, "HTTP", "The first byte came after more than half of OriginReadTimeout.", "Speed up the origin, or raise OriginReadTimeout with margin.";
    HTTP_KEEPALIVE_SHORTER => High, "HTTP", "The origin's idle keep-alive is shorter than OriginKeepaliveTimeout.", "Raise the origin's keep-alive timeout above the distribution's OriginKeepaliveTimeout.";
    HTTP_NO_KEEPALIVE => Low, "HTTP", "The origin closes after every response.", "Enable HTTP keep-alive on the origin.";
    HTTP_ORIGIN_5XX => High, "HTTP", "The origin itself answers 502, 503 or 504.", "Fix the origin application or the load balancer behind it.";
    HTTP_PLAINTEXT_POLICY_MISMATCH => Critical, "HTTP", "The protocol policy does not match what the port speaks (plain HTTP on HTTPS, or TLS on HTTP).", "Match the origin protocol policy to what each port speaks.";
    HTTP_H2_FAILED => Critical, "HTTP", "The origin selected HTTP/2 (h2) with ALPN, offered because OriginHttpVersion is http2 or a gRPC behavior routes to it, and then failed the HTTP/2 exchange (an error, a GOAWAY or reset stream, HTTP/1.1 spoken, a close).", "Fix the origin's HTTP/2 support, or stop it selecting h2 (ALPN http/1.1 only), or set OriginHttpVersion to http1.1.";
    HTTP_GRPC_NO_H2 => High, "HTTP", "A gRPC behavior routes to the origin, but the origin does not select HTTP/2 (h2) with ALPN, and gRPC is HTTP/2 only.", "Enable HTTP/2 with ALPN h2 on the origin's TLS listener, or stop routing the gRPC behavior to it.";
    HTTP_RESPONSE_COMPLETION_TIMEOUT => High, "HTTP", "The complete response takes longer than the distribution's ResponseCompletionTimeout, so CloudFront ends the connection before the end.", "Make the origin finish its response sooner, or raise the origin's ResponseCompletionTimeout.";
    CF_SSL_PROTOCOLS_TOO_NARROW => Critical, "Configuration", "The origin supports a protocol CloudFront offers, but not one this distribution allows.", "Add the origin's protocol to the distribution's OriginSslProtocols.";
    CF_READ_TIMEOUT_TOO_LOW => High, "Configuration", "The origin's first-byte time exceeds this distribution's OriginReadTimeout.", "Raise the distribution's OriginReadTimeout, or speed up the origin.";
    CF_HOST_FORWARD_ALIAS_MISMATCH => Critical, "Configuration", "Host is forwarded and an alias routed to this origin is not covered by its certificate.", "Add the alias to the origin certificate's SAN, or stop forwarding Host.";
    LAMBDA_DISALLOWED_HEADER => Critical, "Lambda@Edge", "The function result sets a disallowed header.", "Remove the disallowed header from the function's result.";
    LAMBDA_READ_ONLY_HEADER => Critical, "Lambda@Edge", "The function result changes a read-only header for its event type.", "Do not change read-only headers in this event type.";
    LAMBDA_RESPONSE_TOO_LARGE => Critical, "Lambda@Edge", "The generated response or replaced body exceeds the event type's limit.", "Shrink the generated response or body below the event type's limit.";
    LAMBDA_BAD_STATUS => Critical, "Lambda@Edge", "The status is missing, not in 200-599, or changed in a viewer-response event.", "Return a valid status code (and none in viewer-response events).";
    LAMBDA_MALFORMED => Critical, "Lambda@Edge", "The object does not have CloudFront's event shape.", "Return headers as lower-case keys of [{key, value}] lists, as CloudFront's event structure requires.";
    SCAN_DEADLINE_EXCEEDED => High, "Scan", "originscan could not finish probing this origin within its deadline.", "Look at the origin by hand: it stalls somewhere originscan does not time out separately.";
    SCAN_INTERNAL_ERROR => High, "Scan", "originscan failed internally while probing this origin.", "Report the evidence as a bug in originscan; the origin was not fully checked.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == wanted)
            .ok_or_else(|| format!("unknown finding code `{s}`"))
    }
}

/// Whether a finding was already in the baseline report (`--baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// Not in the baseline: no finding there with the same origin, port and code.
    New,
    /// Already in the baseline (same origin, port and code).
    Known,
}

impl FindingStatus {
    /// Lower-case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Known => "known",
        }
    }
}

impl fmt::Display for FindingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found on one origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The catalog code, e.g. `CERT_EXPIRED`: stable across versions, filtered and gated on.
    pub code: Code,
    /// This finding's severity (usually the code's default).
    pub severity: Severity,
    /// What was observed, in one line.
    pub summary: String,
    /// What was observed, as data.
    pub evidence: Map<String, Value>,
    /// The catalog's fix for the code ([`Code::fix`]), carried so that a report file holds it;
    /// borrowed from the catalog (not copied into every row) unless read back from a file.
    pub fix: std::borrow::Cow<'static, str>,
    /// New or known against a baseline report; absent without `--baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FindingStatus>,
}

impl Finding {
    /// A finding at the code's default severity, with the catalog's fix.
    pub fn new(code: Code, summary: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.default_severity(),
            summary: summary.into(),
            evidence: Map::new(),
            fix: std::borrow::Cow::Borrowed(code.fix()),
            status: None,
        }
    }

    /// Overrides the severity.
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Adds one evidence field.
    pub fn evidence(mut self, key: &str, value: impl Into<Value>) -> Finding {
        self.evidence.insert(key.to_string(), value.into());
        self
    }
}

/// The risk level of a set of findings: their highest severity.
pub fn risk_of(findings: &[Finding]) -> Risk {
    findings
        .iter()
        .map(|f| Risk::from_severity(f.severity))
        .max()
        .unwrap_or(Risk::Ok)
}

/// The score of a set of findings: the highest weight plus a tenth of the others, capped at 100.
pub fn score_of(findings: &[Finding]) -> u32 {
    let mut weights: Vec<u32> = findings.iter().map(|f| f.severity.weight()).collect();
    weights.sort_unstable_by(|a, b| b.cmp(a));
    let Some((highest, rest)) = weights.split_first() else {
        return 0;
    };
    let rest_sum: u32 = rest.iter().sum();
    (highest + rest_sum / 10).min(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(sev: Severity) -> Finding {
        Finding::new(Code::TCP_SLOW_CONNECT, "x").severity(sev)
    }

    #[test]
    fn score_is_highest_plus_a_tenth_of_the_rest_capped() {
        assert_eq!(score_of(&[]), 0);
        assert_eq!(score_of(&[f(Severity::Medium)]), 25);
        assert_eq!(score_of(&[f(Severity::Medium), f(Severity::Low)]), 26);
        assert_eq!(
            score_of(&[f(Severity::High), f(Severity::Medium), f(Severity::Medium)]),
            65
        );
        assert_eq!(score_of(&[f(Severity::Critical), f(Severity::High)]), 100);
        assert_eq!(score_of(&[f(Severity::Info)]), 0);
    }

    #[test]
    fn risk_is_highest_severity_and_info_is_ok() {
        assert_eq!(risk_of(&[]), Risk::Ok);
        assert_eq!(risk_of(&[f(Severity::Info)]), Risk::Ok);
        assert_eq!(risk_of(&[f(Severity::Low), f(Severity::High)]), Risk::High);
    }

    #[test]
    fn gate_trips_at_or_above_level() {
        let high: GateLevel = "high".parse().unwrap();
        assert!(high.trips(Risk::Critical));
        assert!(high.trips(Risk::High));
        assert!(!high.trips(Risk::Medium));
        assert!(!GateLevel::Never.trips(Risk::Critical));
        assert!(high.includes(Severity::High));
        assert!(!high.includes(Severity::Medium));
        assert!(!GateLevel::AtLeast(Severity::Info).includes(Severity::Info));
        assert!(!GateLevel::Never.includes(Severity::Critical));
        assert!("bogus".parse::<GateLevel>().is_err());
    }

    #[test]
    fn codes_round_trip_and_have_catalog_entries() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>().unwrap(), *code);
            assert!(code.fix().ends_with('.'), "{code}: fix is one sentence");
            assert!(!code.fires_when().is_empty());
        }
        assert_eq!("cert_expired".parse::<Code>().unwrap(), Code::CERT_EXPIRED);
    }
}
