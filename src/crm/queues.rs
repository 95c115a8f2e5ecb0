//! Contact-centre queues kept in the database (managed through the API,
//! beside those of dialplan files) and agents' skills. A stored queue's
//! settings are a JSON object with the keys of a dialplan's `[queue.NAME]`
//! table; the dialplan loader checks them, so both kinds of queue obey the
//! same rules (see `dialplan::queue`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use crate::ids::UserId;

/// A queue as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredQueue {
    pub name: String,
    /// The `[queue.NAME]` keys: strategy, ring_timeout, wrap_up, ...
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}

impl StoredQueue {
    /// The queue as a dialplan file would define it, for the loader.
    pub fn as_dialplan(&self) -> Result<String, String> {
        let settings = toml::Value::try_from(&self.settings).map_err(|e| e.to_string())?;
        let mut queue = toml::Table::new();
        queue.insert(self.name.clone(), settings);
        let mut plan = toml::Table::new();
        plan.insert("queue".into(), toml::Value::Table(queue));
        toml::to_string(&plan).map_err(|e| e.to_string())
    }

    /// The name a loader's error gives this queue's text as its file.
    pub fn source(name: &str) -> String {
        format!("queue {name} (database)")
    }
}

/// An agent's skills: skill name → level, 0 to 100.
pub type Skills = BTreeMap<String, u8>;

#[async_trait]
pub trait QueueRepo: Send + Sync {
    /// Every stored queue, by name.
    async fn queues(&self) -> Result<Vec<StoredQueue>, RepoError>;
    /// Adds or replaces a queue (checked already), with its audit entry.
    async fn put_queue(
        &self,
        actor: UserId,
        name: &str,
        settings: &serde_json::Map<String, serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// `NotFound` when there is no such stored queue.
    async fn delete_queue(
        &self,
        actor: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// An agent's skills (none: an empty map).
    async fn agent_skills(&self, user: UserId) -> Result<Skills, RepoError>;
    /// Replaces an agent's skills, with the audit entry.
    async fn set_agent_skills(
        &self,
        actor: UserId,
        user: UserId,
        skills: &Skills,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_queue_reads_as_a_dialplan_table() {
        let settings = serde_json::json!({"strategy": "skills", "ring_timeout": 20,
            "needs": {"german": 60}, "results": ["sale", "no sale"]});
        let queue = StoredQueue {
            name: "support".into(),
            settings: settings.as_object().unwrap().clone(),
            updated_at: DateTime::default(),
        };
        let text = queue.as_dialplan().unwrap();
        let plan = crate::dialplan::load(&[(StoredQueue::source("support"), text)]).unwrap();
        let support = plan.queues().get("support").unwrap();
        assert_eq!(support.config.ring_timeout.as_secs(), 20);
        assert_eq!(support.config.needs.get("german"), Some(&60));
        assert_eq!(support.config.results, ["sale", "no sale"]);
    }
}
