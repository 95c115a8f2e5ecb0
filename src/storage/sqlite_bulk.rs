//! The SQLite bulk load (see [`BulkLoad`]): an import into an empty client
//! base as one transaction on a connection of its own, written through
//! rusqlite rather than sqlx.
//!
//! Why a second driver: profiled at a million clients, a third of the sqlx
//! worker thread went to owning, copying and freeing each bound value of the
//! multi-row INSERTs, and the statements were built on the async side while
//! that thread waited. Here each row is bound by reference to a statement
//! prepared once, the way the sqlite3 shell loads, and the work runs where
//! it is called (off the async workers when there are several).
//!
//! The base is empty when the load begins and the load holds the write lock
//! until it commits, so every client there is, it wrote: rows are planned
//! from the keys it keeps in memory, with no lookups, and foreign keys are
//! off (the references a row carries are checked once per batch instead).
//! The random-order indexes are dropped inside the transaction and built
//! once at the end. Dropping the load, or any failure, rolls all of it back.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{CachedStatement, Connection, OpenFlags, OptionalExtension, params};

use super::invalid;
use crate::crm::RepoError;
use crate::crm::clients::NewClient;
use crate::crm::import::{BulkLoad, ImportColumns, MatchField, Upserted};
use crate::crm::text::fold;
use crate::ids::{ClientId, UserId};

/// The indexes built at the end rather than row by row: those whose keys
/// arrive in random order (names, numbers, addresses, values), each insert a
/// search and often a page split, and those of the creation times and the
/// audit log, which nothing reads during the load. Measured with the sqlite3
/// shell at a million clients (16 KiB pages, a commit every 200,000 rows):
/// loading with the random-order ones took 28 s; loading without them 14 s
/// and building them after 9 s. The indexes by client id stay: a repeated
/// key replaces that client's lists through them.
const DEFERRED_INDEXES: [&str; 11] = [
    "clients_created",
    "audit_log_entity",
    "audit_log_user",
    "clients_name",
    "clients_responsible",
    "clients_tax_id",
    "clients_status",
    "phones_e164",
    "emails_address",
    "client_attributes_value",
    "client_classifier_node",
];

pub(super) struct SqliteBulkLoad {
    conn: Connection,
    /// The statements that make the dropped indexes again.
    deferred: Vec<String>,
    /// The client each match key created first.
    loaded: HashMap<String, i64>,
    next_id: i64,
}

