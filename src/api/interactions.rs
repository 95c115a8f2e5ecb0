//! `/interactions`: the contact history of clients.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Created, Json, PathId, QueryPairs, created};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::clients::TEXT_MAX;
use crate::crm::interactions::{
    Channel, Direction, Interaction, InteractionState, InteractionStatus, InteractionType,
    NewInteraction, Priority,
};
use crate::crm::page::Page;
use crate::crm::text::optional;
use crate::ids::{ClientId, ContactPersonId, UserId};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/interactions", post(create_interaction))
        .route("/clients/{id}/interactions", get(client_interactions))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InteractionInput {
    pub client_id: Option<ClientId>,
    pub contact_person_id: Option<ContactPersonId>,
    /// call, email, letter, meeting, chat, sms
    pub channel: Option<String>,
    /// in or out
    pub direction: Option<String>,
    /// RFC 3339; defaults to now.
    pub started_at: Option<String>,
    #[serde(default)]
    pub duration_s: i64,
    /// high, medium (default) or low
    pub priority: Option<String>,
    /// sale, consultation, complaint, claim, information, other (default)
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// done (default), not_done, partly_done, no_action_needed
    pub state: Option<String>,
    /// held (default), planned, planned_cancelled
    pub status: Option<String>,
    pub advertising_source: Option<String>,
    /// Defaults to the user who logs the interaction.
    pub responsible_id: Option<UserId>,
    pub result: Option<String>,
    pub notes: Option<String>,
}

/// Log a contact with a client.
#[utoipa::path(post, path = "/api/v1/interactions", tag = "interactions", request_body = InteractionInput,
    responses((status = 201, body = Created), (status = 422, body = super::error::Problem)))]
async fn create_interaction(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<InteractionInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Interactions)?;
    let now = clock::now();
    let new = parse(input, actor.user_id, now)?;
    let scope = actor.client_scope(Section::Interactions);
    let id = state
        .repo
        .create_interaction(scope, actor.user_id, new, now)
        .await?;
    Ok(created(id.0))
}

/// A client's interactions, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/interactions", tag = "interactions",
    params(("id" = i64, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Interaction>), (status = 404, body = super::error::Problem)))]
async fn client_interactions(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<Interaction>>> {
    actor.require_read(Section::Interactions)?;
    let mut errors = FieldErrors::new();
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    let scope = actor.client_scope(Section::Interactions);
    Ok(axum::Json(
        state
            .repo
            .client_interactions(scope, ClientId(id), &page)
            .await?,
    ))
}

/// Parses a new interaction; shared with the demo loader.
pub fn parse(
    input: InteractionInput,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<NewInteraction, FieldErrors> {
    let mut errors = FieldErrors::new();
    fn word<T: std::str::FromStr<Err = String>>(
        errors: &mut FieldErrors,
        field: &str,
        value: Option<&str>,
        default: Option<T>,
    ) -> Option<T> {
        match (value, default) {
            (Some(v), _) => errors.take(field, v.parse::<T>()),
            (None, Some(d)) => Some(d),
            (None, None) => {
                errors.add(field, "is required");
                None
            }
        }
    }
    if input.client_id.is_none() {
        errors.add("client_id", "is required");
    }
    let channel = word::<Channel>(&mut errors, "channel", input.channel.as_deref(), None);
    let direction = word::<Direction>(&mut errors, "direction", input.direction.as_deref(), None);
    let priority = word(
        &mut errors,
        "priority",
        input.priority.as_deref(),
        Some(Priority::Medium),
    );
    let kind = word(
        &mut errors,
        "type",
        input.kind.as_deref(),
        Some(InteractionType::Other),
    );
    let state = word(
        &mut errors,
        "state",
        input.state.as_deref(),
        Some(InteractionState::Done),
    );
    let status = word(
        &mut errors,
        "status",
        input.status.as_deref(),
        Some(InteractionStatus::Held),
    );
    let started_at = match input.started_at.as_deref() {
        None | Some("") => Some(now),
        Some(text) => errors
            .take(
                "started_at",
                DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 time"),
            )
            .map(|t| crate::crm::whole_seconds(t.with_timezone(&Utc))),
    };
    if !(0..=7 * 24 * 3600).contains(&input.duration_s) {
        errors.add("duration_s", "must be between 0 and a week in seconds");
    }
    let advertising_source = errors.take(
        "advertising_source",
        optional(input.advertising_source.as_deref(), 200),
    );
    let result = errors.take("result", optional(input.result.as_deref(), TEXT_MAX));
    let notes = errors.take("notes", optional(input.notes.as_deref(), TEXT_MAX));
    errors.finish(|| NewInteraction {
        client_id: input.client_id.expect("checked"),
        contact_person_id: input.contact_person_id,
        channel: channel.expect("checked"),
        direction: direction.expect("checked"),
        started_at: started_at.expect("checked"),
        duration_s: input.duration_s,
        priority: priority.expect("checked"),
        kind: kind.expect("checked"),
        state: state.expect("checked"),
        status: status.expect("checked"),
        advertising_source: advertising_source.flatten(),
        responsible_id: input.responsible_id.unwrap_or(actor),
        result: result.flatten(),
        notes: notes.flatten(),
    })
}
