//! The lab's authoritative DNS server (hickory-server) for `lab.test`.
//!
//! A [`RequestHandler`] over an in-memory record map, so that per-name pathologies can be
//! served as a real server would misbehave: no answer at all, SERVFAIL, NXDOMAIN, NODATA.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use hickory_proto::op::{Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use hickory_server::Server;
use tokio::net::UdpSocket;

use super::fleet::DnsBehaviour;
use super::LabError;

const TTL: u32 = 60;

/// The zone's content and per-name behaviour.
#[derive(Debug, Default)]
pub struct ZoneData {
    apex: Option<LowerName>,
    records: HashMap<(LowerName, RecordType), Vec<Record>>,
    names: HashSet<LowerName>,
    silent: HashSet<LowerName>,
    servfail: HashSet<LowerName>,
    soa: Vec<Record>,
}

fn name(text: &str) -> Result<Name, LabError> {
    Name::from_ascii(format!("{}.", text.trim_end_matches('.')))
        .map_err(|e| LabError::Setup(format!("bad lab name {text}: {e}")))
}

impl ZoneData {
    /// An empty zone at `apex`.
    pub fn new(apex: &str) -> Result<ZoneData, LabError> {
        let apex_name = name(apex)?;
        let soa = Record::from_rdata(
            apex_name.clone(),
            TTL,
            RData::SOA(SOA::new(
                name(&format!("ns1.{apex}"))?,
                name(&format!("hostmaster.{apex}"))?,
                1,
                3600,
                600,
                86400,
                TTL,
            )),
        );
        let mut zone = ZoneData {
            apex: Some(LowerName::from(&apex_name)),
            soa: vec![soa.clone()],
            ..ZoneData::default()
        };
        zone.insert(soa);
        Ok(zone)
    }

    fn insert(&mut self, record: Record) {
        let owner = LowerName::from(&record.name);
        self.names.insert(owner.clone());
        self.records
            .entry((owner, record.record_type()))
            .or_default()
            .push(record);
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
                    let rdata = match ip {
                        IpAddr::V4(v4) => RData::A(A(*v4)),
                        IpAddr::V6(v6) => RData::AAAA(AAAA(*v6)),
                    };
                    self.insert(Record::from_rdata(owner.clone(), TTL, rdata));
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

    /// Answers for `qname`/`qtype`, following CNAMEs inside the zone as an authoritative server
    /// does. Returns the response code and the answer records.
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
                    if !self
                        .apex
                        .as_ref()
                        .is_some_and(|apex| apex.zone_of(&current))
                    {
                        break;
                    }
                }
                _ => break,
            }
        }
        (ResponseCode::NoError, answers)
    }
}

/// Answers queries from a [`ZoneData`].
#[derive(Debug)]
pub struct LabDnsHandler {
    zone: ZoneData,
}

fn header_only(request: &Request, code: ResponseCode) -> ResponseInfo {
    let mut metadata = Metadata::new(request.metadata.id, MessageType::Response, OpCode::Query);
    metadata.response_code = code;
    ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    })
}

#[async_trait::async_trait]
impl RequestHandler for LabDnsHandler {
    async fn handle_request<R: ResponseHandler, T: hickory_net::runtime::Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
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
        let in_zone = self
            .zone
            .apex
            .as_ref()
            .is_some_and(|apex| apex.zone_of(&qname));
        if self.zone.silent.contains(&qname) {
            return header_only(request, ResponseCode::NoError); // never answers
        }
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = in_zone;
        metadata.recursion_available = false;
        let (code, answers, authority): (ResponseCode, Vec<&Record>, Vec<&Record>) = if !in_zone {
            (ResponseCode::Refused, vec![], vec![])
        } else if self.zone.servfail.contains(&qname) {
            metadata.authoritative = false;
            (ResponseCode::ServFail, vec![], vec![])
        } else {
            let (code, answers) = self.zone.answer(&qname, qtype);
            let negative = code == ResponseCode::NXDomain
                || answers.last().is_none_or(|r| r.record_type() != qtype);
            let authority = if negative {
                self.zone.soa.iter().collect()
            } else {
                vec![]
            };
            (code, answers, authority)
        };
        metadata.response_code = code;
        let response = builder.build(
            metadata,
            answers,
            authority,
            std::iter::empty(),
            std::iter::empty(),
        );
        response_handle
            .send_response(response)
            .await
            .unwrap_or_else(|_| header_only(request, ResponseCode::ServFail))
    }
}

/// Starts the server on `ip` (UDP, any free port); returns its address.
pub async fn start(
    ip: IpAddr,
    zone: ZoneData,
) -> Result<(SocketAddr, Server<LabDnsHandler>), LabError> {
    let addr = SocketAddr::new(ip, 0);
    let socket = UdpSocket::bind(addr)
        .await
        .map_err(|source| LabError::Bind { addr, source })?;
    let local = socket.local_addr().map_err(LabError::Io)?;
    let mut server = Server::new(LabDnsHandler { zone });
    server.register_socket(socket);
    Ok((local, server))
}
