//! Anchoring a call's media in the server: every SDP the call passes on is
//! rewritten so both sides send their audio to our ports, and the driver is
//! told where each side said it receives. Pure: the engine opened the ports
//! before the call started and does what the [`MediaCommand`]s ask.
//!
//! One stream per call, the first audio section: what a contact centre's
//! calls carry. Any other section (video from a desk phone, say) is refused
//! with port 0, as RFC 3264 §6 allows, rather than left to flow around the
//! anchor.
//!
//! A side that is a browser speaks WebRTC (ICE, DTLS-SRTP) where a phone
//! speaks plain RTP, so between the two a description cannot be rewritten:
//! each side gets one written for it ([`crate::sdp::webrtc`]) with the
//! payload types of the other, and the driver terminates the browser's
//! ICE and DTLS on the anchor's port (told with [`MediaCommand::Browser`]).
//! The audio itself passes untouched: G.711 both sides, no transcoding.

use std::net::{IpAddr, SocketAddr};

use super::CallId;
use crate::media::relay::Side;
use crate::sdp::webrtc::{Describe, Format, Setup, WebRtcLocal, WebRtcRemote, describe, is_webrtc};
use crate::sdp::{self, Anchor, Direction, Session};

/// Where the server receives a call's media: the engine's ports for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaAnchor {
    /// The address written into every description we pass on.
    pub address: IpAddr,
    /// The port the caller is told to send to (side A of the stream).
    pub caller_port: u16,
    /// The port the callees are told to send to (side B).
    pub callee_port: u16,
    /// Our ICE credentials and SSRC for each side, should it be a browser.
    pub webrtc: [WebRtcLocal; 2],
    /// `o=`'s session id in the descriptions we write.
    pub session_id: u64,
}

impl MediaAnchor {
    /// Our port for `side`.
    fn port(&self, side: Side) -> u16 {
        match side {
            Side::A => self.caller_port,
            Side::B => self.callee_port,
        }
    }
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
        /// The payload type of its RFC 4733 events, to read its digits.
        events: Option<u8>,
    },
    /// A side is a browser whose description is agreed: its ICE and DTLS
    /// parameters, and the payload types both sides use.
    Browser {
        call: CallId,
        side: Side,
        /// Our ICE credentials and SSRC toward it (new after an ICE
        /// restart).
        local: WebRtcLocal,
        remote: WebRtcRemote,
        formats: Vec<Format>,
    },
    /// Play a prompt to a side, as G.711 with payload type `pt`; `looped`
    /// for music.
    Play {
        call: CallId,
        side: Side,
        prompt: String,
        pt: u8,
        looped: bool,
    },
    /// Play these prompts one after the other to a side, then loop `then`
    /// (an announcement to a caller waiting with hold music). Prompts the
    /// server lacks are left out.
    Announce {
        call: CallId,
        side: Side,
        prompts: Vec<String>,
        pt: u8,
        then: String,
    },
    /// Stop playing to a side: it hears the other side again.
    StopPlaying { call: CallId, side: Side },
    /// A side takes keys as SIP INFO: the other side's RFC 4733 events are
    /// not sent to it (the call sends each key as an INFO instead).
    KeysByInfo { call: CallId, side: Side },
    /// The payload types a side sends with, now that the descriptions are
    /// agreed: those of the description it got from us. `renumber` maps
    /// each that the other side numbered differently in its own
    /// description to the other side's number; `events` is its
    /// telephone-event, to read its keys by.
    Sending {
        call: CallId,
        side: Side,
        events: Option<u8>,
        renumber: Vec<(u8, u8)>,
    },
    /// The call is over: stop relaying and free the ports.
    Close { call: CallId },
}

/// Why a description cannot be passed on: the request carrying it is
/// refused with 488 and this as the warning.
pub type Refusal = String;

/// A call's side of the offer/answer exchange (RFC 3264), kept between
/// an offer and its answer.
#[derive(Debug, Default)]
pub struct Bridge {
    /// Whether each side is a browser, once it has sent a description.
    webrtc: [bool; 2],
    /// A browser's offer, until the other side's answer lets us answer it.
    browser_offer: [Option<Session>; 2],
    /// The last answer we wrote for a browser, sent again as is when the
    /// other side answers twice (183, then 200).
    browser_answer: [Option<Vec<u8>>; 2],
    /// `o=` versions of the descriptions we wrote for each side.
    versions: [u64; 2],
    /// The G.711 payload type each side receives, from its description:
    /// what music played to it is sent as.
    audio_pt: [Option<u8>; 2],
    /// Sides hearing hold music because the other side put them on hold.
    on_hold: [bool; 2],
    /// The formats of the last description we gave each side: the payload
    /// types it sends with.
    told: [Vec<Format>; 2],
    /// The formats each side's own last description listed: the payload
    /// types it receives with.
    own: [Vec<Format>; 2],
    /// The last description we gave each side, offered again to a side
    /// that asks for an offer (a re-INVITE without SDP).
    given: [Option<Vec<u8>>; 2],
    /// A browser side's ICE username fragment, to tell an ICE restart
    /// (a re-offer with a new one), and how many restarts it made.
    browser_ufrag: [Option<String>; 2],
    restarts: [u32; 2],
}

