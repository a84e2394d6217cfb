//! Zone health at fleet scale: for each zone, once per scan, every authoritative server is asked
//! directly, with recursion off.
//!
//! This is AWS's own procedure for a DNS 502 (find the apex's name servers, ask each of them for
//! the origin name), amortised over the fleet:
//!
//! 1. **Zone cut**, through the configured (recursive) resolvers: a name that is its own
//!    registrable domain (`psl::domain_str`) is the apex candidate; otherwise SOA is asked for
//!    the name's *parent*, and the apex is the SOA owner, from the answer or from the authority
//!    section of a negative answer. One question per parent name per scan: siblings share it.
//! 2. **Per zone, once per scan**: the apex's NS set, each NS host's IPv4 addresses (A, through
//!    the resolvers, so glue-less servers resolve too), then every address is asked directly,
//!    recursion off, on `--dns-port` (53), for the zone's SOA and for the A record of the
//!    *representative*: the first origin name seen in that zone. Zone-wide findings apply to
//!    every origin in the zone: a fleet of 10,000 origins in 20 zones costs 20 rounds of
//!    questions to the authoritative servers, not 10,000.
//!
//! Concurrent askers of the same question wait for the one query in flight (a shared future per
//! key); the work runs in its own task, so an origin that gives up (its deadline) does not
//! cancel it for the others. Every query passes the scan's [`super::dns_politeness::DnsPoliteness`]; every wait is bounded
//! (`--dns-timeout` × `--dns-attempts` per query, [`ZoneHealthCache::zone_budget`] per zone).
//! Authoritative servers whose addresses the scan's scope forbids are not asked.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use futures::StreamExt;
use hickory_net::client::Client;
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::udp::UdpClientStream;
use hickory_net::xfer::DnsHandle;
use hickory_net::{DnsError, NetError};
use hickory_proto::op::{DnsRequestOptions, DnsResponse, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use super::dns::DnsProbe;
use crate::probe::scope::AddressScope;

/// NS hosts asked per zone, at most.
pub const MAX_NS_HOSTS: usize = 13;
/// Addresses asked per NS host, at most.
pub const MAX_ADDRESSES_PER_NS: usize = 4;

/// How the authoritative servers are asked.
#[derive(Debug, Clone, Copy)]
pub struct AuthoritySettings {
    /// The port authoritative servers listen on (`--dns-port`, 53).
    pub port: u16,
    /// Timeout of one query (`--dns-timeout`).
    pub timeout: Duration,
    /// Attempts per query (`--dns-attempts`), retried on timeouts.
    pub attempts: usize,
    /// How long one query may wait for its turn at a busy server (the origins in flight over
    /// `--resolver-rate`).
    pub queue_wait: Duration,
}

/// Why a zone's health could not be examined (no findings are made then).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    /// The name is a public suffix or has a single label.
    #[error("{name} has no registrable domain")]
    NoRegistrableDomain {
        /// The origin name, lower-case, without the final dot.
        name: String,
    },
    /// The SOA question for the parent failed.
    #[error("the zone holding {name} could not be found: {reason}")]
    ZoneCut {
        /// The name asked about (the origin's parent).
        name: String,
        /// Why, in words: the SOA lookup's failure (e.g. `NxDomain`), `timed out`, `no SOA in
        /// the reply`, or an SOA owner above the registrable domain.
        reason: String,
    },
    /// The NS set of the apex could not be read.
    #[error("the NS set of {zone} could not be read: {reason}")]
    NsLookup {
        /// The zone's apex, lower-case, without the final dot.
        zone: String,
        /// The NS lookup's failure (e.g. `ServFail`), or `no NS records at the apex`.
        reason: String,
    },
    /// The resolvers could not give the zone, and the delegation walk could not either.
    #[error("the delegation of {name} could not be walked: {reason}")]
    Walk {
        /// The name whose zone the resolvers could not give.
        name: String,
        /// Why, in words (no parent zone found, no parent server answered, ...).
        reason: String,
    },
    /// The zone's questions did not finish in time.
    #[error("the checks of zone {zone} did not finish within {seconds} s")]
    TimedOut {
        /// The zone's apex, lower-case, without the final dot.
        zone: String,
        /// The zone's budget ([`ZoneHealthCache::zone_budget`]), in whole seconds.
        seconds: u64,
    },
    /// The task examining the zone failed.
    #[error("the checks of zone {zone} failed internally")]
    Internal {
        /// The zone's apex, lower-case, without the final dot.
        zone: String,
    },
}

impl ZoneError {
    /// Whether the name has no registrable domain.
    pub fn is_no_registrable_domain(&self) -> bool {
        matches!(self, ZoneError::NoRegistrableDomain { .. })
    }

    /// Whether the zone cut could not be found.
    pub fn is_zone_cut(&self) -> bool {
        matches!(self, ZoneError::ZoneCut { .. })
    }

    /// Whether the NS set could not be read.
    pub fn is_ns_lookup(&self) -> bool {
        matches!(self, ZoneError::NsLookup { .. })
    }

    /// Whether the zone's checks ran out of time.
    pub fn is_timed_out(&self) -> bool {
        matches!(self, ZoneError::TimedOut { .. })
    }

    /// Whether the delegation walk (run when the resolvers failed) found nothing either.
    pub fn is_walk(&self) -> bool {
        matches!(self, ZoneError::Walk { .. })
    }

