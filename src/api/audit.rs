//! `/audit`: who changed what, and when.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::AppState;
use super::error::ApiResult;
use super::extract::QueryPairs;
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::audit::{AuditEntry, AuditFilter};
use crate::crm::page::Page;
use crate::ids::UserId;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("entity" = Option<String>, Query, description = "client, contact_person, interaction, task, user"),
        ("entity_id" = Option<i64>, Query), ("user_id" = Option<i64>, Query),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = super::error::Problem)))]
async fn audit(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<AuditEntry>>> {
    actor.require_read(Section::Audit)?;
    let mut errors = FieldErrors::new();
    let filter = AuditFilter {
        entity: query.get("entity").map(str::to_string),
        entity_id: query.parse::<i64>("entity_id", &mut errors),
        user: query.parse::<i64>("user_id", &mut errors).map(UserId),
    };
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    Ok(axum::Json(state.repo.audit(&filter, &page).await?))
}
