//! The lab's fleet plan: which pathologies exist, what each origin serves, the lab's DNS zones
//! and their authoritative servers, and the findings each origin must produce (the ground truth).

use time::Duration;

use super::ca::{ChainShape, LeafKey, LeafSpec};
use crate::finding::Code;

/// The lab's main DNS zone (its subzones are in [`LAB_ZONES`]).
pub const ZONE: &str = "lab.test";

/// How one of a lab zone's authoritative servers behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsBehaviour {
    /// Answers from the zone, with the AA bit.
    Healthy,
    /// Nothing listens on its address (ICMP port unreachable).
    Closed,
    /// Reads queries and never answers.
    Silent,
    /// Answers REFUSED to everything (the zone is not configured on it).
    Refused,
    /// Answers from the zone without the AA bit.
    NoAuthority,
    /// Answers from the zone, with this SOA serial (the others have 1).
    Serial(u32),
    /// Answers every A query in the zone with [`OTHER_ADDRESS`].
    OtherAddress,
    /// Answers with the query's id followed by bytes that are not DNS (hostile).
    Garbage,
    /// Answers with an empty, truncated (TC) reply, and has no TCP listener (hostile).
    Truncated,
}

/// The address a [`NsBehaviour::OtherAddress`] server gives for every name.
pub const OTHER_ADDRESS: std::net::Ipv4Addr = std::net::Ipv4Addr::new(127, 0, 0, 2);

/// The SOA serial of every lab zone (a [`NsBehaviour::Serial`] server says otherwise).
pub const LAB_SERIAL: u32 = 1;

/// One authoritative server of a lab zone: `LABEL.APEX` at `127.NETWORK.B.HOST`, where B is the
/// lab's block, on the lab's DNS port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabNs {
    /// First label of its name.
    pub label: &'static str,
    /// Second octet of its address: 53 or 54 (two /24s per block).
    pub network: u8,
    /// Last octet of its address (1 is the resolver).
    pub host: u8,
    /// How it answers (healthy, silent, lame, ...): what its zone's pathology needs.
    pub behaviour: NsBehaviour,
}

/// A lab zone and its authoritative servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabZone {
    /// The zone's apex, e.g. `ns-lame.lab.test`.
    pub apex: &'static str,
    /// Its name servers (the NS set).
    pub servers: &'static [LabNs],
}

const fn ns(label: &'static str, network: u8, host: u8, behaviour: NsBehaviour) -> LabNs {
    LabNs {
        label,
        network,
        host,
        behaviour,
    }
}

/// Second octets of the lab's DNS addresses (`127.53.B.x`, `127.54.B.x`): `--block` must avoid them.
pub const DNS_NETWORKS: [u8; 2] = [53, 54];

/// Every lab zone. `lab.test` holds most origins and is healthy on two servers in different
/// /24s; each name-server pathology has its own zone, delegated from `lab.test`.
pub const LAB_ZONES: &[LabZone] = &[
    LabZone {
        apex: ZONE,
        servers: &[
            ns("ns1", 53, 2, NsBehaviour::Healthy),
            ns("ns2", 54, 2, NsBehaviour::Healthy),
        ],
    },
    LabZone {
        apex: "ns-healthy.lab.test",
        servers: &[
            ns("ns1", 53, 3, NsBehaviour::Healthy),
            ns("ns2", 54, 3, NsBehaviour::Healthy),
            ns("ns3", 53, 4, NsBehaviour::Healthy),
        ],
    },
    LabZone {
        apex: "ns-one-down.lab.test",
        servers: &[
            ns("ns1", 53, 5, NsBehaviour::Healthy),
            ns("ns2", 54, 5, NsBehaviour::Silent),
            ns("ns3", 53, 6, NsBehaviour::Healthy),
        ],
    },
    LabZone {
        apex: "ns-all-down.lab.test",
        servers: &[
            ns("ns1", 53, 7, NsBehaviour::Closed),
            ns("ns2", 54, 7, NsBehaviour::Silent),
        ],
    },
    LabZone {
        apex: "ns-cold.lab.test",
        servers: &[
            ns("ns1", 53, 17, NsBehaviour::Closed),
            ns("ns2", 54, 17, NsBehaviour::Silent),
        ],
    },
    LabZone {
        apex: "ns-lame.lab.test",
        servers: &[
            ns("ns1", 53, 8, NsBehaviour::Healthy),
            ns("ns2", 54, 8, NsBehaviour::Refused),
            ns("ns3", 53, 9, NsBehaviour::NoAuthority),
        ],
    },
    LabZone {
        apex: "ns-mixed.lab.test",
        servers: &[
            ns("ns1", 53, 10, NsBehaviour::Healthy),
            ns("ns2", 54, 10, NsBehaviour::OtherAddress),
        ],
    },
    LabZone {
        apex: "ns-serial.lab.test",
        servers: &[
            ns("ns1", 53, 11, NsBehaviour::Healthy),
            ns("ns2", 54, 11, NsBehaviour::Serial(2)),
        ],
    },
    LabZone {
        apex: "ns-single.lab.test",
        servers: &[ns("ns1", 53, 12, NsBehaviour::Healthy)],
    },
    LabZone {
        apex: "ns-garbage.lab.test",
        servers: &[
            ns("ns1", 53, 15, NsBehaviour::Healthy),
            ns("ns2", 54, 15, NsBehaviour::Garbage),
            ns("ns3", 53, 16, NsBehaviour::Truncated),
        ],
    },
    LabZone {
        apex: "ns-one-net.lab.test",
        servers: &[
            ns("ns1", 53, 13, NsBehaviour::Healthy),
            ns("ns2", 53, 14, NsBehaviour::Healthy),
        ],
    },
];

/// Zones whose names the lab's resolver answers SERVFAIL for (a cold cache, every server
/// down): only the delegation walk, from `lab.test`'s servers, names their servers.
pub const COLD_ZONES: &[&str] = &["ns-cold.lab.test"];

/// The most shared zones a lab can have (their servers use hosts 32-253 of the DNS /24s).
pub const MAX_SHARED_ZONES: usize = 100;

