//! `switchboard demo`: loads the demo data set from `fixtures/demo/` through
//! the repository traits, so both databases get the same data: one user per
//! role, a team, a classifier tree, attribute definitions, about 1,000
//! clients with contact persons, interactions and tasks, and the SIP
//! extensions 1001 to 1020 (see [`sip`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::api::clients::{
    ClientInput, ContactPersonInput, parse_contact_person, parse_new_client,
};
use crate::crm::access::{ClientScope, Role};
use crate::crm::attributes::NewAttributeDef;
use crate::crm::interactions::NewInteraction;
use crate::crm::tasks::{NewTask, TaskPatch, TaskScope, TaskState};
use crate::crm::users::{NewUser, Password, Username};
use crate::crm::{FieldErrors, RepoError, Repository};
use crate::ids::{NodeId, TeamId, UserId};
use crate::phone::Region;
use crate::runtime::clock;

mod sip;
pub use sip::SipReport;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{what}: {errors}")]
    Invalid { what: String, errors: FieldErrors },
    #[error("{what}: {source}")]
    Storage { what: String, source: RepoError },
}

/// What was loaded, printed for the person who ran the command.
pub struct DemoReport {
    pub already_loaded: bool,
    pub clients: usize,
    pub interactions: usize,
    pub tasks: usize,
    pub password: String,
    pub users: Vec<(String, Role)>,
    /// The SIP extensions; `None` only until they are provisioned.
    pub sip: Option<SipReport>,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sip_added = self.sip.as_ref().map_or(0, |s| s.created);
        if self.already_loaded && sip_added == 0 {
            writeln!(
                f,
                "The demo data is already loaded (user admin exists); nothing changed."
            )?;
        } else if self.already_loaded {
            writeln!(
                f,
                "The demo data is already loaded (user admin exists); added {sip_added} missing SIP extensions."
            )?;
        } else {
            writeln!(
                f,
                "Loaded {} clients, {} interactions and {} tasks.",
                self.clients, self.interactions, self.tasks
            )?;
        }
        writeln!(f, "Demo logins (password for all: {}):", self.password)?;
        for (username, role) in &self.users {
            writeln!(f, "  {username:<12} {role}")?;
        }
        if let Some(sip) = &self.sip {
            write!(f, "{sip}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Setup {
    password: String,
    teams: Vec<String>,
    users: Vec<DemoUser>,
    /// Root node name to the names of its children.
    classifier: std::collections::BTreeMap<String, Vec<String>>,
    attributes: Vec<DemoAttribute>,
    sip_extensions: sip::DemoExtensions,
}

#[derive(Deserialize)]
struct DemoUser {
    username: String,
    role: Role,
    display_name: String,
    team: Option<String>,
}

#[derive(Deserialize)]
struct DemoAttribute {
    key: String,
    label: String,
    kind: String,
    #[serde(default)]
    choices: Vec<String>,
}

/// A client of the data set: the API's input shape plus what hangs off it.
#[derive(Deserialize)]
struct DemoClient {
    #[serde(flatten)]
    input: serde_json::Map<String, serde_json::Value>,
    /// A username.
    responsible: String,
    /// `Root/Child` names.
    classifier: Vec<String>,
    contact_persons: Vec<ContactPersonInput>,
    interactions: Vec<DemoInteraction>,
    tasks: Vec<DemoTask>,
}

#[derive(Deserialize)]
struct DemoInteraction {
    #[serde(flatten)]
    input: crate::api::interactions::InteractionInput,
}

#[derive(Deserialize)]
struct DemoTask {
    title: String,
    due_at: DateTime<Utc>,
    done: bool,
    notes: Option<String>,
}

fn read<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, DemoError> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|source| DemoError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| DemoError::Json { path, source })
}

fn storage(what: impl Into<String>) -> impl FnOnce(RepoError) -> DemoError {
    let what = what.into();
    move |source| DemoError::Storage { what, source }
}

/// Loads the data set unless its admin already exists, then adds whichever
/// demo SIP extensions are missing (their HA1 computed for `sip_realm`).
pub async fn load(
    repo: &dyn Repository,
    region: Region,
    sip_realm: &str,
    dir: &Path,
) -> Result<DemoReport, DemoError> {
    let setup: Setup = read(dir, "setup.json")?;
    let mut report = DemoReport {
        already_loaded: false,
        clients: 0,
        interactions: 0,
        tasks: 0,
        password: setup.password.clone(),
        users: setup
            .users
            .iter()
            .map(|u| (u.username.clone(), u.role))
            .collect(),
        sip: None,
    };
    let admin = Username::parse("admin").expect("a valid name");
    if repo
        .credentials(&admin)
        .await
        .map_err(storage("users"))?
        .is_some()
    {
        report.already_loaded = true;
    } else {
        load_base(repo, region, dir, &setup, &mut report).await?;
    }
    report.sip = Some(sip::provision(repo, sip_realm, &setup).await?);
    Ok(report)
}

