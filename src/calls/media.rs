//! Anchoring a call's media in the server: every SDP the call passes on is
//! rewritten so both sides send their audio to our ports, and the driver is
//! told where each side said it receives. Pure: the engine opened the ports
//! before the call started and does what the [`MediaCommand`]s ask.
//!
//! One stream per call, the first audio section: what a contact centre's
//! calls carry. Any other section (video from a desk phone, say) is refused
//! with port 0, as RFC 3264 §6 allows, rather than left to flow around the
//! anchor.

use std::net::{IpAddr, SocketAddr};

use super::CallId;
use crate::media::relay::Side;
use crate::sdp::{self, Anchor, Session};

/// Where the server receives a call's media: the engine's ports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaAnchor {
    /// The address written into every description we pass on.
    pub address: IpAddr,
    /// The port the caller is told to send to (side A of the stream).
    pub caller_port: u16,
    /// The port the callees are told to send to (side B).
    pub callee_port: u16,
}

/// What the media driver must do for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaCommand {
    /// A side's description says where it receives audio; `None` when it
    /// receives none (the stream refused, or held with no address).
    Peer {
        call: CallId,
        side: Side,
        address: Option<SocketAddr>,
    },
    /// The call is over: stop relaying and free the ports.
    Close { call: CallId },
}

/// A description that came from `from`, rewritten for the other side.
#[derive(Debug)]
pub struct Anchored {
    pub body: Vec<u8>,
    /// Where `from` receives its audio, as its description says.
    pub peer: Option<SocketAddr>,
}

/// Rewrites a body coming from side `from`. `Ok(None)` for a body that is
/// not SDP (passed on untouched); `Err` for SDP we cannot read, which
/// cannot be anchored.
pub fn anchor_body(
    anchor: &MediaAnchor,
    from: Side,
    content_type: &str,
    body: &[u8],
) -> Result<Option<Anchored>, sdp::SdpError> {
    if !is_sdp(content_type) {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(body);
    let mut session = sdp::parse(&text)?;
    let peer = audio_peer(&session);
    let audio = session.media.iter().position(|m| m.kind == "audio");
    let port = match from {
        Side::A => anchor.callee_port,
        Side::B => anchor.caller_port,
    };
    let ports = (0..session.media.len())
        .map(|i| if Some(i) == audio { port } else { 0 })
        .collect();
    session.anchor(&Anchor {
        address: anchor.address,
        ports,
    });
    Ok(Some(Anchored {
        body: session.to_string().into_bytes(),
        peer,
    }))
}

/// `application/sdp`, with or without parameters, in any case.
fn is_sdp(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/sdp"))
}

/// Where the first audio stream of a description is received: its
/// connection address and port. The unspecified address (the old way of
/// putting a call on hold) and port 0 mean nowhere.
fn audio_peer(session: &Session) -> Option<SocketAddr> {
    let audio = session.audio()?;
    let connection = session.connection_of(audio)?;
    let ip: IpAddr = connection.host.parse().ok()?;
    (audio.port != 0 && !ip.is_unspecified()).then(|| SocketAddr::new(ip, audio.port))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PBX_OFFER: &str = "v=0\r\no=pbx 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\n\
        t=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n\
        m=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

    fn anchor() -> MediaAnchor {
        MediaAnchor {
            address: "192.0.2.7".parse().unwrap(),
            caller_port: 20000,
            callee_port: 20004,
        }
    }

    #[test]
    fn an_offer_from_the_caller_points_the_callee_at_our_callee_port() {
        let anchored = anchor_body(&anchor(), Side::A, "application/sdp", PBX_OFFER.as_bytes())
            .unwrap()
            .unwrap();
        let text = String::from_utf8(anchored.body).unwrap();
        assert!(text.contains("c=IN IP4 192.0.2.7\r\n"), "{text}");
        assert!(text.contains("m=audio 20004 RTP/AVP 0 8 101\r\n"), "{text}");
        assert!(
            text.contains("m=video 0 RTP/AVP 96\r\n"),
            "video refused: {text}"
        );
        assert!(!text.contains("10.0.0.5"), "{text}");
        assert_eq!(anchored.peer, Some("10.0.0.5:40000".parse().unwrap()));
    }

    #[test]
    fn an_answer_from_a_callee_points_the_caller_at_our_caller_port() {
        let answer = "v=0\r\no=- 7 7 IN IP4 127.0.0.9\r\ns=-\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 0\r\nc=IN IP4 127.0.0.9\r\n";
        let anchored = anchor_body(
            &anchor(),
            Side::B,
            "Application/SDP; charset=utf-8",
            answer.as_bytes(),
        )
        .unwrap()
        .unwrap();
        let text = String::from_utf8(anchored.body).unwrap();
        assert!(text.contains("m=audio 20000 RTP/AVP 0\r\n"), "{text}");
        assert_eq!(anchored.peer, Some("127.0.0.9:6000".parse().unwrap()));
    }

    #[test]
    fn a_hold_with_no_address_or_a_refused_stream_has_no_peer() {
        for held in [
            "v=0\r\no=- 1 2 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 2 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
        ] {
            let anchored = anchor_body(&anchor(), Side::A, "application/sdp", held.as_bytes())
                .unwrap()
                .unwrap();
            assert_eq!(anchored.peer, None, "{held}");
        }
    }

    #[test]
    fn other_bodies_pass_untouched_and_broken_sdp_is_an_error() {
        let dtmf = b"Signal=5\r\nDuration=160\r\n";
        assert!(
            anchor_body(&anchor(), Side::A, "application/dtmf-relay", dtmf)
                .unwrap()
                .is_none()
        );
        assert!(anchor_body(&anchor(), Side::A, "application/sdp", b"v=0\r\nbogus").is_err());
    }
}