/// What a held party hears: `hold-music.wav` in the prompts folder.
pub const HOLD_MUSIC: &str = "hold-music";

/// An offer as read from one side, to be written for each kind of target.
#[derive(Debug)]
pub struct Offer {
    from: Side,
    session: Session,
    formats: Vec<Format>,
    direction: Direction,
}

fn index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

/// `application/sdp`, with or without parameters, in any case.
pub fn is_sdp(content_type: &str) -> bool {
    super::dialog::is_media_type(content_type, "application/sdp")
}

fn read(body: &[u8]) -> Result<Session, Refusal> {
    sdp::parse(&String::from_utf8_lossy(body)).map_err(|e| format!("unreadable SDP: {e}"))
}

fn direction(session: &Session) -> Direction {
    session
        .audio()
        .map_or(Direction::Inactive, |m| session.direction_of(m))
}

fn formats(session: &Session, webrtc: bool) -> Vec<Format> {
    let Some(audio) = session.audio() else {
        return Vec::new();
    };
    if webrtc {
        audio.bridgeable_formats()
    } else {
        audio.formats_listed()
    }
}

impl Bridge {
    /// Reads an offer from `from`. Commands for the driver go to `out`.
    pub fn read_offer(
        &mut self,
        call: CallId,
        from: Side,
        body: &[u8],
        out: &mut Vec<MediaCommand>,
    ) -> Result<Offer, Refusal> {
        let session = read(body)?;
        let webrtc = is_webrtc(&session);
        self.webrtc[index(from)] = webrtc;
        let formats = formats(&session, webrtc);
        self.audio_pt[index(from)] = g711_pt(&formats);
        self.own[index(from)] = formats.clone();
        self.hold(call, from, direction(&session), out);
        if webrtc {
            if formats.is_empty() {
                return Err("a browser must offer PCMU or PCMA to be bridged".into());
            }
            let remote = WebRtcRemote::of(&session)?;
            let known = self.browser_ufrag[index(from)].replace(remote.ufrag.clone());
            if known.is_some_and(|ufrag| ufrag != remote.ufrag) {
                // RFC 8839 §4.4.1.1.1: an ICE restart; our answer takes new
                // credentials too.
                self.restarts[index(from)] += 1;
            }
            self.browser_offer[index(from)] = Some(session.clone());
            self.browser_answer[index(from)] = None;
        } else {
            out.push(peer(call, from, &session, &formats));
        }
        Ok(Offer {
            from,
            direction: direction(&session),
            session,
            formats,
        })
    }

    /// The offer as the other side gets it: a browser or a phone.
    pub fn write_offer(
        &mut self,
        anchor: &MediaAnchor,
        offer: &Offer,
        to_browser: bool,
    ) -> Result<Vec<u8>, Refusal> {
        let toward = offer.from.other();
        let from_browser = self.webrtc[index(offer.from)];
        if !to_browser && !from_browser {
            self.told[index(toward)] = offer.formats.clone();
            let body = rewrite(anchor, toward, offer.session.clone());
            self.given[index(toward)] = Some(body.clone());
            return Ok(body);
        }
        let formats: Vec<Format> = if to_browser {
            offer
                .formats
                .iter()
                .filter(|f| f.bridgeable())
                .cloned()
                .collect()
        } else {
            offer.formats.clone()
        };
        if formats.iter().all(Format::is_telephone_event) {
            return Err("no PCMU or PCMA to offer a browser".into());
        }
        let local = self.local(anchor, toward);
        // Our offers to a browser bundle one stream, its mid "0".
        let webrtc = to_browser.then_some((&local, Setup::ActPass, "0"));
        Ok(self.write(anchor, toward, &formats, offer.direction, webrtc))
    }

    /// Reads the answer from `from` to the other side's offer and writes it
    /// for that side. Commands for the driver go to `out`.
    pub fn answer(
        &mut self,
        anchor: &MediaAnchor,
        call: CallId,
        from: Side,
        body: &[u8],
        out: &mut Vec<MediaCommand>,
    ) -> Result<Vec<u8>, Refusal> {
        let session = read(body)?;
        let webrtc = is_webrtc(&session);
        self.webrtc[index(from)] = webrtc;
        let formats = formats(&session, webrtc);
        self.audio_pt[index(from)] = g711_pt(&formats);
        self.own[index(from)] = formats.clone();
        let written = self.answer_toward(anchor, call, from, session, formats, out);
        self.renumber(call, out);
        written
    }

