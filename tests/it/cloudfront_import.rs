//! The CloudFront import against the outside world: the fixtures' member names checked against
//! botocore's model (`scripts/check-fixture-fields.py`), the parse time of a large account, and
//! the shapes and mistakes of real exports (issue 16): an empty account, `get-distribution`
//! output, `--query` lists, pages appended with `>>`, multi-tenant origins, a distribution
//! without aliases that forwards Host.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use originscan::input::cloudfront::{parse, OriginRequestPolicies};
use originscan::input::InputError;
use originscan::target::HostForwarding;
use serde_json::{json, Value};

use crate::common::{args, originscan, stderr};

/// The fixtures shaped as AWS CLI output (`not-cloudfront.json` is not).
const AWS_SHAPED: &[&str] = &[
    "list-distributions.json",
    "list-distributions-truncated.json",
    "list-distributions-empty.json",
    "list-distributions-multi-tenant.json",
    "list-distributions-query-items.json",
    "get-distribution-config.json",
    "get-distribution.json",
    "origin-request-policy.json",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/cloudfront").join(name)
}

/// Whether `python3` can import botocore; without it the check is skipped, except under CI.
fn botocore_available() -> bool {
    let available = Command::new("python3")
        .args(["-c", "import botocore"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `python3 -c 'import botocore'` fails: pip install botocore"
        );
        crate::common::skip("python3 cannot import botocore (pip install botocore)");
    }
    available
}

fn check_fields(files: &[PathBuf]) -> std::process::Output {
    Command::new("python3")
        .arg(root().join("scripts/check-fixture-fields.py"))
        .args(files)
        .output()
        .expect("python3 runs")
}

#[test]
fn fixtures_use_only_botocore_member_names() {
    if !botocore_available() {
        return;
    }
    let files: Vec<PathBuf> = AWS_SHAPED.iter().map(|f| fixture(f)).collect();
    let output = check_fields(&files);
    assert!(
        output.status.success(),
        "check-fixture-fields.py failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_field_checker_reports_unknown_members_and_other_shapes() {
    if !botocore_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.json");
    let text = std::fs::read_to_string(fixture("list-distributions.json")).unwrap();
    std::fs::write(&typo, text.replacen("\"HTTPSPort\"", "\"HttpsPort\"", 1)).unwrap();
    let output = check_fields(&[typo]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "$.DistributionList.Items[0].Origins.Items[0].CustomOriginConfig.HttpsPort: \
             not a member of CustomOriginConfig"
        ),
        "{stdout}"
    );

    let output = check_fields(&[fixture("not-cloudfront.json")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("top level is none of"), "{stdout}");
}

/// A list-distributions export of `distributions` distributions with three custom origins each
/// (an origin group of two, and one behind its own behavior), pretty-printed as the CLI does.
fn large_export(distributions: usize) -> String {
    let origin = |d: usize, o: usize| {
        json!({
            "Id": format!("origin-{o}"),
            "DomainName": format!("o{o}.d{d}.origin.example.com"),
            "OriginPath": "",
            "CustomHeaders": {"Quantity": 1, "Items": [
                {"HeaderName": "X-Origin-Verify", "HeaderValue": "example"}
            ]},
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443 + o as u64 * 1000 + 1000,
                "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 2, "Items": ["TLSv1.1", "TLSv1.2"]},
                "OriginReadTimeout": 30,
                "OriginKeepaliveTimeout": 5,
                "IpAddressType": "ipv4"
            },
            "ConnectionAttempts": 3,
            "ConnectionTimeout": 10,
            "OriginShield": {"Enabled": false},
            "OriginAccessControlId": ""
        })
    };
    let behavior = |target: &str, path: Option<&str>| {
        let mut b = json!({
            "TargetOriginId": target,
            "TrustedSigners": {"Enabled": false, "Quantity": 0},
            "TrustedKeyGroups": {"Enabled": false, "Quantity": 0},
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"],
                "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
            "SmoothStreaming": false,
            "Compress": true,
            "LambdaFunctionAssociations": {"Quantity": 0},
            "FunctionAssociations": {"Quantity": 0},
            "FieldLevelEncryptionId": "",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"
        });
        if let Some(path) = path {
            b["PathPattern"] = json!(path);
        }
        b
    };
    let items: Vec<Value> = (0..distributions)
        .map(|d| {
            json!({
                "Id": format!("E{d:012}"),
                "ARN": format!("arn:aws:cloudfront::123456789012:distribution/E{d:012}"),
                "Status": "Deployed",
                "LastModifiedTime": "2025-01-01T00:00:00.000000+00:00",
                "DomainName": format!("d{d}.cdn.example.net"),
                "Aliases": {"Quantity": 2, "Items": [
                    format!("www.d{d}.example.com"), format!("d{d}.example.com")
                ]},
                "Origins": {"Quantity": 3, "Items": [origin(d, 0), origin(d, 1), origin(d, 2)]},
                "OriginGroups": {"Quantity": 1, "Items": [{
                    "Id": "group",
                    "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
                    "Members": {"Quantity": 2, "Items": [
                        {"OriginId": "origin-0"}, {"OriginId": "origin-1"}
                    ]}
                }]},
                "DefaultCacheBehavior": behavior("group", None),
                "CacheBehaviors": {"Quantity": 1, "Items": [behavior("origin-2", Some("/api/*"))]},
                "CustomErrorResponses": {"Quantity": 0},
                "Comment": "",
                "PriceClass": "PriceClass_All",
                "Enabled": true,
                "ViewerCertificate": {"CloudFrontDefaultCertificate": true,
                    "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
                "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
                "WebACLId": "",
                "HttpVersion": "http2",
                "IsIPV6Enabled": true,
                "Staging": false
            })
        })
        .collect();
    let export = json!({"DistributionList": {
        "Marker": "", "MaxItems": 1000, "IsTruncated": false,
        "Quantity": distributions, "Items": items
    }});
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&export, &mut serializer).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_large_account_parses_well_under_a_second() {
    let export = large_export(500);
    let policies = OriginRequestPolicies::default();
    let started = Instant::now();
    let import = parse("account.json", export.as_bytes(), &policies).unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "parsed {} bytes, {} targets in {elapsed:?}",
        export.len(),
        import.targets.len()
    );
    assert_eq!(import.targets.len(), 1500);
    assert!(import.skipped.is_empty() && import.warnings.is_empty());
    let last = &import.targets[1499];
    assert_eq!(
        last.provenance.distribution_id.as_deref(),
        Some("E000000000499")
    );
    assert_eq!(last.aliases, ["d499.example.com", "www.d499.example.com"]);
    assert!(
        elapsed < Duration::from_secs(1),
        "parsing 500 distributions took {elapsed:?}"
    );
}

