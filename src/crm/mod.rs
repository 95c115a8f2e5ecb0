//! The CRM domain: clients, contact persons, the classifier, user-defined
//! attributes, interactions, tasks, users and their rights, the audit log,
//! the SIP accounts (extensions) phones register as, and call detail records.
//!
//! This layer is pure: types built by parsing (so inner code never holds an
//! unchecked string where a type exists), the repository traits that
//! `storage/` implements, and the use cases that need more than one call.
//! No SQL, HTTP or clock reads here: the current time is an argument.

/// A closed set of words stored and sent as text (`"call"`, `"done"` ...).
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod access;
pub mod attributes;
pub mod audit;
pub mod calls;
pub mod campaign_leads;
pub mod campaigns;
pub mod classifier;
pub mod clients;
pub mod error;
pub mod import;
pub mod interactions;
pub mod page;
pub mod queues;
pub mod repo;
pub mod reports;
pub mod segments;
pub mod sip_accounts;
pub mod tasks;
pub mod text;
pub mod users;

pub use error::{FieldError, FieldErrors, RepoError};

/// Every stored time is to the whole second: SQLite compares timestamps as
/// text, which is only correct when every value has the same shape.
pub fn whole_seconds(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(0)
}
pub use repo::Repository;
