//! SIP accounts: the extensions that desk phones and softphones register as,
//! each optionally tied to the CRM user (an agent) whose phone it is.
//!
//! No password is kept anywhere: an account stores HA1 =
//! H(extension:realm:password) for MD5 and for SHA-256 (RFC 8760), which is
//! all digest authentication needs. HA1 is still a secret (it is enough to
//! impersonate the account in its realm), so it never leaves through Debug or
//! the API; only [`SipCredential`] carries it, towards the SIP engine.

use std::ops::RangeInclusive;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::optional;
use super::{FieldErrors, RepoError};
use crate::ids::{SipAccountId, UserId};
use crate::sip::digest::Ha1Set;

/// An extension number: the dialplan's extension shape, 2 to 8 ASCII digits
/// (fewer clash with access codes such as `0` or `9`, more is a phone number).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Extension(String);

impl Extension {
    pub const DIGITS: RangeInclusive<usize> = 2..=8;

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if Self::DIGITS.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Extension(text.to_string()))
        } else {
            Err(format!(
                "must be {} to {} digits",
                Self::DIGITS.start(),
                Self::DIGITS.end()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A SIP password in clear, on its way to become HA1; never printed or stored.
/// Phones keep it in their configuration and send it on every registration
/// challenge, so it is longer than a login password: at least 8 characters.
pub struct SipPassword(String);

impl SipPassword {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Taken as typed: spaces at the ends are part of the password a phone sends.
    pub fn parse(text: &str) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if text.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(SipPassword(text.to_string()))
    }

    /// The HA1 pair phones of this extension will be checked against. The
    /// extension is the digest username.
    pub fn ha1(&self, extension: &Extension, realm: &str) -> Ha1Set {
        Ha1Set::derive(extension.as_str(), realm, &self.0)
    }
}

impl std::str::FromStr for Extension {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Extension::parse(s)
    }
}

impl std::fmt::Debug for SipPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SipPassword(***)")
    }
}

/// An account as the API shows it: everything but the HA1.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SipAccount {
    pub id: SipAccountId,
    /// 2 to 8 digits; also the digest username.
    #[schema(value_type = String, example = "1001")]
    pub extension: Extension,
    pub display_name: Option<String>,
    /// The CRM user this phone belongs to (an agent), if any.
    pub user_id: Option<UserId>,
    /// A disabled account cannot register or call.
    pub enabled: bool,
    /// Every call to or from this extension is recorded.
    pub record: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body that creates an account.
#[derive(Default, Deserialize, utoipa::ToSchema)]
pub struct SipAccountInput {
    /// 2 to 8 digits.
    pub extension: Option<String>,
    /// At least 8 characters; stored only as HA1.
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub user_id: Option<UserId>,
    /// Defaults to true.
    pub enabled: Option<bool>,
    /// Record every call to or from it; defaults to false.
    pub record: Option<bool>,
}

/// A new account, checked, with its HA1 computed.
#[derive(Debug, Clone)]
pub struct NewSipAccount {
    pub extension: Extension,
    pub display_name: Option<String>,
    pub user_id: Option<UserId>,
    pub enabled: bool,
    pub record: bool,
    pub ha1: Ha1Set,
}

/// Changes to an account; `None` leaves a field as it is. The extension is
/// not among them: it is the digest username, so the stored HA1 depends on it.
#[derive(Debug, Clone, Default)]
pub struct SipAccountPatch {
    pub display_name: Option<Option<String>>,
    pub user_id: Option<Option<UserId>>,
    pub enabled: Option<bool>,
    pub record: Option<bool>,
}

/// What the SIP engine checks registrations and calls against: loaded into
/// memory at start and again after each change, so the call path never
/// waits on the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipCredential {
    pub extension: String,
    pub ha1: Ha1Set,
    pub enabled: bool,
    /// Its calls are recorded.
    pub record: bool,
    /// Its owner may listen to, whisper to and barge into agents' calls
    /// (a supervisor or an admin).
    pub may_monitor: bool,
}

/// The longest display name, as for users.
pub const DISPLAY_NAME_MAX: usize = 200;

impl NewSipAccount {
    /// Parses a create body, naming every field at fault at once; the HA1 is
    /// computed for `realm` and the password dropped.
    pub fn parse(input: SipAccountInput, realm: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let extension = match input.extension.as_deref() {
            None => {
                errors.add("extension", "is required");
                None
            }
            Some(text) => errors.take("extension", Extension::parse(text)),
        };
        let password = match input.password.as_deref() {
            None => {
                errors.add("password", "is required");
                None
            }
            Some(text) => errors.take("password", SipPassword::parse(text)),
        };
        let display_name = errors.take(
            "display_name",
            optional(input.display_name.as_deref(), DISPLAY_NAME_MAX),
        );
        let (Some(extension), Some(password), Some(display_name)) =
            (extension, password, display_name)
        else {
            return Err(errors);
        };
        Ok(NewSipAccount {
            ha1: password.ha1(&extension, realm),
            extension,
            display_name,
            user_id: input.user_id,
            enabled: input.enabled.unwrap_or(true),
            record: input.record.unwrap_or(false),
        })
    }
}

