//! Users, their passwords and login sessions.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RepoError;
use super::access::{Actor, Reach, Right, Role, Section};
use crate::ids::{TeamId, UserId};

/// A login name: 2 to 64 of `a-z 0-9 . _ -`, stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, String> {
        let name = text.trim().to_lowercase();
        let ok = (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Username(name))
        } else {
            Err("must be 2 to 64 letters, digits, dots, dashes or underscores".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password in clear, on its way to be hashed; never printed.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 4;

    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if text.len() > 1024 {
            return Err("must be at most 1024 bytes".into());
        }
        Ok(Password(text.to_string()))
    }

    /// Argon2id with a random salt, in PHC string form. CPU-heavy: call off
    /// the async threads.
    pub fn hash(&self) -> String {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        // 16 bytes are within the salt length limits of the PHC format.
        let salt = SaltString::encode_b64(&bytes).expect("16-byte salt is valid");
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            // Hashing fails only for out-of-range parameters; the defaults are in range.
            .expect("argon2 default parameters are valid")
            .to_string()
    }

    /// Checks a clear password against a stored PHC hash. A malformed hash
    /// counts as a mismatch.
    pub fn verify(clear: &str, phc: &str) -> bool {
        PasswordHash::new(phc)
            .map(|hash| {
                Argon2::default()
                    .verify_password(clear.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    /// Argon2 PHC string from [`Password::hash`].
    pub password_hash: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// What a login needs to check a password.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: String,
    pub active: bool,
}

#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Fails with `Conflict("username")` when the name is taken.
    async fn create_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<UserId, RepoError>;
    async fn list_users(&self) -> Result<Vec<User>, RepoError>;
    async fn user(&self, id: UserId) -> Result<User, RepoError>;
    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, RepoError>;
    /// Creates the team if needed and returns its id.
    async fn ensure_team(&self, name: &str) -> Result<TeamId, RepoError>;
    async fn set_user_team(&self, user: UserId, team: Option<TeamId>) -> Result<(), RepoError>;
    /// Replaces one role's right on one section.
    async fn set_right(&self, role: Role, section: Section, right: Right) -> Result<(), RepoError>;

    /// Stores a session by the SHA-256 of its token (the token itself is never stored).
    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// The actor behind a live session, with the rights of their role;
    /// `None` for unknown, expired sessions or deactivated users.
    async fn session_actor(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Actor>, RepoError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), RepoError>;
}

/// Rights rows as stored: (section, read, write, reach); unknown sections
/// (from a newer version) are skipped.
pub fn rights_from_rows(
    rows: impl IntoIterator<Item = (String, bool, bool, String)>,
) -> std::collections::BTreeMap<Section, Right> {
    rows.into_iter()
        .filter_map(|(section, read, write, reach)| {
            let section = section.parse().ok()?;
            let reach = reach.parse().unwrap_or(Reach::Own);
            Some((section, Right { read, write, reach }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_restricted() {
        assert_eq!(Username::parse(" Agent1 ").unwrap().as_str(), "agent1");
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("ann smith").is_err());
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = Password::parse("s3cret!").unwrap().hash();
        assert!(Password::verify("s3cret!", &hash));
        assert!(!Password::verify("s3cret", &hash));
        assert!(!Password::verify("s3cret!", "not a hash"));
        assert_eq!(
            format!("{:?}", Password::parse("s3cret!").unwrap()),
            "Password(***)"
        );
    }
}
