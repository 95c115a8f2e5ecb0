//! Campaigns' calls as the engine places them. The dialler task (see
//! `runtime::dialer`) decides what to call; the engine, which owns the
//! calls and the ACD, places each call through the campaign's trunk, puts
//! the answered ones in the campaign's queue (its agents' ACD queue, whose
//! waiting limit is the abandon grace), abandons those no agent takes in
//! time, and tells the dialler how each went. It also tells the dialler
//! the campaign's floor (agents free and busy, calls ringing and waiting)
//! for its pacing.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::engine::{Engine, stamp};
use crate::acd::{AgentState, Overflow, QueueConfig};
use crate::calls::{CallEvent, CallId, Outcome, Summary};
use crate::dialer::pacing::Floor;
use crate::ids::UserId;
use crate::runtime::clock;

pub use crate::crm::campaigns::queue_of;

/// What the dialler asks of the engine.
#[derive(Debug)]
pub enum DialerCommand {
    /// A running campaign: its queue, with these agents (those logged in
    /// take its calls), the wrap-up after each and the abandon grace.
    Run {
        campaign: i64,
        agents: BTreeSet<UserId>,
        wrap_up: Duration,
        grace: Duration,
        results: Vec<String>,
    },
    /// A campaign paused or stopped: its agents leave its queue; its calls
    /// in progress go on.
    Leave { campaign: i64 },
    /// Call a lead's number through the trunk.
    Dial(Dial),
    /// The campaign's floor now, for its pacing.
    Floor {
        campaign: i64,
        reply: oneshot::Sender<Floor>,
    },
}

#[derive(Debug, Clone)]
pub struct Dial {
    pub campaign: i64,
    pub lead: i64,
    /// E.164.
    pub number: String,
    pub trunk: String,
    /// The number the called party sees; the trunk's own when `None`.
    pub caller_id: Option<String>,
    pub ring_timeout: Duration,
    /// Listen for an answering machine before queueing an answered call;
    /// a machine is hung up on.
    pub detect_machines: bool,
}

/// What the engine tells the dialler.
#[derive(Debug)]
pub enum DialerEvent {
    /// The call could not be placed (no such trunk, no media ports).
    NotPlaced {
        lead: i64,
        reason: String,
    },
    /// An agent took the answered call: the lead is theirs to finish.
    Connected {
        lead: i64,
        agent: UserId,
    },
    Ended(Attempted),
}

/// A placed call, once over.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub campaign: i64,
    pub lead: i64,
    pub number: String,
    pub dialled_at: DateTime<Utc>,
    /// When the called party answered.
    pub picked_up_at: Option<DateTime<Utc>>,
    /// When an agent took it.
    pub connected_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub agent: Option<UserId>,
    pub outcome: Outcome,
    pub sip_code: Option<u16>,
    /// From the INVITE to the answer or the failure.
    pub rang: Duration,
    /// Answered by a person, and no agent took it.
    pub abandoned: bool,
    /// An answering machine answered (and was hung up on).
    pub machine: bool,
}

/// Where a placed call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Ringing,
    /// Answered; its audio is listened to for an answering machine.
    Listening,
    /// Answered, waiting for an agent.
    Waiting,
    /// An agent's phone rings with it.
    Offered,
    Connected,
}

#[derive(Debug)]
struct Placed {
    campaign: i64,
    lead: i64,
    number: String,
    dialled: Instant,
    stage: Stage,
    picked_up: Option<Instant>,
    agent: Option<UserId>,
    detect_machines: bool,
    /// While listening for a machine: since when, and the queue to join
    /// if a person answered.
    listening: Option<(Instant, String)>,
    machine: bool,
}

/// The longest a called party is listened to before joining the queue
/// when no verdict comes (no audio at all): the detector's own limit and
/// a little more.
const LISTEN_LIMIT: Duration = Duration::from_millis(5500);

/// The campaigns' calls in progress, and the channel to the dialler.
pub struct CampaignCalls {
    placed: HashMap<CallId, Placed>,
    events: Option<mpsc::UnboundedSender<DialerEvent>>,
}

impl CampaignCalls {
    pub fn new(events: Option<mpsc::UnboundedSender<DialerEvent>>) -> Self {
        CampaignCalls {
            placed: HashMap::new(),
            events,
        }
    }

    /// The campaign and lead of a call we placed.
    pub fn lead_of(&self, call: CallId) -> Option<(i64, i64)> {
        self.placed.get(&call).map(|p| (p.campaign, p.lead))
    }

    /// The number a placed call called.
    pub fn number_of(&self, call: CallId) -> Option<&str> {
        self.placed.get(&call).map(|p| p.number.as_str())
    }