/// The password is absent from Debug: this is the request body as received.
impl std::fmt::Debug for SipAccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipAccountInput")
            .field("extension", &self.extension)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("display_name", &self.display_name)
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .field("record", &self.record)
            .finish()
    }
}

#[async_trait]
pub trait SipAccountRepo: Send + Sync {
    /// Fails with `Conflict("extension")` when the extension is taken, and
    /// `Invalid` naming `user_id` when that user does not exist.
    async fn create_sip_account(
        &self,
        actor: UserId,
        account: NewSipAccount,
        now: DateTime<Utc>,
    ) -> Result<SipAccountId, RepoError>;
    async fn sip_account(&self, id: SipAccountId) -> Result<SipAccount, RepoError>;
    /// Every account, by extension.
    async fn sip_accounts(&self) -> Result<Vec<SipAccount>, RepoError>;
    async fn update_sip_account(
        &self,
        actor: UserId,
        id: SipAccountId,
        patch: SipAccountPatch,
        now: DateTime<Utc>,
    ) -> Result<SipAccount, RepoError>;
    /// Replaces the HA1 pair; the audit log records that it changed, never the values.
    async fn set_sip_password(
        &self,
        actor: UserId,
        id: SipAccountId,
        ha1: Ha1Set,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    async fn delete_sip_account(
        &self,
        actor: UserId,
        id: SipAccountId,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// Every account's extension, HA1 pair and state, by extension: what the
    /// SIP engine holds in memory.
    async fn sip_credentials(&self) -> Result<Vec<SipCredential>, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(extension: &str, password: &str) -> SipAccountInput {
        SipAccountInput {
            extension: Some(extension.into()),
            password: Some(password.into()),
            ..SipAccountInput::default()
        }
    }

    #[test]
    fn extensions_are_two_to_eight_ascii_digits() {
        assert_eq!(Extension::parse(" 1001 ").unwrap().as_str(), "1001");
        assert!(Extension::parse("10").is_ok());
        assert!(Extension::parse("12345678").is_ok());
        for bad in ["", "7", "123456789", "10a1", "+1001", "10 01", "١٠٠١"] {
            assert!(Extension::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn sip_passwords_need_eight_characters_not_eight_bytes() {
        assert!(SipPassword::parse("demo1001").is_ok());
        assert!(SipPassword::parse("demo101").is_err());
        assert!(
            SipPassword::parse("ÄÖÜäöü").is_err(),
            "12 bytes but 6 characters"
        );
        assert!(SipPassword::parse("tab\there!").is_err());
        assert!(SipPassword::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn a_new_account_keeps_the_ha1_of_extension_realm_and_password() {
        let account = NewSipAccount::parse(input("1001", "demo1001"), "switchboard").unwrap();
        assert_eq!(
            account.ha1,
            Ha1Set::derive("1001", "switchboard", "demo1001")
        );
        assert!(
            account.enabled,
            "accounts are enabled unless told otherwise"
        );
        let elsewhere = NewSipAccount::parse(input("1001", "demo1001"), "other").unwrap();
        assert_ne!(account.ha1, elsewhere.ha1, "the realm is part of HA1");
    }

    #[test]
    fn every_bad_field_of_a_new_account_is_named() {
        let errors = NewSipAccount::parse(
            SipAccountInput {
                extension: Some("12a".into()),
                password: Some("short".into()),
                display_name: Some("x".repeat(201)),
                ..SipAccountInput::default()
            },
            "switchboard",
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["extension", "password", "display_name"]);
        let missing = NewSipAccount::parse(SipAccountInput::default(), "switchboard").unwrap_err();
        let fields: Vec<_> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["extension", "password"]);
    }

    #[test]
    fn neither_password_nor_ha1_is_ever_printed() {
        let body = input("1001", "demo1001");
        let account = NewSipAccount::parse(input("1001", "demo1001"), "switchboard").unwrap();
        let printed = format!(
            "{body:?} {account:?} {:?}",
            SipPassword::parse("demo1001").unwrap()
        );
        assert!(!printed.contains("demo1001"), "{printed}");
        assert!(!printed.contains(&account.ha1.md5), "{printed}");
        assert!(!printed.contains(&account.ha1.sha256), "{printed}");
    }
}
