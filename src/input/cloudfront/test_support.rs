//! What the tests of the folder share: the fixtures, the custom policy ids they name, and
//! builders of small exports and of the errors they give.

use std::time::Duration;

use serde_json::{json, Value};

use super::{parse, CloudFrontImport, OriginRequestPolicies};
use crate::input::InputError;
use crate::target::Target;

pub(super) const LIST: &[u8] =
    include_bytes!("../../../fixtures/cloudfront/list-distributions.json");
pub(super) const CONFIG: &[u8] =
    include_bytes!("../../../fixtures/cloudfront/get-distribution-config.json");
pub(super) const TRUNCATED: &[u8] =
    include_bytes!("../../../fixtures/cloudfront/list-distributions-truncated.json");
pub(super) const POLICY: &[u8] =
    include_bytes!("../../../fixtures/cloudfront/origin-request-policy.json");
pub(super) const NOT_CLOUDFRONT: &[u8] =
    include_bytes!("../../../fixtures/cloudfront/not-cloudfront.json");

pub(super) const CUSTOM_POLICY: &str = "6f1c2a9e-8b4d-4c3a-9e7f-0a1b2c3d4e5f";
pub(super) const UNGIVEN_POLICY: &str = "0d3e5f7a-1b2c-4d6e-8f90-a1b2c3d4e5f6";

pub(super) fn fixture_policies() -> OriginRequestPolicies {
    let mut policies = OriginRequestPolicies::default();
    policies.add("origin-request-policy.json", POLICY).unwrap();
    policies
}

pub(super) fn target<'t>(import: &'t CloudFrontImport, origin_id: &str) -> &'t Target {
    import
        .targets
        .iter()
        .find(|t| t.provenance.origin_id.as_deref() == Some(origin_id))
        .unwrap_or_else(|| panic!("no target for origin {origin_id}"))
}

/// The 1-based line of the first occurrence of `needle` in `text`.
pub(super) fn line_of(text: &[u8], needle: &str) -> usize {
    let text = std::str::from_utf8(text).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not found"));
    text[..at].matches('\n').count() + 1
}

pub(super) fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub(super) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub(super) fn headers(items: &[&str]) -> Value {
    json!({"ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
           "Headers": {"Quantity": items.len(), "Items": items}}})
}

pub(super) fn orp(id: &str) -> Value {
    json!({"CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
           "OriginRequestPolicyId": id})
}

pub(super) fn invalid(content: &str) -> (usize, String) {
    match parse(
        "f.json",
        content.as_bytes(),
        &OriginRequestPolicies::default(),
    ) {
        Err(InputError::Invalid {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "f.json");
            (line, message)
        }
        other => panic!("{content} gave {other:?}"),
    }
}

/// A custom origin with every setting at a valid value.
pub(super) fn custom(id: &str) -> Value {
    json!({
        "Id": id,
        "DomainName": format!("{id}.origin.example.com"),
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5
        },
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10
    })
}

pub(super) fn export_value(origins: Value, default: Value, behaviors: Value) -> Value {
    let count = behaviors.as_array().map_or(0, Vec::len);
    json!({"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": false,
    "Quantity": 1, "Items": [{
        "Id": "EDIST",
        "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
        "Origins": {"Quantity": origins.as_array().map_or(0, Vec::len), "Items": origins},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": count, "Items": behaviors}
    }]}})
}

/// A one-distribution list-distributions export, on one line.
pub(super) fn export(origins: Value, default: Value, behaviors: Value) -> String {
    export_value(origins, default, behaviors).to_string()
}

/// The same, pretty-printed (one member a line), for line numbers.
pub(super) fn pretty_export(origins: Value) -> String {
    serde_json::to_string_pretty(&export_value(
        origins,
        json!({"TargetOriginId": "o0"}),
        json!([]),
    ))
    .unwrap()
}
