//! An agent as the ACD sees them: their state, queues, skills and counts.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::CallRef;

/// What an agent is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentState {
    /// Not logged in to any queue.
    Offline,
    /// Free for the next call.
    Available,
    /// Their phone rings with this call.
    Ringing(CallRef),
    /// Talking on this call.
    OnCall(CallRef),
    /// Writing up their last call, until the given time or until they say
    /// they are ready.
    WrapUp { until: Instant },
    /// Away, with the reason they (or the ACD, after missed calls) gave.
    Paused(String),
}

impl AgentState {
    /// The name the live view and the events use.
    pub fn name(&self) -> &'static str {
        match self {
            AgentState::Offline => "offline",
            AgentState::Available => "available",
            AgentState::Ringing(_) => "ringing",
            AgentState::OnCall(_) => "on_call",
            AgentState::WrapUp { .. } => "wrap_up",
            AgentState::Paused(_) => "paused",
        }
    }
}

/// The reason the ACD pauses an agent who lets calls ring out.
pub const MISSED_CALLS: &str = "missed calls";

#[derive(Debug, Clone)]
pub struct Agent {
    pub state: AgentState,
    /// When the state began (the live view shows time in state).
    pub since: Instant,
    /// The queues they are logged in to.
    pub queues: BTreeSet<String>,
    /// Skill levels, 0 to 100.
    pub skills: BTreeMap<String, u8>,
    /// When their last call ended (or they logged in): idle time counts
    /// from here.
    pub idle_since: Instant,
    /// Calls they answered, per queue, since they logged in.
    pub answered: BTreeMap<String, u64>,
    /// Offers in a row they let ring out.
    pub misses: u32,
}

impl Agent {
    pub fn new(now: Instant) -> Self {
        Agent {
            state: AgentState::Offline,
            since: now,
            queues: BTreeSet::new(),
            skills: BTreeMap::new(),
            idle_since: now,
            answered: BTreeMap::new(),
            misses: 0,
        }
    }

    /// Whether they meet every need at the level given.
    pub fn meets<'a>(&self, mut needs: impl Iterator<Item = (&'a str, u8)>) -> bool {
        needs
            .all(|(skill, level)| level == 0 || self.skills.get(skill).is_some_and(|l| *l >= level))
    }

    /// The sum of their levels in the skills a queue needs.
    pub fn score<'a>(&self, needs: impl Iterator<Item = (&'a str, u8)>) -> u32 {
        needs
            .map(|(skill, _)| u32::from(self.skills.get(skill).copied().unwrap_or(0)))
            .sum()
    }
}
