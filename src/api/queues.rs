//! `/queues`: the contact-centre queues kept in the database, beside those
//! of the dialplan files. A queue's settings are the keys of a dialplan's
//! `[queue.NAME]` table, checked by the dialplan loader together with the
//! files, so a change that would break routing (a rule sending calls to a
//! queue being deleted) is refused and the running plan stays.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::queues::StoredQueue;
use crate::dialplan::PlanError;
use crate::runtime::clock;

/// The keys of a `[queue.NAME]` table, to tell which one an error is about.
const KEYS: [&str; 15] = [
    "announce_every",
    "strategy",
    "ring_timeout",
    "wrap_up",
    "max_wait",
    "max_waiting",
    "overflow",
    "service_level",
    "misses_to_pause",
    "needs",
    "relax",
    "record",
    "results",
    "priority_by_status",
    "name",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/queues", get(list))
        .route("/queues/{name}", get(one).put(put).delete(delete))
}

/// A queue as listed: stored ones with their settings, the dialplan
/// files' by name (they are changed in the files).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueEntry {
    pub name: String,
    /// `database` (changed here) or `file` (changed in the dialplans).
    pub source: &'static str,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueList {
    pub items: Vec<QueueEntry>,
}

/// Every queue calls can be sent to.
#[utoipa::path(get, path = "/api/v1/queues", tag = "agents",
    responses((status = 200, body = QueueList), (status = 403, body = super::error::Problem)))]
async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<QueueList>> {
    actor.require_read(Section::Telephony)?;
    let stored = state.repo.queues().await?;
    let mut items: Vec<QueueEntry> = stored
        .iter()
        .map(|q| QueueEntry {
            name: q.name.clone(),
            source: "database",
            settings: Some(q.settings.clone()),
        })
        .collect();
    if let Ok(running) = super::agents::running_queues(&state).await {
        for name in running {
            if !stored.iter().any(|q| q.name == name) {
                items.push(QueueEntry {
                    name,
                    source: "file",
                    settings: None,
                });
            }
        }
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(axum::Json(QueueList { items }))
}

/// One stored queue.
#[utoipa::path(get, path = "/api/v1/queues/{name}", tag = "agents", params(("name" = String, Path)),
    responses((status = 200, body = StoredQueue), (status = 404, body = super::error::Problem)))]
async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<StoredQueue>> {
    actor.require_read(Section::Telephony)?;
    let stored = state.repo.queues().await?;
    let queue = stored
        .into_iter()
        .find(|q| q.name == name)
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(queue))
}

/// Creates or replaces a stored queue; its calls take the new settings at
/// once (callers waiting keep their place).
#[utoipa::path(put, path = "/api/v1/queues/{name}", tag = "agents", params(("name" = String, Path)),
    request_body(content = Object, description = "The keys of a dialplan's [queue.NAME] table: strategy, ring_timeout, wrap_up, max_wait, max_waiting, overflow, service_level, misses_to_pause, needs, relax, record, results, priority_by_status"),
    responses((status = 200, body = StoredQueue), (status = 422, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
async fn put(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Json(settings): Json<serde_json::Value>,
) -> ApiResult<axum::Json<StoredQueue>> {
    actor.require_write(Section::Telephony)?;
    let serde_json::Value::Object(settings) = settings else {
        return Err(ApiError::invalid("settings", "must be a JSON object"));
    };
    let queue = StoredQueue {
        name: name.clone(),
        settings,
        updated_at: clock::now(),
    };
    let mut stored: Vec<StoredQueue> = state.repo.queues().await?;
    stored.retain(|q| q.name != name);
    stored.push(queue.clone());
    apply(&state, &name, stored)?;
    state
        .repo
        .put_queue(actor.user_id, &name, &queue.settings, clock::now())
        .await?;
    Ok(axum::Json(queue))
}

/// Deletes a stored queue, unless a rule, menu or overflow sends calls to
/// it (409, naming where).
#[utoipa::path(delete, path = "/api/v1/queues/{name}", tag = "agents", params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem),
        (status = 409, body = super::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Telephony)?;
    let mut stored: Vec<StoredQueue> = state.repo.queues().await?;
    if !stored.iter().any(|q| q.name == name) {
        return Err(ApiError::NotFound);
    }
    stored.retain(|q| q.name != name);
    apply(&state, &name, stored).map_err(|_| {
        ApiError::Conflict(format!(
            "queue {name:?}: calls are still sent to it (a rule, menu key or overflow names it)"
        ))
    })?;
    state
        .repo
        .delete_queue(actor.user_id, &name, clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Loads the plan with these stored queues and makes it the running one;
/// the loader's complaints become field errors (those about `name`'s own
/// settings under their key).
fn apply(state: &AppState, name: &str, stored: Vec<StoredQueue>) -> ApiResult<()> {
    let planner = state.sip.as_ref().and_then(|s| s.plan_queues.clone());
    let outcome = match planner {
        Some(planner) => (planner.0)(stored),
        // No SIP here (tests, tools): the stored queues are checked alone.
        None => {
            let mut files = Vec::new();
            for queue in &stored {
                let text = queue
                    .as_dialplan()
                    .map_err(|e| ApiError::invalid("settings", e))?;
                files.push((StoredQueue::source(&queue.name), text));
            }
            crate::dialplan::load(&files).map(|_| ())
        }
    };
    outcome.map_err(|errors| ApiError::Invalid(field_errors(name, &errors)))
}

fn field_errors(name: &str, errors: &[PlanError]) -> FieldErrors {
    let own = StoredQueue::source(name);
    let mut fields = FieldErrors::new();
    for error in errors {
        let message = error.message.as_str();
        let key = KEYS
            .iter()
            .find(|key| {
                message.starts_with(&format!("{key}:"))
                    || message.contains(&format!("`{key}`"))
                    || message.starts_with(&format!("{key} "))
            })
            .copied();
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        let field = match key {
            _ if error.file == own && unknown.is_some() => unknown.unwrap_or("settings"),
            _ if message.starts_with("queue ") => "name",
            Some(key) if error.file == own => key,
            _ if error.file == own => "settings",
            // Another queue or a rule is broken by this change.
            _ => "name",
        };
        let place = if error.file == own {
            String::new()
        } else {
            format!(" ({}:{})", error.file, error.line)
        };
        fields.add(field, format!("{message}{place}"));
    }
    fields
}
