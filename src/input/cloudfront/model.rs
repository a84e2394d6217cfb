//! The serde model of botocore's distribution shapes, as far as originscan reads them: a
//! distribution (`DistributionSummary` or `DistributionConfig`), its origins, origin groups and
//! cache behaviors, and the API's `{"Quantity": n, "Items": [...]}` lists.
//!
//! Unknown members are ignored; every member is optional here and checked where it is used.
//! The top-level wrappers of the CLI's output are in [`super::shape`]; the origin request
//! policy files are in [`super::host_forwarding`].

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

/// `DistributionSummary` and `DistributionConfig` alike.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Distribution<'a> {
    pub(super) id: Option<String>,
    /// `DistributionSummary.DomainName` (`d111111abcdef8.cloudfront.net`); a
    /// `DistributionConfig` has none (`get-distribution` output holds it beside the config).
    pub(super) domain_name: Option<String>,
    /// `direct` or `tenant-only` (a multi-tenant distribution).
    pub(super) connection_mode: Option<String>,
    pub(super) aliases: Option<Items<String>>,
    #[serde(borrow)]
    pub(super) origins: Option<Items<&'a RawValue>>,
    pub(super) origin_groups: Option<Items<OriginGroup>>,
    pub(super) default_cache_behavior: Option<CacheBehavior>,
    pub(super) cache_behaviors: Option<Items<CacheBehavior>>,
}

/// The API's `{"Quantity": n, "Items": [...]}` lists (Quantity is not needed).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Items<T> {
    pub(super) items: Option<Vec<T>>,
}

impl<T> Items<T> {
    pub(super) fn into_vec(items: Option<Items<T>>) -> Vec<T> {
        items.and_then(|i| i.items).unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OriginGroup {
    pub(super) id: Option<String>,
    pub(super) members: Option<Items<OriginGroupMember>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OriginGroupMember {
    pub(super) origin_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CacheBehavior {
    pub(super) path_pattern: Option<String>,
    pub(super) target_origin_id: Option<String>,
    pub(super) cache_policy_id: Option<String>,
    pub(super) origin_request_policy_id: Option<String>,
    pub(super) forwarded_values: Option<ForwardedValues>,
    pub(super) grpc_config: Option<GrpcConfig>,
}

/// `GrpcConfig` of a cache behavior: `Enabled` is required by botocore.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GrpcConfig {
    pub(super) enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ForwardedValues {
    pub(super) headers: Option<Items<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Origin {
    pub(super) id: Option<String>,
    pub(super) domain_name: Option<String>,
    pub(super) s3_origin_config: Option<IgnoredAny>,
    pub(super) custom_origin_config: Option<CustomOriginConfig>,
    pub(super) vpc_origin_config: Option<VpcOriginConfig>,
    pub(super) connection_attempts: Option<i64>,
    pub(super) connection_timeout: Option<i64>,
    pub(super) origin_path: Option<String>,
    pub(super) custom_headers: Option<Items<OriginCustomHeader>>,
    pub(super) response_completion_timeout: Option<i64>,
}

/// `OriginCustomHeader`: both members are required by botocore.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OriginCustomHeader {
    pub(super) header_name: Option<String>,
    pub(super) header_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CustomOriginConfig {
    #[serde(rename = "HTTPPort")]
    pub(super) http_port: Option<i64>,
    #[serde(rename = "HTTPSPort")]
    pub(super) https_port: Option<i64>,
    pub(super) origin_protocol_policy: Option<String>,
    pub(super) origin_ssl_protocols: Option<Items<String>>,
    pub(super) origin_read_timeout: Option<i64>,
    pub(super) origin_keepalive_timeout: Option<i64>,
    pub(super) ip_address_type: Option<String>,
    /// Only whether it is there: its `ClientCertificateArn` is not needed.
    pub(super) origin_mtls_config: Option<IgnoredAny>,
    pub(super) origin_http_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VpcOriginConfig {
    pub(super) vpc_origin_id: Option<String>,
}

/// Just the `Id`, to name a distribution or origin whose full parse failed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdOnly {
    id: Option<String>,
}

/// The `Id` member of a raw object, if it has a string one.
pub(super) fn peek_id(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<IdOnly>(raw.get())
        .ok()
        .and_then(|d| d.id)
}
