//! The descriptions a media bridge writes itself, rather than rewrites:
//! when one side of a call is a browser (WebRTC: ICE, DTLS-SRTP, rtcp-mux)
//! and the other a phone or trunk (plain RTP), each gets a description of
//! its own kind carrying the same payload types, so audio passes between
//! them without transcoding.

use std::net::IpAddr;

use super::{Address, Direction, Family, Line, Media, Origin, Session};

/// One payload type of an audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    pub pt: u8,
    /// `PCMU`, `PCMA`, `telephone-event`.
    pub encoding: String,
    pub clock_rate: u32,
    /// Its `a=fmtp` parameters (`0-16` for telephone events).
    pub fmtp: Option<String>,
}

impl Format {
    pub fn is_telephone_event(&self) -> bool {
        self.encoding.eq_ignore_ascii_case("telephone-event")
    }

    /// Whether a bridged call may carry it: G.711 both ways, and RFC 4733
    /// events, all at 8 kHz. A browser offers Opus first; a bridge to a
    /// phone that speaks G.711 cannot pass it on without transcoding.
    pub fn bridgeable(&self) -> bool {
        self.clock_rate == 8000
            && ["PCMU", "PCMA", "telephone-event"]
                .iter()
                .any(|e| self.encoding.eq_ignore_ascii_case(e))
    }
}

impl Media {
    /// Every payload type of this stream, in the sender's order of
    /// preference, with its encoding and parameters.
    pub fn formats_listed(&self) -> Vec<Format> {
        self.formats
            .iter()
            .filter_map(|f| f.parse::<u8>().ok())
            .filter_map(|pt| {
                let (encoding, clock_rate) = self.encoding_of(pt)?;
                let prefix = format!("{pt} ");
                let fmtp = self
                    .lines
                    .iter()
                    .filter_map(Line::attribute)
                    .find_map(|(name, value)| {
                        (name == "fmtp").then_some(value?.strip_prefix(&prefix))?
                    })
                    .map(str::to_owned);
                Some(Format {
                    pt,
                    encoding,
                    clock_rate,
                    fmtp,
                })
            })
            .collect()
    }

    /// The payload types a bridge can pass on ([`bridgeable`]), in order.
    /// Empty when the stream has no G.711: the call cannot be bridged.
    pub fn bridgeable_formats(&self) -> Vec<Format> {
        let formats: Vec<Format> = self
            .formats_listed()
            .into_iter()
            .filter(Format::bridgeable)
            .collect();
        if formats.iter().all(Format::is_telephone_event) {
            return Vec::new();
        }
        formats
    }
}

/// Our side of a WebRTC leg: the ICE credentials and the SSRC we send
/// with, chosen per call, and the fingerprint of the server's DTLS
/// certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRtcLocal {
    pub ufrag: String,
    pub pwd: String,
    /// `sha-256 AB:CD:...`, as `a=fingerprint` writes it.
    pub fingerprint: String,
    pub ssrc: u32,
}

/// DTLS roles as `a=setup` gives them (RFC 5763).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// Offers: either role; the answerer picks.
    ActPass,
    /// The DTLS client.
    Active,
    /// The DTLS server.
    Passive,
}

impl Setup {
    fn name(self) -> &'static str {
        match self {
            Setup::ActPass => "actpass",
            Setup::Active => "active",
            Setup::Passive => "passive",
        }
    }
}

/// What a browser's description says about its end of a WebRTC leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRtcRemote {
    pub ufrag: String,
    pub pwd: String,
    pub fingerprint: String,
    pub setup: Setup,
    /// The stream's `a=mid`, which our answer repeats.
    pub mid: String,
    /// The SSRC it sends audio with, when it says (`a=ssrc`).
    pub ssrc: Option<u32>,
}

/// Whether a description is a WebRTC one: DTLS-SRTP, keyed by the
/// fingerprint of a certificate (RFC 8827).
pub fn is_webrtc(session: &Session) -> bool {
    session
        .audio()
        .is_some_and(|m| m.proto.contains("SAVP") && fingerprint(session, m).is_some())
}

fn fingerprint<'a>(session: &'a Session, media: &'a Media) -> Option<&'a str> {
    media.attribute("fingerprint").or_else(|| {
        session
            .lines
            .iter()
            .filter_map(Line::attribute)
            .find_map(|(n, v)| (n == "fingerprint").then_some(v)?)
    })
}

