//! Preview dialling: an agent of a campaign asks for the next number, sees
//! the client's card, dials it from their own phone (or skips it), and
//! records how it went. The lead the server gives is one that may be called
//! now: due, inside the calling window in the client's time zone, on no
//! do-not-call list at this moment, and not being called by anyone else.
//! - `POST /campaigns/{id}/next`: the lead and the card, or 204; 409 while
//!   the campaign is paused (a stopped campaign is only not dialled
//!   automatically: its agents may still ask for leads);
//! - `POST /campaigns/{id}/leads/{lead}/outcome`: answered (with a result
//!   from the campaign's list), busy, no answer, failed, voicemail, or
//!   skipped; a callback time schedules the next call, for the agent who
//!   promised it (the default) or anyone.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::calls::{CallScope, NewWrapUp};
use crate::crm::campaign_leads::next_lead;
use crate::crm::campaigns::{Campaign, CampaignLead, LeadNext, RunState};
use crate::crm::clients::ScreenPop;
use crate::dialer::leads::{AttemptOutcome, Rules};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/campaigns", axum::routing::get(mine))
        .route("/agent/campaign-leads", axum::routing::get(unfinished))
        .route("/campaigns/{id}/next", post(next))
        .route("/campaigns/{id}/leads/{lead}/outcome", post(outcome))
        .route(
            "/campaigns/{id}/leads/{lead}/work",
            axum::routing::get(work),
        )
        .route(
            "/clients/{id}/survey-answers",
            axum::routing::get(survey_answers),
        )
}

/// A skipped lead comes back after this long, its attempt not counted.
const SKIP_WAIT: chrono::Duration = chrono::Duration::minutes(30);

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewLead {
    pub campaign_id: i64,
    pub campaign: String,
    /// What the agent records the call as.
    pub results: Vec<String>,
    /// The conversation to follow and the questions to ask.
    pub script: Vec<crate::crm::campaigns::ScriptStep>,
    pub survey: Vec<crate::crm::campaigns::SurveyQuestion>,
    pub lead: CampaignLead,
    /// The client's card, as the agent may see it; `None` for a number the
    /// CRM does not know.
    pub card: Option<ScreenPop>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgentCampaign {
    pub id: i64,
    pub name: String,
    pub mode: crate::crm::campaigns::DialMode,
    pub results: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgentCampaigns {
    pub items: Vec<AgentCampaign>,
}

/// The campaigns you are one of the agents of.
#[utoipa::path(get, path = "/api/v1/agent/campaigns", tag = "campaigns",
    responses((status = 200, body = AgentCampaigns)))]
async fn mine(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<AgentCampaigns>> {
    let items = state
        .repo
        .campaigns()
        .await?
        .into_iter()
        .filter(|c| c.settings.agents.contains(&actor.user_id))
        .map(|c| AgentCampaign {
            id: c.id,
            name: c.name,
            mode: c.settings.mode,
            results: c.settings.results,
        })
        .collect();
    Ok(axum::Json(AgentCampaigns { items }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgentLeads {
    pub items: Vec<PreviewLead>,
}

/// The leads given to you whose outcome you have not said yet (a call the
/// dialler put through, a preview lead you took), the longest given first,
/// each with its work: what the phone panel lists as "to finish".
#[utoipa::path(get, path = "/api/v1/agent/campaign-leads", tag = "campaigns",
    responses((status = 200, body = AgentLeads)))]
async fn unfinished(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<AgentLeads>> {
    let campaigns = state.repo.campaigns().await?;
    let mut items = Vec::new();
    for lead in state.repo.agent_leads(actor.user_id).await? {
        // A campaign they no longer work is no longer theirs to finish.
        let Some(campaign) = (campaigns.iter())
            .find(|c| c.id == lead.campaign_id && c.settings.agents.contains(&actor.user_id))
        else {
            continue;
        };
        items.push(preview_of(&state, &actor, campaign.clone(), lead).await?);
    }
    Ok(axum::Json(AgentLeads { items }))
}

/// The campaign, if `actor` works it or runs campaigns.
async fn campaign_for(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Campaign> {
    let campaign = state.repo.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let works_it = campaign.settings.agents.contains(&actor.user_id);
    if !works_it && actor.require_write(Section::Campaigns).is_err() {
        return Err(ApiError::Forbidden(
            "you are not one of this campaign's agents".into(),
        ));
    }
    Ok(campaign)
}

/// The next number to call, given to you. Refused (409) while the campaign
/// is paused; a stopped campaign still gives leads to agents who ask
/// (stopping only ends automatic dialling).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/next", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = PreviewLead), (status = 204, description = "Nothing may be called now"),
        (status = 403, body = super::error::Problem), (status = 404, body = super::error::Problem),
        (status = 409, description = "The campaign is paused", body = super::error::Problem)))]
async fn next(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let campaign = campaign_for(&state, &actor, id).await?;
    if campaign.state == RunState::Paused {
        return Err(ApiError::WrongState(
            "The campaign is not running: it is paused until it is started again.".into(),
        ));
    }
    let now = clock::now();
    let Some(lead) = next_lead(&*state.repo, &campaign, Some(actor.user_id), now).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let preview = preview_of(&state, &actor, campaign, lead).await?;
    Ok(axum::Json(preview).into_response())
}

/// A lead of a campaign you work, with its card, script, survey and
/// results: what the screen pop of a campaign's call (`call.offered` with
/// `campaign_id` and `lead_id`) shows while the dialler puts it through.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/leads/{lead}/work", tag = "campaigns",
    params(("id" = i64, Path), ("lead" = i64, Path)),
    responses((status = 200, body = PreviewLead), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
async fn work(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, lead_id)): Path<(i64, i64)>,
) -> ApiResult<axum::Json<PreviewLead>> {
    let campaign = campaign_for(&state, &actor, id).await?;
    let lead = state
        .repo
        .campaign_lead(lead_id)
        .await?
        .filter(|l| l.campaign_id == id)
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(
        preview_of(&state, &actor, campaign, lead).await?,
    ))
}

