//! The RTP fixed header (RFC 3550 §5.1), read without copying, and how RTP
//! and RTCP sharing one port are told apart (RFC 5761 §4).

/// The fields of an RTP header the relay and the codecs need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// Where the payload starts: after the CSRCs and any header extension.
    pub payload_offset: usize,
    /// Padding bytes at the end, not part of the payload.
    pub padding: usize,
}

/// What one datagram on a media port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet {
    Rtp(RtpHeader),
    /// RTCP (payload types 200-204 in the second byte, RFC 5761 §4).
    Rtcp,
}

/// Why a datagram is not RTP or RTCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotRtp {
    #[error("shorter than an RTP header")]
    TooShort,
    #[error("RTP version {0}, not 2")]
    Version(u8),
    #[error("the header's lengths run past the datagram")]
    Truncated,
}

/// Reads the header of `bytes`.
pub fn parse(bytes: &[u8]) -> Result<Packet, NotRtp> {
    if bytes.len() < 12 {
        // The shortest RTCP packet (an empty receiver report) is 8 bytes.
        if bytes.len() >= 8 && bytes[0] >> 6 == 2 && is_rtcp(bytes[1]) {
            return Ok(Packet::Rtcp);
        }
        return Err(NotRtp::TooShort);
    }
    let version = bytes[0] >> 6;
    if version != 2 {
        return Err(NotRtp::Version(version));
    }
    if is_rtcp(bytes[1]) {
        return Ok(Packet::Rtcp);
    }
    let csrcs = usize::from(bytes[0] & 0x0f);
    let mut offset = 12 + 4 * csrcs;
    if bytes[0] & 0x10 != 0 {
        // Header extension: 16-bit profile, 16-bit length in 32-bit words.
        let length = bytes.get(offset + 2..offset + 4).ok_or(NotRtp::Truncated)?;
        offset += 4 + 4 * usize::from(u16::from_be_bytes([length[0], length[1]]));
    }
    let padding = if bytes[0] & 0x20 != 0 {
        usize::from(*bytes.last().unwrap_or(&0))
    } else {
        0
    };
    if offset + padding > bytes.len() {
        return Err(NotRtp::Truncated);
    }
    Ok(Packet::Rtp(RtpHeader {
        marker: bytes[1] & 0x80 != 0,
        payload_type: bytes[1] & 0x7f,
        sequence: u16::from_be_bytes([bytes[2], bytes[3]]),
        timestamp: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        ssrc: u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]),
        payload_offset: offset,
        padding,
    }))
}

impl RtpHeader {
    /// A fixed header with no CSRCs, extension or padding: the payload
    /// starts at byte 12.
    pub fn new(marker: bool, payload_type: u8, sequence: u16, timestamp: u32, ssrc: u32) -> Self {
        RtpHeader {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc,
            payload_offset: 12,
            padding: 0,
        }
    }

