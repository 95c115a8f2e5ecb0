//! What a campaign has seen of its calls so far: how often a person answers,
//! how long a phone rings before they do (or before the call fails), and how
//! long an agent is busy with a connected call. The predictive pacing reads
//! these as distributions, not just means: a call that has rung for 20 s is
//! less likely to be answered than a fresh one, and an agent 4 minutes into
//! a call is not as likely to finish in the next 10 s as one who just
//! started, unless talk times are exponential.

use std::collections::VecDeque;
use std::time::Duration;

/// The samples kept of each kind: enough for stable quantiles, recent
/// enough to follow the day (answer rates change by the hour).
pub const WINDOW: usize = 400;

/// How a placed call came out, as pacing counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A person answered after ringing this long.
    Answered(Duration),
    /// Busy, no answer, failed or a machine, after this long.
    NotAnswered(Duration),
}

/// Recent outcomes of a campaign's calls.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// The last [`WINDOW`] resolutions, answered or not, oldest first.
    outcomes: VecDeque<bool>,
    answer_delays: Sample,
    failure_delays: Sample,
    handle_times: Sample,
}

impl Observations {
    pub fn resolved(&mut self, resolution: Resolution) {
        let answered = matches!(resolution, Resolution::Answered(_));
        if self.outcomes.len() == WINDOW {
            self.outcomes.pop_front();
        }
        self.outcomes.push_back(answered);
        match resolution {
            Resolution::Answered(after) => self.answer_delays.push(after),
            Resolution::NotAnswered(after) => self.failure_delays.push(after),
        }
    }

    /// An agent finished a connected call (talk and wrap-up) after `busy`.
    pub fn handled(&mut self, busy: Duration) {
        self.handle_times.push(busy);
    }

    /// Calls resolved (answered or not) among the recent ones.
    pub fn resolved_count(&self) -> usize {
        self.outcomes.len()
    }

    pub fn handled_count(&self) -> usize {
        self.handle_times.len()
    }

    /// The share of recent calls a person answered.
    pub fn answer_rate(&self) -> Option<f64> {
        let n = self.outcomes.len();
        (n > 0).then(|| self.outcomes.iter().filter(|a| **a).count() as f64 / n as f64)
    }

    /// The chance that a call still ringing after `rung` will be answered:
    /// Bayes over the answer rate and how long answered and unanswered
    /// calls ring.
    pub fn answer_chance(&self, rung: Duration) -> f64 {
        let Some(rate) = self.answer_rate() else {
            return 0.0;
        };
        let answered_later = rate * self.answer_delays.share_above(rung);
        let failed_later = (1.0 - rate) * self.failure_delays.share_above(rung);
        if answered_later + failed_later <= 0.0 {
            return 0.0;
        }
        answered_later / (answered_later + failed_later)
    }

    /// The ring times of answered calls at evenly spaced quantiles, for
    /// averaging "free by the time it is answered" over when that is.
    pub fn answer_delay_quantiles(&self, count: usize) -> Vec<Duration> {
        (0..count)
            .map(|i| self.answer_delays.quantile((i as f64 + 0.5) / count as f64))
            .collect()
    }

    /// The chance that an agent `busy` into a call is free within `within`
    /// more: the share of handle times past `busy` that end by
    /// `busy + within`.
    pub fn free_chance(&self, busy: Duration, within: Duration) -> f64 {
        let still = self.handle_times.share_above(busy);
        if still <= 0.0 {
            // Longer than any call seen: judged as if it had just started.
            return self.handle_times.share_at_most(within);
        }
        let ended = still - self.handle_times.share_above(busy + within);
        ended / still
    }
}

/// A bounded sample of durations, kept sorted for quantiles.
#[derive(Debug, Clone, Default)]
struct Sample {
    order: VecDeque<Duration>,
    sorted: Vec<Duration>,
}

impl Sample {
    fn push(&mut self, value: Duration) {
        if self.order.len() == WINDOW
            && let Some(old) = self.order.pop_front()
            && let Ok(at) = self.sorted.binary_search(&old)
        {
            self.sorted.remove(at);
        }
        self.order.push_back(value);
        let at = self.sorted.partition_point(|v| *v <= value);
        self.sorted.insert(at, value);
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The share of values greater than `value`; 1 when empty (nothing
    /// known rules anything out).
    fn share_above(&self, value: Duration) -> f64 {
        if self.sorted.is_empty() {
            return 1.0;
        }
        let at_most = self.sorted.partition_point(|v| *v <= value);
        (self.len() - at_most) as f64 / self.len() as f64
    }

    fn share_at_most(&self, value: Duration) -> f64 {
        1.0 - self.share_above(value)
    }

    fn quantile(&self, q: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        let at = ((self.len() as f64 * q) as usize).min(self.len() - 1);
        self.sorted[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn a_call_that_rang_past_every_answer_will_not_be_answered() {
        let mut seen = Observations::default();
        for i in 0..10 {
            seen.resolved(Resolution::Answered(s(5 + i)));
            seen.resolved(Resolution::NotAnswered(s(30)));
            seen.resolved(Resolution::NotAnswered(s(30)));
            seen.resolved(Resolution::NotAnswered(s(2)));
        }
        assert_eq!(seen.answer_rate(), Some(0.25));
        assert_eq!(seen.answer_chance(Duration::ZERO), 0.25);
        // Past 2 s the busy signals are out: 10 answers of 30 left.
        assert!((seen.answer_chance(s(3)) - 10.0 / 30.0).abs() < 1e-9);
        assert_eq!(seen.answer_chance(s(20)), 0.0);
    }

    #[test]
    fn an_agent_long_into_a_call_is_judged_by_the_calls_that_lasted_as_long() {
        let mut seen = Observations::default();
        for secs in [10, 20, 30, 40, 300, 310, 320, 330] {
            seen.handled(s(secs));
        }
        // Just started: half the calls end within 45 s.
        assert_eq!(seen.free_chance(Duration::ZERO, s(45)), 0.5);
        // 60 s in, only long calls are left, and none ends within 45 s.
        assert_eq!(seen.free_chance(s(60), s(45)), 0.0);
        // 305 s in, two of the three left end within 20 s.
        assert!((seen.free_chance(s(305), s(20)) - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_window_forgets_the_oldest() {
        let mut seen = Observations::default();
        for _ in 0..WINDOW {
            seen.resolved(Resolution::NotAnswered(s(30)));
        }
        for _ in 0..WINDOW / 2 {
            seen.resolved(Resolution::Answered(s(8)));
        }
        assert_eq!(seen.answer_rate(), Some(0.5));
        assert_eq!(seen.resolved_count(), WINDOW);
    }
}
