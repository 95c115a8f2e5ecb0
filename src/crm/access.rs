//! Who may do what. Rights are per role and per section of the product; a
//! scope says which clients a right reaches. Scopes are turned into SQL by the
//! storage layer so that rows outside a user's rights are never even read.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{TeamId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Supervisor,
    Marketer,
    Manager,
    Agent,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Supervisor,
        Role::Marketer,
        Role::Manager,
        Role::Agent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Marketer => "marketer",
            Role::Manager => "manager",
            Role::Agent => "agent",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| "must be one of admin, supervisor, marketer, manager, agent".into())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of the product with its own rights.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Clients,
    Interactions,
    Tasks,
    Classifier,
    Attributes,
    Users,
    Audit,
    Import,
    /// SIP accounts (extensions) and, later, trunks and dialplans.
    Telephony,
    /// Call detail records.
    Calls,
    /// Outbound campaigns.
    Campaigns,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Clients,
        Section::Interactions,
        Section::Tasks,
        Section::Classifier,
        Section::Attributes,
        Section::Users,
        Section::Audit,
        Section::Import,
        Section::Telephony,
        Section::Calls,
        Section::Campaigns,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Clients => "clients",
            Section::Interactions => "interactions",
            Section::Tasks => "tasks",
            Section::Classifier => "classifier",
            Section::Attributes => "attributes",
            Section::Users => "users",
            Section::Audit => "audit",
            Section::Import => "import",
            Section::Telephony => "telephony",
            Section::Calls => "calls",
            Section::Campaigns => "campaigns",
        }
    }
}

impl FromStr for Section {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Section::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown section {s:?}"))
    }
}

/// Which records of a section a right reaches.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Only records the user is responsible for.
    Own,
    /// Records of anyone in the user's team.
    Team,
    /// Every record.
    All,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Own => "own",
            Reach::Team => "team",
            Reach::All => "all",
        }
    }
}

