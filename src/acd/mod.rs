//! Automatic call distribution (sans-IO): queues, agents and who takes the
//! next call. The engine tells it what happens (an agent logs in or pauses,
//! a call arrives in a queue, a phone answers or rings out, the caller
//! leaves, the talk ends) with the time; it answers with [`Output`]s (ring
//! these agents, stop ringing those, this call overflows, this agent's
//! state changed) and the deadlines it needs woken at. It never reads a
//! clock, so ring timeouts, wrap-up and waiting limits are tested in
//! virtual time.
//!
//! Callers are served by priority, then in the order they came; a call
//! that rang out keeps its place. Each queue picks among its free agents
//! by its [`Strategy`]; agents may be in several queues, and the longest
//! waiting caller of all their queues is offered first.

mod agent;
mod queue;
mod stats;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use agent::Agent;
pub use agent::{AgentState, MISSED_CALLS};
use queue::Waiting;
pub use queue::{Overflow, QueueConfig, Strategy};
use stats::Counters;
pub use stats::QueueView;

use crate::ids::UserId;

/// A call as the ACD knows it: the engine's number for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallRef(pub u64);

/// What the engine must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Ring these agents' phones with the call (several for ring-all); tell
    /// [`Acd::answered`] or [`Acd::missed`] how it went.
    Offer {
        call: CallRef,
        queue: String,
        agents: Vec<UserId>,
        /// The caller asked to be called back: the agent is offered to
        /// call them (no phone rings); their call out counts as the answer.
        callback: bool,
    },
    /// Stop ringing these agents: another answered, the caller left, or it
    /// rang out.
    Withdraw { call: CallRef, agents: Vec<UserId> },
    /// The call leaves its queue: it was full, or the caller waited too long.
    Overflow {
        call: CallRef,
        queue: String,
        to: Overflow,
    },
    /// An agent's state changed.
    AgentChanged { agent: UserId, state: AgentState },
    /// Tell a waiting caller their place (1: next) and, once the queue has
    /// answered calls to go by, about how long they will wait.
    Announce {
        call: CallRef,
        position: usize,
        expected_wait: Option<Duration>,
    },
}

/// Why a call cannot join a queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("no queue {0:?}")]
    UnknownQueue(String),
}

/// What a deadline is for; each is checked against the current state when
/// it fires, so one made stale (the call was answered) does nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Ring(CallRef),
    MaxWait(CallRef),
    Relax(CallRef),
    WrapUp(UserId),
    Announce(CallRef),
}

struct Queue {
    config: QueueConfig,
    counters: Counters,
    /// The agent offered last, for round-robin.
    last_offered: Option<UserId>,
}

/// Every queue, agent and waiting call.
#[derive(Default)]
pub struct Acd {
    queues: BTreeMap<String, Queue>,
    agents: BTreeMap<UserId, Agent>,
    waiting: HashMap<CallRef, Waiting>,
    /// Calls being talked on: their agent, queue and when answered.
    talking: HashMap<CallRef, (UserId, String, Instant)>,
    /// What to do to an agent once their call ends: pause, or log out.
    after_call: HashMap<UserId, AgentState>,
    deadlines: BTreeSet<(Instant, Due)>,
    out: VecDeque<Output>,
    /// Goes up with every change the live view could show, so that a
    /// publisher knows when to look again.
    revision: u64,
}

