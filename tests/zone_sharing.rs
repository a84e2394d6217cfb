//! Zone checks at fleet scale: a lab of many origins in few zones (every name-server pathology,
//! and healthy `lab.test`). The zone work is shared (few DNS queries per origin, counted at
//! every lab DNS server), no server sees more queries per second than `--resolver-rate`, and
//! the findings still equal the ground truth.

mod common;

use common::{args, stderr, LabRun};
use originscan::lab::fleet::{FleetMix, Pathology};
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
