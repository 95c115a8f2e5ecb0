//! Storage: the sqlx implementations of the CRM repository traits, for SQLite
//! (the embedded default) and PostgreSQL, picked once from the database URL.
//!
//! The query code is written once, in `sql/`, against two names: `Db` (the
//! sqlx database) and `Store` (the backend's struct). `sqlite.rs` and
//! `postgres.rs` each bind those names and `include!` the same files, so both
//! backends run the very same SQL with concrete types: sqlx's `Any` driver
//! cannot carry timestamps, and generic code over `sqlx::Database` needs
//! higher-ranked bounds on every function. Placeholders are `$N` in both
//! dialects (sqlx binds SQLite's `$N` by number).

use std::sync::Arc;

use crate::crm::access::{Role, default_rights};
use crate::crm::{FieldErrors, RepoError, Repository};

pub mod postgres;
pub mod sqlite;
mod sqlite_bulk;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("cannot seed the database: {0}")]
    Seed(#[source] sqlx::Error),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::UnsupportedUrl(crate::config::redact_url(url)))
        }
    }
}

/// Connects, brings the schema up to date and seeds the default role rights.
pub async fn open(url: &str) -> Result<Arc<dyn Repository>, StorageError> {
    Ok(match Backend::of(url)? {
        Backend::Sqlite => Arc::new(sqlite::SqliteStore::open(url).await?),
        Backend::Postgres => Arc::new(postgres::PgStore::open(url).await?),
    })
}

/// The default rights of every role, as rows for `role_rights`.
fn default_right_rows() -> Vec<(Role, &'static str, bool, bool, &'static str)> {
    Role::ALL
        .into_iter()
        .flat_map(|role| {
            default_rights(role)
                .into_iter()
                .map(move |(section, right)| {
                    (
                        role,
                        section.as_str(),
                        right.read,
                        right.write,
                        right.reach.as_str(),
                    )
                })
        })
        .collect()
}

/// Maps a driver error; internals are logged by the API, never shown.
fn backend(e: sqlx::Error) -> RepoError {
    RepoError::Backend(e.to_string())
}

/// Maps a unique violation to a conflict on `field`, anything else to a backend error.
fn conflict_on(field: &str) -> impl Fn(sqlx::Error) -> RepoError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            RepoError::Conflict(field.to_string())
        }
        _ => backend(e),
    }
}

/// Maps the error of a write: when the database refuses the values
/// themselves (a constraint, a value it cannot hold), `Invalid`, since
/// retrying will never help; anything else is the database failing, `Backend`.
fn refused_or_backend(e: sqlx::Error) -> RepoError {
    let refused = match &e {
        sqlx::Error::Encode(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                // Class 22: data exception; class 23: integrity constraint violation.
                code.starts_with("22") || code.starts_with("23")
            } else {
                // SQLite: the primary code is the low byte of the extended
                // one; SQLITE_TOOBIG 18, SQLITE_CONSTRAINT 19, SQLITE_MISMATCH 20.
                code.parse::<i32>()
                    .is_ok_and(|code| matches!(code & 0xff, 18..=20))
            }
        }
        _ => false,
    };
    if refused {
        RepoError::Invalid(FieldErrors::single("record", e.to_string()))
    } else {
        backend(e)
    }
}

/// Text as both backends can store it: PostgreSQL refuses NUL in text, so it
/// becomes U+FFFD on both, and a record from the wire stores the same way on each.
fn storable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A stored text that should hold one of a closed set of words.
fn parse_stored<T: std::str::FromStr>(column: &str, text: &str) -> Result<T, RepoError> {
    text.parse()
        .map_err(|_| RepoError::Backend(format!("unexpected {column} {text:?} in the database")))
}

fn invalid(field: &str, message: &str) -> RepoError {
    RepoError::Invalid(FieldErrors::single(field, message))
}

/// Escapes `%`, `_` and `\` so user text matches literally inside LIKE ... ESCAPE '\'.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(Backend::of("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("postgres://u@h/db").unwrap(), Backend::Postgres);
        let err = Backend::of("mysql://u:pw@h/db").unwrap_err().to_string();
        assert!(!err.contains("pw"), "{err}");
    }

    #[test]
    fn nul_in_text_is_stored_as_the_replacement_character() {
        assert_eq!(storable("Ann\0Lee"), "Ann\u{fffd}Lee");
        assert!(matches!(storable("Ann Lee"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
