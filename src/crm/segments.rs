//! Saved segments: named filters over the client base, the client list's
//! own (`q`, `status`, `kind`, `responsible`, `classifier`, `attr.KEY`),
//! that marketers keep and campaigns take their leads from. A segment is
//! its filter, not a list: adding its leads picks the clients it matches
//! then, within the reach of whoever adds them.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use super::access::ClientScope;
use super::clients::ClientFilter;
use crate::ids::UserId;

/// The client list's filters a segment may hold (besides `attr.KEY`).
pub const FILTER_KEYS: [&str; 5] = ["q", "status", "kind", "responsible", "classifier"];

/// Whether `key` is one of the client list's filters.
pub fn is_filter_key(key: &str) -> bool {
    FILTER_KEYS.contains(&key) || key.strip_prefix("attr.").is_some_and(|k| !k.is_empty())
}

/// A segment as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    /// The client list's query parameters, by name: `{"status": "lead",
    /// "attr.tier": "gold"}`. `responsible: "me"` is whoever uses it.
    #[schema(value_type = Object)]
    pub filter: BTreeMap<String, String>,
    #[schema(value_type = Option<i64>)]
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How many clients a segment matches now, within the asker's reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SegmentSize {
    pub clients: i64,
    /// Of those, the ones with a phone of their own: the leads it gives.
    pub callable: i64,
}

#[async_trait]
pub trait SegmentRepo: Send + Sync {
    /// Every segment, by name.
    async fn segments(&self) -> Result<Vec<Segment>, RepoError>;
    async fn segment(&self, id: i64) -> Result<Option<Segment>, RepoError>;
    /// Its id; `Conflict("name")` when the name is taken.
    async fn create_segment(
        &self,
        actor: UserId,
        name: &str,
        filter: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError>;
    /// `NotFound` when there is none; `Conflict("name")` as above.
    async fn update_segment(
        &self,
        actor: UserId,
        id: i64,
        name: &str,
        filter: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    async fn delete_segment(
        &self,
        actor: UserId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// The clients `filter` matches within `scope`.
    async fn segment_size(
        &self,
        scope: ClientScope,
        filter: &ClientFilter,
    ) -> Result<SegmentSize, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_holds_the_client_lists_filters_only() {
        for key in [
            "q",
            "status",
            "kind",
            "responsible",
            "classifier",
            "attr.tier",
        ] {
            assert!(is_filter_key(key), "{key}");
        }
        for key in ["sort", "limit", "cursor", "attr.", "attr", "priority", ""] {
            assert!(!is_filter_key(key), "{key}");
        }
    }
}
