//! Issue 16, items 1, 3 and 7: what an export's origin settings change in the request
//! originscan sends as CloudFront, against a small HTTP origin on loopback that records what it
//! received: OriginPath before `--path`, CustomHeaders added (their values never in a report or
//! on stderr), ResponseCompletionTimeout (validated, and HTTP_RESPONSE_COMPLETION_TIMEOUT when the
//! body ends too late), and each origin's `settings` object in JSON, NDJSON and HTML.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{args, originscan, read_json, stderr};

/// The shared secret an origin checks, as `X-Origin-Verify` (never to be shown).
const SECRET: &str = "s3cret-7f1e9a-origin-verify";

/// What the origin received on one request, and what it answered.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    /// Lower-case names, values as sent.
    headers: Vec<(String, String)>,
    status: u16,
}

/// How the loopback origin answers.
#[derive(Clone, Copy)]
enum Answer {
    /// 200 when `X-Origin-Verify` carries [`SECRET`], else 403 (an origin behind a shared
    /// secret, as AWS's own guidance sets up).
    RequireSecret,
    /// 200 with a body of `bytes` bytes, one byte every `every`.
    Drip { bytes: usize, every: Duration },
}

/// A plain-HTTP origin on 127.0.0.1 (a free port) that records each request; aborted when the
/// test ends (the runtime drops it).
async fn start_origin(answer: Answer) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await
                    {
                        Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let mut lines = text.split("\r\n");
                let request_line = lines.next().unwrap_or_default().to_string();
                let headers: Vec<(String, String)> = lines
                    .take_while(|l| !l.is_empty())
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let status = match answer {
                    Answer::RequireSecret => {
                        let verified = headers
                            .iter()
                            .any(|(n, v)| n == "x-origin-verify" && v == SECRET);
                        let (status, body) = if verified { (200, "ok") } else { (403, "no") };
                        let reason = if verified { "OK" } else { "Forbidden" };
                        let response = format!(
                            "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n\
                             Keep-Alive: timeout=60\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = stream.write_all(response.as_bytes()).await;
                        status
                    }
                    Answer::Drip { bytes, every } => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {bytes}\r\n\
                             Keep-Alive: timeout=60\r\n\r\n"
                        );
                        let _ = stream.write_all(head.as_bytes()).await;
                        for _ in 0..bytes {
                            if !every.is_zero() {
                                tokio::time::sleep(every).await;
                            }
                            if stream.write_all(b"x").await.is_err() {
                                break;
                            }
                        }
                        200
                    }
                };
                log.lock().expect("log").push(Seen {
                    request_line,
                    headers,
                    status,
                });
                // Hold the connection as a keep-alive origin would, briefly.
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
            });
        }
    });
    (port, seen)
}

/// A list-distributions export of one distribution with one http-only custom origin
/// `origin.test` on `port`; `extra` members are added to the origin, `read_timeout` to its
/// CustomOriginConfig.
fn export(port: u16, read_timeout: u64, extra: Value) -> Value {
    let mut origin = json!({
        "Id": "app",
        "DomainName": "origin.test",
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": port,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "http-only",
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
            "OriginReadTimeout": read_timeout,
            "OriginKeepaliveTimeout": 5
        },
        "ConnectionAttempts": 1,
        "ConnectionTimeout": 2
    });
    for (key, value) in extra.as_object().expect("an object") {
        origin[key] = value.clone();
    }
    json!({"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": false,
    "Quantity": 1, "Items": [{
        "Id": "EAPPEXAMPLE01",
        "DomainName": "d111111abcdef8.cloudfront.net",
        "Aliases": {"Quantity": 1, "Items": ["app.example.com"]},
        "Origins": {"Quantity": 1, "Items": [origin]},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": {"TargetOriginId": "app"},
        "CacheBehaviors": {"Quantity": 0}
    }]}})
}

