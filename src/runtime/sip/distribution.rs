//! The ACD as the engine drives it: agents' requests from the API, the
//! plan's queues, and the glue between the ACD's decisions and the calls
//! (an offer rings the agent's extension, an answer or a hang-up tells the
//! ACD). Decisions are the `acd` core's; this only translates.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::oneshot;

use crate::acd::{Acd, AgentState, CallRef, QueueView};
use crate::calls::CallId;
use crate::dialplan::Queues;
use crate::ids::UserId;

/// The reason an agent is paused while no phone of theirs is registered.
pub const PHONE_OFFLINE: &str = "phone offline";

/// What agents (through the API) ask of the ACD.
#[derive(Debug)]
pub enum AgentCommand {
    /// Log in to these queues with this extension (the agent's phone).
    Login {
        agent: UserId,
        extension: String,
        queues: Vec<String>,
        /// Skill → level (0 to 100), for skills-based queues.
        skills: BTreeMap<String, u8>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Logout {
        agent: UserId,
    },
    Ready {
        agent: UserId,
    },
    Pause {
        agent: UserId,
        reason: String,
    },
    /// The live view: every agent's state and every queue's counts.
    Status {
        reply: oneshot::Sender<AcdStatus>,
    },
    /// Switch a supervisor's session on an agent's call to another mode.
    /// The engine answers it, since it owns the calls.
    Monitor {
        /// The supervisor's extension.
        supervisor: String,
        /// The agent's extension.
        agent: String,
        mode: crate::calls::MonitorMode,
        reply: oneshot::Sender<MonitorReply>,
    },
}

/// How a request to switch a monitoring session went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorReply {
    /// The supervisor's session on the agent's call is in the new mode.
    Switched,
    /// The agent talks, but the supervisor is not on their call yet: they
    /// dial the feature code to join.
    NotJoined,
    /// The agent is on no call.
    AgentIdle,
}

/// The ACD as the API shows it.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct AcdStatus {
    pub agents: Vec<AgentView>,
    #[schema(value_type = Vec<Object>)]
    pub queues: Vec<QueueView>,
}

/// One agent in the live view.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AgentView {
    pub agent: UserId,
    pub extension: String,
    /// `available`, `ringing`, `on_call`, `wrap_up`, `paused`, `offline`.
    pub state: String,
    /// Why they are paused.
    pub reason: Option<String>,
    /// Seconds in this state.
    pub for_s: u64,
    pub queues: Vec<String>,
}

#[derive(Default)]
pub struct Distribution {
    pub acd: Acd,
    /// Each agent who logged in: their extension and queues.
    agents: BTreeMap<UserId, (String, Vec<String>)>,
    /// The queues applied to the ACD, to see when a reload changes them.
    applied: Option<Arc<Queues>>,
    /// Callers waiting (hung up) for a callback, by their call.
    callbacks: std::collections::HashMap<CallId, Caller>,
    /// Agents' calls out that are callbacks: their call → the callback's.
    calling_back: std::collections::HashMap<CallId, CallId>,
    /// Running campaigns' queues and the agents who work them: those
    /// logged in take the queue's calls besides their own queues'.
    campaigns: BTreeMap<String, BTreeSet<UserId>>,
}

/// A call offered to an agent (their phone is about to ring), for the
/// screen pop on their web app.
#[derive(Debug, Clone)]
pub struct Offered {
    pub agent: UserId,
    pub call: CallId,
    pub queue: String,
    /// The caller's number as received, its E.164 form and name.
    pub caller: String,
    pub caller_e164: Option<String>,
    pub caller_name: Option<String>,
    /// The number the caller dialled (the DID).
    pub called: String,
    /// The caller asked to be called back: the agent calls them (no phone
    /// rings).
    pub callback: bool,
    /// The queue's wrap-up: its time in seconds, and the results to pick.
    pub wrap_up_s: u64,
    pub results: Vec<String>,
    /// A campaign's call: the campaign and the lead called.
    pub campaign: Option<(i64, i64)>,
}

/// What the engine must do to calls for the ACD.
#[derive(Debug)]
pub enum ForCalls {
    /// Ring these agents' extensions with the call.
    Ring {
        call: CallId,
        queue: String,
        agents: Vec<UserId>,
        extensions: Vec<String>,
    },
    /// Offer the agent to call back a caller who asked for it (their
    /// screen pops with the number; no phone rings).
    OfferCallback {
        call: CallId,
        queue: String,
        agent: UserId,
        caller: Caller,
    },
    /// The caller is told they will be called back and hung up on; keep
    /// who they are for the callback.
    CallBackLater { call: CallId },
    /// Stop ringing these extensions.
    Withdraw {
        call: CallId,
        extensions: Vec<String>,
    },
    /// The call leaves the queue and ends.
    HangUp { call: CallId },
    /// Tell the waiting caller their place and, when known, the minutes
    /// they will wait (rounded up).
    Announce {
        call: CallId,
        position: usize,
        minutes: Option<u64>,
    },
}

