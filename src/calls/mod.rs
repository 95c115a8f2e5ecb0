//! The B2BUA call model (sans-IO): a call is a caller leg (we are its UAS)
//! and one or more callee legs (we are their UAC); every phone of an
//! extension rings, the first to answer wins and the rest are cancelled.
//!
//! The engine gives it what the transaction layer reported and the routing
//! decision (dialplan, registrar, trunk); it answers with [`Command`]s for
//! the transaction layer and [`CallEvent`]s for the CRM, and never reads a
//! clock: every input carries [`Now`]. When the engine gives a call a
//! [`MediaAnchor`], every SDP it passes on is rewritten to the server's
//! ports (see `media.rs`); without one, SDP passes end to end untouched.

mod call;
pub mod dialog;
mod inputs;
mod media;
mod menu;
pub mod session_timer;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use call::CallId;
use call::{Call, LegId};
pub use dialog::Local;
pub use inputs::{ABANDON_PROMPT, CALLBACK_PROMPT, RINGBACK};
pub use media::{HOLD_MUSIC, MediaAnchor, MediaCommand, events_pt};

use crate::sip::message::{Request, Response};
use crate::sip::transaction::{ClientTx, ServerTx};
use crate::sip::transport::Flow;

/// The time of an input: monotonic for timers, wall-clock for records.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub instant: Instant,
    pub wall: DateTime<Utc>,
}

/// Which way a call goes, for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a trunk to an extension.
    Inbound,
    /// From an extension to a trunk.
    Outbound,
    /// Extension to extension.
    Internal,
}

/// One phone to ring.
#[derive(Debug, Clone)]
pub struct Target {
    /// The extension or number this phone answers for (the record's label).
    pub label: String,
    /// Request-URI of the INVITE (a registered Contact, or a trunk's URI).
    pub uri: String,
    pub flow: Flow,
    /// This server on that flow.
    pub local: Local,
    /// The session timer (RFC 4028) to offer, in seconds: the trunk's.
    pub session_expires: Option<u32>,
    /// It takes keys as SIP INFO, not RFC 4733 events: a trunk whose
    /// `dtmf` is `info`.
    pub keys_by_info: bool,
}

/// What the routing decided for a new call.
#[derive(Debug, Clone)]
pub struct Plan {
    pub direction: Direction,
    pub trunk: Option<String>,
    pub rule: Option<String>,
    /// The caller as received, its E.164 form and display name.
    pub caller: String,
    pub caller_e164: Option<String>,
    pub caller_name: Option<String>,
    pub called: String,
    pub original_called: Option<String>,
    /// The outside party's E.164 number, which finds the call's client:
    /// the caller's on an inbound call, the dialled number's on an
    /// outbound one; `None` for internal calls and unreadable numbers.
    pub party_e164: Option<String>,
    /// From of the callee legs: who the callee sees calling.
    pub present_as: String,
    pub targets: Vec<Target>,
    pub ring_timeout: Duration,
    /// The session timer of the caller's trunk, in seconds: applied when
    /// the trunk asks for none itself.
    pub session_expires: Option<u32>,
    /// Whether the call is recorded: its trunk's or its dialplan rule's
    /// setting.
    pub record: bool,
    /// The caller takes keys as SIP INFO (its trunk's `dtmf` is `info`).
    pub caller_keys_by_info: bool,
    /// Where the call's media is anchored: the routing leaves it `None`,
    /// the engine fills it in once it has opened the call's ports.
    pub media: Option<MediaAnchor>,
    /// The voice menu that answers the call, instead of ringing `targets`.
    pub menu: Option<MenuEntry>,
    /// The contact-centre queue that answers the call, instead of ringing
    /// `targets`: the caller hears hold music until an agent answers.
    pub queue: Option<QueueEntry>,
    /// A supervisor's call onto an agent's, answered here.
    pub monitor: Option<MonitorEntry>,
}

/// A queue a call is routed to, and the caller's priority in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub name: String,
    pub priority: u8,
}

/// A menu a call is routed to: the plan's menus, as loaded when the call
/// came (a reload does not change a call in progress), and which one.
#[derive(Debug, Clone)]
pub struct MenuEntry {
    pub menus: std::sync::Arc<crate::dialplan::Menus>,
    pub name: String,
}

