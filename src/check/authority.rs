//! Findings about the origin zone's authoritative servers (DNS_NS_*), from the zone's health as
//! observed once per scan ([`crate::probe::authority`]).
//!
//! Zone-wide findings apply to every origin in the zone: the evidence names the zone, the
//! representative name every server was asked for, and each server (NS name and address) with
//! what it did. Pure: no sockets.
//!
//! Per server, from its replies to SOA (apex) and A (representative):
//! - **unresponsive**: no reply at all, REFUSED, an error code for the zone's SOA, or no reply to
//!   a question another server did answer (a question no server answers is the name's problem,
//!   reported on the origin itself, e.g. DNS_TIMEOUT);
//! - **lame**: REFUSED, a referral for the zone's own SOA, or a NOERROR/NXDOMAIN reply without
//!   the AA bit (a referral for the representative is a delegation below the zone, not lameness).
//!
//! Servers outside the scan's address scope, and NS hosts without an IPv4 address, were not
//! asked: they are listed, not judged; with none asked, nothing is reported.

use std::collections::BTreeSet;
use std::net::IpAddr;

use hickory_proto::op::ResponseCode;
use serde_json::{json, Value};

use crate::finding::{Code, Finding};
use crate::probe::authority::{DirectAnswer, DirectResult, ServerHealth, ZoneHealth};
use crate::probe::Observation;

/// DNS_NS_* findings for one origin (those of its zone).
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    match &observation.authority {
        Some(Ok(zone)) => judge(zone),
        _ => Vec::new(),
    }
}

fn label(server: &ServerHealth) -> String {
    match server.address {
        Some(ip) => format!("{} ({ip})", server.ns),
        None => format!("{} (no address)", server.ns),
    }
}

/// The response code's mnemonic, as dig prints it.
pub(crate) fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

fn describe_answer(answer: &DirectAnswer) -> String {
    let mut parts = vec![rcode_name(answer.rcode)];
    parts.push(if answer.authoritative { "AA" } else { "no AA" }.to_string());
    if answer.referral {
        parts.push("referral".into());
    }
    if let Some(serial) = answer.serial {
        parts.push(format!("serial {serial}"));
    }
    for cname in &answer.cnames {
        parts.push(format!("CNAME {cname}"));
    }
    if !answer.addresses.is_empty() {
        let ips: Vec<String> = answer.addresses.iter().map(IpAddr::to_string).collect();
        parts.push(ips.join(" "));
    }
    parts.join(", ")
}

fn describe(result: &DirectResult) -> String {
    match result {
        Ok(answer) => describe_answer(answer),
        Err(error) => error.to_string(),
    }
}

fn is_refused(result: &DirectResult) -> bool {
    matches!(result, Ok(a) if a.rcode == ResponseCode::Refused)
}

fn is_data_code(code: ResponseCode) -> bool {
    matches!(code, ResponseCode::NoError | ResponseCode::NXDomain)
}

/// Why this server counts as not answering, if it does.
fn unresponsive(
    server: &ServerHealth,
    zone: &ZoneHealth,
    servers: &[&ServerHealth],
) -> Option<String> {
    let someone_answered =
        |pick: fn(&ServerHealth) -> &DirectResult| servers.iter().any(|s| pick(s).is_ok());
    match (&server.soa, &server.representative) {
        (Err(soa), Err(_)) => Some(soa.to_string()),
        (soa, rep) if is_refused(soa) || is_refused(rep) => Some("answered REFUSED".into()),
        (Ok(soa), _) if !is_data_code(soa.rcode) => Some(format!(
            "answered {} for the SOA of {}",
            rcode_name(soa.rcode),
            zone.zone
        )),
        (Err(soa), _) if someone_answered(|s| &s.soa) => {
            Some(format!("no reply to SOA {}: {soa}", zone.zone))
        }
        (_, Err(rep)) if someone_answered(|s| &s.representative) => {
            Some(format!("no reply to A {}: {rep}", zone.representative))
        }
        _ => None,
    }
}

