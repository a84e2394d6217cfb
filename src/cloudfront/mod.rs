//! CloudFront's origin rules as data: connection defaults and the ranges the API accepts.
//!
//! Sources are named in `docs/CLOUDFRONT.md` (botocore's CloudFront model and the developer guide).
//! The TLS offer (protocols, suites, curves, signature schemes) is in [`crate::cloudfront::tls_profile`],
//! and the hand-built ClientHello made from it in [`crate::cloudfront::hello`].

pub mod alerts;
pub mod hello;
pub mod policy;
pub mod tls_profile;

use std::time::Duration;

/// CloudFront's default ConnectionTimeout (1-10 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// CloudFront's default ConnectionAttempts (1-3).
pub const DEFAULT_CONNECTION_ATTEMPTS: u8 = 3;
/// CloudFront's default OriginReadTimeout (1-120 s).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// CloudFront's default OriginKeepaliveTimeout (1-120 s).
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// CloudFront's default HTTPSPort (80, 443 or 1024-65535).
pub const DEFAULT_HTTPS_PORT: u16 = 443;
/// CloudFront's default HTTPPort (80, 443 or 1024-65535).
pub const DEFAULT_HTTP_PORT: u16 = 80;

/// Allowed ConnectionTimeout, in seconds.
pub const CONNECT_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=10;
/// Allowed ConnectionAttempts.
pub const CONNECTION_ATTEMPTS_RANGE: std::ops::RangeInclusive<u8> = 1..=3;
/// Allowed OriginReadTimeout, in seconds.
pub const READ_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=120;
/// Allowed OriginKeepaliveTimeout, in seconds.
pub const KEEPALIVE_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=120;

/// AWS-managed origin request policies, by id: `(id, name, whether it forwards the viewer's Host
/// header)`. All eight that AWS lists, checked against
/// <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html>
/// ("You attach the policy either by name (with the console) or by ID (with the AWS CLI or
/// SDKs). The names and IDs are listed in the following section."):
/// - AllViewer: "Headers included in origin requests: All headers in the viewer request", Host
///   among them.
/// - AllViewerAndCloudFrontHeaders-2022-06: "All headers in the viewer request, and the
///   following CloudFront headers", Host among them.
/// - AllViewerExceptHostHeader: as named, every viewer header but Host.
/// - CORS-CustomOrigin (`Origin`), CORS-S3Origin (`Origin`, `Access-Control-Request-Headers`,
///   `Access-Control-Request-Method`), Elemental-MediaTailor-PersonalizedManifests (those three,
///   `User-Agent`, `X-Forwarded-For`), UserAgentRefererHeaders (`User-Agent`, `Referer`): no Host.
/// - HostHeaderOnly, added on 2025-09-03 (the guide's document history: "Added new managed
///   origin request policy `HostHeaderOnly`"): "This policy includes only the Host header from
///   the origin request. It doesn't include any query strings or cookies."
pub const MANAGED_ORIGIN_REQUEST_POLICIES: &[(&str, &str, bool)] = &[
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer", true),
    (
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "AllViewerAndCloudFrontHeaders-2022-06",
        true,
    ),
    (
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "AllViewerExceptHostHeader",
        false,
    ),
    (
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "CORS-CustomOrigin",
        false,
    ),
    (
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "CORS-S3Origin",
        false,
    ),
    (
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "Elemental-MediaTailor-PersonalizedManifests",
        false,
    ),
    (
        "bf0718e1-ba1e-49d1-88b1-f726733018ae",
        "HostHeaderOnly",
        true,
    ),
    (
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        "UserAgentRefererHeaders",
        false,
    ),
];

/// AWS-managed cache policies, by id: `(id, name, whether the cache key includes Host)`.
/// Headers in the cache key are also sent to the origin (botocore's
/// `ParametersInCacheKeyAndForwardedToOrigin`: "The headers, cookies, and query strings that are
/// included in the cache key are also included in requests that CloudFront sends to the
/// origin"), so a behavior using one with Host in its key forwards the viewer's Host.
/// Sources:
/// - <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html>
///   lists Amplify ("Headers included in cache key: Authorization, CloudFront-Viewer-Country,
///   Host"), CachingDisabled ("Headers included in the cache key: None"), CachingOptimized
///   ("None are explicitly included"), CachingOptimizedForUncompressedObjects ("None"),
///   Elemental-MediaPackage (`Origin`), UseOriginCacheControlHeaders and
///   UseOriginCacheControlHeaders-QueryStrings ("Host, Origin, X-HTTP-Method-Override,
///   X-HTTP-Method, X-Method-Override"), and names the AWS Amplify Hosting policies, "only used
///   by Amplify".
/// - <https://docs.aws.amazon.com/amplify/latest/userguide/cache-configuration-type.html> gives
///   those four with their ids (in the console links) and keys: Amplify-Default and
///   Amplify-DefaultNoCookies ("Authorization, Accept, CloudFront-Viewer-Country, Host"),
///   Amplify-ImageOptimization ("Authorization, Accept, Host"), Amplify-StaticContent
///   ("Authorization, Host").
pub const MANAGED_CACHE_POLICIES: &[(&str, &str, bool)] = &[
    ("2e54312d-136d-493c-8eb9-b001f22f67d2", "Amplify", true),
    (
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "CachingDisabled",
        false,
    ),
    (
        "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "CachingOptimized",
        false,
    ),
    (
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        "CachingOptimizedForUncompressedObjects",
        false,
    ),
    (
        "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        "Elemental-MediaPackage",
        false,
    ),
    (
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "UseOriginCacheControlHeaders",
        true,
    ),
    (
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        "UseOriginCacheControlHeaders-QueryStrings",
        true,
    ),
    (
        "4d1d2f1d-3a71-49ad-9e08-7ea5d843a556",
        "Amplify-Default",
        true,
    ),
    (
        "a6bad946-36c3-4c33-aa98-362c74a7fb13",
        "Amplify-DefaultNoCookies",
        true,
    ),
    (
        "1c6db51a-a33f-469a-8245-dae26771f530",
        "Amplify-ImageOptimization",
        true,
    ),
    (
        "7e5fad67-ee98-4ad0-b05a-394999eefc1a",
        "Amplify-StaticContent",
        true,
    ),
];

/// Whether CloudFront accepts `port` as an origin HTTP or HTTPS port (80, 443, or 1024-65535).
pub fn is_valid_origin_port(port: u16) -> bool {
    port == 80 || port == 443 || port >= 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_ports_follow_the_api() {
        assert!(is_valid_origin_port(80));
        assert!(is_valid_origin_port(443));
        assert!(is_valid_origin_port(1024));
        assert!(is_valid_origin_port(65535));
        assert!(!is_valid_origin_port(1023));
        assert!(!is_valid_origin_port(8));
    }

    #[test]
    fn managed_policy_ids_are_distinct_lower_case_uuids() {
        for table in [MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_CACHE_POLICIES] {
            let mut ids: Vec<&str> = table.iter().map(|(id, _, _)| *id).collect();
            for id in &ids {
                let groups: Vec<usize> = id.split('-').map(str::len).collect();
                assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
                assert!(
                    id.bytes()
                        .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                    "{id}"
                );
            }
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), table.len());
        }
        assert_eq!(MANAGED_ORIGIN_REQUEST_POLICIES.len(), 8, "AWS lists eight");
        assert_eq!(
            MANAGED_CACHE_POLICIES.len(),
            11,
            "seven, and Amplify Hosting's four"
        );
    }
}
