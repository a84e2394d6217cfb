//! The JUnit, GitHub and HTML formats against the tools that read them, on a report built in
//! memory (no network): the JUnit XML against the Jenkins-shaped XSD with `xmllint`
//! (Debian `libxml2-utils`), the HTML page in headless Chromium (Debian `chromium`). When a tool
//! is missing the test fails under CI (`CI` set) and is skipped otherwise.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use originscan::finding::{Code, Finding, GateLevel, Risk, Severity};
use originscan::report::{baseline, Format, OriginReport, Report, TimingsMs};

const HOSTILE: &str =
    "<script>alert(1)</script><img src=x onerror=alert(2)>\"&'%0A\u{0}\u{1b}[31m\u{b}";
const PLANTED_URL: &str = "https://evil.example/x.js";

fn origin(name: &str, findings: Vec<Finding>) -> OriginReport {
    OriginReport {
        rank: None,
        origin: name.to_string(),
        port: 443,
        protocol_policy: "https-only".into(),
        sni: Some(name.to_string()),
        host_header: None,
        distribution_id: None,
        origin_id: None,
        origin_groups: Vec::new(),
        aliases: Vec::new(),
        host_forwarding: None,
        input: Some("targets.txt:1".into()),
        settings: None,
        addresses: vec!["192.0.2.10".into()],
        risk: originscan::finding::risk_of(&findings),
        score: originscan::finding::score_of(&findings),
        findings,
        timings_ms: TimingsMs {
            dns: Some(12),
            connect: Some(30),
            tls: Some(45),
            ttfb: Some(80),
            total: Some(1_250),
        },
        earliest_cert_expiry: None,
    }
}

fn certificate(not_after: &str) -> serde_json::Value {
    serde_json::json!({"index": 0, "subject": "CN=x", "not_after": not_after})
}

/// A report with every risk level, a CloudFront distribution, hostile text from "the network",
/// certificate dates, a skipped origin, warnings and a baseline comparison.
fn sample() -> Report {
    let mut from_export = origin(
        "api.example.com",
        vec![Finding::new(Code::TCP_SLOW_CONNECT, "connect took 6 s")],
    );
    from_export.distribution_id = Some("E2QWRUHAPOMQZL".into());
    from_export.origin_id = Some("api-origin".into());
    let mut hostile = origin(
        HOSTILE,
        vec![
            Finding::new(Code::CERT_NAME_MISMATCH, HOSTILE)
                .evidence("names", serde_json::json!([HOSTILE, PLANTED_URL]))
                .evidence("certificate", certificate("2026-01-15T00:00:00Z")),
            Finding::new(Code::HTTP_NO_KEEPALIVE, "closes after every response"),
        ],
    );
    hostile.host_header = Some(PLANTED_URL.into());
    let origins = vec![
        origin(
            "expired.example.com",
            vec![
                Finding::new(Code::CERT_EXPIRED, "the leaf expired 3 days ago")
                    .evidence("certificate", certificate("2025-02-26T00:00:00Z")),
            ],
        ),
        origin(
            "soon.example.com",
            vec![
                Finding::new(Code::CERT_EXPIRES_SOON, "the leaf expires in 5 days")
                    .evidence("certificate", certificate("2025-03-06T00:00:00Z")),
            ],
        ),
        from_export,
        origin(
            "lonely-ns.example.com",
            vec![Finding::new(Code::DNS_NS_SINGLE, "one name server")],
        ),
        origin("healthy.example.com", vec![]),
        origin(
            "info-only.example.com",
            vec![Finding::new(Code::TLS_SNI_DEPENDENT, "context").severity(Severity::Info)],
        ),
        hostile,
    ];
    let mut report = Report::new(
        origins,
        serde_json::from_value(serde_json::json!({"concurrency": 8})).expect("typed"),
        Duration::from_millis(4321),
        false,
        0,
    );
    report.generated_at = "2025-03-01T00:00:00Z".into();
    report.skipped.push(
        serde_json::from_value(serde_json::json!({
            "domain": "assets.s3.us-east-1.amazonaws.com",
            "distribution_id": "E2QWRUHAPOMQZL",
            "origin_id": "s3-assets",
            "reason": "S3 REST origin: CloudFront signs the request"
        }))
        .expect("typed"),
    );
    report.warnings.push(format!("input line 9: {HOSTILE}"));
    let previous = Report::new(
        vec![
            origin(
                "expired.example.com",
                vec![Finding::new(Code::CERT_EXPIRES_SOON, "expires in 4 days")],
            ),
            origin(
                "retired.example.com",
                vec![Finding::new(Code::TCP_REFUSED, "refused")],
            ),
        ],
        serde_json::from_value(serde_json::json!({})).expect("typed"),
        Duration::ZERO,
        false,
        0,
    );
    baseline::apply(&mut report, &previous);
    report
}

