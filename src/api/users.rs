//! `/users` and `/roles`: accounts and the rights of each role.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{Created, Json, created};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Right, Role, Section};
use crate::crm::users::{NewUser, Password, User, Username};
use crate::ids::TeamId;
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/roles/{role}/rights/{section}", put(set_right))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Users {
    pub items: Vec<User>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserInput {
    pub username: Option<String>,
    pub password: Option<String>,
    /// admin, supervisor, marketer, manager or agent
    pub role: Option<String>,
    pub display_name: Option<String>,
    pub team_id: Option<TeamId>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Users), (status = 403, body = super::error::Problem)))]
async fn list_users(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<Users>> {
    actor.require_read(Section::Users)?;
    Ok(axum::Json(Users {
        items: state.repo.list_users().await?,
    }))
}

/// Create a user (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = Created), (status = 403, body = super::error::Problem), (status = 409, body = super::error::Problem)))]
async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<UserInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Users)?;
    let user = parse_new_user(input)?;
    let id = state.repo.create_user(user, clock::now()).await?;
    Ok(created(id.0))
}

/// Parses a new user and hashes the password (on a blocking thread: Argon2
/// takes tens of milliseconds by design).
pub fn parse_new_user(input: UserInput) -> Result<NewUser, ApiError> {
    let mut errors = FieldErrors::new();
    let username = errors.take(
        "username",
        Username::parse(input.username.as_deref().unwrap_or("")),
    );
    let password = errors.take(
        "password",
        Password::parse(input.password.as_deref().unwrap_or("")),
    );
    let role = match input.role.as_deref() {
        None => {
            errors.add("role", "is required");
            None
        }
        Some(r) => errors.take("role", r.parse::<Role>()),
    };
    let display_name = crate::crm::text::optional(input.display_name.as_deref(), 200);
    let display_name = errors.take("display_name", display_name).flatten();
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let (username, password, role) = (
        username.expect("checked"),
        password.expect("checked"),
        role.expect("checked"),
    );
    Ok(NewUser {
        display_name: display_name.unwrap_or_else(|| username.as_str().to_string()),
        password_hash: tokio::task::block_in_place(|| password.hash()),
        username,
        role,
        team_id: input.team_id,
    })
}

/// Change what a role may do in one section (admins).
#[utoipa::path(put, path = "/api/v1/roles/{role}/rights/{section}", tag = "users",
    params(("role" = String, Path), ("section" = String, Path)), request_body = Right,
    responses((status = 204), (status = 403, body = super::error::Problem)))]
async fn set_right(
    State(state): State<AppState>,
    actor: Actor,
    axum::extract::Path((role, section)): axum::extract::Path<(String, String)>,
    Json(right): Json<Right>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Users)?;
    if actor.role != Role::Admin {
        return Err(ApiError::Forbidden("Only admins change rights.".into()));
    }
    let mut errors = FieldErrors::new();
    let role = errors.take("role", role.parse::<Role>());
    let section = errors.take("section", section.parse::<Section>());
    let (role, section) = errors.finish(|| (role.expect("checked"), section.expect("checked")))?;
    state.repo.set_right(role, section, right).await?;
    Ok(StatusCode::NO_CONTENT)
}
