//! The media core: RTP as the relay sees it, the relay that anchors a
//! stream between two legs, G.711 and RFC 4733 DTMF. Pure: the driver owns
//! the sockets and the clock.

pub mod amd;
pub mod dtmf;
pub mod g711;
pub mod relay;
pub mod rtp;
pub mod splice;