impl Acd {
    pub fn new() -> Self {
        Acd::default()
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Changes with anything the live view shows but the time (states,
    /// memberships, callers waiting, counters, settings).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Adds a queue or changes its settings (its counts go on).
    pub fn set_queue(&mut self, now: Instant, config: QueueConfig) {
        self.revision += 1;
        match self.queues.get_mut(&config.name) {
            Some(queue) => queue.config = config,
            None => {
                let name = config.name.clone();
                let queue = Queue {
                    config,
                    counters: Counters::default(),
                    last_offered: None,
                };
                self.queues.insert(name, queue);
            }
        }
        self.dispatch(now);
    }

    /// An agent logs in to `queues` (replacing those they were in) with
    /// their skills; one who was offline becomes available.
    pub fn login(
        &mut self,
        now: Instant,
        agent: UserId,
        queues: BTreeSet<String>,
        skills: BTreeMap<String, u8>,
    ) {
        let entry = self.agents.entry(agent).or_insert_with(|| Agent::new(now));
        entry.queues = queues;
        self.revision += 1;
        entry.skills = skills;
        self.after_call.remove(&agent);
        if entry.state == AgentState::Offline {
            entry.idle_since = now;
            entry.misses = 0;
            self.set_state(now, agent, AgentState::Available);
        }
        self.dispatch(now);
    }

    /// Changes the queues a logged-in agent takes calls from (a campaign
    /// they work starts or stops), keeping their state and skills.
    pub fn set_queues(&mut self, now: Instant, agent: UserId, queues: BTreeSet<String>) {
        let Some(entry) = self.agents.get_mut(&agent) else {
            return;
        };
        if entry.queues == queues {
            return;
        }
        entry.queues = queues;
        self.revision += 1;
        self.dispatch(now);
    }

    /// An agent logs out: at once, or when their call ends. A call ringing
    /// them goes to the next agent.
    pub fn logout(&mut self, now: Instant, agent: UserId) {
        self.leave(now, agent, AgentState::Offline);
    }

    /// An agent pauses with a reason: at once, or when their call ends.
    pub fn pause(&mut self, now: Instant, agent: UserId, reason: &str) {
        self.leave(now, agent, AgentState::Paused(reason.into()));
    }

    /// An agent is ready for calls again (after a pause, or ending their
    /// wrap-up early).
    pub fn ready(&mut self, now: Instant, agent: UserId) {
        let Some(entry) = self.agents.get_mut(&agent) else {
            return;
        };
        self.after_call.remove(&agent);
        if matches!(
            entry.state,
            AgentState::Paused(_) | AgentState::WrapUp { .. }
        ) {
            entry.misses = 0;
            self.set_state(now, agent, AgentState::Available);
            self.dispatch(now);
        }
    }

    /// A call joins a queue with a priority (higher is served first). A
    /// full queue sends it to its overflow at once.
    pub fn arrive(
        &mut self,
        now: Instant,
        call: CallRef,
        queue: &str,
        priority: u8,
    ) -> Result<(), Refused> {
        let config = &self
            .queues
            .get(queue)
            .ok_or_else(|| Refused::UnknownQueue(queue.into()))?
            .config;
        let waiting = self.waiting.values().filter(|w| w.queue == queue).count();
        let full = config.max_waiting.is_some_and(|max| waiting >= max);
        if full && config.overflow != Overflow::Callback {
            let to = config.overflow.clone();
            self.counters(queue).overflowed += 1;
            self.out.push_back(Output::Overflow {
                call,
                queue: queue.into(),
                to,
            });
            return Ok(());
        }
        // A full queue that calls back takes the caller's request at the
        // back of the line at once.
        let callback = full;
        if let Some(max) = config.max_wait.filter(|_| !callback) {
            self.deadlines.insert((now + max, Due::MaxWait(call)));
        }
        if let Some((every, _)) = config.relax {
            self.deadlines.insert((now + every, Due::Relax(call)));
        }
        if let Some(every) = config.announce_every {
            self.deadlines.insert((now + every, Due::Announce(call)));
        }
        self.revision += 1;
        self.waiting.insert(
            call,
            Waiting {
                call,
                queue: queue.into(),
                priority,
                since: now,
                ringing: Vec::new(),
                ring_due: None,
                passed_over: Vec::new(),
                callback,
            },
        );
        if callback {
            self.counters(queue).overflowed += 1;
            self.out.push_back(Output::Overflow {
                call,
                queue: queue.into(),
                to: Overflow::Callback,
            });
        }
        self.dispatch(now);
        Ok(())
    }

    /// An agent's phone answered the call offered to them.
    pub fn answered(&mut self, now: Instant, call: CallRef, agent: UserId) {
        let Some(waiting) = self.waiting.get(&call) else {
            return;
        };
        if !waiting.ringing.contains(&agent) {
            return;
        }
        let waiting = self
            .waiting
            .remove(&call)
            .inspect(|_| self.revision += 1)
            .expect("looked up above");
        let others: Vec<UserId> = waiting
            .ringing
            .iter()
            .copied()
            .filter(|a| *a != agent)
            .collect();
        if !others.is_empty() {
            self.out.push_back(Output::Withdraw {
                call,
                agents: others.clone(),
            });
            for other in others {
                self.set_state(now, other, AgentState::Available);
            }
        }
        let queue = waiting.queue.clone();
        let service_level = self.queues[&queue].config.service_level;
        let waited = now.saturating_duration_since(waiting.since);
        let counters = self.counters(&queue);
        counters.answered += 1;
        counters.waited_answered += waited;
        if waited <= service_level {
            counters.answered_in_time += 1;
        }
        if let Some(entry) = self.agents.get_mut(&agent) {
            entry.misses = 0;
            *entry.answered.entry(queue.clone()).or_default() += 1;
        }
        self.talking.insert(call, (agent, queue, now));
        self.set_state(now, agent, AgentState::OnCall(call));
        self.dispatch(now);
    }

    /// An agent's phone refused the call or could not be reached: it goes
    /// to the next agent, and the miss counts against them.
    pub fn missed(&mut self, now: Instant, call: CallRef, agent: UserId) {
        let Some(waiting) = self.waiting.get_mut(&call) else {
            return;
        };
        let Some(at) = waiting.ringing.iter().position(|a| *a == agent) else {
            return;
        };
        waiting.ringing.remove(at);
        if waiting.ringing.is_empty() {
            waiting.ring_due = None;
        }
        waiting.passed_over.push(agent);
        let queue = waiting.queue.clone();
        self.missed_by(now, agent, &queue);
        self.dispatch(now);
    }

    /// The caller hung up while waiting or ringing. One who asked to be
    /// called back keeps their place.
    pub fn abandoned(&mut self, now: Instant, call: CallRef) {
        if self.waiting.get(&call).is_some_and(|w| w.callback) {
            return;
        }
        let Some(waiting) = self.waiting.remove(&call).inspect(|_| self.revision += 1) else {
            return;
        };
        self.counters(&waiting.queue).abandoned += 1;
        self.withdraw(now, &waiting);
        self.dispatch(now);
    }

    /// The talk is over: the agent wraps up (or pauses, or logs out, as
    /// they asked during the call).
    pub fn ended(&mut self, now: Instant, call: CallRef) {
        let Some((agent, queue, answered)) = self.talking.remove(&call) else {
            return;
        };
        let wrap_up = self.queues.get(&queue).map(|q| q.config.wrap_up);
        // What a call takes an agent, talk and wrap-up, for the waits
        // announced to callers.
        let handled = now.saturating_duration_since(answered) + wrap_up.unwrap_or_default();
        let counters = self.counters(&queue);
        counters.handled += 1;
        counters.handle_time += handled;
        if let Some(entry) = self.agents.get_mut(&agent) {
            entry.idle_since = now;
        }
        let next = match (self.after_call.remove(&agent), wrap_up) {
            (Some(state), _) => state,
            (None, Some(wrap_up)) if !wrap_up.is_zero() => {
                let until = now + wrap_up;
                self.deadlines.insert((until, Due::WrapUp(agent)));
                AgentState::WrapUp { until }
            }
            (None, _) => AgentState::Available,
        };
        self.set_state(now, agent, next);
        self.dispatch(now);
    }

    /// Ring timeouts, waiting limits, relaxed needs and wrap-ups that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((at, due)) = self.deadlines.first().cloned() {
            if at > now {
                break;
            }
            self.deadlines.remove(&(at, due.clone()));
            match due {
                Due::Ring(call) => self.rang_out(now, call, at),
                Due::MaxWait(call) => self.waited_too_long(call, at),
                Due::Relax(call) => self.relax(call, at),
                Due::Announce(call) => self.announce(call, at),
                Due::WrapUp(agent) => {
                    let done = self
                        .agents
                        .get(&agent)
                        .is_some_and(|a| a.state == AgentState::WrapUp { until: at });
                    if done {
                        self.set_state(now, agent, AgentState::Available);
                    }
                }
            }
        }
        self.dispatch(now);
    }