/// Instructions for the transaction layer and the media driver.
#[derive(Debug)]
pub enum Command {
    Respond {
        tx: ServerTx,
        response: Response,
    },
    /// Start a client transaction; report its id with [`Calls::sent`].
    Send {
        token: u64,
        request: Request,
        flow: Flow,
    },
    Cancel {
        tx: ClientTx,
    },
    /// An ACK for a 2xx (no transaction).
    Ack {
        request: Request,
        flow: Flow,
    },
    Media(MediaCommand),
    Event(CallEvent),
    /// A caller chose in a menu: find these extensions' phones and give
    /// them to [`Calls::ring`].
    Ring {
        call: CallId,
        extensions: Vec<String>,
        timeout: Duration,
    },
    /// A caller waits in a queue (answered, hearing hold music): the ACD
    /// picks its agents, whose phones go to [`Calls::ring`].
    Queue {
        call: CallId,
        queue: String,
        priority: u8,
    },
    /// A supervisor's call (answered here) goes on the call `extension`
    /// talks on, in `mode`; sent again when they key another mode.
    Monitor {
        call: CallId,
        extension: String,
        mode: MonitorMode,
    },
}

/// What a supervisor does on an agent's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorMode {
    /// Hears both sides, unheard.
    Listen,
    /// Heard by the agent alone.
    Whisper,
    /// Heard by both sides.
    Barge,
}

impl MonitorMode {
    /// The keys a supervisor switches with while on the call, as
    /// Asterisk's ChanSpy has them: 4 listen, 5 whisper, 6 barge.
    pub fn of_key(key: char) -> Option<MonitorMode> {
        match key {
            '4' => Some(MonitorMode::Listen),
            '5' => Some(MonitorMode::Whisper),
            '6' => Some(MonitorMode::Barge),
            _ => None,
        }
    }

    /// The feature code a supervisor dials, before the agent's extension.
    pub fn code(self) -> &'static str {
        match self {
            MonitorMode::Listen => "*81",
            MonitorMode::Whisper => "*82",
            MonitorMode::Barge => "*83",
        }
    }

    pub fn parse(name: &str) -> Option<MonitorMode> {
        match name {
            "listen" => Some(MonitorMode::Listen),
            "whisper" => Some(MonitorMode::Whisper),
            "barge" => Some(MonitorMode::Barge),
            _ => None,
        }
    }
}

/// A supervisor's call to monitor an agent's (`*81`, `*82`, `*83` and the
/// agent's extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorEntry {
    pub extension: String,
    pub mode: MonitorMode,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Busy,
    NoAnswer,
    /// The caller hung up before anyone answered.
    Cancelled,
    Rejected,
    Failed,
    /// No phone to ring.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Caller,
    Callee,
    System,
}

/// One callee leg, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegSummary {
    pub label: String,
    pub uri: String,
    pub answered: bool,
    pub sip_code: Option<u16>,
}

/// Everything the CRM keeps of a finished call.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: CallId,
    pub direction: Direction,
    pub trunk: Option<String>,
    pub rule: Option<String>,
    pub caller: String,
    pub caller_e164: Option<String>,
    pub caller_name: Option<String>,
    pub called: String,
    pub original_called: Option<String>,
    pub answered_by: Option<String>,
    pub party_e164: Option<String>,
    /// The queue that took the call (from the plan, or a menu's key).
    pub queue: Option<String>,
    pub arrived_at: DateTime<Utc>,
    /// When the call joined its queue.
    pub queued_at: Option<DateTime<Utc>>,
    /// When the first phone was rung.
    pub offered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// When the called party of a call we placed answered, before it was
    /// put through (one never put through was abandoned).
    pub picked_up_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub outcome: Outcome,
    pub hangup_by: Option<Party>,
    pub sip_code: Option<u16>,
    pub legs: Vec<LegSummary>,
    /// What the anchored media carried; the engine fills it in from the
    /// call's stream as the call ends.
    pub media: Option<MediaCounts>,
}

/// The packets each side sent through the anchor, RTCP included, and the
/// call's recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaCounts {
    pub from_caller: crate::media::relay::Stats,
    pub from_callee: crate::media::relay::Stats,
    /// The recording's file (under the recordings folder) and length in ms.
    pub recording: Option<(String, u64)>,
}

/// What happened to a call, as it happens.
#[derive(Debug, Clone)]
pub enum CallEvent {
    Created {
        id: CallId,
        caller: String,
        called: String,
        direction: Direction,
    },
    Ringing {
        id: CallId,
        label: String,
    },
    Answered {
        id: CallId,
        label: String,
    },
    /// A phone rung from a queue did not answer (refused, unreachable or
    /// cancelled); the call waits on.
    Unanswered {
        id: CallId,
        label: String,
    },
    /// A key pressed on one side: an RFC 4733 event in its audio, or a SIP
    /// INFO (`application/dtmf-relay`, `application/dtmf`).
    Digit {
        id: CallId,
        from: Party,
        digit: char,
    },
    Ended(Box<Summary>),
}

