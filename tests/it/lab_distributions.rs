//! The nightly account scan, from the lab's own `list-distributions` export: every origin is
//! reported under the right distribution, with that distribution's settings applied, and S3 and
//! VPC origins are listed as skipped.

use crate::common;

use std::collections::BTreeMap;

use common::{args, originscan, stderr, LabRun};
use originscan::lab::export::ExportTruth;
use originscan::report::Report;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_the_lab_through_its_cloudfront_export() {
    let lab = LabRun::start(48).await;
    let mut command = args(&["scan", "--no-progress", "-f", "json", "-i"]);
    command.push(lab.path("distributions.json").display().to_string());
    command.extend(lab.lab_args());
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");

    let truth: Vec<ExportTruth> =
        serde_json::from_slice(&std::fs::read(lab.path("distributions-truth.json")).unwrap())
            .unwrap();
    assert_eq!(
        report.origins.len(),
        truth.len(),
        "one row per custom origin"
    );
    let rows: BTreeMap<(String, String), &originscan::report::OriginReport> = report
        .origins
        .iter()
        .map(|o| {
            (
                (
                    o.distribution_id.clone().unwrap_or_default(),
                    o.origin_id.clone().unwrap_or_default(),
                ),
                o,
            )
        })
        .collect();
    let mut mismatches = Vec::new();
    for entry in &truth {
        let row = rows
            .get(&(entry.distribution_id.clone(), entry.origin_id.clone()))
            .unwrap_or_else(|| panic!("{}/{} has no row", entry.distribution_id, entry.origin_id));
        assert_eq!(row.origin, entry.origin);
        let mut codes: Vec<String> = row.codes().iter().map(|c| c.to_string()).collect();
        codes.sort();
        if codes != entry.expected {
            mismatches.push(format!(
                "{} {}: {codes:?} != {:?}",
                entry.distribution_id, entry.origin, entry.expected
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // Host forwarding came from the behaviors; the aliases are reported.
    let forwarded: Vec<_> = report
        .origins
        .iter()
        .filter(|o| o.host_forwarding.as_deref() == Some("forwarded"))
        .collect();
    assert!(forwarded.len() >= 2, "both Host-forwarding styles");
    assert!(forwarded.iter().all(|o| !o.aliases.is_empty()));
    // Settings applied: the filtered origin used its distribution's 1 s ConnectionTimeout.
    let filtered = report
        .origins
        .iter()
        .find(|o| o.origin.contains("-filtered."))
        .expect("filtered origin");
    assert_eq!(filtered.findings[0].evidence["connect_timeout_s"], 1);
    // S3 REST and VPC origins are listed, not scanned.
    assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);

    // Every field of the lab's export exists in AWS's API model.
    let check = std::process::Command::new("python3")
        .args(["-c", "import botocore"])
        .status()
        .is_ok_and(|s| s.success());
    if check {
        let status = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scripts/check-fixture-fields.py"
            ))
            .arg(lab.path("distributions.json"))
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the lab's distributions.json has fields botocore does not know"
        );
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install botocore (.ci/run)"
        );
        crate::common::skip("botocore field check (pip install botocore)");
    }
}
