//! The calls' media streams as the engine keeps them: one opened for each
//! call before it rings, told where each side receives as the call core
//! reads their SDP, and closed when the call ends, its counts kept for the
//! call's summary.

use std::collections::HashMap;

use crate::calls::{CallId, MediaAnchor, MediaCommand, MediaCounts, Summary};
use crate::runtime::media::{Digit, Media, MediaError, Stream};
use crate::runtime::prompts::Samples;

/// Prompts and music by name.
pub type Prompts = std::sync::Arc<HashMap<String, Samples>>;
use crate::sdp::webrtc::WebRtcLocal;

pub struct Anchoring {
    media: Media,
    /// Where the streams send the digits they hear (the engine's loop).
    digits: tokio::sync::mpsc::UnboundedSender<Digit>,
    /// Where the streams send their answering-machine verdicts.
    machines: tokio::sync::mpsc::UnboundedSender<crate::runtime::media::machines::Heard>,
    /// Prompts and music by name, loaded at start.
    prompts: Prompts,
    /// Each call's stream.
    streams: HashMap<CallId, Stream>,
    /// Counts of streams closed whose call's summary has not come by yet
    /// (the core closes the stream just before it ends the call).
    closed: HashMap<CallId, MediaCounts>,
}

impl Anchoring {
    pub fn new(
        media: Media,
        digits: tokio::sync::mpsc::UnboundedSender<Digit>,
        machines: tokio::sync::mpsc::UnboundedSender<crate::runtime::media::machines::Heard>,
        prompts: Prompts,
    ) -> Self {
        Anchoring {
            media,
            digits,
            machines,
            prompts,
            streams: HashMap::new(),
            closed: HashMap::new(),
        }
    }

    /// A stream for a call about to start, recorded when `record`.
    pub fn open(&self, record: bool) -> Result<(Stream, MediaAnchor), MediaError> {
        let stream = Stream::open(&self.media, None, None)?;
        if record {
            stream.record(&self.media);
        }
        let anchor = MediaAnchor {
            address: self.media.address,
            caller_port: stream.port_a,
            callee_port: stream.port_b,
            webrtc: [self.webrtc_local(), self.webrtc_local()],
            session_id: rand::random::<u32>().into(),
        };
        Ok((stream, anchor))
    }

    /// Fresh ICE credentials and SSRC for one side (RFC 8839 §5.4: the
    /// password carries at least 128 bits of randomness).
    fn webrtc_local(&self) -> WebRtcLocal {
        WebRtcLocal {
            ufrag: hex::encode(rand::random::<[u8; 4]>()),
            pwd: hex::encode(rand::random::<[u8; 16]>()),
            fingerprint: self.media.fingerprint.clone(),
            ssrc: rand::random(),
        }
    }

    /// The call `stream` was opened for has started as `call`.
    pub fn started(&mut self, call: CallId, stream: Stream) {
        stream.listen(self.digits.clone(), call.0);
        self.streams.insert(call, stream);
        metrics::gauge!("media_streams_active").set(self.streams.len() as f64);
    }

    /// Listens for an answering machine on the call's side A (a called
    /// party); `false` when the call has no stream.
    pub fn detect_machines(&mut self, call: CallId) -> bool {
        match self.streams.get(&call) {
            Some(stream) => {
                stream.detect_machines(self.machines.clone(), call.0);
                true
            }
            None => false,
        }
    }

    /// Records a call from now on (a menu put it through to an extension
    /// whose calls are recorded); one already recorded goes on as it is.
    pub fn record(&mut self, call: CallId) {
        if let Some(stream) = self.streams.get(&call)
            && stream.stats().recording.is_none()
        {
            stream.record(&self.media);
        }
    }

    /// Puts the supervisor whose call is `supervisor` on the call
    /// `monitored` (its agent on `agent_side`); they hear the mix in
    /// payload type `pt`.
    pub fn monitor(
        &mut self,
        monitored: CallId,
        supervisor: CallId,
        mode: crate::runtime::media::tap::Mode,
        agent_side: crate::media::relay::Side,
        pt: u8,
    ) {
        if let (Some(call), Some(theirs)) =
            (self.streams.get(&monitored), self.streams.get(&supervisor))
        {
            call.monitor(theirs, mode, agent_side, pt);
        }
    }

