//! Which AWS CLI output a file is: `aws cloudfront list-distributions` (a `DistributionList`
//! page, or its `--query 'DistributionList.Items'`: a bare list of distributions), `aws
//! cloudfront get-distribution-config --id ID` (a `DistributionConfig`) or `aws cloudfront
//! get-distribution --id ID` (a `Distribution` holding its `DistributionConfig`), told apart by
//! their top-level members. Also the distribution id of a config (an `Id` member or the file
//! name's stem), the warning for an incomplete list page, and the errors for anything else
//! (with a hint when it is an origin request policy, a bare list of origins, or pages appended
//! one after another with `>>`).

use std::path::Path;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::model::peek_id;
use crate::input::InputError;

/// What the input was expected to be, for errors about a file of the wrong shape.
const ACCEPTED_SHAPES: &str = "expected the JSON output of `aws cloudfront list-distributions` \
     ({\"DistributionList\": {\"Items\": [...]}}, or its --query 'DistributionList.Items'), of \
     `aws cloudfront get-distribution-config --id ID` ({\"ETag\": ..., \"DistributionConfig\": \
     {...}}) or of `aws cloudfront get-distribution --id ID`";

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
    cache_policy: Option<IgnoredAny>,
    cache_policy_list: Option<IgnoredAny>,
    /// `aws cloudfront get-distribution --id ID` output: the config inside a `Distribution`.
    #[serde(borrow)]
    distribution: Option<&'a RawValue>,
}

/// `get-distribution`'s `Distribution`: its id and domain name beside the config.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DistributionWithConfig<'a> {
    id: Option<String>,
    domain_name: Option<String>,
    #[serde(borrow)]
    distribution_config: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DistributionList<'a> {
    is_truncated: Option<bool>,
    next_marker: Option<String>,
    #[serde(borrow)]
    items: Option<Vec<&'a RawValue>>,
}

/// A CloudFront export, its shape told: the distributions in it, still raw.
pub(super) enum Export<'a> {
    /// `list-distributions` output: its distributions, and the warning when the page is
    /// incomplete.
    List {
        distributions: Vec<&'a RawValue>,
        truncation: Option<String>,
        /// The file also holds `OriginRequestPolicyList` or `CachePolicyList` (an `--aws-save`
        /// export): the policies are read from it too.
        policies: bool,
    },
    /// `get-distribution-config` output (or `get-distribution`'s, which also gives the
    /// distribution's domain name): the config, and the distribution id it is given.
    Config {
        config: &'a RawValue,
        id: String,
        domain_name: Option<String>,
    },
}

/// Tells the shape of `content` (already without its BOM); any other JSON is an
/// [`InputError::File`] naming what is accepted. The distribution id of a config is the rule
/// of [`super::parse`].
pub(super) fn detect<'a>(name: &str, content: &'a [u8]) -> Result<Export<'a>, InputError> {
    match first_significant_byte(content) {
        Some(b'{') => {}
        Some(b'[') => return bare_list(name, content),
        _ => return Err(not_an_export(name, "it is not a JSON object")),
    }
    let top = deserialize_whole(name, content)?;
    if let Some(list) = top.distribution_list {
        let truncation = truncation_warning(name, &list, top.next_token.as_deref());
        Ok(Export::List {
            distributions: list.items.unwrap_or_default(),
            truncation,
            policies: top.origin_request_policy_list.is_some() || top.cache_policy_list.is_some(),
        })
    } else if let Some(config) = top.distribution_config {
        let id = top
            .id
            .or_else(|| peek_id(config))
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| file_stem(name));
        Ok(Export::Config {
            config,
            id,
            domain_name: None,
        })
    } else if let Some(distribution) = top.distribution {
        get_distribution(name, content, distribution)
    } else {
        let hint = if top.origin_request_policy.is_some()
            || top.origin_request_policy_list.is_some()
            || top.cache_policy.is_some()
            || top.cache_policy_list.is_some()
        {
            "it is an origin request or cache policy (give it with --origin-request-policies)"
        } else {
            "it has neither a DistributionList nor a DistributionConfig member"
        };
        Err(not_an_export(name, hint))
    }
}

/// `aws cloudfront get-distribution --id ID` output: `{"ETag": ..., "Distribution": {"Id",
/// "DomainName", "DistributionConfig": {...}, ...}}` (botocore's `GetDistributionResult`).
fn get_distribution<'a>(
    name: &str,
    content: &'a [u8],
    distribution: &'a RawValue,
) -> Result<Export<'a>, InputError> {
    let line = line_in(content, distribution);
    let parsed: DistributionWithConfig<'a> =
        serde_json::from_str(distribution.get()).map_err(|e| {
            InputError::invalid(
                name,
                line,
                format!("Distribution: {}", super::worded(distribution.get(), &e)),
            )
        })?;
    let Some(config) = parsed.distribution_config else {
        return Err(InputError::invalid(
            name,
            line,
            "Distribution has no DistributionConfig (is it `aws cloudfront get-distribution` \
             output?)",
        ));
    };
    let id = parsed
        .id
        .or_else(|| peek_id(config))
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| file_stem(name));
    Ok(Export::Config {
        config,
        id,
        domain_name: parsed.domain_name,
    })
}

