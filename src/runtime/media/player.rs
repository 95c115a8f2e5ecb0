//! Playing a prompt or hold music to one side of a stream: 20 ms G.711
//! frames, paced by the stream's own timer, with an SSRC, sequence numbers
//! and timestamps of their own. While a side is played to, what the other
//! side sends it is held back: a prompt is not talked over.

use std::time::{Duration, Instant};

use crate::media::g711;
use crate::media::rtp::RtpHeader;
use crate::runtime::prompts::Samples;

/// 20 ms of 8 kHz audio.
const FRAME: usize = 160;
const FRAME_TIME: Duration = Duration::from_millis(20);

pub(super) struct Player {
    samples: Samples,
    at: usize,
    looped: bool,
    /// What loops once `samples` (not looped) are over: hold music after
    /// an announcement.
    then: Option<Samples>,
    /// Plays a monitored call's mix instead of `samples`, for as long as
    /// the supervisor is on it.
    live: Option<super::tap::SharedTap>,
    /// The payload type the side agreed for PCMU (0) or PCMA (8).
    pt: u8,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    pub(super) next: Instant,
}

impl Player {
    pub(super) fn new(samples: Samples, pt: u8, looped: bool, now: Instant) -> Player {
        Player {
            samples,
            at: 0,
            looped,
            then: None,
            live: None,
            pt,
            ssrc: rand::random(),
            sequence: rand::random(),
            timestamp: rand::random(),
            next: now,
        }
    }

    /// A player of a monitored call's mix (see `tap.rs`).
    pub(super) fn live(tap: super::tap::SharedTap, pt: u8, now: Instant) -> Player {
        let mut player = Player::new(Samples::from([]), pt, true, now);
        player.live = Some(tap);
        player
    }

    /// Loops `then` once the prompt is over (the stream goes on: same
    /// SSRC, sequence numbers and timestamps).
    pub(super) fn then_loop(mut self, then: Samples) -> Player {
        self.then = Some(then);
        self
    }

    /// The next frame as an RTP packet and its header, once it is due;
    /// `None` when it is not, or when the prompt is over (see
    /// [`Player::finished`]).
    pub(super) fn frame(&mut self, now: Instant) -> Option<(RtpHeader, Vec<u8>)> {
        if !self.looped
            && self.at >= self.samples.len()
            && let Some(then) = self.then.take()
        {
            self.samples = then;
            self.at = 0;
            self.looped = true;
        }
        if now < self.next || self.finished() {
            return None;
        }
        if let Some(tap) = &self.live {
            self.samples = super::tap::lock(tap).frame(FRAME).into();
            self.at = 0;
        }
        if self.looped && self.at >= self.samples.len() {
            self.at = 0;
        }
        let end = (self.at + FRAME).min(self.samples.len());
        let alaw = self.pt == 8;
        // The marker bit starts a talk spurt: the first frame.
        let marker = self.at == 0 && !self.looped;
        let header = RtpHeader::new(marker, self.pt, self.sequence, self.timestamp, self.ssrc);
        let mut packet = Vec::with_capacity(12 + FRAME);
        packet.extend_from_slice(&header.bytes());
        for i in self.at..self.at + FRAME {
            // The last frame is padded with silence to a whole frame.
            let sample = if i < end { self.samples[i] } else { 0 };
            packet.push(if alaw {
                g711::alaw_from_linear(sample)
            } else {
                g711::ulaw_from_linear(sample)
            });
        }
        self.at = end;
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
        // Paced from the schedule, not from when the timer fired, so
        // late wake-ups do not stretch the prompt.
        self.next += FRAME_TIME;
        if self.next + FRAME_TIME < now {
            self.next = now;
        }
        Some((header, packet))
    }

    pub(super) fn finished(&self) -> bool {
        self.live.is_none() && !self.looped && self.at >= self.samples.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_gives_way_to_the_music_in_the_same_stream() {
        let start = Instant::now();
        let announcement: Samples = vec![1000i16; 320].into();
        let music: Samples = vec![-1000i16; 160].into();
        let mut player = Player::new(announcement, 0, false, start).then_loop(music);
        let mut payloads = Vec::new();
        let mut headers = Vec::new();
        for n in 0..5 {
            let (header, packet) = player
                .frame(start + FRAME_TIME * n)
                .expect("a frame is due");
            headers.push(header);
            payloads.push(packet[12]);
        }
        let speech = g711::ulaw_from_linear(1000);
        let tune = g711::ulaw_from_linear(-1000);
        assert_eq!(
            payloads,
            [speech, speech, tune, tune, tune],
            "then the music loops"
        );
        assert!(!player.finished());
        let sequences: Vec<u16> = headers.iter().map(|h| h.sequence).collect();
        assert!(
            sequences.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
            "one stream: {sequences:?}"
        );
        assert!(headers.iter().all(|h| h.ssrc == headers[0].ssrc));
    }
}
