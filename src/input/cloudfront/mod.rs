//! CloudFront distribution exports as targets: the JSON that `aws cloudfront list-distributions`
//! and `aws cloudfront get-distribution-config --id ID` print, and the origin request policies
//! (`aws cloudfront get-origin-request-policy --id ID`) that tell whether a behavior forwards the
//! viewer's Host header.
//!
//! Shapes and member names are botocore's CloudFront model (`docs/CLOUDFRONT.md`, "The distribution
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
//!   (AllViewer, AllViewerAndCloudFrontHeaders-2022-06, HostHeaderOnly); or a custom origin request policy whose
//!   headers include Host, looked up in [`OriginRequestPolicies`]. A custom policy that was not
//!   given makes the forwarding
//!   [`HostForwarding::Unknown`](crate::target::HostForwarding::Unknown), assumed not forwarded.
//!   (Custom *cache* policies can also put Host in the key; their content is not in the export
//!   and they are not looked at.)
//! - An export that also holds `OriginRequestPolicyList` and `CachePolicyList` (what
//!   `originscan scan --aws-save` writes) is read with those policies too.
//! - A list-distributions page with `IsTruncated: true` (or the CLI's `NextToken`) is imported,
//!   with a warning that the export is incomplete.
//!
//! Errors name the file, the line, and the distribution and origin when known.
//!
//! One file per job:
//! - `mod.rs`: the entry point [`parse`] and its result [`CloudFrontImport`]; the parse state,
//!   and how serde's errors become [`InputError`]s with the line in the whole file.
//! - `shape.rs`: which AWS CLI output a file is, the id of a `get-distribution-config`, the
//!   truncation warning, and the errors for any other shape.
//! - `model.rs`: the serde model of the distribution config (distributions, origins, origin
//!   groups, cache behaviors).
//! - `routing.rs`: distribution routing: aliases, origin groups, which behaviors reach which
//!   origin, and what each routed origin gets from them.
//! - `origins.rs`: one origin into a [`Target`] or a [`SkippedOrigin`].
//! - `host_forwarding.rs`: whether a behavior forwards Host (managed and custom policies), and
//!   [`OriginRequestPolicies`].
//! - `test_support.rs` (tests only): the fixtures and export builders the tests share.

mod host_forwarding;
mod model;
mod origins;
mod routing;
mod shape;
#[cfg(test)]
mod test_support;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::InputError;
use crate::target::{SkippedOrigin, Target};
use shape::Export;

pub use host_forwarding::OriginRequestPolicies;
pub use origins::is_s3_rest_endpoint;
pub(crate) use shape::looks_like_json;

/// What an export held: the origins to scan, the ones that cannot be scanned, and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudFrontImport {
    /// One target per custom origin, in the export's order.
    pub targets: Vec<Target>,
    /// Origins that are not scanned (S3 REST, VPC), with the reason.
    pub skipped: Vec<SkippedOrigin>,
    /// Things the user should know (an incomplete export, a behavior aimed at no origin).
    pub warnings: Vec<String>,
    /// How many distributions the export held (0 for an account without any).
    pub distributions: usize,
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
    let content = shape::strip_utf8_bom(content);
    let export = shape::detect(name, content)?;
    // An `--aws-save` export holds the policy lists beside the distributions: the policies
    // given with --origin-request-policies come first, then the file's.
    let embedded;
    let policies = match export {
        Export::List { policies: true, .. } => {
            let mut all = policies.clone();
            all.add(name, content)?;
            embedded = all;
            &embedded
        }
        _ => policies,
    };
    let mut ctx = Context {
        name,
        content,
        cursor: LineCursor::default(),
        policies,
        import: CloudFrontImport::default(),
    };
    match export {
        Export::List {
            distributions,
            truncation,
            ..
        } => {
            ctx.import.warnings.extend(truncation);
            ctx.import.distributions = distributions.len();
            for (index, raw) in distributions.into_iter().enumerate() {
                ctx.distribution(raw, index + 1, None, None)?;
            }
        }
        Export::Config {
            config,
            id,
            domain_name,
        } => {
            ctx.import.distributions = 1;
            ctx.distribution(config, 1, Some(id), domain_name)?;
        }
    }
    Ok(ctx.import)
}

/// The state of one parse: the input, where line counting got to, and what was found.
struct Context<'a, 'p> {
    name: &'a str,
    content: &'a [u8],
    cursor: LineCursor,
    policies: &'p OriginRequestPolicies,
    import: CloudFrontImport,
}

impl<'a> Context<'a, '_> {
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
                format!("{}: {}", what(), worded(raw.get(), &e)),
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

/// serde's error in words: a type error names the member (found by where the error is in
/// `text`, the JSON that was parsed) and what it must be, `HTTPSPort must be a whole number,
/// not the string "443"`, rather than serde's `invalid type: string "443", expected i64`. Other
/// errors are serde's text without its position.
pub(super) fn worded(text: &str, error: &serde_json::Error) -> String {
    let message = serde_message(error);
    let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    else {
        return message;
    };
    let expected = match expected {
        "i64" | "u64" | "i32" | "u32" | "u16" | "u8" | "usize" => "a whole number",
        "a boolean" => "true or false",
        "a sequence" => "a list",
        "a string" => "a string",
        other if other.starts_with("struct ") || other == "a map" => "an object",
        other => other,
    };
    let found = if let Some(text) = found.strip_prefix("string ") {
        format!("the string {text}")
    } else if let Some(number) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", number.trim_matches('`'))
    } else if let Some(value) = found.strip_prefix("boolean ") {
        value.trim_matches('`').to_string()
    } else {
        match found {
            "map" => "an object".to_string(),
            "sequence" => "a list".to_string(),
            "null" => "null".to_string(),
            other => other.to_string(),
        }
    };
    match member_at(text, error.line(), error.column()) {
        Some(member) => format!("{member} must be {expected}, not {found}"),
        None => format!("must be {expected}, not {found}"),
    }
}

/// The name of the object member whose value holds `(line, column)` (serde's error position,
/// 1-based, the column in bytes) in `text`: the last `"Name":` before it.
fn member_at(text: &str, line: usize, column: usize) -> Option<String> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut end = (line_start + column).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let mut search = before.len();
    while let Some(colon) = before[..search].rfind(':') {
        search = colon;
        let key_end = before[..colon].trim_end();
        let Some(key_end) = key_end.strip_suffix('"') else {
            continue;
        };
        let key_start = key_end.rfind('"')?;
        let key = &key_end[key_start + 1..];
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Some(key.to_string());
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use serde_json::{json, Value};

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
        assert_eq!(
            message,
            "distribution EDIST, origin o1: HTTPPort must be a whole number, not the string \"eighty\""
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
        assert_eq!(
            message,
            "distribution EDIST: Items must be a list, not the string \"www.example.com\""
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
}