/// A caller to call back: their number as received, its E.164 form,
/// their name, and the number they had dialled.
#[derive(Debug, Clone)]
pub struct Caller {
    pub number: String,
    pub e164: Option<String>,
    pub name: Option<String>,
    pub called: String,
}

impl Distribution {
    /// Keeps who a caller to call back is (they have hung up).
    pub fn keep_callback(&mut self, call: CallId, caller: Caller) {
        self.callbacks.insert(call, caller);
    }

    /// An agent's call out has started (`new`): if they were offered a
    /// callback, it is the callback made, and counts as its answer.
    pub fn called_out(&mut self, now: Instant, new: CallId, extension: &str) {
        let Some(agent) = self.agent_at(extension) else {
            return;
        };
        let Some((AgentState::Ringing(offered), _)) =
            self.acd.agent(agent).map(|(s, t)| (s.clone(), t))
        else {
            return;
        };
        let offered = CallId(offered.0);
        if self.callbacks.remove(&offered).is_some() {
            self.acd.answered(now, CallRef(offered.0), agent);
            self.calling_back.insert(new, offered);
        }
    }

    /// Gives the ACD the plan's queues when they changed (at start, and
    /// after a reload).
    pub fn sync(&mut self, now: Instant, queues: &Arc<Queues>) {
        if self
            .applied
            .as_ref()
            .is_some_and(|a| Arc::ptr_eq(a, queues))
        {
            return;
        }
        for queue in queues.iter() {
            self.acd.set_queue(now, queue.config.clone());
        }
        self.applied = Some(queues.clone());
    }

    /// An agent's request; a login to a queue the plan does not have is
    /// refused with its name.
    pub fn command(&mut self, now: Instant, command: AgentCommand) {
        match command {
            AgentCommand::Login {
                agent,
                extension,
                queues,
                skills,
                reply,
            } => {
                let known = self.applied.clone().unwrap_or_default();
                let campaign = |q: &String| self.campaigns.contains_key(q);
                if let Some(unknown) = queues
                    .iter()
                    .find(|q| known.get(q).is_none() && !campaign(q))
                {
                    let _ = reply.send(Err(format!("no queue {unknown:?}")));
                    return;
                }
                let mut set: BTreeSet<String> = queues.iter().cloned().collect();
                set.extend(self.campaigns_of(agent));
                self.acd.login(now, agent, set, skills);
                self.agents.insert(agent, (extension, queues));
                let _ = reply.send(Ok(()));
            }
            AgentCommand::Logout { agent } => self.acd.logout(now, agent),
            AgentCommand::Ready { agent } => self.acd.ready(now, agent),
            AgentCommand::Pause { agent, reason } => self.acd.pause(now, agent, &reason),
            AgentCommand::Status { reply } => {
                let _ = reply.send(self.status(now));
            }
            // The engine answers these before they come here.
            AgentCommand::Monitor { .. } => {}
        }
    }

    /// Pauses an agent whose phone has gone (no registration left: the
    /// browser closed, the desk phone unplugged) so calls are not offered
    /// to nowhere, and makes them available again when it is back. Only a
    /// pause this made is undone.
    pub fn presence(&mut self, now: Instant, online: impl Fn(&str) -> bool) {
        for (agent, (extension, _)) in &self.agents {
            let Some((state, _)) = self.acd.agent(*agent) else {
                continue;
            };
            let here = online(extension);
            match state {
                AgentState::Paused(reason) if here && reason == PHONE_OFFLINE => {
                    self.acd.ready(now, *agent);
                }
                AgentState::Available | AgentState::Ringing(_) | AgentState::WrapUp { .. }
                    if !here =>
                {
                    self.acd.pause(now, *agent, PHONE_OFFLINE);
                }
                _ => {}
            }
        }
    }

    /// A call answered by a phone: the agent of that extension took it.
    pub fn answered(&mut self, now: Instant, call: CallId, extension: &str) {
        if let Some(agent) = self.agent_at(extension) {
            self.acd.answered(now, CallRef(call.0), agent);
        }
    }

