//! The scanner's connection limits, measured where they matter: at the lab's listeners.
//!
//! - `--rate R`: the lab records the time of every accept; over a 20 s window the scanner
//!   opens R connections per second, within 5%.
//! - `--per-ip N`: at each accept the lab counts, in the kernel's table, the client sockets
//!   connecting or connected to that origin address (a client's socket leaves those states the
//!   moment it closes), so the peak is what the scanner held open at once.

use crate::common;

use std::time::Duration;

use common::{args, stderr, LabRun};
use originscan::lab::fleet::FleetMix;
use originscan::lab::LabConfig;

/// `--rate` for the rate test.
const RATE: u32 = 10;
/// The measured window, once the limiter's initial burst (one second's worth) and the start's
/// catch-up have passed.
const WINDOW: Duration = Duration::from_secs(20);
const SKIP: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_gives_r_new_connections_per_second_at_the_lab() {
    // Every origin of the zones mix answers TLS, so every connection attempt reaches a listener.
    // Their names are given with `--resolve` (no DNS, no zone checks to wait for), there are
    // more than the window needs (about 2 connections each), and 100 are in flight: some always
    // wait for the rate. The scan is interrupted once the window has passed.
    let lab = LabRun::start_config(LabConfig {
        count: 300,
        block: 2,
        mix: FleetMix::Zones,
        audit: true,
        ..LabConfig::default()
    })
    .await;
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    for entry in lab.truth() {
        let address = entry.addresses.first().expect("a lab address");
        command.extend(args(&["--resolve", &format!("{}:{address}", entry.origin)]));
    }
    command.extend(args(&[
        "--rate",
        &RATE.to_string(),
        "--concurrency",
        "100",
        "-f",
        "json",
        "-o",
        lab.path("rate.json").to_str().unwrap(),
    ]));
    let mut scan = tokio::process::Command::new(env!("CARGO_BIN_EXE_originscan"))
        .args(&command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("originscan starts");
    let finished = tokio::time::timeout(SKIP + WINDOW + Duration::from_secs(3), scan.wait()).await;
    assert!(finished.is_err(), "the scan ended before the window did");
    scan.kill().await.expect("the scan stops");

    let times = lab.lab.accept_times();
    let mut per_second = std::collections::BTreeMap::new();
    for t in &times {
        *per_second.entry(t.as_secs()).or_insert(0) += 1;
    }
    let first = *times.first().expect("connections were accepted");
    let (start, end) = (first + SKIP, first + SKIP + WINDOW);
    let last = *times.last().unwrap();
    assert!(
        last >= end,
        "the scan ended {:?} after its first connection: too short to measure a {WINDOW:?} window",
        last - first
    );
    let in_window = times.iter().filter(|t| **t >= start && **t < end).count();
    let rate = in_window as f64 / WINDOW.as_secs_f64();
    eprintln!(
        "--rate {RATE}: {} connections in all, {in_window} in the {WINDOW:?} window = {rate:.2}/s",
        times.len()
    );
    let error = (rate - RATE as f64).abs() / RATE as f64;
    assert!(
        error <= 0.05,
        "{rate:.2} new connections per second at the lab, not {RATE} within 5%; accepts in each \
         second since the lab started: {per_second:?}"
    );
}

/// Scans `count` origin names, all resolved (`--resolve`) to one lab origin, with `--per-ip N`
/// (and the keep-alive idle probe if `idle`, with a 1 s keep-alive), and returns the most
/// connections the lab saw open to that address at once.
async fn peak_open_with_per_ip(lab: &LabRun, per_ip: u32, count: usize, idle: bool) -> usize {
    let healthy = lab
        .lab
        .targets
        .iter()
        .zip(lab.truth())
        .find(|(_, truth)| truth.pathology == "healthy-ecdsa")
        .map(|(target, truth)| (target, truth.addresses[0]))
        .expect("a healthy origin");
    let (target, address) = healthy;
    let before = target.accepts.get();
    let names: Vec<String> = (0..count).map(|k| format!("shared{k}.lab.test")).collect();
    let csv = lab.path(&format!("shared-{per_ip}-{idle}.csv"));
    let mut rows = String::from("origin,https_port,keepalive_timeout\n");
    for name in &names {
        rows.push_str(&format!("{name},{},1\n", target.port));
    }
    std::fs::write(&csv, rows).unwrap();
    let mut command = args(&["scan", "--no-progress", "-i"]);
    command.push(csv.display().to_string());
    if !idle {
        command.push("--no-idle-probe".into());
    }
    command.extend(lab.lab_args());
    for name in &names {
        command.extend(args(&["--resolve", &format!("{name}:{address}")]));
    }
    command.extend(args(&["--per-ip", &per_ip.to_string(), "-f", "json"]));
    let output = common::originscan(&command).await;
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        report["origins"].as_array().map(Vec::len),
        Some(names.len())
    );
    let accepted = target.accepts.get() - before;
    assert!(accepted >= names.len(), "only {accepted} connections");
    target.accepts.peak_open()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_ip_is_never_exceeded_at_the_lab() {
    let lab = LabRun::start_config(LabConfig {
        count: 12,
        block: 3, // its own addresses: the audit counts by address
        mix: FleetMix::Standard,
        audit: true,
        ..LabConfig::default()
    })
    .await;
    let peak = peak_open_with_per_ip(&lab, 3, 24, false).await;
    eprintln!("--per-ip 3: at most {peak} connections open to the shared address");
    assert!(
        peak <= 3,
        "{peak} connections open at once under --per-ip 3"
    );
    assert!(
        peak >= 2,
        "the scan never overlapped connections ({peak}): nothing was tested"
    );
    // Connections parked for the keep-alive idle probe stay open: they count too.
    let peak = peak_open_with_per_ip(&lab, 3, 8, true).await;
    eprintln!("--per-ip 3 with the idle probe: at most {peak} connections open");
    assert!(
        peak <= 3,
        "{peak} connections open at once under --per-ip 3 (idle probe)"
    );
    assert!(
        peak >= 2,
        "the scan never overlapped connections ({peak}): nothing was tested"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_ip_audit_sees_a_wider_limit_used() {
    // The same measurement with a wider limit sees more: the audit can fail. Each reply waits
    // 20 ms, so that the connections overlap however busy the machine is.
    let lab = LabRun::start_config(LabConfig {
        count: 12,
        block: 4,
        mix: FleetMix::Standard,
        audit: true,
        rtt: Duration::from_millis(20),
        ..LabConfig::default()
    })
    .await;
    let peak = peak_open_with_per_ip(&lab, 12, 24, false).await;
    eprintln!("--per-ip 12: at most {peak} connections open to the shared address");
    assert!(
        peak > 3,
        "only {peak} connections open at once under --per-ip 12"
    );
    assert!(
        peak <= 12,
        "{peak} connections open at once under --per-ip 12"
    );
}
