//! The README's nightly recipe (`scripts/originscan-nightly.sh`), run over three nights against
//! the lab: night one has no baseline yet, night two changes nothing, night three meets a new
//! critical finding. The baseline is only ever a report of a night that succeeded, and the
//! metrics for node_exporter's textfile collector (`TEXTFILE`) follow every night that finished,
//! the night whose gate tripped included.

use std::path::Path;
use std::process::Output;

use crate::common::{read_json, LabRun};

async fn night(lab: &LabRun, input: &Path, reports: &Path, name: &str) -> Output {
    tokio::process::Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/originscan-nightly.sh"))
        .args(["--no-progress", "--no-idle-probe"])
        .args(lab.lab_args())
        .env("ORIGINSCAN", env!("CARGO_BIN_EXE_originscan"))
        .env("INPUT", input)
        .env("REPORTS", reports)
        .env("NIGHT", name)
        .env("TEXTFILE", reports.join("textfile/originscan.prom"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("sh runs the nightly script")
}

fn list(lab: &LabRun, pathologies: &[&str]) -> String {
    pathologies
        .iter()
        .map(|p| {
            let entry = lab.truth_of(p);
            format!("{}:{}\n", entry.origin, entry.port)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nights_of_the_readme_recipe() {
    let lab = LabRun::start(45).await;
    let reports = lab.path("reports");
    let input = lab.path("origins.txt");
    let stderr = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // Night one: no baseline yet. Not an error: every finding is new, and healthy origins have
    // none, so the gate passes and the report becomes the baseline.
    std::fs::write(&input, list(&lab, &["healthy-rsa", "healthy-ecdsa"])).unwrap();
    let one = night(&lab, &input, &reports, "night-1").await;
    assert_eq!(one.status.code(), Some(0), "night one: {}", stderr(&one));
    assert!(stderr(&one).contains("no baseline at"), "{}", stderr(&one));
    let baseline = reports.join("baseline.json");
    assert_eq!(
        std::fs::read(&baseline).unwrap(),
        std::fs::read(reports.join("night-1.json")).unwrap()
    );

    // Night two: nothing changed.
    let two = night(&lab, &input, &reports, "night-2").await;
    assert_eq!(two.status.code(), Some(0), "night two: {}", stderr(&two));
    // Every run ends with one summary line naming where the report went.
    let summary = format!("report: {}", reports.join("night-2.json").display());
    assert!(
        stderr(&two).contains("originscan: 2 origins in ") && stderr(&two).contains(&summary),
        "{}",
        stderr(&two)
    );
    assert_eq!(
        read_json(&reports.join("night-2.json"))["summary"]["baseline"]["new"],
        0
    );
    let good = std::fs::read(&baseline).unwrap();
    assert_eq!(good, std::fs::read(reports.join("night-2.json")).unwrap());

    // Night three: an origin with an expired certificate joins: exit 1, the reason on stderr,
    // and the baseline stays night two's.
    std::fs::write(
        &input,
        list(&lab, &["healthy-rsa", "healthy-ecdsa", "expired"]),
    )
    .unwrap();
    let three = night(&lab, &input, &reports, "night-3").await;
    assert_eq!(
        three.status.code(),
        Some(1),
        "night three: {}",
        stderr(&three)
    );
    let expired = &lab.truth_of("expired").origin;
    assert!(
        stderr(&three).contains("gate tripped: --fail-on-new high: 1 origin")
            && stderr(&three).contains(expired.as_str())
            && stderr(&three).contains("CERT_EXPIRED"),
        "{}",
        stderr(&three)
    );
    assert_eq!(std::fs::read(&baseline).unwrap(), good);
    assert_eq!(
        read_json(&reports.join("night-3.json"))["summary"]["baseline"]["new"],
        1
    );
    // The textfile holds night three, the alert's origin at risk 4 (critical), and nothing
    // half-written lies beside it.
    let textfile = reports.join("textfile/originscan.prom");
    let metrics = std::fs::read_to_string(&textfile).unwrap();
    let expired_port = lab.truth_of("expired").port;
    assert!(
        metrics.contains(&format!(
            "originscan_origin_risk{{origin=\"{expired}\",port=\"{expired_port}\"}} 4\n"
        )) && metrics.contains("originscan_scan_baseline_findings{status=\"new\"} 1\n")
            && metrics.ends_with("# EOF\n"),
        "{metrics}"
    );
    let beside: Vec<_> = std::fs::read_dir(textfile.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, [std::ffi::OsString::from("originscan.prom")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_run_leaves_the_existing_report_byte_for_byte() {
    let lab = LabRun::start(45).await;
    let report = lab.path("report.json");
    let before = b"{\"an\": \"earlier report\"}\n".to_vec();
    std::fs::write(&report, &before).unwrap();
    let input = lab.path("origins.txt");
    std::fs::write(&input, list(&lab, &["healthy-rsa"])).unwrap();
    // A missing baseline without --baseline-optional: exit 2 before any traffic.
    let mut command = crate::common::args(&["scan", "--no-progress", "-i"]);
    command.push(input.display().to_string());
    command.extend(lab.lab_args());
    command.extend(crate::common::args(&["--baseline"]));
    command.push(lab.path("missing.json").display().to_string());
    command.extend(crate::common::args(&["-o"]));
    command.push(report.display().to_string());
    let out = crate::common::originscan(&command).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&report).unwrap(), before);
    // Nor is a new report file left behind empty.
    let fresh = lab.path("fresh.json");
    let position = command.iter().position(|a| a == "-o").unwrap();
    command[position + 1] = fresh.display().to_string();
    let out = crate::common::originscan(&command).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(lab.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_silences_the_summary_but_not_the_gates_reason() {
    let lab = LabRun::start(45).await;
    let input = lab.path("origins.txt");
    std::fs::write(&input, list(&lab, &["expired"])).unwrap();
    let mut command = crate::common::args(&["scan", "-q", "--fail-on", "critical", "-i"]);
    command.push(input.display().to_string());
    command.extend(lab.lab_args());
    command.extend(crate::common::args(&["-o"]));
    command.push(lab.path("out.json").display().to_string());
    let out = crate::common::originscan(&command).await;
    let stderr = crate::common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains(" origins in ") && !stderr.contains(" origin in "),
        "{stderr}"
    );
    assert!(
        stderr.contains("gate tripped: --fail-on critical: 1 origin at or above critical: ")
            && stderr.contains("CERT_EXPIRED"),
        "{stderr}"
    );
}

/// The umask of this process (Linux's /proc/self/status), 0o022 if it cannot be read.
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// A report file gets the mode `>` would give it, though it is written to a temporary file
/// first (which alone would be 0600): a new one what the umask leaves of 0666, so that another
/// user's reader (node_exporter's textfile collector) can read it; an existing one keeps its
/// mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_file_gets_the_mode_a_redirect_would() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let lambda = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lambda/valid");
    let first = std::fs::read_dir(&lambda)
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let write = |name: &str| {
        let mut command = crate::common::args(&[
            "lint-lambda",
            "--fail-on",
            "never",
            "--event",
            "origin-request",
        ]);
        command.push(first.display().to_string());
        command.push("-o".into());
        command.push(dir.path().join(name).display().to_string());
        command
    };
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    let out = crate::common::originscan(&write("new.prom")).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    assert_eq!(mode("new.prom"), 0o666 & !umask());
    std::fs::write(dir.path().join("kept.json"), "{}").unwrap();
    std::fs::set_permissions(
        dir.path().join("kept.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let out = crate::common::originscan(&write("kept.json")).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    assert_eq!(mode("kept.json"), 0o640);
    assert!(std::fs::read_to_string(dir.path().join("kept.json"))
        .unwrap()
        .contains("originscan.report.v1"));
}