    /// An agent's state and since when.
    pub fn agent(&self, agent: UserId) -> Option<(&AgentState, Instant)> {
        self.agents.get(&agent).map(|a| (&a.state, a.since))
    }

    /// Tells a waiting caller their place and expected wait, and when to
    /// tell them again. A caller whose agent's phone rings now is not
    /// interrupted.
    fn announce(&mut self, call: CallRef, at: Instant) {
        let Some(waiting) = self.waiting.get(&call) else {
            return;
        };
        let Some(queue) = self.queues.get(&waiting.queue) else {
            return;
        };
        if waiting.callback {
            return; // the caller has hung up
        }
        if let Some(every) = queue.config.announce_every {
            self.deadlines.insert((at + every, Due::Announce(call)));
        }
        if !waiting.ringing.is_empty() {
            return;
        }
        let rank = waiting.rank();
        let position = 1 + self
            .waiting
            .values()
            .filter(|w| w.queue == waiting.queue && w.rank() < rank)
            .count();
        // Agents who will take calls (those paused or logged out will not).
        let staffed = self
            .agents
            .values()
            .filter(|a| a.queues.contains(&waiting.queue))
            .filter(|a| !matches!(a.state, AgentState::Offline | AgentState::Paused(_)))
            .count();
        let counters = &queue.counters;
        let expected_wait = (counters.handled > 0 && staffed > 0).then(|| {
            let average =
                counters.handle_time / u32::try_from(counters.handled).unwrap_or(u32::MAX);
            average * u32::try_from(position).unwrap_or(u32::MAX)
                / u32::try_from(staffed).unwrap_or(1)
        });
        self.out.push_back(Output::Announce {
            call,
            position,
            expected_wait,
        });
    }