    /// Whether the resolvers failed (SERVFAIL, a timeout, REFUSED) for the zone's SOA or NS
    /// set: the case the delegation walk is for.
    fn resolvers_failed(&self) -> Option<&str> {
        match self {
            ZoneError::ZoneCut { reason, .. } | ZoneError::NsLookup { reason, .. }
                if RESOLVER_FAILURES.contains(&reason.as_str()) =>
            {
                Some(reason)
            }
            _ => None,
        }
    }
}

/// Why a direct question to an authoritative server got no usable reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectQueryError {
    /// No reply within the timeout, on every attempt.
    #[error("no reply within {timeout_ms} ms ({})", crate::report::counted(*.attempts, "attempt"))]
    Timeout {
        /// Attempts made: all of `--dns-attempts` (at least 1).
        attempts: usize,
        /// The limit on each attempt (`--dns-timeout`), in milliseconds.
        timeout_ms: u64,
    },
    /// The network said no (ICMP port unreachable: nothing listens).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The reply was not a DNS message (or not a reply to the question).
    #[error("not a valid DNS reply: {0}")]
    Garbage(String),
    /// The UDP reply was truncated (TC) and carried no answer; there is no answer without TCP.
    #[error("truncated reply (TC bit) with no answer")]
    Truncated,
    /// The NS host's name has no address (so there was nobody to ask).
    #[error("the name server's name does not resolve: {0}")]
    NoAddress(String),
    /// The address is outside the scan's scope: not asked.
    #[error("outside the scan's address scope (not asked)")]
    OutOfScope,
    /// The NS host has no IPv4 address (IPv6 only): not asked (the scan asks over IPv4).
    #[error("no IPv4 address (not asked)")]
    NoIpv4,
    /// Any other failure, as text (a representative that is not a valid DNS name, too).
    #[error("query failed: {0}")]
    Other(String),
}

impl DirectQueryError {
    /// Whether every attempt timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, DirectQueryError::Timeout { .. })
    }

    /// Whether the network reported the server unreachable.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, DirectQueryError::Unreachable(_))
    }

    /// Whether the reply was not a DNS message, or not a reply to the question.
    pub fn is_garbage(&self) -> bool {
        matches!(self, DirectQueryError::Garbage(_))
    }

    /// Whether the UDP reply was truncated (TC) with no answer; TCP is not tried.
    pub fn is_truncated(&self) -> bool {
        matches!(self, DirectQueryError::Truncated)
    }

    /// Whether the NS host had no address.
    pub fn is_no_address(&self) -> bool {
        matches!(self, DirectQueryError::NoAddress(_))
    }

    /// Whether the server was not asked because the scope forbids its address.
    pub fn is_out_of_scope(&self) -> bool {
        matches!(self, DirectQueryError::OutOfScope)
    }

    /// Whether the NS host has no IPv4 address.
    pub fn is_no_ipv4(&self) -> bool {
        matches!(self, DirectQueryError::NoIpv4)
    }

    /// Whether the server was deliberately not asked (outside the scope, or IPv6 only): such a
    /// server is listed, not judged.
    pub fn is_not_asked(&self) -> bool {
        self.is_out_of_scope() || self.is_no_ipv4()
    }
}

/// A reply from an authoritative server, as far as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectAnswer {
    /// The response code as sent (NOERROR, NXDOMAIN, REFUSED, ...).
    pub rcode: ResponseCode,
    /// The header's AA bit: whether the server answered as authoritative for the name.
    pub authoritative: bool,
    /// The zone's SOA serial, when the reply carries the SOA (answer or authority).
    pub serial: Option<u32>,
    /// A and AAAA addresses in the answer, sorted.
    pub addresses: Vec<IpAddr>,
    /// CNAME targets in the answer, in order.
    pub cnames: Vec<String>,
    /// A referral: no answer, no AA, NS records in the authority section.
    pub referral: bool,
}

/// What one question to one server gave.
pub type DirectResult = Result<DirectAnswer, DirectQueryError>;

/// One authoritative server (one address of one NS host) and its replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHealth {
    /// The NS host's name, lower-case, without the final dot.
    pub ns: String,
    /// The address asked (none when the NS name does not resolve).
    pub address: Option<IpAddr>,
    /// The reply to SOA for the apex.
    pub soa: DirectResult,
    /// The reply to A for the representative name.
    pub representative: DirectResult,
}

/// A zone's authoritative servers and what each said, shared by every origin in the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneHealth {
    /// The apex, lower case, without the final dot.
    pub zone: String,
    /// The origin name whose A record every server was asked for.
    pub representative: String,
    /// The NS set, sorted (at most [`MAX_NS_HOSTS`]).
    pub ns_names: Vec<String>,
    /// Every server asked, sorted by NS name and address.
    pub servers: Vec<ServerHealth>,
    /// The port every server was asked on: `--dns-port` (53 by default).
    pub port: u16,
    /// When the resolvers could not give the zone's cut or NS set: how the delegation walk
    /// found its servers (`None` when the resolvers gave them).
    pub delegation: Option<Delegation>,
}

