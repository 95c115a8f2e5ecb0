//! The demo's SIP extensions (1001 to 1020 in `setup.json`), each with the
//! password `demo` + its extension. The demo's agents get the first ones, in
//! the order `setup.json` lists them, then its supervisors; the rest are
//! desk phones of nobody.
//!
//! Provisioning adds only the extensions that are missing, so it runs on
//! every `switchboard demo`: a base loaded before SIP accounts existed gets
//! them, and an admin's changes to the existing ones are left alone.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;

use super::{DemoError, Setup, storage};
use crate::crm::access::Role;
use crate::crm::sip_accounts::{NewSipAccount, SipAccountInput};
use crate::crm::users::Username;
use crate::crm::{RepoError, Repository};
use crate::runtime::clock;

/// `sip_extensions` in `setup.json`.
#[derive(Deserialize)]
pub(super) struct DemoExtensions {
    first: u32,
    last: u32,
    /// The password of each extension is this followed by the extension.
    password_prefix: String,
}

/// What the demo's SIP side offers, printed with the demo logins.
pub struct SipReport {
    pub first: u32,
    pub last: u32,
    pub password_prefix: String,
    /// Extensions created by this run (0 when they were all there).
    pub created: usize,
    /// Extension and username of each account tied to a demo agent.
    pub linked: Vec<(String, String)>,
}

impl fmt::Display for SipReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SIP extensions {}–{}, password {}<extension> (e.g. {} / {}{})",
            self.first,
            self.last,
            self.password_prefix,
            self.first,
            self.password_prefix,
            self.first
        )?;
        if !self.linked.is_empty() {
            let linked: Vec<_> = self
                .linked
                .iter()
                .map(|(extension, user)| format!("{extension} is {user}'s"))
                .collect();
            write!(f, "; {}", linked.join(", "))?;
        }
        writeln!(f, ".")
    }
}

/// Creates the demo extensions that do not exist yet.
pub(super) async fn provision(
    repo: &dyn Repository,
    sip_realm: &str,
    setup: &Setup,
) -> Result<SipReport, DemoError> {
    let plan = &setup.sip_extensions;
    let admin = user_id(repo, "admin")
        .await?
        .ok_or_else(|| storage("the demo admin")(RepoError::NotFound))?;
    let existing: HashSet<String> = repo
        .sip_accounts()
        .await
        .map_err(storage("SIP accounts"))?
        .into_iter()
        .map(|a| a.extension.as_str().to_string())
        .collect();
    let mut agents = Vec::new();
    // Agents first, then supervisors (who listen in on agents' calls from
    // their own softphone).
    let agents_then_supervisors = setup
        .users
        .iter()
        .filter(|u| u.role == Role::Agent)
        .chain(setup.users.iter().filter(|u| u.role == Role::Supervisor));
    for user in agents_then_supervisors {
        if let Some(id) = user_id(repo, &user.username).await? {
            agents.push((user, id));
        }
    }
    let mut report = SipReport {
        first: plan.first,
        last: plan.last,
        password_prefix: plan.password_prefix.clone(),
        created: 0,
        linked: Vec::new(),
    };
    let now = clock::now();
    for (i, number) in (plan.first..=plan.last).enumerate() {
        let extension = number.to_string();
        let agent = agents.get(i);
        if let Some((user, _)) = agent {
            report
                .linked
                .push((extension.clone(), user.username.clone()));
        }
        if existing.contains(&extension) {
            continue;
        }
        let input = SipAccountInput {
            password: Some(format!("{}{extension}", plan.password_prefix)),
            display_name: Some(match agent {
                Some((user, _)) => user.display_name.clone(),
                None => format!("Desk phone {extension}"),
            }),
            user_id: agent.map(|(_, id)| *id),
            enabled: Some(true),
            record: None,
            extension: Some(extension.clone()),
        };
        let what = format!("SIP extension {extension}");
        let account =
            NewSipAccount::parse(input, sip_realm).map_err(|errors| DemoError::Invalid {
                what: what.clone(),
                errors,
            })?;
        repo.create_sip_account(admin, account, now)
            .await
            .map_err(storage(what))?;
        report.created += 1;
    }
    Ok(report)
}

async fn user_id(
    repo: &dyn Repository,
    username: &str,
) -> Result<Option<crate::ids::UserId>, DemoError> {
    let Ok(name) = Username::parse(username) else {
        return Ok(None);
    };
    let credentials = repo
        .credentials(&name)
        .await
        .map_err(storage(format!("user {username}")))?;
    Ok(credentials.map(|c| c.user_id))
}
