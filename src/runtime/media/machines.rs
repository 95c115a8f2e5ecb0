//! Listening for an answering machine on side A of a stream (the called
//! party of a call we placed): its G.711 audio, decoded, goes to the
//! [`Detector`] until it has a verdict, which goes to the listener once.

use crate::media::amd::{AmdConfig, Detector, Verdict};
use crate::media::g711;
use crate::media::rtp::RtpHeader;

/// A verdict on who answered a stream's side A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heard {
    /// The listener's tag of the stream.
    pub tag: u64,
    pub verdict: Verdict,
}

pub(super) struct MachineTap {
    detector: Detector,
    listener: tokio::sync::mpsc::UnboundedSender<Heard>,
    tag: u64,
    samples: Vec<i16>,
}

impl MachineTap {
    pub(super) fn new(listener: tokio::sync::mpsc::UnboundedSender<Heard>, tag: u64) -> Self {
        MachineTap {
            detector: Detector::new(AmdConfig::default()),
            listener,
            tag,
            samples: Vec::with_capacity(160),
        }
    }

    /// Reads a packet side A sent; `true` once the verdict is given.
    pub(super) fn hear(&mut self, header: &RtpHeader, packet: &[u8]) -> bool {
        let decode: fn(u8) -> i16 = match header.payload_type {
            0 => g711::ulaw_to_linear,
            8 => g711::alaw_to_linear,
            _ => return false, // events, comfort noise: not speech
        };
        self.samples.clear();
        self.samples
            .extend(header.payload(packet).iter().map(|b| decode(*b)));
        match self.detector.frame(&self.samples) {
            Some((verdict, reason)) => {
                tracing::debug!(
                    tag = self.tag,
                    ?verdict,
                    ?reason,
                    heard_ms = self.detector.heard_ms(),
                    "amd.verdict"
                );
                let _ = self.listener.send(Heard {
                    tag: self.tag,
                    verdict,
                });
                true
            }
            None => false,
        }
    }
}
