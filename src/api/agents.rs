//! Agents and queues: an agent logs in to queues with their own extension,
//! pauses with a reason and comes back; supervisors read every agent's
//! state and every queue's counts. The ACD runs in the SIP engine; these
//! handlers send it requests and wait for its answer.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::sync::oneshot;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::crm::access::{Actor, Section};
use crate::runtime::sip::Agents;
use crate::runtime::sip::distribution::{AcdStatus, AgentCommand, AgentView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent", get(me))
        .route("/agent/queues", get(queues))
        .route("/agent/login", post(login))
        .route("/agent/logout", post(logout))
        .route("/agent/ready", post(ready))
        .route("/agent/pause", post(pause))
        .route("/acd", get(status))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginInput {
    /// The queues to take calls from (as the dialplan names them).
    pub queues: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PauseInput {
    /// Why: `lunch`, `training`, ... shown to supervisors.
    pub reason: Option<String>,
}

fn agents(state: &AppState) -> ApiResult<Agents> {
    state
        .sip
        .as_ref()
        .and_then(|s| s.agents.clone())
        .ok_or_else(|| ApiError::Unavailable("SIP is not running on this server".into()))
}

fn send(agents: &Agents, command: AgentCommand) -> ApiResult<()> {
    if agents.send(command) {
        Ok(())
    } else {
        Err(ApiError::Unavailable("the SIP engine has stopped".into()))
    }
}

async fn ask<T>(
    agents: &Agents,
    command: AgentCommand,
    answer: oneshot::Receiver<T>,
) -> ApiResult<T> {
    send(agents, command)?;
    answer
        .await
        .map_err(|_| ApiError::Unavailable("the SIP engine has stopped".into()))
}

/// Log in to queues with your extension: calls from them ring your phone.
#[utoipa::path(post, path = "/api/v1/agent/login", tag = "agents", request_body = LoginInput,
    responses((status = 200, body = AgentView),
        (status = 404, description = "No enabled SIP account is tied to you", body = super::error::Problem),
        (status = 422, description = "No queues, or one the dialplan does not have", body = super::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<LoginInput>,
) -> ApiResult<axum::Json<AgentView>> {
    let queues = input.queues.unwrap_or_default();
    if queues.is_empty() {
        return Err(ApiError::invalid("queues", "give at least one queue"));
    }
    let agents = agents(&state)?;
    let account = super::sip_accounts::own_account(state.repo.as_ref(), actor.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The skills an admin gave them, for skills-based queues.
    let skills = state.repo.agent_skills(actor.user_id).await?;
    let (reply, answer) = oneshot::channel();
    let command = AgentCommand::Login {
        agent: actor.user_id,
        extension: account.extension.as_str().to_string(),
        queues,
        skills,
        reply,
    };
    ask(&agents, command, answer)
        .await?
        .map_err(|message| ApiError::invalid("queues", message))?;
    me(State(state), actor).await
}

/// The queues an agent may log in to: the dialplan's.
#[utoipa::path(get, path = "/api/v1/agent/queues", tag = "agents",
    responses((status = 200, body = QueueNames)))]
async fn queues(State(state): State<AppState>, _actor: Actor) -> ApiResult<axum::Json<QueueNames>> {
    let agents = agents(&state)?;
    let (reply, answer) = oneshot::channel();
    let status = ask(&agents, AgentCommand::Status { reply }, answer).await?;
    let items = status.queues.into_iter().map(|q| q.queue).collect();
    Ok(axum::Json(QueueNames { items }))
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct QueueNames {
    pub items: Vec<String>,
}

/// Your state in the queues.
#[utoipa::path(get, path = "/api/v1/agent", tag = "agents",
    responses((status = 200, body = AgentView), (status = 404, description = "Not logged in to a queue", body = super::error::Problem)))]
async fn me(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<AgentView>> {
    let agents = agents(&state)?;
    let (reply, answer) = oneshot::channel();
    let status = ask(&agents, AgentCommand::Status { reply }, answer).await?;
    status
        .agents
        .into_iter()
        .find(|a| a.agent == actor.user_id)
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// Log out of every queue (after the call in progress, if any).
#[utoipa::path(post, path = "/api/v1/agent/logout", tag = "agents", responses((status = 204)))]
async fn logout(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    send(
        &agents(&state)?,
        AgentCommand::Logout {
            agent: actor.user_id,
        },
    )?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ready for calls: after a pause, or ending wrap-up early.
#[utoipa::path(post, path = "/api/v1/agent/ready", tag = "agents", responses((status = 204)))]
async fn ready(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    send(
        &agents(&state)?,
        AgentCommand::Ready {
            agent: actor.user_id,
        },
    )?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pause with a reason (after the call in progress, if any).
#[utoipa::path(post, path = "/api/v1/agent/pause", tag = "agents", request_body = PauseInput,
    responses((status = 204), (status = 422, body = super::error::Problem)))]
async fn pause(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<PauseInput>,
) -> ApiResult<StatusCode> {
    let reason = input.reason.unwrap_or_default().trim().to_string();
    if reason.is_empty() || reason.chars().count() > 60 || reason.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "reason",
            "give a reason of 1 to 60 characters on one line",
        ));
    }
    let command = AgentCommand::Pause {
        agent: actor.user_id,
        reason,
    };
    send(&agents(&state)?, command)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The names of the queues the running plan has.
pub(super) async fn running_queues(state: &AppState) -> ApiResult<Vec<String>> {
    let agents = agents(state)?;
    let (reply, answer) = oneshot::channel();
    let status = ask(&agents, AgentCommand::Status { reply }, answer).await?;
    Ok(status.queues.into_iter().map(|q| q.queue).collect())
}

/// The results a queue's wrap-up picks from; empty when any text goes (or
/// the queue is not running here: its calls' wrap-ups are not held to a
/// list that is gone).
pub(super) async fn queue_results(state: &AppState, queue: &str) -> ApiResult<Vec<String>> {
    let Ok(agents) = agents(state) else {
        return Ok(Vec::new());
    };
    let (reply, answer) = oneshot::channel();
    let status = ask(&agents, AgentCommand::Status { reply }, answer).await?;
    Ok(status
        .queues
        .into_iter()
        .find(|q| q.queue == queue)
        .map(|q| q.results)
        .unwrap_or_default())
}

/// Every agent's state now, or `None` when this server takes no calls.
pub(crate) async fn live_status(state: &AppState) -> Option<AcdStatus> {
    let agents = agents(state).ok()?;
    let (reply, answer) = oneshot::channel();
    ask(&agents, AgentCommand::Status { reply }, answer)
        .await
        .ok()
}

/// Every agent's state and every queue's counts, for supervisors.
#[utoipa::path(get, path = "/api/v1/acd", tag = "agents",
    responses((status = 200, body = AcdStatus), (status = 403, body = super::error::Problem)))]
async fn status(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<AcdStatus>> {
    actor.require_read(Section::Telephony)?;
    let agents = agents(&state)?;
    let (reply, answer) = oneshot::channel();
    Ok(axum::Json(
        ask(&agents, AgentCommand::Status { reply }, answer).await?,
    ))
}
