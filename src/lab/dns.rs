//! The lab's DNS (hickory-server): a resolver-like server that knows every lab name, and the
//! authoritative servers of each lab zone ([`super::fleet::LAB_ZONES`]), each with its own
//! behaviour, all on one port (53 when it may be bound, else one chosen at start), over UDP and
//! (for a truncated answer's retry) TCP, each answer held back by the lab's RTT.
//!
//! - The **resolver** (`127.53.B.1`, the scan's `--resolver`) answers for every lab name as a
//!   recursive resolver with a warm cache would: addresses, CNAME chains, the NS sets and SOAs
//!   of the zones, the addresses of the NS hosts, and negative answers carrying the enclosing
//!   zone's SOA, so that zone-cut discovery works as on the internet. For the names of a
//!   *cold* zone ([`super::fleet::COLD_ZONES`]: all its servers down, nothing cached) it answers
//!   SERVFAIL, as a real resolver with a cold cache does, so only the delegation walk can name
//!   the zone's servers.
//! - Each zone's **authoritative servers** (`127.53.B.x`, `127.54.B.x`) answer for their zone
//!   only: REFUSED outside it, a referral (NS and glue) for a delegated subzone, and otherwise the zone's data
//!   as their [`NsBehaviour`] says (healthy, no AA, another serial, other addresses, REFUSED);
//!   a silent server reads and never answers; a closed one has no socket at all.
//!
//! Per-name pathologies (no answer, SERVFAIL, NXDOMAIN, NODATA) hold on every server. Every
//! server records each query it receives ([`QueryLog`]), for the tests' politeness figures.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::{Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinSet;

use super::fleet::{DnsBehaviour, NsBehaviour, ZonePlan, LAB_SERIAL, OTHER_ADDRESS};
use super::LabError;

const TTL: u32 = 60;

/// One zone's apex data.
#[derive(Debug, Clone)]
struct ZoneInfo {
    apex: LowerName,
    soa: Record,
    ns: Vec<Record>,
}

/// Every lab name and zone, and per-name behaviour.
#[derive(Debug, Default)]
pub struct ZoneData {
    zones: Vec<ZoneInfo>,
    records: HashMap<(LowerName, RecordType), Vec<Record>>,
    names: HashSet<LowerName>,
    silent: HashSet<LowerName>,
    servfail: HashSet<LowerName>,
    /// Zones the resolver has no cache for and cannot reach: it answers SERVFAIL for every
    /// name in them, as a recursive resolver with a cold cache does when all of a zone's
    /// servers are down ([`super::fleet::COLD_ZONES`]).
    cold: Vec<LowerName>,
}

fn name(text: &str) -> Result<Name, LabError> {
    Name::from_ascii(format!("{}.", text.trim_end_matches('.')))
        .map_err(|e| LabError::Setup(format!("bad lab name {text}: {e}")))
}

fn address_rdata(ip: &IpAddr) -> RData {
    match ip {
        IpAddr::V4(v4) => RData::A(A(*v4)),
        IpAddr::V6(v6) => RData::AAAA(AAAA(*v6)),
    }
}

impl ZoneData {
    /// No zones yet.
    pub fn new() -> ZoneData {
        ZoneData::default()
    }

    /// Adds a zone: its SOA (serial `serial`), its NS set, and the addresses of its NS hosts.
    pub fn add_zone(
        &mut self,
        apex: &str,
        serial: u32,
        servers: &[(String, IpAddr)],
    ) -> Result<(), LabError> {
        let apex_name = name(apex)?;
        let soa = Record::from_rdata(
            apex_name.clone(),
            TTL,
            RData::SOA(SOA::new(
                name(&servers.first().map(|(n, _)| n.clone()).unwrap_or_default())
                    .unwrap_or_else(|_| apex_name.clone()),
                name(&format!("hostmaster.{apex}"))?,
                serial,
                3600,
                600,
                86400,
                TTL,
            )),
        );
        let mut ns = Vec::new();
        for (host, ip) in servers {
            let host_name = name(host)?;
            let record =
                Record::from_rdata(apex_name.clone(), TTL, RData::NS(NS(host_name.clone())));
            ns.push(record.clone());
            self.insert(record);
            self.insert(Record::from_rdata(host_name, TTL, address_rdata(ip)));
        }
        self.insert(soa.clone());
        self.zones.push(ZoneInfo {
            apex: LowerName::from(&apex_name),
            soa,
            ns,
        });
        Ok(())
    }

