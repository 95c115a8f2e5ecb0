//! `/calls`: the call detail records the switch wrote, newest first, with
//! filters for the call log and supervisors' reviews. Read-only: records come
//! from the B2BUA through the CDR writer, never from the API.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Json, PathId, QueryPairs};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Reach, Section};
use crate::crm::calls::{
    CallFilter, CallScope, Direction, FollowUp, NewWrapUp, NumberFilter, Outcome, StoredCallRecord,
};
use crate::crm::clients::TEXT_MAX;
use crate::crm::page::Page;
use crate::crm::text::{Label, optional};
use crate::dialplan::RESULT_MAX;
use crate::ids::CallRecordId;
use crate::phone::{Phone, Region};
use crate::runtime::clock;

/// Longest extension or number accepted as a filter.
const NUMBER_MAX: usize = 64;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(list_calls))
        .route("/calls/{id}", get(get_call))
        .route("/calls/{id}/recording", get(recording))
        .route("/calls/{id}/wrap-up", put(wrap_up))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WrapUpInput {
    /// One of the queue's results (`results` of `call.offered`); any text
    /// for a call no queue with a list took.
    pub result: Option<String>,
    pub notes: Option<String>,
    /// A task for later on the call's client, for the one wrapping up.
    pub follow_up: Option<FollowUpInput>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FollowUpInput {
    pub title: Option<String>,
    /// RFC 3339.
    pub due_at: Option<String>,
}

/// The agent's wrap-up of a call they reach: the result, notes and a
/// follow-up task. It goes on the call record and on the client's
/// interaction for the call; a second wrap-up replaces the first.
#[utoipa::path(put, path = "/api/v1/calls/{id}/wrap-up", tag = "calls", params(("id" = i64, Path)),
    request_body = WrapUpInput,
    responses((status = 200, body = StoredCallRecord), (status = 404, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn wrap_up(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<WrapUpInput>,
) -> ApiResult<axum::Json<StoredCallRecord>> {
    actor.require_read(Section::Calls)?;
    actor.require_write(Section::Interactions)?;
    if input.follow_up.is_some() {
        actor.require_write(Section::Tasks)?;
    }
    let scope = scope(&state, &actor).await?;
    let call = state.repo.call(&scope, CallRecordId(id)).await?;
    let results = match &call.record.queue {
        Some(queue) => super::agents::queue_results(&state, queue).await?,
        None => Vec::new(),
    };
    let mut errors = FieldErrors::new();
    let result = errors.take(
        "result",
        Label::parse(input.result.as_deref().unwrap_or(""), RESULT_MAX),
    );
    if let Some(result) = &result
        && !results.is_empty()
        && !results.iter().any(|r| r == result.as_str())
    {
        errors.add("result", format!("must be one of: {}", results.join(", ")));
    }
    let notes = errors.take("notes", optional(input.notes.as_deref(), TEXT_MAX));
    let follow_up = input.follow_up.as_ref().map(|f| {
        let title = errors.take(
            "follow_up.title",
            Label::parse(f.title.as_deref().unwrap_or(""), 300),
        );
        let due_at = match f.due_at.as_deref() {
            None | Some("") => {
                errors.add("follow_up.due_at", "is required");
                None
            }
            Some(text) => errors
                .take(
                    "follow_up.due_at",
                    DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 time"),
                )
                .map(|t| crate::crm::whole_seconds(t.with_timezone(&Utc))),
        };
        (title, due_at)
    });
    let wrap_up = errors.finish(|| NewWrapUp {
        result: result.map(|r| r.as_str().to_string()).unwrap_or_default(),
        notes: notes.flatten(),
        follow_up: follow_up.and_then(|(title, due_at)| {
            Some(FollowUp {
                title: title?.as_str().to_string(),
                due_at: due_at?,
            })
        }),
    })?;
    Ok(axum::Json(
        state
            .repo
            .wrap_up_call(&scope, call.id, actor.user_id, &wrap_up, clock::now())
            .await?,
    ))
}

/// The call's recording: a stereo WAV, 8 kHz, the caller on the left
/// channel and the callee on the right. Range requests are honoured, so a
/// player can seek.
#[utoipa::path(get, path = "/api/v1/calls/{id}/recording", tag = "calls", params(("id" = i64, Path)),
    responses((status = 200, description = "audio/wav", content_type = "audio/wav"),
        (status = 206, description = "The range asked for"),
        (status = 404, description = "No such call, not recorded, or deleted by the retention", body = super::error::Problem)))]
async fn recording(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    request: axum::extract::Request,
) -> ApiResult<axum::response::Response> {
    use tower::ServiceExt;
    actor.require_read(Section::Calls)?;
    let call = state
        .repo
        .call(&scope(&state, &actor).await?, CallRecordId(id))
        .await?;
    let (Some(recording), Some(dir)) = (call.record.recording, &state.recordings) else {
        return Err(super::error::ApiError::NotFound);
    };
    // The name comes from our own records; still, it never leaves the folder.
    let relative = std::path::Path::new(&recording.file);
    if relative
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(super::error::ApiError::NotFound);
    }
    let path = dir.join(relative);
    if !path.is_file() {
        return Err(super::error::ApiError::NotFound);
    }
    // The type comes from the `.wav` name: audio/wav.
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| super::error::ApiError::Internal(e.to_string()))?;
    Ok(served.map(axum::body::Body::new))
}