/// How the delegation walk found a zone's servers without the zone's help: the parent zone's
/// servers (found through the resolvers) asked directly, recursion off, for the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// Why the walk ran: what the resolvers did for the zone's SOA or NS set (`answered
    /// SERVFAIL`, `answered REFUSED`, `gave no answer in time`).
    pub because: String,
    /// The parent zone (its SOA and NS set came through the resolvers).
    pub parent: String,
    /// The parent's servers asked, in order, each as `ns (address)` with what it answered; the
    /// last one gave the referral (or answered for the name itself).
    pub parent_servers: Vec<String>,
    /// The referral's NS records, sorted (empty when the parent answered for the name itself:
    /// no zone cut below it, and the parent's own servers were judged).
    pub referral_ns: Vec<String>,
    /// The glue in the referral, as `ns (address)`.
    pub glue: Vec<String>,
}

/// The reasons (as [`reason`] words them) that mean the resolvers failed rather than answered.
const RESOLVER_FAILURES: [&str; 4] = ["ServFail", "Timeout", "Refused", "timed out"];

/// Ancestors asked for their SOA, at most, when looking for the parent zone.
pub const MAX_WALK_LEVELS: usize = 4;
/// Parent servers asked for the referral, at most (one after the other, until one answers).
pub const MAX_PARENT_SERVERS_ASKED: usize = 3;

type SharedResult<T> = Shared<BoxFuture<'static, Result<T, ZoneError>>>;

/// Zone cuts and zone health, each computed once per scan and shared by every origin.
pub struct ZoneHealthCache {
    dns: Arc<DnsProbe>,
    scope: AddressScope,
    settings: AuthoritySettings,
    cuts: Mutex<HashMap<String, SharedResult<String>>>,
    zones: Mutex<HashMap<String, SharedResult<Arc<ZoneHealth>>>>,
    /// Delegation walks, by the name whose zone cut the resolvers could not give.
    walks: Mutex<HashMap<String, SharedResult<Arc<ZoneHealth>>>>,
}

