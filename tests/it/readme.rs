//! The README's bulk-audit one-liners, run as written (a user copies them), against the lab:
//! `origins.csv` is the lab's targets.csv and `origins.txt` a list of its origins. Only the
//! scanner's own flags that point it at the lab are added.

use std::path::Path;

use crate::common::LabRun;

/// The indented command lines of the README section that starts with `heading`.
fn commands_of(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n### ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("no README section {heading}"));
    section
        .lines()
        .filter(|l| l.starts_with("    ") && l.contains("originscan scan"))
        .map(|l| match l.find("  # ") {
            Some(comment) => l[..comment].trim().to_string(),
            None => l.trim().to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_audit_one_liners_work_as_written() {
    let lab = LabRun::start(45).await;
    let dir = lab.dir.path();
    std::fs::copy(lab.path("targets.csv"), dir.join("origins.csv")).unwrap();
    // The list gets CloudFront's default timeouts (30 s reads): healthy origins keep it quick.
    let healthy: Vec<_> = lab
        .truth()
        .iter()
        .filter(|t| t.pathology.starts_with("healthy"))
        .collect();
    let list: String = healthy
        .iter()
        .map(|t| format!("{}:{}\n", t.origin, t.port))
        .collect();
    std::fs::write(dir.join("origins.txt"), format!("# the fleet\n{list}")).unwrap();
    let lab_args = lab.lab_args().join(" ");
    let bin = Path::new(env!("CARGO_BIN_EXE_originscan"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commands = commands_of("2. Bulk audit");
    assert!(commands.len() >= 4, "{commands:?}");
    for command in &commands {
        let pointed = command.replacen(
            "originscan scan",
            &format!("originscan scan --no-progress --no-idle-probe {lab_args}"),
            1,
        );
        let out = tokio::process::Command::new("sh")
            .args(["-c", &pointed])
            .current_dir(dir)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command}: {stderr}");
        assert!(
            !stderr.contains("CSV header") && !stderr.contains("error"),
            "{command}: {stderr}"
        );
    }
    // What they wrote: every origin once, ports kept (no header row scanned as a host).
    let ndjson = std::fs::read_to_string(dir.join("audit.ndjson")).unwrap();
    assert_eq!(ndjson.lines().count(), lab.truth().len());
    assert!(!ndjson.contains("\"origin\":\"origin\""));
    // The last line wrote audit.csv from the list on stdin.
    let csv = std::fs::read_to_string(dir.join("audit.csv")).unwrap();
    assert_eq!(csv.lines().count(), healthy.len() + 1);
    assert!(std::fs::metadata(dir.join("audit.html")).unwrap().len() > 1000);
}
