//! Rewriting a description so the far side sends its media to us: what a
//! B2BUA that anchors media does to every offer and answer it passes on.

use std::net::IpAddr;

use super::{Address, Family, Session};

/// The ICE attributes of the original sender: its candidates and
/// credentials would send the other side's checks past the anchor.
const ICE: [&str; 7] = [
    "candidate",
    "ice-ufrag",
    "ice-pwd",
    "ice-options",
    "ice-lite",
    "end-of-candidates",
    "remote-candidates",
];

/// Where the server receives the streams it anchors: one address, one
/// port per stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub address: IpAddr,
    /// The port for each `m=` section in order; a section without one is
    /// refused (port 0).
    pub ports: Vec<u16>,
}

impl Session {
    /// Points every stream at `anchor`:
    /// - the session's `c=` and the `o=` address become the anchor's
    ///   address, and media-level `c=` lines go;
    /// - each stream's port becomes its anchor port; a stream the sender
    ///   refused (port 0), or one without an anchor port, is refused;
    /// - `a=rtcp` goes, so RTCP is expected on the port above (RFC 3605),
    ///   or on the same port where `a=rtcp-mux` stays;
    /// - the sender's ICE attributes go.
    ///
    /// The session id and version stay, so re-offers passed through keep
    /// the version order the sender gave them.
    pub fn anchor(&mut self, anchor: &Anchor) {
        let address = Address {
            family: match anchor.address {
                IpAddr::V4(_) => Family::Ip4,
                IpAddr::V6(_) => Family::Ip6,
            },
            host: anchor.address.to_string(),
        };
        self.origin.address = address.clone();
        self.connection = Some(address);
        self.lines.retain(|line| {
            !line
                .attribute()
                .is_some_and(|(name, _)| ICE.contains(&name))
        });
        for (i, media) in self.media.iter_mut().enumerate() {
            media.connection = None;
            media.port = match anchor.ports.get(i) {
                Some(&port) if media.port != 0 => port,
                _ => 0,
            };
            media.port_count = None;
            media.lines.retain(|line| {
                !line
                    .attribute()
                    .is_some_and(|(name, _)| name == "rtcp" || ICE.contains(&name))
            });
        }
    }
}