/// Why this server is lame, if it is.
fn lame(server: &ServerHealth, zone: &ZoneHealth) -> Option<String> {
    if is_refused(&server.soa) || is_refused(&server.representative) {
        return Some(format!("REFUSED the zone {}", zone.zone));
    }
    if let Ok(soa) = &server.soa {
        if soa.referral {
            return Some(format!(
                "answered the SOA of {} with a referral (not authoritative)",
                zone.zone
            ));
        }
        if is_data_code(soa.rcode) && !soa.authoritative {
            return Some(format!(
                "answered the SOA of {} without authority (no AA bit)",
                zone.zone
            ));
        }
    }
    if let Ok(rep) = &server.representative {
        if is_data_code(rep.rcode) && !rep.authoritative && !rep.referral {
            return Some(format!(
                "answered A {} without authority (no AA bit)",
                zone.representative
            ));
        }
    }
    None
}

fn servers_evidence(zone: &ZoneHealth) -> Value {
    Value::Array(
        zone.servers
            .iter()
            .map(|s| {
                json!({
                    "ns": s.ns,
                    "address": s.address.map(|ip| ip.to_string()),
                    "soa": describe(&s.soa),
                    "representative": describe(&s.representative),
                })
            })
            .collect(),
    )
}

fn finding(code: Code, summary: String, zone: &ZoneHealth, detail: &[String]) -> Finding {
    let summary = match &zone.delegation {
        Some(walk) => format!(
            "{summary} (the resolvers {} for the zone; its servers were found by asking the parent zone {}'s servers)",
            walk.because, walk.parent
        ),
        None => summary,
    };
    let finding = Finding::new(code, summary);
    let finding = match &zone.delegation {
        Some(walk) => finding.evidence(
            "delegation_walk",
            json!({
                "resolvers_answered": walk.because,
                "parent_zone": walk.parent,
                "parent_servers_asked": walk.parent_servers,
                "referral_ns": walk.referral_ns,
                "glue": walk.glue,
            }),
        ),
        None => finding,
    };
    finding
        .evidence("zone", zone.zone.as_str())
        .evidence("representative", zone.representative.as_str())
        .evidence("port", zone.port)
        .evidence("servers", servers_evidence(zone))
        .evidence("detail", json!(detail))
        .evidence(
            "shared",
            "asked once per zone per scan; applies to every origin in the zone",
        )
}

/// The /24 of an IPv4 address (its first three octets); `None` for IPv6.
fn slash24(ip: &IpAddr) -> Option<[u8; 3]> {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some([a, b, c])
        }
        IpAddr::V6(_) => None,
    }
}

