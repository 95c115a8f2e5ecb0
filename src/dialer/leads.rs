//! Which number a campaign calls next, and when it may call one again.
//!
//! A lead is called only inside its calling window in the client's own time
//! zone, never while the same number is being called (lists have
//! duplicates), never when the number is on a do-not-call list at the
//! moment of dialling (lists change while a campaign runs), and at most a
//! set number of times. How an attempt ended decides when the next one may
//! be: a busy line soon, no answer later, an answering machine later still.
//! A callback someone scheduled comes before everything else at its time,
//! for the agent it was promised to. Times are given by the driver: the
//! core reads no clock.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LeadId(pub i64);

/// A number a campaign is to call.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub id: LeadId,
    /// E.164.
    pub number: String,
    /// Higher is called first.
    pub priority: i32,
    /// The client's time zone: the calling window is in its time.
    pub zone: Tz,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// A person answered and was put through: the lead is done (the agent's
    /// result says how it went).
    Answered,
    Busy,
    NoAnswer,
    /// Refused by the network or the number does not exist.
    Failed,
    /// An answering machine (detected, or the agent said so).
    Voicemail,
    /// A person answered and no agent was free in time: the call was
    /// abandoned, and the number may be tried again later.
    Abandoned,
}

/// A campaign's dialling rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// When calls may be made, in the client's local time: from the first
    /// to before the second.
    pub window: (NaiveTime, NaiveTime),
    /// Attempts per lead (scheduled callbacks are not counted against it:
    /// the client asked for them).
    pub max_attempts: u32,
    /// The wait before trying again after each outcome; `None` does not try
    /// again.
    pub after_busy: Option<Duration>,
    pub after_no_answer: Option<Duration>,
    pub after_failed: Option<Duration>,
    pub after_voicemail: Option<Duration>,
    pub after_abandoned: Option<Duration>,
}

impl Default for Rules {
    fn default() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        Rules {
            window: (at(8), at(21)),
            max_attempts: 5,
            after_busy: Some(Duration::minutes(10)),
            after_no_answer: Some(Duration::hours(2)),
            after_failed: Some(Duration::minutes(30)),
            after_voicemail: Some(Duration::hours(4)),
            after_abandoned: Some(Duration::days(1)),
        }
    }
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Answered => "answered",
            AttemptOutcome::Busy => "busy",
            AttemptOutcome::NoAnswer => "no_answer",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Voicemail => "voicemail",
            AttemptOutcome::Abandoned => "abandoned",
        }
    }
}

impl Closed {
    /// As stored and shown: `answered`, `attempts`, `dnc`, or the outcome
    /// not tried again.
    pub fn as_str(self) -> &'static str {
        match self {
            Closed::Answered => "answered",
            Closed::Attempts => "attempts",
            Closed::DoNotCall => "dnc",
            Closed::NotRetried(outcome) => outcome.as_str(),
        }
    }
}

impl Rules {
    fn wait_after(&self, outcome: AttemptOutcome) -> Option<Duration> {
        match outcome {
            AttemptOutcome::Answered => None,
            AttemptOutcome::Busy => self.after_busy,
            AttemptOutcome::NoAnswer => self.after_no_answer,
            AttemptOutcome::Failed => self.after_failed,
            AttemptOutcome::Voicemail => self.after_voicemail,
            AttemptOutcome::Abandoned => self.after_abandoned,
        }
    }

    /// Where a lead goes after its `attempts`-th attempt ended with
    /// `outcome` at `now`: closed, or waiting for its next try.
    pub fn after(&self, outcome: AttemptOutcome, attempts: u32, now: DateTime<Utc>) -> LeadState {
        match (outcome, self.wait_after(outcome)) {
            (AttemptOutcome::Answered, _) => LeadState::Closed(Closed::Answered),
            (_, None) => LeadState::Closed(Closed::NotRetried(outcome)),
            _ if attempts >= self.max_attempts => LeadState::Closed(Closed::Attempts),
            (_, Some(wait)) => LeadState::Waiting(now + wait),
        }
    }

