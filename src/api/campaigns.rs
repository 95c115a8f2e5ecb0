//! `/campaigns`: outbound campaigns as marketers set them up (how they
//! dial, through which trunk and as which number, the calling window in the
//! client's time, attempts and retries, the abandon limit, the results and
//! the agents). Every mistake is named by its field, all at once.
//! `POST /campaigns/{id}/start`, `/pause` and `/stop` set whether it runs.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::campaigns::{Campaign, CampaignSettings, RunState, SettingsInput, check_name};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/{id}", get(one).put(update).delete(delete))
        .route("/campaigns/{id}/start", post(start))
        .route("/campaigns/{id}/pause", post(pause))
        .route("/campaigns/{id}/stop", post(stop))
        .route("/campaign-agents", get(agents))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignAgent {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignAgents {
    pub items: Vec<CampaignAgent>,
}

/// The active agents a campaign may be given (marketers see no user list
/// otherwise).
#[utoipa::path(get, path = "/api/v1/campaign-agents", tag = "campaigns",
    responses((status = 200, body = CampaignAgents), (status = 403, body = super::error::Problem)))]
async fn agents(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<CampaignAgents>> {
    actor.require_write(Section::Campaigns)?;
    let items = state
        .repo
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == crate::crm::access::Role::Agent)
        .map(|u| CampaignAgent {
            id: u.id.0,
            name: if u.display_name.is_empty() {
                u.username
            } else {
                u.display_name
            },
        })
        .collect();
    Ok(axum::Json(CampaignAgents { items }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// Required on create.
    pub name: Option<String>,
    /// Keys left out take their defaults (create) or stay (update).
    pub settings: Option<SettingsInput>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignList {
    pub items: Vec<Campaign>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Every campaign, by name.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = CampaignList), (status = 403, body = super::error::Problem)))]
async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<CampaignList>> {
    actor.require_read(Section::Campaigns)?;
    let items = state.repo.campaigns().await?;
    Ok(axum::Json(CampaignList { items }))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = super::error::Problem)))]
async fn one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Campaign>> {
    actor.require_read(Section::Campaigns)?;
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(campaign))
}

/// Create a campaign; settings left out take their defaults (progressive,
/// 08:00 to 21:00 in the client's time, 5 attempts, 3% abandon limit).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = Created),
        (status = 409, description = "The name is taken", body = super::error::Problem),
        (status = 422, description = "Each mistake by its field", body = super::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<CampaignInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Campaigns)?;
    let (name, settings) = checked(input, None, &CampaignSettings::default(), state.region)?;
    let id = state
        .repo
        .create_campaign(actor.user_id, &name, &settings, clock::now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

/// Change a campaign's name or settings; what is left out stays.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body = CampaignInput,
    responses((status = 200, body = Campaign), (status = 404, body = super::error::Problem),
        (status = 409, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(input): Json<CampaignInput>,
) -> ApiResult<axum::Json<Campaign>> {
    actor.require_write(Section::Campaigns)?;
    let current = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let (name, settings) = checked(input, Some(&current.name), &current.settings, state.region)?;
    state
        .repo
        .update_campaign(actor.user_id, id, &name, &settings, clock::now())
        .await?;
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(campaign))
}

/// Delete a campaign.
#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Campaigns)?;
    state
        .repo
        .delete_campaign(actor.user_id, id, clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start a campaign (or resume a paused one): the dialler works it and its
/// agents are given leads. Every campaign needs agents; a progressive or
/// predictive one also a trunk.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/start", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem),
        (status = 422, description = "Each missing setting by its field", body = super::error::Problem)))]
async fn start(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Campaign>> {
    actor.require_write(Section::Campaigns)?;
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    campaign.check_startable().map_err(ApiError::Invalid)?;
    set_state(&state, &actor, id, RunState::Running).await
}

/// Pause a campaign: no new calls and no leads for its agents until it is
/// started again; calls in progress end as usual.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/pause", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
async fn pause(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Campaign>> {
    actor.require_write(Section::Campaigns)?;
    set_state(&state, &actor, id, RunState::Paused).await
}

/// Stop a campaign: the dialler calls no more of it; its agents may still
/// ask for leads one by one (preview).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/stop", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
async fn stop(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Campaign>> {
    actor.require_write(Section::Campaigns)?;
    set_state(&state, &actor, id, RunState::Stopped).await
}

async fn set_state(
    state: &AppState,
    actor: &Actor,
    id: i64,
    run: RunState,
) -> ApiResult<axum::Json<Campaign>> {
    let campaign = state
        .repo
        .set_campaign_state(actor.user_id, id, run, clock::now())
        .await?;
    Ok(axum::Json(campaign))
}

/// The name and settings a request leaves, with every mistake at once.
fn checked(
    input: CampaignInput,
    current_name: Option<&str>,
    current: &CampaignSettings,
    region: crate::phone::Region,
) -> Result<(String, CampaignSettings), ApiError> {
    let mut errors = FieldErrors::new();
    let name = match (input.name.as_deref(), current_name) {
        (Some(name), _) => match check_name(name) {
            Ok(name) => Some(name),
            Err(e) => {
                e.iter().for_each(|f| errors.add(&f.field, &f.message));
                None
            }
        },
        (None, Some(current)) => Some(current.to_string()),
        (None, None) => {
            errors.add("name", "give the campaign a name");
            None
        }
    };
    let settings = match current.apply(input.settings.unwrap_or_default(), region) {
        Ok(settings) => Some(settings),
        Err(e) => {
            e.iter().for_each(|f| errors.add(&f.field, &f.message));
            None
        }
    };
    match (name, settings) {
        (Some(name), Some(settings)) if errors.is_empty() => Ok((name, settings)),
        _ => Err(ApiError::Invalid(errors)),
    }
}
