//! Errors of the CRM layer: what a repository can answer, and the field-level
//! complaints produced when untrusted input is parsed into domain types.

use serde::Serialize;

/// What a repository call can fail with. Backend details are kept for the log,
/// never shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The record does not exist, or the actor may not see it: the two are
    /// indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the string names the field.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The command itself is fine but refers to something invalid (an unknown
    /// responsible user, a classifier node that does not exist...).
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("storage failure: {0}")]
    Backend(String),
}

/// One complaint about one field, with the field's JSON path (`phones[1].number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every complaint about one request, gathered so the user sees them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Keeps the value when it parsed, records the complaint when not, so that
    /// one pass over a request collects every error.
    pub fn take<T, E: std::fmt::Display>(
        &mut self,
        field: impl Into<String>,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldErrors> for RepoError {
    fn from(errors: FieldErrors) -> Self {
        RepoError::Invalid(errors)
    }
}
