//! Hostile origins mixed with healthy ones: every target gets a row, each naming what happened,
//! the scan ends within the origins' deadlines, and memory stays bounded.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{args, stderr, LabRun};
use originscan::report::Report;

/// Peak RSS allowed for a 1,000-origin hostile scan (debug build, --concurrency 256).
const MAX_RSS_KIB: u64 = 300 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_hostile_and_healthy_origins_all_get_their_row() {
    let lab = LabRun::start_with(1000, true).await;
    let out = lab.path("hostile.json");
    let time = Path::new("/usr/bin/time");
    let mut command: Vec<String> = Vec::new();
    let program = if time.exists() {
        command.extend(args(&["-v", env!("CARGO_BIN_EXE_originscan")]));
        time.display().to_string()
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install `time` (.ci/run)"
        );
        env!("CARGO_BIN_EXE_originscan").to_string()
    };
    command.extend(args(&[
        "scan",
        "--no-progress",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        "-i",
    ]));
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    let started = Instant::now();
    let output = tokio::process::Command::new(program)
        .args(&command)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("scan runs");
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let report: Report = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("json");
    assert_eq!(report.origins.len(), 1000, "a row for every target");
    let mut mismatches = Vec::new();
    for entry in lab.truth() {
        let row = report
            .origins
            .iter()
            .find(|o| o.origin == entry.origin && o.port == entry.port)
            .unwrap_or_else(|| panic!("{} has no row", entry.origin));
        let mut codes: Vec<String> = row.codes().iter().map(|c| c.to_string()).collect();
        codes.sort();
        if codes != entry.expected {
            mismatches.push(format!(
                "{}: {codes:?} != {:?}",
                entry.origin, entry.expected
            ));
        }
        if entry.pathology.starts_with("hostile") {
            assert!(
                row.findings
                    .iter()
                    .all(|f| !f.summary.is_empty() && !f.evidence.is_empty()),
                "{}: a finding without evidence",
                entry.origin
            );
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The slowest lab origins take seconds (2 s handshake timeouts, 4 s stalled heads, the 2 s
    // keep-alive wait): the whole scan stays far from any origin's deadline.
    assert!(elapsed < Duration::from_secs(90), "took {elapsed:?}");

    if time.exists() {
        let text = stderr(&output);
        let rss: u64 = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.trim().parse().ok())
            .expect("time -v reports the peak RSS");
        assert!(rss < MAX_RSS_KIB, "peak RSS {rss} KiB");
        eprintln!(
            "hostile scan of 1000 origins: {elapsed:?}, peak RSS {} MiB",
            rss / 1024
        );
    }
}

/// An origin that resets every connection the moment it is accepted leaves a socket whose peer
/// address can no longer be read: the scan must still make (and report) its HTTP exchange, on
/// every one of 20 such origins, whatever the timing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_that_resets_at_once_always_has_its_early_close() {
    let mut ports = Vec::new();
    for _ in 0..20 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        ports.push(listener.local_addr().expect("address").port());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // SO_LINGER 0: the close is a reset.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                drop(stream);
            }
        });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("resets.csv");
    let mut rows = String::from("origin,port,protocol_policy\n");
    for port in &ports {
        rows.push_str(&format!("reset.hostile.test,{port},http-only\n"));
    }
    std::fs::write(&csv, rows).expect("csv");
    let output = common::originscan(&args(&[
        "scan",
        "-i",
        csv.to_str().unwrap(),
        "--resolve",
        "reset.hostile.test:127.0.0.1",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--no-progress",
        "--no-idle-probe",
        "-f",
        "json",
    ]))
    .await;
    let report: Report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    assert_eq!(report.origins.len(), ports.len());
    for origin in &report.origins {
        assert_eq!(
            origin.codes(),
            vec!["HTTP_EARLY_CLOSE"],
            "port {}: {:?}",
            origin.port,
            origin.findings
        );
    }
}
