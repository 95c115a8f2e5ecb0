//! Logging in and out, and the extractor that turns a session cookie or a
//! bearer token into the [`Actor`] a request acts for.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::Json;
use crate::crm::access::{Actor, Right, Role, Section};
use crate::crm::users::{Password, Username};
use crate::ids::{TeamId, UserId};
use crate::runtime::clock;

/// The session cookie's name.
pub const COOKIE: &str = "sb_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`; the same value is set as the `sb_session` cookie.
    pub token: String,
    pub user: UserBrief,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserBrief {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub display_name: String,
    pub team_id: Option<TeamId>,
    /// Section name to the right the role has there.
    pub rights: BTreeMap<Section, Right>,
}

/// Log in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = super::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Response> {
    let now = clock::now();
    let credentials = match Username::parse(&body.username) {
        Ok(name) => state.repo.credentials(&name).await?,
        Err(_) => None,
    };
    // Verify against a fixed hash when the user is unknown, so the answer
    // takes as long and says as little whether or not the name exists.
    let hash = credentials
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |c| c.password_hash.clone());
    let password = body.password;
    let matches = tokio::task::spawn_blocking(move || Password::verify(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let user_id = match credentials {
        Some(c) if matches && c.active => c.user_id,
        _ => {
            tracing::info!(username = %body.username, "failed login");
            return Err(ApiError::BadCredentials);
        }
    };
    let token = new_token();
    let expires = now + chrono::Duration::hours(state.session_hours);
    state
        .repo
        .create_session(&token_hash(&token), user_id, now, expires)
        .await?;
    let user = state.repo.user(user_id).await?;
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        state.session_hours * 3600
    );
    let body = LoginResponse {
        token,
        user: UserBrief {
            id: user.id,
            username: user.username,
            role: user.role,
            display_name: user.display_name,
        },
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = token_of(&headers) {
        state.repo.delete_session(&token_hash(token)).await?;
    }
    let expired = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
}

/// Who is logged in, with the rights of their role.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = super::error::Problem)))]
async fn me(actor: Actor) -> axum::Json<Me> {
    axum::Json(Me {
        id: actor.user_id,
        username: actor.username,
        role: actor.role,
        display_name: actor.display_name,
        team_id: actor.team_id,
        rights: actor.rights,
    })
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token_of(&parts.headers).ok_or(ApiError::Unauthorized)?;
        state
            .repo
            .session_actor(&token_hash(token), clock::now())
            .await?
            .ok_or(ApiError::Unauthorized)
    }
}

/// The extension of the agent whose session `headers` carry (the web app's
/// cookie on the SIP WebSocket's upgrade), if that agent has a phone.
pub async fn session_extension(
    repo: &dyn crate::crm::Repository,
    headers: &HeaderMap,
) -> Option<String> {
    let token = token_of(headers)?;
    let actor = repo
        .session_actor(&token_hash(token), clock::now())
        .await
        .ok()??;
    let account = super::sip_accounts::own_account(repo, actor.user_id)
        .await
        .ok()??;
    Some(account.extension.as_str().to_owned())
}

/// The bearer token, else the session cookie.
fn token_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// 256 random bits, hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Sessions are stored by hash, so a leaked database holds no usable tokens.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        // "unguessable" is only ever compared with, never a real password.
        Password::parse("unguessable-dummy-password")
            .expect("long enough")
            .hash()
    })
}
