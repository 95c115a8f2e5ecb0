//! The SIP transaction layer (RFC 3261 §17, with RFC 6026's Accepted
//! states), sans-IO.
//!
//! [`TransactionLayer`] owns every client and server transaction. The
//! driver feeds it parsed messages ([`TransactionLayer::receive`]) and the
//! time ([`TransactionLayer::handle_timeout`] at
//! [`TransactionLayer::poll_timeout`]); the TU (dialogs, the B2BUA) starts
//! requests and answers them. Everything either asks for comes out of
//! [`TransactionLayer::poll_output`], which is drained after every input:
//! bytes to send on a [`Flow`], and [`Event`]s for the TU.
//!
//! What the layer decides on its own:
//! - Retransmitted requests are answered with the last response and never
//!   reach the TU; retransmitted responses are dropped (ACKed again for a
//!   non-2xx final to INVITE) and only every 2xx to INVITE goes up again,
//!   so the TU can ACK it (RFC 6026 §8.4).
//! - An INVITE is answered `100 Trying` after [`TimerConfig::trying_delay`]
//!   (200 ms) unless the TU answered first; zero sends it at once.
//! - A 2xx to INVITE is retransmitted until its ACK (RFC 3261 §13.3.1.4)
//!   on unreliable transports, see `server.rs`; [`Event::AckTimeout`] says
//!   when none came. The TU must not retransmit it too.
//! - Timers live in one heap with lazy invalidation (`timers.rs`), so
//!   `poll_timeout` is a peek however many transactions are alive.
//! - A CANCEL is answered by the layer: 200 when it matches an INVITE
//!   server transaction (plus [`Event::Cancelled`] while that INVITE has no
//!   final response, so the TU answers it 487), 481 when it matches none.
//!   A CANCEL that loses the race to a final response gets its 200 and
//!   changes nothing.
//! - Responses leave on the request's flow: the same connection on
//!   streams, and on UDP the packet's source address, as if the request
//!   carried `rport` (RFC 3581). That is where a NATed peer listens, and
//!   it is the `received`/`rport` address of RFC 3261 §18.2.2 whenever the
//!   peer asked for it. Writing `received`/`rport` into the Via
//!   (§18.2.1) is left to the transport.
//! - New server transactions are capped ([`Config::max_server_transactions`]):
//!   past the cap a new request is answered `503 Service Unavailable` with
//!   `Retry-After` and nothing is kept. A CANCEL of a live INVITE is let
//!   through (there is at most one per INVITE), so memory stays within
//!   twice the cap. Client transactions are not capped: the TU starts them.
//!
//! Key matching is in `key.rs`, the machines in `client.rs` and
//! `server.rs`, the TU's side of the layer in `layer.rs`, the network's in
//! `receive.rs`, timers in `timers.rs`.

mod client;
mod key;
mod layer;
mod receive;
mod server;
mod timers;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Duration;

use super::message::{ParseError, Request, Response};
pub use super::transport::{Flow, Transport};
pub use key::{MAGIC_COOKIE, new_branch};
pub use layer::TransactionLayer;
use timers::Schedule;
pub use timers::{Timer, TimerConfig};

/// A client transaction, as the TU holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientTx(u64);

/// A server transaction, as the TU holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerTx(u64);

/// Handles made up by other cores' tests, which drive a TU without a layer.
#[cfg(test)]
impl ClientTx {
    pub(crate) fn for_tests(n: u64) -> Self {
        ClientTx(n)
    }
}

#[cfg(test)]
impl ServerTx {
    pub(crate) fn for_tests(n: u64) -> Self {
        ServerTx(n)
    }
}

/// Either kind of transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxId {
    Client(ClientTx),
    Server(ServerTx),
}

/// What the layer asks of the driver and tells the TU.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send `bytes` as one message on `flow`.
    Transmit {
        flow: Flow,
        bytes: Vec<u8>,
    },
    Event(Event),
}

/// What the TU learns.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new request (never a retransmission, an ACK or a CANCEL): answer
    /// it with [`TransactionLayer::respond`].
    Request {
        tx: ServerTx,
        request: Request,
        flow: Flow,
    },
    /// An ACK for a 2xx, or one no transaction claims: the dialog layer's.
    Ack { request: Request, flow: Flow },
    /// The INVITE was cancelled before its final response; the CANCEL has
    /// been answered 200, and the TU should answer the INVITE 487.
    Cancelled { invite: ServerTx },
    /// A provisional or final response to a client transaction.
    Response { tx: ClientTx, response: Response },
    /// A response no client transaction claims (RFC 3261 §18.1.2 hands it
    /// to the core; RFC 6026 lets the core drop it). Counted in
    /// [`Counters::stray_responses`].
    StrayResponse { response: Response, flow: Flow },
    /// Timer B or F: no (final) response in time; the TU acts as on a 408.
    Timeout { tx: ClientTx },
    /// Timer H or L: the final response to this INVITE was never ACKed.
    /// After a 2xx, RFC 3261 §13.3.1.4 says to end the session with BYE.
    AckTimeout { invite: ServerTx },
    /// The flow failed (see [`TransactionLayer::flow_failed`]); the TU acts
    /// as on a 503 for a client transaction.
    TransportError { tx: TxId },
    /// The transaction is gone; its handle is no longer valid. Sent for
    /// every transaction, including the CANCEL transactions the layer
    /// answers itself.
    Terminated { tx: TxId },
}

/// Settings of the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub timers: TimerConfig,
    /// Most server transactions alive at once; new requests past it are
    /// answered 503.
    pub max_server_transactions: usize,
    /// The Retry-After of that 503.
    pub retry_after: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timers: TimerConfig::default(),
            max_server_transactions: 10_000,
            retry_after: Duration::from_secs(5),
        }
    }
}

/// Running totals for metrics and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Requests and responses re-sent on a retransmission timer.
    pub retransmissions: u64,
    /// Retransmitted or late messages a transaction absorbed.
    pub absorbed: u64,
    /// Responses no client transaction claimed.
    pub stray_responses: u64,
    /// Requests answered 503 because the cap was reached.
    pub rejected_overload: u64,
    /// Answered server transactions let go before their time to make room
    /// under the bound on all of them.
    pub let_go: u64,
    /// Client transactions ended by Timer B or F.
    pub timeouts: u64,
}

/// Why the layer refused something the TU asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    #[error("no such transaction (it may have terminated)")]
    UnknownTransaction,
    #[error("the request is not well formed: {0}")]
    Malformed(#[from] ParseError),
    #[error("the request has no Via branch to key its transaction on")]
    MissingBranch,
    #[error("a client transaction with this branch and method is alive")]
    DuplicateBranch,
    #[error("an ACK is not a transaction: send it with send_stateless")]
    AckIsNotATransaction,
    #[error("status {0} is not a SIP response code")]
    BadStatus(u16),
    #[error("a final response was already sent")]
    FinalAlreadySent,
    #[error("only an INVITE can be cancelled")]
    NotAnInvite,
    #[error("the INVITE already has a final response or a CANCEL")]
    NotCancellable,
}

/// Whether a transaction lives on after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Live,
    Done,
}

/// What every transaction writes to: the timer config, the schedule, the
/// output queue and the counters.
struct Core {
    timers: TimerConfig,
    schedule: Schedule,
    outputs: VecDeque<Output>,
    counters: Counters,
}

impl Core {
    fn transmit(&mut self, flow: Flow, bytes: Vec<u8>) {
        self.outputs.push_back(Output::Transmit { flow, bytes });
    }

    fn event(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }
}