    fn tell(&self, event: DialerEvent) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }

    /// The call joined its queue: the called party answered.
    pub fn waiting(&mut self, call: CallId) {
        if let Some(placed) = self.placed.get_mut(&call) {
            if placed.picked_up.is_none() {
                placed.picked_up = Some(clock::instant());
            }
            placed.stage = Stage::Waiting;
        }
    }

    pub fn offered(&mut self, call: CallId) {
        if let Some(placed) = self.placed.get_mut(&call) {
            placed.stage = Stage::Offered;
        }
    }
}

impl Engine {
    /// Does what the dialler asks.
    pub(super) fn on_dialer(&mut self, command: DialerCommand) {
        let now = clock::instant();
        match command {
            DialerCommand::Run {
                campaign,
                agents,
                wrap_up,
                grace,
                results,
            } => {
                let mut config = QueueConfig::new(&queue_of(campaign));
                config.ring_timeout = Duration::from_secs(10);
                config.wrap_up = wrap_up;
                config.max_wait = Some(grace);
                config.overflow = Overflow::HangUp;
                config.service_level = grace;
                config.results = results;
                self.distribution.set_campaign(now, config, agents);
            }
            DialerCommand::Leave { campaign } => {
                self.distribution.end_campaign(now, &queue_of(campaign));
            }
            DialerCommand::Dial(dial) => self.dial(dial),
            DialerCommand::Floor { campaign, reply } => {
                let _ = reply.send(self.floor(campaign, now));
            }
        }
    }

    fn dial(&mut self, dial: Dial) {
        let not_placed = |this: &Self, reason: String| {
            tracing::warn!(campaign = dial.campaign, lead = dial.lead, %reason, "campaign call not placed");
            this.campaigns.tell(DialerEvent::NotPlaced {
                lead: dial.lead,
                reason,
            });
        };
        let trunks = self.trunks.clone();
        let Some(trunk) = trunks.get(&dial.trunk) else {
            return not_placed(self, format!("no trunk {:?}", dial.trunk));
        };
        let names = self.names.borrow().clone();
        let Some((mut plan, target)) = super::routing::campaign_call(
            trunk,
            &dial.number,
            dial.caller_id.as_deref(),
            &queue_of(dial.campaign),
            dial.ring_timeout,
            &self.locals,
            &names,
        ) else {
            return not_placed(self, format!("trunk {:?} has no peer to call", dial.trunk));
        };
        let Some(anchoring) = &self.anchoring else {
            return not_placed(self, "media is not anchored".into());
        };
        let (stream, anchor) = match anchoring.open(plan.record) {
            Ok(opened) => opened,
            Err(error) => {
                metrics::counter!("media_open_failures_total").increment(1);
                return not_placed(self, format!("no media ports: {error}"));
            }
        };
        plan.media = Some(anchor);
        let Some(id) = self.calls.dial(stamp(), plan, target) else {
            return not_placed(self, "the call could not be placed".into());
        };
        if let Some(anchoring) = &mut self.anchoring {
            anchoring.started(id, stream);
        }
        metrics::counter!("dialer_calls_placed_total").increment(1);
        self.campaigns.placed.insert(
            id,
            Placed {
                campaign: dial.campaign,
                lead: dial.lead,
                number: dial.number,
                dialled: clock::instant(),
                stage: Stage::Ringing,
                picked_up: None,
                agent: None,
                detect_machines: dial.detect_machines,
                listening: None,
                machine: false,
            },
        );
    }

    /// The campaign's agents and calls now.
    fn floor(&self, campaign: i64, now: Instant) -> Floor {
        let mut floor = Floor::default();
        for (_, state, since) in self.distribution.campaign_agents(&queue_of(campaign)) {
            match state {
                AgentState::Available => {
                    floor.agents += 1;
                    floor.free += 1;
                }
                AgentState::Ringing(_) | AgentState::OnCall(_) | AgentState::WrapUp { .. } => {
                    floor.agents += 1;
                    floor.busy.push(now.saturating_duration_since(since));
                }
                AgentState::Paused(_) | AgentState::Offline => {}
            }
        }
        for placed in self.campaigns.placed.values() {
            if placed.campaign != campaign {
                continue;
            }
            match placed.stage {
                Stage::Ringing => floor
                    .ringing
                    .push(now.saturating_duration_since(placed.dialled)),
                // A call being listened to will most likely want an
                // agent in a moment, as a waiting one does.
                Stage::Waiting | Stage::Listening => floor.waiting += 1,
                Stage::Offered | Stage::Connected => {}
            }
        }
        floor
    }

