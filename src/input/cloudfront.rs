//! CloudFront distribution exports as targets: the JSON that `aws cloudfront list-distributions`
//! and `aws cloudfront get-distribution-config --id ID` print, and the origin request policies
//! (`aws cloudfront get-origin-request-policy --id ID`) that tell whether a behavior forwards the
//! viewer's Host header.
//!
//! Shapes and member names are botocore's CloudFront model (`CLOUDFRONT.md`, "The distribution
//! config"); unknown members are ignored, missing optional ones take CloudFront's defaults.
//!
//! The rules:
//! - Each origin with a `CustomOriginConfig` becomes a [`Target`]: `DomainName`, `HTTPPort`,
//!   `HTTPSPort`, `OriginProtocolPolicy`, `OriginSslProtocols`, `OriginReadTimeout`,
//!   `OriginKeepaliveTimeout`, `IpAddressType`, and the origin's `ConnectionAttempts` and
//!   `ConnectionTimeout`, each checked against CloudFront's ranges ([`crate::cloudfront`]).
//!   S3 *website* endpoints are custom origins and are scanned.
//! - S3 REST origins (`S3OriginConfig`, or an S3 REST endpoint without `CustomOriginConfig`) and
//!   VPC origins (`VpcOriginConfig`) are not reachable the way a custom origin is: they are
//!   listed in [`CloudFrontImport::skipped`] with the reason.
//! - An origin that is a member of origin groups carries the groups' ids.
//! - Aliases and Host forwarding come from the cache behaviors (`DefaultCacheBehavior` and
//!   `CacheBehaviors`) whose `TargetOriginId` is the origin, or an origin group it is a member
//!   of: such an origin gets the distribution's `Aliases`, and forwards Host when any of those
//!   behaviors does: legacy `ForwardedValues.Headers` listing `Host` or `*`; a managed cache
//!   policy whose key includes Host; a managed origin request policy that forwards it
//!   (AllViewer, AllViewerAndCloudFrontHeaders-2022-06); or a custom origin request policy whose
//!   headers include Host, looked up in [`OriginRequestPolicies`]. A custom policy that was not
//!   given makes the forwarding [`HostForwarding::Unknown`], assumed not forwarded. (Custom
//!   *cache* policies can also put Host in the key; their content is not in the export and they
//!   are not looked at.)
//! - A list-distributions page with `IsTruncated: true` (or the CLI's `NextToken`) is imported,
//!   with a warning that the export is incomplete.
//!
//! Errors name the file, the line, and the distribution and origin when known.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::target::SkippedOrigin;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::InputError;
use crate::cloudfront;
use crate::cloudfront::tls_profile::TlsVersion;
use crate::target::{
    check_port, validate_dns_name, Host, HostForwarding, IpAddressType, ProtocolPolicy, Target,
};

/// What an export held: the origins to scan, the ones that cannot be scanned, and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudFrontImport {
    /// One target per custom origin, in the export's order.
    pub targets: Vec<Target>,
    /// Origins that are not scanned (S3 REST, VPC), with the reason.
    pub skipped: Vec<SkippedOrigin>,
    /// Things the user should know (an incomplete export, a behavior aimed at no origin).
    pub warnings: Vec<String>,
}

/// What the input was expected to be, for errors about a file of the wrong shape.
const ACCEPTED_SHAPES: &str = "expected the JSON output of `aws cloudfront list-distributions` \
     ({\"DistributionList\": {\"Items\": [...]}}) or of `aws cloudfront get-distribution-config \
     --id ID` ({\"ETag\": ..., \"DistributionConfig\": {...}})";

/// The Unknown forwarding text for a custom origin request policy that was not given.
fn unknown_policy_message(id: &str) -> String {
    format!(
        "custom origin request policy {id} not given with --origin-request-policies; \
         assumed Host is not forwarded"
    )
}

/// Parses a CloudFront export (the shape is detected from its top-level members).
///
/// `list-distributions` output gives each distribution's `Id`. `get-distribution-config` output
/// has none: the distribution id is then an `"Id"` member if the file has one, at the top level
/// or in `DistributionConfig` (add it by hand to name the distribution), else the file name's
/// stem (`E2QWRUHEXAMPLE.json` gives `E2QWRUHEXAMPLE`; `-` for stdin). Any other JSON is an
/// [`InputError::File`].
pub fn parse(
    name: &str,
    content: &[u8],
    policies: &OriginRequestPolicies,
) -> Result<CloudFrontImport, InputError> {
    let content = strip_utf8_bom(content);
    if first_significant_byte(content) != Some(b'{') {
        return Err(not_an_export(name, "it is not a JSON object"));
    }
    let mut ctx = Context {
        name,
        content,
        cursor: LineCursor::default(),
        policies,
        import: CloudFrontImport::default(),
    };
    let top: Top = ctx.deserialize_whole()?;
    if let Some(list) = top.distribution_list {
        ctx.truncation_warning(&list, top.next_token.as_deref());
        for (index, raw) in list.items.unwrap_or_default().into_iter().enumerate() {
            ctx.distribution(raw, index + 1, None)?;
        }
    } else if let Some(config) = top.distribution_config {
        let id = top
            .id
            .or_else(|| peek_id(config))
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| file_stem(name));
        ctx.distribution(config, 1, Some(id))?;
    } else {
        let hint =
            if top.origin_request_policy.is_some() || top.origin_request_policy_list.is_some() {
                "it is an origin request policy (give it with --origin-request-policies)"
            } else if top.distribution.is_some() {
                "it looks like `aws cloudfront get-distribution` output; export the \
                 configuration with `aws cloudfront get-distribution-config --id ID`"
            } else {
                "it has neither a DistributionList nor a DistributionConfig member"
            };
        return Err(not_an_export(name, hint));
    }
    Ok(ctx.import)
}

fn not_an_export(name: &str, why: &str) -> InputError {
    InputError::File {
        file: name.to_string(),
        message: format!("is not a CloudFront export: {why}; {ACCEPTED_SHAPES}"),
    }
}

/// The distribution id for a `get-distribution-config` file: its name without directory and
/// extension.
fn file_stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| name.to_string())
}

fn strip_utf8_bom(content: &[u8]) -> &[u8] {
    content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content)
}

fn first_significant_byte(content: &[u8]) -> Option<u8> {
    strip_utf8_bom(content)
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
}

/// Whether `content` looks like JSON (an object), for format detection.
pub(crate) fn looks_like_json(content: &[u8]) -> bool {
    first_significant_byte(content) == Some(b'{')
}

// ---------------------------------------------------------------------------------------------
// The botocore shapes, as far as originscan reads them.

/// The top level of either output. Distributions and origins are kept raw at first so that
/// each is parsed on its own: its line is known and its errors can name it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Top<'a> {
    #[serde(borrow)]
    distribution_list: Option<DistributionList<'a>>,
    #[serde(borrow)]
    distribution_config: Option<&'a RawValue>,
    id: Option<String>,
    /// Added by the AWS CLI when `--max-items` stopped it early.
    next_token: Option<String>,
    origin_request_policy: Option<IgnoredAny>,
    origin_request_policy_list: Option<IgnoredAny>,
    distribution: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DistributionList<'a> {
    is_truncated: Option<bool>,
    next_marker: Option<String>,
    #[serde(borrow)]
    items: Option<Vec<&'a RawValue>>,
}

/// `DistributionSummary` and `DistributionConfig` alike.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Distribution<'a> {
    id: Option<String>,
    aliases: Option<Items<String>>,
    #[serde(borrow)]
    origins: Option<Items<&'a RawValue>>,
    origin_groups: Option<Items<OriginGroup>>,
    default_cache_behavior: Option<CacheBehavior>,
    cache_behaviors: Option<Items<CacheBehavior>>,
}

/// The API's `{"Quantity": n, "Items": [...]}` lists (Quantity is not needed).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Items<T> {
    items: Option<Vec<T>>,
}

