//! One call's stream: the handle the SIP engine holds, and the state its
//! task shares with it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use str0m::config::DtlsCert;
use tokio::sync::Notify;

use super::keys::{Digit, Keys};
use super::player::Player;
use super::tap::{Mode, SharedTap, Tap};
use super::task::run;
use super::{Media, MediaError};
use crate::media::relay::{Relay, Side, Stats};
use crate::runtime::clock;
use crate::runtime::prompts::Samples;
use crate::runtime::recording::Recording;
use crate::runtime::webrtc::BrowserLeg;
use crate::sdp::webrtc::{Format, WebRtcLocal, WebRtcRemote};

/// What a stream's two legs have sent, RTP and RTCP apart, and its
/// recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamStats {
    pub a: Stats,
    pub b: Stats,
    pub a_rtcp: Stats,
    pub b_rtcp: Stats,
    /// The recording's file (under the recordings folder) and length.
    pub recording: Option<(String, u64)>,
}

/// The relays of one stream: RTP between the RTP ports, RTCP between the
/// ports above, and the WebRTC end of a side that is a browser. Shared by
/// the stream's task (which feeds them packets) and its handle (which reads
/// their counts and tells them of SDP changes).
pub(super) struct Relays {
    pub(super) rtp: Relay,
    pub(super) rtcp: Relay,
    pub(super) browsers: [Option<BrowserLeg>; 2],
    /// Each side's audio as it passes, when the call is recorded.
    pub(super) recording: Option<Recording>,
    /// The digits each side keys (RFC 4733), for whoever listens.
    pub(super) keys: Keys,
    /// A prompt or music being played to each side.
    pub(super) players: [Option<Player>; 2],
    /// Payload types each side sends that the other numbers differently.
    pub(super) renumber: [Vec<(u8, u8)>; 2],
    /// A supervisor on this call, or this stream is a supervisor's.
    pub(super) tap: Option<TapEnd>,
    /// Listening for an answering machine on side A, until a verdict.
    pub(super) machines: Option<super::machines::MachineTap>,
}

/// Which end of a tap a stream is.
pub(super) enum TapEnd {
    /// The agent's call: its audio goes to the tap, the supervisor's voice
    /// comes from it.
    Monitored(SharedTap),
    /// The supervisor's call (side A is the supervisor).
    Supervisor(SharedTap),
}

pub(super) struct Shared {
    pub(super) relays: Mutex<Relays>,
    /// Wakes the task when a browser leg is set up: it has datagrams to
    /// send and timers to keep before any packet comes.
    pub(super) wake: Notify,
}

