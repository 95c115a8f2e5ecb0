//! The live SIP view: which phones are registered to which extension, and
//! whether each trunk answers. Read-only; the SIP engine publishes it.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::runtime::sip::status::{RegisteredPhone, TrunkState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sip/registrations", get(registrations))
        .route("/sip/trunks", get(trunks))
        .route("/sip/dialplans/reload", post(reload))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    /// Rules in the plan now running.
    pub rules: usize,
}

/// Reload `dialplans/*.toml` (as SIGHUP does). A plan with errors is refused
/// with every error as `file:line: message`, and the running plan stays.
#[utoipa::path(post, path = "/api/v1/sip/dialplans/reload", tag = "sip",
    responses((status = 200, body = Reloaded), (status = 403, body = super::error::Problem),
        (status = 422, description = "The plan has errors; the running one stays", body = super::error::Problem),
        (status = 503, description = "SIP is not running", body = super::error::Problem)))]
async fn reload(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<Reloaded>> {
    actor.require_write(Section::Telephony)?;
    let Some(reloader) = state.sip.as_ref().and_then(|s| s.reload_dialplans.clone()) else {
        return Err(ApiError::Unavailable(
            "SIP is not running on this server".into(),
        ));
    };
    match (reloader.0)() {
        Ok(rules) => Ok(axum::Json(Reloaded { rules })),
        Err(lines) => {
            let mut errors = FieldErrors::new();
            for line in lines {
                errors.add("dialplans", line);
            }
            Err(ApiError::Invalid(errors))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub extension: String,
    pub phones: Vec<RegisteredPhone>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registrations {
    /// Extensions with at least one registered phone, in extension order.
    pub items: Vec<Registration>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrunkStates {
    pub items: Vec<TrunkState>,
}

/// Registered phones per extension, as the registrar holds them now.
#[utoipa::path(get, path = "/api/v1/sip/registrations", tag = "sip",
    responses((status = 200, body = Registrations), (status = 403, body = super::error::Problem)))]
async fn registrations(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<axum::Json<Registrations>> {
    actor.require_read(Section::Telephony)?;
    let items = state
        .sip
        .as_ref()
        .and_then(|sip| sip.registrations.lock().ok().map(|r| r.clone()))
        .unwrap_or_default()
        .into_iter()
        .map(|(extension, phones)| Registration { extension, phones })
        .collect();
    Ok(axum::Json(Registrations { items }))
}

/// Every configured trunk and whether it answers OPTIONS.
#[utoipa::path(get, path = "/api/v1/sip/trunks", tag = "sip",
    responses((status = 200, body = TrunkStates), (status = 403, body = super::error::Problem)))]
async fn trunks(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<TrunkStates>> {
    actor.require_read(Section::Telephony)?;
    let items = state
        .sip
        .as_ref()
        .map(|sip| sip.trunk_states())
        .unwrap_or_default();
    Ok(axum::Json(TrunkStates { items }))
}
