//! A browser's end of a media stream: str0m terminates its ICE (we are
//! ICE-lite: we answer the browser's checks on the stream's port and never
//! start our own) and DTLS-SRTP, in RTP mode, so what comes out is the
//! browser's RTP packets as sent, decrypted, ready for the plain side, and
//! what goes in is the plain side's packets, encrypted for the browser.
//!
//! str0m is sans-IO like our cores: the stream's task hands it datagrams
//! and the time, and sends what it asks to send.
//!
//! Why str0m: it is the one Rust WebRTC stack built sans-IO, so one thread
//! can drive many peers from its own loop (webrtc-rs brings a runtime, tasks
//! and buffers per peer); it has ICE-lite, a direct API to set credentials
//! and fingerprints from descriptions we write ourselves, and an RTP mode
//! that passes packets without depacketising. We take 0.24 with its
//! `rust-crypto` feature for SRTP and the certificate (0.25's has not been
//! published); its DTLS crate (`dimpl`) still brings aws-lc-rs.

use std::net::SocketAddr;
use std::time::Instant;

use str0m::config::DtlsCert;
use str0m::format::{Codec, FormatParams};
use str0m::media::{Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo, Ssrc};
use str0m::{Candidate, Event, IceConnectionState, IceCreds, Input, Output, Rtc};

use crate::media::rtp::RtpHeader;
use crate::media::splice::Splice;
use crate::sdp::webrtc::{Format, Setup, WebRtcLocal, WebRtcRemote};

/// One browser leg.
pub struct BrowserLeg {
    rtc: Rtc,
    /// Our end as the browser sees it: the candidate's address.
    local: SocketAddr,
    remote_ufrag: String,
    remote_fingerprint: String,
    ssrc: Ssrc,
    /// The other side's packets and prompts, numbered as one stream.
    splice: Splice,
    next_timeout: Option<Instant>,
}

impl BrowserLeg {
    /// A leg whose descriptions were agreed: ours (`local`) and the
    /// browser's (`remote`), carrying `formats`.
    pub fn new(
        cert: &DtlsCert,
        candidate: SocketAddr,
        local: &WebRtcLocal,
        remote: &WebRtcRemote,
        formats: &[Format],
        now: Instant,
    ) -> Result<BrowserLeg, String> {
        let mut config = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            .set_dtls_cert(cert.clone())
            // Our descriptions offer no header extensions, so none are
            // written or expected (str0m's default adds transport-wide
            // congestion control and others).
            .clear_extension_map()
            .clear_codecs();
        for format in formats {
            let codec = match format.encoding.to_ascii_uppercase().as_str() {
                "PCMU" => Codec::PCMU,
                "PCMA" => Codec::PCMA,
                "TELEPHONE-EVENT" => Codec::Tele,
                other => return Err(format!("cannot bridge {other} to a browser")),
            };
            config.codec_config().add_config(
                format.pt.into(),
                None,
                codec,
                Frequency::EIGHT_KHZ,
                None,
                FormatParams::default(),
            );
        }
        let mut rtc = config.build(now);
        let host = Candidate::host(candidate, "udp").map_err(|e| e.to_string())?;
        rtc.add_local_candidate(host);
        let fingerprint = remote
            .fingerprint
            .parse()
            .map_err(|_| format!("unreadable fingerprint {:?}", remote.fingerprint))?;
        let mid = Mid::from(remote.mid.as_str());
        let mut api = rtc.direct_api();
        api.set_ice_controlling(false);
        set_credentials(&mut api, local, remote);
        api.set_remote_fingerprint(fingerprint);
        api.declare_media(mid, MediaKind::Audio);
        api.declare_stream_tx(local.ssrc.into(), None, mid, None);
        if let Some(ssrc) = remote.ssrc {
            api.expect_stream_rx(ssrc.into(), None, mid, None);
        }
        // The browser chose its role against ours (RFC 5763): it is the
        // DTLS client unless it said passive.
        api.start_dtls(remote.setup == Setup::Passive)
            .map_err(|e| e.to_string())?;
        Ok(BrowserLeg {
            rtc,
            local: candidate,
            remote_ufrag: remote.ufrag.clone(),
            remote_fingerprint: remote.fingerprint.clone(),
            ssrc: local.ssrc.into(),
            splice: Splice::default(),
            next_timeout: Some(now),
        })
    }

    /// Whether `remote` is the browser this leg talks to (a re-offer that
    /// did not restart ICE).
    pub fn same_peer(&self, remote: &WebRtcRemote) -> bool {
        self.remote_ufrag == remote.ufrag
    }