/// Shared zone `k` (`zK.lab.test`), one of the healthy zones that `--zones` spreads the
/// fleet's ordinary origins over.
pub fn shared_zone_apex(k: usize) -> String {
    format!("z{k}.{ZONE}")
}

/// A lab zone as the DNS servers run it: its apex and each server's name, host octets and
/// behaviour. [`LAB_ZONES`] and the shared zones both become these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZonePlan {
    /// The zone's apex: a [`LAB_ZONES`] one, or `zK.lab.test` for a shared zone.
    pub apex: String,
    /// (name-server host name, network octet, host octet, behaviour).
    pub servers: Vec<(String, u8, u8, NsBehaviour)>,
}

/// Every zone of a lab with `shared` shared zones: [`LAB_ZONES`], then `z0.lab.test`.. with
/// four healthy servers each, two in each DNS /24.
pub fn zone_plans(shared: usize) -> Vec<ZonePlan> {
    let mut plans: Vec<ZonePlan> = LAB_ZONES
        .iter()
        .map(|zone| ZonePlan {
            apex: zone.apex.to_string(),
            servers: zone
                .servers
                .iter()
                .map(|ns| {
                    (
                        format!("{}.{}", ns.label, zone.apex),
                        ns.network,
                        ns.host,
                        ns.behaviour,
                    )
                })
                .collect(),
        })
        .collect();
    for k in 0..shared.min(MAX_SHARED_ZONES) {
        let apex = shared_zone_apex(k);
        let first_host = 32 + 2 * k as u8;
        let servers = [(1, 53, 0), (2, 54, 0), (3, 53, 1), (4, 54, 1)]
            .iter()
            .map(|(n, network, offset)| {
                (
                    format!("ns{n}.{apex}"),
                    *network,
                    first_host + offset,
                    NsBehaviour::Healthy,
                )
            })
            .collect();
        plans.push(ZonePlan { apex, servers });
    }
    plans
}

/// Which pathologies a lab cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FleetMix {
    /// [`Pathology::ALL`].
    #[default]
    Standard,
    /// [`Pathology::ALL`], then [`Pathology::HOSTILE`] (issue 9).
    Hostile,
    /// [`Pathology::ZONES`]: many origins in few zones.
    Zones,
}

/// One kind of origin the lab can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pathology {
    /// RSA leaf, complete chain.
    HealthyRsa,
    /// ECDSA leaf, complete chain.
    HealthyEcdsa,
    /// A `*.wild.lab.test` certificate on `oN.wild.lab.test`.
    HealthyWildcard,
    /// Host forwarded; the certificate covers the Host, not the origin name.
    HostHeaderCovered,
    /// A leaf that expired 10 days ago.
    Expired,
    /// A leaf valid only from two days on.
    NotYetValid,
    /// Leaf expiring in 3 days.
    ExpiresWithinAWeek,
    /// Leaf expiring in 20 days.
    ExpiresWithinAMonth,
    /// A self-signed leaf, sent alone.
    SelfSigned,
    /// Leaf and intermediate of the rogue CA, which the scan does not trust.
    UntrustedRoot,
    /// Leaf sent without its intermediate.
    IncompleteChain,
    /// The leaf, then the policy CA, then the issuing CA 2 that signed the leaf: out of order.
    ChainOrder,
    /// A certificate for `otherN.elsewhere.test` only.
    NameMismatch,
    /// Host forwarded; the certificate covers the origin name only.
    HostHeaderMismatch,
    /// Nothing listens on the port.
    ClosedPort,
    /// SYNs are dropped (full accept queue).
    Filtered,
    /// Plain HTTP on the HTTPS port.
    PlainHttp,
    /// An SSH banner on the HTTPS port.
    SshBanner,
    /// A handshake_failure alert in reply to any ClientHello.
    AlertOnHello,
    /// Accepts, then closes at once.
    CloseAfterAccept,
    /// Two addresses, one of them closed.
    SomeAddressesDown,
    /// The name does not exist.
    NxDomain,
    /// The name has only a TXT record.
    NoAddress,
    /// The DNS server never answers for the name.
    DnsTimeout,
    /// The DNS server answers SERVFAIL for the name.
    ServFail,
    /// The name resolves to 10.0.0.1 (never connected to).
    PrivateAddress,
    /// Completes the handshake, then closes.
    CloseAfterHandshake,
    /// Reads the request, then closes.
    CloseAfterRequest,
    /// First byte after 3 s, with a 2 s read timeout.
    SlowResponse,
    /// First byte after 1.3 s, with a 2 s read timeout.
    SlowResponseNear,
    /// Advertises and enforces a 1 s keep-alive (CloudFront's is 2 s in the lab).
    KeepAliveShort,
    /// `Connection: close` on every response.
    ConnectionClose,
    /// `HTTP/1.1 OK-ish`: a status line without a status code.
    MalformedStatusLine,
    /// A header line without a colon.
    MalformedHeader,
    /// A chunk size that is not hexadecimal.
    MalformedChunking,
    /// Fewer body bytes than Content-Length, then close.
    LengthMismatch,
    /// Two `100 Continue` before the response.
    DoubleContinue,
    /// Healthy TLS, but the application answers 502 (keep-alive).
    Origin502,
    /// Healthy TLS, but the application answers 503 (keep-alive).
    Origin503,
    /// http-only, but the HTTP port speaks TLS.
    TlsOnHttpPort,
    /// http-only, healthy plain HTTP.
    HealthyHttpOnly,
    /// A CNAME to a name that does not exist.
    DanglingCname,
    /// A chain of 10 CNAMEs to a healthy origin.
    LongCnameChain,
    /// A chain of 2 CNAMEs to a healthy origin.
    ShortCnameChain,
    /// A rustls server that speaks TLS 1.3 only.
    Tls13Only,
    /// A leaf with an Ed25519 key, which CloudFront's signature schemes do not cover.
    Ed25519Key,
    /// A leaf whose CN is the origin name but whose SAN names only another: s2n (CloudFront)
    /// does not look at the CN when there is a DNS SAN.
    CnOnlyOtherSan,
    /// A leaf with no SAN at all whose CN is the origin name: s2n takes the CN then.
    NoSanCnMatch,
    /// A ServerHello, then silence: CloudFront's handshake never completes.
    StalledAfterHello,
    /// Healthy, except that a ClientHello over a kilobyte (the post-quantum one, with its
    /// ML-KEM key share) is never answered, as some middleboxes do.
    PqHelloIntolerant,
    /// An s2n-tls server with its 2014 policy (static RSA and DHE key exchange, AES-CBC, no
    /// ECDHE, no GCM, up to TLS 1.2), the application answering 503: rustls cannot connect,
    /// CloudFront does, and gets the 503.
    CbcStaticRsa503,
    /// A server that takes only null (unencrypted) cipher suites.
    NullSuitesOnly,
    /// OriginHttpVersion `http2` (targets.csv's `origin_http_version`): a TLS server that
    /// selects `h2` with ALPN and still answers HTTP/1.1, as a TLS terminator advertising h2
    /// in front of an HTTP/1.1-only backend does (issue 16).
    H2Broken,
    /// match-viewer: TLS on the HTTPS port and plain HTTP on the HTTP port, both healthy.
    HealthyMatchViewer,
    /// Hostile: binary garbage right after accept.
    HostileGarbage,
    /// Hostile: a TLS record that never ends (a header, then a byte now and then).
    HostileEndlessRecord,
    /// Hostile: a 1 MB Certificate message.
    HostileHugeChain,
    /// Hostile: one byte a second during the handshake.
    HostileSlowHandshake,
    /// Hostile: one byte a second in the HTTP response head.
    HostileSlowHeaders,
    /// Hostile: an endless list of response headers.
    HostileEndlessHeaders,
    /// Hostile: part of a ServerHello, then a reset.
    HostileResetMidHandshake,
    /// Hostile: accepts and never speaks.
    HostileSilent,
    /// Hostile: accepts on the HTTPS port and resets at once (issue 17, item 5a).
    HostileResetAfterAccept,
    /// Hostile: http-only, accepts on the HTTP port and resets at once (issue 17, item 5a).
    HostileResetAfterAcceptHttp,
    /// A healthy but long body: a chunk every 0.5 s for 8 s, past the scanner's 4 s budget
    /// with a 2 s read timeout (issue 17, item 5b).
    HostileDripBody,
    /// Hostile: `103 Early Hints` without end (issue 17, item 5c).
    HostileEndlessEarlyHints,
    /// Hostile: a chunked body whose trailers never end (issue 17, item 5c).
    HostileEndlessTrailers,
    /// Hostile: a CNAME loop, name → loop name → name (issue 17, item 5d).
    HostileCnameLoop,
    /// A healthy origin in a zone with three healthy name servers.
    NsHealthy,
    /// One of its zone's three name servers never answers.
    NsOneDown,
    /// Hostile: a zone whose servers answer garbage and truncated messages (one is healthy).
    NsGarbage,
    /// None of its zone's name servers answers (one closed, one silent).
    NsAllDown,
    /// None of its zone's name servers answers, and the resolver has nothing cached: it
    /// answers SERVFAIL for the zone's names (issue 19).
    NsAllDownCold,
    /// Its zone has a server answering REFUSED and one answering without AA.
    NsLame,
    /// Its zone's two servers give different addresses.
    NsMixedAddresses,
    /// Its zone's two servers give different SOA serials.
    NsSerialMismatch,
    /// Its zone has one name server.
    NsSingle,
    /// Its zone's two name servers are in one /24.
    NsOneNetwork,
}