pub(super) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Relays> {
    shared.relays.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

/// A stream being relayed; dropping it (or [`Stream::close`]) stops the
/// relay and frees its ports.
pub struct Stream {
    /// Leg A's RTP port (RTCP is one above), to put in the SDP sent to A.
    pub port_a: u16,
    /// Leg B's RTP port, for the SDP sent to B.
    pub port_b: u16,
    relays: Arc<Shared>,
    /// Where each side's browser would reach us: the candidate we give it.
    candidates: [SocketAddr; 2],
    cert: DtlsCert,
    /// `None` once closed.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Stream {
    /// Opens a stream whose legs receive at `a` and `b` as their SDPs say
    /// (`None` while a leg's SDP is not known yet).
    pub fn open(
        media: &Media,
        a: Option<SocketAddr>,
        b: Option<SocketAddr>,
    ) -> Result<Stream, MediaError> {
        let (rtp_a, rtcp_a) = media.ports.pair()?;
        let (rtp_b, rtcp_b) = media.ports.pair()?;
        let port_a = rtp_a.local_addr().map_err(MediaError::Bind)?.port();
        let port_b = rtp_b.local_addr().map_err(MediaError::Bind)?.port();
        let sockets = [rtp_a, rtp_b, rtcp_a, rtcp_b];
        for socket in &sockets {
            socket.set_nonblocking(true).map_err(MediaError::Bind)?;
        }
        let relays = Arc::new(Shared {
            relays: Mutex::new(Relays {
                rtp: Relay::new(a, b),
                rtcp: Relay::new(rtcp_of(a), rtcp_of(b)),
                browsers: [None, None],
                recording: None,
                keys: Keys::default(),
                renumber: Default::default(),
                players: [None, None],
                tap: None,
                machines: None,
            }),
            wake: Notify::new(),
        });
        let task = media.thread().spawn(run(sockets, relays.clone()));
        Ok(Stream {
            port_a,
            port_b,
            relays,
            candidates: [
                SocketAddr::new(media.address, port_a),
                SocketAddr::new(media.address, port_b),
            ],
            cert: media.cert.clone(),
            task: Some(task),
        })
    }

    /// A side is a browser whose descriptions are agreed: its ICE and DTLS
    /// end starts here. A re-offer from the same browser (hold, resume)
    /// keeps the end it has; one that restarts ICE (new credentials, the
    /// same DTLS certificate) keeps its DTLS and SRTP and checks the new
    /// path.
    pub fn browser(
        &self,
        side: Side,
        local: &WebRtcLocal,
        remote: &WebRtcRemote,
        formats: &[Format],
    ) -> Result<(), String> {
        let mut relays = lock(&self.relays);
        let slot = &mut relays.browsers[index(side)];
        if let Some(leg) = slot.as_mut() {
            if leg.same_peer(remote) {
                return Ok(());
            }
            if leg.same_dtls(remote) {
                leg.restart_ice(local, remote);
                drop(relays);
                self.relays.wake.notify_one();
                return Ok(());
            }
        }
        let candidate = self.candidates[index(side)];
        let leg = BrowserLeg::new(
            &self.cert,
            candidate,
            local,
            remote,
            formats,
            clock::instant(),
        )?;
        *slot = Some(leg);
        relays.keys.events[index(side)] = crate::calls::events_pt(formats);
        // The relay sends the other side's packets this way only to a side
        // it knows an address for; the browser's end takes them from here.
        relays.rtp.advertise(side, Some(candidate));
        drop(relays);
        self.relays.wake.notify_one();
        Ok(())
    }

    /// A leg's SDP changed (an answer came, or a re-INVITE): its media goes
    /// there from the next packet on.
    pub fn advertise(&self, side: Side, address: Option<SocketAddr>) {
        let mut relays = lock(&self.relays);
        relays.rtp.advertise(side, address);
        relays.rtcp.advertise(side, rtcp_of(address));
    }

    pub fn stats(&self) -> StreamStats {
        let relays = lock(&self.relays);
        StreamStats {
            a: relays.rtp.stats(Side::A),
            b: relays.rtp.stats(Side::B),
            a_rtcp: relays.rtcp.stats(Side::A),
            b_rtcp: relays.rtcp.stats(Side::B),
            recording: relays
                .recording
                .as_ref()
                .map(|r| (r.relative.clone(), r.duration_ms())),
        }
    }

    /// The payload type of `side`'s RFC 4733 events (from its SDP).
    pub fn events(&self, side: Side, pt: Option<u8>) {
        lock(&self.relays).keys.events[index(side)] = pt;
    }

    /// Listens for an answering machine on side A; the verdict goes to
    /// `listener`, with `tag`.
    pub fn detect_machines(
        &self,
        listener: tokio::sync::mpsc::UnboundedSender<super::machines::Heard>,
        tag: u64,
    ) {
        lock(&self.relays).machines = Some(super::machines::MachineTap::new(listener, tag));
    }

    /// Sends every digit either side keys to `listener`, with `tag`.
    pub fn listen(&self, listener: tokio::sync::mpsc::UnboundedSender<Digit>, tag: u64) {
        lock(&self.relays).keys.listener = Some((listener, tag));
    }

    /// Plays `samples` to `side` as G.711 with payload type `pt` (0 PCMU,
    /// 8 PCMA), from its start, again and again when `looped`; what the
    /// other side sends it is held back meanwhile.
    pub fn play(&self, side: Side, samples: Samples, pt: u8, looped: bool) {
        let player = Player::new(samples, pt, looped, clock::instant());
        lock(&self.relays).players[index(side)] = Some(player);
        self.relays.wake.notify_one();
    }

    /// Plays `samples` once to `side`, then loops `then` (an announcement,
    /// then the hold music again).
    pub fn play_then(&self, side: Side, samples: Samples, pt: u8, then: Samples) {
        let player = Player::new(samples, pt, false, clock::instant()).then_loop(then);
        lock(&self.relays).players[index(side)] = Some(player);
        self.relays.wake.notify_one();
    }

    /// Puts the supervisor whose call is `supervisor` on this call in
    /// `mode`: they hear both sides (played to their side A in G.711
    /// payload type `pt`), and are heard as the mode says. `agent` is the
    /// side the agent is on.
    pub fn monitor(&self, supervisor: &Stream, mode: Mode, agent: Side, pt: u8) {
        let tap = Tap::new(mode, agent);
        lock(&self.relays).tap = Some(TapEnd::Monitored(tap.clone()));
        let mut theirs = lock(&supervisor.relays);
        theirs.players[0] = Some(Player::live(tap.clone(), pt, clock::instant()));
        theirs.tap = Some(TapEnd::Supervisor(tap));
        drop(theirs);
        supervisor.relays.wake.notify_one();
    }

    /// The supervisor on this call (or whose call this is) changes mode.
    pub fn monitor_mode(&self, mode: Mode) {
        if let Some(TapEnd::Monitored(tap) | TapEnd::Supervisor(tap)) = &lock(&self.relays).tap {
            super::tap::lock(tap).set_mode(mode);
        }
    }

    /// The supervisor left: this call's audio goes nowhere else.
    pub fn unmonitor(&self) {
        lock(&self.relays).tap = None;
    }

    /// Payload types `side` sends that the other side numbers differently:
    /// each packet's is rewritten on the way (empty: none).
    pub fn renumber(&self, side: Side, map: Vec<(u8, u8)>) {
        lock(&self.relays).renumber[index(side)] = map;
    }

    /// `side` takes keys as SIP INFO: the other side's RFC 4733 events are
    /// not sent to it.
    pub fn keys_by_info(&self, side: Side) {
        lock(&self.relays).keys.by_info[index(side)] = true;
    }

    /// Stops playing to `side`; the other side is heard again.
    pub fn stop_playing(&self, side: Side) {
        lock(&self.relays).players[index(side)] = None;
    }

    /// Whether something is being played to `side`.
    pub fn playing(&self, side: Side) -> bool {
        lock(&self.relays).players[index(side)].is_some()
    }

    /// Records what each side sends from now on, when recording is
    /// configured; [`Stream::stats`] names the file.
    pub fn record(&self, media: &Media) {
        if let Some(recorder) = &media.recorder {
            lock(&self.relays).recording = Some(recorder.begin(clock::instant()));
        }
    }

    /// Stops relaying; the ports are free when this returns.
    pub async fn close(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The RTCP address that goes with an RTP address: the port above.
fn rtcp_of(address: Option<SocketAddr>) -> Option<SocketAddr> {
    address.map(|a| SocketAddr::new(a.ip(), a.port().wrapping_add(1)))
}
