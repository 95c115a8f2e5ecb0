//! Contact-centre reports by interval (15 minutes, an hour, a day) per queue
//! and per agent, counted from the stored call records, so they agree with
//! what was logged whatever the live counters saw (a restart resets those).
//!
//! Storage sums each interval; the rates and averages are worked out here,
//! once, for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;

/// How long each row of a report covers. Intervals start on whole
/// multiples of their length since the Unix epoch, in UTC (a day runs from
/// midnight UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Quarter,
    Hour,
    Day,
}

impl Interval {
    pub fn seconds(self) -> i64 {
        match self {
            Interval::Quarter => 900,
            Interval::Hour => 3600,
            Interval::Day => 86_400,
        }
    }
}

impl std::str::FromStr for Interval {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "15m" => Ok(Interval::Quarter),
            "hour" => Ok(Interval::Hour),
            "day" => Ok(Interval::Day),
            _ => Err("must be 15m, hour or day"),
        }
    }
}

/// Which records a report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// Calls that arrived at or after.
    pub from: DateTime<Utc>,
    /// Calls that arrived before.
    pub to: DateTime<Utc>,
    pub interval: Interval,
    /// A call answered within this many seconds of joining its queue
    /// counts as answered in time.
    pub service_level_s: i64,
}

/// One queue's sums over one interval, as storage counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueSums {
    pub queue: String,
    /// The interval's start, in seconds since the Unix epoch.
    pub start: i64,
    pub calls: i64,
    pub answered: i64,
    pub answered_in_time: i64,
    /// Seconds from joining the queue to the answer, over answered calls.
    pub answer_wait_s: i64,
    /// The longest any caller waited, answered or not.
    pub max_wait_s: i64,
    pub talk_s: i64,
}

/// One agent's sums over one interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentSums {
    pub agent_id: i64,
    pub agent_name: String,
    pub start: i64,
    pub answered: i64,
    pub talk_s: i64,
    /// Calls they wrote up.
    pub wrapped_up: i64,
}

/// A queue's figures for one interval.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueueRow {
    pub queue: String,
    pub start: DateTime<Utc>,
    /// Calls that reached the queue.
    pub calls: i64,
    pub answered: i64,
    /// Calls that left unanswered (hung up, or sent on by the overflow).
    pub abandoned: i64,
    /// Answered within the service level, out of every call, in percent.
    pub service_level_pct: Option<f64>,
    /// The average time to answer, in seconds.
    pub average_answer_s: Option<f64>,
    pub max_wait_s: i64,
    pub abandon_rate_pct: Option<f64>,
    pub talk_s: i64,
    pub average_talk_s: Option<f64>,
}

/// An agent's figures for one interval.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgentRow {
    pub agent_id: i64,
    pub agent_name: String,
    pub start: DateTime<Utc>,
    pub answered: i64,
    pub talk_s: i64,
    pub average_talk_s: Option<f64>,
    pub wrapped_up: i64,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

fn average(total: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| total as f64 / count as f64)
}

fn at(epoch: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(epoch, 0).unwrap_or_default()
}

impl From<QueueSums> for QueueRow {
    fn from(s: QueueSums) -> Self {
        QueueRow {
            start: at(s.start),
            calls: s.calls,
            answered: s.answered,
            abandoned: s.calls - s.answered,
            service_level_pct: share(s.answered_in_time, s.calls),
            average_answer_s: average(s.answer_wait_s, s.answered),
            max_wait_s: s.max_wait_s,
            abandon_rate_pct: share(s.calls - s.answered, s.calls),
            talk_s: s.talk_s,
            average_talk_s: average(s.talk_s, s.answered),
            queue: s.queue,
        }
    }
}

impl From<AgentSums> for AgentRow {
    fn from(s: AgentSums) -> Self {
        AgentRow {
            start: at(s.start),
            answered: s.answered,
            talk_s: s.talk_s,
            average_talk_s: average(s.talk_s, s.answered),
            wrapped_up: s.wrapped_up,
            agent_id: s.agent_id,
            agent_name: s.agent_name,
        }
    }
}

#[async_trait]
pub trait ReportRepo: Send + Sync {
    /// Every queue's sums per interval, by interval then queue.
    async fn queue_sums(&self, query: &ReportQuery) -> Result<Vec<QueueSums>, RepoError>;
    /// Every agent's sums per interval (calls they answered), by interval
    /// then agent.
    async fn agent_sums(&self, query: &ReportQuery) -> Result<Vec<AgentSums>, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_row_works_out_its_rates_from_the_sums() {
        let row = QueueRow::from(QueueSums {
            queue: "sales".into(),
            start: 1_772_359_200,
            calls: 8,
            answered: 6,
            answered_in_time: 4,
            answer_wait_s: 90,
            max_wait_s: 61,
            talk_s: 600,
        });
        assert_eq!(row.start.to_rfc3339(), "2026-03-01T10:00:00+00:00");
        assert_eq!(row.abandoned, 2);
        assert_eq!(row.service_level_pct, Some(50.0));
        assert_eq!(row.abandon_rate_pct, Some(25.0));
        assert_eq!(row.average_answer_s, Some(15.0));
        assert_eq!(row.average_talk_s, Some(100.0));
    }

    #[test]
    fn an_interval_with_no_answers_has_no_averages() {
        let row = QueueRow::from(QueueSums {
            calls: 2,
            ..QueueSums::default()
        });
        assert_eq!((row.average_answer_s, row.average_talk_s), (None, None));
        assert_eq!(row.abandon_rate_pct, Some(100.0));
    }

    #[test]
    fn intervals_are_named_as_the_api_takes_them() {
        assert_eq!("15m".parse::<Interval>().unwrap().seconds(), 900);
        assert_eq!("day".parse::<Interval>().unwrap().seconds(), 86_400);
        assert!("week".parse::<Interval>().is_err());
    }
}
