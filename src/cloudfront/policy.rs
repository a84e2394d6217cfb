//! Which of s2n-tls's CloudFront-Upstream security policies stands for a scan's CloudFront: the
//! profile (`2025`, `legacy`) and the lowest protocol the distribution's OriginSslProtocols
//! allows pick the policy, by name, as data.
//!
//! Source: s2n-tls `tls/s2n_security_policies.c` (the `security_policy_selection` table: the
//! `CloudFront-Upstream*` names, added for TLS 1.3 on 2025-08-21 in commit a7862238a), as shipped
//! by the `s2n-tls` crate 0.3.47. Each `-TLS-1-x` variant sets the policy's minimum version; the
//! plain name allows SSLv3 up. The `-PQ` variants add post-quantum key exchange, for the
//! `2025-pq` profile. `originscan explain policies` prints this table.

use super::tls_profile::{Profile, TlsVersion};

/// One row: a profile, the lowest allowed version, and the s2n policy name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyRow {
    /// The profile's name as `--cloudfront-profile` spells it: `2025`, `legacy`, or `2025-pq`.
    pub profile: &'static str,
    /// The lowest version OriginSslProtocols allows.
    pub lowest: TlsVersion,
    /// The s2n-tls security policy's name, e.g. `CloudFront-Upstream-TLS-1-2-2025`.
    pub policy: &'static str,
}

/// Every CloudFront-Upstream policy, by profile and lowest allowed version.
pub const POLICIES: &[PolicyRow] = &[
    row("legacy", TlsVersion::Ssl3, "CloudFront-Upstream"),
    row("legacy", TlsVersion::Tls10, "CloudFront-Upstream-TLS-1-0"),
    row("legacy", TlsVersion::Tls11, "CloudFront-Upstream-TLS-1-1"),
    row("legacy", TlsVersion::Tls12, "CloudFront-Upstream-TLS-1-2"),
    row("2025", TlsVersion::Ssl3, "CloudFront-Upstream-2025"),
    row(
        "2025",
        TlsVersion::Tls10,
        "CloudFront-Upstream-TLS-1-0-2025",
    ),
    row(
        "2025",
        TlsVersion::Tls11,
        "CloudFront-Upstream-TLS-1-1-2025",
    ),
    row(
        "2025",
        TlsVersion::Tls12,
        "CloudFront-Upstream-TLS-1-2-2025",
    ),
    row(
        "2025",
        TlsVersion::Tls13,
        "CloudFront-Upstream-TLS-1-3-2025",
    ),
    row("2025-pq", TlsVersion::Ssl3, "CloudFront-Upstream-2025-PQ"),
    row(
        "2025-pq",
        TlsVersion::Tls10,
        "CloudFront-Upstream-TLS-1-0-2025-PQ",
    ),
    row(
        "2025-pq",
        TlsVersion::Tls11,
        "CloudFront-Upstream-TLS-1-1-2025-PQ",
    ),
    row(
        "2025-pq",
        TlsVersion::Tls12,
        "CloudFront-Upstream-TLS-1-2-2025-PQ",
    ),
    row(
        "2025-pq",
        TlsVersion::Tls13,
        "CloudFront-Upstream-TLS-1-3-2025-PQ",
    ),
];

const fn row(profile: &'static str, lowest: TlsVersion, policy: &'static str) -> PolicyRow {
    PolicyRow {
        profile,
        lowest,
        policy,
    }
}

/// The policy for `profile` when the distribution allows `allowed` (its lowest version picks
/// the variant; TLS 1.3 is not an API value, so the lowest is at most TLS 1.2 in practice).
pub fn upstream_policy(profile: Profile, allowed: &[TlsVersion]) -> &'static str {
    policy_named(profile.as_str(), allowed)
}

/// The post-quantum (`-PQ`) policy when the distribution allows `allowed`: what the `2025-pq`
/// profile's CloudFront uses.
pub fn post_quantum_policy(allowed: &[TlsVersion]) -> &'static str {
    policy_named("2025-pq", allowed)
}

fn policy_named(name: &str, allowed: &[TlsVersion]) -> &'static str {
    let lowest = allowed.iter().min().copied().unwrap_or(TlsVersion::Tls10);
    POLICIES
        .iter()
        .find(|r| r.profile == name && r.lowest == lowest)
        .or_else(|| POLICIES.iter().find(|r| r.profile == name))
        .map_or("CloudFront-Upstream-2025", |r| r.policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_quantum_policy_follows_the_same_rule() {
        use TlsVersion::*;
        assert_eq!(
            post_quantum_policy(&[Tls10, Tls11, Tls12]),
            "CloudFront-Upstream-TLS-1-0-2025-PQ"
        );
        assert_eq!(
            post_quantum_policy(&[Tls12]),
            "CloudFront-Upstream-TLS-1-2-2025-PQ"
        );
        assert_eq!(post_quantum_policy(&[Ssl3]), "CloudFront-Upstream-2025-PQ");
    }

    #[test]
    fn the_lowest_allowed_version_picks_the_variant() {
        use TlsVersion::*;
        assert_eq!(
            upstream_policy(Profile::Y2025, &[Tls10, Tls11, Tls12]),
            "CloudFront-Upstream-TLS-1-0-2025"
        );
        assert_eq!(
            upstream_policy(Profile::Y2025, &[Tls12]),
            "CloudFront-Upstream-TLS-1-2-2025"
        );
        assert_eq!(
            upstream_policy(Profile::Y2025, &[Ssl3, Tls10]),
            "CloudFront-Upstream-2025"
        );
        assert_eq!(
            upstream_policy(Profile::Legacy, &[Tls11, Tls12]),
            "CloudFront-Upstream-TLS-1-1"
        );
        assert_eq!(
            upstream_policy(Profile::Legacy, &[Ssl3]),
            "CloudFront-Upstream"
        );
    }

    #[test]
    fn every_policy_name_is_known_to_s2n() {
        for row in POLICIES {
            let policy = s2n_tls::security::Policy::from_version(row.policy)
                .unwrap_or_else(|e| panic!("{}: {e}", row.policy));
            let mut builder = s2n_tls::config::Builder::new();
            builder
                .set_security_policy(&policy)
                .unwrap_or_else(|e| panic!("s2n does not know {}: {e}", row.policy));
        }
    }
}
