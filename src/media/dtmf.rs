//! DTMF as RFC 4733 telephone-events: reading the event payload and
//! turning a stream of event packets into digits, once each.
//!
//! A sender repeats an event's packets while the key is held (same RTP
//! timestamp, growing duration) and sends its end packet three times, so a
//! digit is the first packet of a timestamp not seen before.

/// The four bytes of a telephone-event payload (RFC 4733 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// 0-9, 10 `*`, 11 `#`, 12-15 `A`-`D`, 16 flash.
    pub code: u8,
    pub end: bool,
    /// Power level in -dBm0 (0 loudest, 63 quietest).
    pub volume: u8,
    /// In RTP timestamp units since the event began.
    pub duration: u16,
}

impl Event {
    /// Reads an event payload; `None` when it is shorter than four bytes.
    pub fn parse(payload: &[u8]) -> Option<Event> {
        let [code, flags, high, low, ..] = *payload else {
            return None;
        };
        Some(Event {
            code,
            end: flags & 0x80 != 0,
            volume: flags & 0x3f,
            duration: u16::from_be_bytes([high, low]),
        })
    }

    /// The key pressed, for the sixteen DTMF events; flash and others have
    /// none.
    pub fn digit(self) -> Option<char> {
        b"0123456789*#ABCD"
            .get(usize::from(self.code))
            .map(|&b| char::from(b))
    }
}

/// Digits from one stream's telephone-event packets.
#[derive(Debug, Default)]
pub struct Detector {
    /// The RTP timestamp of the last event reported.
    last: Option<u32>,
}

impl Detector {
    /// Feeds one telephone-event packet (its RTP timestamp and payload);
    /// returns the digit when this packet starts a new one.
    pub fn packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let digit = Event::parse(payload)?.digit()?;
        if self.last == Some(timestamp) {
            return None;
        }
        self.last = Some(timestamp);
        Some(digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(code: u8, end: bool, duration: u16) -> [u8; 4] {
        let [high, low] = duration.to_be_bytes();
        [code, if end { 0x80 | 10 } else { 10 }, high, low]
    }

    #[test]
    fn an_event_payload_is_read() {
        let event = Event::parse(&payload(11, true, 800)).unwrap();
        assert_eq!(
            event,
            Event {
                code: 11,
                end: true,
                volume: 10,
                duration: 800
            }
        );
        assert_eq!(event.digit(), Some('#'));
        assert_eq!(Event::parse(&[1, 2, 3]), None);
        assert_eq!(Event::parse(&payload(16, false, 0)).unwrap().digit(), None);
    }

    #[test]
    fn a_held_key_and_its_three_end_packets_make_one_digit() {
        let mut detector = Detector::default();
        let mut digits = String::new();
        // "1" then "#" as a phone sends them: packets every 50 ms of the
        // same timestamp, the end three times.
        for (timestamp, code) in [(8000u32, 1u8), (12000, 11)] {
            for duration in [400u16, 800, 1200] {
                digits.extend(detector.packet(timestamp, &payload(code, false, duration)));
            }
            for _ in 0..3 {
                digits.extend(detector.packet(timestamp, &payload(code, true, 1600)));
            }
        }
        assert_eq!(digits, "1#");
    }

    #[test]
    fn the_same_key_twice_is_two_digits() {
        let mut detector = Detector::default();
        let first = detector.packet(1000, &payload(5, true, 800));
        let second = detector.packet(3000, &payload(5, false, 400));
        assert_eq!((first, second), (Some('5'), Some('5')));
    }
}
