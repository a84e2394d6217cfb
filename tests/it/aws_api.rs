//! `originscan scan --aws` against a real double of the AWS API: moto's server (PyPI
//! `moto[server]`, run here as its own process on loopback by tests/aws/moto_server.py, which
//! adds what moto 5.2 lacks: summaries with their config, pages, the policy lists), seeded by
//! boto3 (tests/aws/seed.py), which also writes the same account as the AWS CLI exports it.
//! The scan through the API equals the scan of the export, and `--aws-save` replays.
//!
//! The errors are driven by a small loopback server answering CloudFront's error bodies
//! (AccessDenied 403, Throttling 400, a second page refused): moto does not throttle, and its
//! IAM enforcement is global to the server. "No credentials" runs in a network namespace of
//! its own (`unshare -n`), so that the SDK's chain can reach nothing but its loopback.
//!
//! Every run clears the inherited AWS_* variables and sets fake keys, an empty config and
//! credentials file, IMDS disabled and AWS_ENDPOINT_URL on loopback: nothing leaves 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{read_json, skip};
use crate::peers::{free_port, wait_listening};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether python3 has moto's server and boto3; without them the test is skipped, except
/// under CI.
fn moto_available() -> bool {
    let available = Command::new("python3")
        .args(["-c", "import moto.server, boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 cannot import moto.server and boto3: \
             python3 -m pip install 'moto[server]' boto3"
        );
        skip("python3 cannot import moto.server and boto3 (python3 -m pip install 'moto[server]' boto3)");
    }
    available
}

/// The environment of every AWS client here: inherited AWS_* removed, fake keys, empty
/// config files, no IMDS, the endpoint on loopback (`None`: no keys at all).
fn aws_env(command: &mut Command, dir: &Path, endpoint: &str, keys: bool) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&name);
        }
    }
    let empty = dir.join("empty-aws-file");
    std::fs::write(&empty, b"").expect("empty file");
    command
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("HOME", dir)
        .env("NO_COLOR", "1");
    if keys {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
}

/// moto's server on a loopback port, killed on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    async fn start(dir: &Path) -> Moto {
        let port = free_port();
        let mut command = Command::new("python3");
        command
            .arg(root().join("tests/aws/moto_server.py"))
            .arg(port.to_string())
            .env("MOTO_CLOUDFRONT_PAGE_SIZE", "3")
            .env(
                "MOTO_CLOUDFRONT_POLICIES",
                root().join("tests/aws/policies.json"),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let endpoint = format!("http://127.0.0.1:{port}");
        aws_env(&mut command, dir, &endpoint, true);
        let child = command.spawn().expect("moto's server starts");
        let moto = Moto { child, endpoint };
        wait_listening_long(port).await;
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto imports slowly: up to 30 s.
async fn wait_listening_long(port: u16) {
    for _ in 0..5 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    wait_listening(port, "moto's server").await;
}

const NAMES: &[&str] = &[
    "web.aws.test",
    "primary.aws.test",
    "secondary.aws.test",
    "api.aws.test",
    "legacy.aws.test",
    "plain.aws.test",
    "site.s3-website-us-east-1.amazonaws.com",
];

/// `originscan scan ARGS` with the AWS environment, the origins' names on loopback.
fn scan(dir: &Path, endpoint: &str, keys: bool, args: &[&str]) -> Output {
    scan_with(dir, endpoint, keys, args, &[])
}

/// [`scan`] with more environment variables.
fn scan_with(
    dir: &Path,
    endpoint: &str,
    keys: bool,
    args: &[&str],
    env: &[(&str, String)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_originscan"));
    command.arg("scan").args(args);
    for name in NAMES {
        command.arg("--resolve").arg(format!("{name}:127.0.0.1"));
    }
    command
        .args([
            "--allow-private",
            "127.0.0.0/8",
            "--no-progress",
            "-f",
            "json",
        ])
        .current_dir(dir)
        .stdin(Stdio::null());
    aws_env(&mut command, dir, endpoint, keys);
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command.output().expect("originscan runs")
}

/// A report without what differs from run to run or names the input file and line.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "generated_at" | "input") && !k.ends_with("_ms")
                })
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

