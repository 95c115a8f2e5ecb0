//! The audio codecs a trunk may offer, in the trunk's order of preference.
//!
//! Only G.711 is listed: Switchboard carries audio end to end without
//! transcoding (DESIGN.md, "Key choices"), and browsers, desk phones and
//! every PBX speak G.711. A codec joins this list when the media core
//! carries it to every kind of leg.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, the North American and Japanese default.
    Pcmu,
    /// G.711 A-law, the default everywhere else.
    Pcma,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a codec Switchboard carries (PCMU, PCMA)")]
pub struct UnknownCodec(pub String);

impl Codec {
    /// The default list: µ-law first, as RFC 3551 numbers it.
    pub const DEFAULT: [Codec; 2] = [Codec::Pcmu, Codec::Pcma];

    /// The encoding name in SDP `a=rtpmap` (RFC 3551 §6).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The static RTP payload type (RFC 3551 table 4).
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    pub fn clock_rate(self) -> u32 {
        8000
    }
}

impl FromStr for Codec {
    type Err = UnknownCodec;

    /// Case-insensitive, as SDP encoding names are (RFC 4855 §3).
    fn from_str(name: &str) -> Result<Self, UnknownCodec> {
        [Codec::Pcmu, Codec::Pcma]
            .into_iter()
            .find(|codec| codec.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownCodec(name.to_owned()))
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g711_names_read_in_any_case_and_others_are_refused() {
        assert_eq!("pcma".parse(), Ok(Codec::Pcma));
        assert_eq!(" PCMU ".parse(), Ok(Codec::Pcmu));
        assert_eq!(Codec::Pcma.payload_type(), 8);
        let error = "G729".parse::<Codec>().unwrap_err().to_string();
        assert_eq!(
            error,
            "\"G729\" is not a codec Switchboard carries (PCMU, PCMA)"
        );
    }
}