    /// Whether `remote` keeps this leg's DTLS association: the same
    /// certificate (an ICE restart does not renegotiate DTLS, RFC 8842
    /// §5.4).
    pub fn same_dtls(&self, remote: &WebRtcRemote) -> bool {
        self.remote_fingerprint == remote.fingerprint
    }

    /// An ICE restart (RFC 8445 §2.4): both sides' new credentials; the
    /// browser's checks on them find the path again, and DTLS and SRTP go
    /// on as they were.
    pub fn restart_ice(&mut self, local: &WebRtcLocal, remote: &WebRtcRemote) {
        set_credentials(&mut self.rtc.direct_api(), local, remote);
        remote.ufrag.clone_into(&mut self.remote_ufrag);
        tracing::info!(ufrag = %remote.ufrag, "a browser restarted ICE");
    }

    /// A datagram from the browser (STUN, DTLS or SRTP).
    pub fn receive(&mut self, now: Instant, from: SocketAddr, bytes: &[u8]) {
        let Ok(contents) = bytes.try_into() else {
            return; // neither STUN, DTLS nor RTP: nothing of ours
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: from,
                destination: self.local,
                contents,
            },
        );
        if let Err(error) = self.rtc.handle_input(input) {
            tracing::debug!(%error, "a browser's datagram was refused");
        }
    }

    /// An RTP packet from the other side or a prompt (and its header), for
    /// the browser.
    pub fn send_rtp(&mut self, now: Instant, header: &RtpHeader, packet: &[u8]) {
        let (sequence, timestamp, marker) = self.splice.number(now, header);
        let write = RtpWrite::new(
            header.payload_type.into(),
            SeqNo::from(sequence),
            timestamp,
            now,
            header.payload(packet).to_vec(),
        )
        .marker(marker);
        if let Some(stream) = self.rtc.direct_api().stream_tx(&self.ssrc) {
            stream.write_rtp(write);
        }
    }

    /// The time has come for str0m's timers (ICE consent, DTLS
    /// retransmissions, RTCP reports).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.next_timeout.is_some_and(|t| t <= now) {
            let _ = self.rtc.handle_input(Input::Timeout(now));
        }
    }

    /// Everything str0m has to say: datagrams for the browser go to
    /// `transmit`, the browser's RTP packets (as plain RTP, with their
    /// header) to `rtp`.
    pub fn poll(
        &mut self,
        mut transmit: impl FnMut(SocketAddr, &[u8]),
        mut rtp: impl FnMut(RtpHeader, Vec<u8>),
    ) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Transmit(datagram)) => {
                    transmit(datagram.destination, &datagram.contents)
                }
                Ok(Output::Event(Event::RtpPacket(packet))) => {
                    let (header, bytes) = plain(&packet);
                    rtp(header, bytes);
                }
                Ok(Output::Event(Event::IceConnectionStateChange(state))) => {
                    tracing::debug!(?state, "browser ICE");
                    if state == IceConnectionState::Disconnected {
                        tracing::info!("a browser's media went away");
                    }
                }
                Ok(Output::Event(event)) => tracing::trace!(?event, "browser leg"),
                Ok(Output::Timeout(at)) => {
                    self.next_timeout = Some(at);
                    return;
                }
                Err(error) => {
                    tracing::debug!(%error, "browser leg");
                    self.next_timeout = None;
                    return;
                }
            }
        }
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        self.next_timeout
    }
}

/// A packet str0m decrypted, as plain RTP (the fixed header and the
/// payload) and that header as the relay reads one.
fn plain(packet: &str0m::rtp::RtpPacket) -> (RtpHeader, Vec<u8>) {
    let header = RtpHeader::new(
        packet.header.marker,
        *packet.header.payload_type,
        packet.header.sequence_number,
        packet.header.timestamp,
        *packet.header.ssrc,
    );
    let mut bytes = header.bytes().to_vec();
    bytes.extend_from_slice(&packet.payload);
    (header, bytes)
}

/// Both sides' ICE credentials, as our description and the browser's give them.
fn set_credentials(
    api: &mut str0m::change::DirectApi<'_>,
    local: &WebRtcLocal,
    remote: &WebRtcRemote,
) {
    api.set_local_ice_credentials(IceCreds {
        ufrag: local.ufrag.clone(),
        pass: local.pwd.clone(),
    });
    api.set_remote_ice_credentials(IceCreds {
        ufrag: remote.ufrag.clone(),
        pass: remote.pwd.clone(),
    });
}
