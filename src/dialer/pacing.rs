//! How many calls a campaign places now.
//!
//! - Preview: none on its own; the agent dials from the card.
//! - Progressive: one call per agent who is free and has no call on its way.
//!   Nobody is ever abandoned, and agents wait through every ring.
//! - Predictive: dials ahead of the agents. It asks, for each further call,
//!   how likely that call is to be answered by a person with no agent free
//!   to take it within the grace (2 s), given the calls already ringing
//!   (each with its chance of being answered after ringing so long), the
//!   calls waiting, the free agents and the busy ones (each with the chance
//!   of finishing before the answer, from how long they have been busy).
//!   It places calls while that chance stays under a risk it is allowed;
//!   the risk follows the abandon rate measured today and over 30 days, and
//!   is zero (progressive) while either is at the limit.

use std::time::Duration;

use super::abandon::DayCount;
use super::observed::Observations;

/// How a campaign dials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Preview,
    Progressive,
    Predictive,
}

/// The campaign's floor at the moment of the decision.
#[derive(Debug, Clone, Default)]
pub struct Floor {
    /// Agents working the campaign (free, busy or wrapping up; not paused).
    pub agents: u32,
    /// Agents free for a call now.
    pub free: u32,
    /// For each busy agent (talking or wrapping up), how long they have
    /// been busy with their call.
    pub busy: Vec<Duration>,
    /// For each call placed and not yet answered, how long it has rung.
    pub ringing: Vec<Duration>,
    /// Calls a person answered that wait for an agent.
    pub waiting: u32,
}

impl Floor {
    /// Calls in progress: ringing, waiting or with an agent.
    pub fn lines(&self) -> usize {
        self.ringing.len() + self.waiting as usize + self.busy.len()
    }
}

/// The rules a predictive campaign keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The most abandoned calls, as a share of calls a person answered,
    /// over 30 days and over today (0.03 for 3%).
    pub abandon_rate: f64,
    /// Calls in progress per working agent, at most.
    pub max_lines_per_agent: f64,
    /// How long an answered call may wait for an agent before it counts as
    /// abandoned.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            abandon_rate: 0.03,
            max_lines_per_agent: 3.0,
            grace: Duration::from_secs(2),
        }
    }
}

/// Calls resolved and calls handled before predictive dialling trusts what
/// it has seen; until then it dials progressively.
pub const MIN_RESOLVED: usize = 30;
pub const MIN_HANDLED: usize = 5;
/// The share of the abandon limit predictive dialling aims at, so that the
/// model's errors land under the limit rather than over it.
pub const AIM: f64 = 0.7;
/// Answer times the busy agents' chances are averaged over.
const ANSWER_QUANTILES: usize = 5;

/// Progressive: a call for each free agent without one on its way.
pub fn progressive(floor: &Floor) -> u32 {
    let coming = floor.ringing.len() as u32 + floor.waiting;
    floor.free.saturating_sub(coming)
}

/// The risk predictive dialling may take with each further call: the
/// chance it is answered and abandoned. Zero while the abandon rate today
/// or over 30 days is at the limit; the aim below it otherwise, less as the
/// rates near the limit.
pub fn allowed_risk(limits: &Limits, today: DayCount, rolling: DayCount) -> f64 {
    let worst = today.rate().max(rolling.rate());
    if worst >= limits.abandon_rate {
        return 0.0;
    }
    let aim = limits.abandon_rate * AIM;
    if worst <= aim {
        aim
    } else {
        // Between the aim and the limit: taper to nothing at the limit.
        aim * (limits.abandon_rate - worst) / (limits.abandon_rate - aim)
    }
}

/// Predictive: how many calls to place now, taking `risk` (see
/// [`allowed_risk`]) with each.
pub fn predictive(floor: &Floor, seen: &Observations, limits: &Limits, risk: f64) -> u32 {
    let cap = (limits.max_lines_per_agent * floor.agents as f64).floor() as usize;
    let room = cap.saturating_sub(floor.lines()) as u32;
    let steady = progressive(floor).min(room);
    if risk <= 0.0
        || floor.agents == 0
        || seen.resolved_count() < MIN_RESOLVED
        || seen.handled_count() < MIN_HANDLED
    {
        return steady;
    }
    let supply = supply(floor, seen, limits.grace);
    // Answers to come from the calls ringing now.
    let mut answers = vec![1.0];
    for rung in &floor.ringing {
        add_bernoulli(&mut answers, seen.answer_chance(*rung));
    }
    let fresh = seen.answer_chance(Duration::ZERO);
    let mut placed = 0;
    while placed < room {
        if abandon_chance(&answers, floor.waiting as usize, &supply) > risk {
            break;
        }
        add_bernoulli(&mut answers, fresh);
        placed += 1;
    }
    placed.max(steady)
}

/// The distribution of agents free for the next answers: the free ones,
/// and each busy one with the chance of finishing by the time a call placed
/// now is answered, plus the grace.
fn supply(floor: &Floor, seen: &Observations, grace: Duration) -> Vec<f64> {
    let when = seen.answer_delay_quantiles(ANSWER_QUANTILES);
    let mut supply = vec![0.0; floor.free as usize];
    supply.push(1.0);
    for busy in &floor.busy {
        let chance = when
            .iter()
            .map(|delay| seen.free_chance(*busy, *delay + grace))
            .sum::<f64>()
            / when.len() as f64;
        add_bernoulli(&mut supply, chance);
    }
    supply
}

