//! The sans-IO SIP core: messages, stream framing, transactions, digest
//! authentication, registrar bindings. Nothing here owns a socket or reads
//! the clock; `runtime/` drives it (DESIGN.md, "Cores are pure").
//!
//! - [`message`]: bytes to checked messages (over rsipstack's types), and
//!   responses built from requests.
//! - [`framing`]: messages and keep-alives cut from TCP/TLS streams.
//! - [`reject`]: 400/501 answers to requests that could not be parsed.
//! - [`transport`]: transport kinds and the flows messages travel on.
//! - [`transaction`]: RFC 3261 §17 transactions (with RFC 6026), their
//!   timers, retransmissions, CANCEL handling and 100 Trying.

pub mod framing;
pub mod message;
pub mod reject;
pub mod transaction;
pub mod transport;