fn origin<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["origins"]
        .as_array()
        .expect("origins")
        .iter()
        .find(|o| o["origin_id"] == id)
        .unwrap_or_else(|| panic!("no origin {id} in the report"))
}

/// Every member of `ours` equals boto3's at the same place (`theirs`), timestamps compared as
/// instants; members boto3 has and we leave out are collected in `left_out`.
fn compare_members(ours: &Value, theirs: &Value, path: &str, left_out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let there = b.get(key).unwrap_or_else(|| {
                    panic!("{path}.{key}: written, but boto3 has no such member")
                });
                compare_members(value, there, &format!("{path}.{key}"), left_out);
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                left_out.push(format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: lengths differ");
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                compare_members(x, y, &format!("{path}[{index}]"), left_out);
            }
        }
        (Value::String(a), Value::String(b)) if path.ends_with("LastModifiedTime") => {
            let instant = |s: &str| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .or_else(|_| {
                        time::OffsetDateTime::parse(
                            &s.replacen(' ', "T", 1),
                            &time::format_description::well_known::Rfc3339,
                        )
                    })
                    .unwrap_or_else(|e| panic!("{path}: {s:?} is not a timestamp: {e}"))
            };
            assert_eq!(instant(a), instant(b), "{path}");
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scan_through_the_api_equals_the_scan_of_the_cli_export_and_replays() {
    if !moto_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let moto = Moto::start(dir.path()).await;
    // Closed loopback ports: every origin fails alike, whichever way it was read.
    let (https, http) = (free_port(), free_port());
    let export = dir.path().join("cli");
    let mut seed = Command::new("python3");
    seed.arg(root().join("tests/aws/seed.py"))
        .arg(&moto.endpoint)
        .arg(https.to_string())
        .arg(http.to_string())
        .arg(&export);
    aws_env(&mut seed, dir.path(), &moto.endpoint, true);
    let seeded = seed.output().expect("seed runs");
    assert!(
        seeded.status.success(),
        "seed.py failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    let through_api = scan(
        dir.path(),
        &moto.endpoint,
        true,
        &["--aws", "--aws-save", "saved.json", "-o", "aws.json"],
    );
    let stderr = String::from_utf8_lossy(&through_api.stderr);
    assert!(through_api.status.code().is_some_and(|c| c < 2), "{stderr}");
    assert!(
        stderr.contains("5 distribution(s) on 2 page(s) of ListDistributions, 4 policy(ies)"),
        "{stderr}"
    );
    let from_export = scan(
        dir.path(),
        &moto.endpoint,
        true,
        &[
            "-i",
            "cli/list-distributions.json",
            "--origin-request-policies",
            "cli/origin-request-policies.json",
            "--origin-request-policies",
            "cli/cache-policies.json",
            "-o",
            "cli.json",
        ],
    );
    let replay = scan(
        dir.path(),
        "http://127.0.0.1:9",
        true,
        &["-i", "saved.json", "-o", "replay.json"],
    );
    for output in [&from_export, &replay] {
        assert_eq!(
            output.status.code(),
            through_api.status.code(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let aws = read_json(&dir.path().join("aws.json"));
    let cli = read_json(&dir.path().join("cli.json"));
    let replayed = read_json(&dir.path().join("replay.json"));
    assert_eq!(normalized(&aws), normalized(&cli));
    // The replay is the same run, inputs included (the account is named by the saved file).
    assert_eq!(normalized(&aws), normalized(&replayed));
    assert_eq!(aws["origins"][0]["input"], replayed["origins"][0]["input"]);

    // What the account holds: every custom origin of the five distributions, over two pages.
    assert_eq!(aws["summary"]["origins"], 7, "{aws:#}");
    assert_eq!(aws["skipped"].as_array().map(Vec::len), Some(1));
    assert_eq!(aws["skipped"][0]["origin_id"], "bucket");
    let forwarding = |id: &str| origin(&aws, id)["host_forwarding"].clone();
    // Legacy ForwardedValues with Host; managed AllViewer (a group's members too); a custom
    // cache policy with Host in its key; a custom origin request policy forwarding Host.
    for id in ["web", "primary", "secondary", "api", "legacy"] {
        assert_eq!(forwarding(id), "forwarded", "{id}");
    }
    for id in ["plain", "site"] {
        assert_eq!(forwarding(id), Value::Null, "{id}: not forwarded");
    }
    assert_eq!(
        origin(&aws, "secondary")["origin_groups"],
        serde_json::json!(["failover"])
    );

    // Field by field: every member written is boto3's, from the same account.
    let saved = read_json(&dir.path().join("saved.json"));
    let boto = read_json(&export.join("list-distributions.json"));
    let mut left_out = Vec::new();
    compare_members(
        &saved["DistributionList"]["Items"],
        &boto["DistributionList"]["Items"],
        "$",
        &mut left_out,
    );
    for (ours, theirs) in [
        ("OriginRequestPolicyList", "origin-request-policies.json"),
        ("CachePolicyList", "cache-policies.json"),
    ] {
        let boto = read_json(&export.join(theirs));
        compare_members(
            &saved[ours]["Items"],
            &boto[ours]["Items"],
            ours,
            &mut left_out,
        );
    }
    // Left out: the viewer side only.
    for path in &left_out {
        let member = path.rsplit('.').next().unwrap_or_default();
        assert!(
            [
                "CustomErrorResponses",
                "ViewerCertificate",
                "Restrictions",
                "AliasICPRecordals",
                "TrustedSigners",
                "TrustedKeyGroups",
                "AllowedMethods",
                "SmoothStreaming",
                "LambdaFunctionAssociations",
                "FunctionAssociations",
                "FieldLevelEncryptionId",
                "RealtimeLogConfigArn",
                "Staging",
            ]
            .contains(&member),
            "{path}: boto3 reads it, --aws-save leaves it out"
        );
    }
    // And every member name is botocore's.
    let check = Command::new("python3")
        .arg(root().join("scripts/check-fixture-fields.py"))
        .arg(dir.path().join("saved.json"))
        .output()
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// A loopback HTTP server answering each request with `answer(request number, request line)`
/// (status, XML body); counts the requests.
async fn api_double(answer: fn(usize, &str) -> (u16, String)) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let line = text.lines().next().unwrap_or_default().to_string();
                let number = seen.fetch_add(1, Ordering::SeqCst) + 1;
                let (status, body) = answer(number, &line);
                let reason = match status {
                    200 => "OK",
                    400 => "Bad Request",
                    403 => "Forbidden",
                    _ => "Error",
                };
                let response = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml\r\n\
                     x-amz-request-id: 00000000-test\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}"), count)
}

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\
         <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>00000000-test</RequestId></ErrorResponse>"
    )
}

