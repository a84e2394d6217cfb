//! CloudFront's TLS offer to an origin, as data: protocol versions, cipher suites, curves and
//! signature schemes, for each profile of what CloudFront sends.
//!
//! Sources (see `docs/CLOUDFRONT.md`, "TLS between CloudFront and the origin"):
//! - the AWS page `secure-connections-supported-ciphers-cloudfront-to-origin.html` (the 16
//!   documented suites, curves, signature algorithms);
//! - the API enum `OriginSslProtocols` (`SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`; no TLS 1.3);
//! - AWS's TLS library s2n-tls, which carries CloudFront's *upstream* (origin-facing) policies:
//!   `tls/s2n_security_policies.c` (`security_policy_cloudfront_upstream*`),
//!   `tls/s2n_cipher_preferences.c` (`cipher_preferences_cloudfront_upstream*`),
//!   `tls/s2n_signature_scheme.c` / `s2n_signature_preferences` (`20140601`, `20250820`) and
//!   `tls/s2n_ecc_preferences.c` (`20230623`). Commit a7862238a (2025-08-21) added the TLS 1.3
//!   policies (`cloudfront_upstream_2025_08_08`).
//!
//! The hand-built ClientHello ([`crate::cloudfront::hello`]) is made from these lists.

use std::fmt;
use std::str::FromStr;

/// Which CloudFront offer to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// s2n `cloudfront_upstream_2025_08_08`: TLS 1.3 enabled, RSA-PSS signatures (the default).
    #[default]
    Y2025,
    /// s2n `cloudfront_upstream` as before 2025 and the AWS ciphers page: SSLv3 to TLS 1.2.
    Legacy,
}

/// A protocol version, ordered from oldest to newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// SSL 3.0 (0x0300).
    Ssl3,
    /// TLS 1.0 (0x0301).
    Tls10,
    /// TLS 1.1 (0x0302).
    Tls11,
    /// TLS 1.2 (0x0303).
    Tls12,
    /// TLS 1.3 (0x0304).
    Tls13,
}

/// The protocols a distribution allows when its target names none (`docs/FINDINGS.md`): every
/// version CloudFront offers but SSLv3. The evidence must say that this was assumed.
pub const DEFAULT_ALLOWED: &[TlsVersion] =
    &[TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12];

/// Named groups, by IANA code.
const SECP256R1: u16 = 0x0017;
const SECP384R1: u16 = 0x0018;
const X25519: u16 = 0x001d;

/// s2n `s2n_ecc_preferences_20230623`, used by every CloudFront upstream policy:
/// "Curve p256 is at the top of the list in order to minimize HRR".
const CURVES: &[u16] = &[SECP256R1, X25519, SECP384R1];

/// TLS 1.3 suites of `cipher_preferences_cloudfront_upstream_2025_08_08`.
const TLS13_SUITES: &[u16] = &[0x1301, 0x1302, 0x1303];

/// `cipher_preferences_cloudfront_upstream_2025_08_08`: the TLS 1.3 suites, then the older ones.
const SUITES_2025: &[u16] = &[
    0x1301, 0x1302, 0x1303, // TLS 1.3
    0xC02B, 0xC02F, 0xC02C, 0xC030, 0xC023, 0xC027, 0xC024, 0xC028, 0xC009, 0xC013, 0xC00A, 0xC014,
    0x009C, 0x009D, 0x003C, 0x002F, 0x0035, 0x000A, 0x0004,
];

/// `cipher_preferences_cloudfront_upstream` (the pre-2025 policy).
const SUITES_LEGACY: &[u16] = &[
    0xC02C, 0xC030, 0xC02B, 0xC02F, 0xC024, 0xC028, 0xC00A, 0xC014, 0xC023, 0xC027, 0xC009, 0xC013,
    0x009D, 0x009C, 0x0035, 0x003C, 0x002F, 0x000A, 0x0004,
];