impl std::fmt::Debug for ZoneHealthCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneHealthCache")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// `name` in lower case without the final dot.
fn plain(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `name` is `zone` or below it.
pub fn is_at_or_below(name: &str, zone: &str) -> bool {
    name == zone || name.ends_with(&format!(".{zone}"))
}

fn fqdn(name: &str) -> String {
    format!("{name}.")
}

fn reason(error: &NetError) -> String {
    match super::dns::classify(error) {
        super::dns::DnsFailure::Other(text) => text,
        other => format!("{other:?}"),
    }
}

impl ZoneHealthCache {
    /// A cache asking through `dns` (recursive questions) and directly (authoritative ones).
    pub fn new(
        dns: Arc<DnsProbe>,
        scope: AddressScope,
        settings: AuthoritySettings,
    ) -> ZoneHealthCache {
        ZoneHealthCache {
            dns,
            scope,
            settings,
            cuts: Mutex::new(HashMap::new()),
            zones: Mutex::new(HashMap::new()),
            walks: Mutex::new(HashMap::new()),
        }
    }

    /// The longest one query may take: every attempt, the backoff between them, and slack.
    pub fn query_budget(&self) -> Duration {
        let attempts = self.settings.attempts.max(1) as u32;
        self.settings.timeout * attempts
            + Duration::from_millis(100) * (2u32.pow(attempts) - 1)
            + Duration::from_millis(250)
    }

    /// The longest a zone's questions may take: the zone cut, the NS set, the NS addresses and
    /// the direct questions, one after the other, each within [`Self::query_budget`] after
    /// waiting its turn at the server ([`AuthoritySettings::queue_wait`]).
    pub fn zone_budget(&self) -> Duration {
        (self.query_budget() + self.settings.queue_wait) * 4 + Duration::from_secs(1)
    }

    /// The longest [`Self::health`] may take: the zone cut, then the zone's questions (or the
    /// delegation walk, within the same budget).
    pub fn health_budget(&self) -> Duration {
        self.query_budget() + self.settings.queue_wait + self.zone_budget()
    }

    /// The health of the zone holding `name` (an origin name), computed on the first call for
    /// that zone (with `name` as the representative) and shared afterwards.
    pub async fn health(self: &Arc<Self>, name: &str) -> Result<Arc<ZoneHealth>, ZoneError> {
        let name = plain(name);
        let registrable = psl::domain_str(&name)
            .map(str::to_string)
            .ok_or_else(|| ZoneError::NoRegistrableDomain { name: name.clone() })?;
        let apex = if registrable == name {
            name.clone()
        } else {
            let parent = name
                .split_once('.')
                .map(|(_, parent)| parent.to_string())
                .unwrap_or_else(|| registrable.clone());
            match self.zone_cut(parent.clone(), registrable).await {
                Ok(apex) => apex,
                Err(error) => match error.resolvers_failed() {
                    // The resolvers cannot say which zone holds the name: walk the delegation
                    // from the parent zone's servers, once for every origin under `parent`.
                    Some(because) => return self.walked(parent, name, because.to_string()).await,
                    None => return Err(error),
                },
            }
        };
        let shared = {
            let mut zones = self.zones.lock().unwrap_or_else(|e| e.into_inner());
            zones
                .entry(apex.clone())
                .or_insert_with(|| {
                    let this = self.clone();
                    let budget = self.zone_budget();
                    let zone = apex.clone();
                    let work = tokio::spawn(async move {
                        match tokio::time::timeout(budget, this.examine(&zone, &name)).await {
                            Ok(result) => result,
                            Err(_) => Err(ZoneError::TimedOut {
                                zone,
                                seconds: budget.as_secs(),
                            }),
                        }
                    });
                    let zone = apex.clone();
                    async move { work.await.unwrap_or(Err(ZoneError::Internal { zone })) }
                        .boxed()
                        .shared()
                })
                .clone()
        };
        shared.await
    }

    /// The delegation walk for the zone holding `start` (whose SOA the resolvers failed to
    /// give), run once per `start` and shared, within [`Self::zone_budget`].
    async fn walked(
        self: &Arc<Self>,
        start: String,
        representative: String,
        because: String,
    ) -> Result<Arc<ZoneHealth>, ZoneError> {
        let shared = {
            let mut walks = self.walks.lock().unwrap_or_else(|e| e.into_inner());
            walks
                .entry(start.clone())
                .or_insert_with(|| {
                    let this = self.clone();
                    let budget = self.zone_budget();
                    let name = start.clone();
                    let work = tokio::spawn(async move {
                        let walk = this.walk(&name, &representative, because);
                        match tokio::time::timeout(budget, walk).await {
                            Ok(result) => result,
                            Err(_) => Err(ZoneError::TimedOut {
                                zone: name,
                                seconds: budget.as_secs(),
                            }),
                        }
                    });
                    let zone = start.clone();
                    async move { work.await.unwrap_or(Err(ZoneError::Internal { zone })) }
                        .boxed()
                        .shared()
                })
                .clone()
        };
        shared.await
    }

    /// Walks the delegation of the zone holding `start` without that zone's help:
    ///
    /// 1. the parent zone: SOA of each ancestor of `start` through the resolvers, nearest
    ///    first, until one answers (at most [`MAX_WALK_LEVELS`]);
    /// 2. the parent's NS set and their addresses, through the resolvers;
    /// 3. the parent's servers, directly and recursion off, one after the other (at most
    ///    [`MAX_PARENT_SERVERS_ASKED`], each within the scope), for A `representative`: the
    ///    referral's NS records and glue name the child zone's servers (an NS name without glue
    ///    is resolved through the resolvers);
    /// 4. each child server, directly, for the child's SOA and A `representative`, as for any
    ///    zone ([`Self::ask_servers`]).
    async fn walk(
        &self,
        start: &str,
        representative: &str,
        because: String,
    ) -> Result<Arc<ZoneHealth>, ZoneError> {
        let because = match because.as_str() {
            "ServFail" => "answered SERVFAIL".to_string(),
            "Refused" => "answered REFUSED".to_string(),
            _ => "gave no answer in time".to_string(),
        };
        let failed = |reason: String| ZoneError::Walk {
            name: start.to_string(),
            reason,
        };
        // 1. The parent zone.
        let mut parent = None;
        let mut ancestor = start;
        for _ in 0..MAX_WALK_LEVELS {
            let Some((_, above)) = ancestor.split_once('.') else {
                break;
            };
            ancestor = above;
            match self.dns.lookup(&fqdn(ancestor), RecordType::SOA).await {
                Ok(lookup) => {
                    parent = lookup
                        .answers()
                        .iter()
                        .filter(|r| matches!(r.data, RData::SOA(_)))
                        .map(|r| plain(&r.name.to_ascii()))
                        .find(|owner| is_at_or_below(ancestor, owner));
                    if parent.is_some() {
                        break;
                    }
                }
                Err(NetError::Dns(DnsError::NoRecordsFound(no_records)))
                    if no_records.soa.is_some() =>
                {
                    parent = no_records
                        .soa
                        .as_ref()
                        .map(|soa| plain(&soa.name.to_ascii()))
                        .filter(|owner| is_at_or_below(ancestor, owner));
                    break;
                }
                Err(error) => {
                    let why = reason(&error);
                    if !RESOLVER_FAILURES.contains(&why.as_str()) {
                        return Err(failed(format!("SOA {ancestor}: {why}")));
                    }
                }
            }
        }
        let parent = parent.ok_or_else(|| failed("no parent zone answered".into()))?;

        // 2. The parent's servers.
        let parent_ns = self.ns_set(&parent).await?;
        let parent_hosts = self.ns_addresses(&parent_ns, &HashMap::new()).await;

        // 3. The referral.
        let question = Name::from_ascii(fqdn(representative))
            .map_err(|e| failed(format!("{representative} is not a DNS name: {e}")))?;
        let mut asked = Vec::new();
        let mut referral = None;
        let mut candidates: Vec<(String, IpAddr)> = Vec::new();
        for (ns, ips) in &parent_hosts {
            if let Ok(ips) = ips {
                candidates.extend(ips.iter().map(|ip| (ns.clone(), *ip)));
            }
        }
        for (ns, ip) in candidates {
            if asked.len() >= MAX_PARENT_SERVERS_ASKED {
                break;
            }
            if !self.scope.permits(ip) {
                continue;
            }
            let server = SocketAddr::new(ip, self.settings.port);
            let reply = self.exchange(server, &question, RecordType::A).await;
            let label = format!("{ns} ({ip})");
            match reply {
                Ok(message) => match read_referral(&message, &parent, representative) {
                    Some(found) => {
                        asked.push(format!("{label}: {}", found.describe()));
                        referral = Some(found);
                        break;
                    }
                    None => asked.push(format!(
                        "{label}: {} without a referral or an answer",
                        crate::check::authority::rcode_name(message.metadata.response_code)
                    )),
                },
                Err(error) => asked.push(format!("{label}: {error}")),
            }
        }
        let Some(referral) = referral else {
            return Err(failed(if asked.is_empty() {
                format!("no server of the parent zone {parent} could be asked (outside the scan's scope, or no address)")
            } else {
                format!(
                    "no server of the parent zone {parent} answered: {}",
                    asked.join("; ")
                )
            }));
        };

        // 4. The child's servers (or the parent's own, when it answered for the name).
        let (zone, ns_names, hosts) = match &referral {
            Referral::Delegated { zone, ns, glue } => {
                let mut ns_names = ns.clone();
                ns_names.truncate(MAX_NS_HOSTS);
                let hosts = self.ns_addresses(&ns_names, glue).await;
                (zone.clone(), ns_names, hosts)
            }
            Referral::Answered => (parent.clone(), parent_ns.clone(), parent_hosts),
        };
        let servers = self.ask_servers(&zone, representative, hosts).await?;
        let (referral_ns, glue) = match referral {
            Referral::Delegated { ns, glue, .. } => {
                let mut shown = Vec::new();
                for (ns, ips) in &glue {
                    shown.extend(ips.iter().map(|ip| format!("{ns} ({ip})")));
                }
                shown.sort();
                (ns, shown)
            }
            Referral::Answered => (Vec::new(), Vec::new()),
        };
        Ok(Arc::new(ZoneHealth {
            zone,
            representative: representative.to_string(),
            ns_names,
            servers,
            port: self.settings.port,
            delegation: Some(Delegation {
                because,
                parent,
                parent_servers: asked,
                referral_ns,
                glue,
            }),
        }))
    }

    /// One question to one server with the scan's attempts, recursion off, through the gate,
    /// the whole reply kept (for a referral's NS records and glue).
    async fn exchange(
        &self,
        server: SocketAddr,
        name: &Name,
        record_type: RecordType,
    ) -> Result<hickory_proto::op::Message, DirectQueryError> {
        let attempts = self.settings.attempts.max(1);
        let mut backoff = Duration::from_millis(100);
        for attempt in 1..=attempts {
            let reply = {
                let _pass = self.dns.politeness().admit(server).await;
                super::dns_exchange::exchange(
                    server,
                    name,
                    record_type,
                    super::dns_exchange::Flags::default(),
                    self.settings.timeout,
                )
                .await
            };
            match reply {
                Ok(message) => return Ok(message),
                Err(super::dns_exchange::ExchangeError::Timeout(_)) if attempt < attempts => {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(super::dns_exchange::ExchangeError::Timeout(_)) => {
                    return Err(DirectQueryError::Timeout {
                        attempts,
                        timeout_ms: self.settings.timeout.as_millis() as u64,
                    })
                }
                Err(super::dns_exchange::ExchangeError::Io(why)) => {
                    return Err(DirectQueryError::Unreachable(why))
                }
                Err(other) => return Err(DirectQueryError::Other(other.to_string())),
            }
        }
        Err(DirectQueryError::Other("no attempt made".into()))
    }

    /// The apex of the zone holding `parent`'s children, asked once per parent.
    async fn zone_cut(
        self: &Arc<Self>,
        parent: String,
        registrable: String,
    ) -> Result<String, ZoneError> {
        let shared = {
            let mut cuts = self.cuts.lock().unwrap_or_else(|e| e.into_inner());
            cuts.entry(parent.clone())
                .or_insert_with(|| {
                    let dns = self.dns.clone();
                    let budget = self.query_budget() + self.settings.queue_wait;
                    let name = parent.clone();
                    let work = tokio::spawn(async move {
                        let asked = name.clone();
                        match tokio::time::timeout(budget, find_zone(&dns, name, registrable)).await
                        {
                            Ok(result) => result,
                            Err(_) => Err(ZoneError::ZoneCut {
                                name: asked,
                                reason: "timed out".into(),
                            }),
                        }
                    });
                    async move {
                        work.await.unwrap_or_else(|_| {
                            Err(ZoneError::ZoneCut {
                                name: parent,
                                reason: "internal error".into(),
                            })
                        })
                    }
                    .boxed()
                    .shared()
                })
                .clone()
        };
        shared.await
    }

    /// The zone's NS set, their addresses, and every address asked directly. When the
    /// resolvers fail for the NS set, the delegation walk finds the servers instead.
    async fn examine(
        &self,
        zone: &str,
        representative: &str,
    ) -> Result<Arc<ZoneHealth>, ZoneError> {
        let ns_names = match self.ns_set(zone).await {
            Ok(names) => names,
            Err(error) => match error.resolvers_failed() {
                Some(because) => return self.walk(zone, representative, because.to_string()).await,
                None => return Err(error),
            },
        };
        let hosts = self.ns_addresses(&ns_names, &HashMap::new()).await;
        let servers = self.ask_servers(zone, representative, hosts).await?;
        Ok(Arc::new(ZoneHealth {
            zone: zone.to_string(),
            representative: representative.to_string(),
            ns_names,
            servers,
            port: self.settings.port,
            delegation: None,
        }))
    }

    /// The zone's NS set through the resolvers: sorted, at most [`MAX_NS_HOSTS`].
    async fn ns_set(&self, zone: &str) -> Result<Vec<String>, ZoneError> {
        let ns_lookup = self
            .dns
            .lookup(&fqdn(zone), RecordType::NS)
            .await
            .map_err(|e| ZoneError::NsLookup {
                zone: zone.to_string(),
                reason: reason(&e),
            })?;
        let mut ns_names: Vec<String> = ns_lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::NS(ns) if plain(&r.name.to_ascii()) == zone => Some(plain(&ns.0.to_ascii())),
                _ => None,
            })
            .collect();
        ns_names.sort();
        ns_names.dedup();
        ns_names.truncate(MAX_NS_HOSTS);
        if ns_names.is_empty() {
            return Err(ZoneError::NsLookup {
                zone: zone.to_string(),
                reason: "no NS records at the apex".into(),
            });
        }
        Ok(ns_names)
    }

    /// Each NS host's IPv4 addresses: the `glue` given for it, else its A records through the
    /// resolvers (so glue-less servers resolve too). A host that exists without any (IPv6
    /// only) is not asked.
    async fn ns_addresses(
        &self,
        ns_names: &[String],
        glue: &HashMap<String, Vec<IpAddr>>,
    ) -> Vec<(String, Result<Vec<IpAddr>, DirectQueryError>)> {
        futures::future::join_all(ns_names.iter().map(|ns| async move {
            if let Some(ips) = glue.get(ns).filter(|ips| !ips.is_empty()) {
                let mut ips = ips.clone();
                ips.truncate(MAX_ADDRESSES_PER_NS);
                return (ns.clone(), Ok(ips));
            }
            let addresses = match self.dns.lookup(&fqdn(ns), RecordType::A).await {
                Ok(lookup) => {
                    let mut ips: Vec<IpAddr> = lookup
                        .answers()
                        .iter()
                        .filter_map(|r| match &r.data {
                            RData::A(a) => Some(IpAddr::V4(a.0)),
                            _ => None,
                        })
                        .collect();
                    ips.sort();
                    ips.dedup();
                    ips.truncate(MAX_ADDRESSES_PER_NS);
                    if ips.is_empty() {
                        Err(DirectQueryError::NoIpv4)
                    } else {
                        Ok(ips)
                    }
                }
                Err(e) => match super::dns::classify(&e) {
                    super::dns::DnsFailure::NoAddress => Err(DirectQueryError::NoIpv4),
                    _ => Err(DirectQueryError::NoAddress(reason(&e))),
                },
            };
            (ns.clone(), addresses)
        }))
        .await
    }

    /// Every address of every NS host asked directly, recursion off: SOA `zone` and A
    /// `representative`. Addresses outside the scope are listed, not asked.
    async fn ask_servers(
        &self,
        zone: &str,
        representative: &str,
        hosts: Vec<(String, Result<Vec<IpAddr>, DirectQueryError>)>,
    ) -> Result<Vec<ServerHealth>, ZoneError> {
        let apex_name = Name::from_ascii(fqdn(zone)).map_err(|e| ZoneError::ZoneCut {
            name: zone.to_string(),
            reason: e.to_string(),
        })?;
        let representative_name = Name::from_ascii(fqdn(representative)).ok();
        let mut asks = Vec::new();
        let mut servers = Vec::new();
        for (ns, addresses) in hosts {
            match addresses {
                Err(why) => servers.push(ServerHealth {
                    ns,
                    address: None,
                    soa: Err(why.clone()),
                    representative: Err(why),
                }),
                Ok(ips) => {
                    for ip in ips {
                        asks.push((ns.clone(), ip));
                    }
                }
            }
        }
        let asked = futures::future::join_all(asks.into_iter().map(|(ns, ip)| {
            let apex_name = apex_name.clone();
            let representative_name = representative_name.clone();
            async move {
                if !self.scope.permits(ip) {
                    return ServerHealth {
                        ns,
                        address: Some(ip),
                        soa: Err(DirectQueryError::OutOfScope),
                        representative: Err(DirectQueryError::OutOfScope),
                    };
                }
                let server = SocketAddr::new(ip, self.settings.port);
                let soa = self.ask(server, apex_name, RecordType::SOA);
                let rep = async {
                    match representative_name {
                        Some(name) => self.ask(server, name, RecordType::A).await,
                        None => Err(DirectQueryError::Other("not a DNS name".into())),
                    }
                };
                let (soa, representative) = tokio::join!(soa, rep);
                ServerHealth {
                    ns,
                    address: Some(ip),
                    soa,
                    representative,
                }
            }
        }))
        .await;
        servers.extend(asked);
        servers.sort_by(|a, b| (&a.ns, a.address).cmp(&(&b.ns, b.address)));
        Ok(servers)
    }

    /// One question to one server, recursion off, retried with backoff on timeouts.
    async fn ask(&self, server: SocketAddr, name: Name, record_type: RecordType) -> DirectResult {
        let attempts = self.settings.attempts.max(1);
        let mut backoff = Duration::from_millis(100);
        for attempt in 1..=attempts {
            let reply = {
                let _pass = self.dns.politeness().admit(server).await;
                let once = query_once(server, name.clone(), record_type, self.settings.timeout);
                // hickory times the query out itself; this bounds the wait regardless.
                tokio::time::timeout(self.settings.timeout + Duration::from_millis(250), once)
                    .await
                    .unwrap_or(Err(NetError::Timeout))
            };
            match reply {
                Ok(response) if response.metadata.truncation && response.answers.is_empty() => {
                    return Err(DirectQueryError::Truncated)
                }
                Ok(response) => return Ok(read_answer(&response, record_type)),
                Err(NetError::Timeout) if attempt < attempts => {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(NetError::Timeout) => {
                    return Err(DirectQueryError::Timeout {
                        attempts,
                        timeout_ms: self.settings.timeout.as_millis() as u64,
                    })
                }
                Err(error) => return Err(classify_direct(&error)),
            }
        }
        Err(DirectQueryError::Other("no attempt made".into()))
    }
}

/// Finds the apex for `parent` from its SOA (answer or negative answer's authority section).
async fn find_zone(
    dns: &DnsProbe,
    parent: String,
    registrable: String,
) -> Result<String, ZoneError> {
    let owner = match dns.lookup(&fqdn(&parent), RecordType::SOA).await {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter(|r| matches!(r.data, RData::SOA(_)))
            .map(|r| plain(&r.name.to_ascii()))
            .find(|owner| is_at_or_below(&parent, owner)),
        Err(NetError::Dns(DnsError::NoRecordsFound(no_records))) => no_records
            .soa
            .as_ref()
            .map(|soa| plain(&soa.name.to_ascii())),
        Err(error) => {
            return Err(ZoneError::ZoneCut {
                name: parent,
                reason: reason(&error),
            })
        }
    };
    match owner {
        Some(owner) if is_at_or_below(&owner, &registrable) && is_at_or_below(&parent, &owner) => {
            Ok(owner)
        }
        Some(owner) => Err(ZoneError::ZoneCut {
            name: parent,
            reason: format!("the SOA owner {owner} is above the registrable domain {registrable}"),
        }),
        None => Err(ZoneError::ZoneCut {
            name: parent,
            reason: "no SOA in the reply".into(),
        }),
    }
}

/// What a parent zone's server said about a name below it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Referral {
    /// A referral to a zone cut below the parent: its NS set and the glue (IPv4) for them.
    Delegated {
        zone: String,
        ns: Vec<String>,
        glue: HashMap<String, Vec<IpAddr>>,
    },
    /// An authoritative answer (or NXDOMAIN/NODATA): no zone cut below the parent on the
    /// way to the name.
    Answered,
}

