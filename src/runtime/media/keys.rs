//! The digits each side of a stream keys, read from its RFC 4733 events.

use crate::media::dtmf::Detector;
use crate::media::relay::Side;
use crate::media::rtp::RtpHeader;

use super::stream::index;

/// Reading the digits in each side's RFC 4733 events.
#[derive(Default)]
pub(super) struct Keys {
    /// Each side's telephone-event payload type, once its SDP said.
    pub(super) events: [Option<u8>; 2],
    detectors: [Detector; 2],
    /// Sides that take keys as SIP INFO, and get no RFC 4733 events.
    pub(super) by_info: [bool; 2],
    /// Where digits go, with the tag the listener gave.
    pub(super) listener: Option<(tokio::sync::mpsc::UnboundedSender<Digit>, u64)>,
}

/// A digit keyed on one side of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digit {
    /// The listener's tag of the stream.
    pub tag: u64,
    pub side: Side,
    pub digit: char,
}

impl Keys {
    /// Whether a packet `side` sent is an event the other side must not
    /// get (it takes keys as SIP INFO).
    pub(super) fn withheld(&self, side: Side, header: &RtpHeader) -> bool {
        self.by_info[index(side) ^ 1] && self.events[index(side)] == Some(header.payload_type)
    }

    /// Reads a packet `side` sent (with its header); a digit it starts goes
    /// to the listener.
    pub(super) fn hear(&mut self, side: Side, header: &RtpHeader, packet: &[u8]) {
        if self.events[index(side)] != Some(header.payload_type) {
            return;
        }
        let heard = self.detectors[index(side)].packet(header.timestamp, header.payload(packet));
        if let (Some(digit), Some((listener, tag))) = (heard, &self.listener) {
            let _ = listener.send(Digit {
                tag: *tag,
                side,
                digit,
            });
        }
    }
}