    /// Makes the resolver answer SERVFAIL for every name at or below `apex` (its servers
    /// still answer as their behaviour says).
    pub fn mark_cold(&mut self, apex: &str) -> Result<(), LabError> {
        self.cold.push(LowerName::from(&name(apex)?));
        Ok(())
    }

    /// The A records of `host`, for a referral's glue.
    fn glue(&self, host: &Name) -> Vec<Record> {
        self.records
            .get(&(LowerName::from(host), RecordType::A))
            .cloned()
            .unwrap_or_default()
    }

    fn insert(&mut self, record: Record) {
        let owner = LowerName::from(&record.name);
        self.names.insert(owner.clone());
        self.records
            .entry((owner, record.record_type()))
            .or_default()
            .push(record);
    }

    /// The deepest lab zone holding `qname`.
    fn zone_of(&self, qname: &LowerName) -> Option<&ZoneInfo> {
        self.zones
            .iter()
            .filter(|z| z.apex.zone_of(qname))
            .max_by_key(|z| z.apex.num_labels())
    }

    /// Adds an origin name with its behaviour and addresses.
    pub fn add_origin(
        &mut self,
        host: &str,
        behaviour: DnsBehaviour,
        addresses: &[IpAddr],
    ) -> Result<(), LabError> {
        let owner = name(host)?;
        match behaviour {
            DnsBehaviour::Address => {
                for ip in addresses {
                    self.insert(Record::from_rdata(owner.clone(), TTL, address_rdata(ip)));
                }
            }
            DnsBehaviour::Private => {
                self.insert(Record::from_rdata(
                    owner,
                    TTL,
                    RData::A(A::new(10, 0, 0, 1)),
                ));
            }
            DnsBehaviour::NoAddress => {
                self.insert(Record::from_rdata(
                    owner,
                    TTL,
                    RData::TXT(TXT::new(vec!["no address here".to_string()])),
                ));
            }
            DnsBehaviour::Absent => {}
            DnsBehaviour::Silent => {
                self.silent.insert(LowerName::from(&owner));
            }
            DnsBehaviour::ServFail => {
                self.servfail.insert(LowerName::from(&owner));
            }
            DnsBehaviour::CnameLoop => {
                // host -> host-loop -> host
                let (first, rest) = host.split_once('.').unwrap_or((host, ""));
                let other = name(&format!("{first}-loop.{rest}"))?;
                self.insert(Record::from_rdata(
                    owner.clone(),
                    TTL,
                    RData::CNAME(CNAME(other.clone())),
                ));
                self.insert(Record::from_rdata(other, TTL, RData::CNAME(CNAME(owner))));
            }
            DnsBehaviour::CnameChain { links, dangling } => {
                // host -> c1-host -> ... -> c{links-1}-host -> (end-host with A | absent name)
                let link_name = |k: usize| {
                    let (first, rest) = host.split_once('.').unwrap_or((host, ""));
                    format!("{first}-c{k}.{rest}")
                };
                let end = if dangling {
                    let (first, rest) = host.split_once('.').unwrap_or((host, ""));
                    format!("{first}-missing.{rest}")
                } else {
                    link_name(links)
                };
                let mut from = owner;
                for k in 1..=links {
                    let to = if k == links {
                        end.clone()
                    } else {
                        link_name(k)
                    };
                    let to_name = name(&to)?;
                    self.insert(Record::from_rdata(
                        from,
                        TTL,
                        RData::CNAME(CNAME(to_name.clone())),
                    ));
                    from = to_name;
                }
                if !dangling {
                    self.add_origin(&end, DnsBehaviour::Address, addresses)?;
                }
            }
        }
        Ok(())
    }