/// A media-level attribute, or the session-level one.
fn attribute<'a>(session: &'a Session, media: &'a Media, name: &str) -> Option<&'a str> {
    media.attribute(name).or_else(|| {
        session
            .lines
            .iter()
            .filter_map(Line::attribute)
            .find_map(|(n, v)| (n == name).then_some(v.unwrap_or("")))
    })
}

impl WebRtcRemote {
    /// The browser's end, from its description's first audio stream.
    pub fn of(session: &Session) -> Result<WebRtcRemote, String> {
        let media = session.audio().ok_or("no audio stream")?;
        let needed = |name: &str| {
            attribute(session, media, name)
                .map(str::to_owned)
                .ok_or_else(|| format!("no a={name}"))
        };
        let setup = match attribute(session, media, "setup") {
            Some("active") => Setup::Active,
            Some("passive") => Setup::Passive,
            // RFC 5763 §5: an offer that says nothing means actpass.
            _ => Setup::ActPass,
        };
        let ssrc = media
            .lines
            .iter()
            .filter_map(Line::attribute)
            .find_map(|(n, v)| (n == "ssrc").then_some(v)?)
            .and_then(|v| v.split(' ').next()?.parse().ok());
        Ok(WebRtcRemote {
            ufrag: needed("ice-ufrag")?,
            pwd: needed("ice-pwd")?,
            fingerprint: needed("fingerprint")?,
            setup,
            mid: needed("mid")?,
            ssrc,
        })
    }
}

/// What to write into a description of one audio stream.
#[derive(Debug, Clone)]
pub struct Describe<'a> {
    pub address: IpAddr,
    pub port: u16,
    pub formats: &'a [Format],
    pub direction: Direction,
    /// `o=`'s session id and version: a re-offer raises the version.
    pub session_id: u64,
    pub version: u64,
    /// `Some` for a browser: our ICE and DTLS parameters, the DTLS role,
    /// and the `mid` (the browser's in an answer).
    pub webrtc: Option<(&'a WebRtcLocal, Setup, &'a str)>,
}

/// A description of one audio stream at `address:port`.
pub fn describe(spec: &Describe<'_>) -> Session {
    let address = Address {
        family: match spec.address {
            IpAddr::V4(_) => Family::Ip4,
            IpAddr::V6(_) => Family::Ip6,
        },
        host: spec.address.to_string(),
    };
    let attribute = |value: String| Line { kind: 'a', value };
    let mut lines = vec![Line {
        kind: 't',
        value: "0 0".into(),
    }];
    let mut media_lines = Vec::new();
    let proto = match spec.webrtc {
        None => "RTP/AVP",
        Some((local, setup, mid)) => {
            lines.push(attribute(format!("group:BUNDLE {mid}")));
            lines.push(attribute("msid-semantic: WMS switchboard".into()));
            // We answer connectivity checks and never start them.
            lines.push(attribute("ice-lite".into()));
            let candidate = format!(
                "candidate:1 1 udp 2130706431 {} {} typ host",
                spec.address, spec.port
            );
            media_lines.extend(
                [
                    candidate,
                    "end-of-candidates".into(),
                    format!("ice-ufrag:{}", local.ufrag),
                    format!("ice-pwd:{}", local.pwd),
                    format!("fingerprint:{}", local.fingerprint),
                    format!("setup:{}", setup.name()),
                    format!("mid:{mid}"),
                    "rtcp-mux".into(),
                ]
                .map(attribute),
            );
            "UDP/TLS/RTP/SAVPF"
        }
    };
    media_lines.push(attribute(
        match spec.direction {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
        .into(),
    ));
    for format in spec.formats {
        media_lines.push(attribute(format!(
            "rtpmap:{} {}/{}",
            format.pt, format.encoding, format.clock_rate
        )));
        if let Some(fmtp) = &format.fmtp {
            media_lines.push(attribute(format!("fmtp:{} {fmtp}", format.pt)));
        }
    }
    media_lines.push(attribute("ptime:20".into()));
    if let Some((local, _, _)) = spec.webrtc {
        media_lines.push(attribute("msid:switchboard audio".into()));
        media_lines.push(attribute(format!("ssrc:{} cname:switchboard", local.ssrc)));
    }
    Session {
        origin: Origin {
            username: "switchboard".into(),
            session_id: spec.session_id.to_string(),
            version: spec.version,
            address: address.clone(),
        },
        name: "-".into(),
        connection: Some(address),
        lines,
        media: vec![Media {
            kind: "audio".into(),
            port: spec.port,
            port_count: None,
            proto: proto.into(),
            formats: spec.formats.iter().map(|f| f.pt.to_string()).collect(),
            connection: None,
            lines: media_lines,
        }],
    }
}
