//! Origin import: one origin of a distribution becomes a [`Target`] with its
//! `CustomOriginConfig` settings (each checked against CloudFront's ranges, [`crate::cloudfront`]),
//! or a [`SkippedOrigin`] with the reason (S3 REST origins, VPC origins, origins with no
//! custom config). S3 *website* endpoints are custom origins and are scanned.

use std::time::Duration;

use super::model::{Items, Origin};
use crate::cloudfront;
use crate::cloudfront::tls_profile::TlsVersion;
use crate::target::{
    check_port, CustomHeader, Host, IpAddressType, OriginHttpVersion, ProtocolPolicy,
    SkippedOrigin, Target,
};

/// What one origin became: a target (with the origin's id), or a skipped origin.
pub(super) enum Outcome {
    Target(Box<Target>, String),
    Skipped(SkippedOrigin),
}

/// Whether a `DomainName` holds a multi-tenant distribution's parameter (`{{tenantName}}`, or
/// any `{{name}}` of `TenantConfig.ParameterDefinitions`), which each distribution tenant fills
/// in with its own value.
pub(super) fn has_tenant_parameter(domain: &str) -> bool {
    domain
        .find("{{")
        .is_some_and(|open| domain[open + 2..].contains("}}"))
}

/// Turns one origin into a target, or says why it is skipped; errors are the message only.
/// `connection_mode` is the distribution's `ConnectionMode`, named in a tenant origin's reason.
pub(super) fn import_origin(
    origin: Origin,
    distribution_id: &str,
    connection_mode: Option<&str>,
) -> Result<Outcome, String> {
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
    // A multi-tenant distribution's origin named by a parameter (`{{tenantName}}.example.com`)
    // is a template: each distribution tenant reaches its own host, which the distribution's
    // export does not hold. botocore's model: ConnectionMode "specifies whether the connection
    // mode is through a standard distribution (direct) or a multi-tenant distribution with
    // distribution tenants (tenant-only)"; a tenant's ParameterDefinition is "A list of
    // parameter values to add to the resource", each tenant giving its own.
    if has_tenant_parameter(&domain) {
        let mode = connection_mode
            .map(|m| format!(" (ConnectionMode {m})"))
            .unwrap_or_default();
        return skip(format!(
            "multi-tenant origin{mode}: its DomainName holds a tenant parameter, filled in by \
             each distribution tenant, so the export does not say which host CloudFront \
             reaches; scan each tenant's origin by name (aws cloudfront \
             list-distribution-tenants gives their parameters)"
        ));
    }
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
    // botocore's CustomOriginConfig requires HTTPPort, HTTPSPort and OriginProtocolPolicy: an
    // export without one was cut or edited, and guessing 80 or 443 could scan the wrong port.
    let required = |field: &str| {
        format!(
            "CustomOriginConfig has no {field}, which the CloudFront API requires \
             (HTTPPort, HTTPSPort and OriginProtocolPolicy are required members of \
             CustomOriginConfig): was the export cut or edited?"
        )
    };
    target.http_port = port_value(
        custom.http_port.ok_or_else(|| required("HTTPPort"))?,
        "HTTPPort",
    )?;
    target.https_port = port_value(
        custom.https_port.ok_or_else(|| required("HTTPSPort"))?,
        "HTTPSPort",
    )?;
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
    if let Some(path) = origin.origin_path.filter(|p| !p.is_empty()) {
        target.origin_path = origin_path(&path)?;
    }
    for header in Items::into_vec(origin.custom_headers) {
        let name = header
            .header_name
            .ok_or("CustomHeaders: an item has no HeaderName")?;
        let value = header
            .header_value
            .ok_or_else(|| format!("CustomHeaders: header {name:?} has no HeaderValue"))?;
        target
            .custom_headers
            .push(CustomHeader::new(&name, &value).map_err(|e| format!("CustomHeaders: {e}"))?);
    }
    if let Some(v) = origin.response_completion_timeout {
        target.response_completion_timeout =
            Some(response_completion_timeout(v, target.read_timeout)?);
    }
    target.origin_mtls = Some(custom.origin_mtls_config.is_some());
    if let Some(v) = custom.origin_http_version {
        target.http_version = v.parse::<OriginHttpVersion>()?;
    }
    target.provenance.distribution_id = Some(distribution_id.to_string());
    target.provenance.origin_id = Some(id.clone());
    Ok(Outcome::Target(Box::new(target), id))
}

