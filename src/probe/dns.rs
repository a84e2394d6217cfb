//! Resolving an origin's name through the configured resolvers, recording the CNAME chain.
//!
//! Observes only: what the resolvers answered, how long it took, and which failure it was,
//! classified by hickory's error variants. `--resolve HOST:ADDR` overrides skip DNS entirely.
//! Every query passes the scan's [`DnsPoliteness`] (per-server rate and in-flight cap) first, and
//! reaches the resolver as [`super::dns_transport`] sends it; the zone checks
//! ([`super::authority`]) use [`DnsProbe::lookup`] for their recursive questions.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::{DnsError, NetError};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::Resolver;

pub use super::dns_exchange::ExtendedError;
use super::dns_exchange::{self, Flags};
use super::dns_politeness::DnsPoliteness;
use super::dns_transport::{self, SingleSendProvider};
use crate::target::{Host, IpAddressType};

/// Why resolution gave no address: the most telling failure of the A and AAAA lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// The name does not exist.
    NxDomain,
    /// A resolver answered SERVFAIL.
    ServFail,
    /// A resolver answered REFUSED.
    Refused,
    /// No resolver answered in time.
    Timeout,
    /// The name exists but has no address of the family IpAddressType asks for (A for
    /// `ipv4`, AAAA for `ipv6`, either for `dualstack`), and none of the other family either
    /// (or the other family was not asked).
    NoAddress,
    /// The name has no address of the family IpAddressType asks for, but has these of the
    /// other (an `ipv6` origin with only A records): CloudFront does not fall back.
    OtherFamilyOnly(Vec<IpAddr>),
    /// The CNAME chain ends at a name that does not exist.
    DanglingCname,
    /// The CNAME chain comes back to a name already in it (`a → b → a`): it never ends.
    CnameLoop,
    /// A resolver answered SERVFAIL, and the same question with the CD (checking disabled)
    /// bit resolved: DNSSEC validation fails (a bad signature, an expired one, a DS at the
    /// parent that matches no key).
    DnssecBogus(DnssecBogus),
    /// Another failure (network unreachable, malformed answer, ...).
    Other(String),
}

/// What showed a SERVFAIL to be a DNSSEC validation failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnssecBogus {
    /// The resolver asked again with the CD bit.
    pub resolver: SocketAddr,
    /// The addresses it answered with checking disabled (CNAME targets are in the chain).
    pub addresses: Vec<IpAddr>,
    /// The record type asked (A or AAAA).
    pub record_type: RecordType,
    /// The RFC 8914 extended errors in the resolver's SERVFAIL (asked once more, without CD),
    /// when it sends them.
    pub extended_errors: Vec<ExtendedError>,
}

/// What DNS said about an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The origin is an IP literal.
    Literal(IpAddr),
    /// `--resolve` gave the addresses.
    Overridden(Vec<IpAddr>),
    /// The resolvers answered with addresses.
    Resolved {
        /// Every A and AAAA address, in answer order.
        addresses: Vec<IpAddr>,
        /// CNAME targets followed, in order.
        cname_chain: Vec<String>,
    },
    /// Resolution failed.
    Failed {
        /// By precedence: NXDOMAIN, SERVFAIL, timeout, REFUSED, another error, no address. A
        /// CNAME chain whose last target does not exist turns NXDOMAIN or no address into
        /// [`DnsFailure::DanglingCname`]; one that loops turns NXDOMAIN, no address or SERVFAIL
        /// (what resolvers answer for a loop) into [`DnsFailure::CnameLoop`].
        failure: DnsFailure,
        /// CNAME targets seen before the failure; for a loop, up to and including the first
        /// name met again.
        cname_chain: Vec<String>,
    },
}

impl Resolution {
    /// The addresses to connect to (empty on failure).
    pub fn addresses(&self) -> Vec<IpAddr> {
        let mut addresses = match self {
            Resolution::Literal(ip) => vec![*ip],
            Resolution::Overridden(ips) => ips.clone(),
            Resolution::Resolved { addresses, .. } => addresses.clone(),
            Resolution::Failed { .. } => Vec::new(),
        };
        // Each address once, in first-seen order (a dual-stack lookup, or a `--resolve` given
        // twice, can name one twice).
        let mut seen = std::collections::HashSet::new();
        addresses.retain(|ip| seen.insert(*ip));
        addresses
    }
}