/// Every DNS_NS_* finding a zone's health gives.
pub(crate) fn judge(zone: &ZoneHealth) -> Vec<Finding> {
    let asked: Vec<&ServerHealth> = zone
        .servers
        .iter()
        .filter(|s| !matches!(&s.soa, Err(e) if e.is_not_asked()))
        .collect();
    if asked.is_empty() {
        return Vec::new();
    }
    let not_asked = zone.servers.len() - asked.len();
    let mut findings = Vec::new();

    let down: Vec<String> = asked
        .iter()
        .filter_map(|s| unresponsive(s, zone, &asked).map(|why| format!("{}: {why}", label(s))))
        .collect();
    if !down.is_empty() {
        if down.len() == asked.len() && not_asked == 0 {
            findings.push(finding(
                Code::DNS_NS_ALL_UNRESPONSIVE,
                format!(
                    "none of the {} name servers of {} answers: {}",
                    asked.len(),
                    zone.zone,
                    down.join("; ")
                ),
                zone,
                &down,
            ));
        } else {
            findings.push(finding(
                Code::DNS_NS_UNRESPONSIVE,
                format!(
                    "{} of {} name servers of {} do not answer: {}",
                    down.len(),
                    asked.len(),
                    zone.zone,
                    down.join("; ")
                ),
                zone,
                &down,
            ));
        }
    }

    let lame: Vec<String> = asked
        .iter()
        .filter_map(|s| lame(s, zone).map(|why| format!("{}: {why}", label(s))))
        .collect();
    if !lame.is_empty() {
        findings.push(finding(
            Code::DNS_NS_LAME,
            format!("lame delegation of {}: {}", zone.zone, lame.join("; ")),
            zone,
            &lame,
        ));
    }

    let mut differences = Vec::new();
    let serials: Vec<(String, u32)> = asked
        .iter()
        .filter_map(|s| match &s.soa {
            Ok(a) if a.authoritative && a.rcode == ResponseCode::NoError => {
                a.serial.map(|serial| (label(s), serial))
            }
            _ => None,
        })
        .collect();
    if serials
        .iter()
        .map(|(_, n)| n)
        .collect::<BTreeSet<_>>()
        .len()
        > 1
    {
        let listed: Vec<String> = serials
            .iter()
            .map(|(l, n)| format!("{l} serial {n}"))
            .collect();
        differences.push(format!("SOA serials differ: {}", listed.join(", ")));
    }
    let answers: Vec<(String, &DirectAnswer)> = asked
        .iter()
        .filter_map(|s| match &s.representative {
            Ok(a) if a.authoritative && is_data_code(a.rcode) && !a.referral => Some((label(s), a)),
            _ => None,
        })
        .collect();
    let distinct: BTreeSet<(u16, &Vec<IpAddr>, &Vec<String>)> = answers
        .iter()
        .map(|(_, a)| (u16::from(a.rcode), &a.addresses, &a.cnames))
        .collect();
    if distinct.len() > 1 {
        let listed: Vec<String> = answers
            .iter()
            .map(|(l, a)| format!("{l} {}", describe_answer(a)))
            .collect();
        differences.push(format!(
            "answers for A {} differ: {}",
            zone.representative,
            listed.join("; ")
        ));
    }
    if !differences.is_empty() {
        findings.push(finding(
            Code::DNS_NS_INCONSISTENT,
            format!(
                "the name servers of {} disagree: {}",
                zone.zone,
                differences.join("; ")
            ),
            zone,
            &differences,
        ));
    }

    // Shared addresses and networks are judged when every NS name resolved (one that does not
    // is reported as not answering).
    let all_resolved = zone.servers.iter().all(|s| s.address.is_some());
    let addresses: BTreeSet<IpAddr> = zone.servers.iter().filter_map(|s| s.address).collect();
    let networks: BTreeSet<Option<[u8; 3]>> = addresses.iter().map(slash24).collect();
    let single = if zone.ns_names.len() == 1 {
        Some(format!(
            "{} has one name server, {}",
            zone.zone, zone.ns_names[0]
        ))
    } else if !all_resolved {
        None
    } else if addresses.len() == 1 {
        Some(format!(
            "the {} name servers of {} share one address",
            zone.ns_names.len(),
            zone.zone
        ))
    } else {
        match networks.iter().next() {
            Some(Some([a, b, c])) if networks.len() == 1 => Some(format!(
                "all {} name servers of {} are in {a}.{b}.{c}.0/24",
                zone.ns_names.len(),
                zone.zone
            )),
            _ => None,
        }
    };
    if let Some(summary) = single {
        let detail = vec![summary.clone()];
        findings.push(finding(Code::DNS_NS_SINGLE, summary, zone, &detail));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::authority::DirectQueryError;

    fn answer(aa: bool, serial: Option<u32>, ips: &[&str]) -> DirectResult {
        Ok(DirectAnswer {
            rcode: ResponseCode::NoError,
            authoritative: aa,
            serial,
            addresses: ips.iter().map(|ip| ip.parse().unwrap()).collect(),
            cnames: vec![],
            referral: false,
        })
    }

    fn code(rcode: ResponseCode) -> DirectResult {
        Ok(DirectAnswer {
            rcode,
            authoritative: false,
            serial: None,
            addresses: vec![],
            cnames: vec![],
            referral: false,
        })
    }

    fn timeout() -> DirectResult {
        Err(DirectQueryError::Timeout {
            attempts: 1,
            timeout_ms: 1000,
        })
    }

    fn healthy(ns: &str, ip: &str) -> ServerHealth {
        ServerHealth {
            ns: ns.into(),
            address: Some(ip.parse().unwrap()),
            soa: answer(true, Some(7), &[]),
            representative: answer(true, None, &["192.0.2.10"]),
        }
    }

    fn zone(servers: Vec<ServerHealth>) -> ZoneHealth {
        let mut ns_names: Vec<String> = servers.iter().map(|s| s.ns.clone()).collect();
        ns_names.sort();
        ns_names.dedup();
        ZoneHealth {
            zone: "example.com".into(),
            representative: "www.example.com".into(),
            ns_names,
            servers,
            port: 53,
            delegation: None,
        }
    }

    fn codes(zone: &ZoneHealth) -> Vec<Code> {
        let mut codes: Vec<Code> = judge(zone).iter().map(|f| f.code).collect();
        codes.sort();
        codes
    }

    #[test]
    fn healthy_zone_in_two_networks_has_no_finding() {
        let z = zone(vec![
            healthy("ns1.example.com", "192.0.2.1"),
            healthy("ns2.example.net", "198.51.100.1"),
        ]);
        assert!(judge(&z).is_empty(), "{:?}", judge(&z));
    }

    #[test]
    fn one_silent_server_is_unresponsive_and_names_it() {
        let mut down = healthy("ns3.example.org", "203.0.113.1");
        down.soa = timeout();
        down.representative = timeout();
        let z = zone(vec![
            healthy("ns1.example.com", "192.0.2.1"),
            healthy("ns2.example.net", "198.51.100.1"),
            down,
        ]);
        let findings = judge(&z);
        assert_eq!(codes(&z), vec![Code::DNS_NS_UNRESPONSIVE]);
        assert!(findings[0]
            .summary
            .contains("ns3.example.org (203.0.113.1)"));
        assert!(findings[0].summary.contains("1 of 3"));
        assert_eq!(findings[0].evidence["servers"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn no_server_answering_is_critical() {
        let mut a = healthy("ns1.example.com", "192.0.2.1");
        a.soa = Err(DirectQueryError::Unreachable("port unreachable".into()));
        a.representative = a.soa.clone();
        let mut b = healthy("ns2.example.net", "198.51.100.1");
        b.soa = timeout();
        b.representative = timeout();
        let z = zone(vec![a, b]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_ALL_UNRESPONSIVE]);
        let f = &judge(&z)[0];
        assert_eq!(f.severity, crate::finding::Severity::Critical);
        assert!(f.summary.contains("ns1.example.com (192.0.2.1)"));
        assert!(f.summary.contains("ns2.example.net (198.51.100.1)"));
    }

    #[test]
    fn servers_found_by_the_delegation_walk_say_so() {
        let mut a = healthy("ns1.down.example.com", "192.0.2.1");
        a.soa = timeout();
        a.representative = timeout();
        let mut b = healthy("ns2.down.example.com", "198.51.100.2");
        b.soa = timeout();
        b.representative = timeout();
        let mut z = zone(vec![a, b]);
        z.delegation = Some(crate::probe::authority::Delegation {
            because: "answered SERVFAIL".into(),
            parent: "example.com".into(),
            parent_servers: vec!["ns.example.com (198.51.100.53): referral to example.com".into()],
            referral_ns: vec!["ns1.down.example.com".into()],
            glue: vec!["ns1.down.example.com (192.0.2.1)".into()],
        });
        let findings = judge(&z);
        assert_eq!(codes(&z), vec![Code::DNS_NS_ALL_UNRESPONSIVE]);
        assert!(
            findings[0].summary.contains("SERVFAIL"),
            "{}",
            findings[0].summary
        );
        let walk = &findings[0].evidence["delegation_walk"];
        assert_eq!(walk["parent_zone"], "example.com");
        assert_eq!(walk["glue"][0], "ns1.down.example.com (192.0.2.1)");
        // The resolvers' own view has no walk to show.
        z.delegation = None;
        assert!(judge(&z)[0].evidence.get("delegation_walk").is_none());
    }

    #[test]
    fn refused_and_non_authoritative_servers_are_lame() {
        let mut refused = healthy("ns2.example.net", "198.51.100.1");
        refused.soa = code(ResponseCode::Refused);
        refused.representative = code(ResponseCode::Refused);
        let mut no_aa = healthy("ns3.example.org", "203.0.113.1");
        no_aa.soa = answer(false, Some(7), &[]);
        no_aa.representative = answer(false, None, &["192.0.2.10"]);
        let z = zone(vec![
            healthy("ns1.example.com", "192.0.2.1"),
            refused,
            no_aa,
        ]);
        assert_eq!(
            codes(&z),
            vec![Code::DNS_NS_UNRESPONSIVE, Code::DNS_NS_LAME]
        );
        let lame = judge(&z)
            .into_iter()
            .find(|f| f.code == Code::DNS_NS_LAME)
            .unwrap();
        assert!(lame
            .summary
            .contains("ns2.example.net (198.51.100.1): REFUSED"));
        assert!(lame.summary.contains("ns3.example.org (203.0.113.1)"));
        assert!(lame.summary.contains("no AA"));
    }

    #[test]
    fn a_referral_for_the_zone_soa_is_lame_but_not_for_a_child_name() {
        let mut parent = healthy("ns2.example.net", "198.51.100.1");
        parent.representative = Ok(DirectAnswer {
            referral: true,
            ..match answer(false, None, &[]) {
                Ok(a) => a,
                Err(_) => unreachable!(),
            }
        });
        let z = zone(vec![
            healthy("ns1.example.com", "192.0.2.1"),
            parent.clone(),
        ]);
        assert!(codes(&z).is_empty(), "a delegation below the zone");
        parent.soa = parent.representative.clone();
        let z = zone(vec![healthy("ns1.example.com", "192.0.2.1"), parent]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_LAME]);
    }

    #[test]
    fn different_addresses_or_serials_are_inconsistent() {
        let mut other = healthy("ns2.example.net", "198.51.100.1");
        other.representative = answer(true, None, &["192.0.2.99"]);
        let z = zone(vec![healthy("ns1.example.com", "192.0.2.1"), other]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_INCONSISTENT]);
        assert!(judge(&z)[0].summary.contains("192.0.2.99"));

        let mut other = healthy("ns2.example.net", "198.51.100.1");
        other.soa = answer(true, Some(8), &[]);
        let z = zone(vec![healthy("ns1.example.com", "192.0.2.1"), other]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_INCONSISTENT]);
        assert!(judge(&z)[0].summary.contains("serial 8"));
    }

    #[test]
    fn one_server_or_one_network_is_single() {
        let z = zone(vec![healthy("ns1.example.com", "192.0.2.1")]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_SINGLE]);
        let z = zone(vec![
            healthy("ns1.example.com", "192.0.2.1"),
            healthy("ns2.example.com", "192.0.2.200"),
        ]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_SINGLE]);
        assert!(judge(&z)[0].summary.contains("192.0.2.0/24"));
    }

    #[test]
    fn a_question_no_server_answers_is_the_names_problem_not_the_servers() {
        let mut a = healthy("ns1.example.com", "192.0.2.1");
        a.representative = timeout();
        let mut b = healthy("ns2.example.net", "198.51.100.1");
        b.representative = timeout();
        assert!(judge(&zone(vec![a.clone(), b])).is_empty());
        // ...but one server failing what another answers is that server's problem.
        let z = zone(vec![a, healthy("ns2.example.net", "198.51.100.1")]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_UNRESPONSIVE]);
    }

    #[test]
    fn servfail_for_a_name_is_not_lame_but_for_the_zone_is_unresponsive() {
        let mut a = healthy("ns1.example.com", "192.0.2.1");
        a.representative = code(ResponseCode::ServFail);
        let mut b = healthy("ns2.example.net", "198.51.100.1");
        b.representative = code(ResponseCode::ServFail);
        assert!(judge(&zone(vec![a, b.clone()])).is_empty());
        b.soa = code(ResponseCode::ServFail);
        let z = zone(vec![healthy("ns1.example.com", "192.0.2.1"), b]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_UNRESPONSIVE]);
    }

    #[test]
    fn servers_outside_the_scope_are_not_judged() {
        let mut out = healthy("ns1.example.com", "10.0.0.1");
        out.soa = Err(DirectQueryError::OutOfScope);
        out.representative = Err(DirectQueryError::OutOfScope);
        assert!(judge(&zone(vec![out.clone()])).is_empty());
        let mut down = healthy("ns2.example.net", "198.51.100.1");
        down.soa = timeout();
        down.representative = timeout();
        // The one asked server is down, but another was not asked: not "all".
        let z = zone(vec![out, down]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_UNRESPONSIVE]);
    }

    #[test]
    fn an_ipv6_only_ns_host_is_listed_not_judged() {
        let mut v6 = healthy("ns2.example.net", "192.0.2.1");
        v6.address = None;
        v6.soa = Err(DirectQueryError::NoIpv4);
        v6.representative = Err(DirectQueryError::NoIpv4);
        let z = zone(vec![healthy("ns1.example.com", "198.51.100.1"), v6]);
        assert!(judge(&z).is_empty(), "{:?}", judge(&z));
    }

    #[test]
    fn an_ns_name_without_address_does_not_answer() {
        let mut nowhere = healthy("ns9.example.org", "192.0.2.1");
        nowhere.address = None;
        nowhere.soa = Err(DirectQueryError::NoAddress("NXDOMAIN".into()));
        nowhere.representative = nowhere.soa.clone();
        let z = zone(vec![healthy("ns1.example.net", "198.51.100.1"), nowhere]);
        assert_eq!(codes(&z), vec![Code::DNS_NS_UNRESPONSIVE]);
        assert!(judge(&z)[0]
            .summary
            .contains("ns9.example.org (no address)"));
    }
}
