//! Which addresses originscan may connect to: the one decision for every connection and every
//! DNS server asked.
//!
//! CloudFront cannot reach private, loopback, link-local or otherwise special addresses, so an
//! origin resolving to one is reported (DNS_PRIVATE_ADDRESS) and never connected to, unless
//! `--allow-private` names a range that contains it. This keeps a scan from touching internal
//! networks it was not explicitly pointed at.
//!
//! IPv6 forms that carry an IPv4 address are judged by that address, since a translator on the
//! path delivers them there: IPv4-mapped (`::ffff:0:0/96`), IPv4-translated (SIIT,
//! `::ffff:0:0:0/96`), IPv4-compatible (`::/96`) and NAT64's well-known prefix (`64:ff9b::/96`,
//! RFC 6052). Prefixes whose embedding cannot be read from the address alone are refused whole:
//! NAT64 local use (`64:ff9b:1::/48`, RFC 8215), 6to4 (`2002::/16`) and Teredo (`2001::/32`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// The ranges `--allow-private` opened, if any.
#[derive(Debug, Clone, Default)]
pub struct AddressScope {
    allowed: Vec<IpNet>,
}

/// Every range a bare `--allow-private` opens.
const ALL_PRIVATE: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

impl AddressScope {
    /// A scope allowing only public addresses.
    pub fn public_only() -> AddressScope {
        AddressScope::default()
    }

    /// A scope that also allows the given private ranges.
    pub fn allowing(ranges: Vec<IpNet>) -> AddressScope {
        AddressScope { allowed: ranges }
    }

    /// A scope allowing every private range (a bare `--allow-private`).
    pub fn allowing_all_private() -> AddressScope {
        AddressScope {
            allowed: ALL_PRIVATE.iter().filter_map(|r| r.parse().ok()).collect(),
        }
    }

    /// Whether originscan may connect to `ip`: a public address, or one in an allowed range.
    /// An address that embeds IPv4 is judged by the IPv4 address it reaches.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let allowed = |ip: &IpAddr| self.allowed.iter().any(|net| net.contains(ip));
        match embedded(ip) {
            Embedded::Plain => !is_non_public(ip) || allowed(&ip),
            Embedded::V4(v4) => {
                let v4 = IpAddr::V4(v4);
                !is_non_public(v4) || allowed(&v4) || allowed(&ip)
            }
            Embedded::Opaque => allowed(&ip),
        }
    }
}

/// What an address carries.
enum Embedded {
    /// Nothing: it is judged as itself.
    Plain,
    /// An IPv4 address a translator delivers to.
    V4(Ipv4Addr),
    /// An IPv4 address that cannot be read from the address alone.
    Opaque,
}

fn embedded(ip: IpAddr) -> Embedded {
    let IpAddr::V6(v6) = ip else {
        return Embedded::Plain;
    };
    let s = v6.segments();
    let last32 = || Ipv4Addr::from(((u32::from(s[6])) << 16) | u32::from(s[7]));
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Embedded::V4(v4);
    }
    match s {
        // SIIT IPv4-translated ::ffff:0:a.b.c.d
        [0, 0, 0, 0, 0xffff, 0, _, _] => Embedded::V4(last32()),
        // IPv4-compatible ::a.b.c.d (deprecated), but not :: or ::1
        [0, 0, 0, 0, 0, 0, _, _] if v6 != Ipv6Addr::UNSPECIFIED && v6 != Ipv6Addr::LOCALHOST => {
            Embedded::V4(last32())
        }
        // NAT64 well-known prefix 64:ff9b::/96
        [0x0064, 0xff9b, 0, 0, 0, 0, _, _] => Embedded::V4(last32()),
        // NAT64 local use 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001:0::/32
        [0x0064, 0xff9b, 0x0001, ..] | [0x2002, ..] | [0x2001, 0x0000, ..] => Embedded::Opaque,
        _ => Embedded::Plain,
    }
}