    /// Answers for `qname`/`qtype`, following CNAMEs inside the lab's zones as an authoritative
    /// server does. Returns the response code and the answer records.
    fn answer(&self, qname: &LowerName, qtype: RecordType) -> (ResponseCode, Vec<&Record>) {
        let mut answers = Vec::new();
        let mut current = qname.clone();
        for _ in 0..32 {
            if !self.names.contains(&current) {
                return (ResponseCode::NXDomain, answers);
            }
            if let Some(records) = self.records.get(&(current.clone(), qtype)) {
                answers.extend(records.iter());
                return (ResponseCode::NoError, answers);
            }
            match self.records.get(&(current.clone(), RecordType::CNAME)) {
                Some(cnames) if qtype != RecordType::CNAME => {
                    let Some(RData::CNAME(target)) = cnames.first().map(|r| &r.data) else {
                        break;
                    };
                    answers.extend(cnames.iter());
                    current = LowerName::from(&target.0);
                    if self.zone_of(&current).is_none() {
                        break;
                    }
                }
                _ => break,
            }
        }
        (ResponseCode::NoError, answers)
    }
}

/// Every query each lab DNS server received, with its arrival time.
#[derive(Debug, Clone)]
pub struct QueryLog {
    started: Instant,
    seen: Arc<Mutex<HashMap<SocketAddr, Vec<Duration>>>>,
}

/// What one lab DNS server received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerTraffic {
    /// The lab DNS server's address and port.
    pub server: SocketAddr,
    /// Queries it received since the lab started, retries included.
    pub queries: usize,
    /// The most queries received within one second (buckets aligned on the lab's start).
    pub peak_per_second: usize,
}

