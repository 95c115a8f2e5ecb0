//! A queue's counts and the live view made of them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::queue::Waiting;

/// What a queue has seen since it was set up.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    pub answered: u64,
    /// Answered within the queue's service level.
    pub answered_in_time: u64,
    /// The callers hung up while waiting.
    pub abandoned: u64,
    /// Sent to the overflow: the queue was full, or they waited too long.
    pub overflowed: u64,
    /// The waits of the answered calls, summed (for the average speed of
    /// answer).
    pub waited_answered: Duration,
    /// Calls whose talk and wrap-up are over, and the time they took
    /// their agents, summed (for the waits announced to callers).
    pub handled: u64,
    pub handle_time: Duration,
}

/// A queue as supervisors watch it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueueView {
    pub queue: String,
    pub waiting: usize,
    /// The longest a caller waiting now has waited, in seconds.
    pub longest_wait_s: u64,
    /// Agents in the queue by state (`available`, `ringing`, `on_call`,
    /// `wrap_up`, `paused`, `offline`).
    pub agents: BTreeMap<&'static str, usize>,
    pub answered: u64,
    pub abandoned: u64,
    pub overflowed: u64,
    /// Answered within the service level, out of every caller who was
    /// answered or gave up, in percent; none before the first.
    pub service_level_pct: Option<f64>,
    /// The average wait of answered calls, in seconds.
    pub average_answer_s: Option<f64>,
    /// The callers who gave up, out of those answered or gone, in percent.
    pub abandon_rate_pct: Option<f64>,
    /// The agents' time to write a call up, in seconds.
    pub wrap_up_s: u64,
    /// The results a wrap-up picks from; empty: any text.
    pub results: Vec<String>,
}

impl QueueView {
    pub(super) fn new(
        now: Instant,
        config: &super::QueueConfig,
        waiting: &[&Waiting],
        agents: BTreeMap<&'static str, usize>,
        counters: &Counters,
    ) -> QueueView {
        let longest = waiting
            .iter()
            .map(|w| now.saturating_duration_since(w.since))
            .max()
            .unwrap_or_default();
        let settled = counters.answered + counters.abandoned;
        let percent = |part: u64| (settled > 0).then(|| 100.0 * part as f64 / settled as f64);
        QueueView {
            queue: config.name.clone(),
            waiting: waiting.len(),
            longest_wait_s: longest.as_secs(),
            agents,
            answered: counters.answered,
            abandoned: counters.abandoned,
            overflowed: counters.overflowed,
            service_level_pct: percent(counters.answered_in_time),
            average_answer_s: (counters.answered > 0)
                .then(|| counters.waited_answered.as_secs_f64() / counters.answered as f64),
            abandon_rate_pct: percent(counters.abandoned),
            wrap_up_s: config.wrap_up.as_secs(),
            results: config.results.clone(),
        }
    }
}
