//! What the SDK read, written back as the JSON the AWS CLI prints for the same calls
//! (`aws cloudfront list-distributions`, `list-origin-request-policies`, `list-cache-policies`),
//! so that `scan --aws` goes through the export reader ([`crate::input::cloudfront`]) like any
//! `-i` file, and `--aws-save` writes a file that `-i` replays.
//!
//! The SDK's types are not serde: each is written member by member, under botocore's member
//! names (the AWS CLI's), and a member absent from the SDK's value is absent here (the SDK's
//! public `Option` fields are read, not its accessors, which turn a missing list into an empty
//! one). Members of a distribution summary that originscan reads and the ones beside them that
//! say what a distribution is (ARN, Status, Comment, Enabled, ...) are written; the viewer
//! side (ViewerCertificate, Restrictions, CustomErrorResponses, AliasICPRecordals, Lambda and
//! function associations, trusted signers, allowed methods) is not: nothing of it reaches an
//! origin. Neither is `Staging`: the SDK turns a missing required member into its default
//! (false), so it cannot say whether the API sent it. `tests/it/aws_api.rs` compares every member written with what boto3 reads from the
//! same account, and checks the file against botocore's model.

use aws_sdk_cloudfront::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudfront::types::{
    CacheBehavior, CachePolicy, CookieNames, CookiePreference, DefaultCacheBehavior,
    DistributionSummary, ForwardedValues, Headers, Origin, OriginGroup, OriginRequestPolicy,
    QueryStringNames,
};
use serde_json::{Map, Value};