/// How to reach DNS for the scan.
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// `--resolver` addresses; empty means the system's configuration.
    pub resolvers: Vec<SocketAddr>,
    /// `--resolve` overrides, by lower-case name.
    pub overrides: HashMap<String, Vec<IpAddr>>,
    /// `--dns-timeout`: a lookup gives up this long after its last progress (a query sent, an
    /// answer received), and after four of these at most.
    pub timeout: Duration,
    /// `--dns-attempts`: tries per query (at least 1); only timeouts are retried, with a
    /// backoff from 100 ms, doubling.
    pub attempts: usize,
}

/// Why the resolver could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    /// The system resolver configuration could not be read.
    #[error("cannot read the system's resolver configuration ({0}); pass --resolver IP[:PORT]")]
    SystemConfig(String),
}

/// The scan's DNS client: hickory over the `--resolver`s (else the system's), with the
/// `--resolve` overrides; every query passes the politeness gate.
pub struct DnsProbe {
    resolver: Resolver<SingleSendProvider>,
    overrides: HashMap<String, Vec<IpAddr>>,
    attempts: usize,
    /// `--dns-timeout`: a lookup's deadline ([`dns_transport::with_deadline`]).
    timeout: Duration,
    politeness: Arc<DnsPoliteness>,
    /// The gate's key for the recursive resolvers: the one `--resolver`, or (several, or the
    /// system's) [`RESOLVER_POOL`], so that the pool as a whole stays within the rate.
    server_key: SocketAddr,
    /// The resolvers' addresses (`--resolver`, else the system's), for the questions asked
    /// outside hickory (the CD bit).
    resolver_addresses: Vec<SocketAddr>,
    /// Per parent name (the name without its first label): what the first SERVFAIL name under
    /// it showed ([`DnsProbe::servfail_cause_shared`]).
    servfail_by_parent:
        std::sync::Mutex<HashMap<String, Arc<tokio::sync::OnceCell<SiblingVerdict>>>>,
}

/// Parent names remembered for SERVFAIL names, at most (past this, every SERVFAIL name is
/// examined in full).
const MAX_SERVFAIL_PARENTS: usize = 4096;

/// What the first SERVFAIL name under a parent name showed, for its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiblingVerdict {
    /// Not a DNSSEC failure: the siblings follow their CNAMEs (a loop is per name) but do
    /// not ask with the CD bit.
    NotDnssec,
    /// A DNSSEC failure: the siblings are examined in full.
    Dnssec,
    /// A CNAME loop (the CD bit was not asked): the siblings are examined in full.
    Undecided,
}

/// The gate key standing for a pool of recursive resolvers (hickory picks the server).
pub const RESOLVER_POOL: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 53);

impl std::fmt::Debug for DnsProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsProbe")
            .field("overrides", &self.overrides.len())
            .finish()
    }
}