    /// [`Bridge::answer`] once the answer is read: the description the
    /// other side gets.
    fn answer_toward(
        &mut self,
        anchor: &MediaAnchor,
        call: CallId,
        from: Side,
        session: Session,
        formats: Vec<Format>,
        out: &mut Vec<MediaCommand>,
    ) -> Result<Vec<u8>, Refusal> {
        let toward = from.other();
        let webrtc = self.webrtc[index(from)];
        if webrtc {
            let remote = WebRtcRemote::of(&session)?;
            self.browser_ufrag[index(from)] = Some(remote.ufrag.clone());
            out.push(MediaCommand::Browser {
                call,
                side: from,
                local: self.local(anchor, from),
                remote,
                formats: formats.clone(),
            });
        } else {
            out.push(peer(call, from, &session, &formats));
        }
        if let Some(offer) = self.browser_offer[index(toward)].take() {
            // The browser's offer is answered now, with what the other
            // side agreed to that the browser offered.
            let remote = WebRtcRemote::of(&offer)?;
            let offered = formats_of_offer(&offer);
            let agreed: Vec<Format> = formats
                .iter()
                .filter_map(|f| offered.iter().find(|o| same_codec(o, f)).cloned())
                .collect();
            if agreed.iter().all(Format::is_telephone_event) {
                return Err("the answer has no codec the browser offered".into());
            }
            self.audio_pt[index(toward)] = g711_pt(&agreed);
            let local = self.local(anchor, toward);
            out.push(MediaCommand::Browser {
                call,
                side: toward,
                local: local.clone(),
                remote: remote.clone(),
                formats: agreed.clone(),
            });
            let setup = answering_setup(remote.setup);
            let direction = answering(direction(&offer), direction(&session));
            let written = self.write(
                anchor,
                toward,
                &agreed,
                direction,
                Some((&local, setup, &remote.mid)),
            );
            self.browser_answer[index(toward)] = Some(written.clone());
            return Ok(written);
        }
        if let Some(again) = &self.browser_answer[index(toward)] {
            return Ok(again.clone());
        }
        if !webrtc {
            self.told[index(toward)] = formats;
            let body = rewrite(anchor, toward, session);
            self.given[index(toward)] = Some(body.clone());
            return Ok(body);
        }
        Ok(self.write(anchor, toward, &formats, direction(&session), None))
    }

    /// Answers an offer ourselves, as a voice menu does: with the first
    /// G.711 codec it lists and its telephone-event, at our port for that
    /// side. Also gives the offer made on that side's behalf to whoever it
    /// is put through to later, with the same payload types, so that audio
    /// passes between the two unchanged.
    pub fn answer_here(
        &mut self,
        anchor: &MediaAnchor,
        call: CallId,
        offer: &Offer,
        out: &mut Vec<MediaCommand>,
    ) -> Result<(Vec<u8>, Offer), Refusal> {
        let side = offer.from;
        let agreed = chosen(&offer.formats)?;
        self.audio_pt[index(side)] = g711_pt(&agreed);
        self.own[index(side)] = agreed.clone();
        let direction = answering(offer.direction, Direction::SendRecv);
        let body = match self.browser_offer[index(side)].take() {
            Some(session) => {
                let remote = WebRtcRemote::of(&session)?;
                let local = self.local(anchor, side);
                out.push(MediaCommand::Browser {
                    call,
                    side,
                    local: local.clone(),
                    remote: remote.clone(),
                    formats: agreed.clone(),
                });
                let webrtc = Some((&local, answering_setup(remote.setup), remote.mid.as_str()));
                self.write(anchor, side, &agreed, direction, webrtc)
            }
            None => self.write(anchor, side, &agreed, direction, None),
        };
        self.renumber(call, out);
        Ok((body, on_behalf_of(anchor, side, agreed)))
    }

    /// Our own offer to a side that sent none (an INVITE without SDP to a
    /// menu): PCMU, PCMA and telephone-event.
    pub fn offer_here(&mut self, anchor: &MediaAnchor, side: Side) -> Vec<u8> {
        let formats = [
            (0, "PCMU", None),
            (8, "PCMA", None),
            (101, "telephone-event", Some("0-16")),
        ]
        .map(|(pt, encoding, fmtp)| Format {
            pt,
            encoding: encoding.into(),
            clock_rate: 8000,
            fmtp: fmtp.map(String::from),
        });
        self.write(anchor, side, &formats, Direction::SendRecv, None)
    }