    /// A queue's settings.
    pub fn config(&self, queue: &str) -> Option<&QueueConfig> {
        self.queues.get(queue).map(|q| &q.config)
    }

    /// A queue as the live view shows it at `now`.
    pub fn queue_view(&self, now: Instant, queue: &str) -> Option<QueueView> {
        let q = self.queues.get(queue)?;
        let waiting: Vec<&Waiting> = self.waiting.values().filter(|w| w.queue == queue).collect();
        let mut agents = BTreeMap::new();
        for agent in self.agents.values().filter(|a| a.queues.contains(queue)) {
            *agents.entry(agent.state.name()).or_insert(0) += 1;
        }
        Some(QueueView::new(
            now,
            &q.config,
            &waiting,
            agents,
            &q.counters,
        ))
    }

    fn leave(&mut self, now: Instant, agent: UserId, next: AgentState) {
        let Some(entry) = self.agents.get(&agent) else {
            return;
        };
        match entry.state.clone() {
            AgentState::OnCall(_) => {
                self.after_call.insert(agent, next);
            }
            AgentState::Ringing(call) => {
                if let Some(waiting) = self.waiting.get_mut(&call) {
                    waiting.ringing.retain(|a| *a != agent);
                    self.out.push_back(Output::Withdraw {
                        call,
                        agents: vec![agent],
                    });
                }
                self.set_state(now, agent, next);
                self.dispatch(now);
            }
            _ => self.set_state(now, agent, next),
        }
    }

