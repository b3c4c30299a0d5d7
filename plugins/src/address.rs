//! Which IP addresses a plugin may reach without an explicit allowance: one
//! classifier, table-driven from the IANA special-purpose address registries
//! (IPv4 and IPv6). Forms that carry an IPv4 address inside an IPv6 one
//! (mapped, NAT64, 6to4) are unwrapped and the IPv4 address is classified.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not on the public internet, or `Public`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// Special-purpose: the registry's name for the range it falls in.
    Special(&'static str),
}

impl AddressClass {
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }
}

/// IPv4 ranges that are not globally reachable (IANA IPv4 Special-Purpose
/// Address Registry, plus multicast and the reserved class E). Ranges the
/// registry marks globally reachable (AS112, AMT, 192.0.0.9/10) are left out
/// of the table except where a wider non-global block covers them.
const V4_SPECIAL: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" 0.0.0.0/8"),
    ([10, 0, 0, 0], 8, "private 10.0.0.0/8"),
    ([100, 64, 0, 0], 10, "shared address space (CGNAT) 100.64.0.0/10"),
    ([127, 0, 0, 0], 8, "loopback 127.0.0.0/8"),
    ([169, 254, 0, 0], 16, "link-local 169.254.0.0/16 (cloud metadata)"),
    ([172, 16, 0, 0], 12, "private 172.16.0.0/12"),
    ([192, 0, 0, 0], 24, "IETF protocol assignments 192.0.0.0/24"),
    ([192, 0, 2, 0], 24, "documentation 192.0.2.0/24"),
    ([192, 88, 99, 0], 24, "deprecated 6to4 relay anycast 192.88.99.0/24"),
    ([192, 168, 0, 0], 16, "private 192.168.0.0/16"),
    ([198, 18, 0, 0], 15, "benchmarking 198.18.0.0/15"),
    ([198, 51, 100, 0], 24, "documentation 198.51.100.0/24"),
    ([203, 0, 113, 0], 24, "documentation 203.0.113.0/24"),
    ([224, 0, 0, 0], 4, "multicast 224.0.0.0/4"),
    ([240, 0, 0, 0], 4, "reserved 240.0.0.0/4 (and broadcast)"),
];

/// How an IPv6 range is treated.
#[derive(Clone, Copy)]
enum V6Rule {
    Special(&'static str),
    /// The last 32 bits are an IPv4 address: classify that.
    EmbedsV4Low,
    /// Bits 16..48 are an IPv4 address (6to4): classify that.
    EmbedsV4At16,
}

/// IPv6 ranges, most specific first. Everything outside 2000::/3 (global
/// unicast) that is not listed is not public either: see [`classify_v6`].
const V6_RULES: &[([u16; 8], u8, V6Rule)] = &[
    ([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, V6Rule::EmbedsV4Low),
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, V6Rule::Special("unspecified ::")),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, V6Rule::Special("loopback ::1")),
    ([0, 0, 0, 0, 0, 0, 0, 0], 96, V6Rule::Special("IPv4-compatible ::/96 (deprecated)")),
    ([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, V6Rule::EmbedsV4Low),
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, V6Rule::Special("local-use NAT64 64:ff9b:1::/48")),
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, V6Rule::Special("discard-only 100::/64")),
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, V6Rule::Special("Teredo 2001::/32")),
    // The rest of the IETF protocol assignments block: benchmarking,
    // ORCHID 2001:10::/28 and 2001:20::/28, and what gets assigned next.
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, V6Rule::Special("IETF protocol assignments 2001::/23")),
    ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, V6Rule::Special("documentation 2001:db8::/32")),
    ([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, V6Rule::EmbedsV4At16),
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, V6Rule::Special("documentation 3fff::/20")),
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, V6Rule::Special("segment routing 5f00::/16")),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, V6Rule::Special("unique local fc00::/7")),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, V6Rule::Special("link-local fe80::/10")),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, V6Rule::Special("site-local fec0::/10 (deprecated)")),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, V6Rule::Special("multicast ff00::/8")),
];

/// Classifies an address against the special-purpose registries.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    classify(ip).is_public()
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let bits = u32::from(ip);
    V4_SPECIAL
        .iter()
        .find(|(net, len, _)| prefix_matches_u128(u128::from(bits), u128::from(u32::from_be_bytes(*net)), 32, *len))
        .map_or(AddressClass::Public, |(_, _, name)| AddressClass::Special(name))
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let bits = u128::from(ip);
    let rule = V6_RULES.iter().find(|(net, len, _)| prefix_matches_u128(bits, u128::from(Ipv6Addr::from(*net)), 128, *len));
    match rule {
        Some((_, _, V6Rule::Special(name))) => AddressClass::Special(name),
        Some((_, _, V6Rule::EmbedsV4Low)) => classify_v4(Ipv4Addr::from(bits as u32)),
        Some((_, _, V6Rule::EmbedsV4At16)) => classify_v4(Ipv4Addr::from((bits >> 80) as u32)),
        // Only 2000::/3 is allocated for global unicast; anything else is
        // reserved today and refused until the registry says otherwise.
        None if bits >> 125 == 0b001 => AddressClass::Public,
        None => AddressClass::Special("reserved IPv6 space outside 2000::/3"),
    }
}

/// Whether the first `len` of `width` bits of `addr` and `net` agree.
fn prefix_matches_u128(addr: u128, net: u128, width: u32, len: u8) -> bool {
    let len = u32::from(len);
    if len == 0 {
        return true;
    }
    let shift = width - len;
    (addr >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_purpose_form_is_refused_and_public_addresses_pass() {
        let special = [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::8.8.8.8",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::8.8.8.8",
            "100::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:10::1",
            "2001:20::1",
            "2001:db8::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2002:c0a8:101::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "feff::1",
            "ff02::1",
            "4000::1",
            "8000::1",
        ];
        for ip in special {
            let class = classify(ip.parse().unwrap());
            assert!(!class.is_public(), "{ip} must not be public");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "198.20.0.1",
            "223.255.255.255",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "2001:4860:4860::8888",
        ];
        for ip in public {
            assert_eq!(classify(ip.parse().unwrap()), AddressClass::Public, "{ip} is public");
        }
    }

    #[test]
    fn the_refusal_names_the_range() {
        assert_eq!(classify("64:ff9b::127.0.0.1".parse().unwrap()), AddressClass::Special("loopback 127.0.0.0/8"));
        assert_eq!(classify("fec0::1".parse().unwrap()), AddressClass::Special("site-local fec0::/10 (deprecated)"));
        assert_eq!(classify("2001::5".parse().unwrap()), AddressClass::Special("Teredo 2001::/32"));
    }
}