/// Whether CloudFront could not reach `ip` from the internet.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared address space
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 IETF protocol assignments
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                || o[0] >= 240
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || s[0] == 0x0100 && s[1..4] == [0, 0, 0] // 100::/64 discard-only
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_ranges_are_blocked_unless_named() {
        let public = AddressScope::public_only();
        for blocked in [
            "10.0.0.1",
            "127.0.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "100.64.0.1",
        ] {
            assert!(!public.permits(ip(blocked)), "{blocked}");
        }
        assert!(public.permits(ip("93.184.216.34")));
        assert!(public.permits(ip("2606:4700::1")));

        let lab = AddressScope::allowing(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(lab.permits(ip("127.1.0.5")));
        assert!(!lab.permits(ip("10.0.0.1")));
        assert!(AddressScope::allowing_all_private().permits(ip("10.0.0.1")));
    }

    #[test]
    fn ipv4_embedded_in_ipv6_is_judged_by_its_ipv4() {
        let public = AddressScope::public_only();
        for blocked in [
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:0:10.0.0.1",
            "::127.0.0.1",
            "::10.1.2.3",
            "64:ff9b::a9fe:a9fe", // 169.254.169.254, the metadata service
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::1",
            "2002:0a00:0001::1",                    // 6to4 of 10.0.0.1
            "2002:5db8:d822::1", // 6to4 of a public address: refused by prefix too
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
        ] {
            assert!(!public.permits(ip(blocked)), "{blocked}");
        }
        assert!(
            public.permits(ip("64:ff9b::5db8:d822")),
            "NAT64 of a public address"
        );
        let lab = AddressScope::allowing(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(lab.permits(ip("::ffff:127.0.0.1")));
        assert!(lab.permits(ip("64:ff9b::127.0.0.1")));
        assert!(!lab.permits(ip("64:ff9b::10.0.0.1")));
        assert!(!lab.permits(ip("2002:7f00:0001::1")));
    }
}

#[cfg(test)]
mod properties {
    //! Generated addresses in every non-public range, bare and in every IPv6 embedding: none is
    //! permitted unless a range that contains it (or the IPv4 it embeds) is allowed.

    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;

    use super::*;

    /// (network, prefix length) of IPv4 ranges CloudFront cannot reach.
    const V4_RANGES: &[([u8; 4], u32)] = &[
        ([10, 0, 0, 0], 8),
        ([172, 16, 0, 0], 12),
        ([192, 168, 0, 0], 16),
        ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16),
        ([100, 64, 0, 0], 10),
        ([0, 0, 0, 0], 8),
        ([192, 0, 0, 0], 24),
        ([192, 0, 2, 0], 24),
        ([198, 18, 0, 0], 15),
        ([198, 51, 100, 0], 24),
        ([203, 0, 113, 0], 24),
        ([224, 0, 0, 0], 4),
        ([240, 0, 0, 0], 4),
    ];

    fn in_range(range: usize, bits: u32) -> Ipv4Addr {
        let (net, len) = V4_RANGES[range % V4_RANGES.len()];
        let host_mask = if len == 0 { u32::MAX } else { u32::MAX >> len };
        Ipv4Addr::from((u32::from(Ipv4Addr::from(net)) & !host_mask) | (bits & host_mask))
    }

    /// Every IPv6 spelling of `v4` that a translator delivers to it.
    fn embeddings(v4: Ipv4Addr) -> Vec<Ipv6Addr> {
        let [a, b, c, d] = v4.octets();
        let hi = u16::from_be_bytes([a, b]);
        let lo = u16::from_be_bytes([c, d]);
        vec![
            v4.to_ipv6_mapped(),
            Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, hi, lo),
            Ipv6Addr::new(0, 0, 0, 0, 0, 0, hi, lo),
            Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo),
            Ipv6Addr::new(0x64, 0xff9b, 1, hi, lo, 0, 0, 1),
            Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1),
            Ipv6Addr::new(0x2001, 0, 0x4136, 0xe378, 0x8000, 0x63bf, !hi, !lo),
        ]
    }

    proptest! {
        #[test]
        fn no_non_public_address_is_permitted_without_its_range(range in 0usize..64, bits in any::<u32>()) {
            let v4 = in_range(range, bits);
            prop_assume!(v4 != Ipv4Addr::UNSPECIFIED);
            let public = AddressScope::public_only();
            prop_assert!(!public.permits(IpAddr::V4(v4)), "{v4}");
            for v6 in embeddings(v4) {
                prop_assert!(!public.permits(IpAddr::V6(v6)), "{v6} embeds {v4}");
            }
            // Another private range allowed does not open this one.
            let other = if v4.octets()[0] == 10 { "192.168.0.0/16" } else { "10.0.0.0/8" };
            let scope = AddressScope::allowing(vec![other.parse().unwrap()]);
            prop_assert!(!scope.permits(IpAddr::V4(v4)), "{v4} with {other}");
            for v6 in embeddings(v4) {
                prop_assert!(!scope.permits(IpAddr::V6(v6)), "{v6} with {other}");
            }
        }

        #[test]
        fn an_allowed_range_opens_its_ipv4_and_its_translations(bits in any::<u32>()) {
            let v4 = in_range(3, bits); // 127.0.0.0/8
            let lab = AddressScope::allowing(vec!["127.0.0.0/8".parse().unwrap()]);
            prop_assert!(lab.permits(IpAddr::V4(v4)));
            for v6 in embeddings(v4).into_iter().take(4) {
                prop_assert!(lab.permits(IpAddr::V6(v6)), "{v6}");
            }
        }

        #[test]
        fn non_public_ipv6_ranges_stay_closed(bits in any::<u128>()) {
            let public = AddressScope::public_only();
            for (net, len) in [(0xfc00u128 << 112, 7u32), (0xfe80u128 << 112, 10), (1u128, 128)] {
                let mask = if len == 128 { 0 } else { u128::MAX >> len };
                let v6 = Ipv6Addr::from((net & !mask) | (bits & mask));
                prop_assert!(!public.permits(IpAddr::V6(v6)), "{v6}");
            }
        }
    }
}
