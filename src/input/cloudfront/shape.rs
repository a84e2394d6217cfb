//! Which AWS CLI output a file is: `aws cloudfront list-distributions` (a `DistributionList`
//! page) or `aws cloudfront get-distribution-config --id ID` (a `DistributionConfig`), told
//! apart by their top-level members. Also the distribution id of a config (an `Id` member or
//! the file name's stem), the warning for an incomplete list page, and the errors for anything
//! else (with a hint when it is an origin request policy or `get-distribution` output).

use std::path::Path;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::model::peek_id;
use super::serde_message;
use crate::input::InputError;

/// What the input was expected to be, for errors about a file of the wrong shape.
const ACCEPTED_SHAPES: &str = "expected the JSON output of `aws cloudfront list-distributions` \
     ({\"DistributionList\": {\"Items\": [...]}}) or of `aws cloudfront get-distribution-config \
     --id ID` ({\"ETag\": ..., \"DistributionConfig\": {...}})";

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

/// A CloudFront export, its shape told: the distributions in it, still raw.
pub(super) enum Export<'a> {
    /// `list-distributions` output: its distributions, and the warning when the page is
    /// incomplete.
    List {
        distributions: Vec<&'a RawValue>,
        truncation: Option<String>,
    },
    /// `get-distribution-config` output: the config, and the distribution id it is given.
    Config { config: &'a RawValue, id: String },
}

/// Tells the shape of `content` (already without its BOM); any other JSON is an
/// [`InputError::File`] naming what is accepted. The distribution id of a config is the rule
/// of [`super::parse`].
pub(super) fn detect<'a>(name: &str, content: &'a [u8]) -> Result<Export<'a>, InputError> {
    if first_significant_byte(content) != Some(b'{') {
        return Err(not_an_export(name, "it is not a JSON object"));
    }
    let top = deserialize_whole(name, content)?;
    if let Some(list) = top.distribution_list {
        let truncation = truncation_warning(name, &list, top.next_token.as_deref());
        Ok(Export::List {
            distributions: list.items.unwrap_or_default(),
            truncation,
        })
    } else if let Some(config) = top.distribution_config {
        let id = top
            .id
            .or_else(|| peek_id(config))
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| file_stem(name));
        Ok(Export::Config { config, id })
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
        Err(not_an_export(name, hint))
    }
}

/// Parses the whole input as the top-level shape.
fn deserialize_whole<'a>(name: &str, content: &'a [u8]) -> Result<Top<'a>, InputError> {
    let mut de = serde_json::Deserializer::from_slice(content);
    let top = Top::deserialize(&mut de).and_then(|top| de.end().map(|()| top));
    top.map_err(|e| {
        let context = if e.is_data() {
            "not the shape of a CloudFront export"
        } else {
            "not valid JSON"
        };
        InputError::invalid(
            name,
            e.line().max(1),
            format!("{context}: {}", serde_message(&e)),
        )
    })
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

/// Whether `content` looks like JSON (an object), for format detection.
pub(crate) fn looks_like_json(content: &[u8]) -> bool {
    first_significant_byte(content) == Some(b'{')
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
}