impl Referral {
    fn describe(&self) -> String {
        match self {
            Referral::Delegated { zone, ns, .. } => {
                format!("referral to {zone} (NS {})", ns.join(" "))
            }
            Referral::Answered => "answered for the name itself (no zone cut below)".into(),
        }
    }
}

/// Reads a parent server's reply about `name`: a referral to a zone between `parent` and
/// `name` (NS records in the authority section), an authoritative reply, or neither (`None`:
/// REFUSED, SERVFAIL, a referral elsewhere, no AA).
fn read_referral(reply: &hickory_proto::op::Message, parent: &str, name: &str) -> Option<Referral> {
    let code = reply.metadata.response_code;
    let delegates = reply.answers.is_empty()
        && reply
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::NS);
    if reply.metadata.authoritative
        && matches!(code, ResponseCode::NoError | ResponseCode::NXDomain)
        && !delegates
    {
        return Some(Referral::Answered);
    }
    if code != ResponseCode::NoError {
        return None;
    }
    let mut zone = None;
    let mut ns = Vec::new();
    for record in &reply.authorities {
        if let RData::NS(target) = &record.data {
            let owner = plain(&record.name.to_ascii());
            let below_parent = owner != parent && is_at_or_below(&owner, parent);
            if !below_parent || !is_at_or_below(name, &owner) {
                continue;
            }
            if zone.get_or_insert_with(|| owner.clone()) == &owner {
                ns.push(plain(&target.0.to_ascii()));
            }
        }
    }
    let zone = zone?;
    ns.sort();
    ns.dedup();
    let mut glue: HashMap<String, Vec<IpAddr>> = HashMap::new();
    for record in &reply.additionals {
        if let RData::A(a) = &record.data {
            let owner = plain(&record.name.to_ascii());
            if ns.contains(&owner) {
                let ips = glue.entry(owner).or_default();
                if !ips.contains(&IpAddr::V4(a.0)) {
                    ips.push(IpAddr::V4(a.0));
                }
            }
        }
    }
    for ips in glue.values_mut() {
        ips.sort();
    }
    Some(Referral::Delegated { zone, ns, glue })
}

