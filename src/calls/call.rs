//! One call's state: the caller's dialog, the callee legs, and the record
//! being filled in as the call goes.

use std::collections::HashMap;
use std::fmt;

use std::time::Instant;

use chrono::{DateTime, Utc};

use super::dialog::Dialog;
use super::session_timer::{SessionTimer, UasTerms};
use super::{Direction, LegSummary, Outcome, Party, Plan, Summary, Target};
use crate::sip::message::Request;
use crate::sip::transaction::{ClientTx, ServerTx};

/// The B2BUA's own id of a call (not a SIP Call-ID: each leg has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call-{}", self.0)
    }
}

/// A callee leg's index within its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub usize);

/// Stands for the caller's side where a request's side is recorded as a leg
/// (a BYE or relayed request we send toward the caller).
pub const CALLER: LegId = LegId(usize::MAX);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegState {
    /// INVITE sent, nothing but 100 back yet.
    Calling,
    /// A provisional answer: the phone rings.
    Early,
    Answered,
    /// Ended before answering, with the final code (487 when we cancelled).
    Failed(u16),
    /// Hung up after answering.
    Ended,
}

#[derive(Debug)]
pub struct Leg {
    pub target: Target,
    pub dialog: Dialog,
    pub invite_tx: Option<ClientTx>,
    pub state: LegState,
    /// Whether a CANCEL was asked for, so it is sent once.
    pub cancelling: bool,
    /// The session timer agreed with this leg's peer, and when it is due.
    pub timer: Option<Timed>,
    /// Whether the INVITE was sent again after a 422 (once at most).
    pub timer_retried: bool,
}

/// A side's session timer and its next deadline.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    pub timer: SessionTimer,
    pub due: Instant,
}

impl Leg {
    pub fn pending(&self) -> bool {
        matches!(self.state, LegState::Calling | LegState::Early)
    }
}

/// Our INVITE of a call we placed, until the called party answers.
#[derive(Debug)]
pub struct Dialled {
    pub invite_tx: Option<ClientTx>,
    pub state: LegState,
    /// The target called (a trunk), for its session timer and keys.
    pub target: Target,
    /// A CANCEL asked for before the transaction was known.
    pub cancelling: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A call we placed: the called party has not answered yet.
    Dialling,
    /// A voice menu answered the caller and has not put it through yet.
    Menu,
    Ringing,
    Answered(LegId),
}

#[derive(Debug)]
pub struct Call {
    pub id: CallId,
    pub plan: Plan,
    /// Our dialog with the caller: we are its UAS, or its UAC on a call
    /// we placed ([`Dialled`]).
    pub caller: Dialog,
    /// The caller's INVITE transaction; `None` on a call we placed.
    pub invite_tx: Option<ServerTx>,
    /// The caller's INVITE, or ours on a call we placed.
    pub invite: Request,
    /// Set on a call we placed: our INVITE to the called party, who plays
    /// the caller's part once they answer.
    pub dialled: Option<Dialled>,
    /// When the called party of a call we placed answered (the call is
    /// `answered_at` once put through to an agent).
    pub picked_up_at: Option<DateTime<Utc>>,
    pub legs: Vec<Leg>,
    pub phase: Phase,
    pub arrived_at: DateTime<Utc>,
    /// When the call joined a queue, for its wait there.
    pub queued_at: Option<DateTime<Utc>>,
    /// When the first phone was rung, for the time to offer.
    pub offered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The leg whose early media (183 with SDP) the caller hears.
    pub early_media: Option<LegId>,
    /// Callee legs' 2xx waiting for the caller's ACK, which carries the SDP
    /// answer when the caller's INVITE had no offer.
    pub awaiting_ack: Option<LegId>,
    /// In-dialog requests relayed to the other side: our client transaction
    /// → the server transaction to answer and its request.
    pub relays: HashMap<ClientTx, (ServerTx, Request)>,
    /// Every client transaction of this call, to forget them at the end.
    pub txs: Vec<ClientTx>,
    /// What the caller's INVITE asked of session timers, applied on answer.
    pub caller_terms: UasTerms,
    /// The session timer with the caller, once answered.
    pub caller_timer: Option<Timed>,
    /// Session refreshes we sent, and to which side.
    pub refreshes: HashMap<ClientTx, LegId>,
    /// The offer/answer state of the anchored media.
    pub bridge: super::media::Bridge,
    /// Set when a voice menu or a queue answered the caller: the caller
    /// then has our answer, and the phones rung later get our offer.
    pub menu: Option<MenuCall>,
    /// A side whose re-INVITE without SDP we answered with our offer: its
    /// ACK brings the answer.
    pub offered_again: Option<LegId>,
}

/// A call a voice menu or a queue answered (a menu's key may pass it on
/// to a queue).
#[derive(Debug)]
pub struct MenuCall {
    /// The caller's place in the voice menu; `None` in a queue.
    pub place: Option<super::menu::InMenu>,
    /// The queue the caller waits in; `None` in a menu.
    pub queue: Option<super::QueueEntry>,
    /// Numbers the menu's deadlines, so that only the latest counts.
    pub step: u32,
    /// The offer the phones rung get, made on the caller's behalf with the
    /// payload types agreed with it; `None` until that is agreed.
    pub on_behalf: Option<super::media::Offer>,
    /// Our last description to the caller, for a re-INVITE without one.
    pub described: (String, Vec<u8>),
    /// What starts once the caller's ACK brings its answer to our offer
    /// (its INVITE had none).
    pub after_ack: Option<Start>,
    /// The caller hears a last prompt (a queue will call them back), then
    /// is hung up on.
    pub leaving: bool,
}