    /// The rules a campaign's settings give.
    pub fn of_campaign(settings: &crate::crm::campaigns::CampaignSettings) -> Rules {
        let time = |text: &str, default: NaiveTime| {
            NaiveTime::parse_from_str(text, "%H:%M").unwrap_or(default)
        };
        let defaults = Rules::default();
        let minutes = |m: Option<u32>| m.map(|m| Duration::minutes(i64::from(m)));
        let retry = &settings.retry_minutes;
        Rules {
            window: (
                time(&settings.calling_from, defaults.window.0),
                time(&settings.calling_until, defaults.window.1),
            ),
            max_attempts: settings.max_attempts,
            after_busy: minutes(retry.busy),
            after_no_answer: minutes(retry.no_answer),
            after_failed: minutes(retry.failed),
            after_voicemail: minutes(retry.voicemail),
            after_abandoned: minutes(retry.abandoned),
        }
    }

    /// The first moment at or after `now` inside the window in `zone`.
    pub fn open_at(&self, now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        let (start, end) = self.window;
        if start >= end {
            return now; // no window set: always open
        }
        let local = now.with_timezone(&zone);
        let day = local.date_naive();
        let opening = if local.time() < start {
            day.and_time(start)
        } else if local.time() >= end {
            match day.succ_opt() {
                Some(next) => next.and_time(start),
                None => return now,
            }
        } else {
            return now;
        };
        // A window opening in a clock change's gap opens when the clock
        // comes back.
        zone.from_local_datetime(&opening)
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(opening + Duration::hours(1)))
                    .earliest()
            })
            .map_or(now, |at| at.with_timezone(&Utc))
    }
}

/// Why a lead is no longer called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Answered,
    /// It had every attempt the rules allow.
    Attempts,
    /// On a do-not-call list when it was about to be dialled.
    DoNotCall,
    /// Its last outcome is not tried again.
    NotRetried(AttemptOutcome),
}

/// Where a lead is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadState {
    /// To be called at or after this time.
    Waiting(DateTime<Utc>),
    Dialling,
    Closed(Closed),
}

/// A scheduled callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Callback {
    pub at: DateTime<Utc>,
    /// The agent it was promised to; anyone when `None`.
    pub agent: Option<UserId>,
}

/// The next call to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub lead: Lead,
    /// This attempt's number, from 1 (callbacks included).
    pub attempt: u32,
    /// A callback promised to this agent: only they take it.
    pub for_agent: Option<UserId>,
}

struct Entry {
    lead: Lead,
    attempts: u32,
    state: LeadState,
    callback: Option<Callback>,
}

/// The order leads due now are called in: callbacks first, then by
/// priority, then the longest due.
type DueKey = (bool, Reverse<i32>, DateTime<Utc>, LeadId);

/// A campaign's leads.
pub struct Leads {
    rules: Rules,
    entries: HashMap<LeadId, Entry>,
    /// Leads waiting, by when they are due.
    later: BTreeSet<(DateTime<Utc>, LeadId)>,
    due: BTreeSet<DueKey>,
    /// Numbers being called now.
    dialling: HashSet<String>,
}

/// How long a lead whose number is being called already waits.
const SAME_NUMBER_WAIT: Duration = Duration::minutes(1);

