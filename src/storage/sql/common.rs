// Shared by both backends through `include!` (see storage/mod.rs): the
// imports every file of `sql/` relies on, and the helpers they share.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::crm::access::{Actor, ClientScope, Right, Role, Section};
use crate::crm::attributes::{AttributeDef, AttributeKind, AttributeRepo, NewAttributeDef};
use crate::crm::audit::{AuditEntry, AuditFilter, AuditRepo, Change};
use crate::crm::calls::{CallBrief, CallFilter, CallRecord, CallRecordRepo, CallScope, Named, NewWrapUp, StoredCallRecord, WrapUp};
use crate::crm::classifier::{self, ClassifierBranch, ClassifierNode, ClassifierRepo};
use crate::crm::clients::{
    Address, Client, ClientFilter, ClientPatch, ClientRepo, ClientSort, ClientSummary, ContactPerson, EmailView,
    NewClient, NewContactPerson, PhoneEntry, PhoneView, ScreenPop,
};
use crate::crm::interactions::{Interaction, InteractionRepo, NewInteraction};
use crate::crm::page::{Cursor, Page, PageRequest};
use crate::crm::queues::{QueueRepo, Skills, StoredQueue};
use crate::crm::campaigns::{
    AttemptRecord, Campaign, CampaignLead, CampaignLeadRepo, CampaignRepo, CampaignSettings, CampaignStats, DncEntry, LeadNext,
    RunState, SurveyAnswer,
};
use crate::crm::reports::{AgentSums, QueueSums, ReportQuery, ReportRepo};
use crate::crm::segments::{Segment, SegmentRepo, SegmentSize};
use crate::crm::sip_accounts::{NewSipAccount, SipAccount, SipAccountPatch, SipAccountRepo, SipCredential};
use crate::crm::tasks::{NewTask, Task, TaskFilter, TaskPatch, TaskRepo, TaskScope, TaskState};
use crate::crm::text::{fold, Email};
use crate::crm::users::{rights_from_rows, Credentials, NewUser, User, UserRepo, Username};
use crate::crm::{RepoError, Repository};
use crate::ids::{AttributeId, CallRecordId, ClientId, ContactPersonId, InteractionId, NodeId, SipAccountId, TaskId, TeamId, UserId};
use crate::sip::digest::Ha1Set;

use super::{backend, conflict_on, invalid, like_escape, parse_stored, refused_or_backend, storable};

type Tx<'a> = sqlx::Transaction<'a, Db>;

#[async_trait]
impl Repository for Store {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn ping(&self) -> Result<(), RepoError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(backend)?;
        Ok(())
    }
}

impl Store {
    /// A write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred one that reads, then writes, fails at
    /// once with "database is locked" when another connection (the call
    /// records' writer, the dialler) wrote in between, where this one waits
    /// its turn within the busy timeout.
    async fn begin_write(&self) -> Result<Tx<'static>, RepoError> {
        if BACKEND == "sqlite" {
            self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)
        } else {
            self.pool.begin().await.map_err(backend)
        }
    }

    /// Adds the default rights of each role where none are stored yet, so an
    /// admin's changes survive upgrades.
    async fn seed_rights(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for (role, section, read, write, reach) in super::default_right_rows() {
            sqlx::query(
                "INSERT INTO role_rights (role, section, can_read, can_write, reach) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (role, section) DO NOTHING",
            )
            .bind(role.as_str())
            .bind(section)
            .bind(read)
            .bind(write)
            .bind(reach)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// Appends the rows of clients (aliased `c`) a scope reaches.
fn push_client_scope(qb: &mut QueryBuilder<Db>, scope: ClientScope) {
    match scope {
        ClientScope::All => {
            qb.push(" (1 = 1) ");
        }
        ClientScope::Own(user) => {
            qb.push(" c.responsible_id = ").push_bind(user.0);
        }
        ClientScope::Team(user, team) => {
            qb.push(" (c.responsible_id = ")
                .push_bind(user.0)
                .push(" OR c.responsible_id IN (SELECT id FROM users WHERE team_id = ")
                .push_bind(team.0)
                .push(")) ");
        }
    }
}

/// Whether a client exists and the scope reaches it.
async fn client_visible(
    conn: &mut <Db as sqlx::Database>::Connection,
    scope: ClientScope,
    client: ClientId,
) -> Result<bool, RepoError> {
    let mut qb = QueryBuilder::<Db>::new("SELECT c.id FROM clients c WHERE c.id = ");
    qb.push_bind(client.0).push(" AND ");
    push_client_scope(&mut qb, scope);
    let row = qb.build().fetch_optional(&mut *conn).await.map_err(backend)?;
    Ok(row.is_some())
}

/// Writes audit rows: one per changed field, or one without a field for
/// whole-record actions (`create`, `delete`).
async fn write_audit(
    tx: &mut Tx<'_>,
    at: DateTime<Utc>,
    user: Option<UserId>,
    entity: &str,
    entity_id: i64,
    action: &str,
    changes: &[Change],
) -> Result<(), RepoError> {
    const SQL: &str = "INSERT INTO audit_log (at, user_id, entity, entity_id, action, field, old_value, new_value)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    if changes.is_empty() {
        sqlx::query(SQL)
            .bind(at)
            .bind(user.map(|u| u.0))
            .bind(entity)
            .bind(entity_id)
            .bind(action)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    for change in changes {
        sqlx::query(SQL)
            .bind(at)
            .bind(user.map(|u| u.0))
            .bind(entity)
            .bind(entity_id)
            .bind(action)
            .bind(&change.field)
            .bind(change.old.as_deref())
            .bind(change.new.as_deref())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// Checks that a user exists, naming `field` when not.
async fn require_user(tx: &mut Tx<'_>, user: UserId, field: &str) -> Result<(), RepoError> {
    let found = sqlx::query("SELECT id FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    found.map(|_| ()).ok_or_else(|| invalid(field, "no such user"))
}
