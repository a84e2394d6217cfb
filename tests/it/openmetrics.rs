//! `-f openmetrics` against the tools that read it, on a real lab scan: Prometheus's own
//! `promtool check metrics` (Debian `prometheus`: the Prometheus text parser and its linter, what
//! the textfile collector and the Pushgateway parse) and the OpenMetrics 1.0 parser of the
//! Prometheus Python client (PyPI `prometheus-client`: `# EOF`, whole families, `# UNIT`
//! suffixes). Neither catches a series written twice, which both formats forbid: the test does.
//! The metrics are compared with the JSON report of the same scan, through both paths to a
//! `.prom` file: `scan -f openmetrics` and the nightly script's `merge REPORT.json -o X.prom`.
//! When a tool is missing the test fails under CI (`CI` set) and is skipped otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{args, originscan, read_json, stderr, LabRun};

/// The origin id planted on the first lab origin: a quote, a backslash, a line feed and an
/// escape sequence, from the input file.
const HOSTILE_ID: &str = "x\"y\\z\nw\u{1b}[31m";
/// The same id as a label value: `\"`, `\\`, `\n` escaped, ESC shown as text.
const HOSTILE_LABEL: &str = r#"origin_id="x\"y\\z\nw\\u{1b}[31m""#;

/// `promtool`, if installed; missing: a failure under CI, else `None` (skip).
fn promtool() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("promtool"))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "promtool is missing: apt-get install -y prometheus"
        );
        crate::common::skip("promtool is not installed (apt-get install -y prometheus)");
    }
    found
}

/// Whether `python3` can import the Prometheus client's OpenMetrics parser.
fn openmetrics_parser_available() -> bool {
    let available = Command::new("python3")
        .args(["-c", "import prometheus_client.openmetrics.parser"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 cannot import prometheus_client: pip install prometheus-client"
        );
        crate::common::skip(
            "python3 cannot import prometheus_client (pip install prometheus-client)",
        );
    }
    available
}

/// `promtool check metrics < file`: its exit status and what it said.
fn promtool_check(promtool: &Path, file: &Path) -> (bool, String) {
    let out = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(file).expect("metrics file"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("promtool runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && said.trim().is_empty(), said)
}

/// The Python client's OpenMetrics parser over the file: `Ok(samples)` or its error.
fn openmetrics_parse(file: &Path) -> Result<usize, String> {
    let script = "import sys\n\
        from prometheus_client.openmetrics.parser import text_string_to_metric_families\n\
        families = list(text_string_to_metric_families(open(sys.argv[1], encoding='utf-8').read()))\n\
        print(sum(len(f.samples) for f in families))\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python3 runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a count"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Samples by series (`name{labels}`), each series once; panics on a repeated series.
fn samples(text: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        assert!(
            found
                .insert(series.to_string(), value.to_string())
                .is_none(),
            "{series} written twice"
        );
    }
    found
}

/// The label set the metrics give a JSON report row.
fn labels_of(row: &serde_json::Value) -> String {
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\u{1b}', "\\\\u{1b}")
    };
    let mut labels = format!(
        "origin=\"{}\",port=\"{}\"",
        escape(row["origin"].as_str().unwrap()),
        row["port"]
    );
    for name in ["distribution_id", "origin_id"] {
        if let Some(value) = row[name].as_str() {
            labels.push_str(&format!(",{name}=\"{}\"", escape(value)));
        }
    }
    labels
}

fn risk_value(risk: &str) -> &'static str {
    match risk {
        "ok" => "0",
        "low" => "1",
        "medium" => "2",
        "high" => "3",
        "critical" => "4",
        other => panic!("risk {other}"),
    }
}

