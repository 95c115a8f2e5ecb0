//! `/attributes`: user-defined client attributes.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Created, Json, created};
use crate::crm::access::{Actor, Section};
use crate::crm::attributes::{AttributeDef, NewAttributeDef};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new().route("/attributes", get(list).post(create))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeDefs {
    pub items: Vec<AttributeDef>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttributeInput {
    pub key: Option<String>,
    pub label: Option<String>,
    /// text, number, date, boolean or choice
    pub kind: Option<String>,
    #[serde(default)]
    pub choices: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/attributes", tag = "attributes", responses((status = 200, body = AttributeDefs)))]
async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<AttributeDefs>> {
    actor.require_read(Section::Attributes)?;
    Ok(axum::Json(AttributeDefs {
        items: state.repo.attribute_defs().await?,
    }))
}

/// Define a new client attribute.
#[utoipa::path(post, path = "/api/v1/attributes", tag = "attributes", request_body = AttributeInput,
    responses((status = 201, body = Created), (status = 409, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<AttributeInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Attributes)?;
    let def = NewAttributeDef::parse(
        input.key.as_deref().unwrap_or(""),
        input.label.as_deref().unwrap_or(""),
        input.kind.as_deref().unwrap_or(""),
        &input.choices,
    )?;
    let id = state.repo.create_attribute_def(def, clock::now()).await?;
    Ok(created(id.0))
}
