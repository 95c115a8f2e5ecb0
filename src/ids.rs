//! Identifier newtypes: one type per kind of record, so a task id can never be
//! passed where a client id is meant. All are 64-bit database keys.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A person who logs in: agent, supervisor, marketer, manager or admin.
    UserId;
    /// A group of users; managers may be granted their team's clients.
    TeamId;
    /// A client: a legal entity or an individual.
    ClientId;
    /// A person at a client the company talks to.
    ContactPersonId;
    /// One contact with a client: a call, e-mail, letter, meeting.
    InteractionId;
    /// A planned piece of work with a due time and a responsible user.
    TaskId;
    /// A node of the client classifier tree.
    NodeId;
    /// A user-defined client attribute definition.
    AttributeId;
    /// A SIP account: an extension that phones and softphones register as.
    SipAccountId;
    /// A stored call detail record: one finished call as the B2BUA reported it.
    CallRecordId;
}