impl<T> Items<T> {
    fn into_vec(items: Option<Items<T>>) -> Vec<T> {
        items.and_then(|i| i.items).unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OriginGroup {
    id: Option<String>,
    members: Option<Items<OriginGroupMember>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OriginGroupMember {
    origin_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CacheBehavior {
    path_pattern: Option<String>,
    target_origin_id: Option<String>,
    cache_policy_id: Option<String>,
    origin_request_policy_id: Option<String>,
    forwarded_values: Option<ForwardedValues>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForwardedValues {
    headers: Option<Items<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Origin {
    id: Option<String>,
    domain_name: Option<String>,
    s3_origin_config: Option<IgnoredAny>,
    custom_origin_config: Option<CustomOriginConfig>,
    vpc_origin_config: Option<VpcOriginConfig>,
    connection_attempts: Option<i64>,
    connection_timeout: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomOriginConfig {
    #[serde(rename = "HTTPPort")]
    http_port: Option<i64>,
    #[serde(rename = "HTTPSPort")]
    https_port: Option<i64>,
    origin_protocol_policy: Option<String>,
    origin_ssl_protocols: Option<Items<String>>,
    origin_read_timeout: Option<i64>,
    origin_keepalive_timeout: Option<i64>,
    ip_address_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VpcOriginConfig {
    vpc_origin_id: Option<String>,
}

/// Just the `Id`, to name a distribution or origin whose full parse failed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdOnly {
    id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The import.

/// The state of one parse: the input, where line counting got to, and what was found.
struct Context<'a, 'p> {
    name: &'a str,
    content: &'a [u8],
    cursor: LineCursor,
    policies: &'p OriginRequestPolicies,
    import: CloudFrontImport,
}

/// How the behaviors routed to one origin treat it.
#[derive(Default)]
struct Routing {
    routed: bool,
    forwarded: bool,
    unknown: Vec<String>,
}

impl<'a> Context<'a, '_> {
    /// Parses the whole input as the top-level shape.
    fn deserialize_whole(&mut self) -> Result<Top<'a>, InputError> {
        let mut de = serde_json::Deserializer::from_slice(self.content);
        let top = Top::deserialize(&mut de).and_then(|top| de.end().map(|()| top));
        top.map_err(|e| {
            let context = if e.is_data() {
                "not the shape of a CloudFront export"
            } else {
                "not valid JSON"
            };
            InputError::invalid(
                self.name,
                e.line().max(1),
                format!("{context}: {}", serde_message(&e)),
            )
        })
    }

    /// Parses one raw value; errors carry the line in the whole file and `what` it was.
    fn parse_raw<T: Deserialize<'a>>(
        &mut self,
        raw: &'a RawValue,
        what: &dyn Fn() -> String,
    ) -> Result<T, InputError> {
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let value = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        value.map_err(|e| {
            let line = self
                .line_of(raw)
                .map_or(0, |base| base + e.line().max(1) - 1);
            InputError::invalid(
                self.name,
                line,
                format!("{}: {}", what(), serde_message(&e)),
            )
        })
    }

    /// The 1-based line where `raw` starts, when it lies in the input.
    fn line_of(&mut self, raw: &RawValue) -> Option<usize> {
        let start = self.content.as_ptr() as usize;
        let offset = (raw.get().as_ptr() as usize).checked_sub(start)?;
        (offset <= self.content.len()).then(|| self.cursor.line_at(self.content, offset))
    }

    fn error(&self, line: Option<usize>, message: String) -> InputError {
        InputError::invalid(self.name, line.unwrap_or(0), message)
    }

    fn truncation_warning(&mut self, list: &DistributionList, next_token: Option<&str>) {
        let count = list.items.as_ref().map_or(0, Vec::len);
        let more = if list.is_truncated == Some(true) {
            let marker = list
                .next_marker
                .as_deref()
                .map(|m| format!(", NextMarker {m}"))
                .unwrap_or_default();
            format!("DistributionList.IsTruncated is true{marker}")
        } else if let Some(token) = next_token {
            format!("the AWS CLI stopped early (NextToken {token})")
        } else {
            return;
        };
        self.import.warnings.push(format!(
            "{}: the export is incomplete: {more}, so only {count} distribution(s) are in it. \
             Export every distribution with `aws cloudfront list-distributions` without \
             --max-items or --no-paginate (the CLI then follows every page itself), or fetch \
             the rest with \
             `aws cloudfront list-distributions --starting-token TOKEN` and give those files too",
            self.name
        ));
    }

    /// Imports one distribution (an item of a list, or a config with a given id).
    fn distribution(
        &mut self,
        raw: &'a RawValue,
        index: usize,
        given_id: Option<String>,
    ) -> Result<(), InputError> {
        let line = self.line_of(raw);
        let label_id = given_id.clone();
        let label = move || match label_id.clone().or_else(|| peek_id(raw)) {
            Some(id) => format!("distribution {id}"),
            None => format!("distribution #{index}"),
        };
        if !raw.get().starts_with('{') {
            return Err(self.error(line, format!("{}: is not a JSON object", label())));
        }
        let dist: Distribution<'a> = self.parse_raw(raw, &label)?;
        let id = match given_id.or(dist.id) {
            Some(id) if !id.trim().is_empty() => id.trim().to_string(),
            _ => return Err(self.error(line, format!("{}: has no Id", label()))),
        };
        let dist_label = format!("distribution {id}");

        let mut aliases = Vec::new();
        for alias in Items::into_vec(dist.aliases) {
            let alias = validate_dns_name(&alias)
                .map_err(|e| self.error(line, format!("{dist_label}: alias {e}")))?;
            aliases.push(alias);
        }
        aliases.sort();
        aliases.dedup();

        // The origins, parsed first so that behaviors and groups can be checked against them.
        let mut origins = Vec::new();
        for (position, raw) in Items::into_vec(dist.origins).into_iter().enumerate() {
            let origin_line = self.line_of(raw);
            let origin_label = || match peek_id(raw) {
                Some(o) => format!("{dist_label}, origin {o}"),
                None => format!("{dist_label}, origin #{}", position + 1),
            };
            if !raw.get().starts_with('{') {
                return Err(self.error(
                    origin_line,
                    format!("{}: is not a JSON object", origin_label()),
                ));
            }
            let origin: Origin = self.parse_raw(raw, &origin_label)?;
            origins.push((origin_line, position, origin));
        }
        let has_origin = |wanted: &str| {
            origins
                .iter()
                .any(|(_, _, o)| o.id.as_deref() == Some(wanted))
        };

        // Origin groups: group id → members, and origin id → groups.
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        let mut groups_of: HashMap<String, Vec<String>> = HashMap::new();
        for group in Items::into_vec(dist.origin_groups) {
            let Some(group_id) = group.id.filter(|g| !g.is_empty()) else {
                return Err(self.error(line, format!("{dist_label}: an origin group has no Id")));
            };
            let members: Vec<String> = Items::into_vec(group.members)
                .into_iter()
                .filter_map(|m| m.origin_id)
                .collect();
            for member in &members {
                if !has_origin(member) {
                    self.import.warnings.push(format!(
                        "{}: {dist_label}: origin group {group_id} names origin {member}, which \
                         the distribution does not have",
                        self.name
                    ));
                }
                let entry = groups_of.entry(member.clone()).or_default();
                if !entry.contains(&group_id) {
                    entry.push(group_id.clone());
                }
            }
            groups.entry(group_id).or_default().extend(members);
        }

        // Behaviors: which origins they route to, and whether they forward Host.
        let mut routing: HashMap<String, Routing> = HashMap::new();
        let behaviors = dist
            .default_cache_behavior
            .into_iter()
            .chain(Items::into_vec(dist.cache_behaviors));
        for (i, behavior) in behaviors.enumerate() {
            let behavior_label = match (i, &behavior.path_pattern) {
                (0, _) => "the default cache behavior".to_string(),
                (_, Some(path)) => format!("cache behavior {path}"),
                (_, None) => format!("cache behavior #{i}"),
            };
            let Some(target_id) = behavior.target_origin_id.as_deref() else {
                return Err(self.error(
                    line,
                    format!("{dist_label}: {behavior_label} has no TargetOriginId"),
                ));
            };
            let mut routed_to: Vec<&str> = Vec::new();
            if let Some(members) = groups.get(target_id) {
                routed_to.extend(members.iter().map(String::as_str));
            }
            if has_origin(target_id) {
                routed_to.push(target_id);
            }
            if routed_to.is_empty() {
                self.import.warnings.push(format!(
                    "{}: {dist_label}: {behavior_label} targets {target_id}, which is neither an \
                     origin nor an origin group of the distribution",
                    self.name
                ));
                continue;
            }
            let forwarding = behavior_forwarding(&behavior, self.policies);
            for origin_id in routed_to {
                let entry = routing.entry(origin_id.to_string()).or_default();
                entry.routed = true;
                match &forwarding {
                    HostForwarding::Forwarded => entry.forwarded = true,
                    HostForwarding::NotForwarded => {}
                    HostForwarding::Unknown(why) => {
                        if !entry.unknown.contains(why) {
                            entry.unknown.push(why.clone());
                        }
                    }
                }
            }
        }

        for (origin_line, position, origin) in origins {
            let origin_label = match &origin.id {
                Some(o) => format!("{dist_label}, origin {o}"),
                None => format!("{dist_label}, origin #{}", position + 1),
            };
            let outcome = import_origin(origin, &id)
                .map_err(|message| self.error(origin_line, format!("{origin_label}: {message}")))?;
            match outcome {
                Outcome::Skipped(skipped) => self.import.skipped.push(skipped),
                Outcome::Target(mut target, origin_id) => {
                    target.provenance.file = Some(self.name.to_string());
                    target.provenance.line = origin_line;
                    target.provenance.origin_groups =
                        groups_of.get(&origin_id).cloned().unwrap_or_default();
                    if let Some(route) = routing.get(&origin_id).filter(|r| r.routed) {
                        target.aliases = aliases.clone();
                        target.host_forwarding = if route.forwarded {
                            HostForwarding::Forwarded
                        } else if route.unknown.is_empty() {
                            HostForwarding::NotForwarded
                        } else {
                            HostForwarding::Unknown(route.unknown.join("; "))
                        };
                    }
                    self.import.targets.push(*target);
                }
            }
        }
        Ok(())
    }
}

/// The `Id` member of a raw object, if it has a string one.
fn peek_id(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<IdOnly>(raw.get())
        .ok()
        .and_then(|d| d.id)
}

enum Outcome {
    Target(Box<Target>, String),
    Skipped(SkippedOrigin),
}

/// Turns one origin into a target, or says why it is skipped; errors are the message only.
fn import_origin(origin: Origin, distribution_id: &str) -> Result<Outcome, String> {
    let id = origin
        .id
        .filter(|i| !i.trim().is_empty())
        .ok_or("has no Id")?;
    let domain = origin
        .domain_name
        .filter(|d| !d.trim().is_empty())
        .ok_or("has no DomainName")?;
    let skip = |reason: String| {
        Ok(Outcome::Skipped(SkippedOrigin {
            distribution_id: distribution_id.to_string(),
            origin_id: id.clone(),
            domain: domain.trim().to_ascii_lowercase(),
            reason,
        }))
    };
    if let Some(vpc) = &origin.vpc_origin_config {
        let which = vpc
            .vpc_origin_id
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        return skip(format!(
            "VPC origin{which} (VpcOriginConfig): CloudFront reaches it inside the AWS network, \
             not over the internet, so it cannot be scanned from here"
        ));
    }
    if origin.s3_origin_config.is_some() {
        return skip(
            "S3 REST origin (S3OriginConfig): CloudFront reaches the bucket through S3's own \
             API, not as a custom origin; only custom origins are scanned"
                .to_string(),
        );
    }
    let Some(custom) = origin.custom_origin_config else {
        if is_s3_rest_endpoint(&domain) {
            return skip(
                "S3 REST endpoint without CustomOriginConfig: CloudFront reaches the bucket \
                 through S3's own API, not as a custom origin; only custom origins are scanned"
                    .to_string(),
            );
        }
        return skip(
            "no CustomOriginConfig (nor S3OriginConfig or VpcOriginConfig): not a custom origin"
                .to_string(),
        );
    };

    let host = Host::parse(&domain).map_err(|e| format!("DomainName {e}"))?;
    let mut target = Target::new(host);
    target.policy = custom
        .origin_protocol_policy
        .as_deref()
        .ok_or("CustomOriginConfig has no OriginProtocolPolicy")?
        .parse::<ProtocolPolicy>()
        .map_err(|e| format!("OriginProtocolPolicy {e}"))?;
    if let Some(port) = custom.http_port {
        target.http_port = port_value(port, "HTTPPort")?;
    }
    if let Some(port) = custom.https_port {
        target.https_port = port_value(port, "HTTPSPort")?;
    }
    if let Some(list) = custom.origin_ssl_protocols {
        target.ssl_protocols = Some(ssl_protocols(list.items.unwrap_or_default())?);
    }
    if let Some(v) = custom.origin_read_timeout {
        target.read_timeout = seconds(v, "OriginReadTimeout", cloudfront::READ_TIMEOUT_RANGE)?;
    }
    if let Some(v) = custom.origin_keepalive_timeout {
        target.keepalive_timeout = seconds(
            v,
            "OriginKeepaliveTimeout",
            cloudfront::KEEPALIVE_TIMEOUT_RANGE,
        )?;
    }
    if let Some(v) = custom.ip_address_type {
        target.ip_address_type = v
            .parse::<IpAddressType>()
            .map_err(|e| format!("IpAddressType {e}"))?;
    }
    if let Some(v) = origin.connection_attempts {
        let range = cloudfront::CONNECTION_ATTEMPTS_RANGE;
        target.connection_attempts = u8::try_from(v)
            .ok()
            .filter(|a| range.contains(a))
            .ok_or_else(|| {
                format!(
                    "ConnectionAttempts {v} is outside CloudFront's {}-{}",
                    range.start(),
                    range.end()
                )
            })?;
    }
    if let Some(v) = origin.connection_timeout {
        target.connect_timeout =
            seconds(v, "ConnectionTimeout", cloudfront::CONNECT_TIMEOUT_RANGE)?;
    }
    target.provenance.distribution_id = Some(distribution_id.to_string());
    target.provenance.origin_id = Some(id.clone());
    Ok(Outcome::Target(Box::new(target), id))
}

fn port_value(value: i64, field: &str) -> Result<u16, String> {
    let port = u16::try_from(value).map_err(|_| format!("{field} {value} is not a port number"))?;
    check_port(port).map_err(|e| format!("{field}: {e}"))
}

fn seconds(
    value: i64,
    field: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, String> {
    u64::try_from(value)
        .ok()
        .filter(|v| range.contains(v))
        .map(Duration::from_secs)
        .ok_or_else(|| {
            format!(
                "{field} {value} is outside CloudFront's {}-{} seconds",
                range.start(),
                range.end()
            )
        })
}

/// `OriginSslProtocols.Items`: the API's names, SSLv3 included; sorted and deduplicated.
fn ssl_protocols(items: Vec<String>) -> Result<Vec<TlsVersion>, String> {
    let mut versions = Vec::with_capacity(items.len());
    for item in items {
        let version: TlsVersion = item
            .parse()
            .map_err(|e| format!("OriginSslProtocols: {e}"))?;
        if version == TlsVersion::Tls13 {
            return Err(format!(
                "OriginSslProtocols: {item:?} is not an API value \
                 (allowed: SSLv3, TLSv1, TLSv1.1, TLSv1.2)"
            ));
        }
        versions.push(version);
    }
    if versions.is_empty() {
        return Err("OriginSslProtocols lists no protocol".to_string());
    }
    versions.sort();
    versions.dedup();
    Ok(versions)
}

/// Whether `domain` is an S3 REST endpoint (`BUCKET.s3.amazonaws.com`,
/// `BUCKET.s3.REGION.amazonaws.com`, `BUCKET.s3-REGION.amazonaws.com`, dual-stack and
/// access-point forms) rather than an S3 website endpoint (`BUCKET.s3-website-REGION...` or
/// `BUCKET.s3-website.REGION...`).
pub fn is_s3_rest_endpoint(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let Some(rest) = domain
        .strip_suffix(".amazonaws.com")
        .or_else(|| domain.strip_suffix(".amazonaws.com.cn"))
    else {
        return false;
    };
    let labels: Vec<&str> = rest.split('.').collect();
    // The service label closest to the end: `s3`, `s3-REGION`, `s3-website...`, `s3-accesspoint`.
    let Some(at) = labels
        .iter()
        .rposition(|l| *l == "s3" || l.starts_with("s3-"))
    else {
        return false;
    };
    at >= 1 && !labels[at].starts_with("s3-website")
}

/// Whether one cache behavior forwards the viewer's Host header to its origin.
fn behavior_forwarding(
    behavior: &CacheBehavior,
    policies: &OriginRequestPolicies,
) -> HostForwarding {
    let legacy = behavior
        .forwarded_values
        .as_ref()
        .and_then(|f| f.headers.as_ref())
        .and_then(|h| h.items.as_ref())
        .is_some_and(|items| {
            items
                .iter()
                .any(|h| h.trim() == "*" || h.trim().eq_ignore_ascii_case("host"))
        });
    if legacy {
        return HostForwarding::Forwarded;
    }
    let cache_policy = behavior.cache_policy_id.as_deref().map(str::trim);
    if cache_policy.is_some_and(|id| {
        cloudfront::MANAGED_CACHE_POLICIES_FORWARDING_HOST
            .iter()
            .any(|(managed, _)| managed.eq_ignore_ascii_case(id))
    }) {
        return HostForwarding::Forwarded;
    }
    let Some(policy) = behavior
        .origin_request_policy_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return HostForwarding::NotForwarded;
    };
    if let Some((_, _, forwards)) = cloudfront::MANAGED_ORIGIN_REQUEST_POLICIES
        .iter()
        .find(|(id, _, _)| id.eq_ignore_ascii_case(policy))
    {
        return forwarding(*forwards);
    }
    match policies.forwards_host(policy) {
        Some(forwards) => forwarding(forwards),
        None => HostForwarding::Unknown(unknown_policy_message(policy)),
    }
}

fn forwarding(forwards: bool) -> HostForwarding {
    if forwards {
        HostForwarding::Forwarded
    } else {
        HostForwarding::NotForwarded
    }
}

/// Strips serde_json's " at line L column C" from an error's text (the line is reported apart).
fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_string(),
        None => text,
    }
}

/// Counts lines up to byte offsets; offsets asked in increasing order cost one pass in all.
#[derive(Default)]
struct LineCursor {
    offset: usize,
    line: usize,
}

impl LineCursor {
    /// The 1-based line holding byte `offset` of `content`.
    fn line_at(&mut self, content: &[u8], offset: usize) -> usize {
        if offset < self.offset || self.line == 0 {
            self.offset = 0;
            self.line = 1;
        }
        let end = offset.min(content.len());
        self.line += content[self.offset.min(end)..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = end;
        self.line
    }
}

// ---------------------------------------------------------------------------------------------
// Origin request policies.

/// Custom origin request policies, by id, as far as Host forwarding goes: read from
/// `aws cloudfront get-origin-request-policy --id ID` output (or
/// `aws cloudfront list-origin-request-policies --type custom`, which holds them all).
/// [`OriginRequestPolicies::default`] is the empty set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginRequestPolicies {
    forwards_host: HashMap<String, bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyTop {
    origin_request_policy: Option<OriginRequestPolicy>,
    origin_request_policy_list: Option<Items<PolicySummary>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicySummary {
    origin_request_policy: Option<OriginRequestPolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OriginRequestPolicy {
    id: Option<String>,
    origin_request_policy_config: Option<OriginRequestPolicyConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OriginRequestPolicyConfig {
    headers_config: Option<HeadersConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HeadersConfig {
    header_behavior: Option<String>,
    headers: Option<Items<String>>,
}

impl OriginRequestPolicies {
    /// Reads policy files (`get-origin-request-policy` or `list-origin-request-policies`
    /// output). A policy given twice keeps its first reading.
    pub fn read(paths: &[PathBuf]) -> Result<OriginRequestPolicies, InputError> {
        let mut policies = OriginRequestPolicies::default();
        for path in paths {
            let file = path.display().to_string();
            let io_err = |source| InputError::Io {
                file: file.clone(),
                source,
            };
            let meta = std::fs::metadata(path).map_err(io_err)?;
            if meta.len() > super::MAX_INPUT_BYTES {
                return Err(InputError::File {
                    file,
                    message: format!(
                        "is {} bytes; at most {} are read",
                        meta.len(),
                        super::MAX_INPUT_BYTES
                    ),
                });
            }
            let content = std::fs::read(path).map_err(io_err)?;
            policies.add(&file, &content)?;
        }
        Ok(policies)
    }

    /// Adds the policies in one file's content (`name` is used in errors).
    pub fn add(&mut self, name: &str, content: &[u8]) -> Result<(), InputError> {
        let content = strip_utf8_bom(content);
        let wrong_shape = |why: &str| InputError::File {
            file: name.to_string(),
            message: format!(
                "is not an origin request policy: {why}; expected the JSON output of \
                 `aws cloudfront get-origin-request-policy --id ID` \
                 ({{\"ETag\": ..., \"OriginRequestPolicy\": {{...}}}}) or of \
                 `aws cloudfront list-origin-request-policies`"
            ),
        };
        if first_significant_byte(content) != Some(b'{') {
            return Err(wrong_shape("it is not a JSON object"));
        }
        let mut de = serde_json::Deserializer::from_slice(content);
        let top = PolicyTop::deserialize(&mut de)
            .and_then(|top| de.end().map(|()| top))
            .map_err(|e| InputError::invalid(name, e.line().max(1), serde_message(&e)))?;
        let policies: Vec<OriginRequestPolicy> =
            match (top.origin_request_policy, top.origin_request_policy_list) {
                (Some(policy), _) => vec![policy],
                (None, Some(list)) => list
                    .items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| s.origin_request_policy)
                    .collect(),
                (None, None) => return Err(wrong_shape(
                    "it has neither an OriginRequestPolicy nor an OriginRequestPolicyList member",
                )),
            };
        for policy in policies {
            let id = policy
                .id
                .map(|i| i.trim().to_ascii_lowercase())
                .filter(|i| !i.is_empty())
                .ok_or_else(|| InputError::File {
                    file: name.to_string(),
                    message: "an origin request policy has no Id".to_string(),
                })?;
            let headers = policy
                .origin_request_policy_config
                .and_then(|c| c.headers_config)
                .ok_or_else(|| InputError::File {
                    file: name.to_string(),
                    message: format!("origin request policy {id} has no HeadersConfig"),
                })?;
            let forwards = headers_forward_host(
                headers.header_behavior.as_deref().unwrap_or_default(),
                &Items::into_vec(headers.headers),
            )
            .map_err(|m| InputError::File {
                file: name.to_string(),
                message: format!("origin request policy {id}: {m}"),
            })?;
            self.forwards_host.entry(id).or_insert(forwards);
        }
        Ok(())
    }

    /// Whether the custom policy `id` forwards Host; `None` when it was not given.
    pub fn forwards_host(&self, id: &str) -> Option<bool> {
        self.forwards_host
            .get(&id.trim().to_ascii_lowercase())
            .copied()
    }

    /// How many policies are known.
    pub fn len(&self) -> usize {
        self.forwards_host.len()
    }

    /// Whether no policy is known.
    pub fn is_empty(&self) -> bool {
        self.forwards_host.is_empty()
    }
}

/// Whether an origin request policy's `HeadersConfig` sends the viewer's Host header.
fn headers_forward_host(behavior: &str, headers: &[String]) -> Result<bool, String> {
    let lists_host = headers
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case("host"));
    match behavior {
        "none" => Ok(false),
        "whitelist" => Ok(lists_host),
        "allViewer" | "allViewerAndWhitelistCloudFront" => Ok(true),
        "allExcept" => Ok(!lists_host),
        other => Err(format!(
            "HeaderBehavior {other:?} is not one of none, whitelist, allViewer, \
             allViewerAndWhitelistCloudFront, allExcept"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const LIST: &[u8] = include_bytes!("../../fixtures/cloudfront/list-distributions.json");
    const CONFIG: &[u8] = include_bytes!("../../fixtures/cloudfront/get-distribution-config.json");
    const TRUNCATED: &[u8] =
        include_bytes!("../../fixtures/cloudfront/list-distributions-truncated.json");
    const POLICY: &[u8] = include_bytes!("../../fixtures/cloudfront/origin-request-policy.json");
    const NOT_CLOUDFRONT: &[u8] = include_bytes!("../../fixtures/cloudfront/not-cloudfront.json");

    const CUSTOM_POLICY: &str = "6f1c2a9e-8b4d-4c3a-9e7f-0a1b2c3d4e5f";
    const UNGIVEN_POLICY: &str = "0d3e5f7a-1b2c-4d6e-8f90-a1b2c3d4e5f6";

    fn fixture_policies() -> OriginRequestPolicies {
        let mut policies = OriginRequestPolicies::default();
        policies.add("origin-request-policy.json", POLICY).unwrap();
        policies
    }

    fn target<'t>(import: &'t CloudFrontImport, origin_id: &str) -> &'t Target {
        import
            .targets
            .iter()
            .find(|t| t.provenance.origin_id.as_deref() == Some(origin_id))
            .unwrap_or_else(|| panic!("no target for origin {origin_id}"))
    }

    /// The 1-based line of the first occurrence of `needle` in `text`.
    fn line_of(text: &[u8], needle: &str) -> usize {
        let text = std::str::from_utf8(text).unwrap();
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not found"));
        text[..at].matches('\n').count() + 1
    }

    /// The 1-based line of the `{` opening the object in which `needle` first occurs.
    fn object_start_line(text: &str, needle: &str) -> usize {
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not found"));
        let mut depth = 0;
        let start = text[..at]
            .rfind(|c| {
                match c {
                    '}' => depth += 1,
                    '{' if depth == 0 => return true,
                    '{' => depth -= 1,
                    _ => {}
                }
                false
            })
            .unwrap();
        text[..start].matches('\n').count() + 1
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn every_field_of_a_custom_origin_lands_in_its_target() {
        let import = parse("list.json", LIST, &fixture_policies()).unwrap();
        assert_eq!(import.targets.len(), 7, "{:#?}", import.targets);
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);

        let t = target(&import, "web-primary");
        assert_eq!(t.origin, Host::Name("web-a.origin.example.com".into()));
        assert_eq!((t.http_port, t.https_port), (8080, 8443));
        assert_eq!(t.policy, ProtocolPolicy::HttpsOnly);
        assert_eq!(t.ssl_protocols, Some(vec![TlsVersion::Tls12]));
        assert_eq!((t.read_timeout, t.keepalive_timeout), (secs(45), secs(10)));
        assert_eq!(t.ip_address_type, IpAddressType::DualStack);
        assert_eq!((t.connection_attempts, t.connect_timeout), (2, secs(5)));
        assert_eq!((t.host_header.as_deref(), t.sni.as_deref()), (None, None));
        assert_eq!(
            t.provenance.distribution_id.as_deref(),
            Some("E1WWWEXAMPLE01")
        );
        assert_eq!(t.provenance.file.as_deref(), Some("list.json"));
        // The line of the origin's opening brace, just above its "Id".
        assert_eq!(
            t.provenance.line,
            Some(line_of(LIST, "\"Id\": \"web-primary\"") - 1)
        );
        assert_eq!(t.provenance.origin_groups, names(&["web-failover"]));

        let t = target(&import, "web-secondary");
        assert_eq!(t.policy, ProtocolPolicy::MatchViewer);
        assert_eq!((t.http_port, t.https_port), (80, 443));
        assert_eq!(
            t.ssl_protocols,
            Some(vec![
                TlsVersion::Tls10,
                TlsVersion::Tls11,
                TlsVersion::Tls12
            ])
        );
        assert_eq!(t.ip_address_type, IpAddressType::Ipv4);
        assert_eq!(
            t.provenance.line,
            Some(line_of(LIST, "\"Id\": \"web-secondary\"") - 1)
        );

        let t = target(&import, "api-legacy");
        assert_eq!(t.policy, ProtocolPolicy::HttpOnly);
        assert_eq!(t.http_port, 8000);
        assert_eq!(
            t.ssl_protocols,
            Some(vec![TlsVersion::Tls11, TlsVersion::Tls12])
        );
        assert_eq!((t.read_timeout, t.keepalive_timeout), (secs(90), secs(30)));
        assert_eq!((t.connection_attempts, t.connect_timeout), (1, secs(3)));
        assert_eq!(t.ip_address_type, IpAddressType::Ipv4, "the default");

        // Edge values, SSLv3 allowed, IPv6.
        let t = target(&import, "media-legacy");
        assert_eq!(t.https_port, 4443);
        assert_eq!(
            t.ssl_protocols,
            Some(vec![TlsVersion::Ssl3, TlsVersion::Tls10])
        );
        assert_eq!(
            (t.read_timeout, t.keepalive_timeout),
            (secs(120), secs(120))
        );
        assert_eq!((t.connection_attempts, t.connect_timeout), (1, secs(1)));
        assert_eq!(t.ip_address_type, IpAddressType::Ipv6);
        assert_eq!(
            t.provenance.distribution_id.as_deref(),
            Some("E3DOCSEXAMPLE3")
        );

        // An S3 website endpoint is a custom origin: scanned.
        let t = target(&import, "docs-website");
        assert_eq!(
            t.origin,
            Host::Name("docs-bucket.example.net.s3-website-us-west-2.amazonaws.com".into())
        );
        assert_eq!(t.policy, ProtocolPolicy::HttpOnly);
    }

    #[test]
    fn missing_settings_take_cloudfronts_defaults() {
        let doc = export(
            json!([{"Id": "o1", "DomainName": "o.example.com",
                    "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}]),
            json!({"TargetOriginId": "o1"}),
            json!([]),
        );
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        let mut want = Target::new(Host::Name("o.example.com".into()));
        want.provenance.file = Some("d.json".into());
        want.provenance.line = Some(1);
        want.provenance.distribution_id = Some("EDIST".into());
        want.provenance.origin_id = Some("o1".into());
        want.aliases = names(&["www.example.com"]);
        assert_eq!(import.targets, vec![want]);
    }

    #[test]
    fn s3_rest_and_vpc_origins_are_skipped_with_the_reason() {
        let import = parse("list.json", LIST, &fixture_policies()).unwrap();
        assert_eq!(import.skipped.len(), 2, "{:#?}", import.skipped);
        let s3 = &import.skipped[0];
        assert_eq!(
            (
                s3.distribution_id.as_str(),
                s3.origin_id.as_str(),
                s3.domain.as_str()
            ),
            (
                "E1WWWEXAMPLE01",
                "static-assets",
                "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com"
            )
        );
        assert!(
            s3.reason.contains("S3 REST origin (S3OriginConfig)"),
            "{}",
            s3.reason
        );
        let vpc = &import.skipped[1];
        assert_eq!(
            (vpc.distribution_id.as_str(), vpc.origin_id.as_str()),
            ("E2APIEXAMPLE02", "api-internal")
        );
        assert!(
            vpc.reason
                .contains("VPC origin vo_EXAMPLE0123456789 (VpcOriginConfig)"),
            "{}",
            vpc.reason
        );
    }

    #[test]
    fn s3_endpoints_are_told_apart() {
        for rest in [
            "bucket.s3.amazonaws.com",
            "my.bucket.s3.us-east-1.amazonaws.com",
            "bucket.s3-us-west-2.amazonaws.com",
            "bucket.s3.dualstack.eu-west-1.amazonaws.com",
            "BUCKET.S3.AMAZONAWS.COM.",
            "bucket.s3.cn-north-1.amazonaws.com.cn",
        ] {
            assert!(is_s3_rest_endpoint(rest), "{rest}");
        }
        for other in [
            "bucket.s3-website-us-east-1.amazonaws.com",
            "bucket.s3-website.eu-central-1.amazonaws.com",
            "s3.amazonaws.com",
            "api-alb-1.us-east-1.elb.amazonaws.com",
            "s3.example.com",
            "bucket.s3.example.com",
        ] {
            assert!(!is_s3_rest_endpoint(other), "{other}");
        }

        // Without any origin config: an S3 REST domain is S3, anything else is named as such;
        // an S3 website endpoint with CustomOriginConfig is scanned.
        let doc = export(
            json!([
                {"Id": "rest", "DomainName": "b.s3.us-east-2.amazonaws.com"},
                {"Id": "bare", "DomainName": "bare.example.com"},
                {"Id": "site", "DomainName": "b.s3-website.eu-central-1.amazonaws.com",
                 "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}
            ]),
            json!({"TargetOriginId": "site"}),
            json!([]),
        );
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(import.targets.len(), 1);
        assert_eq!(
            import.targets[0].provenance.origin_id.as_deref(),
            Some("site")
        );
        assert!(import.skipped[0]
            .reason
            .contains("S3 REST endpoint without CustomOriginConfig"));
        assert!(import.skipped[1].reason.contains("no CustomOriginConfig"));
    }

    #[test]
    fn origin_group_members_are_named_and_routed() {
        let import = parse("list.json", LIST, &fixture_policies()).unwrap();
        for member in ["web-primary", "web-secondary"] {
            let t = target(&import, member);
            assert_eq!(t.provenance.origin_groups, names(&["web-failover"]));
            // The default behavior targets the group: its members get its aliases and Host.
            assert_eq!(t.aliases, names(&["example.com", "www.example.com"]));
            assert_eq!(t.host_forwarding, HostForwarding::Forwarded);
        }
        assert!(target(&import, "api-alb")
            .provenance
            .origin_groups
            .is_empty());

        // An origin in two groups names both; a group naming a missing origin, and a behavior
        // aimed at nothing, are warned about.
        let doc = export(
            json!([custom("a"), custom("b")]),
            json!({"TargetOriginId": "g2"}),
            json!([{"PathPattern": "/x/*", "TargetOriginId": "nowhere"}]),
        );
        let mut value: Value = serde_json::from_str(&doc).unwrap();
        value["DistributionList"]["Items"][0]["OriginGroups"] = json!({"Quantity": 2, "Items": [
            {"Id": "g1", "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "b"}]}},
            {"Id": "g2", "Members": {"Quantity": 2, "Items": [{"OriginId": "a"}, {"OriginId": "ghost"}]}}
        ]});
        let doc = value.to_string();
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(
            import.targets[0].provenance.origin_groups,
            names(&["g1", "g2"])
        );
        assert_eq!(import.targets[1].provenance.origin_groups, names(&["g1"]));
        assert_eq!(import.targets[0].aliases, names(&["www.example.com"]));
        assert!(
            import.targets[1].aliases.is_empty(),
            "b is only in g1, which nothing targets"
        );
        assert_eq!(import.warnings.len(), 2, "{:?}", import.warnings);
        assert!(import.warnings[0].contains("origin group g2 names origin ghost"));
        assert!(import.warnings[1].contains("cache behavior /x/* targets nowhere"));
    }

    #[test]
    fn host_forwarding_follows_the_fixtures_behaviors() {
        let with = parse("list.json", LIST, &fixture_policies()).unwrap();
        let without = parse("list.json", LIST, &OriginRequestPolicies::default()).unwrap();
        // Legacy ForwardedValues with Host; managed AllViewer; managed CORS-S3Origin.
        for import in [&with, &without] {
            assert_eq!(
                target(import, "web-primary").host_forwarding,
                HostForwarding::Forwarded
            );
            assert_eq!(
                target(import, "api-alb").host_forwarding,
                HostForwarding::Forwarded
            );
            assert_eq!(
                target(import, "docs-website").host_forwarding,
                HostForwarding::NotForwarded
            );
            // Routed to by no behavior: no aliases, nothing forwarded.
            let spare = target(import, "spare-origin");
            assert_eq!(spare.host_forwarding, HostForwarding::NotForwarded);
            assert!(spare.aliases.is_empty());
            assert_eq!(
                target(import, "media-legacy").host_forwarding,
                HostForwarding::Unknown(unknown_policy_message(UNGIVEN_POLICY))
            );
        }
        // The custom policy forwards Host when its file is given, else it is an assumption.
        assert_eq!(
            target(&with, "api-legacy").host_forwarding,
            HostForwarding::Forwarded
        );
        assert_eq!(
            target(&without, "api-legacy").host_forwarding,
            HostForwarding::Unknown(format!(
                "custom origin request policy {CUSTOM_POLICY} not given with \
                 --origin-request-policies; assumed Host is not forwarded"
            ))
        );
        assert_eq!(
            target(&with, "api-legacy").aliases,
            names(&["api.example.com"])
        );
    }

    /// The forwarding of one origin behind one behavior made of `behavior`'s members.
    fn forwarding_for(behavior: Value, policies: &OriginRequestPolicies) -> HostForwarding {
        let mut default = json!({"TargetOriginId": "o1"});
        for (key, value) in behavior.as_object().unwrap() {
            default[key] = value.clone();
        }
        let doc = export(json!([custom("o1")]), default, json!([]));
        let import = parse("d.json", doc.as_bytes(), policies).unwrap();
        import.targets[0].host_forwarding.clone()
    }

    fn headers(items: &[&str]) -> Value {
        json!({"ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
               "Headers": {"Quantity": items.len(), "Items": items}}})
    }

    fn orp(id: &str) -> Value {
        json!({"CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
               "OriginRequestPolicyId": id})
    }

    fn policy_file(id: &str, behavior: &str, items: &[&str]) -> String {
        json!({"ETag": "E1", "OriginRequestPolicy": {"Id": id, "OriginRequestPolicyConfig": {
            "Name": "p", "HeadersConfig": {"HeaderBehavior": behavior,
            "Headers": {"Quantity": items.len(), "Items": items}},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}})
        .to_string()
    }

    #[test]
    fn both_host_forwarding_styles_and_every_managed_policy() {
        use HostForwarding::{Forwarded as F, NotForwarded as N};
        let none = OriginRequestPolicies::default();
        let cases: Vec<(Value, HostForwarding)> = vec![
            (json!({}), N),
            (headers(&["Host"]), F),
            (headers(&["host"]), F),
            (headers(&["*"]), F),
            (headers(&["Accept-Language", "Origin"]), N),
            (headers(&[]), N),
            (orp("216adef6-5c7f-47e4-b989-5492eafa07d3"), F),
            (orp("33f36d7e-f396-46d9-90e0-52428a34d9dc"), F),
            (orp("216ADEF6-5C7F-47E4-B989-5492EAFA07D3"), F),
            (orp("b689b0a8-53d0-40ab-baf2-68738e2966ac"), N),
            (orp("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"), N),
            (orp("59781a5b-3903-41f3-afcb-af62929ccde1"), N),
            (orp("acba4595-bd28-49b8-b9fe-13317c0390fa"), N),
            (orp("775133bc-15f2-49f9-abea-afb2e0bf67d2"), N),
            (orp(""), N),
            // Managed cache policies with Host in the key send it to the origin too.
            (
                json!({"CachePolicyId": "83da9c7e-98b4-4e11-a168-04f0df8e2c65"}),
                F,
            ),
            (
                json!({"CachePolicyId": "4cc15a8a-d715-48a4-82b8-cc0b614638fe"}),
                F,
            ),
            (
                json!({"CachePolicyId": "2e54312d-136d-493c-8eb9-b001f22f67d2"}),
                F,
            ),
            (
                json!({"CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}),
                N,
            ),
            (
                orp("11111111-2222-4333-8444-555555555555"),
                HostForwarding::Unknown(unknown_policy_message(
                    "11111111-2222-4333-8444-555555555555",
                )),
            ),
        ];
        for (behavior, want) in cases {
            assert_eq!(forwarding_for(behavior.clone(), &none), want, "{behavior}");
        }
    }

    #[test]
    fn custom_policies_are_read_for_their_headers() {
        let id = "11111111-2222-4333-8444-555555555555";
        for (header_behavior, items, forwards) in [
            ("whitelist", &["Host"][..], true),
            ("whitelist", &["HOST", "Origin"][..], true),
            ("whitelist", &["Origin"][..], false),
            ("none", &[][..], false),
            ("allViewer", &[][..], true),
            (
                "allViewerAndWhitelistCloudFront",
                &["CloudFront-Viewer-Country"][..],
                true,
            ),
            ("allExcept", &["Host"][..], false),
            ("allExcept", &["Cookie"][..], true),
            ("allExcept", &[][..], true),
        ] {
            let mut policies = OriginRequestPolicies::default();
            policies
                .add("p.json", policy_file(id, header_behavior, items).as_bytes())
                .unwrap();
            assert_eq!(policies.forwards_host(id), Some(forwards));
            assert_eq!(
                policies.forwards_host(&id.to_ascii_uppercase()),
                Some(forwards)
            );
            let want = if forwards {
                HostForwarding::Forwarded
            } else {
                HostForwarding::NotForwarded
            };
            assert_eq!(
                forwarding_for(orp(id), &policies),
                want,
                "{header_behavior} {items:?}"
            );
        }
    }

    #[test]
    fn any_forwarding_behavior_makes_the_origin_forward() {
        let policies = OriginRequestPolicies::default();
        let unknown = "22222222-2222-4333-8444-555555555555";
        let run = |default: Value, other: Value| {
            let mut default = default;
            default["TargetOriginId"] = json!("o1");
            let mut other = other;
            other["TargetOriginId"] = json!("o1");
            other["PathPattern"] = json!("/p/*");
            let doc = export(json!([custom("o1")]), default, json!([other]));
            parse("d.json", doc.as_bytes(), &policies).unwrap().targets[0]
                .host_forwarding
                .clone()
        };
        assert_eq!(
            run(json!({}), headers(&["Host"])),
            HostForwarding::Forwarded
        );
        assert_eq!(
            run(orp(unknown), orp("216adef6-5c7f-47e4-b989-5492eafa07d3")),
            HostForwarding::Forwarded
        );
        assert_eq!(
            run(orp(unknown), json!({})),
            HostForwarding::Unknown(unknown_policy_message(unknown))
        );
        assert_eq!(run(json!({}), json!({})), HostForwarding::NotForwarded);
    }

    #[test]
    fn aliases_are_lower_case_sorted_and_deduplicated() {
        let doc = export(
            json!([custom("o1")]),
            json!({"TargetOriginId": "o1"}),
            json!([]),
        );
        let doc = doc.replace(
            r#"["www.example.com"]"#,
            r#"["WWW.Example.com", "b.example.net", "www.example.com.", "*.example.com"]"#,
        );
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(
            import.targets[0].aliases,
            names(&["*.example.com", "b.example.net", "www.example.com"])
        );

        let bad = doc.replace("b.example.net", "bad alias");
        let err = parse("d.json", bad.as_bytes(), &OriginRequestPolicies::default()).unwrap_err();
        assert!(
            err.to_string().contains("distribution EDIST: alias"),
            "{err}"
        );
    }

    #[test]
    fn the_distribution_config_takes_its_id_from_the_file() {
        let import = parse(
            "exports/get-distribution-config.json",
            CONFIG,
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        assert_eq!(import.targets.len(), 1);
        let t = &import.targets[0];
        assert_eq!(
            t.provenance.distribution_id.as_deref(),
            Some("get-distribution-config")
        );
        assert_eq!(t.provenance.origin_id.as_deref(), Some("shop-app"));
        assert_eq!(t.origin, Host::Name("shop-origin.example.com".into()));
        assert_eq!(
            t.host_forwarding,
            HostForwarding::Forwarded,
            "AllViewerAndCloudFrontHeaders"
        );
        assert_eq!(
            t.aliases,
            names(&["checkout.example.com", "shop.example.com"])
        );
        assert_eq!((t.read_timeout, t.keepalive_timeout), (secs(20), secs(15)));
        assert_eq!(t.connect_timeout, secs(4));
        assert_eq!(t.ip_address_type, IpAddressType::DualStack);
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].origin_id, "shop-assets");
        assert_eq!(import.skipped[0].distribution_id, "get-distribution-config");

        // An "Id" member names it instead, at the top level or in the config.
        let text = std::str::from_utf8(CONFIG).unwrap();
        let top = text.replacen('{', r#"{"Id": "EDFDVBD6EXAMPLE","#, 1);
        let import = parse("x.json", top.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(
            import.targets[0].provenance.distribution_id.as_deref(),
            Some("EDFDVBD6EXAMPLE")
        );
        let inner = text.replacen(
            r#""DistributionConfig": {"#,
            r#""DistributionConfig": {"Id": "E2INNER","#,
            1,
        );
        let import = parse(
            "x.json",
            inner.as_bytes(),
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        assert_eq!(
            import.targets[0].provenance.distribution_id.as_deref(),
            Some("E2INNER")
        );
    }

    #[test]
    fn a_truncated_export_warns() {
        let import = parse("page.json", TRUNCATED, &OriginRequestPolicies::default()).unwrap();
        assert_eq!(import.targets.len(), 2);
        assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
        let warning = &import.warnings[0];
        for part in [
            "page.json: the export is incomplete",
            "IsTruncated is true, NextMarker E1WWWEXAMPLE01",
            "only 1 distribution(s)",
            "without --max-items or --no-paginate",
            "--starting-token",
        ] {
            assert!(warning.contains(part), "{part:?} not in {warning}");
        }
        // The AWS CLI's own pagination leaves a NextToken instead.
        let doc = r#"{"DistributionList": {"Items": []}, "NextToken": "eyJNYXJrZXIiOiBudWxsfQ=="}"#;
        let import = parse("p.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert!(import.warnings[0].contains("NextToken eyJNYXJrZXIiOiBudWxsfQ=="));
        // A complete export does not.
        assert!(parse("l.json", LIST, &OriginRequestPolicies::default())
            .unwrap()
            .warnings
            .is_empty());
    }

    fn file_error(content: &[u8]) -> String {
        match parse("f.json", content, &OriginRequestPolicies::default()) {
            Err(InputError::File { file, message }) => {
                assert_eq!(file, "f.json");
                message
            }
            other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(content)),
        }
    }

    #[test]
    fn other_shapes_are_refused_naming_what_is_accepted() {
        for content in [
            NOT_CLOUDFRONT,
            b"{}",
            b"[]",
            b"\"DistributionList\"",
            b"",
            b"   ",
            br#"{"DistributionLists": {"Items": []}}"#,
        ] {
            let message = file_error(content);
            assert!(
                message.starts_with("is not a CloudFront export"),
                "{message}"
            );
            assert!(
                message.contains("aws cloudfront list-distributions"),
                "{message}"
            );
            assert!(
                message.contains("get-distribution-config --id ID"),
                "{message}"
            );
        }
        assert!(file_error(POLICY).contains("--origin-request-policies"));
        assert!(
            file_error(br#"{"ETag": "E", "Distribution": {"Id": "E1"}}"#)
                .contains("looks like `aws cloudfront get-distribution` output")
        );
    }

    fn invalid(content: &str) -> (usize, String) {
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

    #[test]
    fn bad_json_and_bad_types_name_the_line_and_the_distribution_or_origin() {
        let (line, message) = invalid("{\n\"DistributionList\": {\n\"Items\": [\n}");
        assert_eq!(line, 4);
        assert!(message.starts_with("not valid JSON: "), "{message}");

        let (line, message) = invalid("{\"DistributionList\": {\"Items\": 5}}");
        assert_eq!(line, 1);
        assert!(
            message.contains("not the shape of a CloudFront export"),
            "{message}"
        );

        // A type error inside an origin: the line is the field's, in the whole file.
        let mut origin = custom("o1");
        origin["CustomOriginConfig"]["HTTPPort"] = json!("eighty");
        let doc = pretty_export(json!([custom("o0"), origin]));
        let (line, message) = invalid(&doc);
        assert_eq!(line, line_of(doc.as_bytes(), "\"eighty\""));
        assert!(
            message.starts_with("distribution EDIST, origin o1: invalid type"),
            "{message}"
        );

        // A type error in the distribution itself names it.
        let mut value = export_value(
            json!([custom("o1")]),
            json!({"TargetOriginId": "o1"}),
            json!([]),
        );
        value["DistributionList"]["Items"][0]["Aliases"]["Items"] = json!("www.example.com");
        let doc = serde_json::to_string_pretty(&value).unwrap();
        let (line, message) = invalid(&doc);
        assert_eq!(
            line,
            line_of(doc.as_bytes(), "\"Items\": \"www.example.com\"")
        );
        assert!(
            message.starts_with("distribution EDIST: invalid type"),
            "{message}"
        );

        // Not an object where a distribution or an origin belongs.
        let (_, message) = invalid(r#"{"DistributionList": {"Items": [[1, 2]]}}"#);
        assert_eq!(message, "distribution #1: is not a JSON object");
        let (_, message) = invalid(&export(
            json!([7]),
            json!({"TargetOriginId": "x"}),
            json!([]),
        ));
        assert_eq!(
            message,
            "distribution EDIST, origin #1: is not a JSON object"
        );

        // Missing required members.
        let (_, message) = invalid(r#"{"DistributionList": {"Items": [{"Origins": {}}]}}"#);
        assert_eq!(message, "distribution #1: has no Id");
        let (_, message) = invalid(&export(
            json!([{"DomainName": "a.example.com", "CustomOriginConfig": {}}]),
            json!({"TargetOriginId": "x"}),
            json!([]),
        ));
        assert_eq!(message, "distribution EDIST, origin #1: has no Id");
        let (_, message) = invalid(&export(json!([custom("o1")]), json!({}), json!([])));
        assert_eq!(
            message,
            "distribution EDIST: the default cache behavior has no TargetOriginId"
        );
    }

    #[test]
    fn out_of_range_values_name_the_distribution_and_origin() {
        let cases: &[(&str, Value, &str)] = &[
            (
                "HTTPSPort",
                json!(22),
                "HTTPSPort: port 22 is not one CloudFront connects to",
            ),
            ("HTTPPort", json!(1023), "HTTPPort: port 1023 is not one"),
            (
                "HTTPPort",
                json!(70000),
                "HTTPPort 70000 is not a port number",
            ),
            ("HTTPSPort", json!(-1), "HTTPSPort -1 is not a port number"),
            (
                "OriginReadTimeout",
                json!(0),
                "OriginReadTimeout 0 is outside CloudFront's 1-120 seconds",
            ),
            (
                "OriginReadTimeout",
                json!(121),
                "OriginReadTimeout 121 is outside",
            ),
            (
                "OriginKeepaliveTimeout",
                json!(121),
                "OriginKeepaliveTimeout 121 is outside",
            ),
            (
                "OriginKeepaliveTimeout",
                json!(-5),
                "OriginKeepaliveTimeout -5 is outside",
            ),
            (
                "OriginProtocolPolicy",
                json!("sometimes"),
                "OriginProtocolPolicy `sometimes` is not",
            ),
            (
                "IpAddressType",
                json!("ipv5"),
                "IpAddressType `ipv5` is not an IpAddressType",
            ),
            (
                "OriginSslProtocols",
                json!({"Quantity": 1, "Items": ["TLSv1.3"]}),
                "OriginSslProtocols: \"TLSv1.3\" is not an API value",
            ),
            (
                "OriginSslProtocols",
                json!({"Quantity": 1, "Items": ["TLSv9"]}),
                "OriginSslProtocols: unknown protocol \"TLSv9\"",
            ),
            (
                "OriginSslProtocols",
                json!({"Quantity": 0}),
                "OriginSslProtocols lists no protocol",
            ),
        ];
        for (field, value, want) in cases {
            let mut origin = custom("o1");
            origin["CustomOriginConfig"][*field] = value.clone();
            check_origin_error(origin, want);
        }
        for (field, value, want) in [
            (
                "ConnectionAttempts",
                json!(0),
                "ConnectionAttempts 0 is outside CloudFront's 1-3",
            ),
            (
                "ConnectionAttempts",
                json!(4),
                "ConnectionAttempts 4 is outside",
            ),
            (
                "ConnectionAttempts",
                json!(300),
                "ConnectionAttempts 300 is outside",
            ),
            (
                "ConnectionTimeout",
                json!(11),
                "ConnectionTimeout 11 is outside CloudFront's 1-10 seconds",
            ),
            (
                "DomainName",
                json!("not a host"),
                "DomainName `not a host` is not a host name",
            ),
        ] {
            let mut origin = custom("o1");
            origin[field] = value;
            check_origin_error(origin, want);
        }
        let mut origin = custom("o1");
        origin["CustomOriginConfig"]
            .as_object_mut()
            .unwrap()
            .remove("OriginProtocolPolicy");
        check_origin_error(origin, "CustomOriginConfig has no OriginProtocolPolicy");
    }

    /// `origin` (the second origin of a pretty-printed export) must fail with `want`, on the
    /// line where the origin starts.
    fn check_origin_error(origin: Value, want: &str) {
        let doc = pretty_export(json!([custom("o0"), origin]));
        let (line, message) = invalid(&doc);
        let prefix = "distribution EDIST, origin o1: ";
        assert!(
            message.starts_with(prefix) && message[prefix.len()..].starts_with(want),
            "got {message:?}, want {want:?}"
        );
        assert_eq!(line, object_start_line(&doc, "\"Id\": \"o1\""), "{message}");
    }

    #[test]
    fn policy_files_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, POLICY).unwrap();
        let policies = OriginRequestPolicies::read(&[path]).unwrap();
        assert_eq!(policies.len(), 1);
        assert_eq!(policies.forwards_host(CUSTOM_POLICY), Some(true));
        assert_eq!(policies.forwards_host(UNGIVEN_POLICY), None);
        assert!(OriginRequestPolicies::default().is_empty());

        let missing = OriginRequestPolicies::read(&[dir.path().join("nope.json")]).unwrap_err();
        assert!(matches!(missing, InputError::Io { .. }), "{missing:?}");

        // `list-origin-request-policies` output holds several.
        let list = json!({"OriginRequestPolicyList": {"MaxItems": 100, "Quantity": 2, "Items": [
            {"Type": "custom", "OriginRequestPolicy": {"Id": "a", "OriginRequestPolicyConfig": {
                "Name": "a", "HeadersConfig": {"HeaderBehavior": "allViewer"}}}},
            {"Type": "custom", "OriginRequestPolicy": {"Id": "b", "OriginRequestPolicyConfig": {
                "Name": "b", "HeadersConfig": {"HeaderBehavior": "none"}}}}
        ]}});
        let mut policies = OriginRequestPolicies::default();
        policies
            .add("list.json", list.to_string().as_bytes())
            .unwrap();
        assert_eq!(
            (policies.forwards_host("a"), policies.forwards_host("b")),
            (Some(true), Some(false))
        );

        let mut policies = OriginRequestPolicies::default();
        let err = policies.add("x.json", LIST).unwrap_err().to_string();
        assert!(
            err.starts_with("x.json: is not an origin request policy"),
            "{err}"
        );
        let err = policies
            .add("x.json", policy_file("p", "sometimes", &[]).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("origin request policy p: HeaderBehavior \"sometimes\""),
            "{err}"
        );
        let err = policies
            .add("x.json", b"{\n\"OriginRequestPolicy\": 5}")
            .unwrap_err();
        assert!(
            matches!(err, InputError::Invalid { line: 2, .. }),
            "{err:?}"
        );
        let err = policies
            .add("x.json", br#"{"OriginRequestPolicy": {"Id": "p"}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("origin request policy p has no HeadersConfig"),
            "{err}"
        );
    }

    #[test]
    fn no_panic_on_random_json() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let policies = fixture_policies();
        for _ in 0..3000 {
            let doc = random_value(&mut rng, 0, true).to_string();
            let _ = parse("r.json", doc.as_bytes(), &policies);
            let _ = OriginRequestPolicies::default().add("r.json", doc.as_bytes());
        }
        // Damaged fixtures: cut short, and with bytes changed.
        for source in [LIST, CONFIG, POLICY] {
            for cut in (0..source.len()).step_by(97) {
                let _ = parse("c.json", &source[..cut], &policies);
                let _ = OriginRequestPolicies::default().add("c.json", &source[..cut]);
            }
            for _ in 0..300 {
                let mut damaged = source.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(damaged.len());
                    let bytes = b"{}[]\":,0-9aZ \n\xff";
                    damaged[at] = bytes[rng.below(bytes.len())];
                }
                let _ = parse("d.json", &damaged, &policies);
                let _ = OriginRequestPolicies::default().add("d.json", &damaged);
            }
        }
    }

    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// Random JSON made of the export's member names, so that it reaches deep into the parser.
    fn random_value(rng: &mut XorShift, depth: usize, object: bool) -> Value {
        const KEYS: &[&str] = &[
            "DistributionList",
            "DistributionConfig",
            "Items",
            "Quantity",
            "IsTruncated",
            "NextMarker",
            "NextToken",
            "Id",
            "ETag",
            "DomainName",
            "Aliases",
            "Origins",
            "OriginGroups",
            "Members",
            "OriginId",
            "DefaultCacheBehavior",
            "CacheBehaviors",
            "TargetOriginId",
            "PathPattern",
            "ForwardedValues",
            "Headers",
            "CachePolicyId",
            "OriginRequestPolicyId",
            "CustomOriginConfig",
            "S3OriginConfig",
            "VpcOriginConfig",
            "VpcOriginId",
            "HTTPPort",
            "HTTPSPort",
            "OriginProtocolPolicy",
            "OriginSslProtocols",
            "OriginReadTimeout",
            "OriginKeepaliveTimeout",
            "IpAddressType",
            "ConnectionAttempts",
            "ConnectionTimeout",
            "OriginRequestPolicy",
            "OriginRequestPolicyList",
            "OriginRequestPolicyConfig",
            "HeadersConfig",
            "HeaderBehavior",
            "Distribution",
        ];
        const STRINGS: &[&str] = &[
            "o1",
            "g1",
            "Host",
            "*",
            "a.example.com",
            "b.s3.amazonaws.com",
            "https-only",
            "http-only",
            "match-viewer",
            "TLSv1.2",
            "SSLv3",
            "TLSv1.3",
            "ipv6",
            "dualstack",
            "216adef6-5c7f-47e4-b989-5492eafa07d3",
            CUSTOM_POLICY,
            "whitelist",
            "allExcept",
            "",
            "bad host",
            "\u{e9}\u{1F600}",
        ];
        if object || (depth < 6 && rng.below(3) == 0) {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(5) + usize::from(object) {
                let key = KEYS[rng.below(KEYS.len())].to_string();
                map.insert(key, random_value(rng, depth + 1, false));
            }
            return Value::Object(map);
        }
        match rng.below(8) {
            0 if depth < 6 => Value::Array(
                (0..rng.below(4))
                    .map(|_| {
                        let object = rng.below(2) == 0;
                        random_value(rng, depth + 1, object)
                    })
                    .collect(),
            ),
            1 => Value::Null,
            2 => Value::Bool(rng.below(2) == 0),
            3 => json!(rng.below(200_000) as i64 - 1000),
            4 => json!(i64::MIN),
            5 => json!(1.5e300),
            _ => Value::String(STRINGS[rng.below(STRINGS.len())].to_string()),
        }
    }

    /// A custom origin with every setting at a valid value.
    fn custom(id: &str) -> Value {
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

    fn export_value(origins: Value, default: Value, behaviors: Value) -> Value {
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
    fn export(origins: Value, default: Value, behaviors: Value) -> String {
        export_value(origins, default, behaviors).to_string()
    }

    /// The same, pretty-printed (one member a line), for line numbers.
    fn pretty_export(origins: Value) -> String {
        serde_json::to_string_pretty(&export_value(
            origins,
            json!({"TargetOriginId": "o0"}),
            json!([]),
        ))
        .unwrap()
    }
}
