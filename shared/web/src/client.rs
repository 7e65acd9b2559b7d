//! The client's own address. Behind a gateway or load balancer every request arrives from the
//! proxy's address; only a proxy named in `server.trusted_proxies` is believed about who it
//! forwards for (`Forwarded`, RFC 7239, else `X-Forwarded-For`). The address is worked out
//! once per request, by the request-context middleware, and every throttle, limit and audit
//! row takes it from there.

use actix_web::http::header::HeaderMap;
use actix_web::{HttpMessage, HttpRequest};
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// The client's address of a request, as the middleware worked it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The key throttles and limits count under: the address, but for IPv6 its /64, since
    /// one subscriber usually holds a whole /64 and could step through it.
    pub fn throttle_key(self) -> String {
        throttle_key(self.0)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// See `ClientAddr::throttle_key`.
pub fn throttle_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// One hop of `Forwarded: for=…` or `X-Forwarded-For`, if it names an address (not
/// `unknown` or an obfuscated `_name`).
fn hop_address(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_matches('"');
    if let Some(rest) = t.strip_prefix('[') {
        // "[2001:db8::1]:4711"
        return rest.split(']').next()?.parse().ok();
    }
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(ip);
    }
    // "192.0.2.60:4711"
    let (host, port) = t.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The hops a request was forwarded through, nearest the client first: `Forwarded`'s `for`
/// parameters when the header is there, else `X-Forwarded-For`. `None` for a hop that names
/// no address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| hop_address(v))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .flat_map(|v| v.split(','))
        .map(hop_address)
        .collect()
}

/// The client's address: the peer, unless the peer is a trusted proxy; then, walking the
/// forwarding chain back from the nearest hop, the first address that is not a trusted proxy
/// (a hop that names no address ends the walk at the proxy that wrote it).
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.trusts(client) {
        return client;
    }
    for hop in forwarded_chain(headers).into_iter().rev() {
        match hop {
            Some(ip) => {
                client = canonical(ip);
                if !trusted.trusts(client) {
                    return client;
                }
            }
            None => return client,
        }
    }
    client
}

/// The client's address of a request (after trusted proxies), as text.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    client_addr(req).map(|c| c.0.to_string())
}

/// The client's address of a request (after trusted proxies).
pub fn client_addr(req: &HttpRequest) -> Option<ClientAddr> {
    req.extensions()
        .get::<ClientAddr>()
        .copied()
        .or_else(|| req.peer_addr().map(|a| ClientAddr(canonical(a.ip()))))
}

/// The key throttles and limits count a request under (`ClientAddr::throttle_key`).
pub fn throttle_source(req: &HttpRequest) -> String {
    client_addr(req).map_or_else(|| "unknown".to_owned(), ClientAddr::throttle_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    fn trusted(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| n.parse().expect("net")).collect())
    }

    fn ip(t: &str) -> IpAddr {
        t.parse().expect("ip")
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[("x-forwarded-for", "198.51.100.9")]);
        assert_eq!(
            resolve(ip("203.0.113.5"), &h, &trusted(&[])),
            ip("203.0.113.5")
        );
        assert_eq!(
            resolve(ip("203.0.113.5"), &h, &trusted(&["10.0.0.0/8"])),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_trusted_proxy_is_believed_and_a_forged_first_hop_is_not() {
        let t = trusted(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9, 10.1.1.1")]);
        // The client put 1.2.3.4 in itself; the proxy nearest it saw 198.51.100.9.
        assert_eq!(resolve(ip("10.0.0.2"), &h, &t), ip("198.51.100.9"));
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=https, for=\"[2001:db8::7]:4711\"",
        )]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &t), ip("2001:db8::7"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &t), ip("10.0.0.2"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &HeaderMap::new(), &t),
            ip("10.0.0.2")
        );
        let h = headers(&[("x-forwarded-for", "192.0.2.1:5000")]);
        assert_eq!(resolve(ip("::ffff:10.0.0.2"), &h, &t), ip("192.0.2.1"));
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:aaaa::1")),
            throttle_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            throttle_key(ip("2001:db8:1:2::1")),
            throttle_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(throttle_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(throttle_key(ip("192.0.2.1")), "192.0.2.1");
    }
}