    /// A side's answer to [`Bridge::offer_here`]; gives the offer made on its
    /// behalf, as [`Bridge::answer_here`] does.
    pub fn answered_here(
        &mut self,
        anchor: &MediaAnchor,
        call: CallId,
        side: Side,
        body: &[u8],
        out: &mut Vec<MediaCommand>,
    ) -> Result<Offer, Refusal> {
        let session = read(body)?;
        let formats = formats(&session, false);
        let agreed = chosen(&formats)?;
        // It sends only what it kept of our offer.
        self.told[index(side)].retain(|f| formats.iter().any(|o| same_codec(o, f)));
        self.took_plain_answer(call, side, &session, formats, out);
        Ok(on_behalf_of(anchor, side, agreed))
    }

    /// The G.711 payload type a side receives, once agreed: what prompts
    /// played to it are sent as.
    pub fn audio_pt(&self, side: Side) -> Option<u8> {
        self.audio_pt[index(side)]
    }

    /// Tells the media what each side sends with once an exchange is
    /// agreed: the payload types of the description it got from us,
    /// renumbered to the other side's where the two differ (a phone that
    /// answered telephone-event as 96 to an offer of 101, or a browser
    /// bridged to a phone with numbers of its own), so each receives what
    /// its own description listed. Said after every answer, as the offer
    /// before it told the media the side's own numbers.
    fn renumber(&mut self, call: CallId, out: &mut Vec<MediaCommand>) {
        for side in [Side::A, Side::B] {
            let (told, own) = (&self.told[index(side)], &self.own[index(side.other())]);
            if told.is_empty() || own.is_empty() {
                continue;
            }
            let renumber: Vec<(u8, u8)> = told
                .iter()
                .filter_map(|f| {
                    let theirs = own.iter().find(|o| same_codec(o, f))?;
                    (theirs.pt != f.pt).then_some((f.pt, theirs.pt))
                })
                .collect();
            // Events agreed both ways are sent under the number we gave;
            // a side that sends them unagreed (trunks do) uses its own.
            let listed = events_pt(&self.own[index(side)]);
            let events = events_pt(told).filter(|_| listed.is_some()).or(listed);
            out.push(MediaCommand::Sending {
                call,
                side,
                events,
                renumber,
            });
        }
    }

    /// An offer from `from` holding the other side with `sendonly` (RFC
    /// 3264 §8.4: it will send, the held side only receive) plays the held
    /// side music; one taking the hold back stops it. The re-offer still
    /// goes on to the held side, which learns it is held. An `inactive`
    /// hold gets no music: the held side agreed to receive nothing.
    fn hold(
        &mut self,
        call: CallId,
        from: Side,
        direction: Direction,
        out: &mut Vec<MediaCommand>,
    ) {
        let held = from.other();
        let holding = direction == Direction::SendOnly;
        match (
            holding,
            self.on_hold[index(held)],
            self.audio_pt[index(held)],
        ) {
            (true, false, Some(pt)) => {
                self.on_hold[index(held)] = true;
                out.push(MediaCommand::Play {
                    call,
                    side: held,
                    prompt: HOLD_MUSIC.into(),
                    pt,
                    looped: true,
                });
            }
            (false, true, _) => {
                self.on_hold[index(held)] = false;
                out.push(MediaCommand::StopPlaying { call, side: held });
            }
            _ => {}
        }
    }

    fn write(
        &mut self,
        anchor: &MediaAnchor,
        toward: Side,
        formats: &[Format],
        direction: Direction,
        webrtc: Option<(&WebRtcLocal, Setup, &str)>,
    ) -> Vec<u8> {
        self.told[index(toward)] = formats.to_vec();
        let version = &mut self.versions[index(toward)];
        *version += 1;
        let body = describe(&Describe {
            address: anchor.address,
            port: anchor.port(toward),
            formats,
            direction,
            session_id: anchor.session_id,
            version: *version,
            webrtc,
        })
        .to_string()
        .into_bytes();
        self.given[index(toward)] = Some(body.clone());
        body
    }

    /// Our ICE credentials and SSRC toward a browser side: the anchor's,
    /// and after each ICE restart new ones derived from them (the
    /// password's hash, so as unguessable as the first).
    fn local(&self, anchor: &MediaAnchor, side: Side) -> WebRtcLocal {
        let first = &anchor.webrtc[index(side)];
        let restarts = self.restarts[index(side)];
        if restarts == 0 {
            return first.clone();
        }
        use sha2::Digest;
        let derived = |what: &str, text: &str| {
            hex::encode(sha2::Sha256::digest(format!("{what}:{restarts}:{text}")))
        };
        WebRtcLocal {
            ufrag: derived("ufrag", &first.pwd)[..8].to_string(),
            pwd: derived("pwd", &first.pwd)[..32].to_string(),
            ..first.clone()
        }
    }

