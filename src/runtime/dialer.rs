//! The campaigns' dialler: the task that runs progressive and predictive
//! campaigns. Twice a second it asks the engine for each running
//! campaign's floor, lets the campaign's [`Pacer`] say how many calls to
//! place, takes that many leads (the same picking as preview: calling
//! window, do-not-call, attempts, one call per number) and has the engine
//! place them. It stores how each call went and moves its lead on (retry
//! rules), gives a connected lead to its agent, and keeps the abandon
//! counts the pacing is held to. Which campaigns run is read from the
//! database every few seconds, so a start or pause from any API node
//! takes effect here.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::calls::Outcome;
use crate::crm::RepoError;
use crate::crm::campaigns::{AttemptRecord, Campaign, DialMode, LeadNext, cost_of};
use crate::crm::repo::Repository;
use crate::dialer::abandon::{AbandonLedger, DayCount, ROLLING_DAYS};
use crate::dialer::campaign::{Attempt, Pacer};
use crate::dialer::leads::{AttemptOutcome, LeadState, Rules};
use crate::dialer::pacing::{Limits, Mode};
use crate::runtime::clock;
use crate::runtime::sip::campaigns::{Attempted, Dial, DialerCommand, DialerEvent};

/// How often pacing looks at the floor.
const TICK: Duration = Duration::from_millis(500);
/// How often the running campaigns are read again.
const REFRESH: Duration = Duration::from_secs(3);
/// The most calls one campaign places in one look, so that a burst of
/// free agents does not flood the trunk in one instant.
const MOST_PER_TICK: u32 = 10;
/// A lead whose call could not be placed waits this long.
const NOT_PLACED_WAIT: Duration = Duration::from_secs(300);
/// Writes kept while the database is away; past this many the oldest go
/// (a day of a large campaign's calls: an outage that long is noticed).
const MOST_OWED: usize = 100_000;

/// A write the dialler owes the database. The attempts are the abandon
/// accounting the law holds a campaign to, and an unmoved lead stays
/// `dialling` for ever: a database that is away for a while (a restart, a
/// failover) must lose neither, so they wait here, in order, and are
/// written when it is back.
#[derive(Debug)]
enum Owed {
    Attempt(AttemptRecord),
    /// An ended call no agent took: its lead moves on by the rules (read
    /// when written, with the lead's attempts as stored then).
    MoveOn {
        campaign: i64,
        lead: i64,
        outcome: AttemptOutcome,
    },
    /// A call that could not be placed: its lead waits, the try uncounted.
    PutBack {
        lead: i64,
        at: DateTime<Utc>,
    },
    /// A connected call's lead is its agent's.
    Assign {
        lead: i64,
        agent: crate::ids::UserId,
    },
}

struct Running {
    campaign: Campaign,
    pacer: Pacer,
    /// Seconds its calls were billed for, all days: read at each refresh,
    /// added to as calls end so that the budget stops it at once.
    billed_seconds: i64,
}

impl Running {
    /// Its calls have cost its budget: it places no more.
    fn spent(&self) -> bool {
        let settings = &self.campaign.settings;
        settings
            .budget
            .is_some_and(|budget| cost_of(self.billed_seconds, settings.cost_per_minute) >= budget)
    }

    fn bill(&mut self, seconds: i64) {
        let was = self.spent();
        self.billed_seconds = seconds;
        if self.spent() && !was {
            tracing::info!(campaign = self.campaign.id, budget = ?self.campaign.settings.budget, "dialler.budget_spent");
        }
    }
}

pub struct Dialer {
    /// Each running campaign's lines, for the marketers' figures.
    dialling: crate::runtime::sip::status::DiallingNow,
    repo: Arc<dyn Repository>,
    engine: mpsc::UnboundedSender<DialerCommand>,
    running: HashMap<i64, Running>,
    /// Rules of campaigns whose calls may still end after a stop.
    rules: HashMap<i64, Rules>,
    /// Writes waiting for the database, oldest first.
    owed: VecDeque<Owed>,
}

impl Dialer {
    pub fn new(
        repo: Arc<dyn Repository>,
        engine: mpsc::UnboundedSender<DialerCommand>,
        dialling: crate::runtime::sip::status::DiallingNow,
    ) -> Self {
        Dialer {
            dialling,
            repo,
            engine,
            running: HashMap::new(),
            rules: HashMap::new(),
            owed: VecDeque::new(),
        }
    }