    /// A miss by `agent`: available again, or paused after too many.
    fn missed_by(&mut self, now: Instant, agent: UserId, queue: &str) {
        let limit = self
            .queues
            .get(queue)
            .map_or(u32::MAX, |q| q.config.misses_to_pause);
        let Some(entry) = self.agents.get_mut(&agent) else {
            return;
        };
        entry.misses += 1;
        let next = match self.after_call.remove(&agent) {
            Some(state) => state,
            None if entry.misses >= limit => AgentState::Paused(MISSED_CALLS.into()),
            None => AgentState::Available,
        };
        self.set_state(now, agent, next);
    }

    /// Nobody answered in the queue's ring timeout: every agent it rang
    /// missed it, and the call goes to the next.
    fn rang_out(&mut self, now: Instant, call: CallRef, at: Instant) {
        let Some(waiting) = self.waiting.get_mut(&call) else {
            return;
        };
        // A later offer has its own deadline: this one is stale.
        if waiting.ring_due != Some(at) {
            return;
        }
        waiting.ring_due = None;
        let queue = waiting.queue.clone();
        let agents = std::mem::take(&mut waiting.ringing);
        waiting.passed_over.extend(agents.iter().copied());
        self.out.push_back(Output::Withdraw {
            call,
            agents: agents.clone(),
        });
        for agent in agents {
            self.missed_by(now, agent, &queue);
        }
    }

    fn waited_too_long(&mut self, call: CallRef, at: Instant) {
        let Some(waiting) = self.waiting.get(&call) else {
            return;
        };
        let Some(queue) = self.queues.get(&waiting.queue) else {
            return;
        };
        if queue.config.max_wait.map(|max| waiting.since + max) != Some(at) {
            return;
        }
        let to = queue.config.overflow.clone();
        if to == Overflow::Callback {
            // The caller is told they will be called back and hangs up;
            // their entry stays where it is in the line.
            let queue = waiting.queue.clone();
            if let Some(waiting) = self.waiting.get_mut(&call) {
                waiting.callback = true;
            }
            self.revision += 1;
            self.counters(&queue).overflowed += 1;
            self.out.push_back(Output::Overflow { call, queue, to });
            return;
        }
        let waiting = self
            .waiting
            .remove(&call)
            .inspect(|_| self.revision += 1)
            .expect("looked up above");
        self.counters(&waiting.queue).overflowed += 1;
        self.withdraw(at, &waiting);
        self.out.push_back(Output::Overflow {
            call,
            queue: waiting.queue,
            to,
        });
    }

    /// A waiting call's needs relax a step: it may now go to agents who
    /// could not take it before (the dispatch that follows sees to it).
    fn relax(&mut self, call: CallRef, at: Instant) {
        let Some(waiting) = self.waiting.get(&call) else {
            return;
        };
        if let Some((every, _)) = self.queues.get(&waiting.queue).and_then(|q| q.config.relax) {
            self.deadlines.insert((at + every, Due::Relax(call)));
        }
    }

    /// Stops ringing the agents a call that leaves was ringing.
    fn withdraw(&mut self, now: Instant, waiting: &Waiting) {
        if waiting.ringing.is_empty() {
            return;
        }
        self.out.push_back(Output::Withdraw {
            call: waiting.call,
            agents: waiting.ringing.clone(),
        });
        for agent in &waiting.ringing {
            let next = self
                .after_call
                .remove(agent)
                .unwrap_or(AgentState::Available);
            self.set_state(now, *agent, next);
        }
    }

    /// Offers waiting calls, best ranked first, to free agents until one
    /// or the other runs out.
    fn dispatch(&mut self, now: Instant) {
        let mut calls: Vec<&Waiting> = self
            .waiting
            .values()
            .filter(|w| w.ringing.is_empty())
            .collect();
        if calls.is_empty() {
            return;
        }
        calls.sort_by_key(|w| w.rank());
        let order: Vec<CallRef> = calls.iter().map(|w| w.call).collect();
        for call in order {
            if !self
                .agents
                .values()
                .any(|a| a.state == AgentState::Available)
            {
                return;
            }
            let Some(agents) = self.pick(now, call) else {
                continue;
            };
            self.offer(now, call, agents);
        }
    }