    /// The supervisor on `supervisor`'s call changes mode.
    pub fn monitor_mode(&mut self, supervisor: CallId, mode: crate::runtime::media::tap::Mode) {
        if let Some(stream) = self.streams.get(&supervisor) {
            stream.monitor_mode(mode);
        }
    }

    /// The supervisor left `monitored`.
    pub fn unmonitor(&mut self, monitored: CallId) {
        if let Some(stream) = self.streams.get(&monitored) {
            stream.unmonitor();
        }
    }

    pub fn command(&mut self, command: MediaCommand) {
        match command {
            MediaCommand::Peer {
                call,
                side,
                address,
                events,
            } => {
                if let Some(stream) = self.streams.get(&call) {
                    stream.advertise(side, address);
                    stream.events(side, events);
                }
            }
            MediaCommand::Browser {
                call,
                side,
                local,
                remote,
                formats,
            } => {
                let Some(stream) = self.streams.get(&call) else {
                    return;
                };
                if let Err(error) = stream.browser(side, &local, &remote, &formats) {
                    tracing::warn!(%call, %error, "a browser's media could not start");
                }
            }
            MediaCommand::Play {
                call,
                side,
                prompt,
                pt,
                looped,
            } => {
                let (Some(stream), Some(samples)) =
                    (self.streams.get(&call), self.prompts.get(&prompt))
                else {
                    tracing::debug!(%call, %prompt, "nothing to play");
                    return;
                };
                stream.play(side, samples.clone(), pt, looped);
            }
            MediaCommand::Announce {
                call,
                side,
                prompts,
                pt,
                then,
            } => {
                let Some(stream) = self.streams.get(&call) else {
                    return;
                };
                let parts: Vec<i16> = prompts
                    .iter()
                    .filter_map(|name| self.prompts.get(name))
                    .flat_map(|samples| samples.iter().copied())
                    .collect();
                let then = self
                    .prompts
                    .get(&then)
                    .cloned()
                    .unwrap_or_else(|| std::sync::Arc::from([0i16; 160]));
                if parts.is_empty() {
                    tracing::debug!(%call, ?prompts, "no announcement prompts");
                    return;
                }
                stream.play_then(side, parts.into(), pt, then);
            }
            MediaCommand::Sending {
                call,
                side,
                events,
                renumber,
            } => {
                if let Some(stream) = self.streams.get(&call) {
                    stream.events(side, events);
                    stream.renumber(side, renumber);
                }
            }
            MediaCommand::KeysByInfo { call, side } => {
                if let Some(stream) = self.streams.get(&call) {
                    stream.keys_by_info(side);
                }
            }
            MediaCommand::StopPlaying { call, side } => {
                if let Some(stream) = self.streams.get(&call) {
                    stream.stop_playing(side);
                }
            }
            MediaCommand::Close { call } => {
                let Some(stream) = self.streams.remove(&call) else {
                    return;
                };
                let stats = stream.stats();
                // Dropping it stops the relay; its thread frees the ports.
                drop(stream);
                let mut counts = MediaCounts {
                    from_caller: stats.a,
                    from_callee: stats.b,
                    recording: stats.recording.clone(),
                };
                counts.from_caller.rtcp_packets += stats.a_rtcp.rtcp_packets;
                counts.from_callee.rtcp_packets += stats.b_rtcp.rtcp_packets;
                for (from, stats) in [("caller", stats.a), ("callee", stats.b)] {
                    metrics::counter!("media_rtp_packets_total", "from" => from)
                        .increment(stats.packets);
                    metrics::counter!("media_rtp_lost_total", "from" => from).increment(stats.lost);
                }
                self.closed.insert(call, counts);
                metrics::gauge!("media_streams_active").set(self.streams.len() as f64);
            }
        }
    }

    /// Puts the counts of a call's closed stream on its summary.
    pub fn fill(&mut self, summary: &mut Summary) {
        summary.media = self.closed.remove(&summary.id);
    }
}