/// `Origin.OriginPath`: "An optional path that CloudFront appends to the origin domain name
/// when CloudFront requests content from the origin" (botocore), beginning with a slash. It is
/// sent as given, so it must be printable ASCII.
fn origin_path(path: &str) -> Result<String, String> {
    if !path.starts_with('/') {
        return Err(format!(
            "OriginPath {:?} must begin with a slash (/)",
            crate::report::escape::printable(path)
        ));
    }
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "OriginPath {:?} is not printable ASCII without spaces (percent-encode the rest)",
            crate::report::escape::printable(path)
        ));
    }
    Ok(path.to_string())
}

/// AWS's rule for `Origin.ResponseCompletionTimeout` (botocore's model, word for word).
pub(crate) const RESPONSE_COMPLETION_RULE: &str =
    "The value for ResponseCompletionTimeout must be \
     equal to or greater than the value for OriginReadTimeout.";

/// `Origin.ResponseCompletionTimeout` in seconds, at least the origin's OriginReadTimeout.
fn response_completion_timeout(value: i64, read_timeout: Duration) -> Result<Duration, String> {
    match u64::try_from(value) {
        Ok(seconds) if seconds >= read_timeout.as_secs() => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "ResponseCompletionTimeout {value} is below OriginReadTimeout {}: \
             {RESPONSE_COMPLETION_RULE}",
            read_timeout.as_secs()
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::cloudfront::test_support::*;
    use crate::input::cloudfront::{parse, OriginRequestPolicies};
    use serde_json::{json, Value};

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
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                           "OriginProtocolPolicy": "https-only"}}]),
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
        // Read from every export origin: no OriginMtlsConfig here.
        want.origin_mtls = Some(false);
        assert_eq!(import.targets, vec![want]);
    }

    /// Issue 16, items 1, 2 and 3: OriginPath, CustomHeaders, ResponseCompletionTimeout and
    /// whether OriginMtlsConfig is set land in the target.
    #[test]
    fn origin_path_custom_headers_and_completion_timeout_are_read() {
        let mut origin = custom("o1");
        origin["OriginPath"] = json!("/prod/v2");
        origin["CustomHeaders"] = json!({"Quantity": 2, "Items": [
            {"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cret"},
            {"HeaderName": "X-Env", "HeaderValue": "prod"}
        ]});
        origin["ResponseCompletionTimeout"] = json!(45);
        origin["CustomOriginConfig"]["OriginMtlsConfig"] =
            json!({"ClientCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/x"});
        let doc = export(json!([origin]), json!({"TargetOriginId": "o1"}), json!([]));
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        let t = &import.targets[0];
        assert_eq!(t.origin_path, "/prod/v2");
        assert_eq!(t.request_path(), "/prod/v2/");
        let headers: Vec<(&str, &str)> = t
            .custom_headers
            .iter()
            .map(|h| (h.name(), h.value()))
            .collect();
        assert_eq!(headers, [("X-Origin-Verify", "s3cret"), ("X-Env", "prod")]);
        assert_eq!(t.response_completion_timeout, Some(secs(45)));
        assert_eq!(t.origin_mtls, Some(true));
        // The value is never in the target's Debug form (logs, panics).
        assert!(!format!("{t:?}").contains("s3cret"));

        // Absent or empty: nothing added.
        let import = parse("list.json", LIST, &fixture_policies()).unwrap();
        let t = target(&import, "web-secondary");
        assert_eq!((t.origin_path.as_str(), t.request_path()), ("", "/".into()));
        assert_eq!(t.response_completion_timeout, None);
    }

    /// Issue 16, item 4: OriginHttpVersion is read (absent: `http1.1`), an unknown value is an
    /// input error, and a behavior with `GrpcConfig.Enabled` marks the origins it routes to;
    /// either way CloudFront offers h2.
    #[test]
    fn origin_http_version_and_grpc_are_read() {
        use crate::target::OriginHttpVersion;
        let mut h2 = custom("h2");
        h2["CustomOriginConfig"]["OriginHttpVersion"] = json!("http2");
        let mut h1 = custom("h1");
        h1["CustomOriginConfig"]["OriginHttpVersion"] = json!("http1.1");
        let doc = export(
            json!([h2, h1, custom("plain"), custom("rpc")]),
            json!({"TargetOriginId": "plain", "GrpcConfig": {"Enabled": false}}),
            json!([
                {"PathPattern": "/a/*", "TargetOriginId": "h2"},
                {"PathPattern": "/b/*", "TargetOriginId": "h1"},
                {"PathPattern": "/rpc/*", "TargetOriginId": "rpc", "GrpcConfig": {"Enabled": true}}
            ]),
        );
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        let got: Vec<(&str, OriginHttpVersion, bool, bool)> = ["h2", "h1", "plain", "rpc"]
            .iter()
            .map(|id| {
                let t = target(&import, id);
                (*id, t.http_version, t.grpc, t.offers_h2())
            })
            .collect();
        assert_eq!(
            got,
            [
                ("h2", OriginHttpVersion::Http2, false, true),
                ("h1", OriginHttpVersion::Http11, false, false),
                ("plain", OriginHttpVersion::Http11, false, false),
                ("rpc", OriginHttpVersion::Http11, true, true),
            ]
        );

        let mut bad = custom("o1");
        bad["CustomOriginConfig"]["OriginHttpVersion"] = json!("http3");
        let (_, message) = invalid(&export(
            json!([bad]),
            json!({"TargetOriginId": "o1"}),
            json!([]),
        ));
        assert!(
            message.contains("\"http3\" is not an OriginHttpVersion: use http1.1 or http2"),
            "{message}"
        );
        let (_, message) = invalid(&export(
            json!([custom("o1")]),
            json!({"TargetOriginId": "o1", "GrpcConfig": {}}),
            json!([]),
        ));
        assert!(message.contains("GrpcConfig has no Enabled"), "{message}");
    }

    /// Issue 16, item 3: ResponseCompletionTimeout below the origin's OriginReadTimeout (its
    /// own, or CloudFront's 30 s default) is an input error with AWS's sentence; equal is fine.
    #[test]
    fn a_completion_timeout_below_the_read_timeout_is_an_input_error() {
        let rule = "The value for ResponseCompletionTimeout must be equal to or greater than \
                    the value for OriginReadTimeout.";
        for (read, completion, want) in [
            (
                json!(30),
                json!(29),
                "ResponseCompletionTimeout 29 is below OriginReadTimeout 30",
            ),
            (
                json!(10),
                json!(0),
                "ResponseCompletionTimeout 0 is below OriginReadTimeout 10",
            ),
            (
                json!(null),
                json!(20),
                "ResponseCompletionTimeout 20 is below OriginReadTimeout 30",
            ),
        ] {
            let mut origin = custom("o1");
            origin["ResponseCompletionTimeout"] = completion;
            match read {
                Value::Null => {
                    origin["CustomOriginConfig"]
                        .as_object_mut()
                        .unwrap()
                        .remove("OriginReadTimeout");
                }
                read => origin["CustomOriginConfig"]["OriginReadTimeout"] = read,
            }
            check_origin_error(origin, &format!("{want}: {rule}"));
        }
        let mut origin = custom("o1");
        origin["ResponseCompletionTimeout"] = json!(30);
        let doc = export(json!([origin]), json!({"TargetOriginId": "o1"}), json!([]));
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(
            import.targets[0].response_completion_timeout,
            Some(secs(30))
        );
    }

    /// Issue 16, item 1: an OriginPath that CloudFront could not send, or a custom header that
    /// would break the request, is an input error; a header's value is never quoted.
    #[test]
    fn bad_origin_paths_and_custom_headers_are_input_errors() {
        let mut origin = custom("o1");
        origin["OriginPath"] = json!("prod");
        check_origin_error(origin, "OriginPath \"prod\" must begin with a slash (/)");
        let mut origin = custom("o1");
        origin["OriginPath"] = json!("/a b");
        check_origin_error(origin, "OriginPath \"/a b\" is not printable ASCII");
        let mut origin = custom("o1");
        origin["CustomHeaders"] = json!({"Quantity": 1, "Items": [
            {"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cret\r\nX-Injected: 1"}
        ]});
        let doc = pretty_export(json!([custom("o0"), origin]));
        let (_, message) = invalid(&doc);
        assert!(
            message
                .contains("CustomHeaders: the value of header X-Origin-Verify holds a line break"),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
        let mut origin = custom("o1");
        origin["CustomHeaders"] = json!({"Quantity": 1, "Items": [{"HeaderName": "X-A"}]});
        check_origin_error(origin, "CustomHeaders: header \"X-A\" has no HeaderValue");
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
                 "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                        "OriginProtocolPolicy": "http-only"}}
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

    /// Issue 16, item 8: HTTPPort and HTTPSPort are required members of botocore's
    /// CustomOriginConfig: a missing one is an input error naming the file, line, distribution
    /// and origin, not a silent 80 or 443.
    #[test]
    fn required_ports_are_not_defaulted() {
        for field in ["HTTPSPort", "HTTPPort"] {
            let mut origin = custom("o1");
            origin["CustomOriginConfig"]
                .as_object_mut()
                .unwrap()
                .remove(field);
            check_origin_error(
                origin,
                &format!("CustomOriginConfig has no {field}, which the CloudFront API requires"),
            );
        }
    }

    /// Issue 16, item 8: a type error says what was expected in words, naming the member.
    #[test]
    fn type_errors_say_what_was_expected_in_words() {
        for (field, value, want) in [
            (
                "HTTPSPort",
                json!("443"),
                "HTTPSPort must be a whole number, not the string \"443\"",
            ),
            (
                "OriginReadTimeout",
                json!(1.5),
                "OriginReadTimeout must be a whole number, not the number 1.5",
            ),
            (
                "OriginProtocolPolicy",
                json!(true),
                "OriginProtocolPolicy must be a string, not true",
            ),
            (
                "OriginSslProtocols",
                json!("TLSv1.2"),
                "OriginSslProtocols must be an object, not the string \"TLSv1.2\"",
            ),
        ] {
            let mut origin = custom("o1");
            origin["CustomOriginConfig"][field] = value;
            let doc = pretty_export(json!([custom("o0"), origin]));
            let (_, message) = invalid(&doc);
            assert_eq!(message, format!("distribution EDIST, origin o1: {want}"));
        }
        let mut origin = custom("o1");
        origin["ConnectionAttempts"] = json!({"n": 3});
        let (_, message) = invalid(&pretty_export(json!([custom("o0"), origin])));
        assert!(
            message.ends_with("ConnectionAttempts must be a whole number, not an object"),
            "{message}"
        );
    }

    /// Issue 16, item 6: an origin whose DomainName holds a tenant parameter is skipped with
    /// the reason, whatever its config.
    #[test]
    fn tenant_parameter_origins_are_skipped() {
        assert!(has_tenant_parameter("{{tenantName}}.example.com"));
        assert!(has_tenant_parameter("origin-{{region}}.example.com"));
        assert!(!has_tenant_parameter("{{x.example.com"));
        assert!(!has_tenant_parameter("a.example.com"));
        let mut tenant = custom("t1");
        tenant["DomainName"] = json!("{{tenantName}}.example.com");
        tenant["CustomOriginConfig"]["HTTPSPort"] = json!(443);
        let doc = export(
            json!([tenant, custom("o1")]),
            json!({"TargetOriginId": "t1"}),
            json!([]),
        );
        let import = parse("d.json", doc.as_bytes(), &OriginRequestPolicies::default()).unwrap();
        assert_eq!(import.targets.len(), 1);
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].origin_id, "t1");
        assert!(
            import.skipped[0]
                .reason
                .starts_with("multi-tenant origin: its DomainName holds a tenant parameter"),
            "{}",
            import.skipped[0].reason
        );
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
}
