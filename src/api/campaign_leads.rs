//! What campaigns call and what nobody may call:
//! - `POST /campaigns/{id}/leads/segment?status=..&classifier=..&attr.KEY=..`
//!   adds the first phone of every client the client list's filters pick
//!   (and the marketer's rights reach), `priority` to rank them;
//! - `POST /campaigns/{id}/leads` with a CSV body (`number` column, an
//!   optional `priority`) adds numbers, each tied to the client whose phone
//!   it is; bad rows are reported by line and the good ones kept;
//! - `GET /campaigns/{id}/leads` lists them with their state,
//!   `/campaigns/{id}/stats` counts them, `/campaigns/{id}/export` is CSV;
//! - `/dnc` (everywhere) and `/campaigns/{id}/dnc` (one campaign): numbers
//!   never to call, checked when a call is about to be made.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{Json, QueryPairs};
use crate::crm::FieldErrors;
use crate::crm::RepoError;
use crate::crm::access::{Actor, Section};
use crate::crm::campaigns::{CampaignLead, CampaignStats, DncEntry};
use crate::crm::page::Page;
use crate::phone::Phone;
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/leads", get(list_leads).post(add_csv))
        .route("/campaigns/{id}/leads/segment", post(add_segment))
        .route(
            "/campaigns/{id}/leads/segments/{segment}",
            post(add_saved_segment),
        )
        .route("/campaigns/{id}/stats", get(stats))
        .route("/campaigns/{id}/export", get(export))
        .route("/dnc", get(global_dnc).post(add_global_dnc))
        .route("/dnc/{id}", delete(remove_dnc))
        .route(
            "/campaigns/{id}/dnc",
            get(campaign_dnc).post(add_campaign_dnc),
        )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadsAdded {
    /// New leads (numbers the campaign had already are skipped).
    pub added: u64,
    /// CSV rows left out, with why.
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// Add the clients a filter picks (the client list's: `q`, `status`,
/// `kind`, `responsible`, `classifier`, `attr.KEY`) as leads.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/leads/segment", tag = "campaigns",
    params(("id" = i64, Path), ("priority" = Option<i32>, Query, description = "Higher is called first")),
    responses((status = 200, body = LeadsAdded), (status = 400, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
async fn add_segment(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> ApiResult<axum::Json<LeadsAdded>> {
    actor.require_write(Section::Campaigns)?;
    let mut errors = FieldErrors::new();
    let filter = super::clients::client_filter(&state, &actor, &query, &mut errors).await?;
    let priority = query.parse::<i32>("priority", &mut errors).unwrap_or(0);
    let filter = QueryPairs::finish(errors, Some(filter))?;
    add_clients(&state, &actor, id, &filter, priority).await
}

/// Adds the clients `filter` picks among those `actor` may see as leads.
async fn add_clients(
    state: &AppState,
    actor: &Actor,
    campaign: i64,
    filter: &crate::crm::clients::ClientFilter,
    priority: i32,
) -> ApiResult<axum::Json<LeadsAdded>> {
    let scope = actor.client_scope(Section::Clients);
    let added = (state.repo)
        .add_leads_from_clients(campaign, scope, filter, priority, clock::now())
        .await?;
    Ok(axum::Json(LeadsAdded {
        added,
        rejected: Vec::new(),
    }))
}

/// Add the clients a saved segment matches now (within the marketer's
/// reach) as leads.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/leads/segments/{segment}", tag = "campaigns",
    params(("id" = i64, Path), ("segment" = i64, Path),
        ("priority" = Option<i32>, Query, description = "Higher is called first")),
    responses((status = 200, body = LeadsAdded), (status = 404, body = super::error::Problem),
        (status = 422, description = "The segment names a filter that no longer exists", body = super::error::Problem)))]
async fn add_saved_segment(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, segment)): Path<(i64, i64)>,
    query: QueryPairs,
) -> ApiResult<axum::Json<LeadsAdded>> {
    actor.require_write(Section::Campaigns)?;
    let segment = state
        .repo
        .segment(segment)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut errors = FieldErrors::new();
    let priority = query.parse::<i32>("priority", &mut errors).unwrap_or(0);
    if !errors.is_empty() {
        return Err(ApiError::BadRequest(errors));
    }
    let filter = super::segments::filter_of(&state, &actor, &segment.filter, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    add_clients(&state, &actor, id, &filter, priority).await
}

/// Add numbers from a CSV file (`number`, optional `priority`).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/leads", tag = "campaigns",
    params(("id" = i64, Path)), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = LeadsAdded), (status = 400, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
async fn add_csv(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<LeadsAdded>> {
    actor.require_write(Section::Campaigns)?;
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    if !is_csv {
        return Err(ApiError::BadRequest(FieldErrors::single(
            "content-type",
            "must be text/csv",
        )));
    }
    let (leads, rejected) = read_csv(&body, state.region)?;
    let added = state.repo.add_leads(id, &leads, clock::now()).await?;
    Ok(axum::Json(LeadsAdded { added, rejected }))
}

/// A number (E.164) and its priority.
type NewLead = (String, i32);

/// The numbers and priorities of a CSV file, and the rows left out.
fn read_csv(
    body: &[u8],
    region: crate::phone::Region,
) -> Result<(Vec<NewLead>, Vec<RejectedRow>), ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(body);
    let header = reader
        .headers()
        .map_err(|e| ApiError::BadRequest(FieldErrors::single("body", e.to_string())))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(number_at) = column("number") else {
        return Err(ApiError::BadRequest(FieldErrors::single(
            "body",
            "the header row needs a number column",
        )));
    };
    let priority_at = column("priority");
    let (mut leads, mut rejected) = (Vec::new(), Vec::new());
    for (index, row) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                rejected.push(RejectedRow {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let number = match Phone::parse(row.get(number_at).unwrap_or(""), region) {
            Ok(phone) => phone.e164().to_string(),
            Err(e) => {
                rejected.push(RejectedRow {
                    line,
                    reason: format!("number: {e}"),
                });
                continue;
            }
        };
        let priority = match priority_at
            .and_then(|at| row.get(at))
            .filter(|p| !p.is_empty())
        {
            None => 0,
            Some(text) => match text.parse::<i32>() {
                Ok(priority) => priority,
                Err(_) => {
                    rejected.push(RejectedRow {
                        line,
                        reason: "priority: must be a whole number".into(),
                    });
                    continue;
                }
            },
        };
        leads.push((number, priority));
    }
    Ok((leads, rejected))
}

/// A campaign's leads with their state, in the order they were added.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/leads", tag = "campaigns",
    params(("id" = i64, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<CampaignLead>), (status = 404, body = super::error::Problem)))]
