//! Listen, whisper and barge through the API: `POST
//! /api/v1/acd/agents/{id}/monitor` with a mode. A supervisor already on
//! the agent's call (they dialled `*81`, `*82` or `*83` and the extension,
//! or a button did) is switched to the mode at once; one who is not yet has
//! the softphone of their newest web app tab call the feature code, and is
//! told the number to dial from a desk phone.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::calls::MonitorMode;
use crate::crm::access::{Actor, Role};
use crate::ids::UserId;
use crate::runtime::sip::distribution::{AgentCommand, MonitorReply};

pub fn router() -> Router<AppState> {
    Router::new().route("/acd/agents/{id}/monitor", post(monitor))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MonitorInput {
    /// `listen` (both sides, unheard), `whisper` (heard by the agent
    /// alone) or `barge` (heard by both).
    pub mode: Option<String>,
    /// Not on the call yet: have the softphone of the supervisor's newest
    /// web app tab dial in (default). The web app says `false` and dials
    /// from the tab that asked.
    pub softphone: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonitorAnswer {
    pub mode: String,
    /// The supervisor was on the agent's call and is now in this mode.
    pub switched: bool,
    /// Not on the call yet: the number that joins it from the supervisor's
    /// phone.
    pub dial: Option<String>,
    /// Whether a web app softphone of the supervisor's was asked to dial it.
    pub softphone_asked: bool,
}

#[derive(Serialize)]
struct Dial<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    number: &'a str,
}

/// Listen, whisper or barge into an agent's call.
#[utoipa::path(post, path = "/api/v1/acd/agents/{id}/monitor", tag = "agents",
    params(("id" = i64, Path, description = "The agent's user id")),
    request_body = MonitorInput,
    responses((status = 200, description = "Switched to the mode", body = MonitorAnswer),
        (status = 202, description = "Not on the call yet: the softphone dials in", body = MonitorAnswer),
        (status = 403, description = "Only supervisors and admins monitor", body = super::error::Problem),
        (status = 404, description = "The agent is not logged in to a queue", body = super::error::Problem),
        (status = 409, description = "The agent is on no call", body = super::error::Problem),
        (status = 422, description = "A bad mode, or no SIP account tied to you", body = super::error::Problem)))]
async fn monitor(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(input): Json<MonitorInput>,
) -> ApiResult<(StatusCode, axum::Json<MonitorAnswer>)> {
    // The same people whose extension the SIP side lets dial the codes.
    if !matches!(actor.role, Role::Admin | Role::Supervisor) {
        return Err(ApiError::Forbidden(
            "only supervisors and admins listen to agents' calls".into(),
        ));
    }
    let name = input.mode.unwrap_or_default();
    let mode = MonitorMode::parse(&name)
        .ok_or_else(|| ApiError::invalid("mode", "must be listen, whisper or barge"))?;
    let supervisor = super::sip_accounts::own_account(state.repo.as_ref(), actor.user_id)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "mode",
                "no SIP account is tied to you: there is no phone to listen on",
            )
        })?;
    let agents = state
        .sip
        .as_ref()
        .and_then(|s| s.agents.clone())
        .ok_or_else(|| ApiError::Unavailable("SIP is not running on this server".into()))?;
    let stopped = || ApiError::Unavailable("the SIP engine has stopped".into());
    let (reply, answer) = oneshot::channel();
    if !agents.send(AgentCommand::Status { reply }) {
        return Err(stopped());
    }
    let status = answer.await.map_err(|_| stopped())?;
    let agent = status
        .agents
        .into_iter()
        .find(|a| a.agent == UserId(id))
        .ok_or(ApiError::NotFound)?;
    let (reply, answer) = oneshot::channel();
    let command = AgentCommand::Monitor {
        supervisor: supervisor.extension.as_str().to_string(),
        agent: agent.extension.clone(),
        mode,
        reply,
    };
    if !agents.send(command) {
        return Err(stopped());
    }
    let switched = match answer.await.map_err(|_| stopped())? {
        MonitorReply::Switched => true,
        MonitorReply::NotJoined => false,
        MonitorReply::AgentIdle => {
            return Err(ApiError::Conflict(format!(
                "agent {} is on no call",
                agent.extension
            )));
        }
    };
    if switched {
        let answer = MonitorAnswer {
            mode: name,
            switched,
            dial: None,
            softphone_asked: false,
        };
        return Ok((StatusCode::OK, axum::Json(answer)));
    }
    let number = format!("{}{}", mode.code(), agent.extension);
    let text = serde_json::to_string(&Dial {
        kind: "dial",
        number: &number,
    });
    let asked = match text {
        Ok(text) if input.softphone != Some(false) => {
            state.events.send_to_newest(actor.user_id, &text)
        }
        _ => false,
    };
    let answer = MonitorAnswer {
        mode: name,
        switched,
        dial: Some(number),
        softphone_asked: asked,
    };
    Ok((StatusCode::ACCEPTED, axum::Json(answer)))
}