    /// The description last given to `side`, to offer it again.
    pub fn given(&self, side: Side) -> Option<&[u8]> {
        self.given[index(side)].as_deref()
    }

    /// A side's answer to the description offered again: where it now
    /// receives, and with which payload types. Commands go to `out`.
    pub fn answered_again(
        &mut self,
        call: CallId,
        side: Side,
        body: &[u8],
        out: &mut Vec<MediaCommand>,
    ) -> Result<(), Refusal> {
        let session = read(body)?;
        if is_webrtc(&session) {
            return Ok(()); // a browser's end stays as it is
        }
        let formats = formats(&session, false);
        self.took_plain_answer(call, side, &session, formats, out);
        Ok(())
    }

    /// A phone's answer to an offer of ours: where it receives, with which
    /// payload types, and (after that) what each side sends with.
    fn took_plain_answer(
        &mut self,
        call: CallId,
        side: Side,
        session: &Session,
        formats: Vec<Format>,
        out: &mut Vec<MediaCommand>,
    ) {
        self.audio_pt[index(side)] = g711_pt(&formats);
        out.push(peer(call, side, session, &formats));
        self.own[index(side)] = formats;
        self.renumber(call, out);
    }
}

/// The direction of our answer to an offer that said `offered`, when the
/// other side answered `answered` (RFC 3264 §6.1: a browser rejects an
/// answer that does not mirror its offer, and a phone asked to hold may
/// still say sendrecv).
fn answering(offered: Direction, answered: Direction) -> Direction {
    match (offered, answered) {
        (Direction::Inactive, _) | (_, Direction::Inactive) => Direction::Inactive,
        (Direction::SendOnly, _) => Direction::RecvOnly,
        (Direction::RecvOnly, _) => Direction::SendOnly,
        (Direction::SendRecv, answered) => answered,
    }
}

/// Our DTLS role in an answer to a browser that offered `theirs` (RFC
/// 8842 §5.3: an answerer to actpass picks; we wait to be called).
fn answering_setup(theirs: Setup) -> Setup {
    match theirs {
        Setup::Passive => Setup::Active,
        Setup::Active | Setup::ActPass => Setup::Passive,
    }
}

/// What we take of an offer we answer ourselves: its first G.711 codec and
/// its telephone-event.
fn chosen(offered: &[Format]) -> Result<Vec<Format>, Refusal> {
    let g711 = g711_pt(offered).ok_or("no PCMU or PCMA offered")?;
    let events = events_pt(offered);
    Ok(offered
        .iter()
        .filter(|f| f.pt == g711 || Some(f.pt) == events)
        .cloned()
        .collect())
}

/// The offer made for `side` to the other side: described at `side`'s port,
/// which [`Bridge::write_offer`] rewrites to the other's.
fn on_behalf_of(anchor: &MediaAnchor, side: Side, formats: Vec<Format>) -> Offer {
    let session = describe(&Describe {
        address: anchor.address,
        port: anchor.port(side),
        formats: &formats,
        direction: Direction::SendRecv,
        session_id: anchor.session_id,
        version: 1,
        webrtc: None,
    });
    Offer {
        from: side,
        session,
        formats,
        direction: Direction::SendRecv,
    }
}

/// Where a phone's description says it receives, and its events' number.
fn peer(call: CallId, side: Side, session: &Session, formats: &[Format]) -> MediaCommand {
    MediaCommand::Peer {
        call,
        side,
        address: audio_peer(session),
        events: events_pt(formats),
    }
}

/// The first G.711 payload type of a side's formats.
fn g711_pt(formats: &[Format]) -> Option<u8> {
    formats
        .iter()
        .find(|f| {
            f.clock_rate == 8000
                && (f.encoding.eq_ignore_ascii_case("PCMU")
                    || f.encoding.eq_ignore_ascii_case("PCMA"))
        })
        .map(|f| f.pt)
}

/// The payload type a side numbered RFC 4733 events with.
pub fn events_pt(formats: &[Format]) -> Option<u8> {
    formats
        .iter()
        .find(|f| f.is_telephone_event() && f.clock_rate == 8000)
        .map(|f| f.pt)
}

/// The same codec under whatever payload type each side numbered it.
fn same_codec(a: &Format, b: &Format) -> bool {
    a.encoding.eq_ignore_ascii_case(&b.encoding) && a.clock_rate == b.clock_rate
}

fn formats_of_offer(offer: &Session) -> Vec<Format> {
    offer
        .audio()
        .map(crate::sdp::Media::bridgeable_formats)
        .unwrap_or_default()
}

