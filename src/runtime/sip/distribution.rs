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
    /// Stop ringing these extensions.
    Withdraw {
        call: CallId,
        extensions: Vec<String>,
    },
    /// The call leaves the queue and ends.
    HangUp { call: CallId },
}

impl Distribution {
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
                reply,
            } => {
                let known = self.applied.clone().unwrap_or_default();
                if let Some(unknown) = queues.iter().find(|q| known.get(q).is_none()) {
                    let _ = reply.send(Err(format!("no queue {unknown:?}")));
                    return;
                }
                let set: BTreeSet<String> = queues.iter().cloned().collect();
                self.acd.login(now, agent, set, BTreeMap::new());
                self.agents.insert(agent, (extension, queues));
                let _ = reply.send(Ok(()));
            }
            AgentCommand::Logout { agent } => self.acd.logout(now, agent),
            AgentCommand::Ready { agent } => self.acd.ready(now, agent),
            AgentCommand::Pause { agent, reason } => self.acd.pause(now, agent, &reason),
            AgentCommand::Status { reply } => {
                let _ = reply.send(self.status(now));
            }
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

    /// A call ended: abandoned if it was waiting, wrap-up if it was talked.
    pub fn ended(&mut self, now: Instant, call: CallId) {
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
                        _ => false,
                    };
                    if !joined {
                        out.push(ForCalls::HangUp {
                            call: CallId(call.0),
                        });
                    }
                }
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

    fn status(&self, now: Instant) -> AcdStatus {
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
