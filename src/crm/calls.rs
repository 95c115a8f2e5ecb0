//! Call detail records: what the B2BUA reports when a call ends (who called
//! whom, over which trunk, which legs rang, who answered, how it ended), the
//! stored form the API lists, and the repository trait that stores them.
//!
//! A record is keyed by the B2BUA's own `call_id`, so storing the same call
//! twice (a retry, a spool replayed after a crash) keeps one row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RepoError;
use super::page::{Page, PageRequest};
use crate::ids::CallRecordId;

text_enum! {
    /// Which way the call went, seen from this switch.
    Direction { Inbound = "inbound", Outbound = "outbound", Internal = "internal" }
}
text_enum! {
    /// How the call ended for the caller. `cancelled`: the caller hung up
    /// before anyone answered; `unavailable`: no registered contact could be rung.
    Outcome {
        Answered = "answered",
        Busy = "busy",
        NoAnswer = "no_answer",
        Cancelled = "cancelled",
        Rejected = "rejected",
        Failed = "failed",
        Unavailable = "unavailable",
    }
}
text_enum! {
    /// Who ended the call.
    Party { Caller = "caller", Callee = "callee", System = "system" }
}

/// One finished call, as the B2BUA reports it. This is also the line format
/// of the CDR spool, so its JSON shape must stay readable by later versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallRecord {
    /// The B2BUA's id of the call; unique, so a record is stored once.
    pub call_id: String,
    pub direction: Direction,
    /// The trunk the call came in or went out on; `null` for internal calls.
    pub trunk: Option<String>,
    /// The calling number as received.
    pub caller: String,
    pub caller_e164: Option<String>,
    pub caller_name: Option<String>,
    /// The called number as received.
    pub called: String,
    /// The number first dialled when the call was diverted to us.
    pub original_called: Option<String>,
    /// The extension that answered.
    pub answered_by: Option<String>,
    /// The dial plan rule that routed the call.
    pub dialplan_rule: Option<String>,
    /// The outside party's E.164 number (the caller's on inbound calls,
    /// the dialled one's on outbound calls), which finds the client.
    #[serde(default)]
    pub party_e164: Option<String>,
    /// The contact-centre queue that took the call.
    #[serde(default)]
    pub queue: Option<String>,
    pub arrived_at: DateTime<Utc>,
    /// When the call joined its queue.
    #[serde(default)]
    pub queued_at: Option<DateTime<Utc>>,
    /// When the first phone rang.
    #[serde(default)]
    pub offered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub outcome: Outcome,
    pub hangup_by: Option<Party>,
    /// The final SIP status of a call that failed (486, 603, 503 ...).
    pub sip_code: Option<u16>,
    /// Every destination rung, in the order they were tried.
    pub legs: Vec<LegRecord>,
    /// The call's recording, when it was recorded. Absent in spool lines
    /// written before recordings existed.
    #[serde(default)]
    pub recording: Option<RecordingRef>,
}

/// Where a call's recording is and how long it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordingRef {
    /// The file under the recordings folder; played through
    /// `GET /api/v1/calls/{id}/recording`.
    pub file: String,
    pub duration_ms: u64,
}

/// One destination the call rang.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LegRecord {
    pub extension_or_number: String,
    /// The registered contact (or trunk address) that was rung.
    pub contact: Option<String>,
    pub answered: bool,
    /// The final SIP status this leg got, when it did not answer.
    pub sip_code: Option<u16>,
}

impl CallRecord {
    /// Seconds the caller waited: until the answer, or until the end when
    /// nobody answered. Clock skew between the stamps never gives a negative.
    pub fn wait_seconds(&self) -> i64 {
        let until = self.answered_at.unwrap_or(self.ended_at);
        (until - self.arrived_at).num_seconds().max(0)
    }

    /// Seconds of conversation; 0 for a call nobody answered.
    pub fn talk_seconds(&self) -> i64 {
        self.answered_at.map_or(0, |answered| {
            (self.ended_at - answered).num_seconds().max(0)
        })
    }

    /// Which way the call went for the client's contact history; `None`
    /// for an internal call, which has no client.
    pub fn contact_direction(&self) -> Option<super::interactions::Direction> {
        match self.direction {
            Direction::Inbound => Some(super::interactions::Direction::In),
            Direction::Outbound => Some(super::interactions::Direction::Out),
            Direction::Internal => None,
        }
    }

