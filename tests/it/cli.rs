//! The command line's contract: input errors name file and line and exit 2 before any traffic;
//! usage errors exit 2; `explain` teaches.

use crate::common;

use common::{args, originscan, stderr};

#[tokio::test]
async fn a_bad_input_line_stops_the_run_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("t.txt", b"good.example.com\nbad host name\n", "t.txt:2: "),
        (
            "t.csv",
            b"origin,port\ngood.example.com,443\nbad.example.com,22\n",
            "t.csv:3: port 22",
        ),
        (
            "t.csv",
            b"origin,port\na.example.com\n",
            "t.csv:2: 1 fields where the header has 2",
        ),
        (
            "t.csv",
            b"origin,connect_timeout\na.example.com,60\n",
            "t.csv:2: connect_timeout 60 is outside",
        ),
        (
            "t.txt",
            b"a.example.com\n\xff\xfe\n",
            "t.txt:2: not valid UTF-8",
        ),
        ("t.txt", b"\x00\x01\x02binary", "is a binary file"),
        ("empty.txt", b"", "empty.txt: is empty"),
        (
            "extra.csv",
            b"origin,port\na.example.com,443,x\n",
            "extra.csv:2: 3 fields where the header has 2",
        ),
        (
            "comments.txt",
            b"# nothing yet\n\n",
            "comments.txt: has no targets",
        ),
        ("header.csv", b"origin,port\n", "header.csv: has no targets"),
        // Issue 17, item 6: an IDN is taken (line 1), invalid punycode is refused.
        (
            "idn.txt",
            "bücher.example\nxn--zz.example\n".as_bytes(),
            "idn.txt:2: `xn--zz.example`: `xn--zz.example` has invalid punycode in label `xn--zz`",
        ),
        (
            "idn.csv",
            "origin\nbücher.example\nxn--zz.example\n".as_bytes(),
            "idn.csv:3: ",
        ),
    ];
    let long_line = [b"a.example.com\n".as_slice(), &vec![b'x'; 1 << 20], b"\n"].concat();
    let long: (&str, &[u8], &str) = (
        "long.txt",
        &long_line,
        "long.txt:2: line is 1048576 bytes long",
    );
    for (name, content, want) in cases.iter().chain(std::iter::once(&long)) {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        // The resolver is a dead loopback port: a run that got past input would still not leave
        // loopback, and would take seconds; these must fail at once.
        let output = originscan(&args(&[
            "scan",
            "-i",
            path.to_str().unwrap(),
            "--resolver",
            "127.0.0.1:9",
            "--no-progress",
        ]))
        .await;
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(want), "want {want:?} in {message:?}");
        assert!(output.stdout.is_empty(), "no report on input error");
    }
}

/// Issue 17, item 6: an IDN target (command line or list) is scanned under its `xn--` form,
/// which `--resolve` matches whichever form it is given in.
#[tokio::test]
async fn an_idn_target_is_scanned_under_its_ascii_form() {
    // A closed loopback port: the scan gets as far as TCP and no traffic leaves loopback.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("idn.txt");
    std::fs::write(&list, format!("bücher.example:{port}\n")).unwrap();
    for (target, resolve) in [
        (
            vec!["-i".to_string(), list.display().to_string()],
            "xn--bcher-kva.example:127.0.0.1",
        ),
        (
            vec![format!("https://Bücher.example:{port}/")],
            "bücher.example:127.0.0.1",
        ),
    ] {
        let mut command = args(&["scan", "--no-progress", "--no-idle-probe", "-f", "json"]);
        command.extend(target);
        command.extend(args(&[
            "--resolve",
            resolve,
            "--allow-private",
            "127.0.0.0/8",
        ]));
        let output = originscan(&command).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let row = &report["origins"][0];
        assert_eq!(row["origin"], "xn--bcher-kva.example", "{row}");
        assert_eq!(row["findings"][0]["code"], "TCP_REFUSED", "{row}");
    }
}

