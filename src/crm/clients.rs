//! Clients (legal entities and individuals), their phones, e-mails, addresses,
//! contact persons, attribute values and classifier branches; the screen-pop
//! card looked up by phone number.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::RepoError;
use super::access::ClientScope;
use super::classifier::ClassifierBranch;
use super::interactions::Interaction;
use super::page::{Page, PageRequest};
use super::tasks::Task;
use super::text::{Email, Label};
use crate::ids::{AttributeId, ClientId, ContactPersonId, NodeId, UserId};
use crate::phone::Phone;

text_enum! { ClientKind { Legal = "legal", Individual = "individual" } }
text_enum! { AddressKind { Legal = "legal", Postal = "postal", Delivery = "delivery", Other = "other" } }

pub const NAME_MAX: usize = 300;
pub const TEXT_MAX: usize = 2000;

#[derive(Debug, Clone)]
pub struct PhoneEntry {
    pub phone: Phone,
    /// `work`, `mobile`, `fax` ... free text, as the company uses it.
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Address {
    pub kind: AddressKind,
    pub text: String,
}

/// A new client, every field already parsed.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub kind: ClientKind,
    pub name: Label,
    pub legal_name: Option<String>,
    pub tax_id: Option<String>,
    pub registration_number: Option<String>,
    pub bank_details: Option<String>,
    pub status: Option<String>,
    pub advertising_source: Option<String>,
    /// Filled in by the use case: the creator unless another user is named.
    pub responsible_id: Option<UserId>,
    pub notes: Option<String>,
    /// The client's key in another system, for imports and integrations.
    pub external_id: Option<String>,
    pub addresses: Vec<Address>,
    pub phones: Vec<PhoneEntry>,
    pub emails: Vec<Email>,
    /// Canonical text per attribute, checked against the definitions.
    pub attributes: Vec<(AttributeId, String)>,
    pub classifier: Vec<NodeId>,
}