async fn list_leads(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<CampaignLead>>> {
    actor.require_read(Section::Campaigns)?;
    let mut errors = FieldErrors::new();
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    Ok(axum::Json(state.repo.campaign_leads(id, &page).await?))
}

/// A campaign's figures: leads by state, calls made, last outcomes, the
/// agents' results and why leads were closed; the dialler's calls today
/// (UTC) and the abandon rate today and over 30 days; each agent's state
/// and calls today, and the occupancy now; the calls' cost, the budget left
/// and the return of the results.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/stats", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignStats), (status = 404, body = super::error::Problem)))]
async fn stats(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<CampaignStats>> {
    actor.require_read(Section::Campaigns)?;
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let now = clock::now();
    let mut stats = state.repo.campaign_stats(id, now).await?;
    stats.price(&campaign.settings);
    let today = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let talk = (state.repo)
        .agent_talk(id, today, today + chrono::Duration::days(1))
        .await?;
    let mut agents = Vec::new();
    for &agent in &campaign.settings.agents {
        let name = match state.repo.user(agent).await {
            Ok(user) if user.display_name.is_empty() => user.username,
            Ok(user) => user.display_name,
            // A user deleted since is still one of the figures.
            Err(RepoError::NotFound) => format!("user {}", agent.0),
            Err(error) => return Err(error.into()),
        };
        agents.push((agent, name));
    }
    let states = (super::agents::live_status(&state).await)
        .map(|live| {
            live.agents
                .into_iter()
                .map(|a| (a.agent, a.state))
                .collect()
        })
        .unwrap_or_default();
    stats.staff(&agents, &states, &talk);
    if let Some(sip) = &state.sip {
        let board = sip.dialling.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lines) = board.get(&id) {
            (stats.ringing_now, stats.lines_now, stats.peak_lines) =
                (lines.ringing, lines.lines, lines.peak_lines);
        }
    }
    Ok(axum::Json(stats))
}

/// Every lead with its outcome and result, as CSV.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/export", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = super::error::Problem)))]
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    actor.require_read(Section::Campaigns)?;
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| ApiError::Internal(e.to_string());
    out.write_record([
        "number",
        "client_id",
        "client",
        "priority",
        "state",
        "closed_as",
        "attempts",
        "last_outcome",
        "result",
        "notes",
        "next_at",
    ])
    .map_err(internal)?;
    let mut page = crate::crm::page::PageRequest {
        limit: crate::crm::page::MAX_LIMIT,
        after: None,
    };
    loop {
        let leads = state.repo.campaign_leads(id, &page).await?;
        for l in &leads.items {
            out.write_record([
                l.number.clone(),
                l.client_id.map(|c| c.to_string()).unwrap_or_default(),
                l.client_name.clone().unwrap_or_default(),
                l.priority.to_string(),
                l.state.clone(),
                l.closed_as.clone().unwrap_or_default(),
                l.attempts.to_string(),
                l.last_outcome.clone().unwrap_or_default(),
                l.result.clone().unwrap_or_default(),
                l.notes.clone().unwrap_or_default(),
                l.next_at.to_rfc3339(),
            ])
            .map_err(internal)?;
        }
        match leads.items.last() {
            Some(last) if leads.next_cursor.is_some() => {
                page.after = Some(crate::crm::page::Cursor {
                    key: None,
                    id: last.id,
                });
            }
            _ => break,
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let file = format!("attachment; filename=\"campaign-{}.csv\"", campaign.id);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DncInput {
    /// Any written form; national forms use the server's default region.
    pub number: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DncList {
    pub items: Vec<DncEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DncCreated {
    pub id: i64,
    /// As stored, E.164.
    pub number: String,
}

/// Numbers no campaign may call.
#[utoipa::path(get, path = "/api/v1/dnc", tag = "campaigns",
    responses((status = 200, body = DncList), (status = 403, body = super::error::Problem)))]
async fn global_dnc(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<DncList>> {
    actor.require_read(Section::Campaigns)?;
    let items = state.repo.dnc_list(None).await?;
    Ok(axum::Json(DncList { items }))
}

/// Numbers this campaign may not call (besides the global list).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/dnc", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = DncList), (status = 404, body = super::error::Problem)))]
async fn campaign_dnc(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<DncList>> {
    actor.require_read(Section::Campaigns)?;
    state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let items = state.repo.dnc_list(Some(id)).await?;
    Ok(axum::Json(DncList { items }))
}

/// Put a number on the global do-not-call list.
#[utoipa::path(post, path = "/api/v1/dnc", tag = "campaigns", request_body = DncInput,
    responses((status = 201, body = DncCreated), (status = 409, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn add_global_dnc(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<DncInput>,
) -> ApiResult<(StatusCode, axum::Json<DncCreated>)> {
    add_dnc(&state, &actor, None, input).await
}

/// Put a number on this campaign's do-not-call list.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/dnc", tag = "campaigns", params(("id" = i64, Path)),
    request_body = DncInput,
    responses((status = 201, body = DncCreated), (status = 404, body = super::error::Problem),
        (status = 409, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn add_campaign_dnc(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(input): Json<DncInput>,
) -> ApiResult<(StatusCode, axum::Json<DncCreated>)> {
    add_dnc(&state, &actor, Some(id), input).await
}

async fn add_dnc(
    state: &AppState,
    actor: &Actor,
    campaign: Option<i64>,
    input: DncInput,
) -> ApiResult<(StatusCode, axum::Json<DncCreated>)> {
    actor.require_write(Section::Campaigns)?;
    let number = match input.number.as_deref() {
        None => return Err(ApiError::invalid("number", "give the number")),
        Some(text) => Phone::parse(text, state.region)
            .map_err(|e| ApiError::invalid("number", e.to_string()))?,
    };
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let id = state
        .repo
        .add_dnc(actor.user_id, campaign, number.e164(), reason, clock::now())
        .await?;
    let created = DncCreated {
        id,
        number: number.e164().to_string(),
    };
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Take a number off a do-not-call list.
#[utoipa::path(delete, path = "/api/v1/dnc/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn remove_dnc(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Campaigns)?;
    state
        .repo
        .delete_dnc(actor.user_id, id, clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