    /// A phone rung from a queue did not answer.
    pub fn unanswered(&mut self, now: Instant, call: CallId, extension: &str) {
        if let Some(agent) = self.agent_at(extension) {
            self.acd.missed(now, CallRef(call.0), agent);
        }
    }

    /// A call ended: abandoned if it was waiting, wrap-up if it was talked
    /// (an agent's callback call wraps up the callback's).
    pub fn ended(&mut self, now: Instant, call: CallId) {
        let call = self.calling_back.remove(&call).unwrap_or(call);
        self.acd.abandoned(now, CallRef(call.0));
        self.acd.ended(now, CallRef(call.0));
    }

    /// What the ACD decided, as things to do to calls; agents' state
    /// changes are logged.
    pub fn drain(&mut self, now: Instant) -> Vec<ForCalls> {
        let mut out = Vec::new();
        while let Some(output) = self.acd.poll_output() {
            match output {
                crate::acd::Output::Offer {
                    call,
                    queue,
                    agents,
                    callback: true,
                } => {
                    let (Some(agent), Some(caller)) =
                        (agents.first(), self.callbacks.get(&CallId(call.0)))
                    else {
                        continue;
                    };
                    out.push(ForCalls::OfferCallback {
                        call: CallId(call.0),
                        queue,
                        agent: *agent,
                        caller: caller.clone(),
                    });
                }
                crate::acd::Output::Offer {
                    call,
                    queue,
                    agents,
                    callback: false,
                } => out.push(ForCalls::Ring {
                    call: CallId(call.0),
                    queue,
                    extensions: self.extensions_of(&agents),
                    agents,
                }),
                crate::acd::Output::Withdraw { call, agents } => out.push(ForCalls::Withdraw {
                    call: CallId(call.0),
                    extensions: self.extensions_of(&agents),
                }),
                crate::acd::Output::Overflow { call, queue, to } => {
                    tracing::info!(call = %CallId(call.0), %queue, ?to, "queue.overflow");
                    let joined = match &to {
                        crate::acd::Overflow::Queue(next) => {
                            self.acd.arrive(now, call, next, 0).is_ok()
                        }
                        crate::acd::Overflow::Callback => {
                            out.push(ForCalls::CallBackLater {
                                call: CallId(call.0),
                            });
                            true
                        }
                        crate::acd::Overflow::HangUp => false,
                    };
                    if !joined {
                        out.push(ForCalls::HangUp {
                            call: CallId(call.0),
                        });
                    }
                }
                crate::acd::Output::Announce {
                    call,
                    position,
                    expected_wait,
                } => out.push(ForCalls::Announce {
                    call: CallId(call.0),
                    position,
                    minutes: expected_wait.map(|wait| wait.as_secs().div_ceil(60).max(1)),
                }),
                crate::acd::Output::AgentChanged { agent, state } => {
                    let reason = match &state {
                        AgentState::Paused(reason) => Some(reason.as_str()),
                        _ => None,
                    };
                    tracing::info!(%agent, state = state.name(), ?reason, "agent.state");
                    metrics::counter!("acd_agent_state_changes_total", "state" => state.name())
                        .increment(1);
                }
            }
        }
        out
    }

    /// A running campaign's queue (added or changed) and its agents.
    pub fn set_campaign(
        &mut self,
        now: Instant,
        config: crate::acd::QueueConfig,
        agents: BTreeSet<UserId>,
    ) {
        let queue = config.name.clone();
        let before = self.campaigns.insert(queue.clone(), agents.clone());
        self.acd.set_queue(now, config);
        let touched: BTreeSet<UserId> = agents
            .into_iter()
            .chain(before.into_iter().flatten())
            .collect();
        for agent in touched {
            self.rejoin(now, agent);
        }
    }

    /// A campaign stopped or paused: its agents leave its queue (calls in
    /// it still find them until the queue empties).
    pub fn end_campaign(&mut self, now: Instant, queue: &str) {
        if let Some(agents) = self.campaigns.remove(queue) {
            for agent in agents {
                self.rejoin(now, agent);
            }
        }
    }

