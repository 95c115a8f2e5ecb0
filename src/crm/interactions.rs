//! Interactions: every contact with a client (call, e-mail, letter, meeting)
//! with the fields of the classic CRM contact history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use super::access::ClientScope;
use super::page::{Page, PageRequest};
use crate::ids::{ClientId, ContactPersonId, InteractionId, UserId};

text_enum! { Channel { Call = "call", Email = "email", Letter = "letter", Meeting = "meeting", Chat = "chat", Sms = "sms" } }
text_enum! { Direction { In = "in", Out = "out" } }
text_enum! { Priority { High = "high", Medium = "medium", Low = "low" } }
text_enum! {
    InteractionType { Sale = "sale", Consultation = "consultation", Complaint = "complaint", Claim = "claim", Information = "information", Other = "other" }
}
text_enum! {
    /// How far the contact achieved its aim.
    InteractionState { Done = "done", NotDone = "not_done", PartlyDone = "partly_done", NoActionNeeded = "no_action_needed" }
}
text_enum! {
    /// Whether the contact took place.
    InteractionStatus { Held = "held", Planned = "planned", PlannedCancelled = "planned_cancelled" }
}

#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub client_id: ClientId,
    pub contact_person_id: Option<ContactPersonId>,
    pub channel: Channel,
    pub direction: Direction,
    pub started_at: DateTime<Utc>,
    pub duration_s: i64,
    pub priority: Priority,
    pub kind: InteractionType,
    pub state: InteractionState,
    pub status: InteractionStatus,
    pub advertising_source: Option<String>,
    pub responsible_id: UserId,
    pub result: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Interaction {
    pub id: InteractionId,
    pub client_id: ClientId,
    pub contact_person_id: Option<ContactPersonId>,
    pub channel: Channel,
    pub direction: Direction,
    pub started_at: DateTime<Utc>,
    pub duration_s: i64,
    pub priority: Priority,
    #[serde(rename = "type")]
    pub kind: InteractionType,
    pub state: InteractionState,
    pub status: InteractionStatus,
    pub advertising_source: Option<String>,
    pub responsible_id: Option<UserId>,
    pub responsible_name: Option<String>,
    pub result: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The call this contact was, when the switch logged it.
    pub call: Option<super::calls::CallBrief>,
}

#[async_trait]
pub trait InteractionRepo: Send + Sync {
    /// Adds an interaction to a client the scope reaches (`NotFound` otherwise),
    /// with its audit entry, in one transaction.
    async fn create_interaction(
        &self,
        scope: ClientScope,
        actor: UserId,
        interaction: NewInteraction,
        now: DateTime<Utc>,
    ) -> Result<InteractionId, RepoError>;
    /// A client's interactions, newest first.
    async fn client_interactions(
        &self,
        scope: ClientScope,
        client: ClientId,
        page: &PageRequest,
    ) -> Result<Page<Interaction>, RepoError>;
}