/// The 16 suites on the AWS ciphers page, in the page's order (ECDSA, then RSA).
const DOCUMENTED_SUITES: &[u16] = &[
    0xC02C, 0xC024, 0xC00A, 0xC02B, 0xC023, 0xC009, // ECDSA
    0xC030, 0xC028, 0xC014, 0xC02F, 0xC027, 0xC013, 0x0035, 0x002F, 0x000A, 0x0004, // RSA
];

/// s2n `s2n_sig_scheme_pref_list_20250820` ("based on 20201021, but with ECDSA preferred"):
/// ECDSA SHA-256/384/512/224, RSA-PSS (pss, then rsae) SHA-256/384/512, RSA PKCS#1
/// SHA-256/384/512/224, then RSA PKCS#1 SHA-1 and ECDSA SHA-1.
const SCHEMES_2025: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0303, // ecdsa_secp256r1_sha256 .. ecdsa_sha224
    0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0401, 0x0501, 0x0601, 0x0301, // rsa_pkcs1_sha256/384/512, rsa sha224
    0x0201, 0x0203, // rsa_pkcs1_sha1, ecdsa_sha1
];

/// s2n `s2n_sig_scheme_pref_list_20140601` (the pre-2025 upstream policies): RSA PKCS#1
/// SHA-256/384/512/224, ECDSA SHA-256/384/512/224, then RSA PKCS#1 SHA-1 and ECDSA SHA-1. No
/// RSA-PSS.
const SCHEMES_LEGACY: &[u16] = &[
    0x0401, 0x0501, 0x0601, 0x0301, // rsa_pkcs1_sha256/384/512, rsa sha224
    0x0403, 0x0503, 0x0603, 0x0303, // ecdsa_secp256r1_sha256 .. ecdsa_sha224
    0x0201, 0x0203, // rsa_pkcs1_sha1, ecdsa_sha1
];

impl Profile {
    /// Both profiles, the default first.
    pub const ALL: [Profile; 2] = [Profile::Y2025, Profile::Legacy];

    /// The name used on the command line and in evidence: `2025` or `legacy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Y2025 => "2025",
            Profile::Legacy => "legacy",
        }
    }

    /// Every suite offered, in CloudFront's order of preference (TLS 1.3 suites first).
    pub fn cipher_suites(self) -> &'static [u16] {
        match self {
            Profile::Y2025 => SUITES_2025,
            Profile::Legacy => SUITES_LEGACY,
        }
    }

    /// The suites for TLS 1.2 and older, in order (no TLS 1.3 suites).
    pub fn tls12_and_older_suites(self) -> &'static [u16] {
        match self {
            Profile::Y2025 => &SUITES_2025[TLS13_SUITES.len()..],
            Profile::Legacy => SUITES_LEGACY,
        }
    }

    /// The TLS 1.3 suites, in order (empty for `legacy`).
    pub fn tls13_suites(self) -> &'static [u16] {
        match self {
            Profile::Y2025 => TLS13_SUITES,
            Profile::Legacy => &[],
        }
    }

    /// The suites a ClientHello offering versions up to `max_version` carries, in order: s2n
    /// skips a suite whose minimum version is above the client's highest version
    /// (`s2n_client_hello.c`, `minimum_required_tls_version`), so an SSLv3 hello carries only the
    /// static-RSA suites and a TLS 1.0/1.1 hello no GCM or SHA-2 suites.
    pub fn suites_for(self, max_version: TlsVersion) -> Vec<u16> {
        let all = if max_version >= TlsVersion::Tls13 && self.offers_tls13() {
            self.cipher_suites()
        } else {
            self.tls12_and_older_suites()
        };
        all.iter()
            .copied()
            .filter(|&s| suite_min_version(s) <= max_version)
            .collect()
    }

    /// The named groups offered (`supported_groups`): P-256, X25519, P-384.
    pub fn curves(self) -> &'static [u16] {
        CURVES
    }

    /// The signature schemes offered (`signature_algorithms`), in order.
    pub fn signature_schemes(self) -> &'static [u16] {
        match self {
            Profile::Y2025 => SCHEMES_2025,
            Profile::Legacy => SCHEMES_LEGACY,
        }
    }

    /// Whether this profile offers TLS 1.3 (only `2025`).
    pub fn offers_tls13(self) -> bool {
        matches!(self, Profile::Y2025)
    }

    /// The highest version this profile offers: TLS 1.3 for `2025`, TLS 1.2 for `legacy`.
    pub fn max_version(self) -> TlsVersion {
        if self.offers_tls13() {
            TlsVersion::Tls13
        } else {
            TlsVersion::Tls12
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Profile, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "2025" => Ok(Profile::Y2025),
            "legacy" => Ok(Profile::Legacy),
            other => Err(format!(
                "unknown CloudFront profile {other:?} (expected 2025, 2025-pq or legacy)"
            )),
        }
    }
}

