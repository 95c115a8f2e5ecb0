//! Outbound campaigns as marketers set them up: how they dial, through
//! which trunk and as which number, when and how often each lead is called
//! (in the client's local time), the abandoned-call limit, and the results
//! agents pick from. Checked here, so every complaint names its field.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::access::ClientScope;
use super::clients::ClientFilter;
use super::page::{Page, PageRequest};
use super::{FieldErrors, RepoError};
use crate::dialer::leads::AttemptOutcome;
use crate::ids::UserId;
use crate::phone::{Phone, Region};

/// How a campaign dials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DialMode {
    /// The agent sees the card, then dials or skips.
    Preview,
    /// One call per free agent.
    Progressive,
    /// Dials ahead of the agents within the abandon limit.
    Predictive,
}

/// Minutes before a lead is tried again after each outcome; `None`: never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryMinutes {
    pub busy: Option<u32>,
    pub no_answer: Option<u32>,
    pub failed: Option<u32>,
    pub voicemail: Option<u32>,
    pub abandoned: Option<u32>,
}

impl Default for RetryMinutes {
    fn default() -> Self {
        RetryMinutes {
            busy: Some(10),
            no_answer: Some(120),
            failed: Some(30),
            voicemail: Some(240),
            abandoned: Some(24 * 60),
        }
    }
}

/// A campaign's settings as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CampaignSettings {
    pub mode: DialMode,
    /// The trunk its calls go out on (a `[[trunks]]` name).
    pub trunk: Option<String>,
    /// The number called people see, E.164.
    pub caller_id: Option<String>,
    /// The zone of numbers whose own zone is not known (IANA name).
    pub time_zone: String,
    /// The calling window in the client's local time, `HH:MM`.
    pub calling_from: String,
    pub calling_until: String,
    /// Attempts per lead, 1 to 20.
    pub max_attempts: u32,
    pub retry_minutes: RetryMinutes,
    /// Abandoned calls at most, in percent of calls a person answered, over
    /// 30 days and over a day (0 to 10).
    pub abandon_limit_pct: f64,
    /// Calls in progress per agent at most (1 to 10).
    pub max_lines_per_agent: f64,
    /// Answering machines are detected and hung up on (the attempt counts
    /// as voicemail) instead of being put through to an agent.
    #[serde(default)]
    pub detect_machines: bool,
    /// How long a call rings before the dialler gives up on it (10 to 60 s).
    #[serde(default = "default_ring_seconds")]
    pub ring_seconds: u32,
    /// The agent's time after a campaign call to record it (0 to 600 s).
    #[serde(default = "default_wrap_up_seconds")]
    pub wrap_up_seconds: u32,
    /// What a minute of an answered call costs on the trunk, billed by the
    /// second (in the campaign's currency, as text: "0.02").
    #[serde(default)]
    #[schema(value_type = String)]
    pub cost_per_minute: Decimal,
    /// The most the campaign spends on calls: the dialler places no more
    /// once its calls cost this much. `None`: no limit.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub budget: Option<Decimal>,
    /// What each result brings (its return), e.g. `{"sale": "120.00"}`;
    /// a result not named brings nothing.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub result_values: std::collections::BTreeMap<String, Decimal>,
    /// What an agent records a call as.
    pub results: Vec<String>,
    /// The agents who work it.
    #[schema(value_type = Vec<i64>)]
    pub agents: Vec<UserId>,
    /// The conversation the agent follows: steps, each with the choices
    /// that lead to the next; the first step starts.
    #[serde(default)]
    pub script: Vec<ScriptStep>,
    /// The questions the agent asks; answers are kept on the client.
    #[serde(default)]
    pub survey: Vec<SurveyQuestion>,
}

/// A step of a campaign's script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptStep {
    pub id: String,
    /// What the agent says.
    pub text: String,
    #[serde(default)]
    pub choices: Vec<ScriptChoice>,
}

/// What the client may answer at a step, and where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptChoice {
    pub label: String,
    /// The next step's id; none ends the script.
    pub next: Option<String>,
}

/// How a survey question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of the options.
    Choice,
    YesNo,
    Number,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    /// Letters, digits, `_` and `-`: the answer's name.
    pub key: String,
    pub text: String,
    pub kind: QuestionKind,
    /// The options of a `choice` question.
    #[serde(default)]
    pub options: Vec<String>,
    /// Must be answered when the client answered the call.
    #[serde(default)]
    pub required: bool,
}