    /// Runs until the engine is gone.
    pub async fn run(mut self, mut events: mpsc::UnboundedReceiver<DialerEvent>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut refreshed: Option<tokio::time::Instant> = None;
        loop {
            // Calls that ended are seen to before new ones are placed: their
            // attempts count for the pacing, and are stored (or owed) even
            // while each look at the floor waits on a slow database.
            tokio::select! {
                biased;
                event = events.recv() => match event {
                    Some(event) => self.on_event(event).await,
                    None => return,
                },
                _ = tick.tick() => {
                    self.pay().await;
                    if refreshed.is_none_or(|at| at.elapsed() >= REFRESH) {
                        self.refresh().await;
                        self.check_budgets().await;
                        refreshed = Some(tokio::time::Instant::now());
                    }
                    if !self.pace().await {
                        return;
                    }
                }
            }
        }
    }

    /// Reads which campaigns run; tells the engine of those that started,
    /// changed or stopped.
    async fn refresh(&mut self) {
        let campaigns = match self.repo.running_campaigns().await {
            Ok(campaigns) => campaigns,
            Err(error) => {
                tracing::warn!(%error, "the dialler cannot read the running campaigns; it keeps the last ones");
                return;
            }
        };
        let ids: BTreeSet<i64> = campaigns.iter().map(|c| c.id).collect();
        let gone: Vec<i64> = (self.running.keys())
            .filter(|id| !ids.contains(id))
            .copied()
            .collect();
        for id in gone {
            self.running.remove(&id);
            self.lines(id, None);
            tracing::info!(campaign = id, "dialler.leave");
            let _ = self.engine.send(DialerCommand::Leave { campaign: id });
        }
        for campaign in campaigns {
            let changed = self
                .running
                .get(&campaign.id)
                .is_none_or(|r| r.campaign.updated_at != campaign.updated_at);
            if !changed {
                continue;
            }
            let settings = &campaign.settings;
            self.rules.insert(campaign.id, Rules::of_campaign(settings));
            let _ = self.engine.send(DialerCommand::Run {
                campaign: campaign.id,
                agents: settings.agents.iter().copied().collect(),
                wrap_up: Duration::from_secs(settings.wrap_up_seconds.into()),
                grace: Limits::default().grace,
                results: settings.results.clone(),
            });
            let limits = Limits {
                abandon_rate: settings.abandon_limit_pct / 100.0,
                max_lines_per_agent: settings.max_lines_per_agent,
                ..Limits::default()
            };
            let mode = match settings.mode {
                DialMode::Preview => Mode::Preview,
                DialMode::Progressive => Mode::Progressive,
                DialMode::Predictive => Mode::Predictive,
            };
            match self.running.get_mut(&campaign.id) {
                // New settings: what was seen of the calls stays.
                Some(running) => {
                    running.pacer.mode = mode;
                    running.pacer.limits = limits;
                    running.campaign = campaign;
                }
                None => {
                    let ledger = self.ledger(campaign.id).await;
                    tracing::info!(campaign = campaign.id, ?mode, "dialler.run");
                    let pacer = Pacer::new(mode, limits, ledger);
                    self.running.insert(
                        campaign.id,
                        Running {
                            campaign,
                            pacer,
                            billed_seconds: 0,
                        },
                    );
                }
            }
        }
    }

    /// Reads what the running campaigns with a budget have spent.
    async fn check_budgets(&mut self) {
        for running in self.running.values_mut() {
            if running.campaign.settings.budget.is_none() {
                continue;
            }
            let id = running.campaign.id;
            match self.repo.billed_seconds(id).await {
                Ok(seconds) => running.bill(seconds),
                Err(error) => {
                    tracing::warn!(campaign = id, %error, "the dialler cannot read a campaign's costs")
                }
            }
        }
    }

    /// The campaign's abandon counts of the rolling period.
    async fn ledger(&self, campaign: i64) -> AbandonLedger {
        let since = clock::now() - chrono::Duration::days(ROLLING_DAYS);
        match self.repo.abandon_days(campaign, since).await {
            Ok(days) => {
                AbandonLedger::from_days(days.into_iter().map(|(date, answered, abandoned)| {
                    let day = date
                        .signed_duration_since(chrono::NaiveDate::default())
                        .num_days();
                    let count = DayCount {
                        answered: answered.into(),
                        abandoned: abandoned.into(),
                    };
                    (day, count)
                }))
            }
            Err(error) => {
                // Without its history a campaign could break the limit:
                // it starts as if it had reached it (no dialling ahead).
                tracing::warn!(campaign, %error, "no abandon history: dialling progressively");
                AbandonLedger::from_days([(
                    day_of(clock::now()),
                    DayCount {
                        answered: 1,
                        abandoned: 1,
                    },
                )])
            }
        }
    }