/// `--cloudfront-profile` as given: the profile CloudFront's offer follows, and whether its key
/// exchange is post-quantum (`2025-pq`: the 2025 offer, with s2n's `-PQ` policies, whose
/// ClientHello carries a hybrid ML-KEM key share over a kilobyte long).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileChoice {
    /// The offer's profile (`2025` for `2025-pq`).
    pub profile: Profile,
    /// Whether CloudFront's handshake uses the `-PQ` policies.
    pub post_quantum: bool,
}

impl ProfileChoice {
    /// The name `--cloudfront-profile` takes: `2025`, `2025-pq` or `legacy`.
    pub fn as_str(self) -> &'static str {
        if self.post_quantum {
            "2025-pq"
        } else {
            self.profile.as_str()
        }
    }
}

impl FromStr for ProfileChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<ProfileChoice, String> {
        if s.trim().eq_ignore_ascii_case("2025-pq") {
            return Ok(ProfileChoice {
                profile: Profile::Y2025,
                post_quantum: true,
            });
        }
        Ok(ProfileChoice {
            profile: s.parse()?,
            post_quantum: false,
        })
    }
}

impl TlsVersion {
    /// Every version, oldest first.
    pub const ALL: [TlsVersion; 5] = [
        TlsVersion::Ssl3,
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    /// The version's code on the wire (0x0300 to 0x0304).
    pub fn wire(self) -> u16 {
        match self {
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }

    /// The version with this wire code, if it is one of these five.
    pub fn from_wire(code: u16) -> Option<TlsVersion> {
        TlsVersion::ALL.into_iter().find(|v| v.wire() == code)
    }

    /// The name CloudFront's API uses (`SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`), and `TLSv1.3`.
    pub fn api_name(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for TlsVersion {
    type Err = String;

    /// Accepts the API names case-insensitively, and `TLSv1.0` for `TLSv1`.
    fn from_str(s: &str) -> Result<TlsVersion, String> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "sslv3" => Ok(TlsVersion::Ssl3),
            "tlsv1" | "tlsv1.0" => Ok(TlsVersion::Tls10),
            "tlsv1.1" => Ok(TlsVersion::Tls11),
            "tlsv1.2" => Ok(TlsVersion::Tls12),
            "tlsv1.3" => Ok(TlsVersion::Tls13),
            _ => Err(format!(
                "unknown protocol {:?} (expected SSLv3, TLSv1, TLSv1.1 or TLSv1.2)",
                s.trim()
            )),
        }
    }
}

/// Parses an `OriginSslProtocols` list such as `TLSv1,TLSv1.1,TLSv1.2`: comma-separated API
/// names (case-insensitive, blanks around names ignored), returned sorted and deduplicated.
/// `TLSv1.3` is refused: the API has no such value.
pub fn parse_ssl_protocols(text: &str) -> Result<Vec<TlsVersion>, String> {
    let mut versions = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let version: TlsVersion = item.parse()?;
        if version == TlsVersion::Tls13 {
            return Err(format!(
                "{item:?}: CloudFront's OriginSslProtocols has no TLSv1.3 \
                 (allowed: SSLv3, TLSv1, TLSv1.1, TLSv1.2)"
            ));
        }
        versions.push(version);
    }
    if versions.is_empty() {
        return Err("no protocol given (expected e.g. TLSv1,TLSv1.1,TLSv1.2)".to_string());
    }
    versions.sort();
    versions.dedup();
    Ok(versions)
}

/// The 16 suites the AWS ciphers page documents for CloudFront-to-origin connections. The
/// profiles also offer three static-RSA suites the page does not list (0x009D, 0x009C, 0x003C).
pub fn documented_suites() -> &'static [u16] {
    DOCUMENTED_SUITES
}

