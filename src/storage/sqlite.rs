//! The SQLite backend: one database file in WAL mode, the embedded default.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::StorageError;

type Db = sqlx::Sqlite;
type Store = SqliteStore;

pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StorageError::Connect)?
            .create_if_missing(true)
            // For new files only (an existing file keeps its size). Index
            // pages of 16 KiB split a quarter as often as 4 KiB ones under
            // random-order inserts: loading a million clients with the
            // sqlite3 shell took 28 s instead of 36 s.
            .page_size(16_384)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL stays durable across application crashes and
            // is the setting SQLite recommends.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(StorageError::Connect)?;
        sqlx::migrate!("migrations/sqlite")
            .run(&pool)
            .await
            .map_err(StorageError::Migrate)?;
        let store = SqliteStore { pool };
        store.seed_rights().await.map_err(StorageError::Seed)?;
        Ok(store)
    }

    pub fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }

    /// See [`ImportRepo::begin_bulk_load`]: on a connection of its own to
    /// the same file (`sqlite_bulk`).
    async fn bulk_load(&self) -> Result<Option<Box<dyn BulkLoad>>, RepoError> {
        let path = self.pool.connect_options().get_filename().to_owned();
        let begun =
            tokio::task::spawn_blocking(move || super::sqlite_bulk::SqliteBulkLoad::begin(&path))
                .await
                .map_err(|e| RepoError::Backend(e.to_string()))??;
        Ok(begun.map(|load| Box::new(load) as Box<dyn BulkLoad>))
    }
}

const BACKEND: &str = "sqlite";

/// A timestamp column (stored as RFC 3339 text) as whole seconds since the
/// Unix epoch.
fn epoch_of(column: &str) -> String {
    format!("CAST(strftime('%s', {column}) AS INTEGER)")
}

/// Seconds from `from` to `to`, with their fractions.
fn seconds_between(from: &str, to: &str) -> String {
    format!("((julianday({to}) - julianday({from})) * 86400.0)")
}

// The query code shared by both backends (see storage/mod.rs).
include!("sql/all.rs");