/// The path of `tool` if it is installed. Missing: a failure under CI, else `None` (skip).
fn tool(name: &str, debian_package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is missing: apt-get install -y {debian_package}"
        );
        crate::common::skip(&format!(
            "{name} is not installed (apt-get install -y {debian_package})"
        ));
    }
    found
}

/// Runs a command with a deadline, killing it when the deadline passes.
fn run(mut command: Command, deadline: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("command starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("{command:?} did not finish within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

fn render(report: &Report, format: Format, gate: GateLevel) -> String {
    let mut out = Vec::new();
    report
        .write(format, &mut out, false, gate)
        .expect("report writes");
    String::from_utf8(out).expect("UTF-8")
}

fn xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junit/junit.xsd")
}

fn xmllint(args: &[&str], file: &Path) -> Output {
    let mut command = Command::new("xmllint");
    command.args(args).arg(file);
    run(command, Duration::from_secs(60))
}

fn xpath(file: &Path, expression: &str) -> String {
    let output = xmllint(&["--xpath", expression], file);
    assert!(
        output.status.success(),
        "xpath {expression}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn junit_validates_against_the_jenkins_schema() {
    if tool("xmllint", "libxml2-utils").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = xsd();
    let schema = schema.to_str().expect("UTF-8 path");
    let report = sample();
    // (gate, failing test cases, <failure> elements)
    for (gate, failing, failures) in [
        ("never", 0, 0),
        ("critical", 2, 2),
        ("high", 3, 3),
        ("medium", 4, 4),
        ("low", 5, 6),
    ] {
        let level: GateLevel = gate.parse().expect("level");
        let file = dir.path().join(format!("junit-{gate}.xml"));
        std::fs::write(&file, render(&report, Format::Junit, level)).expect("write");
        let well_formed = xmllint(&["--noout"], &file);
        assert!(
            well_formed.status.success(),
            "{gate}: not well-formed: {}",
            String::from_utf8_lossy(&well_formed.stderr)
        );
        let valid = xmllint(&["--noout", "--schema", schema], &file);
        assert!(
            valid.status.success(),
            "{gate}: invalid: {}",
            String::from_utf8_lossy(&valid.stderr)
        );
        let suite = "/testsuites/testsuite[@name='originscan']";
        assert_eq!(xpath(&file, &format!("count({suite})")), "1");
        assert_eq!(xpath(&file, &format!("string({suite}/@tests)")), "8");
        assert_eq!(xpath(&file, &format!("count({suite}/testcase)")), "8");
        assert_eq!(xpath(&file, &format!("string({suite}/@skipped)")), "1");
        assert_eq!(xpath(&file, &format!("string({suite}/@errors)")), "0");
        assert_eq!(xpath(&file, &format!("string({suite}/@time)")), "4.321");
        assert_eq!(
            xpath(&file, &format!("string({suite}/@failures)")),
            failing.to_string(),
            "{gate}"
        );
        assert_eq!(
            xpath(&file, &format!("count({suite}/testcase[failure])")),
            failing.to_string(),
            "{gate}"
        );
        assert_eq!(
            xpath(&file, "count(//failure)"),
            failures.to_string(),
            "{gate}"
        );
        // The hostile origin's name survives as text, not markup.
        assert_eq!(
            xpath(
                &file,
                "count(//testcase[starts-with(@name, '<script>alert(1)')])"
            ),
            "1"
        );
        assert_eq!(xpath(&file, "count(//script | //img)"), "0");
        assert_eq!(
            xpath(
                &file,
                "string(//testcase[@name='api.example.com:443']/@classname)"
            ),
            "E2QWRUHAPOMQZL"
        );
        assert_eq!(
            xpath(
                &file,
                "string(//testcase[@name='api.example.com:443']/@time)"
            ),
            "1.250",
            "the whole origin's time, not the sum of four phases"
        );
    }
    let file = dir.path().join("junit-critical.xml");
    assert_eq!(
        xpath(
            &file,
            "string(//testcase[@name='expired.example.com:443']/failure/@message)"
        ),
        "CERT_EXPIRED: the leaf expired 3 days ago"
    );
    assert_eq!(
        xpath(
            &file,
            "string(//testcase[@name='expired.example.com:443']/failure/@type)"
        ),
        "CERT_EXPIRED"
    );

    // The validator can fail: a suite without its counts is refused.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?><testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>",
    )
    .expect("write");
    assert!(!xmllint(&["--noout", "--schema", schema], &broken)
        .status
        .success());
}

#[test]
fn github_annotations_are_one_line_each() {
    let report = sample();
    let text = render(&report, Format::Github, "medium".parse().expect("level"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::error title=CERT_EXPIRED::expired.example.com:443: ")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::error title=CERT_NAME_MISMATCH::")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::error title=CERT_EXPIRES_SOON::")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::warning title=TCP_SLOW_CONNECT::")));
    assert!(text.contains("%250A"));
}