impl QueryLog {
    fn new() -> QueryLog {
        QueryLog {
            started: Instant::now(),
            seen: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn record(&self, server: SocketAddr) {
        let at = self.started.elapsed();
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(server)
            .or_default()
            .push(at);
    }

    /// Per server: queries received and the peak per one-second bucket, by address.
    pub fn traffic(&self) -> Vec<ServerTraffic> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut traffic: Vec<ServerTraffic> = seen
            .iter()
            .map(|(server, times)| {
                let mut buckets: HashMap<u64, usize> = HashMap::new();
                for t in times {
                    *buckets.entry(t.as_secs()).or_default() += 1;
                }
                ServerTraffic {
                    server: *server,
                    queries: times.len(),
                    peak_per_second: buckets.values().copied().max().unwrap_or(0),
                }
            })
            .collect();
        traffic.sort_by_key(|t| t.server);
        traffic
    }
}

/// What a lab DNS server is.
#[derive(Debug, Clone)]
enum Role {
    /// Knows every lab name.
    Resolver,
    /// Serves `zone` only, answering as `behaviour` says.
    Authoritative {
        zone: LowerName,
        behaviour: NsBehaviour,
    },
}

/// Answers queries for one lab DNS server.
#[derive(Debug)]
pub struct LabDnsHandler {
    data: Arc<ZoneData>,
    role: Role,
    address: SocketAddr,
    log: QueryLog,
    /// Held back before each answer.
    rtt: Duration,
}

fn header_only(request: &Request, code: ResponseCode) -> ResponseInfo {
    let mut metadata = Metadata::new(request.metadata.id, MessageType::Response, OpCode::Query);
    metadata.response_code = code;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}

/// Rewrites a record as a misbehaving server serves it.
fn rewrite(record: &Record, behaviour: NsBehaviour) -> Record {
    match (&record.data, behaviour) {
        (RData::SOA(soa), NsBehaviour::Serial(serial)) => Record::from_rdata(
            record.name.clone(),
            record.ttl,
            RData::SOA(SOA::new(
                soa.mname.clone(),
                soa.rname.clone(),
                serial,
                soa.refresh,
                soa.retry,
                soa.expire,
                soa.minimum,
            )),
        ),
        (RData::A(_), NsBehaviour::OtherAddress) => {
            Record::from_rdata(record.name.clone(), record.ttl, RData::A(A(OTHER_ADDRESS)))
        }
        _ => record.clone(),
    }
}

impl LabDnsHandler {
    /// The response (code, AA, answers, authority) for one question.
    fn respond(&self, qname: &LowerName, qtype: RecordType) -> Reply {
        let enclosing = self.data.zone_of(qname);
        let behaviour = match &self.role {
            Role::Resolver => NsBehaviour::Healthy,
            Role::Authoritative { behaviour, .. } => *behaviour,
        };
        let refused = Reply::code(ResponseCode::Refused);
        let Some(enclosing) = enclosing else {
            return refused;
        };
        match &self.role {
            Role::Authoritative { zone, .. } => {
                if behaviour == NsBehaviour::Refused || !zone.zone_of(qname) {
                    return refused;
                }
                if enclosing.apex != *zone {
                    // A delegated subzone: refer to its servers, with their addresses (glue).
                    let glue = enclosing
                        .ns
                        .iter()
                        .filter_map(|r| match &r.data {
                            RData::NS(ns) => Some(self.data.glue(&ns.0)),
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    return Reply {
                        code: ResponseCode::NoError,
                        authoritative: false,
                        answers: vec![],
                        authority: enclosing.ns.clone(),
                        additional: glue,
                    };
                }
            }
            Role::Resolver => {
                if self.data.cold.iter().any(|apex| apex.zone_of(qname)) {
                    return Reply::code(ResponseCode::ServFail);
                }
            }
        }
        if self.data.servfail.contains(qname) {
            return Reply::code(ResponseCode::ServFail);
        }
        let (code, answers) = self.data.answer(qname, qtype);
        let negative = code == ResponseCode::NXDomain
            || answers.last().is_none_or(|r| r.record_type() != qtype);
        let answers: Vec<Record> = answers.into_iter().map(|r| rewrite(r, behaviour)).collect();
        let authority = if negative {
            vec![rewrite(&enclosing.soa, behaviour)]
        } else {
            vec![]
        };
        Reply {
            code,
            authoritative: behaviour != NsBehaviour::NoAuthority,
            answers,
            authority,
            additional: vec![],
        }
    }
}

/// One lab DNS server's reply to a question.
struct Reply {
    code: ResponseCode,
    authoritative: bool,
    answers: Vec<Record>,
    authority: Vec<Record>,
    additional: Vec<Record>,
}

impl Reply {
    /// A reply with no records.
    fn code(code: ResponseCode) -> Reply {
        Reply {
            code,
            authoritative: false,
            answers: vec![],
            authority: vec![],
            additional: vec![],
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for LabDnsHandler {
    async fn handle_request<R: ResponseHandler, T: hickory_net::runtime::Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        self.log.record(self.address);
        let builder = MessageResponseBuilder::from_message_request(request);
        let Ok(info) = request.request_info() else {
            let response = builder.error_msg(&request.metadata, ResponseCode::FormErr);
            return response_handle
                .send_response(response)
                .await
                .unwrap_or_else(|_| header_only(request, ResponseCode::FormErr));
        };
        let qname = info.query.name().clone();
        let qtype = info.query.query_type();
        if self.data.silent.contains(&qname) {
            return header_only(request, ResponseCode::NoError); // never answers
        }
        if !self.rtt.is_zero() {
            tokio::time::sleep(self.rtt).await;
        }
        let reply = self.respond(&qname, qtype);
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = reply.authoritative;
        metadata.recursion_available = matches!(self.role, Role::Resolver);
        metadata.response_code = reply.code;
        let response = builder.build(
            metadata,
            reply.answers.iter(),
            reply.authority.iter(),
            std::iter::empty(),
            reply.additional.iter(),
        );
        response_handle
            .send_response(response)
            .await
            .unwrap_or_else(|_| header_only(request, ResponseCode::ServFail))
    }
}

/// The lab's DNS servers, running until dropped.
pub struct LabDns {
    /// The resolver's address (for `--resolver`).
    pub resolver: SocketAddr,
    /// The port every lab DNS server listens on (for `--dns-port`).
    pub port: u16,
    /// What each server received.
    pub log: QueryLog,
    _servers: Vec<Server<LabDnsHandler>>,
    _silent: JoinSet<()>,
}

impl std::fmt::Debug for LabDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabDns")
            .field("resolver", &self.resolver)
            .field("servers", &self._servers.len())
            .finish_non_exhaustive()
    }
}

/// The address of a lab DNS server: `127.NETWORK.BLOCK.HOST`.
pub fn server_ip(network: u8, block: u8, host: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, network, block, host))
}

/// The NS host name and address of each server of `zone`.
pub fn zone_servers(zone: &ZonePlan, block: u8) -> Vec<(String, IpAddr)> {
    zone.servers
        .iter()
        .map(|(host, network, octet, _)| (host.clone(), server_ip(*network, block, *octet)))
        .collect()
}

/// The sockets of one lab DNS server: UDP, and TCP for the servers that take truncated
/// answers' retries (every server but the hostile and silent ones).
struct Bound {
    udp: UdpSocket,
    tcp: Option<TcpListener>,
}

/// Binds every lab DNS server on one port: `port` if given, else 53 when this process may bind
/// it (as on the internet, so the scan needs no `--dns-port`), else a free port chosen on the
/// resolver's address and then bound on every other address (retried if one is taken there).
/// `servers` pairs each address with whether it serves TCP too.
async fn bind_all(servers: &[(IpAddr, bool)], port: Option<u16>) -> Result<Vec<Bound>, LabError> {
    if let Some(port) = port {
        return bind_on(servers, port).await;
    }
    if let Ok(bound) = bind_on(servers, 53).await {
        return Ok(bound);
    }
    let first = servers
        .first()
        .map(|(ip, _)| *ip)
        .ok_or_else(|| LabError::Setup("no DNS server to bind".into()))?;
    let mut last_error = None;
    for _ in 0..16 {
        let addr = SocketAddr::new(first, 0);
        let free = UdpSocket::bind(addr)
            .await
            .map_err(|source| LabError::Bind { addr, source })?
            .local_addr()?
            .port();
        match bind_on(servers, free).await {
            Ok(bound) => return Ok(bound),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| LabError::Setup("no common DNS port".into())))
}

/// Binds `port` on every server's address, or fails with the first error.
async fn bind_on(servers: &[(IpAddr, bool)], port: u16) -> Result<Vec<Bound>, LabError> {
    let mut bound = Vec::with_capacity(servers.len());
    for (ip, tcp) in servers {
        let addr = SocketAddr::new(*ip, port);
        let error = |source| LabError::Bind { addr, source };
        let udp = UdpSocket::bind(addr).await.map_err(error)?;
        let tcp = match tcp {
            true => Some(TcpListener::bind(addr).await.map_err(error)?),
            false => None,
        };
        bound.push(Bound { udp, tcp });
    }
    Ok(bound)
}

/// How long a lab DNS server waits for a TCP client's query.
const TCP_TIMEOUT: Duration = Duration::from_secs(5);

/// Registers `bound`'s sockets with `server`.
fn serve_on(server: &mut Server<LabDnsHandler>, bound: Bound) {
    server.register_socket(bound.udp);
    if let Some(tcp) = bound.tcp {
        server.register_listener(tcp, TCP_TIMEOUT, 4096);
    }
}

/// How the lab's DNS servers listen and answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct DnsOptions {
    /// The port of every server (`None`: 53 if possible, else a free one).
    pub port: Option<u16>,
    /// How long each answer is held back (the lab's `--rtt`).
    pub rtt: Duration,
}

