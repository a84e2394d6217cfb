//! End to end: the real binary scans the loopback lab; findings must equal the ground truth,
//! origin by origin, and every output format must parse back.

use crate::common;

use std::collections::BTreeMap;

use common::{args, originscan, read_json, stderr, LabRun};
use originscan::report::Report;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_of_the_lab_equals_the_ground_truth() {
    // Every pathology once, and the first few twice.
    let count = originscan::lab::fleet::Pathology::ALL.len() + 7;
    let lab = LabRun::start(count).await;
    let out = lab.path("report.json");
    let mut command = args(&["scan", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    command.extend(args(&["-o", out.to_str().unwrap(), "--no-progress"]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));

    let report: Report = serde_json::from_value(read_json(&out)).expect("report has the v1 shape");
    assert_eq!(report.schema, "originscan.report.v1");
    assert_eq!(
        report.origins.len(),
        lab.truth().len(),
        "one row per target"
    );

    let reported: BTreeMap<(String, u16), Vec<String>> = report
        .origins
        .iter()
        .map(|o| {
            let mut codes: Vec<String> = o.codes().iter().map(|c| c.to_string()).collect();
            codes.sort();
            ((o.origin.clone(), o.port), codes)
        })
        .collect();
    for entry in lab.truth() {
        let got = reported
            .get(&(entry.origin.clone(), entry.port))
            .unwrap_or_else(|| panic!("{} has no row", entry.origin));
        assert_eq!(
            got, &entry.expected,
            "{} ({})",
            entry.origin, entry.pathology
        );
    }

    // Ranks are 1..N in score order; healthy origins are `ok` with score 0.
    for (i, origin) in report.origins.iter().enumerate() {
        assert_eq!(origin.rank, Some(i + 1));
        if i > 0 {
            assert!(report.origins[i - 1].score >= origin.score);
        }
        if origin.findings.is_empty() {
            assert_eq!((origin.score, origin.risk.as_str()), (0, "ok"));
        }
    }
    assert_eq!(report.summary.origins, lab.truth().len());
    assert!(!report.summary.interrupted);

    // An origin that stalls after its ServerHello costs one handshake timeout (2 s in the lab),
    // not two: no rustls handshake is sent to read a chain it will not send.
    let stalled = lab.truth_of("stalled-after-hello");
    let row = report
        .origins
        .iter()
        .find(|o| o.origin == stalled.origin)
        .expect("a stalled origin's row");
    let total = row.timings_ms.total.expect("a total time");
    assert!(total < 3_500, "the stalled origin took {total} ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_parses_back_with_the_same_facts() {
    let lab = LabRun::start(26).await;
    let base = {
        let mut a = args(&["scan", "--no-progress", "-i"]);
        a.push(lab.path("targets.csv").display().to_string());
        a.extend(lab.lab_args());
        a
    };

    // CSV: header, one row per origin, codes `;`-separated.
    let csv_path = lab.path("r.csv");
    let mut command = base.clone();
    command.extend(args(&["-o", csv_path.to_str().unwrap()]));
    assert_eq!(originscan(&command).await.status.code(), Some(0));
    let mut reader = csv::Reader::from_path(&csv_path).expect("csv");
    let headers = reader.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        originscan::report::csv_rows::HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 26);
    let expired = lab.truth_of("expired");
    let row = rows
        .iter()
        .find(|r| &r[1] == expired.origin.as_str())
        .expect("expired row");
    assert_eq!(&row[3], "critical");
    assert_eq!(&row[5], "CERT_EXPIRED");
    assert!(row[7].starts_with("Renew"), "fix column: {}", &row[7]);

    // NDJSON on stdout: one origin object a line.
    let mut command = base.clone();
    command.extend(args(&["-f", "ndjson"]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 26);
    assert!(lines
        .iter()
        .all(|l| l["origin"].is_string() && l["findings"].is_array()));

    // Table: every origin and the totals line.
    let mut command = base;
    command.extend(args(&["-f", "table"]));
    let output = originscan(&command).await;
    let table = String::from_utf8(output.stdout).expect("utf8");
    assert!(table.contains(&expired.origin));
    assert!(table.contains("26 origins in"), "{table}");
    assert!(!table.contains('\x1b'), "no colour when not a terminal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_sets_the_exit_code() {
    let lab = LabRun::start(26).await;
    let healthy = lab.truth_of("healthy-ecdsa");
    let expiring = lab.truth_of("expires-in-20-days"); // medium
    let target = |entry: &originscan::lab::TruthEntry| format!("{}:{}", entry.origin, entry.port);
    let run = |targets: Vec<String>, level: &str| {
        let mut command = args(&["scan", "--no-progress", "-f", "json", "--fail-on", level]);
        command.extend(targets);
        command.extend(lab.lab_args());
        command
    };
    let out = originscan(&run(vec![target(healthy)], "low")).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = originscan(&run(vec![target(healthy), target(expiring)], "medium")).await;
    assert_eq!(out.status.code(), Some(1));
    let out = originscan(&run(vec![target(healthy), target(expiring)], "high")).await;
    assert_eq!(out.status.code(), Some(0));
    let out = originscan(&run(vec![target(expiring)], "never")).await;
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_reported_and_never_connected_to() {
    let lab = LabRun::start(26).await;
    let mut command = args(&["scan", "--no-progress", "-f", "json", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(args(&[
        "--resolver",
        &lab.lab.resolver.to_string(),
        "--ca-file",
    ]));
    command.push(lab.path("ca.pem").display().to_string());
    command.extend(args(&["--dns-timeout", "1", "--dns-attempts", "1"]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    for origin in &report.origins {
        if origin.addresses.is_empty() {
            continue; // DNS failures
        }
        assert_eq!(
            origin.codes(),
            vec!["DNS_PRIVATE_ADDRESS"],
            "{}",
            origin.origin
        );
        assert!(
            origin.timings_ms.connect.is_none(),
            "{} was connected to",
            origin.origin
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_override_tests_an_origin_before_dns_points_at_it() {
    let lab = LabRun::start(26).await;
    let healthy = lab.truth_of("healthy-rsa");
    let report = read_json(&lab.path("truth.json"));
    assert!(report.is_array());
    // The lab's healthy RSA origin is its first address; DNS is a dead resolver.
    let mut command = args(&[
        "scan",
        "--no-progress",
        "-f",
        "json",
        "--allow-private",
        "127.0.0.0/8",
    ]);
    command.push(format!("{}:{}", healthy.origin, healthy.port));
    command.extend(args(&[
        "--resolve",
        &format!("{}:127.2.0.1", healthy.origin),
    ]));
    command.extend(args(&[
        "--resolver",
        "127.0.0.1:9",
        "--dns-timeout",
        "1",
        "--dns-attempts",
        "1",
    ]));
    command.extend(args(&["--ca-file", lab.path("ca.pem").to_str().unwrap()]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report.origins.len(), 1);
    assert!(
        report.origins[0].findings.is_empty(),
        "{:?}",
        report.origins[0].findings
    );
    assert_eq!(report.origins[0].addresses, vec!["127.2.0.1"]);
}

/// `--cloudfront-profile 2025-pq`: the lab origin that never answers a ClientHello over a
/// kilobyte completes the 2025 handshake only, and is TLS_PQ_HELLO_INTOLERANT with its HTTP
/// checks run over the 2025 connection; a healthy origin completes the post-quantum handshake
/// and has no finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_post_quantum_profile_finds_an_origin_that_drops_large_hellos() {
    let lab = LabRun::start(originscan::lab::fleet::Pathology::ALL.len()).await;
    let intolerant = lab.truth_of("pq-hello-intolerant").origin.clone();
    let healthy = lab.truth_of("healthy-rsa").origin.clone();
    let all = std::fs::read_to_string(lab.path("targets.csv")).expect("targets.csv");
    let mut lines = all.lines();
    let mut csv = format!("{}\n", lines.next().expect("a header"));
    for line in lines.filter(|l| {
        l.starts_with(&format!("{intolerant},")) || l.starts_with(&format!("{healthy},"))
    }) {
        csv.push_str(line);
        csv.push('\n');
    }
    let targets = lab.path("pq.csv");
    std::fs::write(&targets, csv).expect("pq.csv");

    let scan = |profile: &'static str| {
        let mut command = args(&["scan", "--no-progress", "-f", "json", "-i"]);
        command.push(targets.display().to_string());
        command.extend(lab.lab_args());
        command.extend(args(&["--cloudfront-profile", profile, "--no-idle-probe"]));
        command
    };
    let output = originscan(&scan("2025-pq")).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report.origins.len(), 2);
    let row = |name: &str| {
        report
            .origins
            .iter()
            .find(|o| o.origin == name)
            .unwrap_or_else(|| panic!("no row for {name}"))
    };
    let o = row(&intolerant);
    assert_eq!(
        o.codes(),
        vec!["TLS_PQ_HELLO_INTOLERANT"],
        "{:?}",
        o.findings
    );
    assert_eq!(
        o.findings[0].evidence["post_quantum_policy"],
        "CloudFront-Upstream-TLS-1-0-2025-PQ"
    );
    assert!(
        o.timings_ms.ttfb.is_some(),
        "the HTTP checks ran over the 2025 connection"
    );
    let o = row(&healthy);
    assert!(o.findings.is_empty(), "{:?}", o.findings);

    // Under the default profile the same origin is healthy.
    let output = originscan(&scan("2025")).await;
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    assert!(report.origins.iter().all(|o| o.findings.is_empty()));
}