impl SurveyQuestion {
    /// An answer checked against the question, as stored (text).
    pub fn check(&self, answer: &serde_json::Value) -> Result<String, String> {
        use serde_json::Value;
        match (self.kind, answer) {
            (QuestionKind::Choice, Value::String(choice)) if self.options.contains(choice) => {
                Ok(choice.clone())
            }
            (QuestionKind::Choice, _) => {
                Err(format!("must be one of: {}", self.options.join(", ")))
            }
            (QuestionKind::YesNo, Value::Bool(yes)) => Ok(if *yes { "yes" } else { "no" }.into()),
            (QuestionKind::YesNo, _) => Err("must be true or false".into()),
            (QuestionKind::Number, Value::Number(n)) => Ok(n.to_string()),
            (QuestionKind::Number, _) => Err("must be a number".into()),
            (QuestionKind::Text, Value::String(text)) if text.chars().count() <= 2000 => {
                Ok(text.trim().to_string())
            }
            (QuestionKind::Text, _) => Err("must be text of at most 2,000 characters".into()),
        }
    }
}

/// A campaign's settings as a request gives them: anything left out takes
/// its default (on create) or stays (on update).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub mode: Option<DialMode>,
    pub trunk: Option<String>,
    pub caller_id: Option<String>,
    pub time_zone: Option<String>,
    pub calling_from: Option<String>,
    pub calling_until: Option<String>,
    pub max_attempts: Option<u32>,
    pub retry_minutes: Option<RetryMinutes>,
    pub abandon_limit_pct: Option<f64>,
    pub max_lines_per_agent: Option<f64>,
    pub detect_machines: Option<bool>,
    pub ring_seconds: Option<u32>,
    pub wrap_up_seconds: Option<u32>,
    #[schema(value_type = Option<String>)]
    pub cost_per_minute: Option<Decimal>,
    /// `null` takes the limit away.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub budget: Option<Option<Decimal>>,
    #[schema(value_type = Option<Object>)]
    pub result_values: Option<std::collections::BTreeMap<String, Decimal>>,
    pub results: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<i64>>)]
    pub agents: Option<Vec<UserId>>,
    pub script: Option<Vec<ScriptStep>>,
    pub survey: Option<Vec<SurveyQuestion>>,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        CampaignSettings {
            mode: DialMode::Progressive,
            trunk: None,
            caller_id: None,
            time_zone: "UTC".into(),
            calling_from: "08:00".into(),
            calling_until: "21:00".into(),
            max_attempts: 5,
            retry_minutes: RetryMinutes::default(),
            abandon_limit_pct: 3.0,
            max_lines_per_agent: 3.0,
            detect_machines: false,
            ring_seconds: default_ring_seconds(),
            wrap_up_seconds: default_wrap_up_seconds(),
            cost_per_minute: Decimal::ZERO,
            budget: None,
            result_values: Default::default(),
            results: vec![
                "sale".into(),
                "interested".into(),
                "not interested".into(),
                "call back later".into(),
                "wrong number".into(),
            ],
            agents: Vec::new(),
            script: Vec::new(),
            survey: Vec::new(),
        }
    }
}

/// A field that may be given as `null`: `Some(None)`, where a field left
/// out is `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Decimal>>, D::Error> {
    Option::<Decimal>::deserialize(d).map(Some)
}

/// Ringing long enough for most people to reach the phone (carriers give
/// up around 30 s; Ofcom asks for at least 15).
fn default_ring_seconds() -> u32 {
    25
}

fn default_wrap_up_seconds() -> u32 {
    15
}

/// The longest name, trunk name and result.
const MAX_TEXT: usize = 100;
const MAX_RESULTS: usize = 50;