    /// The 12 bytes of the fixed header (CSRCs and extensions are not
    /// written).
    pub fn bytes(&self) -> [u8; 12] {
        let mut bytes = [0u8; 12];
        bytes[0] = 0x80;
        bytes[1] = self.payload_type & 0x7f | if self.marker { 0x80 } else { 0 };
        bytes[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        bytes[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        bytes[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        bytes
    }

    /// The payload of `packet`, the datagram this header was read from:
    /// after the CSRCs and extension, before any padding.
    pub fn payload<'a>(&self, packet: &'a [u8]) -> &'a [u8] {
        &packet[self.payload_offset..packet.len() - self.padding]
    }
}

/// A 16-bit sequence number extended (RFC 3550 A.1) next to `highest`, the
/// highest extended number seen so far: whichever of its copies in the
/// cycle below, the same and the one above lies nearest. A number a little
/// behind is a late packet, not a wrap.
pub fn extend_sequence(highest: u64, number: u16) -> u64 {
    let base = highest & !0xffff;
    [base.wrapping_sub(0x1_0000), base, base + 0x1_0000]
        .into_iter()
        .map(|cycle| cycle.wrapping_add(u64::from(number)))
        .min_by_key(|extended| extended.abs_diff(highest))
        .unwrap_or(highest)
}

/// RTCP's packet types 200-204 read as RTP marker + payload type 72-76,
/// which RTP never uses for that reason.
fn is_rtcp(second_byte: u8) -> bool {
    (72..=76).contains(&(second_byte & 0x7f))
}

/// An RTP packet for tests: PCMU, 20 ms (160 bytes) of silence.
#[cfg(test)]
pub(crate) fn pcmu(sequence: u16) -> Vec<u8> {
    let mut packet = RtpHeader::new(false, 0, sequence, u32::from(sequence) * 160, 0x1234_5678)
        .bytes()
        .to_vec();
    packet.extend_from_slice(&[0xff; 160]);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_rtp_packet_is_read() {
        let Ok(Packet::Rtp(header)) = parse(&pcmu(7)) else {
            panic!("not RTP");
        };
        assert_eq!(header.payload_type, 0);
        assert_eq!(header.sequence, 7);
        assert_eq!(header.timestamp, 1120);
        assert_eq!(header.ssrc, 0x1234_5678);
        assert_eq!((header.payload_offset, header.padding), (12, 0));
        assert!(!header.marker);
    }

    #[test]
    fn csrcs_extensions_and_padding_move_the_payload() {
        let mut packet = vec![0xb1, 0xe5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9];
        packet.extend_from_slice(&[0, 0, 0, 42]); // one CSRC
        packet.extend_from_slice(&[0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // extension, one word
        packet.extend_from_slice(&[0x55; 20]);
        packet.extend_from_slice(&[0, 0, 3]); // three bytes of padding
        let Ok(Packet::Rtp(header)) = parse(&packet) else {
            panic!("not RTP");
        };
        assert!(header.marker);
        assert_eq!(header.payload_type, 101);
        assert_eq!(header.payload_offset, 12 + 4 + 8);
        assert_eq!(header.padding, 3);
    }

    #[test]
    fn sequence_numbers_extend_across_a_wrap_and_a_late_packet() {
        assert_eq!(extend_sequence(65534, 65535), 65535);
        assert_eq!(extend_sequence(65535, 1), 65537);
        assert_eq!(extend_sequence(65537, 65535), 65535, "a late packet");
        assert_eq!(extend_sequence(65537, 2), 65538);
        assert_eq!(extend_sequence(3, 1), 1, "late, before any wrap");
    }

    #[test]
    fn a_written_header_reads_back() {
        let mut packet = RtpHeader::new(true, 8, 65535, 4_000_000_000, 77)
            .bytes()
            .to_vec();
        packet.extend_from_slice(&[1, 2, 3]);
        let Ok(Packet::Rtp(read)) = parse(&packet) else {
            panic!("not RTP");
        };
        assert!(read.marker);
        assert_eq!(
            (read.payload_type, read.sequence, read.timestamp, read.ssrc),
            (8, 65535, 4_000_000_000, 77)
        );
        assert_eq!(read.payload(&packet), [1, 2, 3]);
    }

    #[test]
    fn rtcp_on_the_same_port_is_told_apart() {
        // A receiver report with no blocks: 8 bytes, packet type 201.
        assert_eq!(parse(&[0x80, 201, 0, 1, 0, 0, 0, 1]), Ok(Packet::Rtcp));
        let mut sender_report = vec![0x80, 200, 0, 6];
        sender_report.extend_from_slice(&[0; 24]);
        assert_eq!(parse(&sender_report), Ok(Packet::Rtcp));
    }

    #[test]
    fn what_is_not_rtp_is_refused() {
        assert_eq!(parse(&[0x80, 0, 0]), Err(NotRtp::TooShort));
        let mut stun = pcmu(1);
        stun[0] = 0x00; // STUN starts with two zero bits
        assert_eq!(parse(&stun), Err(NotRtp::Version(0)));
        let mut short = pcmu(1)[..12].to_vec();
        short[0] = 0x90; // an extension the datagram does not hold
        assert_eq!(parse(&short), Err(NotRtp::Truncated));
    }
}
