//! `/sip/accounts`: the extensions desk phones and softphones register as
//! (the telephony section: admins manage them, supervisors may look).
//! A password becomes HA1 for the configured realm as soon as it is parsed;
//! nothing answered here carries a password or an HA1.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::error::ApiResult;
use super::extract::{Created, Json, PathId, created, double_option};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Section};
use crate::crm::sip_accounts::{
    DISPLAY_NAME_MAX, NewSipAccount, SipAccount, SipAccountInput, SipAccountPatch, SipPassword,
};
use crate::crm::text::optional;
use crate::ids::{SipAccountId, UserId};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sip/accounts", get(list).post(create))
        .route(
            "/sip/accounts/{id}",
            get(account).patch(update).delete(delete),
        )
        .route("/sip/accounts/{id}/password", put(set_password))
        .route("/sip/phone", get(phone))
}

/// The caller's own softphone: what the web app needs to register it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Phone {
    #[schema(value_type = String, example = "1001")]
    pub extension: crate::crm::sip_accounts::Extension,
    pub display_name: Option<String>,
    /// The SIP over WebSocket path on this server; the connection is
    /// authenticated by the login session, so no SIP password is needed.
    pub websocket_path: String,
}

/// The extension tied to the caller's user, for the web app's softphone.
#[utoipa::path(get, path = "/api/v1/sip/phone", tag = "sip",
    responses((status = 200, body = Phone),
        (status = 404, description = "No enabled SIP account is tied to this user", body = super::error::Problem)))]
async fn phone(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<Phone>> {
    let account = own_account(state.repo.as_ref(), actor.user_id)
        .await?
        .ok_or(super::error::ApiError::NotFound)?;
    Ok(axum::Json(Phone {
        extension: account.extension,
        display_name: account.display_name,
        websocket_path: crate::runtime::sip::ws::PATH.into(),
    }))
}

/// The enabled account tied to `user`, if any.
pub async fn own_account(
    repo: &dyn crate::crm::Repository,
    user: UserId,
) -> Result<Option<SipAccount>, crate::crm::RepoError> {
    Ok(repo
        .sip_accounts()
        .await?
        .into_iter()
        .find(|a| a.user_id == Some(user) && a.enabled))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SipAccounts {
    /// By extension, shorter extensions first.
    pub items: Vec<SipAccount>,
}

/// Changes to an account: an absent field is kept, `null` clears it. The
/// extension cannot change (it is part of the stored HA1) and the password
/// has its own endpoint; either in this body is refused, naming the field.
#[derive(Deserialize, ToSchema)]
pub struct SipAccountChanges {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Option<UserId>>,
    pub enabled: Option<bool>,
    /// Record every call to or from this extension.
    pub record: Option<bool>,
    #[serde(default)]
    #[schema(ignore)]
    pub extension: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[schema(ignore)]
    pub password: Option<serde::de::IgnoredAny>,
}

/// A new password for an account. Deliberately without Debug: it is a secret.
#[derive(Deserialize, ToSchema)]
pub struct SipPasswordInput {
    /// At least 8 characters; stored only as HA1.
    pub password: Option<String>,
}

/// Every SIP account, without credentials.
#[utoipa::path(get, path = "/api/v1/sip/accounts", tag = "sip",
    responses((status = 200, body = SipAccounts), (status = 403, body = super::error::Problem)))]
async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<axum::Json<SipAccounts>> {
    actor.require_read(Section::Telephony)?;
    Ok(axum::Json(SipAccounts {
        items: state.repo.sip_accounts().await?,
    }))
}

/// Create an account; its password is kept only as HA1 (MD5 and SHA-256) for the configured realm.
#[utoipa::path(post, path = "/api/v1/sip/accounts", tag = "sip", request_body = SipAccountInput,
    responses((status = 201, body = Created), (status = 403, body = super::error::Problem),
        (status = 409, description = "The extension is taken", body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<SipAccountInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Telephony)?;
    let account = NewSipAccount::parse(input, &state.sip_realm)?;
    let id = state
        .repo
        .create_sip_account(actor.user_id, account, clock::now())
        .await?;
    Ok(created(id.0))
}

#[utoipa::path(get, path = "/api/v1/sip/accounts/{id}", tag = "sip", params(("id" = i64, Path)),
    responses((status = 200, body = SipAccount), (status = 404, body = super::error::Problem)))]
async fn account(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<axum::Json<SipAccount>> {
    actor.require_read(Section::Telephony)?;
    Ok(axum::Json(state.repo.sip_account(SipAccountId(id)).await?))
}

/// Change an account's display name, user or state.
#[utoipa::path(patch, path = "/api/v1/sip/accounts/{id}", tag = "sip", params(("id" = i64, Path)),
    request_body = SipAccountChanges,
    responses((status = 200, body = SipAccount), (status = 404, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<SipAccountChanges>,
) -> ApiResult<axum::Json<SipAccount>> {
    actor.require_write(Section::Telephony)?;
    let mut errors = FieldErrors::new();
    let display_name = input
        .display_name
        .and_then(|name| errors.take("display_name", optional(name.as_deref(), DISPLAY_NAME_MAX)));
    if input.extension.is_some() {
        errors.add(
            "extension",
            "cannot be changed: the stored HA1 depends on it; delete the account and create a new one",
        );
    }
    if input.password.is_some() {
        errors.add(
            "password",
            "is set with PUT /api/v1/sip/accounts/{id}/password",
        );
    }
    let patch = errors.finish(|| SipAccountPatch {
        display_name,
        user_id: input.user_id,
        enabled: input.enabled,
        record: input.record,
    })?;
    let account = state
        .repo
        .update_sip_account(actor.user_id, SipAccountId(id), patch, clock::now())
        .await?;
    Ok(axum::Json(account))
}

/// Delete an account; phones registered with it can no longer authenticate.
#[utoipa::path(delete, path = "/api/v1/sip/accounts/{id}", tag = "sip", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Telephony)?;
    state
        .repo
        .delete_sip_account(actor.user_id, SipAccountId(id), clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set a new password: the stored HA1 pair is replaced; the password itself is not kept.
#[utoipa::path(put, path = "/api/v1/sip/accounts/{id}/password", tag = "sip", params(("id" = i64, Path)),
    request_body = SipPasswordInput,
    responses((status = 204), (status = 404, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn set_password(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<SipPasswordInput>,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Telephony)?;
    let password = match input.password.as_deref() {
        None => Err("is required".to_string()),
        Some(text) => SipPassword::parse(text),
    }
    .map_err(|message| FieldErrors::single("password", message))?;
    let id = SipAccountId(id);
    // The extension is the digest username, so HA1 needs it; it never changes,
    // so reading it before the write cannot race with an update.
    let account = state.repo.sip_account(id).await?;
    let ha1 = password.ha1(&account.extension, &state.sip_realm);
    state
        .repo
        .set_sip_password(actor.user_id, id, ha1, clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
