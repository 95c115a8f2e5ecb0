//! The PostgreSQL backend, for several nodes sharing one store and for large bases.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::StorageError;

type Db = sqlx::Postgres;
type Store = PgStore;

pub struct PgStore {
    pool: sqlx::PgPool,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        let options = PgConnectOptions::from_str(url).map_err(StorageError::Connect)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(StorageError::Connect)?;
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .map_err(StorageError::Migrate)?;
        let store = PgStore { pool };
        store.seed_rights().await.map_err(StorageError::Seed)?;
        Ok(store)
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.pool
    }

    /// See [`ImportRepo::begin_bulk_load`]: PostgreSQL's import speed is
    /// not what limits anyone, and its index builds would want their own
    /// tuning, so imports there go batch by batch.
    async fn bulk_load(&self) -> Result<Option<Box<dyn BulkLoad>>, RepoError> {
        Ok(None)
    }
}

const BACKEND: &str = "postgres";

/// A timestamp column as whole seconds since the Unix epoch.
fn epoch_of(column: &str) -> String {
    // Whole seconds cut, not rounded, as SQLite's strftime('%s') cuts: a
    // call at 10:14:59.6 is in the 10:00 quarter on both.
    format!("CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)")
}

/// Seconds from `from` to `to`, with their fractions.
fn seconds_between(from: &str, to: &str) -> String {
    format!("EXTRACT(EPOCH FROM ({to} - {from}))")
}

// The query code shared by both backends (see storage/mod.rs).
include!("sql/all.rs");
