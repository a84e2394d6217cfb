//! The README's three workflows as real command sequences against the lab: the nightly scan
//! with yesterday's report as baseline (new, known, resolved after an origin is fixed; `diff`),
//! a sharded fleet joined by `merge` (equal to the unsharded scan), and the HTML report a team
//! opens the next morning, rendered in headless Chromium.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{args, originscan, read_json, stderr, LabRun};
use originscan::report::Report;

fn scan_command(lab: &LabRun, input: &Path, extra: &[&str]) -> Vec<String> {
    let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
    command.push(input.display().to_string());
    command.extend(lab.lab_args());
    command.extend(extra.iter().map(|s| s.to_string()));
    command
}

/// (origin, port) → (sorted codes, score, rank).
type Rows = BTreeMap<(String, u16), (Vec<String>, u32, Option<usize>)>;

fn codes_by_origin(report: &Report) -> Rows {
    report
        .origins
        .iter()
        .map(|o| {
            let mut codes: Vec<String> = o.codes().iter().map(|c| c.to_string()).collect();
            codes.sort();
            ((o.origin.clone(), o.port), (codes, o.score, o.rank))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nightly_scan_with_baseline_then_a_fix() {
    let lab = LabRun::start(45).await;
    let targets = lab.path("targets.csv");
    // Yesterday: the slow origin's distribution still had a 2 s read timeout.
    let yesterday = lab.path("yesterday.json");
    let out = originscan(&scan_command(
        &lab,
        &targets,
        &["-f", "json", "-o", yesterday.to_str().unwrap()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The fix: the slow-but-answering origin's read timeout is raised to 30 s.
    let slow = lab.truth_of("slow-response-near").origin.clone();
    let fixed_csv: String = std::fs::read_to_string(&targets)
        .unwrap()
        .lines()
        .map(|line| {
            if line.starts_with(&format!("{slow},")) {
                let mut cells: Vec<&str> = line.split(',').collect();
                cells[7] = "30"; // read_timeout
                cells.join(",")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let fixed = lab.path("fixed.csv");
    std::fs::write(&fixed, fixed_csv + "\n").unwrap();

    // Tonight, against yesterday: one finding resolved, none new; --fail-on-new passes.
    let tonight = lab.path("tonight.json");
    let out = originscan(&scan_command(
        &lab,
        &fixed,
        &[
            "-f",
            "json",
            "-o",
            tonight.to_str().unwrap(),
            "--baseline",
            yesterday.to_str().unwrap(),
            "--fail-on-new",
            "low",
        ],
    ))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "no new finding: {}",
        stderr(&out)
    );
    let report = read_json(&tonight);
    let baseline = &report["summary"]["baseline"];
    assert_eq!(baseline["resolved"], 1, "{baseline}");
    assert_eq!(baseline["new"], 0, "{baseline}");
    let known = report["origins"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["findings"].as_array().unwrap().iter())
        .filter(|f| f["status"] == "known")
        .count();
    assert_eq!(baseline["known"], known);
    assert!(known > 20);
    assert_eq!(report["resolved"][0]["code"], "HTTP_SLOW_RESPONSE_NEAR");

    // Yesterday against tonight the other way round: that finding is new, and the gate trips.
    let out = originscan(&scan_command(
        &lab,
        &targets,
        &[
            "-f",
            "json",
            "--baseline",
            tonight.to_str().unwrap(),
            "--fail-on-new",
            "medium",
        ],
    ))
    .await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a new medium finding trips --fail-on-new medium"
    );

    // `diff` says what changed.
    let out = originscan(&args(&[
        "diff",
        yesterday.to_str().unwrap(),
        tonight.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&slow) && text.contains("HTTP_SLOW_RESPONSE_NEAR"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_shards_merged_equal_the_whole_scan() {
    let lab = LabRun::start(45).await;
    let targets = lab.path("targets.csv");
    let whole = lab.path("whole.json");
    let out = originscan(&scan_command(
        &lab,
        &targets,
        &["-f", "json", "-o", whole.to_str().unwrap()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut shards = Vec::new();
    for i in 1..=4 {
        let path = lab.path(&format!("shard-{i}.json"));
        let shard = format!("{i}/4");
        let out = originscan(&scan_command(
            &lab,
            &targets,
            &[
                "-f",
                "json",
                "-o",
                path.to_str().unwrap(),
                "--shard",
                &shard,
            ],
        ))
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        shards.push(path.display().to_string());
    }
    let sizes: Vec<usize> = shards
        .iter()
        .map(|p| read_json(Path::new(p))["origins"].as_array().unwrap().len())
        .collect();
    assert!(
        sizes.iter().all(|n| *n > 0),
        "every shard has work: {sizes:?}"
    );
    let merged = lab.path("merged.json");
    let mut command = args(&["merge", "-f", "json", "-o", merged.to_str().unwrap()]);
    command.extend(shards);
    let out = originscan(&command).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let whole: Report = serde_json::from_value(read_json(&whole)).unwrap();
    let merged: Report = serde_json::from_value(read_json(&merged)).unwrap();
    assert_eq!(codes_by_origin(&merged), codes_by_origin(&whole));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_of_a_lab_scan_renders_in_chromium() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run)"
        );
        crate::common::skip("chromium is not installed");
        return;
    };
    let lab = LabRun::start(45).await;
    let html = lab.path("report.html");
    let out = originscan(&scan_command(
        &lab,
        &lab.path("targets.csv"),
        &["-o", html.to_str().unwrap()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let profile = tempfile::tempdir().unwrap();
    let dom = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .await
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(
        dom.matches("class=\"origin-row\"").count(),
        45,
        "one row per origin"
    );
    let json_out = originscan(&scan_command(
        &lab,
        &lab.path("targets.csv"),
        &["-f", "json"],
    ))
    .await;
    let report: Report = serde_json::from_slice(&json_out.stdout).unwrap();
    let critical = report.summary.by_risk[&originscan::finding::Risk::Critical];
    assert!(
        dom.contains(&format!("id=\"count-critical\">{critical}<")),
        "critical count {critical} shown"
    );
}