    /// Places the calls each running campaign's pacing asks for; `false`
    /// when the engine is gone.
    async fn pace(&mut self) -> bool {
        let ids: Vec<i64> = self.running.keys().copied().collect();
        for id in ids {
            let Some(running) = self.running.get(&id) else {
                continue;
            };
            if running.pacer.mode == Mode::Preview || running.spent() {
                continue;
            }
            let Some(trunk) = running.campaign.settings.trunk.clone() else {
                continue;
            };
            let (reply, floor) = oneshot::channel();
            if self
                .engine
                .send(DialerCommand::Floor {
                    campaign: id,
                    reply,
                })
                .is_err()
            {
                return false;
            }
            let Ok(floor) = floor.await else {
                return false;
            };
            let now = clock::now();
            let wanted = running
                .pacer
                .calls_to_place(&floor, day_of(now))
                .min(MOST_PER_TICK);
            let mut placed = 0;
            for _ in 0..wanted {
                let lead = crate::crm::campaign_leads::next_lead(
                    self.repo.as_ref(),
                    &running.campaign,
                    None,
                    now,
                )
                .await;
                let lead = match lead {
                    Ok(Some(lead)) => lead,
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!(campaign = id, %error, "the dialler cannot take a lead");
                        break;
                    }
                };
                tracing::debug!(campaign = id, lead = lead.id, "dialler.dial");
                let dial = Dial {
                    campaign: id,
                    lead: lead.id,
                    number: lead.number,
                    trunk: trunk.clone(),
                    caller_id: running.campaign.settings.caller_id.clone(),
                    ring_timeout: Duration::from_secs(
                        running.campaign.settings.ring_seconds.into(),
                    ),
                    detect_machines: running.campaign.settings.detect_machines,
                };
                if self.engine.send(DialerCommand::Dial(dial)).is_err() {
                    return false;
                }
                placed += 1;
            }
            self.lines(
                id,
                Some((
                    floor.ringing.len() as u32 + placed,
                    floor.lines() as u32 + placed,
                )),
            );
        }
        true
    }

    /// Publishes a campaign's `(ringing, lines)` now; `None` when it stopped.
    fn lines(&self, campaign: i64, now: Option<(u32, u32)>) {
        let mut board = self.dialling.lock().unwrap_or_else(|e| e.into_inner());
        match now {
            None => {
                board.remove(&campaign);
            }
            Some((ringing, lines)) => {
                let entry = board.entry(campaign).or_default();
                entry.ringing = ringing;
                entry.lines = lines;
                entry.peak_lines = entry.peak_lines.max(lines);
            }
        }
    }

    async fn on_event(&mut self, event: DialerEvent) {
        match event {
            // The engine has said why.
            DialerEvent::NotPlaced { lead, reason: _ } => {
                let at = clock::now() + NOT_PLACED_WAIT;
                self.owe(Owed::PutBack { lead, at }).await;
            }
            DialerEvent::Connected { lead, agent } => self.owe(Owed::Assign { lead, agent }).await,
            DialerEvent::Ended(attempted) => self.ended(attempted).await,
        }
    }

    /// A placed call is over: pacing learns from it, the attempt is
    /// stored, and a lead no agent took moves on by the retry rules.
    async fn ended(&mut self, a: Attempted) {
        let outcome = outcome_of(&a);
        let day = day_of(a.dialled_at);
        if let Some(running) = self.running.get_mut(&a.campaign) {
            let wrap_up = Duration::from_secs(running.campaign.settings.wrap_up_seconds.into());
            let handled = a
                .connected_at
                .map(|at| (a.ended_at - at).to_std().unwrap_or_default() + wrap_up);
            running.pacer.ended(
                Attempt {
                    rang: a.rang,
                    // A machine counts as a call no person answered.
                    picked_up: a.picked_up_at.is_some() && !a.machine,
                    abandoned: a.abandoned,
                    handled,
                },
                day,
            );
        }
        tracing::info!(
            campaign = a.campaign,
            lead = a.lead,
            outcome = outcome.as_str(),
            abandoned = a.abandoned,
            "dialler.attempt"
        );
        let record = AttemptRecord {
            campaign_id: a.campaign,
            lead_id: Some(a.lead),
            number: a.number.clone(),
            dialled_at: a.dialled_at,
            answered_at: a.picked_up_at.filter(|_| !a.machine),
            connected_at: a.connected_at,
            ended_at: a.ended_at,
            agent_id: a.agent,
            outcome,
            sip_code: a.sip_code,
            billed_seconds: a.picked_up_at.map_or(0, |at| billed(a.ended_at - at)),
        };
        if let Some(running) = self.running.get_mut(&a.campaign) {
            running.bill(running.billed_seconds + record.billed_seconds);
        }
        self.owe(Owed::Attempt(record)).await;
        // A connected call's agent records how it went.
        if a.connected_at.is_none() {
            let (campaign, lead) = (a.campaign, a.lead);
            self.owe(Owed::MoveOn {
                campaign,
                lead,
                outcome,
            })
            .await;
        }
    }

    /// Writes `owed` now, or keeps it for when the database is back (behind
    /// what is owed already, so that writes keep their order).
    async fn owe(&mut self, owed: Owed) {
        if self.owed.is_empty() && self.write(&owed).await {
            return;
        }
        if self.owed.len() >= MOST_OWED {
            let dropped = self.owed.pop_front();
            tracing::error!(
                ?dropped,
                "dialler.owed_full: the database has been away too long; a write is lost"
            );
        }
        self.owed.push_back(owed);
    }

    /// Writes what is owed, oldest first, until the database fails again.
    async fn pay(&mut self) {
        while let Some(owed) = self.owed.front() {
            if !self.write(owed).await {
                return;
            }
            self.owed.pop_front();
        }
    }

    /// Whether `owed` is done with: written, or refused for good (the lead
    /// is gone or moved on already); `false` when the database is away.
    async fn write(&self, owed: &Owed) -> bool {
        let done = match owed {
            Owed::Attempt(record) => self.repo.record_attempt(record).await.map(drop),
            Owed::MoveOn {
                campaign,
                lead,
                outcome,
            } => self.move_on(*campaign, *lead, *outcome).await,
            Owed::PutBack { lead, at } => {
                let next = LeadNext::Waiting {
                    at: *at,
                    uncount: true,
                };
                self.repo.end_dialled_lead(*lead, "failed", next).await
            }
            Owed::Assign { lead, agent } => self.repo.assign_lead(*lead, *agent).await.map(drop),
        };
        match done {
            Ok(()) => true,
            Err(RepoError::Backend(error)) => {
                tracing::warn!(?owed, %error, "dialler.write_failed: kept until the database is back");
                false
            }
            Err(error) => {
                tracing::warn!(?owed, %error, "dialler.write_refused");
                true
            }
        }
    }

    /// Moves an ended call's lead on by its campaign's retry rules.
    async fn move_on(
        &self,
        campaign: i64,
        lead: i64,
        outcome: AttemptOutcome,
    ) -> Result<(), RepoError> {
        let Some(stored) = self.repo.campaign_lead(lead).await? else {
            return Ok(()); // the lead (or its campaign) is gone
        };
        let rules = self.rules.get(&campaign).cloned().unwrap_or_default();
        let attempts = u32::try_from(stored.attempts).unwrap_or(0);
        let closed;
        let next = match rules.after(outcome, attempts, clock::now()) {
            LeadState::Closed(how) => {
                closed = how.as_str();
                LeadNext::Closed(closed)
            }
            LeadState::Waiting(at) => LeadNext::Waiting { at, uncount: false },
            LeadState::Dialling => LeadNext::Waiting {
                at: clock::now(),
                uncount: false,
            },
        };
        self.repo
            .end_dialled_lead(lead, outcome.as_str(), next)
            .await
    }
}

