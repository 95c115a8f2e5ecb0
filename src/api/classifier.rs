//! `/classifier`: the tree clients are classified by.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Created, Json, PathId, created};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::classifier::ClassifierNode;
use crate::crm::text::Label;
use crate::ids::NodeId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/classifier", get(nodes).post(create_node))
        .route(
            "/classifier/{id}",
            axum::routing::patch(rename_node).delete(delete_node),
        )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Nodes {
    /// Every node, flat, parents before children.
    pub nodes: Vec<ClassifierNode>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NodeInput {
    pub parent_id: Option<NodeId>,
    pub name: Option<String>,
}

fn name(input: &NodeInput) -> Result<String, FieldErrors> {
    Label::parse(input.name.as_deref().unwrap_or(""), 200)
        .map(Label::into_string)
        .map_err(|e| FieldErrors::single("name", e))
}

/// The whole classifier tree as a flat list.
#[utoipa::path(get, path = "/api/v1/classifier", tag = "classifier", responses((status = 200, body = Nodes)))]
async fn nodes(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<Nodes>> {
    actor.require_read(Section::Classifier)?;
    Ok(axum::Json(Nodes {
        nodes: state.repo.classifier_nodes().await?,
    }))
}

/// Add a node (a root when `parent_id` is absent).
#[utoipa::path(post, path = "/api/v1/classifier", tag = "classifier", request_body = NodeInput,
    responses((status = 201, body = Created), (status = 409, body = super::error::Problem)))]
async fn create_node(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<NodeInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Classifier)?;
    let name = name(&input)?;
    let id = state.repo.create_node(input.parent_id, &name).await?;
    Ok(created(id.0))
}

/// Rename a node.
#[utoipa::path(patch, path = "/api/v1/classifier/{id}", tag = "classifier", params(("id" = i64, Path)), request_body = NodeInput,
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn rename_node(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<NodeInput>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Classifier)?;
    let name = name(&input)?;
    state.repo.rename_node(NodeId(id), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a leaf node; clients leave it.
#[utoipa::path(delete, path = "/api/v1/classifier/{id}", tag = "classifier", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = super::error::Problem)))]
async fn delete_node(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Classifier)?;
    state.repo.delete_node(NodeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
