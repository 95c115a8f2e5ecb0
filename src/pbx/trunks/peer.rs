//! A trunk peer's address as configured: `host[:port]` with the host an IP
//! address or a DNS name. Nothing is resolved here; the driver resolves
//! names (RFC 3263) when it sends.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use rsipstack::sip::HostWithPort;
use rsipstack::sip::uri::{Domain, Host, Port};

/// DNS limits (RFC 1035 §2.3.4).
const MAX_NAME_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// Where a trunk's peer (a PBX, an SBC, a carrier's proxy or registrar)
/// listens. Without a port the driver uses the transport's default, or
/// SRV records for a DNS name (RFC 3263 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeerAddr {
    pub host: PeerHost,
    pub port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeerHost {
    Ip(IpAddr),
    /// A DNS name, lower-cased.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerAddrError {
    #[error("{0:?} is not host[:port] (write the address without sip:)")]
    Scheme(String),
    #[error("{0:?} has no port after the colon, or not one from 1 to 65535")]
    Port(String),
    #[error("{0:?} is neither an IP address nor a host name")]
    Host(String),
}

impl PeerAddr {
    /// The address when the host is an IP literal; names need the driver.
    pub fn ip(&self) -> Option<IpAddr> {
        match self.host {
            PeerHost::Ip(ip) => Some(ip),
            PeerHost::Name(_) => None,
        }
    }

    /// The host and port as a SIP URI or Via writes them.
    pub fn host_with_port(&self) -> HostWithPort {
        HostWithPort {
            host: match &self.host {
                PeerHost::Ip(ip) => Host::IpAddr(*ip),
                PeerHost::Name(name) => Host::Domain(Domain(name.clone())),
            },
            port: self.port.map(Port),
        }
    }
}

impl FromStr for PeerAddr {
    type Err = PeerAddrError;

    fn from_str(text: &str) -> Result<Self, PeerAddrError> {
        let text = text.trim();
        // `sip:pbx` would read as host "sip" with port "pbx"; say what is
        // wrong instead. `sip:5060` stays a host named sip with a port.
        if let Some((scheme, rest)) = text.split_once(':')
            && (scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips"))
            && !rest.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PeerAddrError::Scheme(text.to_owned()));
        }
        // A bare IPv6 address has colons but no port.
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(PeerAddr {
                host: PeerHost::Ip(ip),
                port: None,
            });
        }
        let (host, port) = split_port(text)?;
        let host = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let ip: std::net::Ipv6Addr = v6
                .parse()
                .map_err(|_| PeerAddrError::Host(text.to_owned()))?;
            PeerHost::Ip(IpAddr::V6(ip))
        } else if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
            PeerHost::Ip(IpAddr::V4(ip))
        } else if is_host_name(host) {
            PeerHost::Name(host.to_ascii_lowercase())
        } else {
            return Err(PeerAddrError::Host(text.to_owned()));
        };
        Ok(PeerAddr { host, port })
    }
}

/// Splits `host:port`, `[v6]:port` or a host alone.
fn split_port(text: &str) -> Result<(&str, Option<u16>), PeerAddrError> {
    let bracket_end = text.rfind(']').map_or(0, |i| i + 1);
    match text[bracket_end..].rfind(':') {
        None => Ok((text, None)),
        Some(at) => {
            let at = bracket_end + at;
            let port = text[at + 1..]
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or_else(|| PeerAddrError::Port(text.to_owned()))?;
            Ok((&text[..at], Some(port)))
        }
    }
}

/// RFC 1123 §2.1 host names: dot-separated labels of letters, digits and
/// inner hyphens. A last label of digits only is refused, since
/// `10.0.0.256` is a mistyped address, not a name (RFC 3696 §2).
fn is_host_name(host: &str) -> bool {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    !host.is_empty()
        && host.len() <= MAX_NAME_LEN
        && host.split('.').all(label_ok)
        && !host
            .rsplit('.')
            .next()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            PeerHost::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]")?,
            PeerHost::Ip(ip) => write!(f, "{ip}")?,
            PeerHost::Name(name) => f.write_str(name)?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(text: &str) -> PeerAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn addresses_and_names_with_or_without_ports_are_peers() {
        for (text, ip, port, shown) in [
            ("10.0.0.5", Some("10.0.0.5"), None, "10.0.0.5"),
            (
                "10.0.0.5:5080",
                Some("10.0.0.5"),
                Some(5080),
                "10.0.0.5:5080",
            ),
            ("2001:db8::1", Some("2001:db8::1"), None, "[2001:db8::1]"),
            (
                "[2001:db8::1]:5061",
                Some("2001:db8::1"),
                Some(5061),
                "[2001:db8::1]:5061",
            ),
            ("SM1.Example.COM", None, None, "sm1.example.com"),
            (
                "cube-1.example.com:5062",
                None,
                Some(5062),
                "cube-1.example.com:5062",
            ),
            ("pbx", None, None, "pbx"),
        ] {
            let p = peer(text);
            assert_eq!(p.ip(), ip.map(|ip| ip.parse().unwrap()), "{text}");
            assert_eq!(p.port, port, "{text}");
            assert_eq!(p.to_string(), shown, "{text}");
            assert_eq!(p.host_with_port().to_string(), shown, "{text}");
        }
    }

    #[test]
    fn mistyped_peers_are_refused_with_the_reason() {
        for (text, reason) in [
            ("sip:pbx.example.com", "without sip:"),
            ("sips:10.0.0.1:5061", "without sip:"),
            ("10.0.0.5:", "port"),
            ("10.0.0.5:0", "port"),
            ("10.0.0.5:70000", "port"),
            ("10.0.0.5:sip", "port"),
            ("10.0.0.256", "neither"),
            ("", "neither"),
            ("pbx..example.com", "neither"),
            ("-pbx.example.com", "neither"),
            ("pbx_1.example.com", "neither"),
            ("[2001:db8::zz]:5060", "neither"),
            ("[10.0.0.1]:5060", "neither"),
            ("pbx example", "neither"),
        ] {
            let error = text.parse::<PeerAddr>().unwrap_err().to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
