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
            pt,
            ssrc: rand::random(),
            sequence: rand::random(),
            timestamp: rand::random(),
            next: now,
        }
    }

    /// The next frame as an RTP packet and its header, once it is due;
    /// `None` when it is not, or when the prompt is over (see
    /// [`Player::finished`]).
    pub(super) fn frame(&mut self, now: Instant) -> Option<(RtpHeader, Vec<u8>)> {
        if now < self.next || self.finished() {
            return None;
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
        !self.looped && self.at >= self.samples.len()
    }
}
