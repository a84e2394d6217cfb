//! The lab's fleet as an `aws cloudfront list-distributions` export (`distributions.json`), and
//! the ground truth of scanning it (`distributions-truth.json`).
//!
//! Origins are grouped three to a distribution (the first on the default cache behavior, the
//! others on path behaviors), each with its own settings (ports, protocol policy, read,
//! keep-alive and connection timeouts, OriginSslProtocols). Origins whose pathology is about
//! the forwarded Host get a distribution of their own, with that Host as the alias and a
//! behavior forwarding Host (legacy ForwardedValues on one, the managed AllViewer origin
//! request policy on the other). One more distribution holds an S3 REST and a VPC origin, which
//! a scan lists as skipped. Every third origin has OriginHttpVersion `http2`: CloudFront's
//! hello then offers ALPN `h2`, `http/1.1`; no lab server selects `h2`, so HTTP/1.1 follows and
//! the ground truth is the same (issue 16: the offer changes no verdict by itself).

use serde_json::{json, Value};

use super::{LabTarget, TruthEntry};

/// AWS's managed AllViewer origin request policy (forwards Host).
const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
/// AWS's managed CachingDisabled cache policy.
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// What one lab origin looks like in the export, and what scanning it through the export gives.
struct Member<'a> {
    target: &'a LabTarget,
    truth: &'a TruthEntry,
    origin_id: String,
}

fn distribution_id(n: usize) -> String {
    format!("ELAB{n:06}")
}

fn origin(member: &Member<'_>, index: usize) -> Value {
    let t = member.target;
    let policy = t.policy.unwrap_or("https-only");
    let (timeout, attempts) = t.connection.unwrap_or((10, 3));
    // Varied OriginSslProtocols: every lab TLS server speaks TLS 1.2, so both are fine.
    let protocols: Vec<&str> = if index.is_multiple_of(2) {
        vec!["TLSv1.2"]
    } else {
        vec!["TLSv1", "TLSv1.1", "TLSv1.2"]
    };
    let http_version = match t.http_version {
        Some(version) => version,
        None if index % 3 == 1 => "http2",
        None => "http1.1",
    };
    json!({
        "Id": member.origin_id,
        "DomainName": t.origin,
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": t.http_port.unwrap_or(80),
            "HTTPSPort": t.port,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": {"Quantity": protocols.len(), "Items": protocols},
            "OriginReadTimeout": t.read_timeout.unwrap_or(30),
            "OriginKeepaliveTimeout": super::fleet::LAB_KEEPALIVE_TIMEOUT,
            "IpAddressType": "ipv4",
            "OriginHttpVersion": http_version
        },
        "ConnectionAttempts": attempts,
        "ConnectionTimeout": timeout,
        "OriginShield": {"Enabled": false},
        "OriginAccessControlId": ""
    })
}

fn behavior(origin_id: &str, forwarding: Forwarding, path: Option<&str>) -> Value {
    let mut behavior = json!({
        "TargetOriginId": origin_id,
        "TrustedSigners": {"Enabled": false, "Quantity": 0},
        "TrustedKeyGroups": {"Enabled": false, "Quantity": 0},
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {
            "Quantity": 2,
            "Items": ["HEAD", "GET"],
            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}
        },
        "SmoothStreaming": false,
        "Compress": true,
        "LambdaFunctionAssociations": {"Quantity": 0},
        "FunctionAssociations": {"Quantity": 0},
        "FieldLevelEncryptionId": ""
    });
    match forwarding {
        Forwarding::None => {
            behavior["CachePolicyId"] = json!(CACHING_DISABLED);
        }
        Forwarding::LegacyHeaders => {
            behavior["ForwardedValues"] = json!({
                "QueryString": false,
                "Cookies": {"Forward": "none"},
                "Headers": {"Quantity": 1, "Items": ["Host"]},
                "QueryStringCacheKeys": {"Quantity": 0}
            });
            behavior["MinTTL"] = json!(0);
            behavior["DefaultTTL"] = json!(0);
            behavior["MaxTTL"] = json!(0);
        }
        Forwarding::AllViewerPolicy => {
            behavior["CachePolicyId"] = json!(CACHING_DISABLED);
            behavior["OriginRequestPolicyId"] = json!(ALL_VIEWER);
        }
    }
    if let Some(path) = path {
        behavior["PathPattern"] = json!(path);
    }
    behavior
}

#[derive(Clone, Copy)]
enum Forwarding {
    None,
    LegacyHeaders,
    AllViewerPolicy,
}