/// One UDP query (one datagram) to `server`, recursion off.
async fn query_once(
    server: SocketAddr,
    name: Name,
    record_type: RecordType,
    timeout: Duration,
) -> Result<DnsResponse, NetError> {
    let stream = UdpClientStream::builder(server, TokioRuntimeProvider::default())
        .with_timeout(Some(timeout))
        .with_max_retries(1)
        .build();
    let (client, background) = Client::<TokioRuntimeProvider>::from_sender(stream);
    let background = tokio::spawn(background);
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = false;
    let reply = client
        .lookup(Query::query(name, record_type), options)
        .next()
        .await;
    background.abort();
    // hickory ends the response stream without an item when the query times out.
    reply.unwrap_or(Err(NetError::Timeout))
}

fn read_answer(response: &DnsResponse, record_type: RecordType) -> DirectAnswer {
    let mut addresses = Vec::new();
    let mut cnames = Vec::new();
    let mut serial = None;
    for record in &response.answers {
        match &record.data {
            RData::A(a) => addresses.push(IpAddr::V4(a.0)),
            RData::AAAA(aaaa) => addresses.push(IpAddr::V6(aaaa.0)),
            RData::CNAME(cname) => cnames.push(plain(&cname.0.to_ascii())),
            RData::SOA(soa) if record_type == RecordType::SOA => serial = Some(soa.serial),
            _ => {}
        }
    }
    addresses.sort();
    let authoritative = response.metadata.authoritative;
    let referral = !authoritative
        && response.answers.is_empty()
        && response
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::NS);
    DirectAnswer {
        rcode: response.metadata.response_code,
        authoritative,
        serial,
        addresses,
        cnames,
        referral,
    }
}