/// Every call in progress.
#[derive(Debug, Default)]
pub struct Calls {
    calls: HashMap<CallId, Call>,
    /// Client transactions and tokens → the call and leg they belong to.
    client_txs: HashMap<ClientTx, (CallId, LegId)>,
    tokens: HashMap<u64, Pending>,
    /// Server transactions of the caller's requests → their call.
    server_txs: HashMap<ServerTx, CallId>,
    /// SIP Call-ID of every dialog (the caller's and each leg's) → its call,
    /// so an in-dialog request finds its call without a scan. Several calls
    /// may share a caller's Call-ID (a forked INVITE arriving twice).
    dialogs: HashMap<String, Vec<CallId>>,
    /// Ring and session-timer deadlines, earliest first. A session deadline
    /// that moved (a refresh came) is left here and skipped when it fires.
    deadlines: BTreeMap<(Instant, CallId, Due), ()>,
    next_id: u64,
    next_token: u64,
    commands: VecDeque<Command>,
    /// Random material for tags, branches and Call-IDs, from the driver.
    seed: u64,
    /// How long each prompt plays, to know when a menu's greeting is over.
    prompt_lengths: HashMap<String, Duration>,
}

/// A request handed to the engine whose client transaction is not known yet.
#[derive(Debug)]
struct Pending {
    call: CallId,
    leg: LegId,
    purpose: Purpose,
    /// For a relay, the request being relayed, to answer it later.
    relayed: Option<Request>,
}

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    /// Nobody answered in time.
    Ring,
    /// A side's session timer: our refresh, or the peer's expiry.
    Session(LegId),
    /// A menu's prompt or wait for a key is over; the number tells a
    /// current deadline from one a key made stale.
    Menu(u32),
}

/// Why a request was sent, so its answer is understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Bye,
    /// A session refresh (UPDATE) we send as the refresher.
    Refresh,
    /// A key sent as SIP INFO to a side that takes keys so.
    Key,
    /// A re-INVITE, UPDATE or INFO relayed for the other side's `ServerTx`.
    Relay(ServerTx),
}

impl Calls {
    pub fn new(seed: u64) -> Self {
        Calls {
            seed,
            ..Calls::default()
        }
    }

    /// The prompts menus play, with how long each lasts.
    pub fn set_prompt_lengths(&mut self, lengths: HashMap<String, Duration>) {
        self.prompt_lengths = lengths;
    }

    /// Calls in progress.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    pub fn poll_output(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.keys().next().map(|(at, _, _)| *at)
    }

    /// Who a call in progress is from and what they dialled: the caller's
    /// number as received, its E.164 form and name, and the called number.
    pub fn parties(&self, id: CallId) -> Option<(&str, Option<&str>, Option<&str>, &str)> {
        let plan = &self.calls.get(&id)?.plan;
        Some((
            &plan.caller,
            plan.caller_e164.as_deref(),
            plan.caller_name.as_deref(),
            &plan.called,
        ))
    }

    /// The answered call `extension` talks on, and which side of it they
    /// are (B: the phone that answered; A: the caller), for a supervisor
    /// to monitor. Supervisors' own calls are not candidates.
    pub fn talking(&self, extension: &str) -> Option<(CallId, crate::media::relay::Side)> {
        self.calls.values().find_map(|call| {
            let call::Phase::Answered(leg) = call.phase else {
                return None;
            };
            if call.plan.monitor.is_some() {
                None
            } else if call
                .legs
                .get(leg.0)
                .is_some_and(|l| l.target.label == extension)
            {
                Some((call.id, crate::media::relay::Side::B))
            } else if call.plan.caller == extension {
                Some((call.id, crate::media::relay::Side::A))
            } else {
                None
            }
        })
    }

    /// The G.711 payload type the caller of a call answered here (a
    /// supervisor's) hears.
    pub fn caller_audio_pt(&self, id: CallId) -> Option<u8> {
        self.calls
            .get(&id)?
            .bridge
            .audio_pt(crate::media::relay::Side::A)
    }

    /// Reports the client transaction a [`Command::Send`] started.
    pub fn sent(&mut self, token: u64, tx: ClientTx) {
        if let Some(pending) = self.tokens.remove(&token) {
            self.client_txs.insert(tx, (pending.call, pending.leg));
            if let Some(call) = self.calls.get_mut(&pending.call) {
                call.bind_tx(pending.leg, pending.purpose, tx, pending.relayed);
                // A call we placed that was given up on before its INVITE
                // had a transaction is cancelled now.
                if pending.purpose == Purpose::Invite
                    && pending.leg == call::CALLER
                    && call.dialled.as_ref().is_some_and(|d| d.cancelling)
                {
                    self.commands.push_back(Command::Cancel { tx });
                }
            }
        }
    }

    /// A fresh value for tags, branches and Call-IDs: unique per process
    /// (the counter) and unguessable across restarts (the seed).
    fn unique(&mut self) -> String {
        self.next_token += 1;
        format!("{:x}{:x}", self.seed, self.next_token)
    }
}