/// A top-level JSON list, as `--query` leaves it: `--query 'DistributionList.Items'` gives the
/// distributions (read as a list page); a list of origins (`--query
/// 'DistributionList.Items[].Origins.Items[]'`) is refused: without their distributions there
/// are no behaviors, aliases or Host forwarding to test.
fn bare_list<'a>(name: &str, content: &'a [u8]) -> Result<Export<'a>, InputError> {
    let mut de = serde_json::Deserializer::from_slice(content);
    let items = <Vec<&'a RawValue>>::deserialize(&mut de)
        .and_then(|items| de.end().map(|()| items))
        .map_err(|e| syntax_error(name, content, &e))?;
    let has = |raw: &RawValue, member: &str| {
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw.get())
            .is_ok_and(|object| object.contains_key(member))
    };
    let Some(first) = items.first() else {
        return Ok(Export::List {
            distributions: items,
            truncation: None,
            policies: false,
        });
    };
    let distribution_members = ["Origins", "DefaultCacheBehavior", "Aliases", "ARN"];
    if distribution_members.iter().any(|m| has(first, m)) {
        return Ok(Export::List {
            distributions: items,
            truncation: None,
            policies: false,
        });
    }
    let origin_members = [
        "CustomOriginConfig",
        "S3OriginConfig",
        "VpcOriginConfig",
        "OriginPath",
        "ConnectionAttempts",
    ];
    let why = if origin_members.iter().any(|m| has(first, m)) {
        "it is a bare list of origins (as `--query 'DistributionList.Items[].Origins.Items[]'` \
         or `--query 'DistributionConfig.Origins.Items'` prints): without their distributions \
         there are no cache behaviors, aliases or Host forwarding to test. Export without \
         --query, or with `--query 'DistributionList.Items'`, which keeps each distribution \
         whole"
    } else {
        "it is a JSON list, but not of distributions (as `aws cloudfront list-distributions \
         --query 'DistributionList.Items'` prints)"
    };
    Err(not_an_export(name, why))
}

/// The 1-based line where `raw` starts in `content`.
fn line_in(content: &[u8], raw: &RawValue) -> usize {
    let start = content.as_ptr() as usize;
    let offset = (raw.get().as_ptr() as usize)
        .saturating_sub(start)
        .min(content.len());
    content[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// A JSON error of the whole input: documents appended one after another (`>>`) are named
/// as such, anything else is "not valid JSON" or "not the shape of a CloudFront export".
fn syntax_error(name: &str, content: &[u8], e: &serde_json::Error) -> InputError {
    if let Some((count, line)) = appended_documents(content) {
        let count = match count {
            2 => "two".to_string(),
            3 => "three".to_string(),
            n => n.to_string(),
        };
        return InputError::invalid(
            name,
            line,
            format!(
                "{count} JSON documents appended one after another (the next starts on this \
                 line; `>>` writes pages so): pass each page as its own file (-i FILE per page), \
                 or merge them with --query"
            ),
        );
    }
    let context = if e.is_data() {
        "not the shape of a CloudFront export"
    } else {
        "not valid JSON"
    };
    let text = std::str::from_utf8(content).unwrap_or_default();
    InputError::invalid(
        name,
        e.line().max(1),
        format!("{context}: {}", super::worded(text, e)),
    )
}

/// When `content` is several whole JSON documents one after another: how many, and the line
/// where the second starts.
fn appended_documents(content: &[u8]) -> Option<(usize, usize)> {
    let mut stream = serde_json::Deserializer::from_slice(content).into_iter::<IgnoredAny>();
    let mut count = 0;
    let mut second_line = None;
    loop {
        let before = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(_)) => {
                count += 1;
                if count == 2 {
                    let skipped = content[before..]
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count();
                    let at = before + skipped;
                    second_line = Some(content[..at].iter().filter(|b| **b == b'\n').count() + 1);
                }
            }
            Some(Err(_)) => return None,
        }
    }
    (count >= 2).then_some((count, second_line?))
}

/// Parses the whole input as the top-level shape.
fn deserialize_whole<'a>(name: &str, content: &'a [u8]) -> Result<Top<'a>, InputError> {
    let mut de = serde_json::Deserializer::from_slice(content);
    let top = Top::deserialize(&mut de).and_then(|top| de.end().map(|()| top));
    top.map_err(|e| syntax_error(name, content, &e))
}

