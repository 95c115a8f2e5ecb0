//! The media core: RTP as the relay sees it, and the relay that anchors a
//! stream between two legs. Pure: the driver owns the sockets and clock.

pub mod relay;
pub mod rtp;