impl Leads {
    pub fn new(rules: Rules) -> Self {
        Leads {
            rules,
            entries: HashMap::new(),
            later: BTreeSet::new(),
            due: BTreeSet::new(),
            dialling: HashSet::new(),
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Adds a lead, due at once; a lead already known is left as it is.
    pub fn add(&mut self, lead: Lead, now: DateTime<Utc>) {
        self.add_with(lead, now, 0);
    }

    /// Adds a lead that had `attempts` already (a campaign resumed).
    pub fn add_with(&mut self, lead: Lead, due: DateTime<Utc>, attempts: u32) {
        if self.entries.contains_key(&lead.id) {
            return;
        }
        let id = lead.id;
        self.entries.insert(
            id,
            Entry {
                lead,
                attempts,
                state: LeadState::Waiting(due),
                callback: None,
            },
        );
        self.later.insert((due, id));
    }

    pub fn state(&self, id: LeadId) -> Option<LeadState> {
        self.entries.get(&id).map(|e| e.state)
    }

    /// Leads waiting, being dialled, and closed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for entry in self.entries.values() {
            match entry.state {
                LeadState::Waiting(_) => counts.0 += 1,
                LeadState::Dialling => counts.1 += 1,
                LeadState::Closed(_) => counts.2 += 1,
            }
        }
        counts
    }

    /// When the next waiting lead is due, for the driver's timer.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let due_now = self.due.iter().map(|k| k.2).min();
        let later = self.later.first().map(|(at, _)| *at);
        due_now.into_iter().chain(later).min()
    }

    /// The lead to call now, if any may be: `do_not_call` is asked at this
    /// moment, and a listed number's lead is closed.
    pub fn next(&mut self, now: DateTime<Utc>, do_not_call: impl Fn(&str) -> bool) -> Option<Pick> {
        while let Some(&(at, id)) = self.later.first() {
            if at > now {
                break;
            }
            self.later.remove(&(at, id));
            if let Some(entry) = self.entries.get(&id) {
                self.due.insert(due_key(entry, at));
            }
        }
        while let Some(key) = self.due.pop_first() {
            let id = key.3;
            let Some(entry) = self.entries.get_mut(&id) else {
                continue;
            };
            if self.dialling.contains(&entry.lead.number) {
                let at = now + SAME_NUMBER_WAIT;
                entry.state = LeadState::Waiting(at);
                self.later.insert((at, id));
                continue;
            }
            if do_not_call(&entry.lead.number) {
                entry.state = LeadState::Closed(Closed::DoNotCall);
                continue;
            }
            let open = self.rules.open_at(now, entry.lead.zone);
            if open > now {
                entry.state = LeadState::Waiting(open);
                self.later.insert((open, id));
                continue;
            }
            entry.attempts += 1;
            entry.state = LeadState::Dialling;
            self.dialling.insert(entry.lead.number.clone());
            let for_agent = entry.callback.take().and_then(|c| c.agent);
            return Some(Pick {
                lead: entry.lead.clone(),
                attempt: entry.attempts,
                for_agent,
            });
        }
        None
    }

    /// How the attempt at lead `id` ended: it is closed or waits for its
    /// next try.
    pub fn ended(&mut self, now: DateTime<Utc>, id: LeadId, outcome: AttemptOutcome) {
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        if entry.state != LeadState::Dialling {
            return;
        }
        self.dialling.remove(&entry.lead.number);
        if let Some(callback) = entry.callback {
            // A callback scheduled during the call (the agent's wrap-up).
            entry.state = LeadState::Waiting(callback.at);
            self.later.insert((callback.at, id));
            return;
        }
        entry.state = self.rules.after(outcome, entry.attempts, now);
        if let LeadState::Waiting(at) = entry.state {
            self.later.insert((at, id));
        }
    }

    /// Schedules a callback of lead `id` at `callback.at`, for an agent or
    /// anyone. It opens a closed lead again (the client asked to be
    /// called), except one on a do-not-call list.
    pub fn schedule(&mut self, id: LeadId, callback: Callback) -> bool {
        let Some(entry) = self.entries.get_mut(&id) else {
            return false;
        };
        match entry.state {
            LeadState::Closed(Closed::DoNotCall) => return false,
            LeadState::Dialling => {
                // Takes effect when the call ends.
                entry.callback = Some(callback);
                return true;
            }
            LeadState::Waiting(at) => {
                self.later.remove(&(at, id));
                self.due.retain(|k| k.3 != id);
            }
            LeadState::Closed(_) => {}
        }
        entry.callback = Some(callback);
        entry.state = LeadState::Waiting(callback.at);
        self.later.insert((callback.at, id));
        true
    }
}

