//! `/segments`: saved filters over the client base (the client list's own
//! query parameters) that marketers keep and campaigns take leads from
//! (`POST /campaigns/{id}/leads/segments/{segment}`).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{Created, Json, QueryPairs, created};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::clients::ClientFilter;
use crate::crm::segments::{FILTER_KEYS, Segment, SegmentSize, is_filter_key};
use crate::crm::text::Label;
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list).post(create))
        .route("/segments/{id}", get(one).put(update).delete(delete))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    pub name: Option<String>,
    /// The client list's query parameters by name (`q`, `status`, `kind`,
    /// `responsible`, `classifier`, `attr.KEY`).
    #[schema(value_type = Option<Object>)]
    pub filter: Option<BTreeMap<String, String>>,
}

/// A segment with how many clients it matches for the one asking.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SizedSegment {
    #[serde(flatten)]
    pub segment: Segment,
    pub size: SegmentSize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SegmentList {
    pub items: Vec<SizedSegment>,
}

/// `filter` as the client list reads it; its mistakes are named
/// `filter.KEY`.
pub(super) async fn filter_of(
    state: &AppState,
    actor: &Actor,
    filter: &BTreeMap<String, String>,
    errors: &mut FieldErrors,
) -> ApiResult<ClientFilter> {
    let mut own = FieldErrors::new();
    for key in filter.keys().filter(|k| !is_filter_key(k)) {
        own.add(
            format!("filter.{key}"),
            format!(
                "not a client filter: use {} or attr.KEY",
                FILTER_KEYS.join(", ")
            ),
        );
    }
    let pairs = QueryPairs(
        (filter.iter())
            .filter(|(k, _)| is_filter_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let parsed = super::clients::client_filter(state, actor, &pairs, &mut own).await?;
    for error in own.into_vec() {
        let field = if error.field.starts_with("filter.") {
            error.field
        } else {
            format!("filter.{}", error.field)
        };
        errors.add(field, error.message);
    }
    Ok(parsed)
}

async fn sized(state: &AppState, actor: &Actor, segment: Segment) -> ApiResult<SizedSegment> {
    let mut errors = FieldErrors::new();
    let filter = filter_of(state, actor, &segment.filter, &mut errors).await?;
    // A segment saved before an attribute it names was removed matches
    // nothing now, rather than everything.
    let size = if errors.is_empty() {
        let scope = actor.client_scope(Section::Clients);
        state.repo.segment_size(scope, &filter).await?
    } else {
        SegmentSize::default()
    };
    Ok(SizedSegment { segment, size })
}

/// Every saved segment, by name, with the clients it matches now.
#[utoipa::path(get, path = "/api/v1/segments", tag = "campaigns",
    responses((status = 200, body = SegmentList), (status = 403, body = super::error::Problem)))]
async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<SegmentList>> {
    actor.require_read(Section::Campaigns)?;
    let mut items = Vec::new();
    for segment in state.repo.segments().await? {
        items.push(sized(&state, &actor, segment).await?);
    }
    Ok(axum::Json(SegmentList { items }))
}

/// One segment, with the clients it matches now.
#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = SizedSegment), (status = 404, body = super::error::Problem)))]
async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<SizedSegment>> {
    actor.require_read(Section::Campaigns)?;
    let segment = state.repo.segment(id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(sized(&state, &actor, segment).await?))
}

/// The name and filter of `input` over `current`'s, checked by field.
async fn checked(
    state: &AppState,
    actor: &Actor,
    input: SegmentInput,
    current: Option<&Segment>,
) -> ApiResult<(String, BTreeMap<String, String>)> {
    let mut errors = FieldErrors::new();
    let name = match (input.name.as_deref(), current) {
        (None, Some(current)) => Some(current.name.clone()),
        (name, _) => errors
            .take("name", Label::parse(name.unwrap_or(""), 100))
            .map(|n| n.as_str().to_string()),
    };
    let filter = match (input.filter, current) {
        (None, Some(current)) => current.filter.clone(),
        (filter, _) => {
            // Empty values are no filter, as in the client list's query.
            let filter: BTreeMap<String, String> = (filter.unwrap_or_default().into_iter())
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            filter_of(state, actor, &filter, &mut errors).await?;
            filter
        }
    };
    let checked = errors.finish(|| (name, filter))?;
    Ok((checked.0.unwrap_or_default(), checked.1))
}

/// Save a segment: a name and the client list's filters.
#[utoipa::path(post, path = "/api/v1/segments", tag = "campaigns", request_body = SegmentInput,
    responses((status = 201, body = Created), (status = 409, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<SegmentInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Campaigns)?;
    let (name, filter) = checked(&state, &actor, input, None).await?;
    let id = (state.repo)
        .create_segment(actor.user_id, &name, &filter, clock::now())
        .await?;
    Ok(created(id))
}

/// Rename a segment or change its filters; what is left out stays.
#[utoipa::path(put, path = "/api/v1/segments/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body = SegmentInput,
    responses((status = 200, body = SizedSegment), (status = 404, body = super::error::Problem),
        (status = 409, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(input): Json<SegmentInput>,
) -> ApiResult<axum::Json<SizedSegment>> {
    actor.require_write(Section::Campaigns)?;
    let current = state.repo.segment(id).await?.ok_or(ApiError::NotFound)?;
    let (name, filter) = checked(&state, &actor, input, Some(&current)).await?;
    (state.repo)
        .update_segment(actor.user_id, id, &name, &filter, clock::now())
        .await?;
    let segment = state.repo.segment(id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(sized(&state, &actor, segment).await?))
}

/// Delete a segment (the leads it gave stay).
#[utoipa::path(delete, path = "/api/v1/segments/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Campaigns)?;
    (state.repo)
        .delete_segment(actor.user_id, id, clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
