//! An interrupted scan loses nothing: SIGINT (or SIGTERM) stops new work, cancels what is in
//! flight, and the report holds every origin that finished, says the scan was interrupted and
//! how many targets were not scanned; NDJSON is complete line by line.

use crate::common;

use std::time::Duration;

use common::{args, LabRun};
use originscan::report::Report;

async fn interrupted_scan(
    lab: &LabRun,
    format: &str,
    signal: &str,
) -> (Option<i32>, std::path::PathBuf) {
    let out = lab.path(&format!("interrupted-{signal}.{format}"));
    let mut command = args(&[
        "scan",
        "--no-progress",
        "--concurrency",
        "2",
        "-f",
        format,
        "-o",
        out.to_str().unwrap(),
        "-i",
    ]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_originscan"))
        .args(&command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("scan starts");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the scan stops promptly after the signal")
        .expect("exit status");
    (status.code(), out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_and_sigterm_write_what_finished() {
    let lab = LabRun::start(120).await;
    let total = lab.truth().len();

    let (code, path) = interrupted_scan(&lab, "json", "-INT").await;
    assert_eq!(code, Some(130));
    let report: Report =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("complete JSON");
    assert!(report.summary.interrupted);
    assert!(
        !report.origins.is_empty() && report.origins.len() < total,
        "{} of {total}",
        report.origins.len()
    );
    assert_eq!(report.origins.len() + report.summary.not_scanned, total);

    let (code, path) = interrupted_scan(&lab, "ndjson", "-TERM").await;
    assert_eq!(code, Some(130));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty() && lines.len() < total);
    for line in lines {
        let origin: serde_json::Value =
            serde_json::from_str(line).expect("every NDJSON line is whole");
        assert!(origin["origin"].is_string());
    }

    let (code, path) = interrupted_scan(&lab, "csv", "-INT").await;
    assert_eq!(code, Some(130));
    let rows = csv::Reader::from_path(&path).unwrap().records().count();
    assert!(rows > 0 && rows < total);
}
