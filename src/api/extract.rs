//! Request extractors that answer problem+json naming the field at fault,
//! instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::crm::FieldErrors;

/// A JSON body. Syntax errors answer 400; a missing or mistyped field answers
/// 422 with its path (`phones[0].number`).
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::BadRequest(FieldErrors::single(
                "content-type",
                "must be application/json",
            )));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(FieldErrors::single("body", e.body_text())))?;
        parse_json(&bytes).map(Json)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        let inner = e.into_inner();
        // serde_json appends " at line L column C", which is noise for a form.
        let message = inner.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        let errors = FieldErrors::single(field, message);
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::Invalid(errors),
            _ => ApiError::BadRequest(errors),
        }
    })
}

/// Query-string pairs in order, for handlers that parse their parameters
/// themselves (filters like `attr.KEY=VALUE` have dynamic names).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(QueryPairs)
            .map_err(|e| ApiError::BadRequest(FieldErrors::single("query", e.to_string())))
    }
}

impl QueryPairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// `limit` and `cursor`, with complaints recorded.
    pub fn page(&self, errors: &mut FieldErrors) -> Option<crate::crm::page::PageRequest> {
        let limit = self.parse::<u32>("limit", errors);
        crate::crm::page::PageRequest::parse(limit, self.get("cursor"), errors)
    }

    /// Ends parameter parsing: the value when nothing was recorded, else a 400
    /// naming every bad parameter.
    pub fn finish<T>(errors: FieldErrors, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if errors.is_empty() => Ok(value),
            _ => Err(ApiError::BadRequest(errors)),
        }
    }

    /// A parameter parsed with `FromStr`, recording the error under its name.
    pub fn parse<T: std::str::FromStr>(&self, name: &str, errors: &mut FieldErrors) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.get(name)?;
        errors.take(name, text.parse::<T>())
    }
}

/// A numeric id from the path (`/clients/{id}`); anything else answers 400
/// naming the parameter.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::BadRequest(FieldErrors::single("id", e.body_text())))?;
        text.parse()
            .map(PathId)
            .map_err(|_| ApiError::BadRequest(FieldErrors::single("id", "must be a whole number")))
    }
}

/// Tells "absent" (keep the stored value) from `null` (clear it) in PATCH bodies.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

/// The body of a 201 answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A 201 with the new record's id.
pub fn created(id: i64) -> (axum::http::StatusCode, axum::Json<Created>) {
    (axum::http::StatusCode::CREATED, axum::Json(Created { id }))
}
