//! Client transactions: the INVITE machine of RFC 3261 §17.1.1 with the
//! Accepted state of RFC 6026 §8.4, and the non-INVITE machine of §17.1.2.
//!
//! A transaction sends its request, retransmits it on Timer A or E while
//! the transport is unreliable, hands responses to the TU (dropping the
//! retransmissions it has already handed over) and gives up on Timer B or
//! F. For an INVITE answered with 300-699 it sends the ACK itself and
//! re-sends it for every retransmitted final; the ACK of a 2xx belongs to
//! the TU, which is why every 2xx, first or retransmitted, goes up.

use std::time::{Duration, Instant};

use super::super::message::{self, Method, Request, Response};
use super::super::transport::Flow;
use super::key::ClientKey;
use super::timers::{Timer, TimerTable};
use super::{ClientTx, Core, Event, Step, TxId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientState {
    /// INVITE sent, nothing heard yet.
    Calling,
    /// Non-INVITE request sent, nothing heard yet.
    Trying,
    /// A provisional response came.
    Proceeding,
    /// A final response came (300-699 for INVITE); absorbing retransmissions.
    Completed,
    /// INVITE answered 2xx (RFC 6026): more 2xx may come and go up.
    Accepted,
}

pub(super) struct ClientTransaction {
    pub id: ClientTx,
    pub key: ClientKey,
    pub flow: Flow,
    pub state: ClientState,
    /// Kept to build the ACK of a non-2xx final and a CANCEL.
    pub request: Request,
    /// The request as first sent; retransmissions repeat it byte for byte.
    bytes: Vec<u8>,
    /// The current interval of Timer A or E.
    interval: Duration,
    timers: TimerTable,
    /// The ACK sent for a non-2xx final, re-sent on each retransmission of it.
    ack: Option<Vec<u8>>,
    /// Set once the TU asked to cancel this INVITE.
    pub cancelled: bool,
    /// A CANCEL asked for before any provisional response: RFC 3261 §9.1
    /// holds it back until one comes.
    pub held_cancel: Option<(ClientTx, Request)>,
}

impl ClientTransaction {
    /// Sends `request` and arms the retransmission and give-up timers.
    pub fn start(
        id: ClientTx,
        key: ClientKey,
        request: Request,
        flow: Flow,
        now: Instant,
        core: &mut Core,
    ) -> Self {
        let invite = request.method == Method::Invite;
        let bytes = request.to_bytes();
        core.transmit(flow, bytes.clone());
        let mut tx = ClientTransaction {
            id,
            key,
            flow,
            state: if invite {
                ClientState::Calling
            } else {
                ClientState::Trying
            },
            request,
            bytes,
            interval: core.timers.t1,
            timers: TimerTable::default(),
            ack: None,
            cancelled: false,
            held_cancel: None,
        };
        let (retransmit, give_up) = if invite {
            (Timer::A, Timer::B)
        } else {
            (Timer::E, Timer::F)
        };
        if !flow.is_reliable() {
            tx.arm(core, retransmit, now + tx.interval);
        }
        tx.arm(core, give_up, now + core.timers.give_up());
        tx
    }

    pub fn is_invite(&self) -> bool {
        self.request.method == Method::Invite
    }

    pub fn timers(&self) -> &TimerTable {
        &self.timers
    }

    /// Whether `timer` is armed for `deadline`, clearing it if so.
    pub fn take_due(&mut self, timer: Timer, deadline: Instant) -> bool {
        self.timers.take_due(timer, deadline)
    }

    /// After a CANCEL went out, RFC 3261 §9.1 gives the INVITE 64*T1 to
    /// end with its 487; Timer B is re-armed for that wait.
    pub fn await_cancelled(&mut self, now: Instant, core: &mut Core) {
        self.arm(core, Timer::B, now + core.timers.give_up());
    }

    pub fn on_response(&mut self, response: Response, now: Instant, core: &mut Core) -> Step {
        let code = response.status_code.code();
        if self.is_invite() {
            self.on_invite_response(code, response, now, core)
        } else {
            self.on_other_response(code, response, now, core)
        }
    }

    fn on_invite_response(
        &mut self,
        code: u16,
        response: Response,
        now: Instant,
        core: &mut Core,
    ) -> Step {
        use ClientState::*;
        match (self.state, code) {
            (Calling | Proceeding, 100..=199) => {
                self.state = Proceeding;
                self.timers.stop(Timer::A);
                if !self.cancelled {
                    // Timer B only guards Calling (§17.1.1.2), unless a
                    // CANCEL is waiting for its 487.
                    self.timers.stop(Timer::B);
                }
                self.pass_up(response, core);
            }
            (Calling | Proceeding, 200..=299) => {
                self.state = Accepted;
                self.timers.stop(Timer::A);
                self.timers.stop(Timer::B);
                self.arm(core, Timer::M, now + core.timers.give_up());
                self.pass_up(response, core);
            }
            (Calling | Proceeding, 300..) => {
                let ack = message::ack_for(&self.request, &response).to_bytes();
                core.transmit(self.flow, ack.clone());
                self.timers.stop(Timer::A);
                self.timers.stop(Timer::B);
                self.pass_up(response, core);
                let linger = core.timers.d(self.flow.is_reliable());
                if linger.is_zero() {
                    return Step::Done;
                }
                self.ack = Some(ack);
                self.state = Completed;
                self.arm(core, Timer::D, now + linger);
            }
            // RFC 6026 §8.4: every 2xx goes up, so the TU can ACK each.
            (Accepted, 200..=299) => self.pass_up(response, core),
            (Completed, 300..) => {
                if let Some(ack) = &self.ack {
                    core.counters.absorbed += 1;
                    core.transmit(self.flow, ack.clone());
                }
            }
            _ => core.counters.absorbed += 1,
        }
        Step::Live
    }

    fn on_other_response(
        &mut self,
        code: u16,
        response: Response,
        now: Instant,
        core: &mut Core,
    ) -> Step {
        use ClientState::*;
        match (self.state, code) {
            (Trying | Proceeding, 100..=199) => {
                self.state = Proceeding;
                self.pass_up(response, core);
            }
            (Trying | Proceeding, 200..) => {
                self.timers.stop(Timer::E);
                self.timers.stop(Timer::F);
                self.pass_up(response, core);
                let linger = core.timers.linger(self.flow.is_reliable());
                if linger.is_zero() {
                    return Step::Done;
                }
                self.state = Completed;
                self.arm(core, Timer::K, now + linger);
            }
            _ => core.counters.absorbed += 1,
        }
        Step::Live
    }

    pub fn on_timer(&mut self, timer: Timer, now: Instant, core: &mut Core) -> Step {
        match timer {
            Timer::A if self.state == ClientState::Calling => {
                self.interval = core.timers.backoff(self.interval, false);
                self.retransmit(now, core, Timer::A);
            }
            Timer::E if self.state == ClientState::Trying => {
                self.interval = core.timers.backoff(self.interval, true);
                self.retransmit(now, core, Timer::E);
            }
            // §17.1.2.2: once a provisional came, retransmit every T2.
            Timer::E if self.state == ClientState::Proceeding => {
                self.interval = core.timers.t2;
                self.retransmit(now, core, Timer::E);
            }
            Timer::B | Timer::F => {
                core.counters.timeouts += 1;
                core.event(Event::Timeout { tx: self.id });
                return Step::Done;
            }
            Timer::D | Timer::K | Timer::M => return Step::Done,
            _ => {}
        }
        Step::Live
    }

    /// Re-sends the request and arms `timer` for the one after, `interval`
    /// from now.
    fn retransmit(&mut self, now: Instant, core: &mut Core, timer: Timer) {
        core.counters.retransmissions += 1;
        core.transmit(self.flow, self.bytes.clone());
        self.arm(core, timer, now + self.interval);
    }

    fn pass_up(&self, response: Response, core: &mut Core) {
        core.event(Event::Response {
            tx: self.id,
            response,
        });
    }

    fn arm(&mut self, core: &mut Core, timer: Timer, deadline: Instant) {
        core.schedule
            .arm(&mut self.timers, TxId::Client(self.id), timer, deadline);
    }
}