    /// A campaign's answered call whose campaign detects machines: its
    /// audio is listened to before it joins `queue`. `false` when it is no
    /// such call (it joins at once).
    pub(super) fn listen_before_queueing(&mut self, call: CallId, queue: &str) -> bool {
        let Some(placed) = self.campaigns.placed.get_mut(&call) else {
            return false;
        };
        if !placed.detect_machines || placed.machine {
            return false;
        }
        let Some(anchoring) = &mut self.anchoring else {
            return false;
        };
        if !anchoring.detect_machines(call) {
            return false;
        }
        placed.stage = Stage::Listening;
        placed.listening = Some((clock::instant(), queue.to_string()));
        true
    }

    /// A verdict on a called party: a machine is hung up on, a person (or
    /// one the detector is not sure of) joins the campaign's queue.
    pub(super) fn machine_heard(&mut self, heard: crate::runtime::media::machines::Heard) {
        use crate::media::amd::Verdict;
        let call = CallId(heard.tag);
        let Some(placed) = self.campaigns.placed.get_mut(&call) else {
            return;
        };
        let Some((_, queue)) = placed.listening.take() else {
            return;
        };
        tracing::info!(%call, verdict = ?heard.verdict, "campaign.amd");
        if heard.verdict == Verdict::Machine {
            placed.machine = true;
            metrics::counter!("dialer_machines_total").increment(1);
            self.calls.hang_up(stamp(), call);
        } else {
            placed.stage = Stage::Waiting;
            self.classify_then_join(call, queue, 0);
        }
    }

    /// Calls listened to past [`LISTEN_LIMIT`] with no verdict join their
    /// queue.
    pub(super) fn listening_overdue(&mut self, now: Instant) {
        let overdue: Vec<CallId> = (self.campaigns.placed.iter())
            .filter(|(_, p)| {
                p.listening
                    .as_ref()
                    .is_some_and(|(since, _)| *since + LISTEN_LIMIT <= now)
            })
            .map(|(call, _)| *call)
            .collect();
        for call in overdue {
            self.machine_heard(crate::runtime::media::machines::Heard {
                tag: call.0,
                verdict: crate::media::amd::Verdict::NotSure,
            });
        }
    }

    pub(super) fn next_listening_deadline(&self) -> Option<Instant> {
        (self.campaigns.placed.values())
            .filter_map(|p| p.listening.as_ref().map(|(since, _)| *since + LISTEN_LIMIT))
            .min()
    }

    /// A campaign's call waiting longer than its grace: the called party
    /// hears the abandon message. `false` when it is no campaign's call.
    pub(super) fn abandon_if_placed(&mut self, call: CallId) -> bool {
        if self.campaigns.lead_of(call).is_none() {
            return false;
        }
        tracing::info!(%call, "campaign.abandoned");
        metrics::counter!("dialer_calls_abandoned_total").increment(1);
        self.calls.abandon(stamp(), call);
        true
    }

    /// Follows a campaign's call through the call events.
    pub(super) fn campaign_call_event(&mut self, event: &CallEvent) {
        match event {
            CallEvent::Answered { id, label } => {
                let agent = self.distribution.agent_of(label);
                let Some(placed) = self.campaigns.placed.get_mut(id) else {
                    return;
                };
                placed.stage = Stage::Connected;
                placed.agent = agent;
                if let Some(agent) = agent {
                    let lead = placed.lead;
                    self.campaigns.tell(DialerEvent::Connected { lead, agent });
                }
            }
            CallEvent::Unanswered { id, .. } => {
                if let Some(placed) = self.campaigns.placed.get_mut(id)
                    && placed.stage == Stage::Offered
                {
                    placed.stage = Stage::Waiting;
                }
            }
            CallEvent::Ended(summary) => {
                if let Some(placed) = self.campaigns.placed.remove(&summary.id) {
                    let attempted = attempted(&placed, summary);
                    self.campaigns.tell(DialerEvent::Ended(attempted));
                }
            }
            CallEvent::Created { .. } | CallEvent::Ringing { .. } | CallEvent::Digit { .. } => {}
        }
    }
}

/// A placed call's end, from its record.
fn attempted(placed: &Placed, summary: &Summary) -> Attempted {
    let rang = match placed.picked_up {
        Some(at) => at.saturating_duration_since(placed.dialled),
        None => (summary.ended_at - summary.arrived_at)
            .to_std()
            .unwrap_or_default(),
    };
    let connected_at = summary.answered_at;
    Attempted {
        campaign: placed.campaign,
        lead: placed.lead,
        number: placed.number.clone(),
        dialled_at: summary.arrived_at,
        picked_up_at: summary.picked_up_at,
        connected_at,
        ended_at: summary.ended_at,
        agent: placed.agent,
        outcome: summary.outcome,
        sip_code: summary.sip_code,
        rang,
        abandoned: summary.picked_up_at.is_some() && connected_at.is_none() && !placed.machine,
        machine: placed.machine,
    }
}
