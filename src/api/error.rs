//! The one error type of the API. Every failure answers
//! `application/problem+json` (RFC 9457); validation problems list each field
//! at fault; internals are logged, never sent.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::crm::access::Forbidden;
use crate::crm::{FieldError, FieldErrors, RepoError};

#[derive(Debug)]
pub enum ApiError {
    /// No session, or an expired one.
    Unauthorized,
    /// A login with a wrong name or password (which of the two is not said).
    BadCredentials,
    /// Logged in, but the role may not use this section.
    Forbidden(String),
    /// Missing, or outside the user's rights: indistinguishable on purpose.
    NotFound,
    /// The request could not be read at all (bad JSON, bad query string).
    BadRequest(FieldErrors),
    /// The request was read but some fields are invalid.
    Invalid(FieldErrors),
    /// A uniqueness rule: the field names what is taken.
    Conflict(String),
    /// The record is in a state that does not allow this now (a paused
    /// campaign gives no leads); the text says why.
    WrongState(String),
    /// A part of the server this request needs is not running (SIP).
    Unavailable(String),
    /// The database is down or failed; details go to the log.
    Internal(String),
}

/// The problem document, as in RFC 9457 plus our `errors` extension.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per field at fault, with its JSON path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(FieldErrors::single(field, message))
    }

    fn parts(self) -> (StatusCode, &'static str, String, Vec<FieldError>) {
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Log in first: no valid session or bearer token was sent.".into(),
                vec![],
            ),
            ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad-credentials",
                "Wrong username or password.".into(),
                vec![],
            ),
            ApiError::Forbidden(what) => (StatusCode::FORBIDDEN, "forbidden", what, vec![]),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not-found",
                "No such record.".into(),
                vec![],
            ),
            ApiError::BadRequest(errors) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                format!("The request could not be read: {errors}"),
                errors.into_vec(),
            ),
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                format!("Some fields are invalid: {errors}"),
                errors.into_vec(),
            ),
            ApiError::Conflict(field) => (
                StatusCode::CONFLICT,
                "conflict",
                format!("The {field} is already in use."),
                vec![FieldError {
                    field,
                    message: "is already in use".into(),
                }],
            ),
            ApiError::WrongState(why) => (StatusCode::CONFLICT, "wrong-state", why, vec![]),
            ApiError::Unavailable(what) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", what, vec![])
            }
            ApiError::Internal(message) => {
                tracing::error!(error = %message, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server could not complete the request; it has been logged.".into(),
                    vec![],
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, detail, errors) = self.parts();
        problem(status, kind, detail, errors)
    }
}

/// A problem+json response; also used for errors outside handlers (404 routes).
pub fn problem(
    status: StatusCode,
    kind: &str,
    detail: String,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("/problems/{kind}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => ApiError::NotFound,
            RepoError::Conflict(field) => ApiError::Conflict(field),
            RepoError::Invalid(errors) => ApiError::Invalid(errors),
            RepoError::Backend(message) => ApiError::Internal(message),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Invalid(errors)
    }
}

impl From<Forbidden> for ApiError {
    fn from(e: Forbidden) -> Self {
        ApiError::Forbidden(format!(
            "Your role may not do this in the {} section.",
            e.0.as_str()
        ))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
