//! A fresh database per test, SQLite or PostgreSQL, removed when dropped.
//! Shared by the test binaries (`mod support;`).

/// The PostgreSQL server the tests use: `DATABASE_URL_PG`, else the local default.
pub fn pg_admin_url() -> String {
    std::env::var("DATABASE_URL_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDatabase::Sqlite { _dir: dir, url }
    }

    /// Creates a uniquely named database on the test server; fails loudly
    /// when the server is unreachable (never skips).
    pub async fn postgres() -> Self {
        use sqlx::Connection;
        let admin_url = pg_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {admin_url} is unreachable ({e}); run scripts/test, which starts one")
        });
        let name = format!("sb_test_{}", unique());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .unwrap();
        let server = admin_url
            .rsplit_once('/')
            .expect("DATABASE_URL_PG names a database")
            .0;
        let url = format!("{server}/{name}");
        TestDatabase::Postgres {
            admin_url,
            name,
            url,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres {
            admin_url, name, ..
        } = self
        else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime; a thread with its own does the work.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Unique across the tests of one run and across runs.
fn unique() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
