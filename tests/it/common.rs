//! Shared test helpers: start the lab on loopback, run the real binary against it.

use std::path::{Path, PathBuf};
use std::process::Output;

use originscan::lab::fleet::FleetMix;
use originscan::lab::{Lab, LabConfig, TruthEntry};

/// A running lab with its files written to a temporary directory.
pub struct LabRun {
    pub lab: Lab,
    pub dir: tempfile::TempDir,
}

impl LabRun {
    pub async fn start(count: usize) -> LabRun {
        LabRun::start_with(count, false).await
    }

    pub async fn start_with(count: usize, hostile: bool) -> LabRun {
        let mix = if hostile {
            FleetMix::Hostile
        } else {
            FleetMix::Standard
        };
        LabRun::start_mix(count, mix).await
    }

    pub async fn start_mix(count: usize, mix: FleetMix) -> LabRun {
        LabRun::start_config(LabConfig {
            count,
            block: 2,
            mix,
            ..LabConfig::default()
        })
        .await
    }

    pub async fn start_config(config: LabConfig) -> LabRun {
        let lab = Lab::start(config).await.expect("lab starts");
        let dir = tempfile::tempdir().expect("temp dir");
        lab.write_files(dir.path()).expect("lab files");
        LabRun { lab, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The options that point a scan at the lab.
    pub fn lab_args(&self) -> Vec<String> {
        self.lab.scan_args(&self.path("ca.pem"))
    }

    pub fn truth(&self) -> &[TruthEntry] {
        &self.lab.truth
    }

    pub fn truth_of(&self, pathology: &str) -> &TruthEntry {
        self.lab
            .truth
            .iter()
            .find(|t| t.pathology == pathology)
            .unwrap_or_else(|| panic!("no {pathology} origin in the lab"))
    }
}

/// Runs `originscan ARGS...` to completion.
pub async fn originscan(args: &[String]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_originscan"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("originscan runs")
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("report file");
    serde_json::from_str(&text).expect("report is JSON")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Says that a test is skipped because a real peer is missing, on the real stderr: libtest
/// captures `eprintln!`, so a skip would be visible only with `--nocapture`.
pub fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {reason}");
}