fn parse_fixture(name: &str) -> Result<originscan::input::CloudFrontImport, InputError> {
    let content = std::fs::read(fixture(name)).unwrap();
    parse(name, &content, &OriginRequestPolicies::default())
}

/// Issue 16, item 8: an account without distributions is a clean run with a one-line note,
/// not exit 2 "only comments or headers" (the AWS CLI leaves `Items` out of an empty page).
#[tokio::test]
async fn an_account_without_distributions_exits_0_with_a_note() {
    let import = parse_fixture("list-distributions-empty.json").unwrap();
    assert_eq!(import.distributions, 0);
    assert!(import.targets.is_empty() && import.skipped.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let with_items = dir.path().join("items.json");
    std::fs::write(
        &with_items,
        r#"{"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": false, "Quantity": 0, "Items": []}}"#,
    )
    .unwrap();
    for file in [fixture("list-distributions-empty.json"), with_items] {
        let report = dir.path().join("r.json");
        let output = originscan(&args(&[
            "scan",
            "-i",
            file.to_str().unwrap(),
            "-f",
            "json",
            "-o",
            report.to_str().unwrap(),
        ]))
        .await;
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{err}");
        let notes: Vec<&str> = err.lines().filter(|l| l.contains("note:")).collect();
        assert_eq!(notes.len(), 1, "{err}");
        assert!(
            notes[0].contains("the export holds no distribution"),
            "{err}"
        );
        assert!(!err.contains("only comments or headers"), "{err}");
        assert_eq!(
            crate::common::read_json(&report)["origins"],
            json!([]),
            "{err}"
        );
    }
}

/// Issue 16, item 8: `get-distribution` output is read, its id and domain name taken from
/// `Distribution`. Issue 16, item 5: behind HostHeaderOnly and without aliases, the Host
/// viewers send, and CloudFront's SNI, is the distribution's own domain name.
#[test]
fn get_distribution_output_is_read_and_its_domain_name_is_the_host() {
    let import = parse_fixture("get-distribution.json").unwrap();
    assert_eq!(import.targets.len(), 1);
    let target = &import.targets[0];
    assert_eq!(
        target.provenance.distribution_id.as_deref(),
        Some("E3GETDISTEXMPL")
    );
    assert_eq!(target.host_forwarding, HostForwarding::Forwarded);
    assert_eq!(target.aliases, ["d111111abcdef8.cloudfront.example.net"]);
    assert_eq!(
        target.cloudfront_server_name(),
        Some("d111111abcdef8.cloudfront.example.net")
    );
    assert_eq!(import.skipped.len(), 1, "the S3 REST origin");
}

/// Issue 16, item 6: a multi-tenant distribution's `{{tenantName}}` origin is skipped with the
/// reason; the file is not refused and its other origin is scanned.
#[test]
fn a_tenant_parameter_origin_is_skipped_not_fatal() {
    let import = parse_fixture("list-distributions-multi-tenant.json").unwrap();
    assert_eq!(import.targets.len(), 1);
    assert_eq!(
        import.targets[0].provenance.origin_id.as_deref(),
        Some("shared-api")
    );
    assert_eq!(import.skipped.len(), 1);
    let skipped = &import.skipped[0];
    assert_eq!(
        (skipped.distribution_id.as_str(), skipped.origin_id.as_str()),
        ("E4TENANTEXMPL4", "tenant-app")
    );
    assert_eq!(skipped.domain, "{{tenantname}}.app.example.com");
    assert!(
        skipped
            .reason
            .contains("multi-tenant origin (ConnectionMode tenant-only)"),
        "{}",
        skipped.reason
    );
}

/// Issue 16, item 8: `--query 'DistributionList.Items'` (a bare list of distributions) reads
/// as the page it came from.
#[test]
fn a_query_list_of_distributions_reads_as_its_page() {
    let whole = parse_fixture("list-distributions.json").unwrap();
    let query = parse_fixture("list-distributions-query-items.json").unwrap();
    assert_eq!(query.targets.len(), whole.targets.len());
    assert_eq!(query.skipped, whole.skipped);
    for (a, b) in query.targets.iter().zip(&whole.targets) {
        assert_eq!(
            (&a.origin, &a.aliases, &a.host_forwarding),
            (&b.origin, &b.aliases, &b.host_forwarding)
        );
    }
}

/// Issue 16, item 8: the mistakes of real exports stop the run (exit 2, before any traffic)
/// with the file, the line and what to do.
#[tokio::test]
async fn appended_pages_and_bare_origin_lists_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let origins = dir.path().join("origins.json");
    let page: Value =
        serde_json::from_slice(&std::fs::read(fixture("list-distributions.json")).unwrap())
            .unwrap();
    std::fs::write(
        &origins,
        serde_json::to_string_pretty(&page["DistributionList"]["Items"][0]["Origins"]["Items"])
            .unwrap(),
    )
    .unwrap();
    let appended = fixture("list-distributions-appended.json");
    let second_page_line = std::fs::read_to_string(&appended)
        .unwrap()
        .lines()
        .skip(1)
        .position(|l| l.starts_with('{'))
        .unwrap()
        + 2;
    let cases = [
        (
            appended.clone(),
            format!(
                "list-distributions-appended.json:{second_page_line}: two JSON documents appended \
                 one after another"
            ),
            "pass each page as its own file (-i FILE per page), or merge them with --query",
        ),
        (
            origins.clone(),
            "origins.json: is not a CloudFront export: it is a bare list of origins".to_string(),
            "--query 'DistributionList.Items'",
        ),
    ];
    for (file, head, hint) in cases {
        let output = originscan(&args(&["scan", "-i", file.to_str().unwrap(), "-f", "json"])).await;
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(&head), "{head} not in {err}");
        assert!(err.contains(hint), "{hint} not in {err}");
        assert!(!err.contains("trailing characters"), "{err}");
    }
}