/// The first step of a call answered here.
#[derive(Debug, Clone)]
pub enum Start {
    Menu(super::menu::Next),
    /// Hold music, and the call joins its queue.
    Queue,
    /// A supervisor goes on an agent's call.
    Monitor,
}

impl Call {
    /// A call just begun, in `phase`, with nothing of its course yet: no
    /// transaction, leg, time but its arrival, timer or media state.
    pub fn new(
        id: CallId,
        plan: Plan,
        caller: Dialog,
        invite: Request,
        phase: Phase,
        arrived_at: DateTime<Utc>,
    ) -> Call {
        Call {
            id,
            plan,
            caller,
            invite_tx: None,
            invite,
            dialled: None,
            picked_up_at: None,
            legs: Vec::new(),
            phase,
            arrived_at,
            queued_at: None,
            offered_at: None,
            answered_at: None,
            early_media: None,
            awaiting_ack: None,
            relays: Default::default(),
            txs: Vec::new(),
            caller_terms: UasTerms::None,
            caller_timer: None,
            refreshes: Default::default(),
            bridge: Default::default(),
            menu: None,
            offered_again: None,
        }
    }

    pub fn bind_tx(
        &mut self,
        leg: LegId,
        purpose: super::Purpose,
        tx: ClientTx,
        relayed: Option<Request>,
    ) {
        self.txs.push(tx);
        match purpose {
            super::Purpose::Invite if leg == CALLER => {
                if let Some(dialled) = self.dialled.as_mut() {
                    dialled.invite_tx = Some(tx);
                }
            }
            super::Purpose::Invite => {
                if let Some(l) = self.legs.get_mut(leg.0) {
                    l.invite_tx = Some(tx);
                }
            }
            super::Purpose::Relay(server_tx) => {
                if let Some(request) = relayed {
                    self.relays.insert(tx, (server_tx, request));
                }
            }
            super::Purpose::Refresh => {
                self.refreshes.insert(tx, leg);
            }
            super::Purpose::Bye | super::Purpose::Key => {}
        }
    }

    /// Our dialog on a side (`CALLER` or a leg).
    pub fn dialog(&self, side: LegId) -> &Dialog {
        if side == CALLER {
            &self.caller
        } else {
            &self.legs[side.0].dialog
        }
    }

    pub fn dialog_mut(&mut self, side: LegId) -> &mut Dialog {
        if side == CALLER {
            &mut self.caller
        } else {
            &mut self.legs[side.0].dialog
        }
    }

    /// The session timer of a side (`CALLER` or a leg).
    pub fn timer_mut(&mut self, side: LegId) -> Option<&mut Option<Timed>> {
        if side == CALLER {
            Some(&mut self.caller_timer)
        } else {
            self.legs.get_mut(side.0).map(|l| &mut l.timer)
        }
    }

    pub fn all_legs_done(&self) -> bool {
        self.legs.iter().all(|l| !l.pending())
    }

    /// The code the caller hears when every leg failed (RFC 3261 §16.7, in
    /// short): a global 6xx first, then busy, then the lowest class seen.
    pub fn failure_code(&self) -> u16 {
        let codes: Vec<u16> = self
            .legs
            .iter()
            .filter_map(|l| match l.state {
                LegState::Failed(code) if code != 487 => Some(code),
                _ => None,
            })
            .collect();
        if let Some(code) = codes.iter().copied().find(|c| *c >= 600) {
            return code;
        }
        if codes.contains(&486) {
            return 486;
        }
        codes.iter().copied().min().unwrap_or(480)
    }

    pub fn summary(
        &self,
        ended_at: DateTime<Utc>,
        outcome: Outcome,
        hangup_by: Option<Party>,
        sip_code: Option<u16>,
    ) -> Summary {
        let answered_by = match self.phase {
            Phase::Answered(leg) => self.legs.get(leg.0).map(|l| l.target.label.clone()),
            Phase::Ringing | Phase::Menu | Phase::Dialling => None,
        };
        Summary {
            id: self.id,
            direction: self.plan.direction,
            trunk: self.plan.trunk.clone(),
            rule: self.plan.rule.clone(),
            caller: self.plan.caller.clone(),
            caller_e164: self.plan.caller_e164.clone(),
            caller_name: self.plan.caller_name.clone(),
            called: self.plan.called.clone(),
            original_called: self.plan.original_called.clone(),
            answered_by,
            party_e164: self.plan.party_e164.clone(),
            queue: self
                .menu
                .as_ref()
                .and_then(|m| m.queue.as_ref())
                .or(self.plan.queue.as_ref())
                .map(|q| q.name.clone()),
            arrived_at: self.arrived_at,
            queued_at: self.queued_at,
            offered_at: self.offered_at,
            answered_at: self.answered_at,
            picked_up_at: self.picked_up_at,
            ended_at,
            outcome,
            hangup_by,
            sip_code,
            legs: self
                .legs
                .iter()
                .map(|l| LegSummary {
                    label: l.target.label.clone(),
                    uri: l.target.uri.clone(),
                    answered: matches!(l.state, LegState::Answered | LegState::Ended),
                    sip_code: match l.state {
                        LegState::Failed(code) => Some(code),
                        _ => None,
                    },
                })
                .collect(),
            media: None,
        }
    }
}

/// How a failed call is filed, from the code the caller heard.
pub fn outcome_of(code: u16) -> Outcome {
    match code {
        486 | 600 => Outcome::Busy,
        408 | 480 => Outcome::NoAnswer,
        500..=599 => Outcome::Failed,
        _ => Outcome::Rejected,
    }
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Internal => "internal",
        }
    }
}