/// A first page of one distribution that says the listing goes on.
fn first_page() -> String {
    page(true, "")
}

/// A page of one distribution, truncated or not, its default behavior with `extra` members.
fn page(truncated: bool, extra: &str) -> String {
    let next = if truncated {
        "<NextMarker>EPAGE2</NextMarker>"
    } else {
        ""
    };
    format!("<?xml version=\"1.0\"?>\n<DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\
     <Marker></Marker>{next}<MaxItems>1</MaxItems>\
     <IsTruncated>{truncated}</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary>\
     <Id>EPAGE1</Id><ARN>arn:aws:cloudfront::123456789012:distribution/EPAGE1</ARN>\
     <Status>Deployed</Status><LastModifiedTime>2025-01-01T00:00:00Z</LastModifiedTime>\
     <DomainName>d1.cloudfront.net</DomainName><Aliases><Quantity>0</Quantity></Aliases>\
     <Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id><DomainName>web.aws.test</DomainName>\
     <CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort>\
     <OriginProtocolPolicy>https-only</OriginProtocolPolicy></CustomOriginConfig></Origin></Items></Origins>\
     <DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId>\
     <ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>{extra}</DefaultCacheBehavior>\
     <Comment></Comment><PriceClass>PriceClass_All</PriceClass><Enabled>true</Enabled>\
     <WebACLId></WebACLId><HttpVersion>http2</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled>\
     <Staging>false</Staging></DistributionSummary></Items></DistributionList>")
}

