//! The audit log: who changed which field of which record, and when.
//! Entries are written by storage in the same transaction as the change.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use super::page::{Page, PageRequest};
use crate::ids::UserId;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<UserId>,
    pub username: Option<String>,
    /// `client`, `contact_person`, `interaction`, `task`, `user` ...
    pub entity: String,
    pub entity_id: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The field changed; `null` for whole-record actions.
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// One changed field, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Collects the fields whose value differs between two versions of a record.
#[derive(Debug, Default)]
pub struct Diff(Vec<Change>);

impl Diff {
    pub fn field(&mut self, field: impl Into<String>, old: Option<&str>, new: Option<&str>) {
        if old != new {
            self.0.push(Change {
                field: field.into(),
                old: old.map(str::to_string),
                new: new.map(str::to_string),
            });
        }
    }

    pub fn into_changes(self) -> Vec<Change> {
        self.0
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub user: Option<UserId>,
}

#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Newest first.
    async fn audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, RepoError>;
    /// Records an action that did not go through another repository call
    /// (a login, an import run).
    async fn record(
        &self,
        at: DateTime<Utc>,
        user: Option<UserId>,
        entity: &str,
        entity_id: i64,
        action: &str,
    ) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_keeps_only_changed_fields() {
        let mut diff = Diff::default();
        diff.field("name", Some("Acme"), Some("Acme Ltd"));
        diff.field("status", Some("vip"), Some("vip"));
        diff.field("notes", None, Some("x"));
        let fields: Vec<_> = diff.into_changes().into_iter().map(|c| c.field).collect();
        assert_eq!(fields, vec!["name", "notes"]);
    }
}