/// Adds an independent yes/no with chance `p` to a count's distribution.
fn add_bernoulli(pmf: &mut Vec<f64>, p: f64) {
    pmf.push(0.0);
    for k in (0..pmf.len()).rev() {
        let stay = pmf[k] * (1.0 - p);
        let from_below = if k > 0 { pmf[k - 1] * p } else { 0.0 };
        pmf[k] = stay + from_below;
    }
}

/// The chance that one more call, if a person answers it, finds no agent:
/// with `answers` the distribution of the other calls' answers and
/// `waiting` answered calls ahead of them all, the share of the answered
/// calls left over once the free agents are taken, averaged. Callers
/// answered at about the same time are served in an order no one knows,
/// so the new call is as likely as any to be among the left over.
fn abandon_chance(answers: &[f64], waiting: usize, supply: &[f64]) -> f64 {
    let mut chance = 0.0;
    for (a, pa) in answers.iter().enumerate() {
        if *pa < 1e-12 {
            continue;
        }
        let contending = a + 1;
        for (s, ps) in supply.iter().enumerate() {
            let left = (waiting + contending).saturating_sub(s).min(contending);
            if left > 0 {
                chance += pa * ps * left as f64 / contending as f64;
            }
        }
    }
    chance
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialer::observed::Resolution;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    /// A quarter answered after 10 s; the rest fail at 25 s; calls last
    /// 100 s or 300 s.
    fn seen() -> Observations {
        let mut seen = Observations::default();
        for i in 0..100 {
            seen.resolved(if i % 4 == 0 {
                Resolution::Answered(s(10))
            } else {
                Resolution::NotAnswered(s(25))
            });
        }
        for i in 0..20 {
            seen.handled(s(if i % 2 == 0 { 100 } else { 300 }));
        }
        seen
    }

    fn floor(free: u32, busy: &[u64], ringing: &[u64]) -> Floor {
        Floor {
            agents: free + busy.len() as u32,
            free,
            busy: busy.iter().map(|b| s(*b)).collect(),
            ringing: ringing.iter().map(|r| s(*r)).collect(),
            waiting: 0,
        }
    }

    #[test]
    fn progressive_dials_once_for_each_free_agent_without_a_call_coming() {
        assert_eq!(progressive(&floor(3, &[50], &[5])), 2);
        assert_eq!(progressive(&floor(1, &[], &[5, 6])), 0);
    }

    #[test]
    fn predictive_dials_ahead_for_free_agents_when_a_quarter_answer() {
        let placed = predictive(&floor(4, &[], &[]), &seen(), &Limits::default(), 0.02);
        // One answer per agent takes about four calls each; the risk cuts
        // it short of that, but well past one each.
        assert!((8..16).contains(&placed), "{placed}");
    }

    #[test]
    fn predictive_counts_agents_about_to_finish_and_not_those_who_just_began() {
        let limits = Limits::default();
        // Ten agents 95 s into calls that last 100 s or 300 s: half will be
        // free in 10 s.
        let ending = predictive(&floor(0, &[95; 10], &[]), &seen(), &limits, 0.02);
        let started = predictive(&floor(0, &[5; 10], &[]), &seen(), &limits, 0.02);
        assert!(ending > 0, "{ending}");
        assert_eq!(started, 0);
    }

    #[test]
    fn with_no_risk_allowed_it_is_progressive() {
        let floor = floor(3, &[95; 10], &[1]);
        assert_eq!(predictive(&floor, &seen(), &Limits::default(), 0.0), 2);
    }

    #[test]
    fn it_never_passes_the_lines_per_agent() {
        let limits = Limits {
            max_lines_per_agent: 1.5,
            ..Limits::default()
        };
        // Two agents, three lines: one ringing already, two more at most.
        let placed = predictive(&floor(2, &[], &[1]), &seen(), &limits, 0.5);
        assert_eq!(placed, 2);
    }

    #[test]
    fn calls_that_rang_past_any_answer_are_not_counted_on() {
        let limits = Limits::default();
        let fresh = predictive(&floor(2, &[], &[1, 1, 1, 1]), &seen(), &limits, 0.02);
        let stale = predictive(&floor(2, &[], &[20, 20, 20, 20]), &seen(), &limits, 0.02);
        assert!(stale > fresh, "{stale} > {fresh}");
    }

    #[test]
    fn until_it_has_seen_enough_it_is_progressive() {
        let mut few = Observations::default();
        few.resolved(Resolution::Answered(s(5)));
        let placed = predictive(&floor(4, &[], &[]), &few, &Limits::default(), 0.02);
        assert_eq!(placed, 4);
    }

    #[test]
    fn the_allowed_risk_tapers_to_nothing_at_the_limit() {
        let limits = Limits::default();
        let count = |answered, abandoned| DayCount {
            answered,
            abandoned,
        };
        let calm = allowed_risk(&limits, count(1000, 10), count(10_000, 100));
        assert!((calm - 0.021).abs() < 1e-9, "{calm}");
        let close = allowed_risk(&limits, count(1000, 27), count(10_000, 100));
        assert!(close > 0.0 && close < calm, "{close}");
        // Today is over, though the month is not.
        assert_eq!(
            allowed_risk(&limits, count(100, 3), count(10_000, 100)),
            0.0
        );
    }
}
