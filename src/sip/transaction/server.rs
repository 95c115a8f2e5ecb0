//! Server transactions: the INVITE machine of RFC 3261 §17.2.1 with the
//! Accepted state of RFC 6026 §7.1, and the non-INVITE machine of §17.2.2.
//!
//! A server transaction answers retransmitted requests with its last
//! response so the TU sees each request once, retransmits a non-2xx final
//! to an INVITE on Timer G until the ACK comes, and gives up on Timer H.
//!
//! One duty is taken over from the TU: RFC 3261 §13.3.1.4 makes the UAS
//! core retransmit a 2xx to INVITE until its ACK arrives. The transaction
//! already holds the 2xx, lives exactly that long in Accepted (Timer L is
//! 64*T1, the §13.3.1.4 limit) and sees the ACK go by, so it does the
//! retransmitting, on Timer G's schedule, and tells the TU when no ACK
//! came. As for non-2xx finals this happens on unreliable transports only:
//! Switchboard talks to its peers directly, and over TCP, TLS or WebSocket
//! the peer's transport delivers the 2xx or fails.

use std::time::{Duration, Instant};

use super::super::message::{self, Method, Request, Response, StatusCode};
use super::super::transport::Flow;
use super::key::{AckKey, ServerKey};
use super::timers::{Timer, TimerTable};
use super::{Core, Event, ServerTx, Step, TransactionError, TxId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ServerState {
    /// Non-INVITE request received, no response yet: retransmissions are
    /// dropped (there is nothing to re-send).
    Trying,
    /// An INVITE received, or a provisional response sent.
    Proceeding,
    /// A final response sent (300-699 for INVITE).
    Completed,
    /// INVITE only: the ACK of the non-2xx final came.
    Confirmed,
    /// INVITE only (RFC 6026): a 2xx was sent.
    Accepted,
}

impl ServerState {
    /// No final response sent yet: the TU still owes one.
    pub(super) fn is_pending(self) -> bool {
        matches!(self, ServerState::Trying | ServerState::Proceeding)
    }
}

pub(super) struct ServerTransaction {
    pub id: ServerTx,
    pub key: ServerKey,
    /// Where the request came from, and so where every response goes:
    /// the same connection for streams, the source address for UDP.
    pub flow: Flow,
    pub state: ServerState,
    /// How an ACK for our 2xx finds this transaction; INVITE only.
    pub ack_key: Option<AckKey>,
    /// Whether the ACK of our 2xx came (Accepted only).
    acked: bool,
    /// Kept to build `100 Trying`; INVITE only.
    request: Option<Request>,
    /// The last response sent, re-sent for retransmitted requests.
    last_response: Option<Vec<u8>>,
    /// The To tag of the last response, reused in the 200 to a CANCEL
    /// (RFC 3261 §9.2).
    pub to_tag: Option<String>,
    /// The current interval of Timer G.
    interval: Duration,
    timers: TimerTable,
}

impl ServerTransaction {
    /// A transaction for a new request. An INVITE's `100 Trying` goes out
    /// after the configured delay unless the TU answers first, or at once
    /// when the delay is zero.
    pub fn start(
        id: ServerTx,
        key: ServerKey,
        request: &Request,
        ack_key: AckKey,
        flow: Flow,
        now: Instant,
        core: &mut Core,
    ) -> Self {
        let invite = request.method == Method::Invite;
        let mut tx = ServerTransaction {
            id,
            key,
            flow,
            state: if invite {
                ServerState::Proceeding
            } else {
                ServerState::Trying
            },
            ack_key: invite.then_some(ack_key),
            acked: false,
            request: invite.then(|| request.clone()),
            last_response: None,
            to_tag: None,
            interval: core.timers.t1,
            timers: TimerTable::default(),
        };
        if invite {
            if core.timers.trying_delay.is_zero() {
                tx.send_trying(core);
            } else {
                tx.arm(core, Timer::Trying, now + core.timers.trying_delay);
            }
        }
        tx
    }

    pub fn is_invite(&self) -> bool {
        self.ack_key.is_some()
    }

    /// Whether a final response has gone out.
    pub fn is_answered(&self) -> bool {
        !matches!(self.state, ServerState::Trying | ServerState::Proceeding)
    }

    pub fn timers(&self) -> &TimerTable {
        &self.timers
    }

    /// Whether `timer` is armed for `deadline`, clearing it if so.
    pub fn take_due(&mut self, timer: Timer, deadline: Instant) -> bool {
        self.timers.take_due(timer, deadline)
    }

    /// The request came again: re-send what we last said, if anything.
    pub fn on_retransmission(&mut self, core: &mut Core) {
        core.counters.absorbed += 1;
        match self.state {
            ServerState::Proceeding if self.last_response.is_none() => self.send_trying(core),
            ServerState::Proceeding | ServerState::Completed => {
                if let Some(bytes) = &self.last_response {
                    core.transmit(self.flow, bytes.clone());
                }
            }
            // Accepted: the 2xx is retransmitted on Timer G, not on demand
            // (RFC 6026 §7.1 absorbs the INVITE).
            ServerState::Trying | ServerState::Confirmed | ServerState::Accepted => {}
        }
    }

    /// An ACK matched this INVITE transaction (its branch, or within the
    /// dialog for a 2xx). Returns whether the TU should see it: only the
    /// ACK of a 2xx goes up (RFC 6026 §7.1).
    pub fn on_ack(&mut self, now: Instant, core: &mut Core) -> (Step, bool) {
        match self.state {
            ServerState::Completed => {
                self.timers.stop(Timer::G);
                self.timers.stop(Timer::H);
                let linger = core.timers.linger(self.flow.is_reliable());
                if linger.is_zero() {
                    return (Step::Done, false);
                }
                self.state = ServerState::Confirmed;
                // Confirmed re-sends nothing.
                self.last_response = None;
                self.arm(core, Timer::I, now + linger);
                (Step::Live, false)
            }
            ServerState::Accepted => {
                // The 2xx arrived: stop retransmitting it, and forget the
                // missing-ACK alarm. Timer L still absorbs INVITEs.
                self.timers.stop(Timer::G);
                self.acked = true;
                // Nothing re-sends the 2xx any more (a further 2xx from the
                // TU brings its own bytes).
                self.last_response = None;
                (Step::Live, true)
            }
            _ => {
                core.counters.absorbed += 1;
                (Step::Live, false)
            }
        }
    }

    /// Sends the TU's `response` and moves the machine on.
    pub fn respond(
        &mut self,
        response: Response,
        now: Instant,
        core: &mut Core,
    ) -> Result<Step, TransactionError> {
        let code = response.status_code.code();
        if !(100..=699).contains(&code) {
            return Err(TransactionError::BadStatus(code));
        }
        let allowed = match self.state {
            ServerState::Trying | ServerState::Proceeding => true,
            // RFC 6026 §7.1: further 2xx from the TU pass in Accepted.
            ServerState::Accepted => (200..=299).contains(&code),
            ServerState::Completed | ServerState::Confirmed => false,
        };
        if !allowed {
            return Err(TransactionError::FinalAlreadySent);
        }
        self.timers.stop(Timer::Trying);
        if let Ok(essentials) = message::essentials_of(&response.headers) {
            self.to_tag = essentials.to_tag.or(self.to_tag.take());
        }
        let bytes = response.to_bytes();
        core.transmit(self.flow, bytes.clone());
        self.last_response = Some(bytes);
        if code >= 200 {
            // Only a `100 Trying` needed it. Answered transactions linger
            // 64*T1 on UDP, tens of thousands at once under load: what
            // they keep is what bounds how many there may be.
            self.request = None;
        }
        Ok(match code {
            100..=199 => {
                self.state = ServerState::Proceeding;
                Step::Live
            }
            200..=299 if self.is_invite() => self.accept(now, core),
            _ if self.is_invite() => self.reject(now, core),
            _ => self.complete(now, core),
        })
    }

    /// INVITE answered 2xx: Accepted, Timer L, and the 2xx retransmitted
    /// until its ACK.
    fn accept(&mut self, now: Instant, core: &mut Core) -> Step {
        if self.state != ServerState::Accepted {
            self.state = ServerState::Accepted;
            self.interval = core.timers.t1;
            self.arm(core, Timer::L, now + core.timers.give_up());
            if !self.flow.is_reliable() {
                self.arm(core, Timer::G, now + self.interval);
            }
        }
        Step::Live
    }

    /// INVITE answered 300-699: Completed, Timers G and H.
    fn reject(&mut self, now: Instant, core: &mut Core) -> Step {
        self.state = ServerState::Completed;
        self.interval = core.timers.t1;
        if !self.flow.is_reliable() {
            self.arm(core, Timer::G, now + self.interval);
        }
        self.arm(core, Timer::H, now + core.timers.give_up());
        Step::Live
    }

    /// Non-INVITE answered: Completed for Timer J, or done at once on a
    /// reliable transport.
    fn complete(&mut self, now: Instant, core: &mut Core) -> Step {
        let linger = core.timers.j(self.flow.is_reliable());
        if linger.is_zero() {
            return Step::Done;
        }
        self.state = ServerState::Completed;
        self.arm(core, Timer::J, now + linger);
        Step::Live
    }

    pub fn on_timer(&mut self, timer: Timer, now: Instant, core: &mut Core) -> Step {
        match (timer, self.state) {
            (Timer::Trying, ServerState::Proceeding) if self.last_response.is_none() => {
                self.send_trying(core)
            }
            (Timer::G, ServerState::Completed | ServerState::Accepted) => {
                if let Some(bytes) = &self.last_response {
                    core.counters.retransmissions += 1;
                    core.transmit(self.flow, bytes.clone());
                }
                self.interval = core.timers.backoff(self.interval, true);
                self.arm(core, Timer::G, now + self.interval);
            }
            (Timer::H, _) => {
                core.event(Event::AckTimeout { invite: self.id });
                return Step::Done;
            }
            (Timer::L, _) => {
                if !self.acked {
                    core.event(Event::AckTimeout { invite: self.id });
                }
                return Step::Done;
            }
            (Timer::I | Timer::J, _) => return Step::Done,
            _ => {}
        }
        Step::Live
    }

    fn send_trying(&mut self, core: &mut Core) {
        let Some(request) = &self.request else {
            return;
        };
        let bytes = message::response_to(request, StatusCode::Trying, None).to_bytes();
        core.transmit(self.flow, bytes.clone());
        self.last_response = Some(bytes);
    }

    fn arm(&mut self, core: &mut Core, timer: Timer, deadline: Instant) {
        core.schedule
            .arm(&mut self.timers, TxId::Server(self.id), timer, deadline);
    }
}