fn classify_direct(error: &NetError) -> DirectQueryError {
    match error {
        NetError::Timeout => DirectQueryError::Timeout {
            attempts: 1,
            timeout_ms: 0,
        },
        NetError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            DirectQueryError::Unreachable("port unreachable (nothing listens)".into())
        }
        NetError::Io(io) => DirectQueryError::Unreachable(io.to_string()),
        NetError::Proto(proto) => DirectQueryError::Garbage(proto.to_string()),
        other => DirectQueryError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_below_a_zone() {
        assert!(is_at_or_below("a.lab.test", "lab.test"));
        assert!(is_at_or_below("lab.test", "lab.test"));
        assert!(!is_at_or_below("alab.test", "lab.test"));
        assert!(!is_at_or_below("test", "lab.test"));
    }

    fn record(owner: &str, data: RData) -> hickory_proto::rr::Record {
        hickory_proto::rr::Record::from_rdata(Name::from_ascii(owner).unwrap(), 60, data)
    }

    fn ns_rdata(target: &str) -> RData {
        RData::NS(hickory_proto::rr::rdata::NS(
            Name::from_ascii(target).unwrap(),
        ))
    }

    #[test]
    fn a_referral_gives_the_child_zone_its_ns_set_and_glue() {
        let mut reply = hickory_proto::op::Message::response(1, hickory_proto::op::OpCode::Query);
        reply.add_authority(record("down.walk.test.", ns_rdata("ns2.down.walk.test.")));
        reply.add_authority(record("down.walk.test.", ns_rdata("ns1.down.walk.test.")));
        reply.add_authority(record("down.walk.test.", ns_rdata("ns.elsewhere.test.")));
        let a_record = |ip: [u8; 4]| {
            RData::A(hickory_proto::rr::rdata::A::from(std::net::Ipv4Addr::from(
                ip,
            )))
        };
        reply.add_additional(record("ns1.down.walk.test.", a_record([127, 0, 0, 11])));
        reply.add_additional(record("ns2.down.walk.test.", a_record([127, 0, 0, 12])));
        reply.add_additional(record("unrelated.test.", a_record([127, 0, 0, 13])));
        let referral = read_referral(&reply, "walk.test", "www.down.walk.test").unwrap();
        let Referral::Delegated { zone, ns, glue } = &referral else {
            panic!("{referral:?}");
        };
        assert_eq!(zone, "down.walk.test");
        assert_eq!(
            ns,
            &[
                "ns.elsewhere.test",
                "ns1.down.walk.test",
                "ns2.down.walk.test"
            ]
        );
        assert_eq!(glue.len(), 2, "{glue:?}");
        assert_eq!(
            glue["ns1.down.walk.test"],
            vec![IpAddr::from([127, 0, 0, 11])]
        );
        // A referral to a zone that does not hold the name, or to the parent itself, is not one.
        assert_eq!(
            read_referral(&reply, "walk.test", "www.other.walk.test"),
            None
        );
        assert_eq!(
            read_referral(&reply, "down.walk.test", "www.down.walk.test"),
            None
        );
        // An authoritative answer: no cut below the parent.
        let mut answer = hickory_proto::op::Message::response(2, hickory_proto::op::OpCode::Query);
        answer.metadata.authoritative = true;
        answer.add_answer(record("www.walk.test.", a_record([127, 0, 0, 9])));
        assert_eq!(
            read_referral(&answer, "walk.test", "www.walk.test"),
            Some(Referral::Answered)
        );
        // REFUSED is neither.
        let mut refused = hickory_proto::op::Message::response(3, hickory_proto::op::OpCode::Query);
        refused.metadata.response_code = ResponseCode::Refused;
        assert_eq!(read_referral(&refused, "walk.test", "www.walk.test"), None);
    }

    #[test]
    fn registrable_domains_come_from_the_public_suffix_list() {
        assert_eq!(psl::domain_str("o1.lab.test"), Some("lab.test"));
        assert_eq!(psl::domain_str("www.example.co.uk"), Some("example.co.uk"));
        assert_eq!(psl::domain_str("example.com"), Some("example.com"));
        assert_eq!(psl::domain_str("com"), None);
    }
}