impl SqliteBulkLoad {
    /// Starts a load on the database file at `path`: `None` when the base
    /// holds clients already, or the database is not a file another
    /// connection can open.
    pub(super) fn begin(path: &Path) -> Result<Option<Self>, RepoError> {
        // Without CREATE: a name that is not a file (an in-memory
        // database) is not loaded this way. One thread uses the
        // connection, so SQLite's own locking per call is left out.
        let conn = match Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) {
            Ok(conn) => conn,
            Err(_) => return Ok(None),
        };
        conn.busy_timeout(Duration::from_secs(5)).map_err(backend)?;
        // Foreign keys cost a parent lookup per written row (the sqlite3
        // shell loaded a million clients in 13.5 s with them, 10.8 s
        // without); the pragma has to come before BEGIN. The page cache
        // holds the tables' growing ends and the index builds' sorts.
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             PRAGMA synchronous = NORMAL;
             PRAGMA cache_size = -262144;
             BEGIN IMMEDIATE;",
        )
        .map_err(backend)?;
        let stored: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM clients)", [], |row| {
                row.get(0)
            })
            .map_err(backend)?;
        if stored {
            return Ok(None);
        }
        let mut deferred = Vec::new();
        for name in DEFERRED_INDEXES {
            let sql: Option<String> = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()
                .map_err(backend)?;
            if let Some(sql) = sql {
                // Names come from the list above, not from users.
                conn.execute_batch(&format!("DROP INDEX \"{name}\""))
                    .map_err(backend)?;
                deferred.push(sql);
            }
        }
        Ok(Some(SqliteBulkLoad {
            conn,
            deferred,
            loaded: HashMap::new(),
            next_id: 1,
        }))
    }

    /// One batch in a savepoint, all or nothing.
    fn upsert(
        &mut self,
        actor: UserId,
        field: MatchField,
        clients: &[NewClient],
        now: DateTime<Utc>,
    ) -> Result<Vec<Upserted>, RepoError> {
        let keys = clients
            .iter()
            .enumerate()
            .map(|(i, c)| {
                field.key(c).ok_or_else(|| {
                    invalid(&format!("rows[{i}].{field}"), "is needed to match the row")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.conn
            .execute_batch("SAVEPOINT batch")
            .map_err(backend)?;
        let mut created = Vec::new();
        let written = check_references(&self.conn, actor, clients).and_then(|()| {
            let now = crate::crm::whole_seconds(now).to_rfc3339_opts(SecondsFormat::AutoSi, false);
            let mut writer = Writer::new(&self.conn, actor, &now).map_err(backend)?;
            let mut next_id = self.next_id;
            let mut outcomes = Vec::with_capacity(clients.len());
            let mut batch: HashMap<&str, i64> = HashMap::new();
            for (client, key) in clients.iter().zip(&keys) {
                match batch.get(key.as_str()).or_else(|| self.loaded.get(key)) {
                    Some(&id) => {
                        writer.replace(id, client)?;
                        outcomes.push(Upserted::Updated(ClientId(id)));
                    }
                    None => {
                        writer.create(next_id, client)?;
                        batch.insert(key, next_id);
                        created.push((key, next_id));
                        outcomes.push(Upserted::Created(ClientId(next_id)));
                        next_id += 1;
                    }
                }
            }
            Ok(outcomes)
        });
        match written {
            Ok(outcomes) => {
                self.conn.execute_batch("RELEASE batch").map_err(backend)?;
                for (key, id) in created {
                    self.loaded.insert(key.clone(), id);
                    self.next_id = id + 1;
                }
                Ok(outcomes)
            }
            Err(e) => {
                self.conn
                    .execute_batch("ROLLBACK TO batch; RELEASE batch")
                    .map_err(backend)?;
                Err(e)
            }
        }
    }

    fn commit(self) -> Result<(), RepoError> {
        for sql in &self.deferred {
            self.conn.execute_batch(sql).map_err(backend)?;
        }
        self.conn.execute_batch("COMMIT").map_err(backend)
    }
}

#[async_trait]
impl BulkLoad for SqliteBulkLoad {
    async fn upsert_clients(
        &mut self,
        actor: UserId,
        field: MatchField,
        // Every client of the load came from the same file: its columns
        // are those every row has.
        _columns: &ImportColumns,
        clients: &[NewClient],
        now: DateTime<Utc>,
    ) -> Result<Vec<Upserted>, RepoError> {
        blocking(|| self.upsert(actor, field, clients, now))
    }

    async fn finish(self: Box<Self>) -> Result<(), RepoError> {
        blocking(move || self.commit())
    }
}

/// Runs blocking database work: moved off the async workers when the
/// runtime has several, inline on a single-threaded one (where a batch
/// blocks like any other step of the command).
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Refuses responsible users, classifier nodes and attributes that do not
/// exist: with foreign keys off, nothing else would.
fn check_references(
    conn: &Connection,
    actor: UserId,
    clients: &[NewClient],
) -> Result<(), RepoError> {
    let exists = |table: &str, id: i64| -> Result<bool, RepoError> {
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
            ))
            .map_err(backend)?;
        statement.query_row([id], |row| row.get(0)).map_err(backend)
    };
    if !exists("users", actor.0)? {
        return Err(invalid("actor", "no such user"));
    }
    let mut checked = HashSet::new();
    for (i, client) in clients.iter().enumerate() {
        let references = client
            .responsible_id
            .map(|u| ("users", u.0, "responsible", "no such user"))
            .into_iter()
            .chain(client.classifier.iter().map(|n| {
                (
                    "classifier_nodes",
                    n.0,
                    "classifier",
                    "no such classifier node",
                )
            }))
            .chain(
                client
                    .attributes
                    .iter()
                    .map(|(a, _)| ("attribute_defs", a.0, "attributes", "no such attribute")),
            );
        for (table, id, field, message) in references {
            if checked.insert((table, id)) && !exists(table, id)? {
                return Err(invalid(&format!("rows[{i}].{field}"), message));
            }
        }
    }
    Ok(())
}

/// Writes the rows of one batch: its statements, prepared once for all of
/// them, and the values every row shares.
struct Writer<'c> {
    conn: &'c Connection,
    actor: UserId,
    /// The time of the import, as sqlx writes timestamps.
    now: &'c str,
    clients: CachedStatement<'c>,
    phones: CachedStatement<'c>,
    emails: CachedStatement<'c>,
    addresses: CachedStatement<'c>,
    attributes: CachedStatement<'c>,
    classifier: CachedStatement<'c>,
    audit: CachedStatement<'c>,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c Connection, actor: UserId, now: &'c str) -> rusqlite::Result<Self> {
        Ok(Writer {
            conn,
            actor,
            now,
            clients: conn.prepare_cached(
                "INSERT INTO clients (id, kind, name, name_folded, legal_name, tax_id, registration_number, bank_details,
                                      status, advertising_source, responsible_id, notes, external_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?,
            phones: conn.prepare_cached("INSERT INTO phones (client_id, number, e164, kind, position) VALUES (?1, ?2, ?3, ?4, ?5)")?,
            emails: conn.prepare_cached("INSERT INTO emails (client_id, address, position) VALUES (?1, ?2, ?3)")?,
            addresses: conn.prepare_cached("INSERT INTO client_addresses (client_id, kind, text, position) VALUES (?1, ?2, ?3, ?4)")?,
            attributes: conn.prepare_cached("INSERT INTO client_attributes (client_id, attribute_id, value) VALUES (?1, ?2, ?3)")?,
            classifier: conn.prepare_cached("INSERT INTO client_classifier (client_id, node_id) VALUES (?1, ?2)")?,
            audit: conn.prepare_cached("INSERT INTO audit_log (at, user_id, entity, entity_id, action) VALUES (?1, ?2, 'client', ?3, ?4)")?,
        })
    }

    fn create(&mut self, id: i64, client: &NewClient) -> Result<(), RepoError> {
        let responsible = client.responsible_id.unwrap_or(self.actor).0;
        self.insert(id, client, responsible, None)?;
        self.audit(id, "create")
    }

    /// A later row with the key of a client this load created: it is
    /// written again from that row, keeping its id, its creation time and,
    /// when the row names no one, whoever was responsible. Every column the
    /// client has came from this same file, so this is what updating it
    /// with the file's columns leaves.
    fn replace(&mut self, id: i64, client: &NewClient) -> Result<(), RepoError> {
        let (responsible, created_at): (i64, String) = self
            .conn
            .prepare_cached("SELECT responsible_id, created_at FROM clients WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))))
            .map_err(backend)?;
        for table in [
            "phones",
            "emails",
            "client_addresses",
            "client_attributes",
            "client_classifier",
            "clients",
        ] {
            let column = if table == "clients" {
                "id"
            } else {
                "client_id"
            };
            self.conn
                .prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))
                .and_then(|mut s| s.execute([id]))
                .map_err(backend)?;
        }
        let responsible = client.responsible_id.map_or(responsible, |u| u.0);
        self.insert(id, client, responsible, Some(&created_at))?;
        self.audit(id, "update")
    }

    /// Writes the client and its lists; `created_at` is now unless given.
    fn insert(
        &mut self,
        id: i64,
        c: &NewClient,
        responsible: i64,
        created_at: Option<&str>,
    ) -> Result<(), RepoError> {
        self.clients
            .execute(params![
                id,
                c.kind.as_str(),
                c.name.as_str(),
                fold(c.name.as_str()),
                c.legal_name,
                c.tax_id,
                c.registration_number,
                c.bank_details,
                c.status,
                c.advertising_source,
                responsible,
                c.notes,
                c.external_id,
                created_at.unwrap_or(self.now),
                self.now,
            ])
            .map_err(conflict_on_external_id)?;
        for (i, p) in c.phones.iter().enumerate() {
            self.phones
                .execute(params![
                    id,
                    p.phone.entered(),
                    p.phone.e164(),
                    p.kind,
                    i as i64
                ])
                .map_err(backend)?;
        }
        for (i, e) in c.emails.iter().enumerate() {
            self.emails
                .execute(params![id, e.as_str(), i as i64])
                .map_err(backend)?;
        }
        for (i, a) in c.addresses.iter().enumerate() {
            self.addresses
                .execute(params![id, a.kind.as_str(), a.text, i as i64])
                .map_err(backend)?;
        }
        for (attribute, value) in &c.attributes {
            self.attributes
                .execute(params![id, attribute.0, value])
                .map_err(backend)?;
        }
        for node in c.classifier.iter().collect::<HashSet<_>>() {
            self.classifier
                .execute(params![id, node.0])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn audit(&mut self, id: i64, action: &str) -> Result<(), RepoError> {
        self.audit
            .execute(params![self.now, self.actor.0, id, action])
            .map_err(backend)?;
        Ok(())
    }
}

/// Maps a driver error; internals are logged by the API, never shown.
fn backend(e: rusqlite::Error) -> RepoError {
    RepoError::Backend(e.to_string())
}

/// The one value a parsed row can still clash on: another client's
/// external id.
fn conflict_on_external_id(e: rusqlite::Error) -> RepoError {
    match &e {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            RepoError::Conflict("external_id".into())
        }
        _ => backend(e),
    }
}
