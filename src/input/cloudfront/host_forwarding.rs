//! The Host-forwarding rules: whether one cache behavior sends the viewer's Host header to its
//! origin (legacy `ForwardedValues.Headers` with `Host` or `*`, a managed cache policy with Host
//! in its key, a managed origin request policy that forwards it (every managed policy is known
//! by id: [`cloudfront::MANAGED_ORIGIN_REQUEST_POLICIES`], [`cloudfront::MANAGED_CACHE_POLICIES`]), or a custom origin request
//! policy whose headers include Host, or a custom cache policy with Host in its key), and
//! [`OriginRequestPolicies`]: the custom policies read from `--origin-request-policies` files
//! (origin request and cache policies) or from an `--aws-save` export. A custom origin request
//! policy that was not given makes the forwarding [`HostForwarding::Unknown`]; a custom cache
//! policy that was not given is not looked at (its content was never in an export before
//! `--aws`).

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::model::{CacheBehavior, Items};
use super::serde_message;
use super::shape::{first_significant_byte, strip_utf8_bom};
use crate::cloudfront;
use crate::input::{InputError, MAX_INPUT_BYTES};
use crate::target::HostForwarding;

/// The Unknown forwarding text for a custom origin request policy that was not given.
pub(super) fn unknown_policy_message(id: &str) -> String {
    format!(
        "custom origin request policy {id} not given with --origin-request-policies; \
         assumed Host is not forwarded"
    )
}