fn due_key(entry: &Entry, at: DateTime<Utc>) -> DueKey {
    (
        entry.callback.is_none(),
        Reverse(entry.lead.priority),
        at,
        entry.lead.id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn lead(id: i64, number: &str, priority: i32, zone: Tz) -> Lead {
        Lead {
            id: LeadId(id),
            number: number.into(),
            priority,
            zone,
        }
    }

    const NOBODY: fn(&str) -> bool = |_| false;

    #[test]
    fn higher_priority_first_and_a_callback_before_all() {
        let now = utc("2026-03-02T12:00:00Z");
        let mut leads = Leads::new(Rules::default());
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        leads.add(lead(2, "+4930222", 5, Tz::Europe__Berlin), now);
        leads.add(lead(3, "+4930333", 0, Tz::Europe__Berlin), now);
        assert!(leads.schedule(
            LeadId(3),
            Callback {
                at: now,
                agent: Some(UserId(7))
            }
        ));
        let order: Vec<_> = (0..3)
            .map(|_| leads.next(now, NOBODY).unwrap())
            .map(|p| (p.lead.id.0, p.for_agent))
            .collect();
        assert_eq!(order, [(3, Some(UserId(7))), (2, None), (1, None)]);
        assert!(leads.next(now, NOBODY).is_none());
    }

    #[test]
    fn a_lead_is_called_only_in_its_own_calling_window() {
        // 12:30 UTC in March: 07:30 in New York (before 08:00), 13:30 in Berlin.
        let now = utc("2026-03-02T12:30:00Z");
        let mut leads = Leads::new(Rules::default());
        leads.add(lead(1, "+12125550100", 9, Tz::America__New_York), now);
        leads.add(lead(2, "+4930111", 0, Tz::Europe__Berlin), now);
        assert_eq!(leads.next(now, NOBODY).unwrap().lead.id, LeadId(2));
        assert!(leads.next(now, NOBODY).is_none());
        let opens = utc("2026-03-02T13:00:00Z"); // 08:00 EST
        assert_eq!(leads.state(LeadId(1)), Some(LeadState::Waiting(opens)));
        assert_eq!(leads.next_due(), Some(opens));
        assert_eq!(leads.next(opens, NOBODY).unwrap().lead.id, LeadId(1));
    }

    #[test]
    fn after_nine_in_the_evening_it_waits_for_the_next_morning() {
        let rules = Rules::default();
        // 21:00 in Berlin (CET, UTC+1) is 20:00 UTC.
        let late = utc("2026-01-15T20:00:00Z");
        assert_eq!(
            rules.open_at(late, Tz::Europe__Berlin),
            utc("2026-01-16T07:00:00Z")
        );
        // Summer time: 08:00 CEST is 06:00 UTC.
        assert_eq!(
            rules.open_at(utc("2026-07-01T05:00:00Z"), Tz::Europe__Berlin),
            utc("2026-07-01T06:00:00Z")
        );
    }

    #[test]
    fn each_outcome_waits_its_own_time_and_the_attempts_run_out() {
        let now = utc("2026-03-02T12:00:00Z");
        let rules = Rules {
            max_attempts: 3,
            ..Rules::default()
        };
        let mut leads = Leads::new(rules);
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        let pick = leads.next(now, NOBODY).unwrap();
        assert_eq!(pick.attempt, 1);
        leads.ended(now, LeadId(1), AttemptOutcome::Busy);
        let busy_retry = now + Duration::minutes(10);
        assert_eq!(leads.state(LeadId(1)), Some(LeadState::Waiting(busy_retry)));
        assert!(leads.next(now + Duration::minutes(9), NOBODY).is_none());
        assert_eq!(leads.next(busy_retry, NOBODY).unwrap().attempt, 2);
        leads.ended(busy_retry, LeadId(1), AttemptOutcome::NoAnswer);
        let later = busy_retry + Duration::hours(2);
        assert_eq!(leads.state(LeadId(1)), Some(LeadState::Waiting(later)));
        assert_eq!(leads.next(later, NOBODY).unwrap().attempt, 3);
        leads.ended(later, LeadId(1), AttemptOutcome::Voicemail);
        assert_eq!(
            leads.state(LeadId(1)),
            Some(LeadState::Closed(Closed::Attempts))
        );
    }

    #[test]
    fn an_answered_lead_is_done_and_a_refused_outcome_is_not_retried() {
        let now = utc("2026-03-02T12:00:00Z");
        let rules = Rules {
            after_failed: None,
            ..Rules::default()
        };
        let mut leads = Leads::new(rules);
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        leads.add(lead(2, "+4930222", 0, Tz::Europe__Berlin), now);
        leads.next(now, NOBODY).unwrap();
        leads.next(now, NOBODY).unwrap();
        leads.ended(now, LeadId(1), AttemptOutcome::Answered);
        leads.ended(now, LeadId(2), AttemptOutcome::Failed);
        assert_eq!(
            leads.state(LeadId(1)),
            Some(LeadState::Closed(Closed::Answered))
        );
        assert_eq!(
            leads.state(LeadId(2)),
            Some(LeadState::Closed(Closed::NotRetried(
                AttemptOutcome::Failed
            )))
        );
        assert_eq!(leads.counts(), (0, 0, 2));
    }

    #[test]
    fn do_not_call_is_asked_when_dialling_not_when_loading() {
        let now = utc("2026-03-02T12:00:00Z");
        let mut leads = Leads::new(Rules::default());
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        // Listed after the campaign loaded it.
        assert!(leads.next(now, |n| n == "+4930111").is_none());
        assert_eq!(
            leads.state(LeadId(1)),
            Some(LeadState::Closed(Closed::DoNotCall))
        );
        let asked = Callback {
            at: now,
            agent: None,
        };
        assert!(!leads.schedule(LeadId(1), asked), "not even a callback");
    }

    #[test]
    fn the_same_number_is_never_dialled_twice_at_once() {
        let now = utc("2026-03-02T12:00:00Z");
        let mut leads = Leads::new(Rules::default());
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        leads.add(lead(2, "+4930111", 0, Tz::Europe__Berlin), now);
        assert_eq!(leads.next(now, NOBODY).unwrap().lead.id, LeadId(1));
        assert!(leads.next(now, NOBODY).is_none(), "its twin waits");
        leads.ended(now, LeadId(1), AttemptOutcome::NoAnswer);
        let minute = now + Duration::minutes(1);
        assert_eq!(leads.next(minute, NOBODY).unwrap().lead.id, LeadId(2));
    }

    #[test]
    fn a_callback_set_during_the_call_follows_it() {
        let now = utc("2026-03-02T12:00:00Z");
        let mut leads = Leads::new(Rules::default());
        leads.add(lead(1, "+4930111", 0, Tz::Europe__Berlin), now);
        leads.next(now, NOBODY).unwrap();
        let tomorrow = now + Duration::days(1);
        let promised = Callback {
            at: tomorrow,
            agent: Some(UserId(3)),
        };
        assert!(leads.schedule(LeadId(1), promised));
        leads.ended(now, LeadId(1), AttemptOutcome::Answered);
        assert_eq!(leads.state(LeadId(1)), Some(LeadState::Waiting(tomorrow)));
        let pick = leads.next(tomorrow, NOBODY).unwrap();
        assert_eq!((pick.attempt, pick.for_agent), (2, Some(UserId(3))));
    }
}
