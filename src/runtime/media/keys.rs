//! The digits each side of a stream keys, read from its RFC 4733 events.

use crate::media::dtmf::Detector;
use crate::media::relay::Side;

use super::stream::index;

/// Reading the digits in each side's RFC 4733 events.
#[derive(Default)]
pub(super) struct Keys {
    /// Each side's telephone-event payload type, once its SDP said.
    pub(super) events: [Option<u8>; 2],
    detectors: [Detector; 2],
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
    /// Reads a packet `side` sent; a digit it starts goes to the listener.
    pub(super) fn hear(&mut self, side: Side, packet: &[u8]) {
        let Some(pt) = self.events[index(side)] else {
            return;
        };
        let Ok(crate::media::rtp::Packet::Rtp(header)) = crate::media::rtp::parse(packet) else {
            return;
        };
        if header.payload_type != pt {
            return;
        }
        let payload = &packet[header.payload_offset..packet.len() - header.padding];
        let heard = self.detectors[index(side)].packet(header.timestamp, payload);
        if let (Some(digit), Some((listener, tag))) = (heard, &self.listener) {
            let _ = listener.send(Digit {
                tag: *tag,
                side,
                digit,
            });
        }
    }
}