/// Writes `export` pretty-printed (as the CLI does) and, where botocore is installed, checks
/// its member names against the model.
pub(crate) fn write_export(dir: &Path, export: &Value) -> String {
    let path = dir.join("distributions.json");
    std::fs::write(&path, serde_json::to_string_pretty(export).unwrap()).unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-fixture-fields.py");
    if let Ok(output) = std::process::Command::new("python3")
        .arg(checker)
        .arg(&path)
        .output()
    {
        // Exit 2: botocore is not installed (checked by cloudfront_import's own test).
        assert!(
            output.status.code() != Some(1),
            "not botocore's shape: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    path.to_string_lossy().into_owned()
}

/// `scan` with loopback-only options and the given input and format, the report in `out`.
async fn scan(input: &[&str], format: &str, out: &Path) -> std::process::Output {
    let mut command = args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "--resolve",
        "origin.test:127.0.0.1",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "-f",
        format,
        "-o",
        out.to_str().unwrap(),
    ]);
    command.extend(input.iter().map(|s| s.to_string()));
    originscan(&command).await
}

fn codes(origin: &Value) -> Vec<String> {
    origin["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Item 1 and 7: OriginPath `/prod/v2` and `--path /` ask for `/prod/v2/`; the custom headers
/// arrive as configured, so an origin that refuses requests without its shared secret (403)
/// answers 200; the report's `settings` names the headers and the path, and the secret is in
/// no report format nor on stderr.
#[tokio::test]
async fn origin_path_and_custom_headers_reach_the_origin_and_the_secret_stays_out() {
    let (port, seen) = start_origin(Answer::RequireSecret).await;
    let dir = tempfile::tempdir().unwrap();

    // Without the export's settings (a command-line target): 403, at `/`.
    let report = dir.path().join("plain.json");
    let target = format!("http://origin.test:{port}");
    let output = scan(&[&target], "json", &report).await;
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].request_line, "GET / HTTP/1.1");
        assert_eq!(seen[0].status, 403);
    }
    seen.lock().unwrap().clear();

    let input = write_export(
        dir.path(),
        &export(
            port,
            10,
            json!({
                "OriginPath": "/prod/v2",
                "CustomHeaders": {"Quantity": 2, "Items": [
                    {"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET},
                    {"HeaderName": "X-Env", "HeaderValue": "production"}
                ]}
            }),
        ),
    );
    let mut texts = Vec::new();
    for format in ["json", "ndjson", "html", "csv", "table"] {
        let report = dir.path().join(format!("r.{format}"));
        let output = scan(&["-i", &input], format, &report).await;
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
        texts.push((format, std::fs::read_to_string(&report).unwrap()));
        texts.push((
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ));
        texts.push(("stderr", stderr(&output)));
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5, "one request per scan: {seen:?}");
    for request in &seen {
        assert_eq!(
            request.request_line, "GET /prod/v2/ HTTP/1.1",
            "{request:?}"
        );
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-origin-verify"), Some(SECRET));
        assert_eq!(header("x-env"), Some("production"));
        assert_eq!(header("user-agent"), Some("Amazon CloudFront"));
        assert_eq!(header("host"), Some("origin.test"));
        assert_eq!(request.status, 200, "the secret opens the origin");
    }
    for (what, text) in &texts {
        assert!(!text.contains(SECRET), "the secret is in {what}:\n{text}");
    }

    let report = read_json(&dir.path().join("r.json"));
    let origin = &report["origins"][0];
    assert_eq!(codes(origin), Vec::<String>::new(), "{origin:#}");
    assert_eq!(
        origin["settings"],
        json!({
            "https_port": 443,
            "http_port": port,
            "protocol_policy": "http-only",
            "ssl_protocols": ["TLSv1.2"],
            "read_timeout_s": 10,
            "keepalive_timeout_s": 5,
            "connect_timeout_s": 2,
            "connection_attempts": 1,
            "ip_address_type": "ipv4",
            "path": "/prod/v2/",
            "custom_headers": ["X-Origin-Verify", "X-Env"],
            "origin_mtls": false,
            "http_version": "http1.1"
        })
    );
    let ndjson = &texts.iter().find(|(f, _)| *f == "ndjson").unwrap().1;
    let line: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(line["settings"], origin["settings"]);
    let html = &texts.iter().find(|(f, _)| *f == "html").unwrap().1;
    assert!(
        html.contains("GET /prod/v2/")
            && html.contains("custom headers X-Origin-Verify, X-Env (values not shown)"),
        "the HTML detail shows the settings"
    );
}

