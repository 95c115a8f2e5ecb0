//! One anchored stream between two legs: where each datagram goes, which
//! sources are believed, and what was lost. Pure: the driver reads the
//! sockets and the clock and sends what this returns.
//!
//! Symmetric RTP with latching: a leg's peer is the source address of its
//! first good packet, whatever its SDP said, because phones and browsers
//! behind NAT send from an address they cannot know. Until it is latched,
//! media for that leg goes to the address its SDP gave. Once latched, other
//! sources are dropped (a stray or spoofed packet cannot steal the stream)
//! until the latched one has been silent for [`RELATCH_AFTER`]: a phone
//! that changed networks is followed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::rtp::{self, Packet};

/// How long a latched source must be silent before another may take over.
pub const RELATCH_AFTER: Duration = Duration::from_secs(2);

/// One of the two legs of a relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// What one leg sent us.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub packets: u64,
    pub bytes: u64,
    pub rtcp_packets: u64,
    /// Datagrams from a source other than the latched one, or not RTP.
    pub dropped: u64,
    /// Packets missing from the sequence numbers seen (RFC 3550 A.3):
    /// expected minus received, never below zero.
    pub lost: u64,
    /// Times the leg's source changed after it was first latched.
    pub relatched: u64,
}

#[derive(Debug, Default)]
struct Leg {
    /// Where its SDP said it receives.
    advertised: Option<SocketAddr>,
    latched: Option<SocketAddr>,
    last_heard: Option<Instant>,
    stats: Stats,
    sequence: Option<Sequence>,
    /// Losses counted before the source last changed.
    lost_earlier: u64,
}

/// Sequence tracking for loss: the first number, the highest extended
/// number, and how many packets came.
#[derive(Debug, Clone, Copy)]
struct Sequence {
    first: u64,
    highest: u64,
    received: u64,
}

impl Sequence {
    fn start(number: u16) -> Self {
        Sequence {
            first: u64::from(number),
            highest: u64::from(number),
            received: 1,
        }
    }

    /// Counts `number`, unwrapping it next to the highest seen so far.
    fn count(&mut self, number: u16) {
        let extended = rtp::extend_sequence(self.highest, number);
        self.highest = self.highest.max(extended);
        self.received += 1;
    }

    fn lost(&self) -> u64 {
        (self.highest - self.first + 1).saturating_sub(self.received)
    }
}

/// The relay of one stream between legs A and B.
#[derive(Debug, Default)]
pub struct Relay {
    legs: [Leg; 2],
}

impl Relay {
    /// A relay whose legs receive at the addresses their SDP gave, if any.
    pub fn new(a: Option<SocketAddr>, b: Option<SocketAddr>) -> Self {
        let mut relay = Relay::default();
        relay.legs[0].advertised = a;
        relay.legs[1].advertised = b;
        relay
    }

    /// A leg's SDP changed (a re-INVITE): media goes to the new address
    /// until its packets latch it again.
    pub fn advertise(&mut self, side: Side, address: Option<SocketAddr>) {
        self.legs[side.index()].advertised = address;
    }

    /// A datagram came in on `side`'s port from `from`: where to send it
    /// out of the other side's port, or `None` to drop it.
    pub fn receive(
        &mut self,
        side: Side,
        from: SocketAddr,
        bytes: &[u8],
        now: Instant,
    ) -> Option<SocketAddr> {
        self.accept(side, from, bytes, now).flatten()
    }

    /// As [`Relay::receive`], telling a packet dropped (`None`) from one
    /// accepted with nowhere to go yet (`Some(None)`: the other side has
    /// not said where it receives, as while a voice menu has the caller),
    /// whose digits still count.
    pub fn accept(
        &mut self,
        side: Side,
        from: SocketAddr,
        bytes: &[u8],
        now: Instant,
    ) -> Option<Option<SocketAddr>> {
        let leg = &mut self.legs[side.index()];
        let Ok(packet) = rtp::parse(bytes) else {
            leg.stats.dropped += 1;
            return None;
        };
        match leg.latched {
            Some(latched) if latched == from => {}
            Some(_) => {
                let silent = leg
                    .last_heard
                    .is_none_or(|heard| now.saturating_duration_since(heard) >= RELATCH_AFTER);
                if !silent {
                    leg.stats.dropped += 1;
                    return None;
                }
                leg.latched = Some(from);
                leg.stats.relatched += 1;
                // A new source numbers its packets afresh.
                leg.lost_earlier = leg.stats.lost;
                leg.sequence = None;
            }
            None => leg.latched = Some(from),
        }
        leg.last_heard = Some(now);
        match packet {
            Packet::Rtp(header) => {
                leg.stats.packets += 1;
                leg.stats.bytes += bytes.len() as u64;
                match &mut leg.sequence {
                    Some(sequence) => sequence.count(header.sequence),
                    None => leg.sequence = Some(Sequence::start(header.sequence)),
                }
                leg.stats.lost = leg.lost_earlier + leg.sequence.map_or(0, |s| s.lost());
            }
            Packet::Rtcp => leg.stats.rtcp_packets += 1,
        }
        let other = &self.legs[side.other().index()];
        Some(other.latched.or(other.advertised))
    }