/// `dom` with every attribute value emptied (so only markup and text are left to inspect).
fn without_attribute_values(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let (mut in_tag, mut in_value) = (false, false);
    for c in dom.chars() {
        match (in_tag, in_value, c) {
            (_, true, '"') => {
                in_value = false;
                out.push(c);
            }
            (_, true, _) => {}
            (false, _, '<') => {
                in_tag = true;
                out.push(c);
            }
            (true, _, '"') => {
                in_value = true;
                out.push(c);
            }
            (true, _, '>') => {
                in_tag = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect("start") + start.len();
    &text[from..from + text[from..].find(end).expect("end")]
}

fn chromium_dom(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--user-data-dir={}", profile.path().display()),
        "--dump-dom",
        url,
    ]);
    let output = run(command, Duration::from_secs(120));
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(dom.contains("</html>"), "no DOM dumped: {dom}");
    dom
}

#[test]
fn html_is_self_contained_and_renders_in_chromium() {
    let report = sample();
    let html = render(&report, Format::Html, GateLevel::Never);

    // No network assets: no stylesheet or script links, imports or CSS URLs, and the one URL
    // in the page is the one planted in the report's text, escaped into a text node.
    for banned in ["<script src", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "the page contains {banned}");
    }
    let markup_only = without_attribute_values(&html);
    let plain_count = |s: &str| s.matches("http://").count() + s.matches("https://").count();
    assert_eq!(plain_count(between(&html, "<style>", "</style>")), 0);
    assert_eq!(
        plain_count(between(&html, "<script nonce=", "</script>")),
        0
    );
    // Outside attribute values, every URL is the planted one (host header, evidence).
    assert_eq!(
        plain_count(&markup_only),
        markup_only.matches(PLANTED_URL).count()
    );
    for (i, _) in markup_only.match_indices(PLANTED_URL) {
        let before = &markup_only[..i];
        assert!(
            before.rfind('<') < before.rfind('>'),
            "a URL inside a tag at {i}"
        );
    }
    // In attribute values (the filter's search text), only the planted one as well.
    assert_eq!(
        plain_count(&html) - plain_count(&markup_only),
        html.matches(PLANTED_URL).count() - markup_only.matches(PLANTED_URL).count()
    );

    let Some(chromium) = tool("chromium", "chromium") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write");
    let url = format!("file://{}", page.display());
    let dom = chromium_dom(&chromium, &url);

    assert_eq!(
        dom.matches("<tr class=\"origin-row\"").count(),
        report.origins.len()
    );
    for risk in Risk::ALL {
        let expected = report.summary.by_risk.get(&risk).copied().unwrap_or(0);
        assert!(
            dom.contains(&format!("id=\"count-{risk}\">{expected}</span>")),
            "#count-{risk} is not {expected}"
        );
    }
    assert!(dom.contains("id=\"filter\""));
    assert!(dom.contains("<svg id=\"findings-chart\""));
    assert_eq!(dom.matches("<g class=\"expiry\"").count(), 3);
    // The hostile text made no elements.
    let dom_markup = without_attribute_values(&dom);
    assert_eq!(dom_markup.matches("<script").count(), 1);
    assert!(!dom_markup.contains("<img"));
    assert_eq!(
        dom_markup.matches("<tr").count(),
        report.origins.len() + 1,
        "header row plus one per origin"
    );

    // The filter (set from the address) hides the rows that do not match.
    let dom = chromium_dom(&chromium, &format!("{url}#filter=cert_expire"));
    let rows: Vec<&str> = dom
        .split("<tr class=\"origin-row\"")
        .skip(1)
        .map(|row| &row[..row.find('>').expect("tag end")])
        .collect();
    assert_eq!(rows.len(), report.origins.len());
    let hidden = rows.iter().filter(|r| r.contains("display: none")).count();
    assert_eq!(hidden, report.origins.len() - 2, "only two origins match");
    assert!(dom.contains("<span id=\"shown\">2</span>"));
}
