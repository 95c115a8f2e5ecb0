//! The abandoned-call rate the rules limit: calls a person answered that no
//! agent took within the grace (2 s), out of every call a person answered,
//! over a rolling 30 days and over today. Days are numbers the driver gives
//! (days since an epoch in the campaign's time zone): the core reads no clock.

use std::collections::BTreeMap;

/// The rolling period the limit is measured over, in days.
pub const ROLLING_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCount {
    /// Calls a person answered.
    pub answered: u64,
    /// Of those, the ones no agent took in time.
    pub abandoned: u64,
}

impl DayCount {
    /// Abandoned out of answered, as a fraction; 0 before any answer.
    pub fn rate(&self) -> f64 {
        if self.answered == 0 {
            0.0
        } else {
            self.abandoned as f64 / self.answered as f64
        }
    }
}

/// Answered and abandoned calls per day, for the last [`ROLLING_DAYS`].
#[derive(Debug, Clone, Default)]
pub struct AbandonLedger {
    days: BTreeMap<i64, DayCount>,
}

impl AbandonLedger {
    /// A ledger that starts from stored counts (the campaign's history).
    pub fn from_days(days: impl IntoIterator<Item = (i64, DayCount)>) -> Self {
        AbandonLedger {
            days: days.into_iter().collect(),
        }
    }

    pub fn answered(&mut self, day: i64) {
        self.day(day).answered += 1;
    }

    /// A call already counted by [`AbandonLedger::answered`] was abandoned.
    pub fn abandoned(&mut self, day: i64) {
        self.day(day).abandoned += 1;
    }

    fn day(&mut self, day: i64) -> &mut DayCount {
        // Days older than the period no longer count.
        while let Some((&first, _)) = self.days.first_key_value() {
            if first > day - ROLLING_DAYS {
                break;
            }
            self.days.remove(&first);
        }
        self.days.entry(day).or_default()
    }

    pub fn today(&self, day: i64) -> DayCount {
        self.days.get(&day).copied().unwrap_or_default()
    }

    /// The sums over the `ROLLING_DAYS` ending with `day`.
    pub fn rolling(&self, day: i64) -> DayCount {
        self.days
            .range(day - ROLLING_DAYS + 1..=day)
            .fold(DayCount::default(), |sum, (_, c)| DayCount {
                answered: sum.answered + c.answered,
                abandoned: sum.abandoned + c.abandoned,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rolling_rate_counts_thirty_days_and_today_counts_today() {
        let mut ledger = AbandonLedger::default();
        // Day 0: 100 answered, 10 abandoned; day 30: 100 answered, 1 abandoned.
        for i in 0..100 {
            ledger.answered(0);
            if i < 10 {
                ledger.abandoned(0);
            }
        }
        assert_eq!(ledger.rolling(29).rate(), 0.1);
        for i in 0..100 {
            ledger.answered(30);
            if i < 1 {
                ledger.abandoned(30);
            }
        }
        // Day 0 has left the period.
        assert_eq!(ledger.rolling(30).rate(), 0.01);
        assert_eq!(ledger.today(30).rate(), 0.01);
        assert_eq!(ledger.today(31), DayCount::default());
    }
}