/// Whether the AWS ciphers page documents `suite`.
pub fn is_documented_suite(suite: u16) -> bool {
    DOCUMENTED_SUITES.contains(&suite)
}

/// The oldest version a suite can be used with (as s2n records it): TLS 1.3 for 0x13xx,
/// TLS 1.2 for the GCM and SHA-256/384 suites, TLS 1.0 for ECDHE with SHA-1, and SSLv3 for the
/// rest.
pub fn suite_min_version(suite: u16) -> TlsVersion {
    match suite {
        0x1301..=0x1305 => TlsVersion::Tls13,
        0xC023..=0xC032 | 0x009C..=0x00A7 | 0x003B..=0x003D | 0x0067..=0x006D | 0xCCA8..=0xCCAE => {
            TlsVersion::Tls12
        }
        0xC001..=0xC022 => TlsVersion::Tls10,
        _ => TlsVersion::Ssl3,
    }
}

/// The OpenSSL name of a cipher suite, e.g. 0xC02F `ECDHE-RSA-AES128-GCM-SHA256`, 0x1301
/// `TLS_AES_128_GCM_SHA256`; `unknown` for a code not listed here (every suite either profile
/// offers is listed, and a few common others).
pub fn suite_name(suite: u16) -> &'static str {
    match suite {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xC02B => "ECDHE-ECDSA-AES128-GCM-SHA256",
        0xC02C => "ECDHE-ECDSA-AES256-GCM-SHA384",
        0xC02F => "ECDHE-RSA-AES128-GCM-SHA256",
        0xC030 => "ECDHE-RSA-AES256-GCM-SHA384",
        0xC023 => "ECDHE-ECDSA-AES128-SHA256",
        0xC024 => "ECDHE-ECDSA-AES256-SHA384",
        0xC027 => "ECDHE-RSA-AES128-SHA256",
        0xC028 => "ECDHE-RSA-AES256-SHA384",
        0xC009 => "ECDHE-ECDSA-AES128-SHA",
        0xC00A => "ECDHE-ECDSA-AES256-SHA",
        0xC013 => "ECDHE-RSA-AES128-SHA",
        0xC014 => "ECDHE-RSA-AES256-SHA",
        0x009C => "AES128-GCM-SHA256",
        0x009D => "AES256-GCM-SHA384",
        0x003C => "AES128-SHA256",
        0x003D => "AES256-SHA256",
        0x002F => "AES128-SHA",
        0x0035 => "AES256-SHA",
        0x000A => "DES-CBC3-SHA",
        0x0004 => "RC4-MD5",
        0x0005 => "RC4-SHA",
        0x0033 => "DHE-RSA-AES128-SHA",
        0x0039 => "DHE-RSA-AES256-SHA",
        0x009E => "DHE-RSA-AES128-GCM-SHA256",
        0x009F => "DHE-RSA-AES256-GCM-SHA384",
        0xC010 => "ECDHE-RSA-NULL-SHA",
        0xC006 => "ECDHE-ECDSA-NULL-SHA",
        0x003B => "NULL-SHA256",
        0x0002 => "NULL-SHA",
        0x0001 => "NULL-MD5",
        0xCCA8 => "ECDHE-RSA-CHACHA20-POLY1305",
        0xCCA9 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        0xCCAA => "DHE-RSA-CHACHA20-POLY1305",
        _ => "unknown",
    }
}

