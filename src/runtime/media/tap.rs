//! A supervisor on an agent's call: the monitored stream hands the audio of
//! both its sides to the tap as it relays it, and the supervisor's own
//! stream plays their mix to the supervisor; in whisper and barge modes the
//! supervisor's voice is mixed into what the agent (whisper) or both sides
//! (barge) hear. Audio is decoded from and encoded to G.711 (payload types
//! 0 and 8, which both phones and browsers use); other payloads pass as
//! they are.
//!
//! Mixing works on what has arrived: each side's samples wait in a short
//! buffer until the supervisor's next 20 ms frame takes them, and the
//! supervisor's samples wait until the next packet to a side they are
//! mixed into. A buffer longer than MAX_BUFFERED drops its oldest samples,
//! so a stalled side never delays the others.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::media::g711;
use crate::media::relay::Side;
use crate::media::rtp::RtpHeader;

/// 100 ms at 8 kHz.
const MAX_BUFFERED: usize = 800;

/// What the supervisor does on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Hears both sides; neither hears them.
    Listen,
    /// Hears both sides; the agent hears them too, the other side not.
    Whisper,
    /// Hears both sides, and both hear them.
    Barge,
}

/// The state a monitored stream and its supervisor's stream share.
#[derive(Debug)]
pub struct Tap {
    pub(super) mode: Mode,
    /// The side of the monitored stream the agent is on.
    pub(super) agent: Side,
    /// Audio each monitored side sent (A, B), not yet played to the
    /// supervisor.
    heard: [VecDeque<i16>; 2],
    /// The supervisor's audio, not yet mixed into a side's.
    spoken: [VecDeque<i16>; 2],
}

pub type SharedTap = Arc<Mutex<Tap>>;

pub(super) fn lock(tap: &SharedTap) -> std::sync::MutexGuard<'_, Tap> {
    tap.lock().unwrap_or_else(|e| e.into_inner())
}

/// A G.711 payload type's codec: `Some(true)` A-law, `Some(false)` μ-law.
fn alaw(payload_type: u8) -> Option<bool> {
    match payload_type {
        0 => Some(false),
        8 => Some(true),
        _ => None,
    }
}

fn decode(alaw: bool, code: u8) -> i16 {
    if alaw {
        g711::alaw_to_linear(code)
    } else {
        g711::ulaw_to_linear(code)
    }
}

fn encode(alaw: bool, sample: i16) -> u8 {
    if alaw {
        g711::alaw_from_linear(sample)
    } else {
        g711::ulaw_from_linear(sample)
    }
}

fn push(buffer: &mut VecDeque<i16>, samples: impl Iterator<Item = i16>) {
    buffer.extend(samples);
    let excess = buffer.len().saturating_sub(MAX_BUFFERED);
    buffer.drain(..excess);
}

fn index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

