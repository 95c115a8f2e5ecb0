//! A queue's settings, as an admin gives them, and the calls waiting in it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::CallRef;

/// How a queue picks among the agents free to take its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The agent who has waited longest since their last call.
    LongestIdle,
    /// Each agent in turn, after the one offered last.
    RoundRobin,
    /// Every free agent at once; the first to answer takes it.
    RingAll,
    /// The agent who has taken the fewest of the queue's calls.
    FewestCalls,
    /// The agent whose skills best meet the queue's needs (the sum of
    /// their levels in them), then the longest idle.
    SkillsBased,
}

/// Where a call goes when its queue cannot take it, or it waited too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overflow {
    /// Another queue (its wait there starts afresh).
    Queue(String),
    /// The caller is offered a call back that keeps its place: a callback
    /// request is recorded, and the call ends.
    Callback,
    /// The call ends (the caller hears the queue's goodbye).
    HangUp,
}

/// A queue's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    pub name: String,
    pub strategy: Strategy,
    /// How long an agent's phone rings before the call goes to the next.
    pub ring_timeout: Duration,
    /// The agent's time after a call to write it up before the next.
    pub wrap_up: Duration,
    /// The longest a caller waits before the overflow; `None`: no limit.
    pub max_wait: Option<Duration>,
    /// The most callers waiting; one more goes to the overflow.
    pub max_waiting: Option<usize>,
    pub overflow: Overflow,
    /// Skills the queue's calls need, with the least level (0 to 100).
    pub needs: BTreeMap<String, u8>,
    /// The needs relax by this many levels every this long a call waits,
    /// so that a long wait is answered by a less skilled agent.
    pub relax: Option<(Duration, u8)>,
    /// A call answered within this long counts as served in time.
    pub service_level: Duration,
    /// Missed offers in a row after which an agent is paused.
    pub misses_to_pause: u32,
    /// The results an agent's wrap-up picks from; empty: any text.
    pub results: Vec<String>,
    /// How often a waiting caller is told their place and expected wait;
    /// `None`: never.
    pub announce_every: Option<Duration>,
}

impl QueueConfig {
    /// A queue with the usual settings: longest idle, 15 s ringing, 30 s
    /// wrap-up, no limits, 20 s service level, paused after 2 misses.
    pub fn new(name: &str) -> Self {
        QueueConfig {
            name: name.into(),
            strategy: Strategy::LongestIdle,
            ring_timeout: Duration::from_secs(15),
            wrap_up: Duration::from_secs(30),
            max_wait: None,
            max_waiting: None,
            overflow: Overflow::HangUp,
            needs: BTreeMap::new(),
            relax: None,
            service_level: Duration::from_secs(20),
            misses_to_pause: 2,
            results: Vec::new(),
            announce_every: None,
        }
    }

    /// The level each need asks of an agent for a call that has waited
    /// `waited`, relaxed as it waits.
    pub fn needs_after(&self, waited: Duration) -> impl Iterator<Item = (&str, u8)> {
        let relaxed = match self.relax {
            Some((every, by)) if !every.is_zero() => {
                let steps = (waited.as_millis() / every.as_millis()).min(100) as u8;
                steps.saturating_mul(by)
            }
            _ => 0,
        };
        self.needs
            .iter()
            .map(move |(skill, level)| (skill.as_str(), level.saturating_sub(relaxed)))
    }
}

/// A call waiting in a queue (or being offered from it).
#[derive(Debug, Clone)]
pub struct Waiting {
    pub call: CallRef,
    pub queue: String,
    /// Higher first; then the earlier arrival.
    pub priority: u8,
    /// When it joined this queue.
    pub since: Instant,
    /// Agents its phone rings now (several for ring-all).
    pub ringing: Vec<crate::ids::UserId>,
    /// When the ringing times out, if it rings.
    pub ring_due: Option<Instant>,
    /// Agents who let it ring out or refused it, not offered it again
    /// while others are free.
    pub passed_over: Vec<crate::ids::UserId>,
    /// The caller asked to be called back (the queue's overflow): they
    /// have hung up, and the entry keeps their place; when it comes first,
    /// an agent is offered to call them.
    pub callback: bool,
}

impl Waiting {
    /// The order callers are served in: priority, then who came first.
    pub fn rank(&self) -> (std::cmp::Reverse<u8>, Instant, CallRef) {
        (std::cmp::Reverse(self.priority), self.since, self.call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_relax_in_steps_as_a_call_waits_and_never_below_zero() {
        let mut queue = QueueConfig::new("support");
        queue.needs.insert("german".into(), 80);
        queue.needs.insert("billing".into(), 10);
        queue.relax = Some((Duration::from_secs(30), 20));
        let at = |s| -> Vec<(String, u8)> {
            queue
                .needs_after(Duration::from_secs(s))
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        assert_eq!(at(0), [("billing".into(), 10), ("german".into(), 80)]);
        assert_eq!(at(29), at(0));
        assert_eq!(at(30), [("billing".into(), 0), ("german".into(), 60)]);
        assert_eq!(at(600), [("billing".into(), 0), ("german".into(), 0)]);
    }
}
