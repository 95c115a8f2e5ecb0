//! The sans-IO SIP core: everything Switchboard knows about SIP that can be
//! decided without a socket or a clock (DESIGN.md, "Cores are pure").
//! Drivers in `runtime/` feed it bytes and the current time and carry its
//! answers back to the network.
//!
//! - [`message`]: bytes to checked messages (over rsipstack's types), and
//!   responses built from requests.
//! - [`framing`]: messages and keep-alives cut from TCP/TLS streams.
//! - [`reject`]: 400/501 answers to requests that could not be parsed.
//! - [`transport`]: transport kinds and the flows messages travel on.
//! - [`transaction`]: RFC 3261 §17 transactions (with RFC 6026), their
//!   timers, retransmissions, CANCEL handling and 100 Trying.
//! - [`digest`]: digest authentication (RFC 3261 §22, RFC 7616, RFC 8760),
//!   both as the server that challenges phones and as the client that
//!   registers to a PBX or answers a trunk's 401/407.
//! - [`guard`]: per-source protection against SIP scanners: failed
//!   authentications lead to a temporary ban, requests needing authentication
//!   are rate-limited.
//! - [`registrar`]: extensions' registered contacts (RFC 3261 §10.3, RFC 5626).
//! - [`registration`]: answering REGISTER: guard, digest, registrar.

pub mod digest;
pub mod framing;
pub mod guard;
pub mod message;
pub mod registrar;
pub mod registration;
pub mod reject;
pub mod transaction;
pub mod transport;