impl DnsProbe {
    /// Builds the resolver. With no `--resolver`, reads the system's configuration. Every query
    /// passes `gate` first.
    pub fn new(
        settings: &DnsSettings,
        politeness: Arc<DnsPoliteness>,
    ) -> Result<DnsProbe, DnsSetupError> {
        let server_key = match settings.resolvers.as_slice() {
            [one] => *one,
            _ => RESOLVER_POOL,
        };
        let provider = SingleSendProvider::new(
            TokioRuntimeProvider::default(),
            politeness.clone(),
            server_key,
        );
        let mut resolver_addresses = settings.resolvers.clone();
        let mut builder = if settings.resolvers.is_empty() {
            let (config, options) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| DnsSetupError::SystemConfig(e.to_string()))?;
            resolver_addresses = config
                .name_servers()
                .iter()
                .map(|server| {
                    let port = server.connections.first().map_or(53, |c| c.port);
                    SocketAddr::new(server.ip, port)
                })
                .collect();
            Resolver::builder_with_config(config, provider).with_options(options)
        } else {
            let servers = settings
                .resolvers
                .iter()
                .map(|addr| {
                    let mut server = NameServerConfig::udp_and_tcp(addr.ip());
                    for connection in &mut server.connections {
                        connection.port = addr.port();
                    }
                    server
                })
                .collect();
            Resolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], servers),
                provider,
            )
        };
        let opts = builder.options_mut();
        opts.timeout = settings.timeout;
        // Timeouts are retried here, with backoff (`lookup`). hickory's `attempts` counts
        // retries, not tries: 0 makes it send one datagram per call, so that `--dns-attempts 1`
        // sends one and waits one `--dns-timeout` (1 here sent two, waited twice as long, and
        // the gate counted one).
        opts.attempts = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.preserve_intermediates = true;
        opts.recursion_desired = true;
        let resolver = builder
            .build()
            .map_err(|e| DnsSetupError::SystemConfig(e.to_string()))?;
        Ok(DnsProbe {
            resolver,
            overrides: settings.overrides.clone(),
            attempts: settings.attempts.max(1),
            timeout: settings.timeout,
            politeness,
            server_key,
            resolver_addresses,
            servfail_by_parent: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Whether `--resolve` gives this name's addresses (DNS is skipped for it).
    pub fn is_overridden(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
    }

    /// The gate every query passes (`--resolver-rate`, `--dns-in-flight`), shared with the
    /// zone checks' queries to authoritative servers.
    pub fn politeness(&self) -> &Arc<DnsPoliteness> {
        &self.politeness
    }

    /// One query to the recursive resolvers, through the gate.
    async fn query(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> Result<hickory_resolver::lookup::Lookup, NetError> {
        let _pass = self.politeness.admit(self.server_key).await;
        dns_transport::with_deadline(self.timeout, self.resolver.lookup(name, record_type)).await
    }

    /// Resolves the origin, as CloudFront would before connecting: A records (IpAddressType
    /// ipv4, the default), AAAA (ipv6) or both (dualstack).
    pub async fn resolve(&self, host: &Host, ip_type: IpAddressType) -> (Resolution, Duration) {
        let started = Instant::now();
        let name = match host {
            Host::Ip(ip) => return (Resolution::Literal(*ip), Duration::ZERO),
            Host::Name(name) => name,
        };
        if let Some(ips) = self.overrides.get(name) {
            return (Resolution::Overridden(ips.clone()), Duration::ZERO);
        }
        let fqdn = format!("{name}.");
        let types: &[RecordType] = match ip_type {
            IpAddressType::Ipv4 => &[RecordType::A],
            IpAddressType::Ipv6 => &[RecordType::AAAA],
            IpAddressType::DualStack => &[RecordType::A, RecordType::AAAA],
        };
        let results = futures::future::join_all(types.iter().map(|t| self.lookup(&fqdn, *t))).await;
        let mut addresses = Vec::new();
        let mut cname_chain = Vec::new();
        let mut failures = Vec::new();
        for result in results {
            match result {
                Ok(lookup) => {
                    for record in lookup.answers() {
                        match &record.data {
                            RData::A(a) => addresses.push(IpAddr::V4(a.0)),
                            RData::AAAA(aaaa) => addresses.push(IpAddr::V6(aaaa.0)),
                            RData::CNAME(cname) => push_unique(&mut cname_chain, &cname.0),
                            _ => {}
                        }
                    }
                }
                Err(error) => failures.push(classify(&error)),
            }
        }
        if !addresses.is_empty() {
            return (
                Resolution::Resolved {
                    addresses,
                    cname_chain,
                },
                started.elapsed(),
            );
        }
        // No address: the most telling failure wins.
        let mut failure = [
            DnsFailure::NxDomain,
            DnsFailure::ServFail,
            DnsFailure::Timeout,
            DnsFailure::Refused,
        ]
        .into_iter()
        .find(|f| failures.contains(f))
        .or_else(|| {
            failures
                .iter()
                .find(|f| matches!(f, DnsFailure::Other(_)))
                .cloned()
        })
        .unwrap_or(DnsFailure::NoAddress);
        if matches!(failure, DnsFailure::NxDomain | DnsFailure::NoAddress) {
            // A negative answer may come from a CNAME chain: follow it to tell a dangling
            // CNAME or a loop from a name that does not exist.
            let (chain, end) = self.follow_cnames(&fqdn).await;
            if !chain.is_empty() {
                match end {
                    CnameEnd::Loop => failure = DnsFailure::CnameLoop,
                    CnameEnd::Missing => failure = DnsFailure::DanglingCname,
                    CnameEnd::Exists | CnameEnd::Unknown => {}
                }
                cname_chain = chain;
            }
        } else if failure == DnsFailure::ServFail {
            // What resolvers answer for a CNAME loop, and for a DNSSEC validation failure.
            let (cause, chain) = self.servfail_cause_shared(&fqdn, types[0]).await;
            failure = cause;
            if failure == DnsFailure::CnameLoop {
                cname_chain = chain;
            }
        }
        // A single-family origin with no address of its family: ask the other family once,
        // to say "only an A record" rather than "no address" (CloudFront does not fall back).
        if failure == DnsFailure::NoAddress && ip_type != IpAddressType::DualStack {
            let other = if ip_type == IpAddressType::Ipv4 {
                RecordType::AAAA
            } else {
                RecordType::A
            };
            if let Ok(lookup) = self.lookup(&fqdn, other).await {
                let found: Vec<IpAddr> = lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        RData::A(a) => Some(IpAddr::V4(a.0)),
                        RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                        _ => None,
                    })
                    .collect();
                if !found.is_empty() {
                    failure = DnsFailure::OtherFamilyOnly(found);
                }
            }
        }
        (
            Resolution::Failed {
                failure,
                cname_chain,
            },
            started.elapsed(),
        )
    }

    /// One lookup through the recursive resolvers, retried with backoff on timeouts only
    /// (negative answers are final). `fqdn` ends with a dot.
    pub async fn lookup(
        &self,
        fqdn: &str,
        record_type: RecordType,
    ) -> Result<hickory_resolver::lookup::Lookup, NetError> {
        let mut backoff = Duration::from_millis(100);
        let mut attempt = 1;
        loop {
            match self.query(fqdn, record_type).await {
                Err(NetError::Timeout) if attempt < self.attempts => {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Why a name got SERVFAIL: a CNAME loop (followed link by link, for every name), a DNSSEC
    /// validation failure ([`Self::dnssec_bogus`]), or neither (the zone's servers). The
    /// first SERVFAIL name under each parent name (the name without its first label) is
    /// asked with the CD bit; its siblings wait for it, and are asked too only if it was
    /// DNSSEC's fault: in a zone whose servers are all down, one CD question serves every
    /// origin in it.
    async fn servfail_cause_shared(
        &self,
        fqdn: &str,
        record_type: RecordType,
    ) -> (DnsFailure, Vec<String>) {
        let parent = display_name(fqdn)
            .split_once('.')
            .map(|(_, parent)| parent.to_string())
            .unwrap_or_default();
        let cell = {
            let mut parents = self
                .servfail_by_parent
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if parents.len() >= MAX_SERVFAIL_PARENTS && !parents.contains_key(&parent) {
                None
            } else {
                Some(parents.entry(parent).or_default().clone())
            }
        };
        let Some(cell) = cell else {
            return self.servfail_cause(fqdn, record_type, true).await.0;
        };
        let mut mine = None;
        let verdict = *cell
            .get_or_init(|| async {
                let (result, verdict) = self.servfail_cause(fqdn, record_type, true).await;
                mine = Some(result);
                verdict
            })
            .await;
        if let Some(result) = mine {
            return result;
        }
        let ask_cd = verdict != SiblingVerdict::NotDnssec;
        self.servfail_cause(fqdn, record_type, ask_cd).await.0
    }

    /// [`Self::servfail_cause_shared`] for one name: follows its CNAMEs, then (`ask_cd`, and
    /// no loop) asks with the CD bit.
    async fn servfail_cause(
        &self,
        fqdn: &str,
        record_type: RecordType,
        ask_cd: bool,
    ) -> ((DnsFailure, Vec<String>), SiblingVerdict) {
        let (chain, end) = self.follow_cnames(fqdn).await;
        if end == CnameEnd::Loop {
            return ((DnsFailure::CnameLoop, chain), SiblingVerdict::Undecided);
        }
        if ask_cd {
            if let Some(bogus) = self.dnssec_bogus(fqdn, record_type).await {
                return (
                    (DnsFailure::DnssecBogus(bogus), chain),
                    SiblingVerdict::Dnssec,
                );
            }
        }
        ((DnsFailure::ServFail, chain), SiblingVerdict::NotDnssec)
    }

    /// After a SERVFAIL: asks the first resolver the same question with the CD (checking
    /// disabled) bit. When that resolves, asks once more without it to read the extended DNS
    /// errors (RFC 8914) of its SERVFAIL. Two queries at most, through the gate; `None` when
    /// the CD question does not resolve either (the zone's servers, not DNSSEC), or when the
    /// second question resolves (the SERVFAIL was passing).
    async fn dnssec_bogus(&self, fqdn: &str, record_type: RecordType) -> Option<DnssecBogus> {
        let resolver = *self.resolver_addresses.first()?;
        let name = Name::from_ascii(fqdn).ok()?;
        let ask = |checking_disabled| {
            let name = &name;
            async move {
                let _pass = self.politeness.admit(self.server_key).await;
                let flags = Flags {
                    recursion_desired: true,
                    checking_disabled,
                };
                dns_exchange::exchange(resolver, name, record_type, flags, self.timeout).await
            }
        };
        let unchecked = ask(true).await.ok()?;
        if unchecked.metadata.response_code != ResponseCode::NoError {
            return None;
        }
        let addresses: Vec<IpAddr> = unchecked
            .answers
            .iter()
            .filter_map(|record| match &record.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                _ => None,
            })
            .collect();
        if addresses.is_empty() {
            return None;
        }
        let extended_errors = match ask(false).await {
            Ok(reply) if reply.metadata.response_code == ResponseCode::ServFail => {
                dns_exchange::extended_errors(&reply)
            }
            Ok(_) => return None,
            Err(_) => Vec::new(),
        };
        Some(DnssecBogus {
            resolver,
            addresses,
            record_type,
            extended_errors,
        })
    }

    /// Follows CNAMEs from `fqdn` (at most [`MAX_CNAME_FOLLOW`] links). Returns the targets and
    /// how the chain ends; a loop's chain ends with the first name met again.
    async fn follow_cnames(&self, fqdn: &str) -> (Vec<String>, CnameEnd) {
        let start = display_name(fqdn);
        let mut chain: Vec<String> = Vec::new();
        let mut current = fqdn.to_string();
        for _ in 0..MAX_CNAME_FOLLOW {
            match self.query(current.as_str(), RecordType::CNAME).await {
                Ok(lookup) => {
                    let next = lookup.answers().iter().find_map(|r| match &r.data {
                        RData::CNAME(cname) => Some(cname.0.to_ascii()),
                        _ => None,
                    });
                    let Some(target) = next else {
                        return (chain, CnameEnd::Exists);
                    };
                    let shown = display_name(&target);
                    let again = shown == start || chain.contains(&shown);
                    chain.push(shown);
                    if again {
                        return (chain, CnameEnd::Loop);
                    }
                    current = target;
                }
                Err(error) => {
                    return match classify(&error) {
                        DnsFailure::NxDomain => (chain, CnameEnd::Missing),
                        DnsFailure::NoAddress => (chain, CnameEnd::Exists),
                        _ => (chain, CnameEnd::Unknown),
                    }
                }
            }
        }
        (chain, CnameEnd::Unknown)
    }
}

/// How a CNAME chain followed link by link ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CnameEnd {
    /// At a name that exists (with or without an address).
    Exists,
    /// At a name that does not exist: a dangling CNAME.
    Missing,
    /// At a name already in the chain: it loops.
    Loop,
    /// It could not be told (an error, or more than [`MAX_CNAME_FOLLOW`] links).
    Unknown,
}

/// CNAME links followed at most when looking for a dangling end or a loop.
pub const MAX_CNAME_FOLLOW: usize = 16;

fn display_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn push_unique(chain: &mut Vec<String>, name: &hickory_proto::rr::Name) {
    let text = display_name(&name.to_ascii());
    if !chain.contains(&text) {
        chain.push(text);
    }
}

/// Maps hickory's error variants to a failure kind.
pub fn classify(error: &NetError) -> DnsFailure {
    if error.is_nx_domain() {
        return DnsFailure::NxDomain;
    }
    match error {
        NetError::Timeout => DnsFailure::Timeout,
        NetError::Dns(DnsError::NoRecordsFound(no_records)) => match no_records.response_code {
            ResponseCode::NoError => DnsFailure::NoAddress,
            ResponseCode::NXDomain => DnsFailure::NxDomain,
            ResponseCode::ServFail => DnsFailure::ServFail,
            ResponseCode::Refused => DnsFailure::Refused,
            other => DnsFailure::Other(format!("response code {other}")),
        },
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => DnsFailure::ServFail,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => DnsFailure::Refused,
        NetError::Dns(DnsError::ResponseCode(code)) => {
            DnsFailure::Other(format!("response code {code}"))
        }
        other => DnsFailure::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_is_listed_once_in_first_seen_order() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let resolved = Resolution::Resolved {
            addresses: vec![a, b, a],
            cname_chain: Vec::new(),
        };
        assert_eq!(resolved.addresses(), vec![a, b]);
        assert_eq!(Resolution::Overridden(vec![b, b]).addresses(), vec![b]);
    }
    use std::num::NonZeroU32;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A resolver that reads queries and never answers: how many datagrams did it get?
    async fn silent_resolver() -> (SocketAddr, Arc<AtomicUsize>) {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while socket.recv_from(&mut buf).await.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        (addr, received)
    }

    /// The answer to `query`: `A 127.0.0.9`, or nothing and the TC bit when `truncate`.
    fn answer(query: &[u8], truncate: bool) -> Option<Vec<u8>> {
        use hickory_proto::op::{Message, OpCode};
        use hickory_proto::rr::{rdata::A, Record};
        let request = Message::from_vec(query).ok()?;
        let question = request.queries.first()?.clone();
        let mut response = Message::response(request.metadata.id, OpCode::Query);
        response.metadata.recursion_desired = true;
        response.metadata.recursion_available = true;
        response.metadata.truncation = truncate;
        if !truncate {
            let address = RData::A(A::new(127, 0, 0, 9));
            response.add_answer(Record::from_rdata(question.name().clone(), 60, address));
        }
        response.add_query(question);
        response.to_vec().ok()
    }

    /// A resolver on one port, UDP and TCP. Over UDP it never answers names starting with
    /// `silent` and answers names starting with `big` truncated; over TCP it answers every
    /// question after `tcp_delay`, a connection's questions one at a time, as hickory-server
    /// does. Returns how many questions came over TCP.
    async fn udp_and_tcp_resolver(tcp_delay: Duration) -> (SocketAddr, Arc<AtomicUsize>) {
        let (udp, tcp) = loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let port = udp.local_addr().unwrap().port();
            if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while let Ok((len, from)) = udp.recv_from(&mut buf).await {
                let Ok(request) = hickory_proto::op::Message::from_vec(&buf[..len]) else {
                    continue;
                };
                let name = request.queries.first().map(|q| q.name().to_ascii());
                let name = name.unwrap_or_default();
                if name.starts_with("silent") {
                    continue;
                }
                if let Some(reply) = answer(&buf[..len], name.starts_with("big")) {
                    let _ = udp.send_to(&reply, from).await;
                }
            }
        });
        let tcp_questions = Arc::new(AtomicUsize::new(0));
        let counter = tcp_questions.clone();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut stream, _)) = tcp.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    while let Ok(len) = stream.read_u16().await {
                        let mut query = vec![0u8; usize::from(len)];
                        if stream.read_exact(&mut query).await.is_err() {
                            return;
                        }
                        counter.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(tcp_delay).await;
                        let Some(reply) = answer(&query, false) else {
                            return;
                        };
                        let mut framed = (reply.len() as u16).to_be_bytes().to_vec();
                        framed.extend(reply);
                        if stream.write_all(&framed).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, tcp_questions)
    }

    fn probe(resolver: SocketAddr, attempts: usize, timeout: Duration) -> DnsProbe {
        let politeness = Arc::new(DnsPoliteness::new(NonZeroU32::new(1000).unwrap(), 32));
        let settings = DnsSettings {
            resolvers: vec![resolver],
            overrides: HashMap::new(),
            timeout,
            attempts,
        };
        DnsProbe::new(&settings, politeness).unwrap()
    }

    /// A validating resolver whose answers for `bogus*` names fail validation: SERVFAIL with
    /// EDE 7, or the address with the CD bit; everything else SERVFAILs either way. Returns
    /// how many questions had the CD bit.
    async fn validating_resolver() -> (SocketAddr, Arc<AtomicUsize>) {
        use hickory_proto::op::{Edns, Message, OpCode};
        use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption, OPT};
        use hickory_proto::rr::{rdata::A, Record};
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let cd_questions = Arc::new(AtomicUsize::new(0));
        let counter = cd_questions.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            while let Ok((len, from)) = socket.recv_from(&mut buf).await {
                let Ok(request) = Message::from_vec(&buf[..len]) else {
                    continue;
                };
                let Some(question) = request.queries.first().cloned() else {
                    continue;
                };
                let cd = request.metadata.checking_disabled;
                if cd {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
                let bogus = question.name().to_ascii().starts_with("bogus");
                let mut response = Message::response(request.metadata.id, OpCode::Query);
                response.metadata.recursion_desired = true;
                response.metadata.recursion_available = true;
                if bogus && cd && question.query_type() == RecordType::A {
                    let address = RData::A(A::new(127, 0, 0, 9));
                    response.add_answer(Record::from_rdata(question.name().clone(), 60, address));
                } else {
                    response.metadata.response_code = ResponseCode::ServFail;
                    if bogus {
                        let mut edns = Edns::new();
                        let mut data = 7u16.to_be_bytes().to_vec();
                        data.extend(b"expired");
                        *edns.options_mut() =
                            OPT::new(vec![(EdnsCode::Unknown(15), EdnsOption::Unknown(15, data))]);
                        response.set_edns(edns);
                    }
                }
                response.add_query(question);
                if let Ok(reply) = response.to_vec() {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        (addr, cd_questions)
    }

    #[tokio::test]
    async fn a_servfail_that_resolves_with_cd_is_bogus_and_siblings_share_the_cd_question() {
        let (resolver, cd_questions) = validating_resolver().await;
        let probe = probe(resolver, 1, Duration::from_millis(500));
        let (bogus, _) = probe
            .resolve(&Host::Name("bogus.signed.test".into()), IpAddressType::Ipv4)
            .await;
        let Resolution::Failed {
            failure: DnsFailure::DnssecBogus(evidence),
            ..
        } = &bogus
        else {
            panic!("{bogus:?}");
        };
        assert_eq!(evidence.addresses, vec![IpAddr::from([127, 0, 0, 9])]);
        assert_eq!(evidence.extended_errors[0].code, 7);
        assert_eq!(evidence.extended_errors[0].text, "expired");
        assert_eq!(cd_questions.load(Ordering::SeqCst), 1);

        // Five names in a zone nobody answers for: SERVFAIL, and one CD question for them all.
        let hosts: Vec<Host> = (0..5)
            .map(|i| Host::Name(format!("o{i}.dead.test")))
            .collect();
        let resolutions = futures::future::join_all(
            hosts
                .iter()
                .map(|host| probe.resolve(host, IpAddressType::Ipv4)),
        )
        .await;
        for (resolution, _) in &resolutions {
            assert!(
                matches!(
                    resolution,
                    Resolution::Failed {
                        failure: DnsFailure::ServFail,
                        ..
                    }
                ),
                "{resolution:?}"
            );
        }
        assert_eq!(
            cd_questions.load(Ordering::SeqCst),
            2,
            "one more CD question"
        );
    }

    #[tokio::test]
    async fn one_datagram_and_one_timeout_per_attempt() {
        let timeout = Duration::from_millis(300);
        for attempts in [1usize, 2] {
            let (resolver, received) = silent_resolver().await;
            let started = Instant::now();
            let (resolution, _) = probe(resolver, attempts, timeout)
                .resolve(&Host::Name("silent.test".into()), IpAddressType::Ipv4)
                .await;
            let elapsed = started.elapsed();
            assert!(
                matches!(
                    resolution,
                    Resolution::Failed {
                        failure: DnsFailure::Timeout,
                        ..
                    }
                ),
                "{resolution:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert_eq!(received.load(Ordering::SeqCst), attempts, "datagrams sent");
            // attempts x timeout, plus the backoff between attempts (100 ms), plus slack.
            let most = timeout * attempts as u32
                + Duration::from_millis(100 * (attempts as u64 - 1) + 250);
            assert!(elapsed < most, "{attempts} attempts took {elapsed:?}");
        }
    }

    #[tokio::test]
    async fn a_silent_name_does_not_move_later_queries_to_tcp() {
        let (resolver, tcp_questions) = udp_and_tcp_resolver(Duration::ZERO).await;
        let probe = probe(resolver, 1, Duration::from_millis(300));
        let resolve = |name: &str| {
            let host = Host::Name(name.to_string());
            let probe = &probe;
            async move { probe.resolve(&host, IpAddressType::Ipv4).await }
        };
        // A truncated answer is asked again over TCP: hickory now holds a TCP "connection".
        let (big, _) = resolve("big.test").await;
        assert!(matches!(big, Resolution::Resolved { .. }), "{big:?}");
        assert_eq!(tcp_questions.load(Ordering::SeqCst), 1);
        let (silent, _) = resolve("silent.test").await;
        assert!(
            matches!(
                silent,
                Resolution::Failed {
                    failure: DnsFailure::Timeout,
                    ..
                }
            ),
            "{silent:?}"
        );
        for i in 0..5 {
            let (ok, _) = resolve(&format!("ok{i}.test")).await;
            assert!(matches!(ok, Resolution::Resolved { .. }), "{ok:?}");
        }
        // Before the lookup deadline moved out of hickory, the timeout marked the UDP
        // connection failed and these five went over TCP.
        assert_eq!(
            tcp_questions.load(Ordering::SeqCst),
            1,
            "questions over TCP"
        );
    }

    #[tokio::test]
    async fn truncated_answers_do_not_queue_on_one_tcp_connection() {
        // Six truncated answers retried over TCP at once, each answered 150 ms after it is
        // read: on one shared connection the sixth would wait 900 ms, past the 400 ms timeout.
        let (resolver, tcp_questions) = udp_and_tcp_resolver(Duration::from_millis(150)).await;
        let probe = probe(resolver, 1, Duration::from_millis(400));
        let hosts: Vec<Host> = (0..6).map(|i| Host::Name(format!("big{i}.test"))).collect();
        let started = Instant::now();
        let resolutions = futures::future::join_all(
            hosts
                .iter()
                .map(|host| probe.resolve(host, IpAddressType::Ipv4)),
        )
        .await;
        for (resolution, _) in &resolutions {
            assert!(
                matches!(resolution, Resolution::Resolved { .. }),
                "{resolution:?} after {:?}",
                started.elapsed()
            );
        }
        assert_eq!(tcp_questions.load(Ordering::SeqCst), 6);
    }
}