impl Pathology {
    /// Every pathology, in the order the fleet cycles through them.
    pub const ALL: &'static [Pathology] = &[
        Pathology::HealthyRsa,
        Pathology::HealthyEcdsa,
        Pathology::HealthyWildcard,
        Pathology::HostHeaderCovered,
        Pathology::Expired,
        Pathology::NotYetValid,
        Pathology::ExpiresWithinAWeek,
        Pathology::ExpiresWithinAMonth,
        Pathology::SelfSigned,
        Pathology::UntrustedRoot,
        Pathology::IncompleteChain,
        Pathology::ChainOrder,
        Pathology::NameMismatch,
        Pathology::HostHeaderMismatch,
        Pathology::ClosedPort,
        Pathology::Filtered,
        Pathology::PlainHttp,
        Pathology::SshBanner,
        Pathology::AlertOnHello,
        Pathology::CloseAfterAccept,
        Pathology::SomeAddressesDown,
        Pathology::NxDomain,
        Pathology::NoAddress,
        Pathology::DnsTimeout,
        Pathology::ServFail,
        Pathology::PrivateAddress,
        Pathology::CloseAfterHandshake,
        Pathology::CloseAfterRequest,
        Pathology::SlowResponse,
        Pathology::SlowResponseNear,
        Pathology::KeepAliveShort,
        Pathology::ConnectionClose,
        Pathology::MalformedStatusLine,
        Pathology::MalformedHeader,
        Pathology::MalformedChunking,
        Pathology::LengthMismatch,
        Pathology::DoubleContinue,
        Pathology::Origin502,
        Pathology::Origin503,
        Pathology::TlsOnHttpPort,
        Pathology::HealthyHttpOnly,
        Pathology::HealthyMatchViewer,
        Pathology::DanglingCname,
        Pathology::LongCnameChain,
        Pathology::ShortCnameChain,
        Pathology::Tls13Only,
        Pathology::Ed25519Key,
        Pathology::NsHealthy,
        Pathology::NsOneDown,
        Pathology::NsAllDown,
        Pathology::NsLame,
        Pathology::NsMixedAddresses,
        Pathology::NsSerialMismatch,
        Pathology::NsSingle,
        Pathology::NsOneNetwork,
        // Issue 15 (s2n-tls): appended, so that a lab of the first N keeps its members.
        Pathology::CnOnlyOtherSan,
        Pathology::NoSanCnMatch,
        Pathology::StalledAfterHello,
        Pathology::PqHelloIntolerant,
        Pathology::CbcStaticRsa503,
        Pathology::NullSuitesOnly,
        // Issue 16: appended likewise.
        Pathology::H2Broken,
        // Issue 19: appended likewise.
        Pathology::NsAllDownCold,
    ];

    /// The name-server pathologies (one zone each), with a healthy origin in `lab.test`: a
    /// fleet of these has many origins in few zones.
    pub const ZONES: &'static [Pathology] = &[
        Pathology::HealthyEcdsa,
        Pathology::NsHealthy,
        Pathology::NsOneDown,
        Pathology::NsAllDown,
        Pathology::NsLame,
        Pathology::NsMixedAddresses,
        Pathology::NsSerialMismatch,
        Pathology::NsSingle,
        Pathology::NsOneNetwork,
        Pathology::NsGarbage,
        Pathology::NsAllDownCold,
    ];

    /// The hostile origins `originscan lab --hostile` adds (issue 9).
    pub const HOSTILE: &'static [Pathology] = &[
        Pathology::HostileGarbage,
        Pathology::HostileEndlessRecord,
        Pathology::HostileHugeChain,
        Pathology::HostileSlowHandshake,
        Pathology::HostileSlowHeaders,
        Pathology::HostileEndlessHeaders,
        Pathology::HostileResetMidHandshake,
        Pathology::HostileSilent,
        Pathology::NsGarbage,
        // Issue 17: appended, so that a lab of the first N keeps its members.
        Pathology::HostileResetAfterAccept,
        Pathology::HostileResetAfterAcceptHttp,
        Pathology::HostileDripBody,
        Pathology::HostileEndlessEarlyHints,
        Pathology::HostileEndlessTrailers,
        Pathology::HostileCnameLoop,
    ];

    /// The pathology of fleet member `index`.
    pub fn for_index(index: usize, mix: FleetMix) -> Pathology {
        match mix {
            FleetMix::Hostile => {
                let all = Pathology::ALL.len() + Pathology::HOSTILE.len();
                let i = index % all;
                Pathology::ALL
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| Pathology::HOSTILE[i - Pathology::ALL.len()])
            }
            FleetMix::Standard => Pathology::ALL[index % Pathology::ALL.len()],
            FleetMix::Zones => Pathology::ZONES[index % Pathology::ZONES.len()],
        }
    }

    /// A short name used in host names and the truth file.
    pub fn slug(self) -> &'static str {
        match self {
            Pathology::HealthyRsa => "healthy-rsa",
            Pathology::HealthyEcdsa => "healthy-ecdsa",
            Pathology::HealthyWildcard => "healthy-wildcard",
            Pathology::HostHeaderCovered => "host-header-covered",
            Pathology::Expired => "expired",
            Pathology::NotYetValid => "not-yet-valid",
            Pathology::ExpiresWithinAWeek => "expires-in-3-days",
            Pathology::ExpiresWithinAMonth => "expires-in-20-days",
            Pathology::SelfSigned => "self-signed",
            Pathology::UntrustedRoot => "untrusted-root",
            Pathology::IncompleteChain => "incomplete-chain",
            Pathology::ChainOrder => "chain-order",
            Pathology::NameMismatch => "name-mismatch",
            Pathology::HostHeaderMismatch => "host-header-mismatch",
            Pathology::ClosedPort => "closed-port",
            Pathology::Filtered => "filtered",
            Pathology::PlainHttp => "plain-http",
            Pathology::SshBanner => "ssh-banner",
            Pathology::AlertOnHello => "alert-on-hello",
            Pathology::CloseAfterAccept => "close-after-accept",
            Pathology::SomeAddressesDown => "some-addresses-down",
            Pathology::NxDomain => "nxdomain",
            Pathology::NoAddress => "no-address",
            Pathology::DnsTimeout => "dns-timeout",
            Pathology::ServFail => "servfail",
            Pathology::PrivateAddress => "private-address",
            Pathology::CloseAfterHandshake => "close-after-handshake",
            Pathology::CloseAfterRequest => "close-after-request",
            Pathology::SlowResponse => "slow-response",
            Pathology::SlowResponseNear => "slow-response-near",
            Pathology::KeepAliveShort => "keepalive-short",
            Pathology::ConnectionClose => "connection-close",
            Pathology::MalformedStatusLine => "malformed-status-line",
            Pathology::MalformedHeader => "malformed-header",
            Pathology::MalformedChunking => "malformed-chunking",
            Pathology::LengthMismatch => "length-mismatch",
            Pathology::DoubleContinue => "double-continue",
            Pathology::Origin502 => "origin-502",
            Pathology::Origin503 => "origin-503",
            Pathology::TlsOnHttpPort => "tls-on-http-port",
            Pathology::HealthyHttpOnly => "healthy-http-only",
            Pathology::HealthyMatchViewer => "healthy-match-viewer",
            Pathology::DanglingCname => "dangling-cname",
            Pathology::LongCnameChain => "long-cname-chain",
            Pathology::ShortCnameChain => "short-cname-chain",
            Pathology::Tls13Only => "tls13-only",
            Pathology::Ed25519Key => "ed25519-key",
            Pathology::CnOnlyOtherSan => "cn-only-other-san",
            Pathology::NoSanCnMatch => "no-san-cn-match",
            Pathology::StalledAfterHello => "stalled-after-hello",
            Pathology::PqHelloIntolerant => "pq-hello-intolerant",
            Pathology::CbcStaticRsa503 => "cbc-static-rsa-503",
            Pathology::NullSuitesOnly => "null-suites-only",
            Pathology::H2Broken => "h2-broken",
            Pathology::HostileGarbage => "hostile-garbage",
            Pathology::HostileEndlessRecord => "hostile-endless-record",
            Pathology::HostileHugeChain => "hostile-huge-chain",
            Pathology::HostileSlowHandshake => "hostile-slow-handshake",
            Pathology::HostileSlowHeaders => "hostile-slow-headers",
            Pathology::HostileEndlessHeaders => "hostile-endless-headers",
            Pathology::HostileResetMidHandshake => "hostile-reset-mid-handshake",
            Pathology::HostileSilent => "hostile-silent",
            Pathology::HostileResetAfterAccept => "hostile-reset-after-accept",
            Pathology::HostileResetAfterAcceptHttp => "hostile-reset-after-accept-http",
            Pathology::HostileDripBody => "hostile-drip-body",
            Pathology::HostileEndlessEarlyHints => "hostile-endless-early-hints",
            Pathology::HostileEndlessTrailers => "hostile-endless-trailers",
            Pathology::HostileCnameLoop => "hostile-cname-loop",
            Pathology::NsHealthy => "ns-healthy",
            Pathology::NsOneDown => "ns-one-down",
            Pathology::NsGarbage => "ns-garbage",
            Pathology::NsAllDown => "ns-all-down",
            Pathology::NsAllDownCold => "ns-all-down-cold",
            Pathology::NsLame => "ns-lame",
            Pathology::NsMixedAddresses => "ns-mixed-addresses",
            Pathology::NsSerialMismatch => "ns-serial-mismatch",
            Pathology::NsSingle => "ns-single",
            Pathology::NsOneNetwork => "ns-one-network",
        }
    }

    /// The zone holding the origin's name.
    pub fn zone(self) -> &'static str {
        match self {
            Pathology::NsHealthy => "ns-healthy.lab.test",
            Pathology::NsOneDown => "ns-one-down.lab.test",
            Pathology::NsGarbage => "ns-garbage.lab.test",
            Pathology::NsAllDown => "ns-all-down.lab.test",
            Pathology::NsAllDownCold => "ns-cold.lab.test",
            Pathology::NsLame => "ns-lame.lab.test",
            Pathology::NsMixedAddresses => "ns-mixed.lab.test",
            Pathology::NsSerialMismatch => "ns-serial.lab.test",
            Pathology::NsSingle => "ns-single.lab.test",
            Pathology::NsOneNetwork => "ns-one-net.lab.test",
            _ => ZONE,
        }
    }

    /// The findings a scan must report for this origin.
    pub fn expected(self) -> Vec<Code> {
        let mut codes = match self {
            Pathology::HealthyRsa
            | Pathology::HealthyEcdsa
            | Pathology::HealthyWildcard
            | Pathology::HostHeaderCovered
            | Pathology::HealthyHttpOnly
            | Pathology::HealthyMatchViewer
            | Pathology::ShortCnameChain
            | Pathology::NsHealthy
            | Pathology::NoSanCnMatch
            // OriginReadTimeout bounds each gap, not the whole body: no 504.
            | Pathology::HostileDripBody => vec![],
            // Under the default profile (2025) its hello is small enough; under 2025-pq it is
            // TLS_PQ_HELLO_INTOLERANT (tests/it/lab_scan.rs).
            Pathology::PqHelloIntolerant => vec![],
            // The lab's resolver still answers for these names (as a resolver with a warm cache
            // would): only the zone's servers are at fault.
            Pathology::NsOneDown | Pathology::NsGarbage => vec![Code::DNS_NS_UNRESPONSIVE],
            Pathology::NsAllDown => vec![Code::DNS_NS_ALL_UNRESPONSIVE],
            // A cold resolver answers SERVFAIL; the delegation walk names the servers.
            Pathology::NsAllDownCold => vec![Code::DNS_SERVFAIL, Code::DNS_NS_ALL_UNRESPONSIVE],
            Pathology::NsLame => vec![Code::DNS_NS_LAME, Code::DNS_NS_UNRESPONSIVE],
            Pathology::NsMixedAddresses | Pathology::NsSerialMismatch => {
                vec![Code::DNS_NS_INCONSISTENT]
            }
            Pathology::NsSingle | Pathology::NsOneNetwork => vec![Code::DNS_NS_SINGLE],
            Pathology::DanglingCname => vec![Code::DNS_CNAME_DANGLING],
            Pathology::HostileCnameLoop => vec![Code::DNS_CNAME_LOOP],
            // Under the default profile (2025): CloudFront's TLS 1.3 support makes it work.
            Pathology::Tls13Only => vec![Code::TLS_TLS13_ONLY],
            Pathology::Ed25519Key => vec![Code::TLS_UNSUPPORTED_SIGNATURE],
            Pathology::CnOnlyOtherSan => vec![Code::CERT_NAME_MISMATCH],
            Pathology::StalledAfterHello => vec![Code::TLS_HANDSHAKE_STALLED],
            Pathology::HostileGarbage => vec![Code::TLS_NOT_TLS],
            // Over the 64 KiB CloudFront's TLS stack (s2n) takes: the size is the reason.
            Pathology::HostileHugeChain => vec![Code::TLS_MESSAGE_TOO_LARGE],
            Pathology::HostileEndlessRecord
            | Pathology::HostileSlowHandshake
            | Pathology::HostileResetMidHandshake
            | Pathology::HostileSilent => vec![Code::TLS_HANDSHAKE_FAILED],
            Pathology::HostileSlowHeaders => vec![Code::HTTP_SLOW_RESPONSE],
            // A reset is an answer: never TCP_TIMEOUT's silence, whether it comes while
            // connecting, at the handshake or at the request.
            Pathology::HostileResetAfterAccept | Pathology::HostileResetAfterAcceptHttp => {
                vec![Code::HTTP_EARLY_CLOSE]
            }
            // Interim responses and trailers count against the head cap, as headers do.
            Pathology::HostileEndlessHeaders
            | Pathology::HostileEndlessEarlyHints
            | Pathology::HostileEndlessTrailers => vec![Code::HTTP_MALFORMED_RESPONSE],
            Pathology::LongCnameChain => vec![Code::DNS_CNAME_CHAIN_LONG],
            Pathology::CloseAfterHandshake | Pathology::CloseAfterRequest => {
                vec![Code::HTTP_EARLY_CLOSE]
            }
            Pathology::SlowResponse => vec![Code::HTTP_SLOW_RESPONSE],
            Pathology::SlowResponseNear => vec![Code::HTTP_SLOW_RESPONSE_NEAR],
            Pathology::KeepAliveShort => vec![Code::HTTP_KEEPALIVE_SHORTER],
            Pathology::ConnectionClose => vec![Code::HTTP_NO_KEEPALIVE],
            Pathology::MalformedStatusLine
            | Pathology::MalformedHeader
            | Pathology::MalformedChunking
            | Pathology::LengthMismatch
            | Pathology::DoubleContinue => vec![Code::HTTP_MALFORMED_RESPONSE],
            Pathology::Origin502 | Pathology::Origin503 | Pathology::CbcStaticRsa503 => {
                vec![Code::HTTP_ORIGIN_5XX]
            }
            Pathology::NullSuitesOnly => vec![Code::TLS_NO_COMMON_CIPHER],
            Pathology::H2Broken => vec![Code::HTTP_H2_FAILED],
            Pathology::TlsOnHttpPort => vec![Code::HTTP_PLAINTEXT_POLICY_MISMATCH],
            Pathology::Expired => vec![Code::CERT_EXPIRED],
            Pathology::NotYetValid => vec![Code::CERT_NOT_YET_VALID],
            Pathology::ExpiresWithinAWeek | Pathology::ExpiresWithinAMonth => {
                vec![Code::CERT_EXPIRES_SOON]
            }
            Pathology::SelfSigned => vec![Code::CERT_SELF_SIGNED],
            Pathology::UntrustedRoot => vec![Code::CERT_UNTRUSTED_ROOT],
            Pathology::IncompleteChain => vec![Code::CERT_INCOMPLETE_CHAIN],
            Pathology::ChainOrder => vec![Code::CERT_CHAIN_ORDER],
            Pathology::NameMismatch | Pathology::HostHeaderMismatch => {
                vec![Code::CERT_NAME_MISMATCH]
            }
            Pathology::ClosedPort => vec![Code::TCP_REFUSED],
            Pathology::Filtered => vec![Code::TCP_TIMEOUT],
            Pathology::PlainHttp => vec![Code::TLS_NOT_TLS, Code::HTTP_PLAINTEXT_POLICY_MISMATCH],
            Pathology::SshBanner => vec![Code::TLS_NOT_TLS],
            Pathology::AlertOnHello => vec![Code::TLS_HANDSHAKE_FAILED],
            Pathology::CloseAfterAccept => vec![Code::HTTP_EARLY_CLOSE],
            Pathology::SomeAddressesDown => vec![Code::TCP_SOME_ADDRESSES_DOWN],
            Pathology::NxDomain => vec![Code::DNS_NXDOMAIN],
            Pathology::NoAddress => vec![Code::DNS_NO_ADDRESS],
            Pathology::DnsTimeout => vec![Code::DNS_TIMEOUT],
            Pathology::ServFail => vec![Code::DNS_SERVFAIL],
            Pathology::PrivateAddress => vec![Code::DNS_PRIVATE_ADDRESS],
        };
        codes.sort_by_key(|c| c.as_str());
        codes
    }

    /// Whether the origin's name may move to a shared zone (it would sit in `lab.test`).
    pub fn is_movable(self) -> bool {
        self.zone() == ZONE && self != Pathology::HealthyWildcard
    }

    /// The origin's DNS name for fleet member `index`, in shared zone `shared_zone` when given
    /// and the origin [is movable](Pathology::is_movable).
    pub fn origin_name(self, index: usize, shared_zone: Option<usize>) -> String {
        match (self, shared_zone) {
            (Pathology::HealthyWildcard, _) => format!("o{index}.wild.{ZONE}"),
            (_, Some(k)) if self.is_movable() => {
                format!("o{index}-{}.{}", self.slug(), shared_zone_apex(k))
            }
            _ => format!("o{index}-{}.{}", self.slug(), self.zone()),
        }
    }

    /// The Host header forwarded for this origin, if any.
    pub fn host_header(self, index: usize) -> Option<String> {
        match self {
            Pathology::HostHeaderCovered | Pathology::HostHeaderMismatch => {
                Some(format!("www{index}.customer.test"))
            }
            _ => None,
        }
    }

    /// How the origin's DNS name behaves.
    pub fn dns(self) -> DnsBehaviour {
        match self {
            Pathology::NxDomain => DnsBehaviour::Absent,
            Pathology::NoAddress => DnsBehaviour::NoAddress,
            Pathology::DnsTimeout => DnsBehaviour::Silent,
            Pathology::ServFail => DnsBehaviour::ServFail,
            Pathology::PrivateAddress => DnsBehaviour::Private,
            Pathology::DanglingCname => DnsBehaviour::CnameChain {
                links: 1,
                dangling: true,
            },
            Pathology::HostileCnameLoop => DnsBehaviour::CnameLoop,
            Pathology::LongCnameChain => DnsBehaviour::CnameChain {
                links: 10,
                dangling: false,
            },
            Pathology::ShortCnameChain => DnsBehaviour::CnameChain {
                links: 2,
                dangling: false,
            },
            _ => DnsBehaviour::Address,
        }
    }

    /// What listens on the origin's address.
    pub fn server(self, index: usize, name: &str) -> ServerKind {
        let name = name.to_string();
        let leaf = |spec: LeafSpec| ServerKind::Tls(Box::new(spec), HttpBehaviour::Healthy);
        let answering = |behaviour: HttpBehaviour| {
            ServerKind::Tls(Box::new(LeafSpec::healthy(vec![name.clone()])), behaviour)
        };
        match self {
            Pathology::HealthyRsa => leaf(LeafSpec {
                key: LeafKey::Rsa,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::HealthyEcdsa
            | Pathology::SomeAddressesDown
            | Pathology::LongCnameChain
            | Pathology::ShortCnameChain
            | Pathology::NsHealthy
            | Pathology::NsOneDown
            | Pathology::NsGarbage
            | Pathology::NsAllDown
            // Its name does not resolve, but a scan given its address (`--resolve`, as the
            // limits tests do with the zones mix) finds a healthy origin there.
            | Pathology::NsAllDownCold
            | Pathology::NsLame
            | Pathology::NsMixedAddresses
            | Pathology::NsSerialMismatch
            | Pathology::NsSingle
            | Pathology::NsOneNetwork => leaf(LeafSpec::healthy(vec![name])),
            Pathology::HealthyWildcard => leaf(LeafSpec::healthy(vec![format!("*.wild.{ZONE}")])),
            Pathology::HostHeaderCovered => leaf(LeafSpec::healthy(vec![self
                .host_header(index)
                .unwrap_or_default()])),
            Pathology::HostHeaderMismatch => leaf(LeafSpec::healthy(vec![name])),
            Pathology::Expired => leaf(LeafSpec {
                valid_from: Duration::days(-400),
                valid_until: Duration::days(-10),
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::NotYetValid => leaf(LeafSpec {
                valid_from: Duration::days(2),
                valid_until: Duration::days(400),
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::ExpiresWithinAWeek => leaf(LeafSpec {
                valid_until: Duration::days(3),
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::ExpiresWithinAMonth => leaf(LeafSpec {
                valid_until: Duration::days(20),
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::SelfSigned => leaf(LeafSpec {
                chain: ChainShape::SelfSigned,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::UntrustedRoot => leaf(LeafSpec {
                chain: ChainShape::Untrusted,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::IncompleteChain => leaf(LeafSpec {
                chain: ChainShape::LeafOnly,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::ChainOrder => leaf(LeafSpec {
                chain: ChainShape::WrongOrder,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::NameMismatch => leaf(LeafSpec::healthy(vec![format!(
                "other{index}.elsewhere.test"
            )])),
            Pathology::ClosedPort => ServerKind::Closed,
            Pathology::Filtered => ServerKind::Filtered,
            Pathology::PlainHttp => ServerKind::PlainHttp,
            Pathology::SshBanner => ServerKind::Banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
            Pathology::AlertOnHello => ServerKind::Alert,
            Pathology::CloseAfterAccept => ServerKind::CloseAfterAccept,
            Pathology::NxDomain
            | Pathology::NoAddress
            | Pathology::DnsTimeout
            | Pathology::ServFail
            | Pathology::PrivateAddress
            | Pathology::DanglingCname
            | Pathology::HostileCnameLoop => ServerKind::None,
            Pathology::CloseAfterHandshake => answering(HttpBehaviour::CloseAfterHandshake),
            Pathology::CloseAfterRequest => answering(HttpBehaviour::CloseAfterRequest),
            Pathology::SlowResponse => answering(HttpBehaviour::Delay(std::time::Duration::from_millis(3000))),
            Pathology::SlowResponseNear => answering(HttpBehaviour::Delay(std::time::Duration::from_millis(1300))),
            Pathology::KeepAliveShort => answering(HttpBehaviour::ShortKeepAlive),
            Pathology::ConnectionClose => answering(HttpBehaviour::ConnectionClose),
            Pathology::MalformedStatusLine => answering(HttpBehaviour::Canned(b"HTTP/1.1 OK-ish\r\n\r\n")),
            Pathology::MalformedHeader => answering(HttpBehaviour::Canned(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis is not a header\r\n\r\nok",
            )),
            Pathology::MalformedChunking => answering(HttpBehaviour::Canned(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\nok\r\n0\r\n\r\n",
            )),
            Pathology::LengthMismatch => answering(HttpBehaviour::Canned(
                b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this",
            )),
            Pathology::DoubleContinue => answering(HttpBehaviour::Canned(
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            )),
            Pathology::Origin502 => answering(HttpBehaviour::Status(502)),
            Pathology::Origin503 => answering(HttpBehaviour::Status(503)),
            Pathology::TlsOnHttpPort => ServerKind::Alert,
            Pathology::HostileGarbage => ServerKind::Raw(RawBehaviour::Garbage),
            Pathology::HostileEndlessRecord => ServerKind::Raw(RawBehaviour::EndlessRecord),
            Pathology::HostileHugeChain => ServerKind::Raw(RawBehaviour::HugeChain),
            Pathology::HostileSlowHandshake => ServerKind::Raw(RawBehaviour::SlowHandshake),
            Pathology::HostileResetMidHandshake => ServerKind::Raw(RawBehaviour::ResetMidHandshake),
            Pathology::HostileSilent => ServerKind::Raw(RawBehaviour::Silent),
            Pathology::HostileResetAfterAccept | Pathology::HostileResetAfterAcceptHttp => {
                ServerKind::Raw(RawBehaviour::ResetAfterAccept)
            }
            Pathology::HostileSlowHeaders => answering(HttpBehaviour::SlowHead),
            Pathology::HostileEndlessHeaders => answering(HttpBehaviour::EndlessHeaders),
            Pathology::HostileDripBody => answering(HttpBehaviour::DripBody),
            Pathology::HostileEndlessEarlyHints => answering(HttpBehaviour::EndlessEarlyHints),
            Pathology::HostileEndlessTrailers => answering(HttpBehaviour::EndlessTrailers),
            Pathology::HealthyHttpOnly => ServerKind::Plain(HttpBehaviour::Healthy),
            Pathology::HealthyMatchViewer => ServerKind::MatchViewer(Box::new(LeafSpec::healthy(vec![name]))),
            Pathology::Tls13Only => ServerKind::Tls13(Box::new(LeafSpec::healthy(vec![name]))),
            Pathology::Ed25519Key => leaf(LeafSpec {
                key: LeafKey::Ed25519,
                ..LeafSpec::healthy(vec![name])
            }),
            Pathology::CnOnlyOtherSan => leaf(LeafSpec {
                common_name: Some(name.clone()),
                ..LeafSpec::healthy(vec![format!("other-{name}")])
            }),
            Pathology::NoSanCnMatch => leaf(LeafSpec {
                common_name: Some(name),
                ..LeafSpec::healthy(Vec::new())
            }),
            Pathology::StalledAfterHello => ServerKind::Raw(RawBehaviour::StalledAfterHello),
            Pathology::PqHelloIntolerant => {
                ServerKind::SmallHellosOnly(Box::new(LeafSpec::healthy(vec![name])))
            }
            Pathology::CbcStaticRsa503 => ServerKind::S2n {
                spec: Box::new(LeafSpec {
                    key: LeafKey::Rsa,
                    ..LeafSpec::healthy(vec![name])
                }),
                policy: "20140601",
                behaviour: HttpBehaviour::Status(503),
            },
            Pathology::NullSuitesOnly => ServerKind::Raw(RawBehaviour::NullSuitesOnly),
            Pathology::H2Broken => ServerKind::H2Advertised(Box::new(LeafSpec::healthy(vec![name]))),
        }
    }

    /// The target's OriginHttpVersion, when not `http1.1`.
    pub fn http_version(self) -> Option<&'static str> {
        match self {
            Pathology::H2Broken => Some("http2"),
            _ => None,
        }
    }

    /// The target's protocol policy, when not https-only.
    pub fn policy(self) -> Option<&'static str> {
        match self {
            Pathology::TlsOnHttpPort
            | Pathology::HealthyHttpOnly
            | Pathology::HostileResetAfterAcceptHttp => Some("http-only"),
            Pathology::HealthyMatchViewer => Some("match-viewer"),
            _ => None,
        }
    }

    /// The target's OriginReadTimeout in the lab, when not the lab default.
    pub fn read_timeout(self) -> Option<u64> {
        match self {
            Pathology::SlowResponse
            | Pathology::SlowResponseNear
            | Pathology::HostileSlowHeaders
            | Pathology::HostileDripBody => Some(2),
            _ => None,
        }
    }

    /// Per-target CSV overrides: (connect_timeout, connection_attempts).
    pub fn connection_settings(self) -> Option<(u64, u8)> {
        match self {
            // A dropped SYN costs the whole timeout: keep the lab fast.
            Pathology::Filtered => Some((1, 1)),
            // Stalled handshakes cost the handshake timeout (the ConnectionTimeout).
            Pathology::HostileEndlessRecord
            | Pathology::HostileSlowHandshake
            | Pathology::HostileSilent
            | Pathology::HostileHugeChain
            | Pathology::StalledAfterHello
            | Pathology::PqHelloIntolerant => Some((2, 1)),
            _ => None,
        }
    }
}

/// How the lab's DNS answers for an origin name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsBehaviour {
    /// A records for the origin's addresses.
    Address,
    /// No record at all: NXDOMAIN.
    Absent,
    /// A TXT record only.
    NoAddress,
    /// No lab DNS server ever answers for the name.
    Silent,
    /// Every lab DNS server answers SERVFAIL for the name.
    ServFail,
    /// A record 10.0.0.1.
    Private,
    /// A CNAME to a second name whose CNAME points back: a loop.
    CnameLoop,
    /// A chain of CNAMEs of this many links, ending at the addresses or (dangling) nowhere.
    CnameChain {
        /// How many CNAMEs the chain has.
        links: usize,
        /// Whether the last target does not exist.
        dangling: bool,
    },
}

/// OriginKeepaliveTimeout of every lab target (CloudFront's minimum is 1 s, default 5 s): short,
/// so the idle probe costs the demo and tests 2 s, not 5.
pub const LAB_KEEPALIVE_TIMEOUT: u64 = 2;

/// How a lab origin answers HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpBehaviour {
    /// 200, keep-alive for a minute.
    Healthy,
    /// Closes right after the TLS handshake.
    CloseAfterHandshake,
    /// Reads the request, then closes.
    CloseAfterRequest,
    /// Waits this long after the request, then answers 200.
    Delay(std::time::Duration),
    /// Advertises `Keep-Alive: timeout=1` and closes after 1 s idle.
    ShortKeepAlive,
    /// Answers 200 with `Connection: close`, then closes.
    ConnectionClose,
    /// Writes these bytes as the response, then closes.
    Canned(&'static [u8]),
    /// Answers this status, keep-alive.
    Status(u16),
    /// Sends the response head one byte a second.
    SlowHead,
    /// Sends response headers without end.
    EndlessHeaders,
    /// A chunked body, one chunk every 0.5 s for 8 s.
    DripBody,
    /// `103 Early Hints` responses without end (until the client leaves, at most a minute).
    EndlessEarlyHints,
    /// A chunked body, then trailers without end (until the client leaves, at most a minute).
    EndlessTrailers,
}

/// Hostile behaviour below HTTP, on the raw TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawBehaviour {
    /// Binary garbage right after accept.
    Garbage,
    /// A record header announcing 16 KiB, then a byte every 200 ms.
    EndlessRecord,
    /// A 1 MiB Certificate handshake message.
    HugeChain,
    /// A handshake record one byte a second.
    SlowHandshake,
    /// Half a ServerHello, then a TCP reset.
    ResetMidHandshake,
    /// A TCP reset right after accept, before reading anything.
    ResetAfterAccept,
    /// Accepts and never sends a byte.
    Silent,
    /// A whole TLS 1.2 ServerHello, then nothing.
    StalledAfterHello,
    /// A ServerHello choosing NULL-SHA256 when the ClientHello offers it, else a
    /// `handshake_failure` alert.
    NullSuitesOnly,
}

/// What listens on an origin's address.
#[derive(Debug, Clone)]
pub enum ServerKind {
    /// Nothing: the origin fails in DNS.
    None,
    /// A TLS server with this leaf, answering HTTP/1.1 so.
    Tls(Box<LeafSpec>, HttpBehaviour),
    /// Plain HTTP/1.1 only.
    Plain(HttpBehaviour),
    /// TLS on one port, plain HTTP on another.
    MatchViewer(Box<LeafSpec>),
    /// A TLS 1.3-only server (healthy HTTP).
    Tls13(Box<LeafSpec>),
    /// An s2n-tls server with the named s2n security policy, then HTTP as `behaviour` says.
    S2n {
        /// The leaf it serves.
        spec: Box<LeafSpec>,
        /// The s2n security policy, e.g. `20140601`.
        policy: &'static str,
        /// How the application answers.
        behaviour: HttpBehaviour,
    },
    /// Healthy TLS for a ClientHello record of at most [`super::servers::LARGEST_HELLO`]
    /// bytes; silence for a larger one.
    SmallHellosOnly(Box<LeafSpec>),
    /// A port with nothing listening: connections are refused.
    Closed,
    /// A listener whose accept queue is full: SYNs are dropped.
    Filtered,
    /// Plain HTTP where TLS is expected: reads the request, answers `400 Bad Request`, closes.
    PlainHttp,
    /// Writes a banner on accept.
    Banner(&'static [u8]),
    /// Answers any ClientHello with a fatal handshake_failure alert.
    Alert,
    /// Accepts and closes.
    CloseAfterAccept,
    /// A TLS server that selects `h2` with ALPN when offered, and answers HTTP/1.1 (healthy)
    /// whatever it selected.
    H2Advertised(Box<LeafSpec>),
    /// Hostile raw TCP behaviour.
    Raw(RawBehaviour),
}