/// A JSON object built member by member; `None` members are left out.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(Map::new())
    }

    fn put(mut self, name: &str, value: impl Into<Value>) -> Obj {
        self.0.insert(name.to_string(), value.into());
        self
    }

    fn opt<T: Into<Value>>(mut self, name: &str, value: Option<T>) -> Obj {
        if let Some(value) = value {
            self.0.insert(name.to_string(), value.into());
        }
        self
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A `{"Quantity": n, "Items": [...]}` list, `Items` only when the SDK had it.
fn quantity_list<T>(quantity: i32, items: Option<&Vec<T>>, item: impl Fn(&T) -> Value) -> Value {
    Obj::new()
        .put("Quantity", quantity)
        .opt(
            "Items",
            items.map(|items| Value::Array(items.iter().map(item).collect())),
        )
        .done()
}

fn strings(items: Option<&Vec<String>>, quantity: i32) -> Value {
    quantity_list(quantity, items, |s| Value::String(s.clone()))
}

/// A timestamp as the AWS CLI prints it (ISO 8601); the reader does not look at it.
fn timestamp(time: &DateTime) -> Value {
    time.fmt(DateTimeFormat::DateTime)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// One distribution of a `ListDistributions` page, as `DistributionSummary`.
pub(crate) fn distribution(d: &DistributionSummary) -> Value {
    Obj::new()
        .put("Id", d.id.as_str())
        .put("ARN", d.arn.as_str())
        .opt("ETag", d.e_tag.as_deref())
        .put("Status", d.status.as_str())
        .put("LastModifiedTime", timestamp(&d.last_modified_time))
        .put("DomainName", d.domain_name.as_str())
        .opt(
            "Aliases",
            d.aliases
                .as_ref()
                .map(|a| strings(a.items.as_ref(), a.quantity)),
        )
        .opt(
            "Origins",
            d.origins
                .as_ref()
                .map(|o| quantity_list(o.quantity, Some(&o.items), origin)),
        )
        .opt(
            "OriginGroups",
            d.origin_groups
                .as_ref()
                .map(|g| quantity_list(g.quantity, g.items.as_ref(), origin_group)),
        )
        .opt(
            "DefaultCacheBehavior",
            d.default_cache_behavior.as_ref().map(default_behavior),
        )
        .opt(
            "CacheBehaviors",
            d.cache_behaviors
                .as_ref()
                .map(|b| quantity_list(b.quantity, b.items.as_ref(), behavior)),
        )
        .put("Comment", d.comment.as_str())
        .put("PriceClass", d.price_class.as_str())
        .put("Enabled", d.enabled)
        .put("WebACLId", d.web_acl_id.as_str())
        .put("HttpVersion", d.http_version.as_str())
        .put("IsIPV6Enabled", d.is_ipv6_enabled)
        .opt(
            "ConnectionMode",
            d.connection_mode.as_ref().map(|m| m.as_str()),
        )
        .opt("AnycastIpListId", d.anycast_ip_list_id.as_deref())
        .done()
}

fn origin(o: &Origin) -> Value {
    Obj::new()
        .put("Id", o.id.as_str())
        .put("DomainName", o.domain_name.as_str())
        .opt("OriginPath", o.origin_path.as_deref())
        .opt(
            "CustomHeaders",
            o.custom_headers.as_ref().map(|h| {
                quantity_list(h.quantity, h.items.as_ref(), |h| {
                    Obj::new()
                        .put("HeaderName", h.header_name.as_str())
                        .put("HeaderValue", h.header_value.as_str())
                        .done()
                })
            }),
        )
        .opt(
            "S3OriginConfig",
            o.s3_origin_config.as_ref().map(|s| {
                Obj::new()
                    .put("OriginAccessIdentity", s.origin_access_identity.as_str())
                    .opt("OriginReadTimeout", s.origin_read_timeout)
                    .done()
            }),
        )
        .opt(
            "CustomOriginConfig",
            o.custom_origin_config.as_ref().map(|c| {
                Obj::new()
                    .put("HTTPPort", c.http_port)
                    .put("HTTPSPort", c.https_port)
                    .put("OriginProtocolPolicy", c.origin_protocol_policy.as_str())
                    .opt(
                        "OriginSslProtocols",
                        c.origin_ssl_protocols.as_ref().map(|p| {
                            quantity_list(p.quantity, Some(&p.items), |s| s.as_str().into())
                        }),
                    )
                    .opt("OriginReadTimeout", c.origin_read_timeout)
                    .opt("OriginKeepaliveTimeout", c.origin_keepalive_timeout)
                    .opt(
                        "IpAddressType",
                        c.ip_address_type.as_ref().map(|t| t.as_str()),
                    )
                    .opt(
                        "OriginMtlsConfig",
                        c.origin_mtls_config.as_ref().map(|m| {
                            Obj::new()
                                .put("ClientCertificateArn", m.client_certificate_arn.as_str())
                                .done()
                        }),
                    )
                    .done()
            }),
        )
        .opt(
            "VpcOriginConfig",
            o.vpc_origin_config.as_ref().map(|v| {
                Obj::new()
                    .put("VpcOriginId", v.vpc_origin_id.as_str())
                    .opt("OwnerAccountId", v.owner_account_id.as_deref())
                    .opt("OriginReadTimeout", v.origin_read_timeout)
                    .opt("OriginKeepaliveTimeout", v.origin_keepalive_timeout)
                    .done()
            }),
        )
        .opt("ConnectionAttempts", o.connection_attempts)
        .opt("ConnectionTimeout", o.connection_timeout)
        .opt("ResponseCompletionTimeout", o.response_completion_timeout)
        .opt(
            "OriginShield",
            o.origin_shield.as_ref().map(|s| {
                Obj::new()
                    .put("Enabled", s.enabled)
                    .opt("OriginShieldRegion", s.origin_shield_region.as_deref())
                    .done()
            }),
        )
        .opt(
            "OriginAccessControlId",
            o.origin_access_control_id.as_deref(),
        )
        .done()
}

fn origin_group(g: &OriginGroup) -> Value {
    Obj::new()
        .put("Id", g.id.as_str())
        .opt(
            "FailoverCriteria",
            g.failover_criteria.as_ref().map(|f| {
                Obj::new()
                    .opt(
                        "StatusCodes",
                        f.status_codes
                            .as_ref()
                            .map(|s| quantity_list(s.quantity, Some(&s.items), |c| (*c).into())),
                    )
                    .done()
            }),
        )
        .opt(
            "Members",
            g.members.as_ref().map(|m| {
                quantity_list(m.quantity, Some(&m.items), |m| {
                    Obj::new().put("OriginId", m.origin_id.as_str()).done()
                })
            }),
        )
        .opt(
            "SelectionCriteria",
            g.selection_criteria.as_ref().map(|s| s.as_str()),
        )
        .done()
}

/// The members a default behavior and a path behavior share, after `TargetOriginId`.
#[allow(clippy::too_many_arguments)]
fn behavior_members(
    obj: Obj,
    viewer_protocol_policy: &str,
    compress: Option<bool>,
    cache_policy_id: Option<&str>,
    origin_request_policy_id: Option<&str>,
    response_headers_policy_id: Option<&str>,
    forwarded_values: Option<&ForwardedValues>,
    ttls: [Option<i64>; 3],
) -> Value {
    obj.put("ViewerProtocolPolicy", viewer_protocol_policy)
        .opt("Compress", compress)
        .opt("CachePolicyId", cache_policy_id)
        .opt("OriginRequestPolicyId", origin_request_policy_id)
        .opt("ResponseHeadersPolicyId", response_headers_policy_id)
        .opt("ForwardedValues", forwarded_values.map(forwarded))
        .opt("MinTTL", ttls[0])
        .opt("DefaultTTL", ttls[1])
        .opt("MaxTTL", ttls[2])
        .done()
}

// ForwardedValues and the TTLs are deprecated in the API (cache policies replace them) but
// still in accounts, and ForwardedValues.Headers is how a legacy behavior forwards Host.
#[allow(deprecated)]
fn default_behavior(b: &DefaultCacheBehavior) -> Value {
    behavior_members(
        Obj::new().put("TargetOriginId", b.target_origin_id.as_str()),
        b.viewer_protocol_policy.as_str(),
        b.compress,
        b.cache_policy_id.as_deref(),
        b.origin_request_policy_id.as_deref(),
        b.response_headers_policy_id.as_deref(),
        b.forwarded_values.as_ref(),
        [b.min_ttl, b.default_ttl, b.max_ttl],
    )
}

#[allow(deprecated)]
fn behavior(b: &CacheBehavior) -> Value {
    behavior_members(
        Obj::new()
            .put("PathPattern", b.path_pattern.as_str())
            .put("TargetOriginId", b.target_origin_id.as_str()),
        b.viewer_protocol_policy.as_str(),
        b.compress,
        b.cache_policy_id.as_deref(),
        b.origin_request_policy_id.as_deref(),
        b.response_headers_policy_id.as_deref(),
        b.forwarded_values.as_ref(),
        [b.min_ttl, b.default_ttl, b.max_ttl],
    )
}

fn forwarded(f: &ForwardedValues) -> Value {
    Obj::new()
        .put("QueryString", f.query_string)
        .opt("Cookies", f.cookies.as_ref().map(cookies))
        .opt("Headers", f.headers.as_ref().map(headers))
        .opt(
            "QueryStringCacheKeys",
            f.query_string_cache_keys
                .as_ref()
                .map(|k| strings(k.items.as_ref(), k.quantity)),
        )
        .done()
}

fn cookies(c: &CookiePreference) -> Value {
    Obj::new()
        .put("Forward", c.forward.as_str())
        .opt(
            "WhitelistedNames",
            c.whitelisted_names.as_ref().map(cookie_names),
        )
        .done()
}

fn headers(h: &Headers) -> Value {
    strings(h.items.as_ref(), h.quantity)
}

fn cookie_names(c: &CookieNames) -> Value {
    strings(c.items.as_ref(), c.quantity)
}

fn query_string_names(q: &QueryStringNames) -> Value {
    strings(q.items.as_ref(), q.quantity)
}

/// `OriginRequestPolicyList` as `list-origin-request-policies` prints it.
pub(crate) fn origin_request_policy_list(items: &[(String, &OriginRequestPolicy)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(kind, policy)| {
            Obj::new()
                .put("Type", kind.as_str())
                .put("OriginRequestPolicy", origin_request_policy(policy))
                .done()
        })
        .collect();
    policy_list(items)
}

fn origin_request_policy(p: &OriginRequestPolicy) -> Value {
    let config = p.origin_request_policy_config.as_ref().map(|c| {
        Obj::new()
            .opt("Comment", c.comment.as_deref())
            .put("Name", c.name.as_str())
            .opt(
                "HeadersConfig",
                c.headers_config.as_ref().map(|h| {
                    Obj::new()
                        .put("HeaderBehavior", h.header_behavior.as_str())
                        .opt("Headers", h.headers.as_ref().map(headers))
                        .done()
                }),
            )
            .opt(
                "CookiesConfig",
                c.cookies_config.as_ref().map(|k| {
                    Obj::new()
                        .put("CookieBehavior", k.cookie_behavior.as_str())
                        .opt("Cookies", k.cookies.as_ref().map(cookie_names))
                        .done()
                }),
            )
            .opt(
                "QueryStringsConfig",
                c.query_strings_config.as_ref().map(|q| {
                    Obj::new()
                        .put("QueryStringBehavior", q.query_string_behavior.as_str())
                        .opt(
                            "QueryStrings",
                            q.query_strings.as_ref().map(query_string_names),
                        )
                        .done()
                }),
            )
            .done()
    });
    Obj::new()
        .put("Id", p.id.as_str())
        .put("LastModifiedTime", timestamp(&p.last_modified_time))
        .opt("OriginRequestPolicyConfig", config)
        .done()
}

/// `CachePolicyList` as `list-cache-policies` prints it.
pub(crate) fn cache_policy_list(items: &[(String, &CachePolicy)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(kind, policy)| {
            Obj::new()
                .put("Type", kind.as_str())
                .put("CachePolicy", cache_policy(policy))
                .done()
        })
        .collect();
    policy_list(items)
}

fn cache_policy(p: &CachePolicy) -> Value {
    let config = p.cache_policy_config.as_ref().map(|c| {
        let parameters = c
            .parameters_in_cache_key_and_forwarded_to_origin
            .as_ref()
            .map(|k| {
                Obj::new()
                    .put("EnableAcceptEncodingGzip", k.enable_accept_encoding_gzip)
                    .opt(
                        "EnableAcceptEncodingBrotli",
                        k.enable_accept_encoding_brotli,
                    )
                    .opt(
                        "HeadersConfig",
                        k.headers_config.as_ref().map(|h| {
                            Obj::new()
                                .put("HeaderBehavior", h.header_behavior.as_str())
                                .opt("Headers", h.headers.as_ref().map(headers))
                                .done()
                        }),
                    )
                    .opt(
                        "CookiesConfig",
                        k.cookies_config.as_ref().map(|c| {
                            Obj::new()
                                .put("CookieBehavior", c.cookie_behavior.as_str())
                                .opt("Cookies", c.cookies.as_ref().map(cookie_names))
                                .done()
                        }),
                    )
                    .opt(
                        "QueryStringsConfig",
                        k.query_strings_config.as_ref().map(|q| {
                            Obj::new()
                                .put("QueryStringBehavior", q.query_string_behavior.as_str())
                                .opt(
                                    "QueryStrings",
                                    q.query_strings.as_ref().map(query_string_names),
                                )
                                .done()
                        }),
                    )
                    .done()
            });
        Obj::new()
            .opt("Comment", c.comment.as_deref())
            .put("Name", c.name.as_str())
            .opt("DefaultTTL", c.default_ttl)
            .opt("MaxTTL", c.max_ttl)
            .put("MinTTL", c.min_ttl)
            .opt("ParametersInCacheKeyAndForwardedToOrigin", parameters)
            .done()
    });
    Obj::new()
        .put("Id", p.id.as_str())
        .put("LastModifiedTime", timestamp(&p.last_modified_time))
        .opt("CachePolicyConfig", config)
        .done()
}

/// A whole policy listing (every page read): `MaxItems` and `Quantity` are its length.
fn policy_list(items: Vec<Value>) -> Value {
    Obj::new()
        .put("MaxItems", items.len())
        .put("Quantity", items.len())
        .put("Items", items)
        .done()
}

/// The distributions of every page as one `DistributionList`, as the AWS CLI prints a
/// listing it paged through itself.
pub(crate) fn distribution_list(items: Vec<Value>) -> Value {
    Obj::new()
        .put("Marker", "")
        .put("MaxItems", items.len())
        .put("IsTruncated", false)
        .put("Quantity", items.len())
        .put("Items", items)
        .done()
}
