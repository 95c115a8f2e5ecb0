//! The drivers around the pure cores: the clock (the only place that reads
//! it) and the SIP sockets with the engine loop.

pub mod clock;
pub mod sip;