/// The lab's targets.csv with `distribution_id` and `origin_id` columns, the first row's origin
/// id hostile.
fn input_with_ids(lab: &LabRun) -> PathBuf {
    let csv = std::fs::read_to_string(lab.path("targets.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        match i {
            0 => out.push_str(&format!("{line},distribution_id,origin_id\n")),
            1 => out.push_str(&format!(
                "{line},E1ABCDEF,\"{}\"\n",
                HOSTILE_ID.replace('"', "\"\"")
            )),
            _ => out.push_str(&format!("{line},E{i}ABCDEF,origin-{i}\n")),
        }
    }
    let path = lab.path("with-ids.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lab_scan_passes_promtool_and_the_openmetrics_parser() {
    let promtool = promtool();
    let parser = openmetrics_parser_available();
    let lab = LabRun::start(45).await;
    let input = input_with_ids(&lab);
    let scan = |output: PathBuf, format: Option<&'static str>| {
        let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-i"]);
        command.push(input.display().to_string());
        command.extend(lab.lab_args());
        if let Some(format) = format {
            command.extend(args(&["-f", format]));
        }
        command.push("-o".into());
        command.push(output.display().to_string());
        command
    };
    let json_path = lab.path("report.json");
    let out = originscan(&scan(json_path.clone(), None)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A `.prom` file is OpenMetrics by its extension; `-f` names it for any other file.
    let scanned = lab.path("scan.prom");
    let out = originscan(&scan(scanned.clone(), None)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let direct = lab.path("scan.metrics");
    let out = originscan(&scan(direct.clone(), Some("openmetrics"))).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The nightly script's path: the JSON report converted.
    let merged = lab.path("merged.prom");
    let mut command = args(&["merge"]);
    command.push(json_path.display().to_string());
    command.push("-o".into());
    command.push(merged.display().to_string());
    let out = originscan(&command).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let report = read_json(&json_path);
    let rows = report["origins"].as_array().unwrap();
    assert_eq!(rows.len(), lab.truth().len());
    for file in [&scanned, &direct, &merged] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.ends_with("\n# EOF\n"), "{text}");
        assert!(text.contains(HOSTILE_LABEL), "{text}");
        assert!(!text.contains('\u{1b}'));
        let samples = samples(&text);
        // Every row of the JSON report, with its risk, score and findings by severity.
        for row in rows {
            let labels = labels_of(row);
            let get = |name: &str| {
                samples
                    .get(&format!("{name}{{{labels}}}"))
                    .unwrap_or_else(|| panic!("no {name}{{{labels}}} in {}", file.display()))
                    .as_str()
            };
            assert_eq!(
                get("originscan_origin_risk"),
                risk_value(row["risk"].as_str().unwrap())
            );
            assert_eq!(get("originscan_origin_score"), row["score"].to_string());
            let findings = row["findings"].as_array().unwrap();
            for severity in ["critical", "high", "medium", "low", "info"] {
                let count = findings
                    .iter()
                    .filter(|f| f["severity"] == severity)
                    .count();
                let series =
                    format!("originscan_origin_findings{{{labels},severity=\"{severity}\"}}");
                assert_eq!(samples[&series], count.to_string(), "{series}");
            }
            let expiry =
                format!("originscan_ssl_earliest_cert_expiry_timestamp_seconds{{{labels}}}");
            match row["earliest_cert_expiry"].as_str() {
                Some(_) => assert!(samples.contains_key(&expiry), "{expiry}"),
                None => assert!(!samples.contains_key(&expiry), "{expiry}"),
            }
        }
        let risks = samples
            .keys()
            .filter(|s| s.starts_with("originscan_origin_risk{"))
            .count();
        assert_eq!(risks, rows.len());
        assert_eq!(
            samples["originscan_scan_origins{risk=\"critical\"}"],
            report["summary"]["by_risk"]["critical"].to_string()
        );

        if let Some(promtool) = &promtool {
            let (ok, said) = promtool_check(promtool, file);
            assert!(ok, "promtool check metrics {}: {said}", file.display());
        }
        if parser {
            let parsed = openmetrics_parse(file)
                .unwrap_or_else(|e| panic!("OpenMetrics parser on {}: {e}", file.display()));
            assert_eq!(parsed, samples.len());
        }
    }
    // A certificate the lab made is valid for a while: the healthy origin's expiry is there
    // though no finding mentions it, and lies in the future.
    let healthy = lab.truth_of("healthy-rsa");
    let row = rows
        .iter()
        .find(|r| r["origin"] == healthy.origin.as_str())
        .expect("healthy row");
    assert!(row["findings"].as_array().unwrap().is_empty());
    let samples = samples(&std::fs::read_to_string(&scanned).unwrap());
    let expiry: i64 = samples[&format!(
        "originscan_ssl_earliest_cert_expiry_timestamp_seconds{{{}}}",
        labels_of(row)
    )]
        .parse()
        .unwrap();
    let now: i64 = samples["originscan_scan_timestamp_seconds"]
        .parse()
        .unwrap();
    assert!(expiry > now, "{expiry} <= {now}");
}

/// The validators catch what they must, so that their passing above means something: a file
/// cut before `# EOF`, a family split in two, and an unescaped quote.
#[test]
fn the_validators_reject_broken_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.prom");
    if openmetrics_parser_available() {
        for broken in [
            "# TYPE a gauge\na 1\n",
            "# TYPE a gauge\na{b=\"c\"} 1\n# TYPE d gauge\nd 1\na{b=\"e\"} 1\n# EOF\n",
        ] {
            std::fs::write(&file, broken).unwrap();
            assert!(openmetrics_parse(&file).is_err(), "{broken}");
        }
    }
    if let Some(promtool) = promtool() {
        std::fs::write(&file, "# TYPE a gauge\na{b=\"c\"d\"} 1\n").unwrap();
        assert!(!promtool_check(&promtool, &file).0);
        // Its linter: a counter must end in _total.
        std::fs::write(&file, "# HELP a x\n# TYPE a counter\na 1\n").unwrap();
        assert!(!promtool_check(&promtool, &file).0);
    }
}