    /// The title of the callback task for an inbound call that reached
    /// the contact centre (a queue, or a phone rang) and that nobody took;
    /// `None` for every other call. A caller who hung up on a menu before
    /// choosing, or whom nothing could ring, is no one's missed call.
    pub fn callback_title(&self) -> Option<String> {
        if self.direction != Direction::Inbound
            || !matches!(
                self.outcome,
                Outcome::Cancelled | Outcome::NoAnswer | Outcome::Busy
            )
        {
            return None;
        }
        let number = self.party_e164.as_deref().unwrap_or(&self.caller);
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return None; // anonymous: nothing to call back
        }
        match (&self.queue, self.legs.last()) {
            (Some(queue), _) => Some(format!("Call back {number}: abandoned in queue {queue}")),
            (None, Some(leg)) => Some(format!(
                "Call back {number}: missed call to {}",
                leg.extension_or_number
            )),
            (None, None) => None,
        }
    }
}

/// A call as the client's contact history shows it, beside the
/// interaction it is.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CallBrief {
    pub id: CallRecordId,
    pub call_id: String,
    pub trunk: Option<String>,
    pub caller: String,
    /// The number the caller dialled (the DID on inbound calls).
    pub called: String,
    pub queue: Option<String>,
    /// The extension that answered.
    pub answered_by: Option<String>,
    pub outcome: Outcome,
    pub hangup_by: Option<Party>,
    pub arrived_at: DateTime<Utc>,
    pub queued_at: Option<DateTime<Utc>>,
    pub offered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub wait_s: i64,
    pub talk_s: i64,
    /// Whether `GET /api/v1/calls/{id}/recording` plays it.
    pub recorded: bool,
}

/// What an agent writes after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWrapUp {
    /// One of the queue's results (any text for a call no queue took).
    pub result: String,
    pub notes: Option<String>,
    /// A task for later, on the call's client, for the agent.
    pub follow_up: Option<FollowUp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub title: String,
    pub due_at: DateTime<Utc>,
}

/// A stored call record, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredCallRecord {
    pub id: CallRecordId,
    #[serde(flatten)]
    pub record: CallRecord,
    /// Ring or queue time: arrival to answer, or to the end when unanswered.
    pub wait_s: i64,
    /// Answer to hang-up; 0 when unanswered.
    pub talk_s: i64,
    /// The client the outside number belongs to; `null` while it is an
    /// unknown caller (the call is linked when a client gets the number).
    pub client: Option<Named>,
    /// The user whose extension answered.
    pub agent: Option<Named>,
    /// What the agent wrote after the call.
    pub wrap_up: Option<WrapUp>,
}

/// Something stored, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// The agent's write-up of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WrapUp {
    pub result: String,
    pub notes: Option<String>,
    pub by: Option<Named>,
    pub at: DateTime<Utc>,
}

impl StoredCallRecord {
    pub fn new(id: CallRecordId, record: CallRecord) -> Self {
        StoredCallRecord {
            id,
            wait_s: record.wait_seconds(),
            talk_s: record.talk_seconds(),
            record,
            client: None,
            agent: None,
            wrap_up: None,
        }
    }
}

/// Which call records an actor reaches; storage turns it into a WHERE clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallScope {
    All,
    /// Calls answered by, or placed from, one of these extensions. An empty
    /// list reaches no call.
    Extensions(Vec<String>),
}