#[tokio::test]
async fn missing_file_and_bad_flags_are_usage_errors() {
    let output = originscan(&args(&["scan", "-i", "/nonexistent/targets.txt"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/targets.txt"));

    let output = originscan(&args(&["scan", "a.example.com", "--fail-on", "sometimes"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--fail-on"));

    let output = originscan(&args(&[
        "scan",
        "a.example.com",
        "--resolve",
        "a.example.com:nowhere",
    ]))
    .await;
    assert_eq!(output.status.code(), Some(2));

    let output = originscan(&args(&["scan"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no targets"));

    let output = originscan(&args(&["scan", "--no-such-flag"])).await;
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test]
async fn explain_prints_the_catalog_entry() {
    let output = originscan(&args(&["explain", "cert_expired"])).await;
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("CERT_EXPIRED (Certificate, critical)"),
        "{text}"
    );
    assert!(text.contains("fix: Renew"));

    let output = originscan(&args(&["explain", "NOT_A_CODE"])).await;
    assert_eq!(output.status.code(), Some(2));

    let output = originscan(&args(&["explain", "all"])).await;
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.matches("fires when:").count(),
        originscan::finding::Code::ALL.len()
    );
}

#[tokio::test]
async fn help_teaches_the_three_workflows() {
    let output = originscan(&args(&["scan", "--help"])).await;
    let text = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--resolve",
        "--fail-on",
        "Bulk audit",
        "CI gate",
        "Nightly",
        "Exit codes",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}");
    }
}

#[tokio::test]
async fn lint_lambda_gates_on_every_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lambda");
    let mut checked = 0;
    for (kind, want_exit) in [("valid", 0), ("invalid", 1)] {
        for entry in std::fs::read_dir(root.join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let event = [
                "viewer-request",
                "origin-request",
                "origin-response",
                "viewer-response",
            ]
            .into_iter()
            .find(|e| name.starts_with(e))
            .expect("fixture named after its event");
            let mut command = args(&[
                "lint-lambda",
                path.to_str().unwrap(),
                "--event",
                event,
                "-f",
                "json",
            ]);
            let original = root.join("original").join(&name);
            if original.exists() {
                command.extend(args(&["--original", original.to_str().unwrap()]));
            }
            let output = originscan(&command).await;
            assert_eq!(
                output.status.code(),
                Some(want_exit),
                "{name}: {}",
                stderr(&output)
            );
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
            let findings = report["origins"][0]["findings"].as_array().unwrap().len();
            assert_eq!(findings > 0, kind == "invalid", "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 19, "only {checked} fixtures");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"status\": \n").unwrap();
    let output = originscan(&args(&[
        "lint-lambda",
        bad.to_str().unwrap(),
        "--event",
        "viewer-request",
    ]))
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.json:3:"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let output = originscan(&args(&["completions", shell])).await;
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains("originscan") && text.contains("fail-on"),
            "{shell}"
        );
    }
    let output = originscan(&args(&["man"])).await;
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH"),
        "roff man page"
    );
}

#[tokio::test]
async fn a_bad_config_file_is_a_usage_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("team.toml");
    std::fs::write(&config, "concurrency = 10\nfail-on = \"high\"\n").unwrap();
    let output = originscan(&args(&[
        "scan",
        "a.example.com",
        "--config",
        config.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("team.toml:2:"),
        "{}",
        stderr(&output)
    );

    // A good file's values apply: an invalid fail_on from the file is reported as --fail-on.
    std::fs::write(&config, "fail_on = \"sometimes\"\n").unwrap();
    let output = originscan(&args(&[
        "scan",
        "a.example.com",
        "--config",
        config.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--fail-on"), "{}", stderr(&output));
}

#[tokio::test]
async fn an_os_error_is_said_once() {
    let out = originscan(&args(&["scan", "-i", "/nonexistent/targets.txt"])).await;
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    assert!(
        text.starts_with("originscan: /nonexistent/targets.txt: "),
        "{text}"
    );
}