/// A plain description passed to a plain side: only the addresses change
/// (see [`Session::anchor`]), so vendors' attributes survive.
fn rewrite(anchor: &MediaAnchor, toward: Side, mut session: Session) -> Vec<u8> {
    let audio = session.media.iter().position(|m| m.kind == "audio");
    let port = anchor.port(toward);
    let ports = (0..session.media.len())
        .map(|i| if Some(i) == audio { port } else { 0 })
        .collect();
    session.anchor(&Anchor {
        address: anchor.address,
        ports,
    });
    session.to_string().into_bytes()
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
        t=0 0\r\nm=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-15\r\nm=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

    const BROWSER_OFFER: &str = "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        a=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\n\
        a=candidate:1 1 udp 2122260223 198.51.100.7 51234 typ host\r\na=ice-ufrag:F7gI\r\n\
        a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\na=fingerprint:sha-256 49:66:12:17\r\n\
        a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n\
        a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n\
        a=ssrc:777 cname:x\r\n";

    fn anchor() -> MediaAnchor {
        let local = |ufrag: &str, ssrc| WebRtcLocal {
            ufrag: ufrag.into(),
            pwd: "0123456789abcdef0123456789".into(),
            fingerprint: "sha-256 AA:BB".into(),
            ssrc,
        };
        MediaAnchor {
            address: "192.0.2.7".parse().unwrap(),
            caller_port: 20000,
            callee_port: 20004,
            webrtc: [local("aaaa", 1), local("bbbb", 2)],
            session_id: 99,
        }
    }

    /// A new call's bridge once the caller's `sdp` offer is read, and the
    /// commands that gave.
    fn caller_offers(sdp: &str) -> (Bridge, Vec<MediaCommand>, Offer) {
        let mut bridge = Bridge::default();
        let mut out = Vec::new();
        let offer = bridge
            .read_offer(CallId(1), Side::A, sdp.as_bytes(), &mut out)
            .unwrap();
        (bridge, out, offer)
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn between_phones_only_the_addresses_change_and_other_streams_are_refused() {
        let (mut bridge, out, offer) = caller_offers(PBX_OFFER);
        let written = text(bridge.write_offer(&anchor(), &offer, false).unwrap());
        assert!(written.contains("c=IN IP4 192.0.2.7\r\n"), "{written}");
        assert!(
            written.contains("m=audio 20004 RTP/AVP 8 0 101\r\n"),
            "{written}"
        );
        assert!(
            written.contains("a=fmtp:101 0-15\r\n"),
            "vendor lines kept: {written}"
        );
        assert!(written.contains("m=video 0 RTP/AVP 96\r\n"), "{written}");
        assert!(!written.contains("10.0.0.5"), "{written}");
        assert_eq!(
            out,
            [MediaCommand::Peer {
                call: CallId(1),
                side: Side::A,
                address: Some("10.0.0.5:40000".parse().unwrap()),
                events: Some(101),
            }]
        );
    }

    #[test]
    fn a_browsers_offer_reaches_a_phone_as_plain_g711_and_the_answer_returns_as_webrtc() {
        let (mut bridge, mut out, offer) = caller_offers(BROWSER_OFFER);
        assert!(
            out.is_empty(),
            "nothing to do until the browser is answered"
        );
        let plain = text(bridge.write_offer(&anchor(), &offer, false).unwrap());
        assert!(
            plain.contains("m=audio 20004 RTP/AVP 0 8 126\r\n"),
            "no Opus: {plain}"
        );
        assert!(plain.contains("c=IN IP4 192.0.2.7\r\n"), "{plain}");
        assert!(
            !plain.contains("fingerprint") && !plain.contains("ice-"),
            "{plain}"
        );
        let phone = "v=0\r\no=- 7 7 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 8 126\r\na=rtpmap:126 telephone-event/8000\r\n";
        let answer = text(
            bridge
                .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
                .unwrap(),
        );
        for line in [
            "m=audio 20000 UDP/TLS/RTP/SAVPF 8 126\r\n",
            "a=ice-lite\r\n",
            "a=ice-ufrag:aaaa\r\n",
            "a=fingerprint:sha-256 AA:BB\r\n",
            "a=setup:passive\r\n",
            "a=mid:0\r\n",
            "a=rtcp-mux\r\n",
            "a=candidate:1 1 udp 2130706431 192.0.2.7 20000 typ host\r\n",
        ] {
            assert!(answer.contains(line), "{line:?} in {answer}");
        }
        let Some(MediaCommand::Browser {
            side,
            remote,
            formats,
            ..
        }) = out
            .iter()
            .rfind(|c| matches!(c, MediaCommand::Browser { .. }))
        else {
            panic!("the browser's end is set up: {out:?}");
        };
        assert_eq!(*side, Side::A);
        assert_eq!((remote.ufrag.as_str(), remote.ssrc), ("F7gI", Some(777)));
        let pts: Vec<u8> = formats.iter().map(|f| f.pt).collect();
        assert_eq!(pts, [8, 126]);
        assert!(matches!(&out[0], MediaCommand::Peer { side: Side::B, .. }));
        let again = text(
            bridge
                .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
                .unwrap(),
        );
        assert_eq!(
            again, answer,
            "a 200 after a 183 gives the browser the same answer"
        );
    }

    #[test]
    fn a_browser_putting_a_phone_on_hold_gets_a_recvonly_answer_whatever_the_phone_says() {
        let mut bridge = Bridge::default();
        let mut out = Vec::new();
        let hold = BROWSER_OFFER.replace("a=sendrecv", "a=sendonly");
        let offer = bridge
            .read_offer(CallId(1), Side::A, hold.as_bytes(), &mut out)
            .unwrap();
        let plain = text(bridge.write_offer(&anchor(), &offer, false).unwrap());
        assert!(
            plain.contains("a=sendonly\r\n"),
            "the phone hears it is held: {plain}"
        );
        let phone = "v=0\r\no=- 7 8 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 0\r\n";
        let answer = text(
            bridge
                .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
                .unwrap(),
        );
        assert!(answer.contains("a=recvonly\r\n"), "{answer}");
    }

    #[test]
    fn holding_one_side_plays_the_other_music_until_it_is_taken_back() {
        let (mut bridge, mut out, offer) = caller_offers(PBX_OFFER);
        bridge.write_offer(&anchor(), &offer, false).unwrap();
        let phone = "v=0\r\no=- 7 7 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 0\r\n";
        bridge
            .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
            .unwrap();
        out.clear();
        // The phone (B) holds the PBX's caller: the caller hears music, as
        // A-law, the first G.711 of its own description.
        let hold = phone.replace("RTP/AVP 0\r\n", "RTP/AVP 0\r\na=sendonly\r\n");
        bridge
            .read_offer(CallId(1), Side::B, hold.as_bytes(), &mut out)
            .unwrap();
        let play = MediaCommand::Play {
            call: CallId(1),
            side: Side::A,
            prompt: HOLD_MUSIC.into(),
            pt: 8,
            looped: true,
        };
        assert_eq!(out.iter().filter(|c| **c == play).count(), 1, "{out:?}");
        out.clear();
        bridge
            .read_offer(CallId(1), Side::B, hold.as_bytes(), &mut out)
            .unwrap();
        assert!(
            !out.contains(&play),
            "a repeated hold does not restart the music"
        );
        bridge
            .read_offer(CallId(1), Side::B, phone.as_bytes(), &mut out)
            .unwrap();
        assert!(out.contains(&MediaCommand::StopPlaying {
            call: CallId(1),
            side: Side::A
        }));
        out.clear();
        let inactive = phone.replace("RTP/AVP 0\r\n", "RTP/AVP 0\r\na=inactive\r\n");
        bridge
            .read_offer(CallId(1), Side::B, inactive.as_bytes(), &mut out)
            .unwrap();
        assert!(
            !out.contains(&play),
            "an inactive hold: nothing may be sent"
        );
    }

    #[test]
    fn a_phones_offer_reaches_a_browser_as_webrtc_and_its_answer_returns_plain() {
        let (mut bridge, mut out, offer) = caller_offers(PBX_OFFER);
        let webrtc = text(bridge.write_offer(&anchor(), &offer, true).unwrap());
        assert!(
            webrtc.contains("m=audio 20004 UDP/TLS/RTP/SAVPF 8 0 101\r\n"),
            "{webrtc}"
        );
        assert!(webrtc.contains("a=setup:actpass\r\n") && webrtc.contains("a=ice-ufrag:bbbb\r\n"));
        assert!(
            webrtc.contains("a=ssrc:2 cname:switchboard\r\n"),
            "{webrtc}"
        );
        let browser = BROWSER_OFFER
            .replace("111 0 8 126", "8 101")
            .replace("a=setup:actpass", "a=setup:active");
        let plain = text(
            bridge
                .answer(&anchor(), CallId(1), Side::B, browser.as_bytes(), &mut out)
                .unwrap(),
        );
        assert!(plain.contains("m=audio 20000 RTP/AVP 8\r\n"), "{plain}");
        assert!(plain.contains("a=rtpmap:8 PCMA/8000\r\n"), "{plain}");
        let Some(MediaCommand::Browser { side, remote, .. }) = out
            .iter()
            .rfind(|c| matches!(c, MediaCommand::Browser { .. }))
        else {
            panic!("{out:?}");
        };
        assert_eq!((*side, remote.setup), (Side::B, Setup::Active));
    }

    #[test]
    fn each_side_is_told_what_it_sends_with_and_numbers_the_other_side_differs_on_are_mapped() {
        // A browser numbers telephone-event 126; the phone answers 101.
        let (mut bridge, mut out, offer) = caller_offers(BROWSER_OFFER);
        bridge.write_offer(&anchor(), &offer, false).unwrap();
        let phone = "v=0\r\no=- 7 7 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
        bridge
            .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
            .unwrap();
        let sending = |side| {
            out.iter().rev().find_map(|c| match c {
                MediaCommand::Sending {
                    side: s,
                    events,
                    renumber,
                    ..
                } if *s == side => Some((*events, renumber.clone())),
                _ => None,
            })
        };
        assert_eq!(
            sending(Side::A),
            Some((Some(126), vec![(126, 101)])),
            "the browser's keys reach the phone as 101"
        );
        assert_eq!(
            sending(Side::B),
            Some((Some(126), vec![])),
            "the phone sends with the numbers of the offer it got"
        );
        // Between phones nothing is renumbered, but each side's keys are
        // read under the number it was told.
        let (mut bridge, mut out, offer) = caller_offers(PBX_OFFER);
        bridge.write_offer(&anchor(), &offer, false).unwrap();
        let answer = phone.replace("101", "96");
        bridge
            .answer(&anchor(), CallId(1), Side::B, answer.as_bytes(), &mut out)
            .unwrap();
        let told_a = out.iter().find_map(|c| match c {
            MediaCommand::Sending {
                side: Side::A,
                events,
                renumber,
                ..
            } => Some((*events, renumber.clone())),
            _ => None,
        });
        assert_eq!(told_a, Some((Some(96), vec![])));
    }

    #[test]
    fn a_browser_restarting_ice_gets_an_answer_with_new_credentials() {
        let (mut bridge, mut out, offer) = caller_offers(BROWSER_OFFER);
        bridge.write_offer(&anchor(), &offer, false).unwrap();
        let phone = "v=0\r\no=- 7 7 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
            m=audio 6000 RTP/AVP 0\r\n";
        let first = text(
            bridge
                .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
                .unwrap(),
        );
        assert!(first.contains("a=ice-ufrag:aaaa\r\n"));
        // A hold keeps the credentials; a re-offer with a new ufrag is a
        // restart, answered with new ones.
        let restart = BROWSER_OFFER
            .replace("ice-ufrag:F7gI", "ice-ufrag:R3st")
            .replace("x9cml/YzichV2+XlhiMu8g", "n3wPassw0rdn3wPassw0rd");
        for (offer_text, restarted) in [(BROWSER_OFFER, false), (restart.as_str(), true)] {
            out.clear();
            let offer = bridge
                .read_offer(CallId(1), Side::A, offer_text.as_bytes(), &mut out)
                .unwrap();
            bridge.write_offer(&anchor(), &offer, false).unwrap();
            let answer = text(
                bridge
                    .answer(&anchor(), CallId(1), Side::B, phone.as_bytes(), &mut out)
                    .unwrap(),
            );
            assert_eq!(
                !answer.contains("a=ice-ufrag:aaaa\r\n"),
                restarted,
                "{answer}"
            );
            let Some(MediaCommand::Browser { local, remote, .. }) = out
                .iter()
                .rfind(|c| matches!(c, MediaCommand::Browser { .. }))
            else {
                panic!("{out:?}");
            };
            assert!(answer.contains(&format!("a=ice-ufrag:{}\r\n", local.ufrag)));
            assert!(answer.contains(&format!("a=ice-pwd:{}\r\n", local.pwd)));
            assert!(local.pwd.len() >= 22, "RFC 8839: at least 128 bits");
            assert_eq!(remote.ufrag, if restarted { "R3st" } else { "F7gI" });
        }
    }

    #[test]
    fn unreadable_sdp_and_a_browser_without_g711_are_refused() {
        let mut bridge = Bridge::default();
        let mut out = Vec::new();
        let bad = bridge.read_offer(CallId(1), Side::A, b"v=0\r\nbogus", &mut out);
        assert!(bad.unwrap_err().starts_with("unreadable SDP"));
        let opus_only = BROWSER_OFFER.replace("111 0 8 126", "111");
        let refused = bridge.read_offer(CallId(1), Side::A, opus_only.as_bytes(), &mut out);
        assert!(refused.unwrap_err().contains("PCMU or PCMA"));
        assert!(!is_sdp("application/dtmf-relay") && is_sdp("Application/SDP; charset=x"));
    }
}