impl CampaignSettings {
    /// `input` laid over `self`, checked; every mistake named by its field
    /// (under `settings.`).
    pub fn apply(
        &self,
        input: SettingsInput,
        region: Region,
    ) -> Result<CampaignSettings, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut out = self.clone();
        let field = |name: &str| format!("settings.{name}");
        if let Some(mode) = input.mode {
            out.mode = mode;
        }
        if let Some(trunk) = input.trunk {
            let trunk = trunk.trim().to_string();
            if trunk.is_empty() || trunk.len() > MAX_TEXT {
                errors.add(field("trunk"), "must be a trunk's name");
            }
            out.trunk = Some(trunk);
        }
        if let Some(number) = input.caller_id {
            match Phone::parse(&number, region) {
                Ok(parsed) => out.caller_id = Some(parsed.e164().to_string()),
                Err(e) => errors.add(field("caller_id"), e.to_string()),
            }
        }
        if let Some(zone) = input.time_zone {
            if zone.parse::<chrono_tz::Tz>().is_err() {
                errors.add(
                    field("time_zone"),
                    "must be an IANA time zone, e.g. Europe/Berlin",
                );
            }
            out.time_zone = zone;
        }
        for (name, given, target) in [
            ("calling_from", input.calling_from, &mut out.calling_from),
            ("calling_until", input.calling_until, &mut out.calling_until),
        ] {
            if let Some(time) = given {
                if NaiveTime::parse_from_str(&time, "%H:%M").is_err() {
                    errors.add(field(name), "must be a time of day, HH:MM");
                }
                *target = time;
            }
        }
        if let (Ok(from), Ok(until)) = (
            NaiveTime::parse_from_str(&out.calling_from, "%H:%M"),
            NaiveTime::parse_from_str(&out.calling_until, "%H:%M"),
        ) && from >= until
        {
            errors.add(field("calling_until"), "must be later than calling_from");
        }
        if let Some(attempts) = input.max_attempts {
            if !(1..=20).contains(&attempts) {
                errors.add(field("max_attempts"), "must be from 1 to 20");
            }
            out.max_attempts = attempts;
        }
        if let Some(retry) = input.retry_minutes {
            out.retry_minutes = retry;
        }
        if let Some(limit) = input.abandon_limit_pct {
            if !(0.0..=10.0).contains(&limit) {
                errors.add(field("abandon_limit_pct"), "must be from 0 to 10");
            }
            out.abandon_limit_pct = limit;
        }
        if let Some(detect) = input.detect_machines {
            out.detect_machines = detect;
        }
        if let Some(seconds) = input.ring_seconds {
            if !(10..=60).contains(&seconds) {
                errors.add(field("ring_seconds"), "must be from 10 to 60");
            }
            out.ring_seconds = seconds;
        }
        if let Some(rate) = input.cost_per_minute {
            if rate.is_sign_negative() || rate > Decimal::ONE_HUNDRED {
                errors.add(field("cost_per_minute"), "must be from 0 to 100");
            }
            out.cost_per_minute = rate;
        }
        if let Some(budget) = input.budget {
            if budget.is_some_and(|b| b <= Decimal::ZERO) {
                errors.add(field("budget"), "must be more than 0, or null for no limit");
            }
            out.budget = budget;
        }
        if let Some(values) = input.result_values {
            if values.values().any(|v| v.is_sign_negative()) {
                errors.add(
                    field("result_values"),
                    "a result's value cannot be negative",
                );
            }
            out.result_values = values;
        }
        if let Some(seconds) = input.wrap_up_seconds {
            if seconds > 600 {
                errors.add(field("wrap_up_seconds"), "must be from 0 to 600");
            }
            out.wrap_up_seconds = seconds;
        }
        if let Some(lines) = input.max_lines_per_agent {
            if !(1.0..=10.0).contains(&lines) {
                errors.add(field("max_lines_per_agent"), "must be from 1 to 10");
            }
            out.max_lines_per_agent = lines;
        }
        if let Some(results) = input.results {
            let results: Vec<String> = results.iter().map(|r| r.trim().to_string()).collect();
            if results.is_empty() || results.len() > MAX_RESULTS {
                errors.add(field("results"), "give from 1 to 50 results");
            } else if results.iter().any(|r| r.is_empty() || r.len() > MAX_TEXT) {
                errors.add(field("results"), "a result must be 1 to 100 characters");
            } else if (1..results.len()).any(|i| results[..i].contains(&results[i])) {
                errors.add(field("results"), "each result once");
            }
            out.results = results;
        }
        if let Some(mut agents) = input.agents {
            agents.sort();
            agents.dedup();
            out.agents = agents;
        }
        if let Some(script) = input.script {
            check_script(&script, &mut errors);
            out.script = script;
        }
        if let Some(survey) = input.survey {
            check_survey(&survey, &mut errors);
            out.survey = survey;
        }
        if let Some(unknown) = (out.result_values.keys()).find(|r| !out.results.contains(r)) {
            errors.add(
                field("result_values"),
                format!("{unknown:?} is not one of the campaign's results"),
            );
        }
        errors.finish(|| out)
    }
}

const MAX_STEPS: usize = 100;

/// Step ids unique and every choice leading to a step there is.
fn check_script(script: &[ScriptStep], errors: &mut FieldErrors) {
    if script.len() > MAX_STEPS {
        errors.add("settings.script", "at most 100 steps");
        return;
    }
    for (i, step) in script.iter().enumerate() {
        let at = format!("settings.script[{i}]");
        if step.id.trim().is_empty() || script[..i].iter().any(|s| s.id == step.id) {
            errors.add(format!("{at}.id"), "each step needs an id of its own");
        }
        if step.text.trim().is_empty() {
            errors.add(format!("{at}.text"), "say what the agent says");
        }
        for (j, choice) in step.choices.iter().enumerate() {
            if let Some(next) = &choice.next
                && !script.iter().any(|s| &s.id == next)
            {
                errors.add(
                    format!("{at}.choices[{j}].next"),
                    format!("no step {next:?}"),
                );
            }
        }
    }
}

