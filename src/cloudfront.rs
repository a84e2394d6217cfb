//! CloudFront's origin rules as data: connection defaults and the ranges the API accepts.
//!
//! Sources are named in `CLOUDFRONT.md` (botocore's CloudFront model and the developer guide).
//! The TLS offer (protocols, suites, curves, signature schemes) is in [`crate::tls_profile`],
//! and the hand-built ClientHello made from it in [`crate::cfhello`].

use std::time::Duration;

/// CloudFront's default ConnectionTimeout (1-10 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// CloudFront's default ConnectionAttempts (1-3).
pub const DEFAULT_CONNECTION_ATTEMPTS: u8 = 3;
/// CloudFront's default OriginReadTimeout (1-120 s).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// CloudFront's default OriginKeepaliveTimeout (1-120 s).
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default HTTPS port.
pub const DEFAULT_HTTPS_PORT: u16 = 443;
/// Default HTTP port.
pub const DEFAULT_HTTP_PORT: u16 = 80;

/// Allowed ConnectionTimeout, in seconds.
pub const CONNECT_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=10;
/// Allowed ConnectionAttempts.
pub const CONNECTION_ATTEMPTS_RANGE: std::ops::RangeInclusive<u8> = 1..=3;
/// Allowed OriginReadTimeout, in seconds.
pub const READ_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=120;
/// Allowed OriginKeepaliveTimeout, in seconds.
pub const KEEPALIVE_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=120;

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
