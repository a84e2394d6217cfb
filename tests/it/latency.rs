//! The lab at 50 ms round-trip time: every DNS answer, handshake flight and HTTP response waits,
//! DNS queries queue behind `--dns-in-flight`, and the findings must still equal the ground
//! truth. At 0 ms a queue drains too fast to show what waiting does to timeouts.

use crate::common;

use common::{args, stderr, LabRun};
use originscan::lab::fleet::FleetMix;
use originscan::lab::LabConfig;
use originscan::report::Report;

/// Origins in the lab: the standard mix (silent names, long CNAME chains answered over TCP,
/// every name-server fault) several times over.
const ORIGINS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_equal_the_ground_truth_at_50_ms() {
    let lab = LabRun::start_config(LabConfig {
        count: ORIGINS,
        block: 5,
        mix: FleetMix::Standard,
        rtt: std::time::Duration::from_millis(50),
        shared_zones: 10,
        ..LabConfig::default()
    })
    .await;
    let out = lab.path("latency.json");
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    // Every lookup queues at the lab's resolver: 400 origins, 32 in flight, 50 ms each.
    command.extend(args(&["--concurrency", "400", "--dns-in-flight", "32"]));
    command.extend(args(&["-f", "json", "-o", out.to_str().unwrap()]));
    let started = std::time::Instant::now();
    let output = common::originscan(&command).await;
    eprintln!("{ORIGINS} origins at 50 ms: {:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("json");
    assert_eq!(report.origins.len(), ORIGINS, "every origin has a row");
    // Before lookups kept their deadline out of hickory, one silent name moved every later
    // query to the resolver's TCP connection, and bursts of 32 origins got DNS_TIMEOUT.
    let mismatches = originscan::lab::truth_mismatches(&report, lab.truth());
    assert!(
        mismatches.is_empty(),
        "{} mismatches: {mismatches:?}",
        mismatches.len()
    );
}

/// Round trip for the one-origin tests: long enough that process start and a loaded machine's
/// CPU stay well inside a round trip.
const LONG_RTT: std::time::Duration = std::time::Duration::from_millis(400);

/// Starts a small lab at [`LONG_RTT`] in `block` and scans its `pathology` origin alone (through
/// the lab's DNS, or given its address when `given_address`); checks that its findings are the
/// ground truth's, `expected`, and returns how long the scan took.
async fn scan_one_origin(
    block: u8,
    pathology: &str,
    given_address: bool,
    expected: &[&str],
) -> std::time::Duration {
    let lab = LabRun::start_config(LabConfig {
        count: 60,
        block,
        mix: FleetMix::Standard,
        rtt: LONG_RTT,
        ..LabConfig::default()
    })
    .await;
    let origin = lab.truth_of(pathology).clone();
    assert_eq!(origin.expected, expected);
    let out = lab.path("one.json");
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-f", "json"]);
    command.extend(args(&["-o", out.to_str().unwrap()]));
    command.extend(lab.lab_args());
    if given_address {
        command.push("--resolve".into());
        command.push(format!("{}:{}", origin.origin, origin.addresses[0]));
    }
    command.push(format!("{}:{}", origin.origin, origin.port));
    let started = std::time::Instant::now();
    let output = common::originscan(&command).await;
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("json");
    let codes: Vec<String> = report.origins[0]
        .codes()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(codes, origin.expected);
    eprintln!("{pathology} origin at {LONG_RTT:?}: {elapsed:?}");
    elapsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_mismatch_costs_no_extra_round_trip() {
    let elapsed = scan_one_origin(8, "name-mismatch", true, &["CERT_NAME_MISMATCH"]).await;
    // A TLS 1.3 handshake and an HTTP exchange are two round trips; the handshake without SNI
    // that tells CERT_NAME_MISMATCH from CERT_SNI_REQUIRED runs beside the HTTP exchange. One
    // after the other they took three.
    assert!(
        elapsed < LONG_RTT * 5 / 2,
        "{elapsed:?}: more than two round trips of {LONG_RTT:?} and a half"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_checks_do_not_wait_for_the_zone_checks() {
    // A healthy origin in a zone whose servers all answer, through the lab's DNS. The zone's
    // checks (SOA, NS set, the servers' addresses, then each server) take four round trips;
    // the origin's own (its A record, a TLS 1.3 handshake, an HTTP exchange) three, now beside
    // them. After them they made six.
    let elapsed = scan_one_origin(9, "ns-healthy", false, &[]).await;
    assert!(
        elapsed < LONG_RTT * 5,
        "{elapsed:?}: more than five round trips of {LONG_RTT:?}"
    );
}