/// 3DES and RC4 suites: offered by CloudFront, but TLS_LEGACY_ONLY when they are all an origin
/// accepts.
pub const WEAK_SUITES: &[u16] = &[0x000A, 0x0004];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_profile_2025_suites_match_cloudfront_md() {
        let all = Profile::Y2025.cipher_suites();
        assert_eq!(all.len(), 22);
        assert_eq!(&all[..3], &[0x1301, 0x1302, 0x1303]);
        assert_eq!(all[3], 0xC02B);
        assert_eq!(*all.last().unwrap(), 0x0004);
        let old = Profile::Y2025.tls12_and_older_suites();
        assert_eq!(old.len(), 19);
        assert_eq!(old.first(), Some(&0xC02B));
        assert_eq!(old.last(), Some(&0x0004));
        assert!(old.iter().all(|s| s >> 8 != 0x13));
        assert_eq!(Profile::Y2025.tls13_suites(), &[0x1301, 0x1302, 0x1303]);
        assert!(Profile::Y2025.offers_tls13());
    }

    #[test]
    fn tls_profile_legacy_suites_match_cloudfront_md() {
        let all = Profile::Legacy.cipher_suites();
        assert_eq!(all.len(), 19);
        assert_eq!(all.first(), Some(&0xC02C));
        assert_eq!(all[1], 0xC030);
        assert_eq!(all.last(), Some(&0x0004));
        assert_eq!(Profile::Legacy.tls12_and_older_suites(), all);
        assert!(Profile::Legacy.tls13_suites().is_empty());
        assert!(!Profile::Legacy.offers_tls13());
        assert_eq!(Profile::Legacy.max_version(), TlsVersion::Tls12);
    }

    #[test]
    fn tls_profile_both_offer_the_same_old_suites_in_different_orders() {
        let mut a = Profile::Y2025.tls12_and_older_suites().to_vec();
        let mut b = Profile::Legacy.tls12_and_older_suites().to_vec();
        assert_ne!(a, b);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }

    #[test]
    fn tls_profile_documented_suites_are_offered_and_three_are_not_documented() {
        let documented = documented_suites();
        assert_eq!(documented.len(), 16);
        assert_eq!(documented.first(), Some(&0xC02C));
        assert_eq!(documented.last(), Some(&0x0004));
        for profile in Profile::ALL {
            let extra: Vec<u16> = profile
                .tls12_and_older_suites()
                .iter()
                .copied()
                .filter(|s| !is_documented_suite(*s))
                .collect();
            let mut extra_sorted = extra.clone();
            extra_sorted.sort_unstable();
            assert_eq!(extra_sorted, vec![0x003C, 0x009C, 0x009D], "{profile}");
        }
    }

    #[test]
    fn tls_profile_every_offered_suite_has_a_name() {
        for profile in Profile::ALL {
            for &s in profile.cipher_suites() {
                assert_ne!(suite_name(s), "unknown", "{s:#06x}");
            }
        }
        assert_eq!(suite_name(0xC02F), "ECDHE-RSA-AES128-GCM-SHA256");
        assert_eq!(suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
        assert_eq!(suite_name(0x000A), "DES-CBC3-SHA");
        assert_eq!(suite_name(0xFFFF), "unknown");
    }

    #[test]
    fn tls_profile_curves_and_schemes() {
        for profile in Profile::ALL {
            assert_eq!(profile.curves(), &[0x0017, 0x001d, 0x0018]);
        }
        let s2025 = Profile::Y2025.signature_schemes();
        assert_eq!(s2025.len(), 16);
        assert_eq!(s2025.first(), Some(&0x0403));
        assert_eq!(&s2025[s2025.len() - 2..], &[0x0201, 0x0203]);
        for pss in [0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b] {
            assert!(s2025.contains(&pss));
        }
        let legacy = Profile::Legacy.signature_schemes();
        assert_eq!(legacy.len(), 10);
        assert!(
            legacy.iter().all(|s| s >> 8 != 0x08),
            "no RSA-PSS in legacy"
        );
        assert_eq!(&legacy[legacy.len() - 2..], &[0x0201, 0x0203]);
        // legacy is 2025 without PSS, as a set.
        let mut a: Vec<u16> = s2025.iter().copied().filter(|s| s >> 8 != 0x08).collect();
        let mut b = legacy.to_vec();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }

    #[test]
    fn tls_profile_suites_for_drops_suites_newer_than_the_version() {
        let p = Profile::Y2025;
        assert_eq!(p.suites_for(TlsVersion::Tls13), p.cipher_suites());
        assert_eq!(p.suites_for(TlsVersion::Tls12), p.tls12_and_older_suites());
        assert_eq!(
            p.suites_for(TlsVersion::Tls10),
            vec![0xC009, 0xC013, 0xC00A, 0xC014, 0x002F, 0x0035, 0x000A, 0x0004]
        );
        assert_eq!(
            p.suites_for(TlsVersion::Tls11),
            p.suites_for(TlsVersion::Tls10)
        );
        assert_eq!(
            p.suites_for(TlsVersion::Ssl3),
            vec![0x002F, 0x0035, 0x000A, 0x0004]
        );
        assert_eq!(
            Profile::Legacy.suites_for(TlsVersion::Tls13),
            Profile::Legacy.tls12_and_older_suites()
        );
    }

    #[test]
    fn tls_profile_versions() {
        assert!(TlsVersion::Ssl3 < TlsVersion::Tls10);
        assert!(TlsVersion::Tls12 < TlsVersion::Tls13);
        for v in TlsVersion::ALL {
            assert_eq!(TlsVersion::from_wire(v.wire()), Some(v));
            assert_eq!(v.api_name().parse::<TlsVersion>(), Ok(v));
        }
        assert_eq!(TlsVersion::Ssl3.wire(), 0x0300);
        assert_eq!(TlsVersion::Tls13.wire(), 0x0304);
        assert_eq!(TlsVersion::from_wire(0x0305), None);
        assert_eq!("tlsv1.0".parse::<TlsVersion>(), Ok(TlsVersion::Tls10));
        assert_eq!("TLSV1.2".parse::<TlsVersion>(), Ok(TlsVersion::Tls12));
        assert!("TLS1.2".parse::<TlsVersion>().is_err());
    }

    #[test]
    fn tls_profile_parse_ssl_protocols_accepts_api_lists() {
        assert_eq!(
            parse_ssl_protocols("TLSv1,TLSv1.1,TLSv1.2"),
            Ok(DEFAULT_ALLOWED.to_vec())
        );
        assert_eq!(
            parse_ssl_protocols(" TLSv1.2 , sslv3,TLSv1.2,"),
            Ok(vec![TlsVersion::Ssl3, TlsVersion::Tls12])
        );
        assert_eq!(parse_ssl_protocols("TLSv1.0"), Ok(vec![TlsVersion::Tls10]));
    }

    #[test]
    fn tls_profile_parse_ssl_protocols_rejects() {
        let err = parse_ssl_protocols("TLSv1.2,TLSv1.3").unwrap_err();
        assert!(err.contains("OriginSslProtocols has no TLSv1.3"), "{err}");
        assert!(parse_ssl_protocols("").is_err());
        assert!(parse_ssl_protocols(" , ").is_err());
        assert!(parse_ssl_protocols("TLSv1.2;TLSv1.1").is_err());
        assert!(parse_ssl_protocols("TLSv2").is_err());
    }

    #[test]
    fn tls_profile_names() {
        assert_eq!(Profile::default(), Profile::Y2025);
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
        }
        assert_eq!("LEGACY".parse::<Profile>(), Ok(Profile::Legacy));
        assert!("2024".parse::<Profile>().is_err());
    }
}
