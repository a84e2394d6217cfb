//! Distribution routing: one distribution's aliases, origins, origin groups and cache
//! behaviors put together. A behavior reaches the origin its `TargetOriginId` names, or every
//! member of the origin group it names; an origin reached by any behavior gets the
//! distribution's aliases, and forwards Host when any of those behaviors does. Each origin is
//! then imported ([`super::origins`]) with its line, its groups and its routing.

use std::collections::HashMap;

use serde_json::value::RawValue;

use super::host_forwarding::behavior_forwarding;
use super::model::{peek_id, CacheBehavior, Distribution, Items, Origin, OriginGroup};
use super::origins::{import_origin, Outcome};
use super::Context;
use crate::input::InputError;
use crate::target::{validate_dns_name, HostForwarding};

/// How the behaviors routed to one origin treat it.
#[derive(Default)]
struct Routing {
    routed: bool,
    forwarded: bool,
    unknown: Vec<String>,
    /// Whether any of those behaviors has `GrpcConfig.Enabled`.
    grpc: bool,
}

impl Routing {
    /// Adds one behavior that routes to the origin, with its Host forwarding.
    fn add(&mut self, forwarding: &HostForwarding) {
        self.routed = true;
        match forwarding {
            HostForwarding::Forwarded => self.forwarded = true,
            HostForwarding::NotForwarded => {}
            HostForwarding::Unknown(why) => {
                if !self.unknown.contains(why) {
                    self.unknown.push(why.clone());
                }
            }
        }
    }

    /// The origin's forwarding: Forwarded when any behavior forwards, else Unknown when any
    /// behavior's policy was not given, else NotForwarded.
    fn host_forwarding(&self) -> HostForwarding {
        if self.forwarded {
            HostForwarding::Forwarded
        } else if self.unknown.is_empty() {
            HostForwarding::NotForwarded
        } else {
            HostForwarding::Unknown(self.unknown.join("; "))
        }
    }
}

/// One origin of the distribution, parsed but not yet imported.
struct ParsedOrigin {
    /// The line where it starts.
    line: Option<usize>,
    /// Its 0-based position in `Origins.Items`.
    position: usize,
    origin: Origin,
}

/// Whether the distribution has an origin with Id `wanted`.
fn has_origin(origins: &[ParsedOrigin], wanted: &str) -> bool {
    origins
        .iter()
        .any(|o| o.origin.id.as_deref() == Some(wanted))
}

/// The distribution's origin groups.
#[derive(Default)]
struct OriginGroups {
    /// Group id → the ids of its member origins.
    members: HashMap<String, Vec<String>>,
    /// Origin id → the ids of the groups it is a member of.
    groups_of: HashMap<String, Vec<String>>,
}

/// The names viewers reach a distribution by, and its connection mode.
struct Names<'n> {
    /// `Aliases`, checked, sorted and deduplicated.
    aliases: &'n [String],
    /// The distribution's own `DomainName`, when the export has it.
    own_name: Option<&'n str>,
    /// `ConnectionMode` (`direct` or `tenant-only`).
    connection_mode: Option<&'n str>,
}

/// How a behavior is named in messages: the default one, or by its path pattern.
fn behavior_label(i: usize, behavior: &CacheBehavior) -> String {
    match (i, &behavior.path_pattern) {
        (0, _) => "the default cache behavior".to_string(),
        (_, Some(path)) => format!("cache behavior {path}"),
        (_, None) => format!("cache behavior #{i}"),
    }
}

/// The origins a behavior aimed at `target_id` reaches: the group's members, then the origin.
fn routed_to<'r>(
    target_id: &'r str,
    groups: &'r OriginGroups,
    origins: &[ParsedOrigin],
) -> Vec<&'r str> {
    let mut routed_to: Vec<&str> = Vec::new();
    if let Some(members) = groups.members.get(target_id) {
        routed_to.extend(members.iter().map(String::as_str));
    }
    if has_origin(origins, target_id) {
        routed_to.push(target_id);
    }
    routed_to
}