/// `lead`'s work: its campaign's results, script and survey, and the
/// client's card as `actor` may see it.
async fn preview_of(
    state: &AppState,
    actor: &Actor,
    campaign: Campaign,
    lead: CampaignLead,
) -> ApiResult<PreviewLead> {
    let scope = actor.client_scope(Section::Clients);
    let card = (state.repo)
        .lookup_phone(scope, &lead.number, clock::now())
        .await?;
    let settings = campaign.settings;
    Ok(PreviewLead {
        campaign_id: campaign.id,
        campaign: campaign.name,
        results: settings.results,
        script: settings.script,
        survey: settings.survey,
        lead,
        card,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// `answered`, `busy`, `no_answer`, `failed`, `voicemail`, or `skipped`
    /// (not called: back later, the attempt not counted).
    pub outcome: Option<String>,
    /// From the campaign's results; needed when answered.
    pub result: Option<String>,
    pub notes: Option<String>,
    /// Call again at this time (RFC 3339), whatever the outcome.
    pub callback_at: Option<DateTime<Utc>>,
    /// Whose callback it is: `me` (the default: only you are given it) or
    /// `anyone` of the campaign's agents.
    pub callback_for: Option<String>,
    /// Answers to the campaign's survey by question key: the option's text,
    /// true/false, a number or text, as the question is.
    #[schema(value_type = Option<Object>)]
    pub survey: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How your call to a lead went.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/leads/{lead}/outcome", tag = "campaigns",
    params(("id" = i64, Path), ("lead" = i64, Path)), request_body = OutcomeInput,
    responses((status = 200, body = CampaignLead), (status = 404, description = "Not a lead you are calling", body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn outcome(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, lead_id)): Path<(i64, i64)>,
    Json(input): Json<OutcomeInput>,
) -> ApiResult<axum::Json<CampaignLead>> {
    let campaign = campaign_for(&state, &actor, id).await?;
    let lead = state
        .repo
        .campaign_lead(lead_id)
        .await?
        .filter(|l| l.campaign_id == id)
        .ok_or(ApiError::NotFound)?;
    let mut errors = FieldErrors::new();
    let name = input.outcome.as_deref().unwrap_or_default();
    let outcome = match name {
        "skipped" => None,
        other => match serde_json::from_value::<AttemptOutcome>(serde_json::Value::from(other)) {
            Ok(AttemptOutcome::Abandoned) | Err(_) => {
                errors.add(
                    "outcome",
                    "must be answered, busy, no_answer, failed, voicemail or skipped",
                );
                None
            }
            Ok(outcome) => Some(outcome),
        },
    };
    let result = input
        .result
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    match result {
        Some(result) if !campaign.settings.results.iter().any(|r| r == result) => errors.add(
            "result",
            format!("must be one of: {}", campaign.settings.results.join(", ")),
        ),
        None if outcome == Some(AttemptOutcome::Answered) => {
            errors.add("result", "say how the call went")
        }
        _ => {}
    }
    if let Some(at) = input.callback_at
        && at <= clock::now()
    {
        errors.add("callback_at", "must be in the future");
    }
    let mut answers = Vec::new();
    let given = input.survey.unwrap_or_default();
    for (key, value) in &given {
        match campaign.settings.survey.iter().find(|q| &q.key == key) {
            None => errors.add(format!("survey.{key}"), "no such question"),
            Some(question) => match question.check(value) {
                Ok(answer) => answers.push((key.clone(), answer)),
                Err(message) => errors.add(format!("survey.{key}"), message),
            },
        }
    }
    if outcome == Some(AttemptOutcome::Answered) {
        for question in campaign.settings.survey.iter().filter(|q| q.required) {
            if !given.contains_key(&question.key) {
                errors.add(format!("survey.{}", question.key), "must be answered");
            }
        }
    }
    let promised_to = match input.callback_for.as_deref() {
        None | Some("me") => Some(actor.user_id),
        Some("anyone") => None,
        Some(_) => {
            errors.add("callback_for", "must be me or anyone");
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let now = clock::now();
    let rules = Rules::of_campaign(&campaign.settings);
    let closed;
    let next = match (input.callback_at, outcome) {
        // Stored times are whole seconds, as the clock reads them: a
        // callback at 10:00:00.5 is due at 10:00:00.
        (Some(at), _) => LeadNext::Callback {
            at: crate::crm::whole_seconds(at),
            agent: promised_to,
        },
        (None, None) => LeadNext::Waiting {
            at: now + SKIP_WAIT,
            uncount: true,
        },
        (None, Some(outcome)) => {
            let attempts = u32::try_from(lead.attempts).unwrap_or(0);
            match rules.after(outcome, attempts, now) {
                crate::dialer::leads::LeadState::Closed(how) => {
                    closed = how.as_str();
                    LeadNext::Closed(closed)
                }
                crate::dialer::leads::LeadState::Waiting(at) => {
                    LeadNext::Waiting { at, uncount: false }
                }
                crate::dialer::leads::LeadState::Dialling => LeadNext::Waiting {
                    at: now,
                    uncount: false,
                },
            }
        }
    };
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let finished = state
        .repo
        .finish_lead(
            lead_id,
            actor.user_id,
            outcome.map(AttemptOutcome::as_str).or(Some("skipped")),
            result,
            notes,
            next,
        )
        .await?;
    if !answers.is_empty() {
        state
            .repo
            .record_survey(&finished, actor.user_id, &answers, now)
            .await?;
    }
    if let Some(result) = result {
        result_on_call(&state, &actor, &lead, result, notes).await?;
    }
    Ok(axum::Json(finished))
}

/// Puts the agent's result and notes on the call to the lead (its record
/// and the client's contact history) when the call is stored already; a
/// call stored later takes them from the lead as it is stored.
async fn result_on_call(
    state: &AppState,
    actor: &Actor,
    lead: &CampaignLead,
    result: &str,
    notes: Option<&str>,
) -> ApiResult<()> {
    let Some(given) = lead.dialled_at else {
        return Ok(());
    };
    let extensions = super::calls::own_extensions(state, actor).await?;
    let queue = crate::crm::campaigns::queue_of(lead.campaign_id);
    // Stored times are whole seconds: the call may look a second older.
    let since = given - chrono::Duration::seconds(5);
    let Some(call) = (state.repo)
        .call_out_to(&lead.number, since, &queue, &extensions)
        .await?
    else {
        return Ok(());
    };
    let wrap_up = NewWrapUp {
        result: result.to_string(),
        notes: notes.map(str::to_string),
        follow_up: None,
    };
    (state.repo)
        .wrap_up_call(&CallScope::All, call, actor.user_id, &wrap_up, clock::now())
        .await?;
    Ok(())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyAnswers {
    pub items: Vec<crate::crm::campaigns::SurveyAnswer>,
}

/// A client's answers to campaigns' surveys, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/survey-answers", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = SurveyAnswers), (status = 404, body = super::error::Problem)))]
async fn survey_answers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<SurveyAnswers>> {
    actor.require_read(Section::Clients)?;
    // Only a client the reader may see.
    let scope = actor.client_scope(Section::Clients);
    state.repo.client(scope, crate::ids::ClientId(id)).await?;
    let items = state.repo.client_survey_answers(id).await?;
    Ok(axum::Json(SurveyAnswers { items }))
}