/// Keys unique and name-like, choice questions with options.
fn check_survey(survey: &[SurveyQuestion], errors: &mut FieldErrors) {
    if survey.len() > MAX_STEPS {
        errors.add("settings.survey", "at most 100 questions");
        return;
    }
    for (i, question) in survey.iter().enumerate() {
        let at = format!("settings.survey[{i}]");
        let name_like = !question.key.is_empty()
            && question.key.len() <= 50
            && question
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_like || survey[..i].iter().any(|q| q.key == question.key) {
            errors.add(
                format!("{at}.key"),
                "each question needs a key of its own: letters, digits, _ and -",
            );
        }
        if question.text.trim().is_empty() {
            errors.add(format!("{at}.text"), "say what is asked");
        }
        if question.kind == QuestionKind::Choice && question.options.is_empty() {
            errors.add(format!("{at}.options"), "a choice needs options");
        }
    }
}

text_enum! {
    /// Whether a campaign dials. Only a running campaign is dialled
    /// automatically; a paused one gives its agents no leads either (calls
    /// in progress end as usual); a stopped one still gives preview leads
    /// to agents who ask (new campaigns are stopped).
    RunState {
        Running = "running",
        Paused = "paused",
        Stopped = "stopped",
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub settings: CampaignSettings,
    pub state: RunState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A number a campaign calls, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignLead {
    pub id: i64,
    pub campaign_id: i64,
    /// The client the number belongs to, when the CRM knows it.
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    /// E.164.
    pub number: String,
    pub priority: i32,
    /// `waiting`, `dialling` or `closed`.
    pub state: String,
    /// Why it is closed: `answered`, `attempts`, `dnc`, or the outcome not
    /// tried again.
    pub closed_as: Option<String>,
    pub attempts: i32,
    /// When it is due (waiting).
    pub next_at: DateTime<Utc>,
    pub last_outcome: Option<String>,
    /// The agent's result.
    pub result: Option<String>,
    /// The agent it is (or was last) given to.
    pub agent_id: Option<i64>,
    /// When it was last given to be called (to an agent, or to the dialler).
    pub dialled_at: Option<DateTime<Utc>>,
    /// A callback promised by this agent: theirs to make.
    pub callback_agent_id: Option<i64>,
    pub notes: Option<String>,
}

/// A number not to be called: everywhere (`campaign_id` none) or by one
/// campaign.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DncEntry {
    pub id: i64,
    pub campaign_id: Option<i64>,
    /// E.164.
    pub number: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Campaign {
    /// Whether it may start: every campaign needs agents, and one that
    /// dials by itself (progressive, predictive) a trunk to dial out on.
    /// Every missing setting is named by its field.
    pub fn check_startable(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.settings.mode != DialMode::Preview && self.settings.trunk.is_none() {
            errors.add(
                "settings.trunk",
                "set the trunk its calls go out on before starting it",
            );
        }
        if self.settings.agents.is_empty() {
            errors.add("settings.agents", "give it agents before starting it");
        }
        errors.finish(|| ())
    }
}

/// One call the dialler made for a campaign, as kept once it has ended:
/// the abandon rate is counted from these.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub campaign_id: i64,
    /// The lead it called (none when the lead is gone).
    pub lead_id: Option<i64>,
    /// E.164.
    pub number: String,
    pub dialled_at: DateTime<Utc>,
    /// When a person answered (an abandoned call was answered too).
    pub answered_at: Option<DateTime<Utc>>,
    /// When an agent took it.
    pub connected_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    /// The agent who took it.
    pub agent_id: Option<UserId>,
    pub outcome: AttemptOutcome,
    /// The final SIP status of the call, when it had one.
    pub sip_code: Option<u16>,
    /// Seconds from the called party's answer (a machine's too) to the
    /// end: what the carrier bills.
    pub billed_seconds: i64,
}

/// A campaign's name: 1 to 100 characters, trimmed.
pub fn check_name(name: &str) -> Result<String, FieldErrors> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEXT {
        return Err(FieldErrors::single("name", "must be 1 to 100 characters"));
    }
    Ok(name.to_string())
}

