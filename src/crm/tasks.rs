//! Tasks and reminders: planned work with a due time and a responsible user.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use super::access::ClientScope;
use super::page::{Page, PageRequest};
use crate::ids::{ClientId, TaskId, UserId};

text_enum! { TaskState { Open = "open", Done = "done", Cancelled = "cancelled" } }

#[derive(Debug, Clone)]
pub struct NewTask {
    pub client_id: Option<ClientId>,
    pub title: String,
    pub notes: Option<String>,
    pub due_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
    pub responsible_id: UserId,
}

/// Changes to a task; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub due_at: Option<DateTime<Utc>>,
    pub remind_at: Option<Option<DateTime<Utc>>>,
    pub responsible_id: Option<UserId>,
    pub state: Option<TaskState>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub client_id: Option<ClientId>,
    pub client_name: Option<String>,
    pub title: String,
    pub notes: Option<String>,
    pub due_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
    pub responsible_id: UserId,
    pub responsible_name: Option<String>,
    pub state: TaskState,
    /// Open and past its due time at the moment of the request.
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub responsible: Option<UserId>,
    pub state: Option<TaskState>,
    pub client: Option<ClientId>,
    /// Only open tasks due before `now`.
    pub overdue: bool,
}

/// Which tasks an actor reaches: their own, plus those on clients the scope reaches.
#[derive(Debug, Clone, Copy)]
pub struct TaskScope {
    pub clients: ClientScope,
    pub user: UserId,
}

#[async_trait]
pub trait TaskRepo: Send + Sync {
    async fn create_task(
        &self,
        scope: TaskScope,
        task: NewTask,
        now: DateTime<Utc>,
    ) -> Result<TaskId, RepoError>;
    async fn update_task(
        &self,
        scope: TaskScope,
        id: TaskId,
        patch: TaskPatch,
        now: DateTime<Utc>,
    ) -> Result<Task, RepoError>;
    async fn task(
        &self,
        scope: TaskScope,
        id: TaskId,
        now: DateTime<Utc>,
    ) -> Result<Task, RepoError>;
    /// Tasks by due time, earliest first.
    async fn tasks(
        &self,
        scope: TaskScope,
        filter: &TaskFilter,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Task>, RepoError>;
}
