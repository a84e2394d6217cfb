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
/// header)`. Source: the developer guide's `using-managed-origin-request-policies.html`
/// (AllViewer and AllViewerAndCloudFrontHeaders-2022-06 include every viewer header, Host among
/// them; AllViewerExceptHostHeader, as named, does not; the others list a few headers, not Host).
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
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "CORS-S3Origin",
        false,
    ),
    (
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "CORS-CustomOrigin",
        false,
    ),
    (
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        "UserAgentRefererHeaders",
        false,
    ),
    (
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "Elemental-MediaTailor-PersonalizedManifests",
        false,
    ),
];

/// AWS-managed cache policies whose cache key includes the Host header, by id: `(id, name)`.
/// Headers in the cache key are also sent to the origin (API `CachePolicyHeadersConfig`), so a
/// behavior using one of these forwards the viewer's Host. Source: the developer guide's
/// `using-managed-cache-policies.html` (Amplify: Authorization, CloudFront-Viewer-Country, Host;
/// UseOriginCacheControlHeaders and its -QueryStrings variant: Host, Origin and the
/// X-HTTP-Method(-Override) / X-Method-Override headers). Other managed cache policies (e.g.
/// CachingOptimized, CachingDisabled) have no Host in their key.
pub const MANAGED_CACHE_POLICIES_FORWARDING_HOST: &[(&str, &str)] = &[
    ("2e54312d-136d-493c-8eb9-b001f22f67d2", "Amplify"),
    (
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "UseOriginCacheControlHeaders",
    ),
    (
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        "UseOriginCacheControlHeaders-QueryStrings",
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
}