/// The calls an actor reaches. A reach narrower than `all` means the calls of
/// the extensions whose SIP accounts belong to the user.
async fn scope(state: &AppState, actor: &Actor) -> Result<CallScope, super::error::ApiError> {
    Ok(match actor.right(Section::Calls).reach {
        Reach::All => CallScope::All,
        Reach::Team | Reach::Own => CallScope::Extensions(own_extensions(state, actor).await?),
    })
}

/// The extensions of the SIP accounts that belong to `actor`.
pub(super) async fn own_extensions(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<String>, super::error::ApiError> {
    let accounts = state.repo.sip_accounts().await?;
    Ok(accounts
        .into_iter()
        .filter(|a| a.user_id == Some(actor.user_id))
        .map(|a| a.extension.as_str().to_string())
        .collect())
}

/// Call records, newest first.
#[utoipa::path(get, path = "/api/v1/calls", tag = "calls",
    params(
        ("call_id" = Option<String>, Query, description = "The switch's id of the call, as `call.offered` gives it"),
        ("queue" = Option<String>, Query, description = "Calls that reached this queue"),
        ("direction" = Option<String>, Query, description = "inbound, outbound or internal"),
        ("outcome" = Option<String>, Query,
            description = "answered, busy, no_answer, cancelled, rejected, failed, unavailable"),
        ("extension" = Option<String>, Query, description = "Calls this extension answered or placed"),
        ("number" = Option<String>, Query,
            description = "Text found in the caller, called or diverting number; a phone number also matches the caller's E.164 form"),
        ("from" = Option<String>, Query, description = "RFC 3339: arrived at or after"),
        ("to" = Option<String>, Query, description = "RFC 3339: arrived before"),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<StoredCallRecord>), (status = 400, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
async fn list_calls(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<StoredCallRecord>>> {
    actor.require_read(Section::Calls)?;
    let mut errors = FieldErrors::new();
    let filter = parse_filter(&query, state.region, &mut errors);
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    Ok(axum::Json(
        state
            .repo
            .list_calls(&scope(&state, &actor).await?, &filter, &page)
            .await?,
    ))
}

/// One call record, with the legs it rang.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", params(("id" = i64, Path)),
    responses((status = 200, body = StoredCallRecord), (status = 404, body = super::error::Problem)))]
async fn get_call(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<axum::Json<StoredCallRecord>> {
    actor.require_read(Section::Calls)?;
    Ok(axum::Json(
        state
            .repo
            .call(&scope(&state, &actor).await?, CallRecordId(id))
            .await?,
    ))
}

/// Reads the filters, recording every complaint under its parameter's name.
fn parse_filter(query: &QueryPairs, region: Region, errors: &mut FieldErrors) -> CallFilter {
    let from = time(query, "from", errors);
    let to = time(query, "to", errors);
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        errors.add("to", "must be later than from");
    }
    CallFilter {
        call_id: bounded(query, "call_id", errors),
        queue: bounded(query, "queue", errors),
        direction: query.parse::<Direction>("direction", errors),
        outcome: query.parse::<Outcome>("outcome", errors),
        extension: bounded(query, "extension", errors),
        number: bounded(query, "number", errors).map(|text| NumberFilter {
            e164: Phone::parse(&text, region)
                .ok()
                .map(|phone| phone.e164().to_string()),
            text,
        }),
        from,
        to,
    }
}

fn time(query: &QueryPairs, name: &str, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    let text = query.get(name)?;
    errors
        .take(
            name,
            DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 time"),
        )
        .map(|t| crate::crm::whole_seconds(t.with_timezone(&Utc)))
}

/// A trimmed number or extension of bounded length; blank means absent.
fn bounded(query: &QueryPairs, name: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = query.get(name)?.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > NUMBER_MAX {
        errors.add(name, format!("must be at most {NUMBER_MAX} characters"));
        return None;
    }
    Some(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(query: &str) -> Result<CallFilter, Vec<String>> {
        let pairs = QueryPairs(serde_urlencoded::from_str(query).unwrap());
        let mut errors = FieldErrors::new();
        let filter = parse_filter(&pairs, Region::parse("US").unwrap(), &mut errors);
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(errors.iter().map(|e| e.field.clone()).collect())
        }
    }

    #[test]
    fn a_written_phone_number_also_matches_its_e164_form() {
        let number = filter("number=(202)%20555-0143").unwrap().number.unwrap();
        assert_eq!(number.text, "(202) 555-0143");
        assert_eq!(number.e164.as_deref(), Some("+12025550143"));
        let partial = filter("number=0143").unwrap().number.unwrap();
        assert_eq!(partial.e164, None, "a fragment is matched as text only");
    }

    #[test]
    fn every_bad_filter_is_named() {
        let long = "9".repeat(NUMBER_MAX + 1);
        let fields = filter(&format!(
            "direction=sideways&outcome=maybe&from=yesterday&to=2026-01-01T00:00:00Z&extension={long}"
        ))
        .unwrap_err();
        assert_eq!(fields, vec!["from", "direction", "outcome", "extension"]);
    }

    #[test]
    fn a_time_range_must_run_forwards() {
        let fields = filter("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z").unwrap_err();
        assert_eq!(fields, vec!["to"]);
    }
}
