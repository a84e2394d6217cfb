//! Zone checks at fleet scale: a lab of many origins in few zones (every name-server pathology,
//! and healthy `lab.test`). The zone work is shared (few DNS queries per origin, counted at
//! every lab DNS server), no server sees more queries per second than `--resolver-rate`, and
//! the findings still equal the ground truth.

use crate::common;

use common::{args, stderr, LabRun};
use originscan::lab::fleet::{shared_zone_apex, FleetMix, Pathology};
use originscan::lab::LabConfig;
use originscan::report::Report;

/// Origins in the lab: 25 in each of the 10 zones.
const ORIGINS: usize = 250;
/// `--resolver-rate` for the scan.
const RATE: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_checks_are_shared_and_stay_within_the_resolver_rate() {
    let lab = LabRun::start_mix(ORIGINS, FleetMix::Zones).await;
    assert_eq!(lab.truth().len(), ORIGINS);
    let out = lab.path("zones.json");
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    command.extend(args(&["--resolver-rate", &RATE.to_string()]));
    command.extend(args(&["-f", "json", "-o", out.to_str().unwrap()]));
    let started = std::time::Instant::now();
    let output = common::originscan(&command).await;
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let report: Report = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("json");
    let mut mismatches = Vec::new();
    for entry in lab.truth() {
        let row = report
            .origins
            .iter()
            .find(|o| o.origin == entry.origin)
            .unwrap_or_else(|| panic!("{} has no row", entry.origin));
        let mut codes: Vec<String> = row.codes().iter().map(|c| c.to_string()).collect();
        codes.sort();
        if codes != entry.expected {
            mismatches.push(format!(
                "{}: {codes:?} != {:?}",
                entry.origin, entry.expected
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    let traffic = lab.lab.dns_traffic();
    let total: usize = traffic.iter().map(|t| t.queries).sum();
    let per_origin = total as f64 / ORIGINS as f64;
    let peak = traffic.iter().map(|t| t.peak_per_second).max().unwrap_or(0);
    for t in &traffic {
        eprintln!(
            "  {}: {} queries, peak {} per second",
            t.server, t.queries, t.peak_per_second
        );
    }
    eprintln!(
        "zone sharing: {ORIGINS} origins in {} zones, {total} DNS queries ({per_origin:.2} per \
         origin), peak {peak} queries/s at one server (--resolver-rate {RATE}), scan {elapsed:?}",
        Pathology::ZONES.len()
    );
    // One A query per origin, plus the zone work once per zone.
    assert!(
        per_origin <= 1.5,
        "{per_origin:.2} DNS queries per origin (more than 1.5)"
    );
    for t in &traffic {
        assert!(
            t.peak_per_second <= RATE,
            "{} received {} queries within one second (--resolver-rate {RATE})",
            t.server,
            t.peak_per_second
        );
    }
    // Every zone's servers were asked (the silent ones too); the closed one has no socket.
    let authoritative = traffic
        .iter()
        .filter(|t| t.server != lab.lab.resolver)
        .count();
    let listening: usize = originscan::lab::fleet::LAB_ZONES
        .iter()
        .flat_map(|z| z.servers)
        .filter(|ns| ns.behaviour != originscan::lab::fleet::NsBehaviour::Closed)
        .count();
    assert_eq!(authoritative, listening, "{traffic:?}");
}

/// Issue 4's fleet shape, scaled for a test: the standard mix (every pathology: CNAME chains,
/// dangling names, timeouts, every name-server fault) with its ordinary origins spread over 40
/// extra zones of four servers each.
const FLEET: usize = 1000;
const SHARED_ZONES: usize = 40;
const FLEET_RATE: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_zones_of_four_servers_are_each_checked_once() {
    let lab = LabRun::start_config(LabConfig {
        count: FLEET,
        block: 2,
        mix: FleetMix::Standard,
        shared_zones: SHARED_ZONES,
        ..LabConfig::default()
    })
    .await;
    let out = lab.path("fleet.json");
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    command.extend(args(&["--resolver-rate", &FLEET_RATE.to_string()]));
    command.extend(args(&["-f", "json", "-o", out.to_str().unwrap()]));
    let output = common::originscan(&command).await;
    assert!(
        matches!(output.status.code(), Some(0)),
        "{}",
        stderr(&output)
    );
    let report: Report = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("json");
    assert_eq!(report.origins.len(), FLEET, "every origin has a row");
    let mismatches = originscan::lab::truth_mismatches(&report, lab.truth());
    assert!(mismatches.is_empty(), "{mismatches:?}");

    let traffic = lab.lab.dns_traffic();
    let total: usize = traffic.iter().map(|t| t.queries).sum();
    let per_origin = total as f64 / FLEET as f64;
    let peak = traffic.iter().map(|t| t.peak_per_second).max().unwrap_or(0);
    eprintln!(
        "{FLEET} origins, {SHARED_ZONES} shared zones: {total} DNS queries ({per_origin:.2} per \
         origin; {} at the resolver), peak {peak} queries/s at one server (--resolver-rate \
         {FLEET_RATE})",
        traffic
            .iter()
            .filter(|t| t.server == lab.lab.resolver)
            .map(|t| t.queries)
            .sum::<usize>()
    );
    let at_resolver: usize = traffic
        .iter()
        .filter(|t| t.server == lab.lab.resolver)
        .map(|t| t.queries)
        .sum();
    let resolver_per_origin = at_resolver as f64 / FLEET as f64;
    // At this size the zone work (2 questions to each of 160 servers, plus the pathology zones)
    // still shows in the total; at 10,000 origins it is a few hundredths (BENCHMARKS.md).
    assert!(
        resolver_per_origin <= 1.5,
        "{resolver_per_origin:.2} queries per origin at the resolver"
    );
    assert!(per_origin <= 2.0, "{per_origin:.2} DNS queries per origin");
    assert!(
        peak <= FLEET_RATE,
        "a server saw {peak} queries in one second (--resolver-rate {FLEET_RATE})"
    );
    // Every shared zone's four servers were asked, each a handful of times (once per zone).
    for k in 0..SHARED_ZONES {
        let zone = shared_zone_apex(k);
        let origins = lab
            .truth()
            .iter()
            .filter(|t| t.origin.ends_with(&format!(".{zone}")))
            .count();
        assert!(origins > 0, "no origin in {zone}");
    }
    // Each shared zone's four servers (hosts 32 and up) were each asked its two questions (the
    // zone's SOA and one name) once for the whole scan, however many origins the zone holds.
    let shared_servers: Vec<_> = traffic
        .iter()
        .filter(|t| match t.server.ip() {
            std::net::IpAddr::V4(v4) => v4.octets()[3] >= 32,
            _ => false,
        })
        .collect();
    assert_eq!(shared_servers.len(), SHARED_ZONES * 4, "{shared_servers:?}");
    for t in shared_servers {
        assert!(
            (1..=2).contains(&t.queries),
            "{} was asked {} times: zone work is not shared",
            t.server,
            t.queries
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_that_costs_two_queries_is_counted_twice() {
    // A chain of ten CNAMEs under a shared zone's longer names does not fit a 512-byte answer:
    // the resolver's reply is truncated and hickory asks again over TCP, within one lookup.
    let lab = LabRun::start_config(LabConfig {
        count: Pathology::ALL.len() * 3,
        block: 3,
        mix: FleetMix::Standard,
        shared_zones: 1,
        ..LabConfig::default()
    })
    .await;
    // The last one has the longest name (a three-digit index).
    let chain = lab
        .truth()
        .iter()
        .rev()
        .find(|t| t.pathology == "long-cname-chain")
        .expect("a long chain")
        .origin
        .clone();
    assert!(chain.ends_with(".z0.lab.test"), "{chain}");
    let csv = lab.path("chain.csv");
    std::fs::write(&csv, format!("origin\n{chain}\n")).unwrap();
    let mut command = args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "-f",
        "json",
        "-i",
    ]);
    command.push(csv.display().to_string());
    // The retry waits a second or two for the rate: give each query 8 s instead of the lab's 1 s.
    let mut lab_args = lab.lab_args();
    if let Some(at) = lab_args.iter().position(|a| a == "--dns-timeout") {
        lab_args[at + 1] = "8".into();
    }
    command.extend(lab_args);
    command.extend(args(&["--resolver-rate", "1"]));
    let output = common::originscan(&command).await;
    let report: Report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    let codes: Vec<String> = report.origins[0]
        .codes()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        codes.contains(&"DNS_CNAME_CHAIN_LONG".to_string()),
        "{codes:?}"
    );
    let traffic = lab.lab.dns_traffic();
    let resolver = traffic
        .iter()
        .find(|t| t.server == lab.lab.resolver)
        .expect("the resolver was asked");
    eprintln!(
        "resolver: {} queries, peak {} in one second at --resolver-rate 1",
        resolver.queries, resolver.peak_per_second
    );
    assert!(resolver.queries >= 2);
    assert!(
        resolver.peak_per_second <= 1,
        "the retry went out without waiting for the rate"
    );
}