impl FromStr for Reach {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "own" => Ok(Reach::Own),
            "team" => Ok(Reach::Team),
            "all" => Ok(Reach::All),
            _ => Err("must be one of own, team, all".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Right {
    pub read: bool,
    pub write: bool,
    #[serde(rename = "scope")]
    pub reach: Reach,
}

impl Right {
    pub const NONE: Right = Right {
        read: false,
        write: false,
        reach: Reach::Own,
    };
}

/// The user a request acts for, with the rights of their role, loaded once per request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub rights: BTreeMap<Section, Right>,
}

/// The rows of clients an actor reaches; storage turns it into a WHERE clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientScope {
    All,
    Own(UserId),
    /// The user's own clients and those of everyone in the team.
    Team(UserId, TeamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {0:?} section is not open to this role")]
pub struct Forbidden(pub Section);

impl Actor {
    pub fn right(&self, section: Section) -> Right {
        self.rights.get(&section).copied().unwrap_or(Right::NONE)
    }

    pub fn require_read(&self, section: Section) -> Result<Right, Forbidden> {
        let right = self.right(section);
        if right.read {
            Ok(right)
        } else {
            Err(Forbidden(section))
        }
    }

    pub fn require_write(&self, section: Section) -> Result<Right, Forbidden> {
        let right = self.right(section);
        if right.write {
            Ok(right)
        } else {
            Err(Forbidden(section))
        }
    }

    /// The clients this actor reaches through `section`. A team reach without
    /// a team falls back to own clients.
    pub fn client_scope(&self, section: Section) -> ClientScope {
        match (self.right(section).reach, self.team_id) {
            (Reach::All, _) => ClientScope::All,
            (Reach::Team, Some(team)) => ClientScope::Team(self.user_id, team),
            _ => ClientScope::Own(self.user_id),
        }
    }
}

/// The rights each role gets in a new installation (admins may change them).
pub fn default_rights(role: Role) -> BTreeMap<Section, Right> {
    use Reach::*;
    let rw = |reach| Right {
        read: true,
        write: true,
        reach,
    };
    let ro = |reach| Right {
        read: true,
        write: false,
        reach,
    };
    Section::ALL
        .into_iter()
        .map(|section| {
            let right = match (role, section) {
                (Role::Admin, _) => rw(All),
                // SIP accounts hold the keys to the phone system: admins
                // manage them, supervisors see who has which extension.
                (Role::Supervisor, Section::Telephony) => ro(All),
                (_, Section::Telephony) => Right::NONE,
                // Call records are written by the switch, never through the
                // API; agents reach the calls of their own extensions.
                (Role::Supervisor | Role::Manager, Section::Calls) => ro(All),
                (Role::Marketer, Section::Calls) => Right::NONE,
                (Role::Agent, Section::Calls) => ro(Own),
                // Marketers run campaigns; supervisors and managers watch
                // them; agents get their calls, not the settings.
                (Role::Marketer | Role::Supervisor, Section::Campaigns) => rw(All),
                (Role::Manager, Section::Campaigns) => ro(All),
                (Role::Agent, Section::Campaigns) => Right::NONE,
                (Role::Supervisor, Section::Users | Section::Audit) => ro(All),
                (Role::Supervisor, Section::Import) => Right::NONE,
                (Role::Supervisor, _) => rw(All),
                (Role::Marketer, Section::Users | Section::Audit) => Right::NONE,
                (Role::Marketer, _) => rw(All),
                (Role::Manager, Section::Users) => ro(All),
                (Role::Manager, Section::Audit | Section::Import) => Right::NONE,
                (Role::Manager, Section::Classifier | Section::Attributes) => ro(All),
                (Role::Manager, _) => rw(Own),
                (Role::Agent, Section::Users | Section::Audit | Section::Import) => Right::NONE,
                (Role::Agent, Section::Classifier | Section::Attributes) => ro(All),
                (Role::Agent, _) => rw(Own),
            };
            (section, right)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, team: Option<TeamId>, reach: Reach) -> Actor {
        let mut rights = default_rights(role);
        rights.insert(
            Section::Clients,
            Right {
                read: true,
                write: true,
                reach,
            },
        );
        Actor {
            user_id: UserId(7),
            username: "u".into(),
            display_name: "U".into(),
            role,
            team_id: team,
            rights,
        }
    }

    #[test]
    fn agents_reach_only_their_own_clients_by_default() {
        let rights = default_rights(Role::Agent);
        assert_eq!(rights[&Section::Clients].reach, Reach::Own);
        assert!(!rights[&Section::Users].read);
    }

    #[test]
    fn only_admins_manage_sip_accounts_and_supervisors_see_them() {
        assert_eq!(
            default_rights(Role::Admin)[&Section::Telephony],
            Right {
                read: true,
                write: true,
                reach: Reach::All
            }
        );
        let supervisor = default_rights(Role::Supervisor)[&Section::Telephony];
        assert!(supervisor.read && !supervisor.write);
        for role in [Role::Marketer, Role::Manager, Role::Agent] {
            assert_eq!(default_rights(role)[&Section::Telephony], Right::NONE);
        }
    }

    #[test]
    fn a_team_grant_reaches_the_team_and_falls_back_to_own_without_one() {
        assert_eq!(
            actor(Role::Manager, Some(TeamId(3)), Reach::Team).client_scope(Section::Clients),
            ClientScope::Team(UserId(7), TeamId(3))
        );
        assert_eq!(
            actor(Role::Manager, None, Reach::Team).client_scope(Section::Clients),
            ClientScope::Own(UserId(7))
        );
    }

    #[test]
    fn sections_without_read_are_forbidden() {
        let agent = actor(Role::Agent, None, Reach::Own);
        assert!(agent.require_read(Section::Audit).is_err());
        assert!(agent.require_write(Section::Classifier).is_err());
        assert!(agent.require_write(Section::Clients).is_ok());
    }
}
