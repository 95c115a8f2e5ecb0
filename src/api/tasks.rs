//! `/tasks`: planned work and reminders, with the overdue list.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Created, Json, PathId, QueryPairs, created, double_option};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::clients::TEXT_MAX;
use crate::crm::page::Page;
use crate::crm::tasks::{NewTask, Task, TaskFilter, TaskPatch, TaskScope, TaskState};
use crate::crm::text::{Label, optional};
use crate::ids::{ClientId, TaskId, UserId};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list_tasks).post(create_task))
        .route("/tasks/{id}", get(get_task).patch(update_task))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TaskInput {
    pub client_id: Option<ClientId>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub notes: Option<Option<String>>,
    /// RFC 3339.
    pub due_at: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub remind_at: Option<Option<String>>,
    /// Defaults to the creator.
    pub responsible_id: Option<UserId>,
    /// open, done or cancelled (changes only).
    pub state: Option<String>,
}

fn scope(actor: &Actor) -> TaskScope {
    TaskScope {
        clients: actor.client_scope(Section::Tasks),
        user: actor.user_id,
    }
}

fn time(errors: &mut FieldErrors, field: &str, text: &str) -> Option<DateTime<Utc>> {
    errors
        .take(
            field,
            DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 time"),
        )
        .map(|t| crate::crm::whole_seconds(t.with_timezone(&Utc)))
}

/// Tasks, earliest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    params(("responsible" = Option<String>, Query, description = "User id or `me`"),
        ("state" = Option<String>, Query), ("overdue" = Option<bool>, Query), ("client_id" = Option<i64>, Query),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Task>)))]
async fn list_tasks(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<Task>>> {
    actor.require_read(Section::Tasks)?;
    let mut errors = FieldErrors::new();
    let filter = TaskFilter {
        responsible: match query.get("responsible") {
            Some("me") => Some(actor.user_id),
            Some(_) => query.parse::<i64>("responsible", &mut errors).map(UserId),
            None => None,
        },
        state: query.parse::<TaskState>("state", &mut errors),
        client: query.parse::<i64>("client_id", &mut errors).map(ClientId),
        overdue: query.parse::<bool>("overdue", &mut errors).unwrap_or(false),
    };
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    Ok(axum::Json(
        state
            .repo
            .tasks(scope(&actor), &filter, &page, clock::now())
            .await?,
    ))
}

/// Plan a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput,
    responses((status = 201, body = Created), (status = 422, body = super::error::Problem)))]
async fn create_task(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<TaskInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Tasks)?;
    let mut errors = FieldErrors::new();
    let title = errors.take(
        "title",
        Label::parse(input.title.as_deref().unwrap_or(""), 300),
    );
    let notes = errors.take(
        "notes",
        optional(input.notes.flatten().as_deref(), TEXT_MAX),
    );
    let due_at = match input.due_at.as_deref() {
        None | Some("") => {
            errors.add("due_at", "is required");
            None
        }
        Some(text) => time(&mut errors, "due_at", text),
    };
    let remind_at = match input.remind_at.flatten() {
        None => Some(None),
        Some(text) => time(&mut errors, "remind_at", &text).map(Some),
    };
    let task = errors.finish(|| NewTask {
        client_id: input.client_id,
        title: title.expect("checked").into_string(),
        notes: notes.flatten(),
        due_at: due_at.expect("checked"),
        remind_at: remind_at.expect("checked"),
        responsible_id: input.responsible_id.unwrap_or(actor.user_id),
    })?;
    let id = state
        .repo
        .create_task(scope(&actor), task, clock::now())
        .await?;
    Ok(created(id.0))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = Task), (status = 404, body = super::error::Problem)))]
async fn get_task(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Task>> {
    actor.require_read(Section::Tasks)?;
    Ok(axum::Json(
        state
            .repo
            .task(scope(&actor), TaskId(id), clock::now())
            .await?,
    ))
}

/// Change a task: mark it done, move it, hand it over.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 200, body = Task), (status = 404, body = super::error::Problem)))]
async fn update_task(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<TaskInput>,
) -> ApiResult<axum::Json<Task>> {
    actor.require_write(Section::Tasks)?;
    let mut errors = FieldErrors::new();
    let patch = TaskPatch {
        title: input
            .title
            .as_deref()
            .and_then(|t| errors.take("title", Label::parse(t, 300)))
            .map(Label::into_string),
        notes: input
            .notes
            .and_then(|n| errors.take("notes", optional(n.as_deref(), TEXT_MAX))),
        due_at: input
            .due_at
            .as_deref()
            .and_then(|t| time(&mut errors, "due_at", t)),
        remind_at: match input.remind_at {
            None => None,
            Some(None) => Some(None),
            Some(Some(text)) => time(&mut errors, "remind_at", &text).map(Some),
        },
        responsible_id: input.responsible_id,
        state: input
            .state
            .as_deref()
            .and_then(|s| errors.take("state", s.parse::<TaskState>())),
    };
    if input.client_id.is_some() {
        errors.add("client_id", "cannot be changed; create a new task");
    }
    let patch = errors.finish(|| patch)?;
    Ok(axum::Json(
        state
            .repo
            .update_task(scope(&actor), TaskId(id), patch, clock::now())
            .await?,
    ))
}
