//! `/users/{id}/skills`: an agent's skill levels (0 to 100), which
//! skills-based queues match against their needs. Admins set them; the
//! agent's next login to queues takes them.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{Json, PathId};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::queues::Skills;
use crate::dialplan::{NAME_RULE, is_name};
use crate::ids::UserId;
use crate::runtime::clock;

/// The most skills one agent has.
const MAX_SKILLS: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/users/{id}/skills", get(read).put(write))
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkillsBody {
    /// Skill → level, 0 to 100.
    pub skills: BTreeMap<String, i64>,
}

/// A user's skills: their own, or anyone's for those who see telephony.
#[utoipa::path(get, path = "/api/v1/users/{id}/skills", tag = "agents", params(("id" = i64, Path)),
    responses((status = 200, body = SkillsBody), (status = 403, body = super::error::Problem)))]
async fn read(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<axum::Json<SkillsBody>> {
    if actor.user_id != UserId(id) {
        actor.require_read(Section::Telephony)?;
    }
    let skills = state.repo.agent_skills(UserId(id)).await?;
    Ok(axum::Json(SkillsBody {
        skills: skills.into_iter().map(|(s, l)| (s, i64::from(l))).collect(),
    }))
}

/// Replaces a user's skills (admins).
#[utoipa::path(put, path = "/api/v1/users/{id}/skills", tag = "agents", params(("id" = i64, Path)),
    request_body = SkillsBody,
    responses((status = 200, body = SkillsBody), (status = 422, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
async fn write(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(body): Json<SkillsBody>,
) -> ApiResult<axum::Json<SkillsBody>> {
    actor.require_write(Section::Telephony)?;
    let mut errors = FieldErrors::new();
    if body.skills.len() > MAX_SKILLS {
        errors.add("skills", format!("at most {MAX_SKILLS} skills"));
    }
    let mut skills = Skills::new();
    for (skill, level) in &body.skills {
        let field = format!("skills.{skill}");
        if !is_name(skill) {
            errors.add(field, format!("skill name: {NAME_RULE}"));
        } else if let Ok(level @ 0..=100) = u8::try_from(*level) {
            skills.insert(skill.clone(), level);
        } else {
            errors.add(field, "must be 0 to 100");
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    state
        .repo
        .set_agent_skills(actor.user_id, UserId(id), &skills, clock::now())
        .await?;
    Ok(axum::Json(body))
}