/// Whether one cache behavior forwards the viewer's Host header to its origin.
pub(super) fn behavior_forwarding(
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
    // A managed cache policy with Host in its key sends it (`MANAGED_CACHE_POLICIES`, each
    // cited there); so does a custom cache policy given (a `list-cache-policies` or
    // `get-cache-policy` file, or `--aws`) whose key holds Host. A custom cache policy not
    // given is not looked at.
    let cache_policy = behavior.cache_policy_id.as_deref().map(str::trim);
    if cache_policy.is_some_and(|id| {
        cloudfront::MANAGED_CACHE_POLICIES
            .iter()
            .any(|(managed, _, host_in_key)| *host_in_key && managed.eq_ignore_ascii_case(id))
            || policies.cache_key_has_host(id) == Some(true)
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

// ---------------------------------------------------------------------------------------------
// Origin request policies.

/// Origin request and cache policies, by id, as far as Host forwarding goes: read from
/// `aws cloudfront get-origin-request-policy --id ID` output (or
/// `aws cloudfront list-origin-request-policies`, which holds them all), and from
/// `get-cache-policy` / `list-cache-policies` output; an `--aws-save` export holds both lists.
/// [`OriginRequestPolicies::default`] is the empty set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginRequestPolicies {
    forwards_host: HashMap<String, bool>,
    /// Cache policies: whether Host is in the key (so sent to the origin).
    host_in_key: HashMap<String, bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyTop {
    origin_request_policy: Option<OriginRequestPolicy>,
    origin_request_policy_list: Option<Items<PolicySummary>>,
    cache_policy: Option<CachePolicy>,
    cache_policy_list: Option<Items<CachePolicySummary>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CachePolicySummary {
    cache_policy: Option<CachePolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CachePolicy {
    id: Option<String>,
    cache_policy_config: Option<CachePolicyConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CachePolicyConfig {
    parameters_in_cache_key_and_forwarded_to_origin: Option<CacheKeyParameters>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CacheKeyParameters {
    headers_config: Option<HeadersConfig>,
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
            if meta.len() > MAX_INPUT_BYTES {
                return Err(InputError::File {
                    file,
                    message: format!(
                        "is {} bytes; at most {} are read",
                        meta.len(),
                        MAX_INPUT_BYTES
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
                "is not an origin request or cache policy: {why}; expected the JSON output of \
                 `aws cloudfront get-origin-request-policy --id ID` \
                 ({{\"ETag\": ..., \"OriginRequestPolicy\": {{...}}}}), of \
                 `aws cloudfront list-origin-request-policies`, or of `get-cache-policy` or \
                 `list-cache-policies`"
            ),
        };
        if first_significant_byte(content) != Some(b'{') {
            return Err(wrong_shape("it is not a JSON object"));
        }
        let mut de = serde_json::Deserializer::from_slice(content);
        let top = PolicyTop::deserialize(&mut de)
            .and_then(|top| de.end().map(|()| top))
            .map_err(|e| InputError::invalid(name, e.line().max(1), serde_message(&e)))?;
        let has_cache_policies = top.cache_policy.is_some() || top.cache_policy_list.is_some();
        let policies: Vec<OriginRequestPolicy> =
            match (top.origin_request_policy, top.origin_request_policy_list) {
                (Some(policy), _) => vec![policy],
                (None, Some(list)) => list
                    .items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| s.origin_request_policy)
                    .collect(),
                (None, None) if has_cache_policies => Vec::new(),
                (None, None) => {
                    return Err(wrong_shape(
                        "it has no OriginRequestPolicy, OriginRequestPolicyList, CachePolicy or \
                     CachePolicyList member",
                    ))
                }
            };
        let cache_policies: Vec<CachePolicy> = top
            .cache_policy
            .into_iter()
            .chain(
                Items::into_vec(top.cache_policy_list)
                    .into_iter()
                    .filter_map(|s| s.cache_policy),
            )
            .collect();
        for policy in cache_policies {
            let id = policy_id(name, "a cache policy", policy.id)?;
            let headers = policy
                .cache_policy_config
                .and_then(|c| c.parameters_in_cache_key_and_forwarded_to_origin)
                .and_then(|p| p.headers_config)
                .ok_or_else(|| InputError::File {
                    file: name.to_string(),
                    message: format!(
                        "cache policy {id} has no \
                         ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig"
                    ),
                })?;
            let behavior = headers.header_behavior.as_deref().unwrap_or_default();
            let host = Items::into_vec(headers.headers)
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case("host"));
            let in_key = match behavior {
                "none" => false,
                "whitelist" => host,
                other => {
                    return Err(InputError::File {
                        file: name.to_string(),
                        message: format!(
                            "cache policy {id}: HeaderBehavior {other:?} is not one of none, \
                             whitelist"
                        ),
                    })
                }
            };
            self.host_in_key.entry(id).or_insert(in_key);
        }
        for policy in policies {
            let id = policy_id(name, "an origin request policy", policy.id)?;
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

    /// Whether the cache policy `id` has Host in its key; `None` when it was not given.
    pub fn cache_key_has_host(&self, id: &str) -> Option<bool> {
        self.host_in_key
            .get(&id.trim().to_ascii_lowercase())
            .copied()
    }

    /// Whether the custom policy `id` forwards Host; `None` when it was not given.
    pub fn forwards_host(&self, id: &str) -> Option<bool> {
        self.forwards_host
            .get(&id.trim().to_ascii_lowercase())
            .copied()
    }

    /// How many policies (origin request and cache) the files gave (the AWS-managed ones are
    /// known without them).
    pub fn len(&self) -> usize {
        self.forwards_host.len() + self.host_in_key.len()
    }

    /// Whether the files gave none (the AWS-managed policies are known regardless).
    pub fn is_empty(&self) -> bool {
        self.forwards_host.is_empty() && self.host_in_key.is_empty()
    }
}

/// A policy's id, trimmed and lowercased; an error naming `what` when it has none.
fn policy_id(name: &str, what: &str, id: Option<String>) -> Result<String, InputError> {
    id.map(|i| i.trim().to_ascii_lowercase())
        .filter(|i| !i.is_empty())
        .ok_or_else(|| InputError::File {
            file: name.to_string(),
            message: format!("{what} has no Id"),
        })
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
    use crate::input::cloudfront::parse;
    use crate::input::cloudfront::test_support::*;
    use serde_json::{json, Value};

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
            // HostHeaderOnly (2025): only Host, so Host is forwarded.
            (orp("bf0718e1-ba1e-49d1-88b1-f726733018ae"), F),
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
            // Amplify Hosting's four all key on Host.
            (
                json!({"CachePolicyId": "4d1d2f1d-3a71-49ad-9e08-7ea5d843a556"}),
                F,
            ),
            (
                json!({"CachePolicyId": "7e5fad67-ee98-4ad0-b05a-394999eefc1a"}),
                F,
            ),
            (
                json!({"CachePolicyId": "08627262-05a9-4f76-9ded-b50ca2e3a84f"}),
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
    fn every_managed_policy_is_known_by_id_with_its_host_behaviour() {
        let none = OriginRequestPolicies::default();
        for (id, name, forwards) in cloudfront::MANAGED_ORIGIN_REQUEST_POLICIES {
            let want = forwarding(*forwards);
            assert_eq!(forwarding_for(orp(id), &none), want, "{name}");
        }
        for (id, name, host_in_key) in cloudfront::MANAGED_CACHE_POLICIES {
            let want = forwarding(*host_in_key);
            let behavior = json!({"CachePolicyId": id});
            assert_eq!(forwarding_for(behavior, &none), want, "{name}");
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
            err.starts_with("x.json: is not an origin request or cache policy"),
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
    fn a_custom_cache_policy_with_host_in_its_key_forwards_host() {
        let cache = |id: &str, behavior: &str, headers: &[&str]| {
            json!({"Type": "custom", "CachePolicy": {"Id": id, "CachePolicyConfig": {
                "Name": id, "MinTTL": 0,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingGzip": false,
                    "HeadersConfig": {"HeaderBehavior": behavior,
                        "Headers": {"Quantity": headers.len(), "Items": headers}},
                    "CookiesConfig": {"CookieBehavior": "none"},
                    "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}})
        };
        let list = json!({"CachePolicyList": {"MaxItems": 100, "Quantity": 2, "Items": [
            cache("with-host", "whitelist", &["Accept", "host"]),
            cache("without", "none", &[]),
        ]}});
        let mut policies = OriginRequestPolicies::default();
        policies
            .add("cp.json", list.to_string().as_bytes())
            .unwrap();
        assert_eq!(policies.len(), 2);
        assert_eq!(policies.cache_key_has_host("WITH-HOST"), Some(true));
        assert_eq!(policies.cache_key_has_host("without"), Some(false));
        assert_eq!(policies.cache_key_has_host("other"), None);
        // `get-cache-policy` output, one policy.
        let one = json!({"ETag": "E", "CachePolicy": cache("single", "whitelist", &["Host"])["CachePolicy"]});
        policies
            .add("one.json", one.to_string().as_bytes())
            .unwrap();
        assert_eq!(policies.cache_key_has_host("single"), Some(true));
        let bad = json!({"CachePolicyList": {"Items": [cache("b", "allViewer", &[])]}});
        let err = OriginRequestPolicies::default()
            .add("b.json", bad.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cache policy b: HeaderBehavior \"allViewer\""),
            "{err}"
        );

        // A behavior with the custom cache policy forwards Host; without the policy given, or
        // with Host not in its key, it does not.
        let behavior = |id: &str| CacheBehavior {
            path_pattern: None,
            target_origin_id: Some("o".into()),
            cache_policy_id: Some(id.into()),
            origin_request_policy_id: None,
            forwarded_values: None,
            grpc_config: None,
        };
        assert_eq!(
            behavior_forwarding(&behavior("with-host"), &policies),
            HostForwarding::Forwarded
        );
        assert_eq!(
            behavior_forwarding(&behavior("without"), &policies),
            HostForwarding::NotForwarded
        );
        assert_eq!(
            behavior_forwarding(&behavior("with-host"), &OriginRequestPolicies::default()),
            HostForwarding::NotForwarded
        );
    }
}