/// The warning for a list-distributions page that is not the whole list, if it is not.
fn truncation_warning(
    name: &str,
    list: &DistributionList,
    next_token: Option<&str>,
) -> Option<String> {
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
        return None;
    };
    Some(format!(
        "{name}: the export is incomplete: {more}, so only {count} distribution(s) are in it. \
         Export every distribution with `aws cloudfront list-distributions` without \
         --max-items or --no-paginate (the CLI then follows every page itself), or fetch \
         the rest with \
         `aws cloudfront list-distributions --starting-token TOKEN` and give those files too"
    ))
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

pub(super) fn strip_utf8_bom(content: &[u8]) -> &[u8] {
    content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content)
}

pub(super) fn first_significant_byte(content: &[u8]) -> Option<u8> {
    strip_utf8_bom(content)
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
}

/// Whether `content` looks like JSON, for format detection: an object, or a list of objects
/// (or an empty one), as `--query` leaves it. A text list's `[2001:db8::1]:443` is not.
pub(crate) fn looks_like_json(content: &[u8]) -> bool {
    match first_significant_byte(content) {
        Some(b'{') => true,
        Some(b'[') => {
            let content = strip_utf8_bom(content);
            let after = content
                .iter()
                .position(|b| *b == b'[')
                .map_or(&[][..], |at| &content[at + 1..]);
            matches!(first_significant_byte(after), Some(b'{' | b']') | None)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::cloudfront::test_support::*;
    use crate::input::cloudfront::{parse, OriginRequestPolicies};
    use crate::target::{Host, HostForwarding, IpAddressType};

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
            b"[1, 2]",
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
    }

    /// Issue 16, item 8: `get-distribution` output, a `--query` list and an empty account are
    /// read; a `Distribution` without its config is named.
    #[test]
    fn get_distribution_and_query_lists_are_read() {
        let config: serde_json::Value = serde_json::from_slice(CONFIG).unwrap();
        let doc = serde_json::json!({"ETag": "E", "Distribution": {"Id": "E1GET",
            "DomainName": "d1.cloudfront.example.net", "DistributionConfig": config["DistributionConfig"]}});
        let import = parse(
            "g.json",
            doc.to_string().as_bytes(),
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        assert_eq!(import.distributions, 1);
        assert_eq!(
            import.targets[0].provenance.distribution_id.as_deref(),
            Some("E1GET")
        );
        let (line, message) = invalid("{\"ETag\": \"E\",\n\"Distribution\": {\"Id\": \"E1\"}}");
        assert_eq!(line, 2);
        assert!(
            message.starts_with("Distribution has no DistributionConfig"),
            "{message}"
        );

        for empty in [
            &b"[]"[..],
            b" [ ] ",
            br#"{"DistributionList": {"Quantity": 0, "Items": []}}"#,
        ] {
            let import = parse("e.json", empty, &OriginRequestPolicies::default()).unwrap();
            assert_eq!(import.distributions, 0);
            assert!(import.targets.is_empty());
        }
        let list: serde_json::Value = serde_json::from_slice(LIST).unwrap();
        let items = list["DistributionList"]["Items"].to_string();
        let import = parse(
            "q.json",
            items.as_bytes(),
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        assert_eq!(import.targets.len(), 7);
        let origins = list["DistributionList"]["Items"][0]["Origins"]["Items"].to_string();
        assert!(file_error(origins.as_bytes()).contains("it is a bare list of origins"));
    }

    #[test]
    fn json_lists_are_told_from_text_lists_with_ipv6_targets() {
        for json in [&b"[]"[..], b"[{\"Id\": 1}]", b"\n [\n  {", b"\xEF\xBB\xBF{"] {
            assert!(looks_like_json(json), "{:?}", String::from_utf8_lossy(json));
        }
        for text in [&b"[2001:db8::1]:443\n"[..], b"example.com", b"[::1]"] {
            assert!(
                !looks_like_json(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// Issue 16, item 8: pages appended with `>>` are named as such, at the line where the
    /// second starts, not "trailing characters".
    #[test]
    fn appended_documents_are_named() {
        let page = r#"{"DistributionList": {"Quantity": 0, "Items": []}}"#;
        let (line, message) = invalid(&format!("{page}\n{page}\n"));
        assert_eq!(line, 2);
        assert!(
            message.starts_with("two JSON documents appended one after another"),
            "{message}"
        );
        assert!(message.contains("or merge them with --query"), "{message}");
        let (line, message) = invalid(&format!("{page}\n\n{page}{page}"));
        assert_eq!(line, 3);
        assert!(message.starts_with("three JSON documents"), "{message}");
        // Trailing garbage is still just invalid JSON.
        let (_, message) = invalid(&format!("{page} x"));
        assert!(
            message.starts_with("not valid JSON: trailing characters"),
            "{message}"
        );
    }
}