#[async_trait]
pub trait CampaignRepo: Send + Sync {
    /// Every campaign, by name.
    async fn campaigns(&self) -> Result<Vec<Campaign>, RepoError>;
    async fn campaign(&self, id: i64) -> Result<Option<Campaign>, RepoError>;
    /// `Conflict("name")` when the name is taken; `Invalid` naming
    /// `settings.agents` when one of them is no active user.
    async fn create_campaign(
        &self,
        actor: UserId,
        name: &str,
        settings: &CampaignSettings,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError>;
    async fn update_campaign(
        &self,
        actor: UserId,
        id: i64,
        name: &str,
        settings: &CampaignSettings,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    async fn delete_campaign(
        &self,
        actor: UserId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// Starts, pauses or stops a campaign (the audit log keeps who did it)
    /// and gives it back as now stored; setting the state it has changes
    /// nothing. `NotFound` when there is no such campaign. Whether it may
    /// start is the caller's to check ([`Campaign::check_startable`]).
    async fn set_campaign_state(
        &self,
        actor: UserId,
        id: i64,
        state: RunState,
        now: DateTime<Utc>,
    ) -> Result<Campaign, RepoError>;
    /// The campaigns that are running, by name: those the dialler works.
    async fn running_campaigns(&self) -> Result<Vec<Campaign>, RepoError>;
}

/// The numbers campaigns call and the numbers nobody may call.
#[async_trait]
pub trait CampaignLeadRepo: Send + Sync {
    /// Adds the first phone of each client of `filter` the scope reaches
    /// (a segment of the client base) as a lead; numbers the campaign has
    /// already are skipped. How many were added.
    async fn add_leads_from_clients(
        &self,
        campaign: i64,
        scope: ClientScope,
        filter: &ClientFilter,
        priority: i32,
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError>;
    /// Adds numbers (E.164, with their priority) as leads, each tied to the
    /// client whose phone it is; numbers the campaign has are skipped.
    async fn add_leads(
        &self,
        campaign: i64,
        leads: &[(String, i32)],
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError>;
    /// A campaign's leads, in the order they were added.
    async fn campaign_leads(
        &self,
        campaign: i64,
        page: &PageRequest,
    ) -> Result<Page<CampaignLead>, RepoError>;
    /// The global list (`None`) or one campaign's.
    async fn dnc_list(&self, campaign: Option<i64>) -> Result<Vec<DncEntry>, RepoError>;
    /// `Conflict("number")` when the list has it already.
    async fn add_dnc(
        &self,
        actor: UserId,
        campaign: Option<i64>,
        number: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError>;
    async fn delete_dnc(&self, actor: UserId, id: i64, now: DateTime<Utc>)
    -> Result<(), RepoError>;
    /// Whether `number` may not be called by `campaign`: on the global list
    /// or the campaign's.
    async fn is_dnc(&self, campaign: i64, number: &str) -> Result<bool, RepoError>;
    /// Up to `limit` waiting leads due by `now` that `agent` may call (a
    /// callback another agent promised is theirs), best first: `agent`'s
    /// callbacks, then priority, then the longest due. With no agent (the
    /// dialler) only leads no agent was promised.
    async fn due_leads(
        &self,
        campaign: i64,
        agent: Option<UserId>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CampaignLead>, RepoError>;
    /// Whether any campaign is calling `number` now.
    async fn number_in_progress(&self, number: &str) -> Result<bool, RepoError>;
    /// Gives a waiting lead to `agent`, or to the dialler when `None`
    /// (dialling, one attempt more, no agent yet); `false` when another
    /// took it first.
    async fn claim_lead(
        &self,
        lead: i64,
        agent: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// Gives a lead the dialler is calling, and no agent has yet, to
    /// `agent` (the call was put through to them): from then on it is
    /// theirs to finish, as a lead they asked for. `false` when the lead is
    /// not being dialled or has an agent already.
    async fn assign_lead(&self, lead: i64, agent: UserId) -> Result<bool, RepoError>;
    /// The end of the dialler's attempt at a lead being dialled, whoever
    /// has it: how it came out and where the lead goes, as `finish_lead`
    /// records them. `NotFound` unless the lead is being dialled.
    async fn end_dialled_lead(
        &self,
        lead: i64,
        outcome: &str,
        next: LeadNext<'_>,
    ) -> Result<(), RepoError>;
    /// Each agent's calls of the campaign taken from `since` to `until`
    /// (by when they were dialled) and the seconds talked on them.
    async fn agent_talk(
        &self,
        campaign: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<UserId, AgentTalk>, RepoError>;
    /// The leads given to `agent` that are still being called (their
    /// outcome not said yet), the longest given first.
    async fn agent_leads(&self, agent: UserId) -> Result<Vec<CampaignLead>, RepoError>;
    /// A client's addresses as written, in their order (for the time zone
    /// of a lead whose number does not tell it).
    async fn client_addresses(&self, client: i64) -> Result<Vec<String>, RepoError>;
    /// Seconds every attempt of the campaign was billed for.
    async fn billed_seconds(&self, campaign: i64) -> Result<i64, RepoError>;
    /// Keeps an ended call of the dialler; its id.
    async fn record_attempt(&self, attempt: &AttemptRecord) -> Result<i64, RepoError>;
    /// Per UTC day (of `dialled_at`) from `since` on, oldest first, a
    /// campaign's attempts a person answered (abandoned ones included) and
    /// those abandoned; days without calls are left out. Nothing for an
    /// unknown campaign.
    async fn abandon_days(
        &self,
        campaign: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, u32, u32)>, RepoError>;
    /// Moves a lead that cannot be called now: waiting until `next_at`, or
    /// closed as `closed_as`.
    async fn set_lead_state(&self, lead: i64, next: LeadNext<'_>) -> Result<(), RepoError>;
    /// The end of `agent`'s attempt at `lead`: how it came out, the result
    /// and notes, and where the lead goes. `NotFound` unless the agent is
    /// dialling it.
    async fn finish_lead(
        &self,
        lead: i64,
        agent: UserId,
        outcome: Option<&str>,
        result: Option<&str>,
        notes: Option<&str>,
        next: LeadNext<'_>,
    ) -> Result<CampaignLead, RepoError>;
    async fn campaign_lead(&self, lead: i64) -> Result<Option<CampaignLead>, RepoError>;
    /// A campaign's figures; "today" is the UTC day of `now`. `NotFound`
    /// when there is no such campaign.
    async fn campaign_stats(
        &self,
        campaign: i64,
        now: DateTime<Utc>,
    ) -> Result<CampaignStats, RepoError>;
    /// Keeps an agent's survey answers (question key, answer) for a lead,
    /// on its client when it has one.
    async fn record_survey(
        &self,
        lead: &CampaignLead,
        agent: UserId,
        answers: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// A client's survey answers, newest first.
    async fn client_survey_answers(&self, client: i64) -> Result<Vec<SurveyAnswer>, RepoError>;
}

/// One answer to a campaign's survey question, as kept on the client.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SurveyAnswer {
    pub campaign_id: i64,
    pub campaign: String,
    pub question: String,
    pub answer: String,
    pub answered_at: DateTime<Utc>,
}

/// A campaign's figures from its leads and from the dialler's calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignStats {
    pub leads: i64,
    pub waiting: i64,
    pub dialling: i64,
    pub closed: i64,
    /// Calls made, over every lead.
    pub attempts: i64,
    /// Leads by their last outcome (`answered`, `busy`, ...).
    #[schema(value_type = Object)]
    pub last_outcomes: std::collections::BTreeMap<String, i64>,
    /// Leads by the agent's result.
    #[schema(value_type = Object)]
    pub results: std::collections::BTreeMap<String, i64>,
    /// Closed leads by why (`answered`, `attempts`, `dnc`, ...).
    #[schema(value_type = Object)]
    pub closed_as: std::collections::BTreeMap<String, i64>,
    /// Calls the dialler made today (UTC).
    pub dialled_today: i64,
    /// Of those, the calls a person answered (abandoned ones included).
    pub answered_today: i64,
    /// Of those, the calls an agent took.
    pub connected_today: i64,
    /// Of those, the calls abandoned: answered with no agent free in time.
    pub abandoned_today: i64,
    /// Abandoned calls per call a person answered, today (0 when none was
    /// answered): 0.03 is 3%.
    pub abandon_rate_today: f64,
    /// The same over the last 30 days.
    pub abandon_rate_30_days: f64,
    /// The dialler's calls now: placed and not yet answered...
    pub ringing_now: u32,
    /// ... and all in progress (ringing, waiting for an agent, with one).
    pub lines_now: u32,
    /// The most lines in use at once since the campaign (or the server)
    /// started.
    pub peak_lines: u32,
    /// Today's calls hour by hour (UTC hours, those with calls), for the
    /// console's chart.
    pub hours_today: Vec<HourCount>,
    /// The campaign's agents: live state and today's calls.
    pub agents: Vec<CampaignAgentFigures>,
    /// Of the campaign's agents logged in and not paused, the share busy
    /// with a call (ringing, talking or wrapping up) now; `None` when none
    /// is logged in. Contact centres aim for 0.85 to 0.90.
    pub occupancy: Option<f64>,
    /// Seconds the campaign's calls were billed for, all days.
    pub billed_seconds: i64,
    /// What they cost at the campaign's rate (text, two decimals).
    #[schema(value_type = String)]
    pub cost: Decimal,
    /// The budget left (`None` without a budget; never below 0).
    #[schema(value_type = Option<String>)]
    pub budget_left: Option<Decimal>,
    /// What the results recorded bring, at the campaign's values.
    #[serde(rename = "return")]
    #[schema(value_type = String)]
    pub returned: Decimal,
}

/// The dialler's calls of one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HourCount {
    /// The hour's start.
    pub start: DateTime<Utc>,
    pub dialled: i64,
    /// Answered by a person (abandoned ones included).
    pub answered: i64,
    pub abandoned: i64,
}

/// One of a campaign's agents in its figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignAgentFigures {
    #[schema(value_type = i64)]
    pub agent: UserId,
    pub name: String,
    /// Now: `available`, `ringing`, `on_call`, `wrap_up`, `paused` or
    /// `offline` (not logged in, or the server takes no calls).
    pub state: String,
    /// The campaign's calls they took today (UTC).
    pub calls_today: i64,
    /// Seconds they talked on them (from taking the call to its end).
    pub talk_seconds_today: i64,
}

/// An agent's campaign calls of a day: how many, and seconds talked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentTalk {
    pub calls: i64,
    pub talk_seconds: i64,
}

impl CampaignStats {
    /// Lists the campaign's `agents` (with their names) with each one's
    /// state now (`states`; missing is offline) and today's calls (`talk`),
    /// and works out the occupancy.
    pub fn staff(
        &mut self,
        agents: &[(UserId, String)],
        states: &std::collections::BTreeMap<UserId, String>,
        talk: &std::collections::BTreeMap<UserId, AgentTalk>,
    ) {
        self.agents = (agents.iter())
            .map(|(agent, name)| {
                let today = talk.get(agent).copied().unwrap_or_default();
                CampaignAgentFigures {
                    agent: *agent,
                    name: name.clone(),
                    state: states
                        .get(agent)
                        .cloned()
                        .unwrap_or_else(|| "offline".into()),
                    calls_today: today.calls,
                    talk_seconds_today: today.talk_seconds,
                }
            })
            .collect();
        let busy = (self.agents.iter())
            .filter(|a| matches!(a.state.as_str(), "ringing" | "on_call" | "wrap_up"))
            .count();
        let free = (self.agents.iter())
            .filter(|a| a.state == "available")
            .count();
        self.occupancy = (busy + free > 0).then(|| busy as f64 / (busy + free) as f64);
    }

    /// Prices the figures at the campaign's rate, budget and values.
    pub fn price(&mut self, settings: &CampaignSettings) {
        self.cost = cost_of(self.billed_seconds, settings.cost_per_minute);
        self.budget_left = settings
            .budget
            .map(|budget| (budget - self.cost).max(Decimal::ZERO).with_cents());
        self.returned = (self.results.iter())
            .filter_map(|(result, count)| {
                Some(*settings.result_values.get(result)? * Decimal::from(*count))
            })
            .sum::<Decimal>()
            .with_cents();
    }

    /// Abandoned calls per call a person answered; 0 when none was.
    pub fn abandon_rate(answered: i64, abandoned: i64) -> f64 {
        if answered <= 0 {
            0.0
        } else {
            abandoned as f64 / answered as f64
        }
    }
}

/// Where a lead goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadNext<'a> {
    /// Waiting for its next try at this time; `uncount` takes the attempt
    /// back (the agent skipped it without calling).
    Waiting {
        at: DateTime<Utc>,
        uncount: bool,
    },
    /// A callback at this time, for this agent or anyone.
    Callback {
        at: DateTime<Utc>,
        agent: Option<UserId>,
    },
    Closed(&'a str),
}

/// The ACD queue of a campaign's agents: its calls' records name it.
pub fn queue_of(campaign: i64) -> String {
    format!("campaign-{campaign}")
}

/// The campaign whose queue `queue` is.
pub fn campaign_of_queue(queue: &str) -> Option<i64> {
    queue.strip_prefix("campaign-")?.parse().ok()
}

/// What `seconds` of calls cost at `per_minute`, to the cent (rounded half
/// up, as carriers bill).
pub fn cost_of(seconds: i64, per_minute: Decimal) -> Decimal {
    (Decimal::from(seconds) * per_minute / Decimal::from(60))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .with_cents()
}

/// Money shown to the cent: "1.00", not "1".
trait Cents {
    fn with_cents(self) -> Self;
}

impl Cents for Decimal {
    fn with_cents(mut self) -> Self {
        self.rescale(2);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> Region {
        Region::parse("DE").unwrap()
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn defaults_call_from_eight_to_nine_with_a_three_percent_limit() {
        let settings = CampaignSettings::default()
            .apply(SettingsInput::default(), region())
            .unwrap();
        assert_eq!(settings.mode, DialMode::Progressive);
        assert_eq!(
            (
                settings.calling_from.as_str(),
                settings.calling_until.as_str()
            ),
            ("08:00", "21:00")
        );
        assert_eq!(settings.abandon_limit_pct, 3.0);
    }

    #[test]
    fn every_mistake_is_named_at_once() {
        let input = SettingsInput {
            time_zone: Some("Mars/Olympus".into()),
            calling_from: Some("22:00".into()),
            calling_until: Some("21:00".into()),
            max_attempts: Some(0),
            caller_id: Some("not a number".into()),
            abandon_limit_pct: Some(12.0),
            results: Some(vec!["sale".into(), "sale".into()]),
            ..SettingsInput::default()
        };
        let errors = CampaignSettings::default()
            .apply(input, region())
            .unwrap_err();
        assert_eq!(
            fields(errors),
            [
                "settings.caller_id",
                "settings.time_zone",
                "settings.calling_until",
                "settings.max_attempts",
                "settings.abandon_limit_pct",
                "settings.results"
            ]
        );
    }

    #[test]
    fn occupancy_is_the_share_of_working_agents_busy_with_calls() {
        let agents: Vec<(UserId, String)> =
            (1..=5).map(|n| (UserId(n), format!("agent{n}"))).collect();
        let states = [
            (1, "on_call"),
            (2, "wrap_up"),
            (3, "available"),
            (4, "paused"),
        ]
        .into_iter()
        .map(|(n, s)| (UserId(n), s.to_string()))
        .collect();
        let talk = [(
            UserId(1),
            AgentTalk {
                calls: 3,
                talk_seconds: 410,
            },
        )]
        .into_iter()
        .collect();
        let mut stats = CampaignStats::default();
        stats.staff(&agents, &states, &talk);
        // Two busy of three working: the paused and the logged-out one
        // count for neither.
        assert_eq!(stats.occupancy, Some(2.0 / 3.0));
        let first = &stats.agents[0];
        assert_eq!((first.calls_today, first.talk_seconds_today), (3, 410));
        assert_eq!(stats.agents[4].state, "offline");
        assert_eq!(stats.agents[4].calls_today, 0);
        stats.staff(&agents, &Default::default(), &talk);
        assert_eq!(stats.occupancy, None, "nobody logged in");
    }

    #[test]
    fn figures_are_priced_at_the_rate_the_budget_and_the_results_values() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        let settings = CampaignSettings {
            cost_per_minute: dec("0.02"),
            budget: Some(dec("10")),
            result_values: [("sale".to_string(), dec("120.00"))].into_iter().collect(),
            ..CampaignSettings::default()
        };
        let mut stats = CampaignStats {
            billed_seconds: 95,
            results: [("sale".to_string(), 2), ("not interested".to_string(), 5)]
                .into_iter()
                .collect(),
            ..CampaignStats::default()
        };
        stats.price(&settings);
        // 95 s at 0.02 a minute is 0.031666..., billed 0.03.
        assert_eq!(stats.cost.to_string(), "0.03");
        assert_eq!(stats.budget_left.unwrap().to_string(), "9.97");
        assert_eq!(stats.returned.to_string(), "240.00");
        stats.billed_seconds = 60 * 600;
        stats.price(&settings);
        assert_eq!(
            stats.budget_left.unwrap().to_string(),
            "0.00",
            "never below nothing"
        );
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["return"], "240.00", "money is text: {json}");
    }

    #[test]
    fn only_a_dialling_campaign_needs_a_trunk_to_start_and_every_one_agents() {
        let campaign = |mode, trunk: Option<&str>, agents: Vec<UserId>| Campaign {
            id: 1,
            name: "Spring".into(),
            settings: CampaignSettings {
                mode,
                trunk: trunk.map(str::to_string),
                agents,
                ..CampaignSettings::default()
            },
            state: RunState::Stopped,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        let missing = |c: Campaign| c.check_startable().map_err(fields).err();
        assert_eq!(
            missing(campaign(DialMode::Predictive, None, vec![])),
            Some(vec!["settings.trunk".into(), "settings.agents".into()])
        );
        assert_eq!(
            missing(campaign(
                DialMode::Progressive,
                Some("pbx"),
                vec![UserId(7)]
            )),
            None
        );
        assert_eq!(
            missing(campaign(DialMode::Preview, None, vec![UserId(7)])),
            None
        );
        assert_eq!(
            missing(campaign(DialMode::Preview, None, vec![])),
            Some(vec!["settings.agents".into()])
        );
    }

    #[test]
    fn run_states_read_back_as_written() {
        for state in RunState::ALL {
            assert_eq!(state.as_str().parse::<RunState>(), Ok(*state));
        }
        assert!("running ".parse::<RunState>().is_err());
    }

    #[test]
    fn the_abandon_rate_is_zero_when_nobody_answered() {
        assert_eq!(CampaignStats::abandon_rate(0, 0), 0.0);
        assert_eq!(CampaignStats::abandon_rate(4, 1), 0.25);
    }

    #[test]
    fn a_national_caller_id_is_stored_in_e164() {
        let input = SettingsInput {
            caller_id: Some("030 1234567".into()),
            ..SettingsInput::default()
        };
        let settings = CampaignSettings::default().apply(input, region()).unwrap();
        assert_eq!(settings.caller_id.as_deref(), Some("+49301234567"));
    }
}