/// Item 3: with OriginReadTimeout and ResponseCompletionTimeout at 1 s (CloudFront's smallest:
/// the completion timeout may not be below the read timeout, whose minimum is 1 s), a body
/// that dribbles in over 2.4 s (no gap near the read timeout) is HTTP_RESPONSE_COMPLETION_TIMEOUT;
/// the same origin sending its body at once is not.
#[tokio::test]
async fn a_body_ending_after_the_completion_timeout_is_found() {
    let dir = tempfile::tempdir().unwrap();
    for (every, late) in [(Duration::from_millis(400), true), (Duration::ZERO, false)] {
        let (port, _seen) = start_origin(Answer::Drip { bytes: 6, every }).await;
        let input = write_export(
            dir.path(),
            &export(port, 1, json!({"ResponseCompletionTimeout": 1})),
        );
        let report = dir.path().join("r.json");
        let output = scan(&["-i", &input], "json", &report).await;
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
        let report = read_json(&report);
        let origin = &report["origins"][0];
        assert_eq!(origin["settings"]["response_completion_timeout_s"], 1);
        if late {
            assert_eq!(
                codes(origin),
                ["HTTP_RESPONSE_COMPLETION_TIMEOUT"],
                "{origin:#}"
            );
            let finding = &origin["findings"][0];
            assert_eq!(finding["severity"], "high");
            let after = finding["evidence"]["completed_after_ms"]
                .as_u64()
                .expect("read whole");
            assert!((2_000..3_000).contains(&after), "{finding:#}");
        } else {
            assert_eq!(codes(origin), Vec::<String>::new(), "{origin:#}");
        }
    }
}

/// Item 3: ResponseCompletionTimeout below OriginReadTimeout stops the run before any traffic
/// (exit 2), naming the file, line, distribution and origin, in AWS's words.
#[tokio::test]
async fn a_completion_timeout_below_the_read_timeout_stops_the_run() {
    let (port, seen) = start_origin(Answer::RequireSecret).await;
    let dir = tempfile::tempdir().unwrap();
    let input = write_export(
        dir.path(),
        &export(port, 30, json!({"ResponseCompletionTimeout": 10})),
    );
    let output = scan(&["-i", &input], "json", &dir.path().join("r.json")).await;
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let want = ": distribution EAPPEXAMPLE01, origin app: ResponseCompletionTimeout 10 is below \
         OriginReadTimeout 30: The value for ResponseCompletionTimeout must be equal to or \
         greater than the value for OriginReadTimeout.";
    let message = err
        .lines()
        .find(|l| l.contains(want))
        .unwrap_or_else(|| panic!("{err}"));
    // `FILE:LINE`, the line of the origin's opening brace.
    let at = message[..message.find(want).unwrap()]
        .rsplit_once(&format!("{input}:"))
        .and_then(|(_, line)| line.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no {input}:LINE in {message}"));
    let text = std::fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[at - 1].trim(), "{", "{message}");
    // Its members are indented one level deeper than the brace.
    let inner = format!(
        "{}  \"Id\": \"app\"",
        &lines[at - 1][..lines[at - 1].find('{').unwrap()]
    );
    assert!(
        lines[at..].iter().any(|l| l.starts_with(&inner)),
        "line {at} opens the origin: {message}"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "no traffic before the error"
    );
}