fn assert_refused(output: &Output, dir: &Path, wanted: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for text in wanted {
        assert!(stderr.contains(text), "{text:?} not in: {stderr}");
    }
    assert!(!dir.join("report.json").exists(), "a report was written");
    assert!(!dir.join("saved.json").exists(), "--aws-save was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_names_the_iam_action() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (endpoint, count) = api_double(|_, _| {
        (
            403,
            error_body(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
                 cloudfront:ListDistributions",
            ),
        )
    })
    .await;
    let args = ["--aws", "--aws-save", "saved.json", "-o", "report.json"];
    // AWS_ENDPOINT_URL_CLOUDFRONT wins over AWS_ENDPOINT_URL (a closed port here).
    let output = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || {
            scan_with(
                &dir,
                "http://127.0.0.1:9",
                true,
                &args,
                &[("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint)],
            )
        }
    })
    .await
    .expect("joined");
    assert_refused(
        &output,
        dir.path(),
        &[
            "access denied",
            "the credentials need the IAM permission cloudfront:ListDistributions",
        ],
    );
    // Not retried.
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_then_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (endpoint, count) =
        api_double(|_, _| (400, error_body("Throttling", "Rate exceeded"))).await;
    // The keys come from --profile's section of the credentials file (none in the
    // environment): the double is reached only if the profile was read.
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("credentials file");
    let args = ["--aws", "--profile", "ci", "-o", "report.json"];
    let output = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || {
            scan_with(
                &dir,
                &endpoint,
                false,
                &args,
                &[(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    credentials.display().to_string(),
                )],
            )
        }
    })
    .await
    .expect("joined");
    assert_refused(
        &output,
        dir.path(),
        &["CloudFront throttled cloudfront:ListDistributions and 3 attempts"],
    );
    assert_eq!(count.load(Ordering::SeqCst), 3, "the SDK's retries");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_fails_on_its_second_page_scans_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (endpoint, count) = api_double(|number, line| {
        if number == 1 && !line.contains("Marker=") {
            (200, first_page())
        } else {
            (
                403,
                error_body(
                    "AccessDenied",
                    "not authorized: cloudfront:ListDistributions",
                ),
            )
        }
    })
    .await;
    let args = ["--aws", "--aws-save", "saved.json", "-o", "report.json"];
    let output = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || scan(&dir, &endpoint, true, &args)
    })
    .await
    .expect("joined");
    assert_refused(
        &output,
        dir.path(),
        &[
            "the listing of distributions stopped on page 2, after 1 distribution(s)",
            "nothing is scanned",
        ],
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn no_credentials_is_said_and_exits_2() {
    // Its own network namespace: whatever the chain tries (IMDS, SSO) cannot leave it.
    let unshare = Command::new("unshare")
        .args(["-n", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !unshare {
        skip("`unshare -n` is not permitted here (needs root or user namespaces)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new("unshare");
    command
        .args(["-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_originscan"))
        .args(["scan", "--aws", "-o", "report.json", "--no-progress"])
        .current_dir(dir.path())
        .stdin(Stdio::null());
    aws_env(&mut command, dir.path(), "http://127.0.0.1:9", false);
    let output = command.output().expect("unshare runs");
    assert_refused(&output, dir.path(), &["--aws: no AWS credentials found"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_policy_listing_names_its_action() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (endpoint, count) = api_double(|_, line| {
        if line.contains("/distribution") {
            (
                200,
                page(
                    false,
                    "<CachePolicyId>9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d</CachePolicyId>",
                ),
            )
        } else {
            (
                403,
                error_body(
                    "AccessDenied",
                    "not authorized to perform: cloudfront:ListOriginRequestPolicies",
                ),
            )
        }
    })
    .await;
    let args = ["--aws", "--aws-save", "saved.json", "-o", "report.json"];
    let output = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || scan(&dir, &endpoint, true, &args)
    })
    .await
    .expect("joined");
    assert_refused(
        &output,
        dir.path(),
        &["the credentials need the IAM permission cloudfront:ListOriginRequestPolicies"],
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}
