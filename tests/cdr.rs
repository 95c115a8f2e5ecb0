//! The CDR writer against real databases that go away: SQLite locked by
//! another process, PostgreSQL refusing connections and dropping the ones it
//! had. Records sent meanwhile must all be in the spool, then all stored
//! exactly once when the database is back, with the spool emptied. A spool
//! left on disk by a previous run is replayed at start on both backends.

mod support;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use support::TestDatabase;
use switchboard::crm::Repository;
use switchboard::crm::calls::{CallFilter, CallRecord, CallScope, Direction, Outcome};
use switchboard::crm::page::PageRequest;
use switchboard::runtime::cdr::{Backoff, CdrWriter, SPOOL_FILE};

const BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(100),
    max: Duration::from_millis(500),
};

fn record(call_id: &str, minute: u32) -> CallRecord {
    let arrived_at = format!("2026-03-01T10:{minute:02}:00Z").parse().unwrap();
    CallRecord {
        call_id: call_id.into(),
        direction: Direction::Inbound,
        trunk: Some("main".into()),
        caller: "2025550143".into(),
        caller_e164: Some("+12025550143".into()),
        caller_name: Some("Olga Petrova".into()),
        called: "100".into(),
        original_called: None,
        answered_by: Some("101".into()),
        dialplan_rule: None,
        party_e164: None,
        queue: None,
        arrived_at,
        queued_at: None,
        offered_at: None,
        answered_at: Some(arrived_at + chrono::Duration::seconds(5)),
        ended_at: arrived_at + chrono::Duration::seconds(65),
        outcome: Outcome::Answered,
        hangup_by: None,
        sip_code: None,
        legs: vec![],
        recording: None,
    }
}

/// The call ids stored, sorted; a duplicate would show twice.
async fn stored(repo: &Arc<dyn Repository>) -> Vec<String> {
    let page = PageRequest {
        limit: 200,
        after: None,
    };
    let mut ids: Vec<_> = repo
        .list_calls(&CallScope::All, &CallFilter::default(), &page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.record.call_id)
        .collect();
    ids.sort();
    ids
}

fn spooled(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(SPOOL_FILE))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<CallRecord>(l).unwrap().call_id)
        .collect()
}

async fn eventually<F: Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

const OUTAGE: [&str; 5] = ["out1", "out2", "out3", "out4", "out5"];

/// The story both backends share: a record stored, the database cut off,
/// five records spooled and none lost, the database restored, all stored
/// once and the spool empty.
async fn outage_story<Cut, Restore>(repo: Arc<dyn Repository>, cut: Cut, restore: Restore)
where
    Cut: Future<Output = ()>,
    Restore: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let (sender, task) = CdrWriter::start_with(repo.clone(), dir.path().to_path_buf(), BACKOFF);
    sender.send(record("before", 0));
    eventually("the first record is stored", || async {
        stored(&repo).await == ["before"]
    })
    .await;

    cut.await;
    for (minute, id) in (1..).zip(OUTAGE) {
        sender.send(record(id, minute));
    }
    eventually("every record is spooled", || async {
        spooled(dir.path()).len() == OUTAGE.len()
    })
    .await;
    assert_eq!(spooled(dir.path()), OUTAGE, "in order, nothing lost");

    restore.await;
    eventually("the spool is replayed and emptied", || async {
        spooled(dir.path()).is_empty() && stored(&repo).await.len() == 1 + OUTAGE.len()
    })
    .await;
    sender.send(record("after", 9));
    drop(sender);
    task.await.unwrap();
    let mut expected = vec!["after", "before"];
    expected.extend(OUTAGE);
    expected.sort();
    assert_eq!(stored(&repo).await, expected, "each exactly once");
    assert!(spooled(dir.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_by_another_process_spools_and_catches_up() {
    let db = TestDatabase::sqlite();
    let repo = switchboard::storage::open(db.url()).await.unwrap();
    // Another process holding the write lock, as a backup tool or an
    // operator's sqlite3 shell can: writers fail with "database is locked".
    let mut locker = sqlx::SqliteConnection::connect(db.url()).await.unwrap();
    let (lock_tx, lock_rx) = tokio::sync::oneshot::channel::<()>();
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        let _ = lock_rx.await;
        sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut locker)
            .await
            .unwrap();
        let _ = locked_tx.send(());
        locker
    });
    let cut = async move {
        lock_tx.send(()).unwrap();
        locked_rx.await.unwrap();
    };
    let restore = async move {
        let mut locker = holder.await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
        locker.close().await.unwrap();
    };
    outage_story(repo, cut, restore).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusing_connections_spools_and_catches_up() {
    let db = TestDatabase::postgres().await;
    let TestDatabase::Postgres {
        admin_url, name, ..
    } = &db
    else {
        unreachable!("TestDatabase::postgres makes a PostgreSQL database")
    };
    let repo = switchboard::storage::open(db.url()).await.unwrap();
    let admin = |sql: String| {
        let admin_url = admin_url.clone();
        async move {
            let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    };
    let cut = {
        let (refuse, terminate) = (
            admin(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false")),
            admin(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )),
        );
        async move {
            refuse.await;
            terminate.await;
        }
    };
    let restore = admin(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"));
    outage_story(repo, cut, restore).await;
}

/// A spool from a run that stopped with the database away: its records are
/// stored at start, one of them already stored before the crash.
async fn a_spool_left_on_disk_is_replayed_at_start(repo: Arc<dyn Repository>) {
    let dir = tempfile::tempdir().unwrap();
    repo.record_call(&record("left1", 1)).await.unwrap();
    let lines: String = [record("left1", 1), record("left2", 2), record("left3", 3)]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join(SPOOL_FILE), lines).unwrap();

    let (sender, task) = CdrWriter::start(repo.clone(), dir.path().to_path_buf());
    eventually("the old spool is replayed", || async {
        spooled(dir.path()).is_empty()
    })
    .await;
    drop(sender);
    task.await.unwrap();
    assert_eq!(stored(&repo).await, ["left1", "left2", "left3"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_replays_a_spool_left_on_disk_at_start() {
    let db = TestDatabase::sqlite();
    a_spool_left_on_disk_is_replayed_at_start(switchboard::storage::open(db.url()).await.unwrap())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replays_a_spool_left_on_disk_at_start() {
    let db = TestDatabase::postgres().await;
    a_spool_left_on_disk_is_replayed_at_start(switchboard::storage::open(db.url()).await.unwrap())
        .await;
}
