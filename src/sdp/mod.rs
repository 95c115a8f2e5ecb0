//! SDP (RFC 8866): parsing what a PBX, a desk phone or a browser offers,
//! printing it back, and the rewrites a media anchor needs. Pure.
//!
//! The model keeps every line it does not interpret, in order, so a
//! description passes through the B2BUA with only what we change changed:
//! vendors put meaning in attributes we have no reason to understand.
//! Printing always ends lines with CRLF, as RFC 8866 §5 asks; parsing also
//! takes bare LF, which some phones send.

mod anchor;
mod parse;
#[cfg(test)]
mod tests;
pub mod webrtc;

use std::fmt;

pub use anchor::Anchor;
pub use parse::{SdpError, parse};

/// A session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub origin: Origin,
    /// `s=`: a single space when the sender had nothing to say.
    pub name: String,
    /// Session-level `c=`: the default for media without one of their own.
    pub connection: Option<Connection>,
    /// Every other session-level line (`i=`, `u=`, `e=`, `p=`, `b=`, `t=`,
    /// `r=`, `z=`, `a=`...), in order, with its type letter.
    pub lines: Vec<Line>,
    pub media: Vec<Media>,
}

/// `o=`: who made the description, and which version of it this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    pub session_id: String,
    /// Raised by whoever changes the description in a re-offer.
    pub version: u64,
    /// `IN IP4 192.0.2.1`, as given.
    pub address: Address,
}

/// `c=` (and the address of `o=`): network type `IN`, IPv4 or IPv6, and the
/// address or host name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub family: Family,
    pub host: String,
}

pub type Connection = Address;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Ip4,
    Ip6,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// `audio`, `video`, `application`...
    pub kind: String,
    /// 0 rejects or disables the stream (RFC 3264 §6).
    pub port: u16,
    /// The `/2` of `m=audio 49170/2 ...`, when given.
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `UDP/TLS/RTP/SAVPF`...
    pub proto: String,
    /// Payload type numbers for RTP, as written.
    pub formats: Vec<String>,
    /// Media-level `c=`, overriding the session's.
    pub connection: Option<Connection>,
    /// Every other line of the section (`i=`, `b=`, `k=`, `a=`), in order.
    pub lines: Vec<Line>,
}

/// A line kept as it came: its type letter and what follows `=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: char,
    pub value: String,
}

/// Which way media flows (RFC 3264 §5.1); `sendrecv` when nothing is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn of(name: &str) -> Option<Self> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    pub payload_type: u8,
    pub encoding: String,
    pub clock_rate: u32,
}

impl Line {
    /// For `a=` lines: the attribute's name and value (`None` for a flag
    /// such as `a=rtcp-mux`).
    pub fn attribute(&self) -> Option<(&str, Option<&str>)> {
        if self.kind != 'a' {
            return None;
        }
        Some(match self.value.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (self.value.as_str(), None),
        })
    }
}

fn attributes(lines: &[Line]) -> impl Iterator<Item = (&str, Option<&str>)> {
    lines.iter().filter_map(Line::attribute)
}

fn direction_in(lines: &[Line]) -> Option<Direction> {
    attributes(lines).find_map(|(name, value)| value.is_none().then(|| Direction::of(name))?)
}

impl Session {
    /// The connection address that applies to `media`.
    pub fn connection_of<'a>(&'a self, media: &'a Media) -> Option<&'a Connection> {
        media.connection.as_ref().or(self.connection.as_ref())
    }

    /// The direction of `media`: its own attribute, else the session's,
    /// else `sendrecv`.
    pub fn direction_of(&self, media: &Media) -> Direction {
        direction_in(&media.lines)
            .or_else(|| direction_in(&self.lines))
            .unwrap_or(Direction::SendRecv)
    }

    /// The first audio stream that is not rejected.
    pub fn audio(&self) -> Option<&Media> {
        self.media.iter().find(|m| m.kind == "audio" && m.port != 0)
    }
}

impl Media {
    /// The value of the first `a=<name>:...`, or `Some("")` for a flag.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        attributes(&self.lines)
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.unwrap_or(""))
    }

    /// Whether `a=<name>` (flag or valued) is present.
    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The `a=rtpmap` entries, in the order given. Static payload types
    /// (0 PCMU, 8 PCMA...) may have none: see [`Media::encoding_of`].
    pub fn rtpmaps(&self) -> Vec<RtpMap> {
        attributes(&self.lines)
            .filter(|(name, _)| *name == "rtpmap")
            .filter_map(|(_, value)| {
                let (pt, rest) = value?.split_once(' ')?;
                let mut parts = rest.split('/');
                Some(RtpMap {
                    payload_type: pt.parse().ok()?,
                    encoding: parts.next()?.to_string(),
                    clock_rate: parts.next()?.parse().ok()?,
                })
            })
            .collect()
    }

    /// The encoding name and clock rate of payload type `pt`: its rtpmap,
    /// or the static assignment of RFC 3551 for PCMU, GSM, PCMA, G722, G729.
    pub fn encoding_of(&self, pt: u8) -> Option<(String, u32)> {
        if let Some(map) = self.rtpmaps().into_iter().find(|m| m.payload_type == pt) {
            return Some((map.encoding, map.clock_rate));
        }
        let (name, rate) = match pt {
            0 => ("PCMU", 8000),
            3 => ("GSM", 8000),
            8 => ("PCMA", 8000),
            9 => ("G722", 8000),
            18 => ("G729", 8000),
            _ => return None,
        };
        Some((name.to_string(), rate))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let family = match self.family {
            Family::Ip4 => "IP4",
            Family::Ip6 => "IP6",
        };
        write!(f, "IN {family} {}", self.host)
    }
}

fn write_line(f: &mut fmt::Formatter<'_>, line: &Line) -> fmt::Result {
    write!(f, "{}={}\r\n", line.kind, line.value)
}

impl fmt::Display for Session {
    /// The description in RFC 8866 order: v, o, s, then the session lines
    /// as they came with `c=` before the first `b=` or `t=`, then media.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(
            f,
            "v=0\r\no={} {} {} {}\r\ns={}\r\n",
            o.username, o.session_id, o.version, o.address, self.name
        )?;
        let mut connection = self.connection.as_ref();
        for line in &self.lines {
            if matches!(line.kind, 'b' | 't' | 'r' | 'z' | 'k' | 'a')
                && let Some(c) = connection.take()
            {
                write!(f, "c={c}\r\n")?;
            }
            write_line(f, line)?;
        }
        if let Some(c) = connection {
            write!(f, "c={c}\r\n")?;
        }
        for media in &self.media {
            write!(f, "m={} {}", media.kind, media.port)?;
            if let Some(count) = media.port_count {
                write!(f, "/{count}")?;
            }
            write!(f, " {}", media.proto)?;
            for format in &media.formats {
                write!(f, " {format}")?;
            }
            f.write_str("\r\n")?;
            // `i=` comes before `c=` in a media section; the rest after.
            let (info, rest): (Vec<&Line>, Vec<&Line>) =
                media.lines.iter().partition(|l| l.kind == 'i');
            for line in info {
                write_line(f, line)?;
            }
            if let Some(c) = &media.connection {
                write!(f, "c={c}\r\n")?;
            }
            for line in rest {
                write_line(f, line)?;
            }
        }
        Ok(())
    }
}