/// How an attempt counts for its lead.
fn outcome_of(a: &Attempted) -> AttemptOutcome {
    if a.connected_at.is_some() {
        return AttemptOutcome::Answered;
    }
    if a.machine {
        return AttemptOutcome::Voicemail;
    }
    if a.abandoned {
        return AttemptOutcome::Abandoned;
    }
    match a.outcome {
        Outcome::Busy => AttemptOutcome::Busy,
        Outcome::NoAnswer | Outcome::Cancelled => AttemptOutcome::NoAnswer,
        Outcome::Answered => AttemptOutcome::Abandoned,
        Outcome::Rejected | Outcome::Failed | Outcome::Unavailable => AttemptOutcome::Failed,
    }
}

/// Days since the Unix epoch, UTC: the abandon ledger's days.
fn day_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// What a carrier bills for a call that lasted `talked`: every second
/// begun (a call of 0.4 s is billed a second, one of 61.2 s 62).
fn billed(talked: chrono::Duration) -> i64 {
    let ms = talked.num_milliseconds().max(0);
    (ms + 999) / 1000
}

#[cfg(test)]
mod tests {
    use super::billed;

    #[test]
    fn every_second_begun_is_billed() {
        let ms = chrono::Duration::milliseconds;
        assert_eq!(billed(ms(0)), 0);
        assert_eq!(billed(ms(400)), 1);
        assert_eq!(billed(ms(1000)), 1);
        assert_eq!(billed(ms(61_200)), 62);
        assert_eq!(billed(ms(-5)), 0, "clocks that stepped back bill nothing");
    }
}