    /// What `side` has sent so far.
    pub fn stats(&self, side: Side) -> Stats {
        self.legs[side.index()].stats
    }

    /// Where `side`'s media goes now: its latched source, else its SDP's.
    pub fn peer(&self, side: Side) -> Option<SocketAddr> {
        let leg = &self.legs[side.index()];
        leg.latched.or(leg.advertised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::rtp::pcmu;

    fn at(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn relay() -> (Relay, Instant) {
        let relay = Relay::new(Some(at("192.0.2.10:4000")), Some(at("198.51.100.7:5000")));
        (relay, Instant::now())
    }

    #[test]
    fn before_latching_media_goes_where_the_sdp_said() {
        let (mut relay, t0) = relay();
        let to = relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(1), t0);
        assert_eq!(to, Some(at("198.51.100.7:5000")));
    }

    #[test]
    fn a_leg_behind_nat_is_latched_to_where_its_packets_come_from() {
        let (mut relay, t0) = relay();
        // B's SDP names its private address; its packets come from the NAT.
        relay.receive(Side::B, at("203.0.113.9:61000"), &pcmu(1), t0);
        let to = relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(1), t0);
        assert_eq!(to, Some(at("203.0.113.9:61000")));
        assert_eq!(relay.peer(Side::B), Some(at("203.0.113.9:61000")));
    }

    #[test]
    fn another_source_cannot_take_a_live_stream_but_may_after_silence() {
        let (mut relay, t0) = relay();
        relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(1), t0);
        let ms = |n| t0 + Duration::from_millis(n);
        let stray = relay.receive(Side::A, at("192.0.2.66:4000"), &pcmu(900), ms(100));
        assert_eq!(stray, None);
        assert_eq!(relay.stats(Side::A).dropped, 1);
        assert_eq!(relay.peer(Side::A), Some(at("192.0.2.10:4000")));
        relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(2), ms(120));
        // The phone moved networks: its old address falls silent.
        let moved = relay.receive(Side::A, at("192.0.2.77:4002"), &pcmu(3), ms(2_200));
        assert_eq!(moved, Some(at("198.51.100.7:5000")));
        assert_eq!(relay.peer(Side::A), Some(at("192.0.2.77:4002")));
        assert_eq!(relay.stats(Side::A).relatched, 1);
    }

    #[test]
    fn losses_are_counted_from_the_sequence_numbers_across_a_wrap() {
        let (mut relay, t0) = relay();
        let from = at("192.0.2.10:4000");
        let sent = [65_533u16, 65_534, 65_535, 1, 2, 4, 5];
        for (i, number) in sent.into_iter().enumerate() {
            relay.receive(
                Side::A,
                from,
                &pcmu(number),
                t0 + Duration::from_millis(20 * i as u64),
            );
        }
        let stats = relay.stats(Side::A);
        assert_eq!(stats.packets, 7);
        assert_eq!(stats.lost, 2, "0 and 3 never came");
        assert_eq!(stats.bytes, 7 * 172);
    }

    #[test]
    fn a_late_packet_is_not_a_loss() {
        let (mut relay, t0) = relay();
        let from = at("192.0.2.10:4000");
        for number in [10u16, 12, 11, 13] {
            relay.receive(Side::A, from, &pcmu(number), t0);
        }
        assert_eq!(relay.stats(Side::A).lost, 0);
    }

    #[test]
    fn rtcp_is_relayed_and_counted_apart_and_garbage_is_dropped() {
        let (mut relay, t0) = relay();
        let from = at("192.0.2.10:4000");
        let report = [0x80, 201, 0, 1, 0, 0, 0, 1];
        assert_eq!(
            relay.receive(Side::A, from, &report, t0),
            Some(at("198.51.100.7:5000"))
        );
        assert_eq!(relay.receive(Side::A, from, b"hello", t0), None);
        let stats = relay.stats(Side::A);
        assert_eq!(
            (stats.packets, stats.rtcp_packets, stats.dropped),
            (0, 1, 1)
        );
    }

    #[test]
    fn with_no_address_for_the_other_leg_media_waits() {
        let mut relay = Relay::new(Some(at("192.0.2.10:4000")), None);
        let t0 = Instant::now();
        assert_eq!(
            relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(1), t0),
            None
        );
        relay.advertise(Side::B, Some(at("198.51.100.7:5000")));
        assert_eq!(
            relay.receive(Side::A, at("192.0.2.10:4000"), &pcmu(2), t0),
            Some(at("198.51.100.7:5000"))
        );
    }
}
