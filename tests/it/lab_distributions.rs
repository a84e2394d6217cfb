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

    // Every third origin is http2 (issue 16): offered h2, it falls back to HTTP/1.1 (no lab
    // server selects h2), and the truth above held.
    let http2: Vec<_> = report
        .origins
        .iter()
        .filter_map(|o| o.settings.as_ref())
        .filter(|s| s.http_version == "http2")
        .collect();
    assert!(http2.len() >= 10, "{} http2 origins", http2.len());
    assert!(http2.iter().all(|s| s.alpn_offered == ["h2", "http/1.1"]));
    assert!(http2
        .iter()
        .any(|s| s.http_protocol.as_deref() == Some("http/1.1")));
    assert!(report.origins.iter().all(|o| o
        .settings
        .as_ref()
        .and_then(|s| s.http_protocol.as_deref())
        != Some("h2")));

    // Every field of the lab's export exists in AWS's API model (OriginHttpVersion from
    // botocore 1.44.8; an older model skips the check outside CI).
    const PROBE: &str = "from botocore.loaders import Loader\n\
        s = Loader().load_service_model('cloudfront', 'service-2', '2020-05-31')['shapes']\n\
        assert 'OriginHttpVersion' in s['CustomOriginConfig']['members']";
    let check = std::process::Command::new("python3")
        .args(["-c", PROBE])
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
            "CI must install botocore 1.44.8 or later (.ci/run)"
        );
        crate::common::skip(
            "botocore field check: no botocore, or one whose model has no OriginHttpVersion (pip install -U botocore)",
        );
    }
}
