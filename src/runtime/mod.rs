//! The drivers around the pure cores: the clock (the only place that reads
//! it), the SIP sockets with the engine loop, the media relay's sockets and
//! its browser legs (str0m), and the CDR writer that stores call records off
//! the call path.

pub mod cdr;
pub mod clock;
pub mod dialer;
pub mod media;
pub mod plans;
pub mod prompts;
pub mod recording;
pub mod retention;
pub mod sip;
pub mod webrtc;