impl Tap {
    pub fn new(mode: Mode, agent: Side) -> SharedTap {
        Arc::new(Mutex::new(Tap {
            mode,
            agent,
            heard: Default::default(),
            spoken: Default::default(),
        }))
    }

    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
        if mode == Mode::Listen {
            self.spoken = Default::default();
        }
    }

    /// Whether the side hears the supervisor in the current mode.
    fn hears_supervisor(&self, side: Side) -> bool {
        match self.mode {
            Mode::Listen => false,
            Mode::Whisper => side == self.agent,
            Mode::Barge => true,
        }
    }

    /// A packet `side` of the monitored stream sent on its way to the
    /// other side: its audio is kept for the supervisor, and the
    /// supervisor's voice is mixed into it when the other side is to hear
    /// them (the packet keeps its header and length).
    pub(super) fn relay(&mut self, side: Side, header: &RtpHeader, packet: &mut [u8]) {
        let Some(alaw) = alaw(header.payload_type) else {
            return;
        };
        let start = packet.len() - header.payload(packet).len();
        let payload = &mut packet[start..];
        push(
            &mut self.heard[index(side)],
            payload.iter().map(|&code| decode(alaw, code)),
        );
        let to = side.other();
        if !self.hears_supervisor(to) {
            return;
        }
        let spoken = &mut self.spoken[index(to)];
        for code in payload.iter_mut() {
            let Some(voice) = spoken.pop_front() else {
                break;
            };
            *code = encode(alaw, decode(alaw, *code).saturating_add(voice));
        }
    }

    /// What the supervisor sent (a packet from their phone): kept to be
    /// mixed into what the sides that hear them get.
    pub(super) fn spoken(&mut self, header: &RtpHeader, packet: &[u8]) {
        let Some(alaw) = alaw(header.payload_type) else {
            return;
        };
        for side in [Side::A, Side::B] {
            if self.hears_supervisor(side) {
                let samples = header
                    .payload(packet)
                    .iter()
                    .map(|&code| decode(alaw, code));
                push(&mut self.spoken[index(side)], samples);
            }
        }
    }

    /// The supervisor's next frame: `len` samples of both sides, mixed
    /// (silence where nothing has come).
    pub(super) fn frame(&mut self, len: usize) -> Vec<i16> {
        (0..len)
            .map(|_| {
                let a = self.heard[0].pop_front().unwrap_or(0);
                let b = self.heard[1].pop_front().unwrap_or(0);
                a.saturating_add(b)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(pt: u8, sample: i16) -> (RtpHeader, Vec<u8>) {
        let header = RtpHeader::new(false, pt, 1, 160, 7);
        let mut packet = header.bytes().to_vec();
        packet.extend(std::iter::repeat_n(g711::ulaw_from_linear(sample), 160));
        (header, packet)
    }

    fn level(packet: &[u8]) -> i16 {
        g711::ulaw_to_linear(packet[12])
    }

    #[test]
    fn a_listener_hears_both_sides_and_nobody_hears_them() {
        let tap = Tap::new(Mode::Listen, Side::B);
        let mut tap = lock(&tap);
        let (header, mut from_caller) = packet(0, 1000);
        tap.relay(Side::A, &header, &mut from_caller);
        let (header, mut from_agent) = packet(0, 2000);
        tap.relay(Side::B, &header, &mut from_agent);
        let (header, voice) = packet(0, 500);
        tap.spoken(&header, &voice);
        let mix = tap.frame(160);
        assert!((2900..=3100).contains(&mix[0]), "{}", mix[0]);
        assert!(
            tap.frame(160).iter().all(|s| *s == 0),
            "nothing more has come"
        );
        let (header, mut next) = packet(0, 1000);
        tap.relay(Side::A, &header, &mut next);
        assert_eq!(
            level(&next),
            level(&from_caller),
            "the agent does not hear the listener"
        );
    }

    #[test]
    fn a_whisper_reaches_the_agent_only_and_a_barge_both_sides() {
        let shared = Tap::new(Mode::Whisper, Side::B);
        let mut tap = lock(&shared);
        let (header, voice) = packet(0, 500);
        tap.spoken(&header, &voice);
        let (header, mut to_agent) = packet(0, 1000);
        tap.relay(Side::A, &header, &mut to_agent);
        assert!(
            (1450..=1550).contains(&level(&to_agent)),
            "{}",
            level(&to_agent)
        );
        let (header, mut to_caller) = packet(0, 1000);
        tap.relay(Side::B, &header, &mut to_caller);
        assert!(
            (950..=1050).contains(&level(&to_caller)),
            "the caller does not hear a whisper"
        );
        tap.set_mode(Mode::Barge);
        tap.spoken(&header, &voice);
        let (header, mut to_caller) = packet(0, 1000);
        tap.relay(Side::B, &header, &mut to_caller);
        assert!(
            (1450..=1550).contains(&level(&to_caller)),
            "a barge is heard by both"
        );
    }
}
