//! Which addresses originscan may connect to.
//!
//! CloudFront cannot reach private, loopback, link-local or otherwise special addresses, so an
//! origin resolving to one is reported (DNS_PRIVATE_ADDRESS) and never connected to, unless
//! `--allow-private` names a range that contains it. This keeps a scan from touching internal
//! networks it was not explicitly pointed at.

use std::net::IpAddr;

use ipnet::IpNet;

/// The ranges `--allow-private` opened, if any.
#[derive(Debug, Clone, Default)]
pub struct AddressScope {
    allowed: Vec<IpNet>,
}

impl AddressScope {
    /// A scope allowing only public addresses.
    pub fn public_only() -> AddressScope {
        AddressScope::default()
    }

    /// A scope that also allows the given private ranges.
    pub fn allowing(ranges: Vec<IpNet>) -> AddressScope {
        AddressScope { allowed: ranges }
    }

    /// A scope allowing every private range (`--allow-private` with no list).
    pub fn allowing_all_private() -> AddressScope {
        let all = [
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
        AddressScope {
            allowed: all.iter().filter_map(|r| r.parse().ok()).collect(),
        }
    }

    /// Whether originscan may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_non_public(ip) || self.allowed.iter().any(|net| net.contains(&ip))
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
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
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
}