fn distribution(
    n: usize,
    members: &[Member<'_>],
    aliases: &[String],
    forwarding: Forwarding,
) -> Value {
    let origins: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| origin(m, i))
        .collect();
    let behaviors: Vec<Value> = members
        .iter()
        .skip(1)
        .map(|m| {
            behavior(
                &m.origin_id,
                forwarding,
                Some(&format!("/{}/*", m.origin_id)),
            )
        })
        .collect();
    json!({
        "Id": distribution_id(n),
        "ARN": format!("arn:aws:cloudfront::123456789012:distribution/{}", distribution_id(n)),
        "Status": "Deployed",
        "LastModifiedTime": "2026-11-01T00:00:00.000000+00:00",
        "DomainName": format!("d{n}.cdn.example.net"),
        "Aliases": {"Quantity": aliases.len(), "Items": aliases},
        "Origins": {"Quantity": origins.len(), "Items": origins},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": behavior(
            members.first().map_or("bucket", |m| m.origin_id.as_str()),
            forwarding,
            None,
        ),
        "CacheBehaviors": {"Quantity": behaviors.len(), "Items": behaviors},
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": "originscan lab",
        "PriceClass": "PriceClass_All",
        "Enabled": true,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": true, "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": true,
        "Staging": false
    })
}

/// One origin of the export, with the distribution it belongs to and its expected codes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportTruth {
    /// The distribution's `Id` in the export: `ELAB000001`, `ELAB000002`, ...
    pub distribution_id: String,
    /// The origin's `Id`: `origin-N`, N its index in the fleet.
    pub origin_id: String,
    /// The origin's `DomainName`: its lab DNS name.
    pub origin: String,
    /// Expected finding codes, sorted.
    pub expected: Vec<String>,
}

/// The expected codes for an origin scanned through the export: as in targets.csv, except
/// that Host is forwarded with aliases instead of a fixed Host header, and a slow origin from
/// a distribution is waited for (its read timeout is the distribution's to raise).
fn export_expected(truth: &TruthEntry) -> Vec<String> {
    let mut codes: Vec<String> = match truth.pathology.as_str() {
        "host-header-mismatch" => vec!["CF_HOST_FORWARD_ALIAS_MISMATCH".into()],
        "slow-response" => vec!["CF_READ_TIMEOUT_TOO_LOW".into()],
        _ => truth.expected.clone(),
    };
    codes.sort();
    codes
}

/// The export (`list-distributions` output: three origins a distribution, Host-forwarding ones
/// alone, then one of unscannable origins) and the truth of scanning it, in export order.
pub fn list_distributions(
    targets: &[LabTarget],
    truth: &[TruthEntry],
) -> (Value, Vec<ExportTruth>) {
    let mut items = Vec::new();
    let mut export_truth = Vec::new();
    let mut plain: Vec<Member<'_>> = Vec::new();
    let mut n = 0;
    let mut flush = |members: &mut Vec<Member<'_>>,
                     n: &mut usize,
                     items: &mut Vec<Value>,
                     aliases: Vec<String>,
                     forwarding| {
        if members.is_empty() {
            return;
        }
        *n += 1;
        for m in members.iter() {
            export_truth.push(ExportTruth {
                distribution_id: distribution_id(*n),
                origin_id: m.origin_id.clone(),
                origin: m.target.origin.clone(),
                expected: export_expected(m.truth),
            });
        }
        items.push(distribution(*n, members, &aliases, forwarding));
        members.clear();
    };
    for (i, (target, entry)) in targets.iter().zip(truth).enumerate() {
        let member = Member {
            target,
            truth: entry,
            origin_id: format!("origin-{i}"),
        };
        match &target.host_header {
            Some(host) => {
                // Alternate the two Host-forwarding styles.
                let style = if i % 2 == 0 {
                    Forwarding::LegacyHeaders
                } else {
                    Forwarding::AllViewerPolicy
                };
                flush(
                    &mut vec![member],
                    &mut n,
                    &mut items,
                    vec![host.clone()],
                    style,
                );
            }
            None => {
                plain.push(member);
                if plain.len() == 3 {
                    flush(&mut plain, &mut n, &mut items, vec![], Forwarding::None);
                }
            }
        }
    }
    flush(&mut plain, &mut n, &mut items, vec![], Forwarding::None);

    // A distribution whose origins are not scanned: an S3 REST bucket and a VPC origin.
    n += 1;
    let mut skipped = distribution(n, &[], &[], Forwarding::None);
    skipped["Origins"] = json!({"Quantity": 2, "Items": [
        {"Id": "bucket", "DomainName": "lab-bucket.s3.amazonaws.com", "OriginPath": "",
         "CustomHeaders": {"Quantity": 0}, "S3OriginConfig": {"OriginAccessIdentity": ""},
         "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": false},
         "OriginAccessControlId": ""},
        {"Id": "private-alb", "DomainName": "internal-lab.elb.example.net", "OriginPath": "",
         "CustomHeaders": {"Quantity": 0},
         "VpcOriginConfig": {"VpcOriginId": "vo_lab0001", "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
         "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": false},
         "OriginAccessControlId": ""}
    ]});
    skipped["DefaultCacheBehavior"] = behavior("bucket", Forwarding::None, None);
    items.push(skipped);

    let export = json!({
        "DistributionList": {
            "Marker": "",
            "MaxItems": 1000,
            "IsTruncated": false,
            "Quantity": items.len(),
            "Items": items
        }
    });
    (export, export_truth)
}