/// Users, teams, classifier, attributes and clients with their contact
/// persons, interactions and tasks, counted into `report`.
async fn load_base(
    repo: &dyn Repository,
    region: Region,
    dir: &Path,
    setup: &Setup,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    let clients: Vec<DemoClient> = read(dir, "clients.json")?;
    let now = clock::now();

    let mut teams: HashMap<String, TeamId> = HashMap::new();
    for name in &setup.teams {
        teams.insert(
            name.clone(),
            repo.ensure_team(name).await.map_err(storage("teams"))?,
        );
    }
    // Argon2 is slow on purpose: hash the shared demo password once.
    let password = Password::parse(&setup.password).map_err(|e| DemoError::Invalid {
        what: "password".into(),
        errors: FieldErrors::single("password", e),
    })?;
    let hash = tokio::task::spawn_blocking(move || password.hash())
        .await
        .expect("hashing does not panic");
    let mut users: HashMap<String, UserId> = HashMap::new();
    for user in &setup.users {
        let username = Username::parse(&user.username).map_err(|e| DemoError::Invalid {
            what: format!("user {}", user.username),
            errors: FieldErrors::single("username", e),
        })?;
        let new = NewUser {
            username,
            display_name: user.display_name.clone(),
            password_hash: hash.clone(),
            role: user.role,
            team_id: user.team.as_ref().and_then(|t| teams.get(t).copied()),
        };
        let id = repo
            .create_user(new, now)
            .await
            .map_err(storage(format!("user {}", user.username)))?;
        users.insert(user.username.clone(), id);
    }

    let mut nodes: HashMap<String, NodeId> = HashMap::new();
    for (root, children) in &setup.classifier {
        let root_id = repo
            .create_node(None, root)
            .await
            .map_err(storage("classifier"))?;
        nodes.insert(root.clone(), root_id);
        for child in children {
            let id = repo
                .create_node(Some(root_id), child)
                .await
                .map_err(storage("classifier"))?;
            nodes.insert(format!("{root}/{child}"), id);
        }
    }
    for a in &setup.attributes {
        let def =
            NewAttributeDef::parse(&a.key, &a.label, &a.kind, &a.choices).map_err(|errors| {
                DemoError::Invalid {
                    what: format!("attribute {}", a.key),
                    errors,
                }
            })?;
        repo.create_attribute_def(def, now)
            .await
            .map_err(storage("attributes"))?;
    }
    let defs = repo.attribute_defs().await.map_err(storage("attributes"))?;

    for (i, demo) in clients.into_iter().enumerate() {
        let what = || format!("client #{} in clients.json", i + 1);
        let responsible = *users
            .get(&demo.responsible)
            .ok_or_else(|| DemoError::Invalid {
                what: what(),
                errors: FieldErrors::single("responsible", "no such demo user"),
            })?;
        let input: ClientInput = serde_json::from_value(serde_json::Value::Object(demo.input))
            .map_err(|source| DemoError::Json {
                path: dir.join("clients.json"),
                source,
            })?;
        let mut client =
            parse_new_client(input, region, &defs).map_err(|errors| DemoError::Invalid {
                what: what(),
                errors,
            })?;
        client.responsible_id = Some(responsible);
        client.classifier = demo
            .classifier
            .iter()
            .filter_map(|path| nodes.get(path).copied())
            .collect();
        let id = repo
            .create_client(responsible, client, now)
            .await
            .map_err(storage(what()))?;
        for person in demo.contact_persons {
            let person =
                parse_contact_person(person, region).map_err(|errors| DemoError::Invalid {
                    what: what(),
                    errors,
                })?;
            repo.add_contact_person(ClientScope::All, responsible, id, person, now)
                .await
                .map_err(storage(what()))?;
        }
        for interaction in demo.interactions {
            let mut input = interaction.input;
            input.client_id = Some(id);
            let new: NewInteraction = crate::api::interactions::parse(input, responsible, now)
                .map_err(|errors| DemoError::Invalid {
                    what: what(),
                    errors,
                })?;
            repo.create_interaction(ClientScope::All, responsible, new, now)
                .await
                .map_err(storage(what()))?;
            report.interactions += 1;
        }
        let scope = TaskScope {
            clients: ClientScope::All,
            user: responsible,
        };
        for task in demo.tasks {
            let new = NewTask {
                client_id: Some(id),
                title: task.title,
                notes: task.notes,
                due_at: task.due_at,
                remind_at: None,
                responsible_id: responsible,
            };
            let task_id = repo
                .create_task(scope, new, now)
                .await
                .map_err(storage(what()))?;
            if task.done {
                let done = TaskPatch {
                    state: Some(TaskState::Done),
                    ..TaskPatch::default()
                };
                repo.update_task(scope, task_id, done, now)
                    .await
                    .map_err(storage(what()))?;
            }
            report.tasks += 1;
        }
        report.clients += 1;
    }
    Ok(())
}