/// Changes to a client. `None` keeps a field; `Some(None)` clears it; a list
/// given replaces the stored list.
#[derive(Debug, Clone, Default)]
pub struct ClientPatch {
    pub kind: Option<ClientKind>,
    pub name: Option<Label>,
    pub legal_name: Option<Option<String>>,
    pub tax_id: Option<Option<String>>,
    pub registration_number: Option<Option<String>>,
    pub bank_details: Option<Option<String>>,
    pub status: Option<Option<String>>,
    pub advertising_source: Option<Option<String>>,
    pub responsible_id: Option<UserId>,
    pub notes: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub addresses: Option<Vec<Address>>,
    pub phones: Option<Vec<PhoneEntry>>,
    pub emails: Option<Vec<Email>>,
    /// Values to set; a `None` value removes the attribute from the client.
    pub attributes: Option<Vec<(AttributeId, Option<String>)>>,
    pub classifier: Option<Vec<NodeId>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhoneView {
    pub id: i64,
    /// As entered.
    pub number: String,
    pub e164: String,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmailView {
    pub id: i64,
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct NewContactPerson {
    pub name: Label,
    pub position: Option<String>,
    pub phones: Vec<PhoneEntry>,
    pub emails: Vec<Email>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactPerson {
    pub id: ContactPersonId,
    pub client_id: ClientId,
    pub name: String,
    pub position: Option<String>,
    pub phones: Vec<PhoneView>,
    pub emails: Vec<EmailView>,
    pub notes: Option<String>,
}

/// The whole client card.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Client {
    pub id: ClientId,
    pub kind: ClientKind,
    pub name: String,
    pub legal_name: Option<String>,
    pub tax_id: Option<String>,
    pub registration_number: Option<String>,
    pub bank_details: Option<String>,
    pub status: Option<String>,
    pub advertising_source: Option<String>,
    pub responsible_id: Option<UserId>,
    pub responsible_name: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    pub addresses: Vec<Address>,
    pub phones: Vec<PhoneView>,
    pub emails: Vec<EmailView>,
    /// Attribute key to typed value.
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, Value>,
    pub classifier: Vec<ClassifierBranch>,
    pub contact_persons: Vec<ContactPerson>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One row of the client list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientSummary {
    pub id: ClientId,
    pub kind: ClientKind,
    pub name: String,
    pub status: Option<String>,
    pub primary_phone: Option<String>,
    pub primary_email: Option<String>,
    pub responsible_id: Option<UserId>,
    pub responsible_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

text_enum! {
    /// Orders of the client list; `-` means descending.
    ClientSort { Name = "name", NameDesc = "-name", Created = "created_at", CreatedDesc = "-created_at" }
}

#[derive(Debug, Clone)]
pub struct ClientFilter {
    /// Free text over name, phone and e-mail, already folded to lower case.
    pub text: Option<String>,
    /// The digits of the free text when it looks like a phone number, matched
    /// against the E.164 form.
    pub phone_digits: Option<String>,
    pub status: Option<String>,
    pub kind: Option<ClientKind>,
    pub responsible: Option<UserId>,
    /// Clients in this classifier node or any of its descendants.
    pub classifier: Option<NodeId>,
    /// Attribute equality filters, on canonical text.
    pub attributes: Vec<(AttributeId, String)>,
    pub sort: ClientSort,
}

impl Default for ClientFilter {
    fn default() -> Self {
        ClientFilter {
            text: None,
            phone_digits: None,
            status: None,
            kind: None,
            responsible: None,
            classifier: None,
            attributes: Vec::new(),
            sort: ClientSort::Name,
        }
    }
}

impl ClientFilter {
    /// Sets the free-text search: folded for names and e-mails, and as digits
    /// for phones when the text has enough of them.
    pub fn with_text(mut self, q: &str) -> Self {
        let q = q.trim();
        if q.is_empty() {
            return self;
        }
        self.text = Some(super::text::fold(q));
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let phone_like = q
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if phone_like && digits.len() >= 3 {
            self.phone_digits = Some(digits);
        }
        self
    }
}

/// What an agent's screen shows when a call from a known number rings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreenPop {
    pub client: Client,
    /// The contact person whose phone matched, when it was not the client's own.
    pub contact_person: Option<ContactPerson>,
    pub classifier: Vec<ClassifierBranch>,
    pub recent_interactions: Vec<Interaction>,
    pub open_tasks: Vec<Task>,
}

/// How many interactions the screen pop shows.
pub const SCREEN_POP_INTERACTIONS: i64 = 5;
/// How many open tasks the screen pop shows.
pub const SCREEN_POP_TASKS: i64 = 10;

#[async_trait]
pub trait ClientRepo: Send + Sync {
    /// Writes the client with its phones, e-mails, addresses, attributes,
    /// classifier branches and the audit entry in one transaction.
    async fn create_client(
        &self,
        actor: UserId,
        client: NewClient,
        now: DateTime<Utc>,
    ) -> Result<ClientId, RepoError>;
    /// The card of a client the scope reaches; `NotFound` otherwise.
    async fn client(&self, scope: ClientScope, id: ClientId) -> Result<Client, RepoError>;
    async fn update_client(
        &self,
        scope: ClientScope,
        actor: UserId,
        id: ClientId,
        patch: ClientPatch,
        now: DateTime<Utc>,
    ) -> Result<Client, RepoError>;
    async fn clients(
        &self,
        scope: ClientScope,
        filter: &ClientFilter,
        page: &PageRequest,
    ) -> Result<Page<ClientSummary>, RepoError>;
    /// The status of the client an E.164 number belongs to (the client
    /// that has had it longest), for ranking callers in queues.
    async fn status_of_number(&self, e164: &str) -> Result<Option<String>, RepoError>;
    /// The screen pop for an E.164 number, among clients the scope reaches.
    async fn lookup_phone(
        &self,
        scope: ClientScope,
        e164: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ScreenPop>, RepoError>;
    async fn add_contact_person(
        &self,
        scope: ClientScope,
        actor: UserId,
        client: ClientId,
        person: NewContactPerson,
        now: DateTime<Utc>,
    ) -> Result<ContactPersonId, RepoError>;
    async fn delete_contact_person(
        &self,
        scope: ClientScope,
        actor: UserId,
        id: ContactPersonId,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_that_looks_like_a_phone_also_searches_digits() {
        let f = ClientFilter::default().with_text("(202) 555-01");
        assert_eq!(f.phone_digits.as_deref(), Some("20255501"));
        let f = ClientFilter::default().with_text("Acme 2");
        assert_eq!(f.text.as_deref(), Some("acme 2"));
        assert_eq!(f.phone_digits, None);
    }
}