/// Starts the resolver on `127.53.B.1` and every zone's servers, all on one port.
pub async fn start(
    block: u8,
    data: ZoneData,
    zones: &[ZonePlan],
    options: DnsOptions,
) -> Result<LabDns, LabError> {
    let data = Arc::new(data);
    let log = QueryLog::new();
    let rtt = options.rtt;
    let resolver_ip = server_ip(super::fleet::DNS_NETWORKS[0], block, 1);
    let mut listening = Vec::new(); // (ip, role)
    for zone in zones {
        let apex = LowerName::from(&name(&zone.apex)?);
        for ((_, _, _, behaviour), (_, ip)) in zone.servers.iter().zip(zone_servers(zone, block)) {
            if *behaviour != NsBehaviour::Closed {
                listening.push((ip, apex.clone(), *behaviour));
            }
        }
    }
    let hostile = |behaviour: &NsBehaviour| {
        matches!(
            behaviour,
            NsBehaviour::Silent | NsBehaviour::Garbage | NsBehaviour::Truncated
        )
    };
    let servers: Vec<(IpAddr, bool)> = std::iter::once((resolver_ip, true))
        .chain(listening.iter().map(|(ip, _, b)| (*ip, !hostile(b))))
        .collect();
    let mut bound = bind_all(&servers, options.port).await?.into_iter();
    let resolver_socket = bound
        .next()
        .ok_or_else(|| LabError::Setup("the resolver's socket is missing".into()))?;
    let sockets: Vec<Bound> = bound.collect();
    let port = resolver_socket.udp.local_addr()?.port();
    let resolver = SocketAddr::new(resolver_ip, port);

    let mut servers = Vec::new();
    let mut server = Server::new(LabDnsHandler {
        data: data.clone(),
        role: Role::Resolver,
        address: resolver,
        log: log.clone(),
        rtt,
    });
    serve_on(&mut server, resolver_socket);
    servers.push(server);
    let mut silent = JoinSet::new();
    for ((ip, zone, behaviour), bound) in listening.into_iter().zip(sockets) {
        let address = SocketAddr::new(ip, port);
        if hostile(&behaviour) {
            let socket = bound.udp;
            let log = log.clone();
            silent.spawn(async move {
                let mut buffer = [0u8; 4096];
                while let Ok((len, from)) = socket.recv_from(&mut buffer).await {
                    log.record(address);
                    if len < 12 {
                        continue;
                    }
                    let reply: Vec<u8> = match behaviour {
                        // The query's id, then bytes that parse as no DNS message.
                        NsBehaviour::Garbage => {
                            let mut reply =
                                vec![buffer[0], buffer[1], 0x81, 0x80, 0xff, 0xff, 0xff, 0xff];
                            reply.extend((0u8..64).map(|i| i.wrapping_mul(37)));
                            reply
                        }
                        // The query echoed as a response with TC set and nothing in it.
                        NsBehaviour::Truncated => {
                            let mut reply = buffer[..len].to_vec();
                            reply[2] |= 0x82; // QR, TC
                            reply[3] = 0;
                            reply
                        }
                        _ => continue,
                    };
                    tokio::time::sleep(rtt).await;
                    let _ = socket.send_to(&reply, from).await;
                }
            });
            continue;
        }
        let mut server = Server::new(LabDnsHandler {
            data: data.clone(),
            role: Role::Authoritative { zone, behaviour },
            address,
            log: log.clone(),
            rtt,
        });
        serve_on(&mut server, bound);
        servers.push(server);
    }
    Ok(LabDns {
        resolver,
        port,
        log,
        _servers: servers,
        _silent: silent,
    })
}

/// Builds the lab's zone data for `zones` in `block` (origins are added afterwards).
pub fn lab_zones(zones: &[ZonePlan], block: u8) -> Result<ZoneData, LabError> {
    let mut data = ZoneData::new();
    for zone in zones {
        data.add_zone(&zone.apex, LAB_SERIAL, &zone_servers(zone, block))?;
        if super::fleet::COLD_ZONES.contains(&zone.apex.as_str()) {
            data.mark_cold(&zone.apex)?;
        }
    }
    Ok(data)
}