impl<'a> Context<'a, '_> {
    /// Imports one distribution (an item of a list, or a config with a given id).
    ///
    /// `given_domain` is the distribution's `DomainName` when the config does not hold it
    /// (`get-distribution` output has it beside the config).
    pub(super) fn distribution(
        &mut self,
        raw: &'a RawValue,
        index: usize,
        given_id: Option<String>,
        given_domain: Option<String>,
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

        let aliases = self.aliases(dist.aliases, line, &dist_label)?;
        // Without aliases, viewers reach the distribution by its own name
        // (`d111111abcdef8.cloudfront.net`): a behavior that forwards Host sends that name.
        let own_name = dist
            .domain_name
            .or(given_domain)
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .map(|d| {
                validate_dns_name(&d)
                    .map_err(|e| self.error(line, format!("{dist_label}: DomainName {e}")))
            })
            .transpose()?;
        let connection_mode = dist.connection_mode;
        // The origins, parsed first so that behaviors and groups can be checked against them.
        let origins = self.origins(dist.origins, &dist_label)?;
        let groups = self.origin_groups(dist.origin_groups, &origins, line, &dist_label)?;
        let behaviors = dist
            .default_cache_behavior
            .into_iter()
            .chain(Items::into_vec(dist.cache_behaviors));
        let routing = self.route_behaviors(behaviors, &groups, &origins, line, &dist_label)?;
        let names = Names {
            aliases: &aliases,
            own_name: own_name.as_deref(),
            connection_mode: connection_mode.as_deref(),
        };
        self.import_origins(origins, &id, &dist_label, &names, &groups, &routing)
    }

    /// The distribution's aliases as DNS names, sorted and deduplicated.
    fn aliases(
        &self,
        aliases: Option<Items<String>>,
        line: Option<usize>,
        dist_label: &str,
    ) -> Result<Vec<String>, InputError> {
        let mut checked = Vec::new();
        for alias in Items::into_vec(aliases) {
            let alias = validate_dns_name(&alias)
                .map_err(|e| self.error(line, format!("{dist_label}: alias {e}")))?;
            checked.push(alias);
        }
        checked.sort();
        checked.dedup();
        Ok(checked)
    }

    /// Parses each origin, each with its own line and label in errors.
    fn origins(
        &mut self,
        origins: Option<Items<&'a RawValue>>,
        dist_label: &str,
    ) -> Result<Vec<ParsedOrigin>, InputError> {
        let mut parsed = Vec::new();
        for (position, raw) in Items::into_vec(origins).into_iter().enumerate() {
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
            parsed.push(ParsedOrigin {
                line: origin_line,
                position,
                origin,
            });
        }
        Ok(parsed)
    }

    /// Origin groups: group id → members, and origin id → groups; a member the distribution
    /// does not have is a warning.
    fn origin_groups(
        &mut self,
        origin_groups: Option<Items<OriginGroup>>,
        origins: &[ParsedOrigin],
        line: Option<usize>,
        dist_label: &str,
    ) -> Result<OriginGroups, InputError> {
        let mut groups = OriginGroups::default();
        for group in Items::into_vec(origin_groups) {
            let Some(group_id) = group.id.filter(|g| !g.is_empty()) else {
                return Err(self.error(line, format!("{dist_label}: an origin group has no Id")));
            };
            let members: Vec<String> = Items::into_vec(group.members)
                .into_iter()
                .filter_map(|m| m.origin_id)
                .collect();
            for member in &members {
                if !has_origin(origins, member) {
                    self.import.warnings.push(format!(
                        "{}: {dist_label}: origin group {group_id} names origin {member}, which \
                         the distribution does not have",
                        self.name
                    ));
                }
                let entry = groups.groups_of.entry(member.clone()).or_default();
                if !entry.contains(&group_id) {
                    entry.push(group_id.clone());
                }
            }
            groups.members.entry(group_id).or_default().extend(members);
        }
        Ok(groups)
    }

    /// Behaviors: which origins they route to, and whether they forward Host; a behavior
    /// aimed at nothing is a warning.
    fn route_behaviors(
        &mut self,
        behaviors: impl Iterator<Item = CacheBehavior>,
        groups: &OriginGroups,
        origins: &[ParsedOrigin],
        line: Option<usize>,
        dist_label: &str,
    ) -> Result<HashMap<String, Routing>, InputError> {
        let mut routing: HashMap<String, Routing> = HashMap::new();
        for (i, behavior) in behaviors.enumerate() {
            let behavior_label = behavior_label(i, &behavior);
            let Some(target_id) = behavior.target_origin_id.as_deref() else {
                return Err(self.error(
                    line,
                    format!("{dist_label}: {behavior_label} has no TargetOriginId"),
                ));
            };
            let routed_to = routed_to(target_id, groups, origins);
            if routed_to.is_empty() {
                self.import.warnings.push(format!(
                    "{}: {dist_label}: {behavior_label} targets {target_id}, which is neither an \
                     origin nor an origin group of the distribution",
                    self.name
                ));
                continue;
            }
            let forwarding = behavior_forwarding(&behavior, self.policies);
            let grpc = match &behavior.grpc_config {
                None => false,
                Some(config) => config.enabled.ok_or_else(|| {
                    self.error(
                        line,
                        format!(
                            "{dist_label}: {behavior_label}: GrpcConfig has no Enabled (required)"
                        ),
                    )
                })?,
            };
            for origin_id in routed_to {
                let route = routing.entry(origin_id.to_string()).or_default();
                route.add(&forwarding);
                route.grpc |= grpc;
            }
        }
        Ok(routing)
    }

    /// Imports each origin as a target (with its line, groups, and the aliases and Host
    /// forwarding of the behaviors routed to it) or as a skipped origin.
    fn import_origins(
        &mut self,
        origins: Vec<ParsedOrigin>,
        id: &str,
        dist_label: &str,
        names: &Names<'_>,
        groups: &OriginGroups,
        routing: &HashMap<String, Routing>,
    ) -> Result<(), InputError> {
        for ParsedOrigin {
            line: origin_line,
            position,
            origin,
        } in origins
        {
            let origin_label = match &origin.id {
                Some(o) => format!("{dist_label}, origin {o}"),
                None => format!("{dist_label}, origin #{}", position + 1),
            };
            let outcome = import_origin(origin, id, names.connection_mode)
                .map_err(|message| self.error(origin_line, format!("{origin_label}: {message}")))?;
            match outcome {
                Outcome::Skipped(skipped) => self.import.skipped.push(skipped),
                Outcome::Target(mut target, origin_id) => {
                    target.provenance.file = Some(self.name.to_string());
                    target.provenance.line = origin_line;
                    target.provenance.origin_groups = groups
                        .groups_of
                        .get(&origin_id)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(route) = routing.get(&origin_id).filter(|r| r.routed) {
                        target.host_forwarding = route.host_forwarding();
                        target.grpc = route.grpc;
                        target.aliases = names.aliases.to_vec();
                        // No alias: with Host forwarded, viewers' Host (and CloudFront's SNI)
                        // is the distribution's own domain name.
                        if target.aliases.is_empty()
                            && target.host_forwarding == HostForwarding::Forwarded
                        {
                            target.aliases.extend(names.own_name.map(str::to_string));
                        }
                    }
                    self.import.targets.push(*target);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::input::cloudfront::host_forwarding::unknown_policy_message;
    use crate::input::cloudfront::test_support::*;
    use crate::input::cloudfront::{parse, OriginRequestPolicies};
    use crate::target::HostForwarding;
    use serde_json::{json, Value};

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

    /// Issue 16, item 5: a distribution without aliases whose behavior forwards Host sends
    /// its own `DomainName` as Host (viewers reach it by that name): the target's alias.
    #[test]
    fn without_aliases_a_forwarded_host_is_the_distribution_domain_name() {
        let run = |behavior: Value, domain: Option<&str>| {
            let mut default = behavior;
            default["TargetOriginId"] = json!("o1");
            let mut value = export_value(json!([custom("o1")]), default, json!([]));
            let dist = &mut value["DistributionList"]["Items"][0];
            dist["Aliases"] = json!({"Quantity": 0});
            if let Some(domain) = domain {
                dist["DomainName"] = json!(domain);
            }
            let import = parse(
                "d.json",
                value.to_string().as_bytes(),
                &OriginRequestPolicies::default(),
            )
            .unwrap();
            import.targets[0].clone()
        };
        let host_only = orp("bf0718e1-ba1e-49d1-88b1-f726733018ae");
        let t = run(host_only.clone(), Some("D1234.cloudfront.example.net"));
        assert_eq!(t.host_forwarding, HostForwarding::Forwarded);
        assert_eq!(t.aliases, names(&["d1234.cloudfront.example.net"]));
        assert_eq!(
            t.cloudfront_server_name(),
            Some("d1234.cloudfront.example.net")
        );
        // Host not forwarded: CloudFront sends the origin's name, no alias is added.
        assert!(run(json!({}), Some("d1234.cloudfront.example.net"))
            .aliases
            .is_empty());
        // No DomainName in the export (get-distribution-config): nothing to add.
        assert!(run(host_only, None).aliases.is_empty());
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
}
