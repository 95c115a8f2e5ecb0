//! A finished call as the CRM keeps it: the B2BUA's summary turned into a
//! call record for the durable writer.

use crate::calls::{self, CallId, Summary};
use crate::crm::calls::{CallRecord, Direction, LegRecord, Outcome, Party, RecordingRef};

/// The id a call's record gets. `run` tells this server run apart from
/// others, so the id (the record's idempotency key) is unique across
/// restarts.
pub fn record_key(run: u64, call: CallId) -> String {
    format!("{run:016x}-{}", call.0)
}

/// The record of `summary` (see [`record_key`] for `run`).
pub fn record_of(run: u64, summary: &Summary) -> CallRecord {
    CallRecord {
        call_id: record_key(run, summary.id),
        direction: match summary.direction {
            calls::Direction::Inbound => Direction::Inbound,
            calls::Direction::Outbound => Direction::Outbound,
            calls::Direction::Internal => Direction::Internal,
        },
        trunk: summary.trunk.clone(),
        caller: summary.caller.clone(),
        caller_e164: summary.caller_e164.clone(),
        caller_name: summary.caller_name.clone(),
        called: summary.called.clone(),
        original_called: summary.original_called.clone(),
        answered_by: summary.answered_by.clone(),
        dialplan_rule: summary.rule.clone(),
        party_e164: summary.party_e164.clone(),
        queue: summary.queue.clone(),
        arrived_at: summary.arrived_at,
        queued_at: summary.queued_at,
        offered_at: summary.offered_at,
        answered_at: summary.answered_at,
        ended_at: summary.ended_at,
        outcome: match summary.outcome {
            calls::Outcome::Answered => Outcome::Answered,
            calls::Outcome::Busy => Outcome::Busy,
            calls::Outcome::NoAnswer => Outcome::NoAnswer,
            calls::Outcome::Cancelled => Outcome::Cancelled,
            calls::Outcome::Rejected => Outcome::Rejected,
            calls::Outcome::Failed => Outcome::Failed,
            calls::Outcome::Unavailable => Outcome::Unavailable,
        },
        hangup_by: summary.hangup_by.map(|p| match p {
            calls::Party::Caller => Party::Caller,
            calls::Party::Callee => Party::Callee,
            calls::Party::System => Party::System,
        }),
        sip_code: summary.sip_code,
        legs: summary
            .legs
            .iter()
            .map(|leg| LegRecord {
                extension_or_number: leg.label.clone(),
                contact: Some(leg.uri.clone()),
                answered: leg.answered,
                sip_code: leg.sip_code,
            })
            .collect(),
        recording: summary
            .media
            .as_ref()
            .and_then(|m| m.recording.clone())
            .map(|(file, duration_ms)| RecordingRef { file, duration_ms }),
    }
}
