//! The sans-IO SIP core: everything Switchboard knows about SIP that can be
//! decided without a socket or a clock. Drivers in `runtime/` feed it bytes
//! and the current time and carry its answers back to the network.
//!
//! - [`digest`]: digest authentication (RFC 3261 §22, RFC 7616, RFC 8760),
//!   both as the server that challenges phones and as the client that
//!   registers to a PBX or answers a trunk's 401/407.
//! - [`guard`]: per-source protection against SIP scanners: failed
//!   authentications lead to a temporary ban, requests needing authentication
//!   are rate-limited.

pub mod digest;
pub mod guard;
