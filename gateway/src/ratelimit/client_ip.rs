//! Who a request is from, for per-address limits. The socket's peer by
//! default; `X-Forwarded-For` / `Forwarded` only when the peer is a proxy
//! the operator trusts (`server.trusted_proxies`), and then the right-most
//! address no trusted proxy wrote: anything to its left the client could
//! have typed itself. IPv6 clients are bucketed by /64, the block one
//! subscriber usually gets.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// A network in CIDR form (`10.0.0.0/8`, `2001:db8::/32`) or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| format!("`{text}` is not an IP address or CIDR like 10.0.0.0/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("`{text}`: the prefix length must be 0-{max}"))?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<Cidr>,
}

impl TrustedProxies {
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        Ok(TrustedProxies { networks: entries.iter().map(|e| Cidr::parse(e)).collect::<Result<_, _>>()? })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// The client's address; `None` when the peer is unknown (a request
    /// handed to the router without a socket, as in tests).
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.trusts(peer) {
            return Some(peer);
        }
        // Hops, nearest last. An unreadable hop ends the walk at the last
        // proxy we trust: what lies beyond it cannot be believed.
        let mut client = peer;
        for hop in forwarded_hops(headers).iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(*ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                None => break,
            }
        }
        Some(client)
    }
}

/// The `for=` addresses of `Forwarded` when present, else the addresses of
/// `X-Forwarded-For`, in order (all header lines joined). `None` marks a
/// hop that is not an address (`unknown`, an obfuscated name, garbage).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()).collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (name, value) = pair.split_once('=')?;
                        name.trim().eq_ignore_ascii_case("for").then(|| parse_node(value.trim().trim_matches('"')))
                    })
                    .flatten()
            })
            .collect();
    }
    headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|line| line.split(',')).map(|h| parse_node(h.trim())).collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.rsplit_once(':').and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse::<std::net::Ipv4Addr>().ok()).map(IpAddr::V4))
}

/// IPv4-mapped IPv6 (`::ffff:192.0.2.1`, from dual-stack sockets) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The bucket name of an address: IPv4 as is, IPv6 by its /64.
pub fn ip_bucket(ip: Option<IpAddr>) -> String {
    match ip.map(canonical) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"), value.parse().expect("value"));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarding_headers_are_ignored_without_trusted_proxies() {
        let proxies = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=198.51.100.1")]);
        assert_eq!(proxies.client_ip(Some(ip("192.0.2.7")), &h), Some(ip("192.0.2.7")));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "192.0.2.1".into()]).expect("parse");
        // The client typed 1.1.1.1 itself; 203.0.113.9 is what our proxy saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9"), ("x-forwarded-for", "10.1.2.3")]);
        assert_eq!(proxies.client_ip(Some(ip("192.0.2.1")), &h), Some(ip("203.0.113.9")));
        // From an untrusted peer the header means nothing.
        assert_eq!(proxies.client_ip(Some(ip("198.51.100.5")), &h), Some(ip("198.51.100.5")));
        let h = headers(&[("forwarded", r#"for=1.1.1.1, for="[2001:db8::7]:4711";proto=https"#)]);
        assert_eq!(proxies.client_ip(Some(ip("10.9.9.9")), &h), Some(ip("2001:db8::7")));
        // Garbage next to us: the proxy that wrote it is the best we know.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, nonsense")]);
        assert_eq!(proxies.client_ip(Some(ip("10.9.9.9")), &h), Some(ip("10.9.9.9")));
    }

    #[test]
    fn ipv6_is_bucketed_by_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(ip_bucket(Some(ip("2001:db8:1:2:aaaa::1"))), ip_bucket(Some(ip("2001:db8:1:2:ffff::9"))));
        assert_ne!(ip_bucket(Some(ip("2001:db8:1:2::1"))), ip_bucket(Some(ip("2001:db8:1:3::1"))));
        assert_eq!(ip_bucket(Some(ip("::ffff:192.0.2.1"))), "192.0.2.1");
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("0.0.0.0/0").expect("all").contains(ip("8.8.8.8")));
        assert!(Cidr::parse("::/0").expect("all v6").contains(ip("2001:db8::1")));
    }
}
