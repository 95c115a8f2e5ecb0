//! Several RTP sources sent on as one stream: what a browser hears is the
//! other side's stream and the prompts the server plays, one after the
//! other, under our one SSRC. Each new source's numbers are moved on to
//! follow the last packet sent: its sequence numbers come next and its
//! timestamps as far on as the time between. A source that happened to
//! start lower would otherwise be taken for late packets and dropped.

use std::time::Instant;

use super::rtp::{RtpHeader, extend_sequence};

/// G.711 and telephone-event: 8,000 timestamp units a second.
const CLOCK_RATE: u64 = 8000;
/// A G.711 frame of 20 ms: the least a new source's timestamps move on.
const FRAME: u64 = 160;

/// The numbering of one outgoing stream made of several sources.
#[derive(Debug, Default)]
pub struct Splice {
    source: Option<Source>,
    /// The highest sequence number sent (extended past wraps), and the
    /// last timestamp with when it was sent.
    sent: Option<(u64, u32, Instant)>,
}

/// Where the packets sent now come from, and how their numbers map to the
/// stream's.
#[derive(Debug, Clone, Copy)]
struct Source {
    ssrc: u32,
    /// Its highest sequence number so far, extended past wraps.
    highest: u64,
    /// Added to its extended sequence numbers, and to its timestamps.
    sequence_shift: i64,
    timestamp_shift: u32,
}

impl Splice {
    /// The stream's sequence number (extended past wraps), timestamp and
    /// marker for a packet of `header`'s source sent at `now`. A new
    /// source's first packet is marked: it starts a talkspurt (RFC 3551
    /// §4.1), so the receiver's jitter buffer takes the jump.
    pub fn number(&mut self, now: Instant, header: &RtpHeader) -> (u64, u32, bool) {
        let fresh = self.source.is_none_or(|s| s.ssrc != header.ssrc);
        if fresh {
            let first = u64::from(header.sequence);
            let (next, timestamp) = match self.sent {
                // The first source's numbers as they are: SRTP counts its
                // rollovers from the first packet's number (RFC 3711
                // §3.3.1), so the stream must start in cycle 0.
                None => (first, header.timestamp),
                Some((highest, timestamp, at)) => {
                    let elapsed = now.saturating_duration_since(at).as_millis() as u64;
                    let units = (elapsed * CLOCK_RATE / 1000).max(FRAME);
                    (highest + 1, timestamp.wrapping_add(units as u32))
                }
            };
            self.source = Some(Source {
                ssrc: header.ssrc,
                highest: first,
                sequence_shift: next as i64 - first as i64,
                timestamp_shift: timestamp.wrapping_sub(header.timestamp),
            });
        }
        let source = self.source.as_mut().expect("set above");
        // Extended next to the source's highest so far, so gaps it left
        // reach the receiver as gaps.
        let extended = extend_sequence(source.highest, header.sequence);
        source.highest = source.highest.max(extended);
        let sequence = (extended as i64 + source.sequence_shift).max(0) as u64;
        let timestamp = header.timestamp.wrapping_add(source.timestamp_shift);
        let highest = self.sent.map_or(sequence, |(h, _, _)| h.max(sequence));
        self.sent = Some((highest, timestamp, now));
        (sequence, timestamp, header.marker || fresh)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn packet(ssrc: u32, sequence: u16, timestamp: u32) -> RtpHeader {
        RtpHeader::new(false, 0, sequence, timestamp, ssrc)
    }

    #[test]
    fn a_source_that_starts_lower_follows_on_and_gaps_stay_gaps() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut splice = Splice::default();
        // A prompt numbered high...
        let (first, ts, marker) = splice.number(at(0), &packet(1, 60_000, 1_000));
        assert!(marker, "a new stream starts a talkspurt");
        assert_eq!(ts, 1_000);
        let (second, _, marker) = splice.number(at(20), &packet(1, 60_001, 1_160));
        assert_eq!((second, marker), (first + 1, false));
        // ...then the other side, numbered low, 100 ms later.
        let (third, ts, marker) = splice.number(at(120), &packet(2, 7, 500_000));
        assert_eq!(third, second + 1, "it comes next, not behind");
        assert_eq!(ts, 1_160 + 800, "100 ms on at 8 kHz");
        assert!(marker);
        // A packet it lost shows as a gap; one reordered stays behind.
        let (fifth, _, _) = splice.number(at(160), &packet(2, 9, 500_320));
        assert_eq!(fifth, third + 2);
        let (fourth, _, _) = splice.number(at(161), &packet(2, 8, 500_160));
        assert_eq!(fourth, third + 1);
        // The prompt again (music after a hold, say): it follows on too.
        let (sixth, _, marker) = splice.number(at(180), &packet(1, 60_002, 1_320));
        assert_eq!((sixth, marker), (fifth + 1, true));
    }

    #[test]
    fn a_source_wrapping_its_sequence_numbers_goes_on_counting() {
        let t0 = Instant::now();
        let mut splice = Splice::default();
        let (a, _, _) = splice.number(t0, &packet(1, 65_535, 0));
        let (b, _, _) = splice.number(t0, &packet(1, 0, 160));
        assert_eq!(b, a + 1);
        let (early, _, _) = splice.number(t0, &packet(1, 65_534, 0));
        assert_eq!(
            early,
            a - 1,
            "a packet from before the first numbers below it"
        );
    }
}