    /// The agents to ring with `call`, by its queue's strategy; `None`
    /// when none is free and able.
    fn pick(&mut self, now: Instant, call: CallRef) -> Option<Vec<UserId>> {
        let waiting = self.waiting.get(&call)?;
        let queue = self.queues.get(&waiting.queue)?;
        let config = &queue.config;
        let waited = now.saturating_duration_since(waiting.since);
        let able: Vec<(UserId, &Agent)> = self
            .agents
            .iter()
            .filter(|(_, a)| a.state == AgentState::Available && a.queues.contains(&config.name))
            .filter(|(_, a)| a.meets(config.needs_after(waited)))
            .map(|(id, a)| (*id, a))
            .collect();
        // Who let it ring out goes last: offered again only when nobody
        // else is free.
        let fresh: Vec<(UserId, &Agent)> = able
            .iter()
            .copied()
            .filter(|(id, _)| !waiting.passed_over.contains(id))
            .collect();
        let candidates = if fresh.is_empty() { able } else { fresh };
        if candidates.is_empty() {
            return None;
        }
        let idle = |a: &Agent| a.idle_since;
        let picked = match config.strategy {
            Strategy::RingAll => candidates.iter().map(|(id, _)| *id).collect(),
            Strategy::LongestIdle => {
                let best = candidates.iter().min_by_key(|(id, a)| (idle(a), *id))?;
                vec![best.0]
            }
            Strategy::FewestCalls => {
                let answered = |a: &Agent| a.answered.get(&config.name).copied().unwrap_or(0);
                let best = candidates
                    .iter()
                    .min_by_key(|(id, a)| (answered(a), idle(a), *id))?;
                vec![best.0]
            }
            Strategy::SkillsBased => {
                let best = candidates.iter().min_by_key(|(id, a)| {
                    let score = a.score(config.needs_after(waited));
                    (std::cmp::Reverse(score), idle(a), *id)
                })?;
                vec![best.0]
            }
            Strategy::RoundRobin => {
                // The first after the one offered last, in id order.
                let after = queue.last_offered;
                let next = candidates
                    .iter()
                    .find(|(id, _)| after.is_none_or(|last| *id > last))
                    .or_else(|| candidates.first())?;
                vec![next.0]
            }
        };
        Some(picked)
    }

    fn offer(&mut self, now: Instant, call: CallRef, mut agents: Vec<UserId>) {
        let Some(waiting) = self.waiting.get_mut(&call) else {
            return;
        };
        // A callback is one agent's to make, whatever the strategy.
        if waiting.callback {
            agents.truncate(1);
        }
        let callback = waiting.callback;
        waiting.ringing.clone_from(&agents);
        let queue_name = waiting.queue.clone();
        let queue = self
            .queues
            .get_mut(&queue_name)
            .expect("a waiting call's queue");
        queue.last_offered = agents.last().copied();
        let due = now + queue.config.ring_timeout;
        waiting.ring_due = Some(due);
        self.deadlines.insert((due, Due::Ring(call)));
        for agent in &agents {
            self.set_state(now, *agent, AgentState::Ringing(call));
        }
        self.out.push_back(Output::Offer {
            call,
            queue: queue_name,
            agents,
            callback,
        });
    }

    fn set_state(&mut self, now: Instant, agent: UserId, state: AgentState) {
        let Some(entry) = self.agents.get_mut(&agent) else {
            return;
        };
        if entry.state == state {
            return;
        }
        entry.state = state.clone();
        entry.since = now;
        self.revision += 1;
        self.out.push_back(Output::AgentChanged { agent, state });
    }

    fn counters(&mut self, queue: &str) -> &mut Counters {
        self.revision += 1;
        &mut self
            .queues
            .get_mut(queue)
            .expect("counts are kept for known queues")
            .counters
    }
}