/// A number to look for among a call's caller and called numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFilter {
    /// Matched anywhere inside the numbers as received.
    pub text: String,
    /// The same number in E.164 when it reads as a phone number, matched
    /// exactly against the caller's E.164 form.
    pub e164: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// The switch's own id of the call (as `call.offered` gives it).
    pub call_id: Option<String>,
    pub queue: Option<String>,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    /// Calls this extension answered or placed.
    pub extension: Option<String>,
    pub number: Option<NumberFilter>,
    /// Arrived at or after.
    pub from: Option<DateTime<Utc>>,
    /// Arrived before.
    pub to: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait CallRecordRepo: Send + Sync {
    /// Stores a finished call. A record whose `call_id` is already stored is
    /// ignored, so a retried write never duplicates. `Err(Invalid)` means the
    /// database refuses this record itself and never will take it as it is;
    /// any other error means the database cannot take writes now.
    async fn record_call(&self, record: &CallRecord) -> Result<(), RepoError>;
    /// Stores several finished calls in one transaction: all of them or,
    /// on any error, none. Errors mean what they mean for [`record_call`];
    /// an `Invalid` does not say which record was refused.
    ///
    /// [`record_call`]: CallRecordRepo::record_call
    async fn record_calls(&self, records: &[CallRecord]) -> Result<(), RepoError>;
    /// Call records, newest arrival first.
    async fn list_calls(
        &self,
        scope: &CallScope,
        filter: &CallFilter,
        page: &PageRequest,
    ) -> Result<Page<StoredCallRecord>, RepoError>;
    /// One call record; `NotFound` also when the scope does not reach it.
    async fn call(
        &self,
        scope: &CallScope,
        id: CallRecordId,
    ) -> Result<StoredCallRecord, RepoError>;
    /// The latest call out to `number` (E.164) since `since`, that was in
    /// `queue` (a campaign's calls the dialler put through) or placed from
    /// one of `extensions` (an agent's own dialling).
    async fn call_out_to(
        &self,
        number: &str,
        since: DateTime<Utc>,
        queue: &str,
        extensions: &[String],
    ) -> Result<Option<CallRecordId>, RepoError>;
    /// Sets the wrap-up of a call the scope reaches, on the record and on
    /// the client's interaction, and adds the follow-up task for `by` (on
    /// the call's client), all in one transaction. Returns the record as
    /// it is now. A second wrap-up replaces the first (and adds its task).
    async fn wrap_up_call(
        &self,
        scope: &CallScope,
        id: CallRecordId,
        by: crate::ids::UserId,
        wrap_up: &NewWrapUp,
        now: DateTime<Utc>,
    ) -> Result<StoredCallRecord, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn record(answered_at: Option<&str>, ended_at: &str) -> CallRecord {
        CallRecord {
            call_id: "c1".into(),
            direction: Direction::Inbound,
            trunk: Some("avaya".into()),
            caller: "2025550143".into(),
            caller_e164: Some("+12025550143".into()),
            caller_name: None,
            called: "100".into(),
            original_called: None,
            answered_by: answered_at.map(|_| "101".into()),
            dialplan_rule: None,
            party_e164: Some("+12025550143".into()),
            queue: None,
            arrived_at: at("2026-03-01T10:00:00Z"),
            queued_at: None,
            offered_at: None,
            answered_at: answered_at.map(at),
            ended_at: at(ended_at),
            outcome: if answered_at.is_some() {
                Outcome::Answered
            } else {
                Outcome::Cancelled
            },
            hangup_by: Some(Party::Caller),
            sip_code: None,
            legs: vec![],
            recording: None,
        }
    }

    #[test]
    fn an_answered_call_splits_into_wait_and_talk() {
        let call = record(Some("2026-03-01T10:00:12Z"), "2026-03-01T10:03:12Z");
        assert_eq!((call.wait_seconds(), call.talk_seconds()), (12, 180));
    }

    #[test]
    fn an_unanswered_call_is_all_wait() {
        let call = record(None, "2026-03-01T10:00:25Z");
        assert_eq!((call.wait_seconds(), call.talk_seconds()), (25, 0));
    }

    #[test]
    fn skewed_stamps_never_give_negative_durations() {
        let call = record(Some("2026-03-01T09:59:59Z"), "2026-03-01T09:59:58Z");
        assert_eq!((call.wait_seconds(), call.talk_seconds()), (0, 0));
    }

    #[test]
    fn the_api_form_flattens_the_record_beside_its_durations() {
        let call = record(Some("2026-03-01T10:00:12Z"), "2026-03-01T10:03:12Z");
        let json = serde_json::to_value(StoredCallRecord::new(CallRecordId(7), call)).unwrap();
        assert_eq!(json["id"], 7);
        assert_eq!(json["call_id"], "c1");
        assert_eq!(json["outcome"], "answered");
        assert_eq!(json["hangup_by"], "caller");
        assert_eq!(json["talk_s"], 180);
    }
}
