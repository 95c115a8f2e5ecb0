//! One running campaign's pacing state: what it has seen of its calls and
//! its abandon counts, and from those how many calls it places now. The
//! runtime gives it the floor and each attempt's end with the day number
//! (days since the Unix epoch, UTC); it reads no clock.

use std::time::Duration;

use super::abandon::AbandonLedger;
use super::observed::{Observations, Resolution};
use super::pacing::{self, Floor, Limits, Mode};

/// How one placed call went, as pacing counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// From the INVITE to the answer, or to the failure.
    pub rang: Duration,
    /// A person (or a machine) answered.
    pub picked_up: bool,
    /// Answered, and no agent took it within the grace.
    pub abandoned: bool,
    /// How long an agent was busy with it (talk and wrap-up), when one
    /// took it.
    pub handled: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct Pacer {
    pub mode: Mode,
    pub limits: Limits,
    seen: Observations,
    ledger: AbandonLedger,
}

impl Pacer {
    /// A campaign's pacer, starting from its stored abandon counts.
    pub fn new(mode: Mode, limits: Limits, ledger: AbandonLedger) -> Self {
        Pacer {
            mode,
            limits,
            seen: Observations::default(),
            ledger,
        }
    }

    /// Calls to place now on `floor`: none for preview campaigns.
    pub fn calls_to_place(&self, floor: &Floor, day: i64) -> u32 {
        match self.mode {
            Mode::Preview => 0,
            Mode::Progressive => {
                let cap = (self.limits.max_lines_per_agent * f64::from(floor.agents)).floor();
                let room = (cap as usize).saturating_sub(floor.lines()) as u32;
                pacing::progressive(floor).min(room)
            }
            Mode::Predictive => {
                let risk = pacing::allowed_risk(
                    &self.limits,
                    self.ledger.today(day),
                    self.ledger.rolling(day),
                );
                pacing::predictive(floor, &self.seen, &self.limits, risk)
            }
        }
    }

    /// A placed call is over.
    pub fn ended(&mut self, attempt: Attempt, day: i64) {
        self.seen.resolved(if attempt.picked_up {
            Resolution::Answered(attempt.rang)
        } else {
            Resolution::NotAnswered(attempt.rang)
        });
        if attempt.picked_up {
            self.ledger.answered(day);
            if attempt.abandoned {
                self.ledger.abandoned(day);
            }
        }
        if let Some(busy) = attempt.handled {
            self.seen.handled(busy);
        }
    }

    /// The abandon rates, today's and over the rolling period.
    pub fn abandon_rates(&self, day: i64) -> (f64, f64) {
        (
            self.ledger.today(day).rate(),
            self.ledger.rolling(day).rate(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialer::abandon::DayCount;

    fn floor(agents: u32, free: u32, ringing: usize) -> Floor {
        Floor {
            agents,
            free,
            busy: vec![Duration::from_secs(60); (agents - free) as usize],
            ringing: vec![Duration::from_secs(5); ringing],
            waiting: 0,
        }
    }

    fn answered(rang: u64, handled: u64) -> Attempt {
        Attempt {
            rang: Duration::from_secs(rang),
            picked_up: true,
            abandoned: false,
            handled: Some(Duration::from_secs(handled)),
        }
    }

    #[test]
    fn preview_places_nothing_and_progressive_one_per_free_agent_without_a_call_coming() {
        let preview = Pacer::new(Mode::Preview, Limits::default(), AbandonLedger::default());
        assert_eq!(preview.calls_to_place(&floor(3, 3, 0), 0), 0);
        let progressive = Pacer::new(
            Mode::Progressive,
            Limits::default(),
            AbandonLedger::default(),
        );
        assert_eq!(progressive.calls_to_place(&floor(3, 3, 0), 0), 3);
        assert_eq!(progressive.calls_to_place(&floor(3, 2, 1), 0), 1);
        assert_eq!(progressive.calls_to_place(&floor(3, 0, 0), 0), 0);
    }

    #[test]
    fn predictive_dials_ahead_once_it_has_seen_enough_and_stops_at_the_limit() {
        let mut pacer = Pacer::new(
            Mode::Predictive,
            Limits::default(),
            AbandonLedger::default(),
        );
        let busy_floor = floor(10, 4, 0);
        assert_eq!(
            pacer.calls_to_place(&busy_floor, 0),
            4,
            "progressive until it has seen calls"
        );
        for i in 0..60 {
            if i % 4 == 0 {
                pacer.ended(answered(6, 120), 0);
            } else {
                pacer.ended(
                    Attempt {
                        rang: Duration::from_secs(20),
                        picked_up: false,
                        abandoned: false,
                        handled: None,
                    },
                    0,
                );
            }
        }
        let ahead = pacer.calls_to_place(&busy_floor, 0);
        assert!(ahead > 4, "a 25% answer rate is dialled ahead: {ahead}");
        // Today's abandons at the limit: no more than one call per free agent.
        let full = AbandonLedger::from_days([(
            0,
            DayCount {
                answered: 100,
                abandoned: 3,
            },
        )]);
        let mut limited = Pacer::new(Mode::Predictive, Limits::default(), full);
        for _ in 0..60 {
            limited.ended(answered(6, 120), 0);
        }
        assert_eq!(limited.calls_to_place(&busy_floor, 0), 4);
        assert!((limited.abandon_rates(0).0 - 3.0 / 160.0).abs() < 1e-9);
    }
}