    /// The campaigns' queues `agent` works.
    fn campaigns_of(&self, agent: UserId) -> impl Iterator<Item = String> + '_ {
        self.campaigns
            .iter()
            .filter(move |(_, agents)| agents.contains(&agent))
            .map(|(queue, _)| queue.clone())
    }

    /// A logged-in agent's queues again: their own and their campaigns'.
    fn rejoin(&mut self, now: Instant, agent: UserId) {
        let Some((_, own)) = self.agents.get(&agent) else {
            return;
        };
        let mut queues: BTreeSet<String> = own.iter().cloned().collect();
        queues.extend(self.campaigns_of(agent));
        self.acd.set_queues(now, agent, queues);
    }

    /// The agents working a campaign's queue, with their state and since
    /// when (those logged in).
    pub fn campaign_agents(&self, queue: &str) -> Vec<(UserId, AgentState, Instant)> {
        let Some(agents) = self.campaigns.get(queue) else {
            return Vec::new();
        };
        agents
            .iter()
            .filter(|a| self.agents.contains_key(a))
            .filter_map(|a| {
                let (state, since) = self.acd.agent(*a)?;
                Some((*a, state.clone(), since))
            })
            .collect()
    }

    /// The agent whose extension this is.
    pub fn agent_of(&self, extension: &str) -> Option<UserId> {
        self.agent_at(extension)
    }

    fn agent_at(&self, extension: &str) -> Option<UserId> {
        self.agents
            .iter()
            .find(|(_, (e, _))| e == extension)
            .map(|(agent, _)| *agent)
    }

    fn extensions_of(&self, agents: &[UserId]) -> Vec<String> {
        agents
            .iter()
            .filter_map(|a| self.agents.get(a).map(|(e, _)| e.clone()))
            .collect()
    }

    /// Every agent's state and every queue's counts at `now`.
    pub fn status(&self, now: Instant) -> AcdStatus {
        let agents = self
            .agents
            .iter()
            .filter_map(|(agent, (extension, queues))| {
                let (state, since) = self.acd.agent(*agent)?;
                Some(AgentView {
                    agent: *agent,
                    extension: extension.clone(),
                    state: state.name().into(),
                    reason: match state {
                        AgentState::Paused(reason) => Some(reason.clone()),
                        _ => None,
                    },
                    for_s: now.saturating_duration_since(since).as_secs(),
                    queues: queues.clone(),
                })
            })
            .collect();
        let queues = self
            .applied
            .iter()
            .flat_map(|q| q.iter())
            .filter_map(|q| self.acd.queue_view(now, &q.config.name))
            .collect();
        AcdStatus { agents, queues }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agents_call_out_while_offered_a_callback_is_the_callback_and_wraps_it_up() {
        let plan = crate::dialplan::load(&[(
            "q.toml".into(),
            "[queue.sales]\nmax_wait = 10\noverflow = \"callback\"\nwrap_up = 5\n".into(),
        )])
        .unwrap();
        let t0 = Instant::now();
        let at = |s: u64| t0 + std::time::Duration::from_secs(s);
        let mut floor = Distribution::default();
        floor.sync(t0, plan.queues());
        let (reply, _answer) = oneshot::channel();
        floor.command(
            t0,
            AgentCommand::Login {
                agent: UserId(7),
                extension: "1001".into(),
                queues: vec!["sales".into()],
                skills: BTreeMap::new(),
                reply,
            },
        );
        floor.command(
            t0,
            AgentCommand::Pause {
                agent: UserId(7),
                reason: "lunch".into(),
            },
        );
        floor
            .acd
            .arrive(t0, CallRef(1), "sales", 0)
            .expect("the queue exists");
        floor.acd.handle_timeout(at(10));
        let told: Vec<_> = floor.drain(at(10));
        assert!(
            matches!(told[..], [ForCalls::CallBackLater { call: CallId(1) }]),
            "{told:?}"
        );
        floor.keep_callback(
            CallId(1),
            Caller {
                number: "+4930111111".into(),
                e164: Some("+4930111111".into()),
                name: None,
                called: "700".into(),
            },
        );
        floor.ended(at(11), CallId(1)); // the caller hangs up, as told
        floor.command(at(20), AgentCommand::Ready { agent: UserId(7) });
        let offered = floor.drain(at(20));
        assert!(
            matches!(&offered[..], [ForCalls::OfferCallback { agent: UserId(7), caller, .. }] if caller.number == "+4930111111"),
            "{offered:?}"
        );
        // The agent's call out (call 2) is the callback; its end wraps it up.
        floor.called_out(at(21), CallId(2), "1001");
        assert_eq!(
            floor.acd.agent(UserId(7)).unwrap().0,
            &AgentState::OnCall(CallRef(1))
        );
        floor.ended(at(60), CallId(2));
        assert!(matches!(
            floor.acd.agent(UserId(7)).unwrap().0,
            AgentState::WrapUp { .. }
        ));
        // Another call out later is just a call.
        floor.called_out(at(70), CallId(3), "1001");
        assert!(matches!(
            floor.acd.agent(UserId(7)).unwrap().0,
            AgentState::WrapUp { .. }
        ));
    }
}
