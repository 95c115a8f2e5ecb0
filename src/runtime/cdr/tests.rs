//! The writer against an in-memory repository that can be taken down, made
//! to refuse a record, or made to fail part-way through a replay. The same
//! story against SQLite and PostgreSQL is in `tests/cdr.rs`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;

use super::*;
use crate::crm::FieldErrors;
use crate::crm::calls::{CallFilter, CallScope, Direction, Outcome, StoredCallRecord};
use crate::crm::page::{Page, PageRequest};
use crate::ids::CallRecordId;

/// Stores records by `call_id` like the real tables do.
#[derive(Default)]
struct FakeRepo {
    stored: Mutex<Vec<CallRecord>>,
    down: AtomicBool,
    /// Writes (transactions) that succeed before the database goes down by
    /// itself.
    budget: Mutex<Option<usize>>,
    refused: Mutex<HashSet<String>>,
    attempts: AtomicUsize,
}

impl FakeRepo {
    fn call_ids(&self) -> Vec<String> {
        let stored = self.stored.lock().unwrap();
        stored.iter().map(|r| r.call_id.clone()).collect()
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait]
impl CallRecordRepo for FakeRepo {
    async fn record_call(&self, record: &CallRecord) -> Result<(), RepoError> {
        self.record_calls(std::slice::from_ref(record)).await
    }

    /// All or nothing, as one transaction is.
    async fn record_calls(&self, records: &[CallRecord]) -> Result<(), RepoError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(RepoError::Backend("connection refused".into()));
        }
        if let Some(budget) = self.budget.lock().unwrap().as_mut() {
            if *budget == 0 {
                self.set_down(true);
                return Err(RepoError::Backend("connection reset".into()));
            }
            *budget -= 1;
        }
        let refused = self.refused.lock().unwrap();
        if records.iter().any(|r| refused.contains(&r.call_id)) {
            return Err(RepoError::Invalid(FieldErrors::single("record", "refused")));
        }
        let mut stored = self.stored.lock().unwrap();
        for record in records {
            if !stored.iter().any(|r| r.call_id == record.call_id) {
                stored.push(record.clone());
            }
        }
        Ok(())
    }

    /// Every stored record, oldest first; the writer never reads.
    async fn list_calls(
        &self,
        _: &CallScope,
        _: &CallFilter,
        _: &PageRequest,
    ) -> Result<Page<StoredCallRecord>, RepoError> {
        let stored = self.stored.lock().unwrap();
        let items = (1..).zip(stored.iter());
        Ok(Page {
            items: items
                .map(|(id, r)| StoredCallRecord::new(CallRecordId(id), r.clone()))
                .collect(),
            next_cursor: None,
        })
    }

    async fn call(&self, _: &CallScope, id: CallRecordId) -> Result<StoredCallRecord, RepoError> {
        let stored = self.stored.lock().unwrap();
        let index = usize::try_from(id.0 - 1).map_err(|_| RepoError::NotFound)?;
        let record = stored.get(index).ok_or(RepoError::NotFound)?;
        Ok(StoredCallRecord::new(id, record.clone()))
    }

    /// The writer never looks calls up.
    async fn call_out_to(
        &self,
        _: &str,
        _: chrono::DateTime<chrono::Utc>,
        _: &str,
        _: &[String],
    ) -> Result<Option<CallRecordId>, RepoError> {
        Ok(None)
    }

    /// The writer never wraps calls up.
    async fn wrap_up_call(
        &self,
        _: &CallScope,
        _: CallRecordId,
        _: crate::ids::UserId,
        _: &crate::crm::calls::NewWrapUp,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<StoredCallRecord, RepoError> {
        Err(RepoError::NotFound)
    }
}

fn record(call_id: &str) -> CallRecord {
    let arrived_at = "2026-03-01T10:00:00Z".parse().unwrap();
    CallRecord {
        call_id: call_id.into(),
        direction: Direction::Inbound,
        trunk: Some("main".into()),
        caller: "2025550143".into(),
        caller_e164: Some("+12025550143".into()),
        caller_name: None,
        called: "100".into(),
        original_called: None,
        answered_by: None,
        dialplan_rule: None,
        party_e164: None,
        queue: None,
        arrived_at,
        queued_at: None,
        offered_at: None,
        answered_at: None,
        ended_at: arrived_at + chrono::Duration::seconds(20),
        outcome: Outcome::NoAnswer,
        hangup_by: None,
        sip_code: Some(480),
        legs: vec![],
        recording: None,
    }
}

const FAST: Backoff = Backoff {
    first: Duration::from_millis(10),
    max: Duration::from_millis(40),
};

fn start(repo: &Arc<FakeRepo>, dir: &Path) -> (CdrSender, JoinHandle<()>) {
    CdrWriter::start_with(repo.clone(), dir.to_path_buf(), FAST)
}

fn lines(dir: &Path, file: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn spooled_ids(dir: &Path) -> Vec<String> {
    lines(dir, SPOOL_FILE)
        .iter()
        .map(|l| serde_json::from_str::<CallRecord>(l).unwrap().call_id)
        .collect()
}

/// Polls until `done` holds; the writer works in real time with short backoffs.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn records_are_stored_in_the_order_they_were_sent() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    let (sender, task) = start(&repo, dir.path());
    for id in ["a", "b", "c"] {
        sender.send(record(id));
    }
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), ids(&["a", "b", "c"]));
    assert!(spooled_ids(dir.path()).is_empty());
}

#[tokio::test]
async fn records_that_arrive_together_are_stored_in_one_write() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    let (sender, task) = start(&repo, dir.path());
    let names: Vec<String> = (0..100).map(|n| format!("burst{n}")).collect();
    for name in &names {
        sender.send(record(name));
    }
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), names);
    assert_eq!(repo.attempts.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn while_the_database_is_down_records_are_spooled_then_stored_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    let (sender, task) = start(&repo, dir.path());
    sender.send(record("before"));
    eventually("the first record is stored", || repo.call_ids().len() == 1).await;

    repo.set_down(true);
    for id in ["x1", "x2", "x3"] {
        sender.send(record(id));
    }
    eventually("three records are spooled", || {
        spooled_ids(dir.path()).len() == 3
    })
    .await;
    assert_eq!(spooled_ids(dir.path()), ids(&["x1", "x2", "x3"]));
    let attempts = repo.attempts.load(Ordering::SeqCst);
    eventually("the writer retries", || {
        repo.attempts.load(Ordering::SeqCst) > attempts + 2
    })
    .await;

    repo.set_down(false);
    eventually("the spool is replayed and emptied", || {
        repo.call_ids().len() == 4 && spooled_ids(dir.path()).is_empty()
    })
    .await;
    sender.send(record("after"));
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), ids(&["before", "x1", "x2", "x3", "after"]));
}

#[tokio::test]
async fn records_sent_while_spooling_queue_behind_the_spooled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    repo.set_down(true);
    let (sender, task) = start(&repo, dir.path());
    sender.send(record("first"));
    eventually("the first is spooled", || {
        spooled_ids(dir.path()).len() == 1
    })
    .await;
    repo.set_down(false);
    // Sent once the database is back, but before the writer's next attempt
    // may have run: it must still land after "first".
    sender.send(record("second"));
    drop(sender);
    task.await.unwrap();
    // The task ended at once with both spooled or stored, never reordered.
    let mut all = repo.call_ids();
    all.extend(spooled_ids(dir.path()));
    assert_eq!(all, ids(&["first", "second"]));
}

#[tokio::test]
async fn a_spool_left_by_a_previous_run_is_replayed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = String::new();
    for id in ["old1", "old2", "old1"] {
        spool.push_str(&serde_json::to_string(&record(id)).unwrap());
        spool.push('\n');
    }
    // A crash cut the last append short.
    spool.push_str("{\"call_id\":\"half");
    std::fs::write(dir.path().join(SPOOL_FILE), spool).unwrap();

    let repo = Arc::new(FakeRepo::default());
    let (sender, task) = start(&repo, dir.path());
    eventually("the old spool is stored", || repo.call_ids().len() == 2).await;
    sender.send(record("new"));
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), ids(&["old1", "old2", "new"]));
    assert!(lines(dir.path(), SPOOL_FILE).is_empty());
    assert_eq!(lines(dir.path(), REJECTED_FILE), ["{\"call_id\":\"half"]);
}

#[tokio::test]
async fn a_replay_cut_off_half_way_stores_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    repo.set_down(true);
    let (sender, task) = start(&repo, dir.path());
    // A whole batch of the replay and the start of a second.
    let names: Vec<String> = (0..BATCH + 3).map(|n| format!("r{n}")).collect();
    for name in &names {
        sender.send(record(name));
    }
    eventually("all are spooled", || {
        spooled_ids(dir.path()).len() == names.len()
    })
    .await;
    // Back for one write, then gone again in the middle of the replay.
    *repo.budget.lock().unwrap() = Some(1);
    repo.set_down(false);
    eventually("the database drops out again", || {
        repo.down.load(Ordering::SeqCst)
    })
    .await;
    assert_eq!(repo.call_ids(), names[..BATCH], "the first batch is stored");
    assert_eq!(
        spooled_ids(dir.path()).len(),
        names.len(),
        "kept until every line is stored"
    );

    *repo.budget.lock().unwrap() = None;
    repo.set_down(false);
    eventually("the rest is stored", || spooled_ids(dir.path()).is_empty()).await;
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), names, "each once, in order");
}

#[tokio::test]
async fn a_record_the_database_refuses_is_set_aside_without_holding_up_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    repo.refused.lock().unwrap().extend(ids(&["bad1", "bad2"]));
    repo.set_down(true);
    let (sender, task) = start(&repo, dir.path());
    for id in ["ok1", "bad1", "ok2"] {
        sender.send(record(id));
    }
    eventually("three are spooled", || spooled_ids(dir.path()).len() == 3).await;
    repo.set_down(false);
    eventually("the spool is replayed", || {
        spooled_ids(dir.path()).is_empty()
    })
    .await;
    sender.send(record("bad2"));
    sender.send(record("ok3"));
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), ids(&["ok1", "ok2", "ok3"]));
    let rejected: Vec<_> = lines(dir.path(), REJECTED_FILE)
        .iter()
        .map(|l| serde_json::from_str::<CallRecord>(l).unwrap())
        .collect();
    assert_eq!(rejected, vec![record("bad1"), record("bad2")]);
}

#[tokio::test]
async fn stopping_while_the_database_is_down_leaves_the_records_spooled() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Arc::new(FakeRepo::default());
    repo.set_down(true);
    let (sender, task) = start(&repo, dir.path());
    sender.send(record("s1"));
    sender.send(record("s2"));
    drop(sender);
    task.await.unwrap();
    assert_eq!(spooled_ids(dir.path()), ids(&["s1", "s2"]));
    assert!(repo.call_ids().is_empty());
}

#[tokio::test]
async fn when_the_spool_cannot_be_written_records_wait_in_memory_and_are_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the spool folder should be: every spool write fails.
    let blocked = dir.path().join("spool");
    std::fs::write(&blocked, "not a folder").unwrap();
    let repo = Arc::new(FakeRepo::default());
    repo.set_down(true);
    let (sender, task) = CdrWriter::start_with(repo.clone(), blocked, FAST);
    sender.send(record("m1"));
    sender.send(record("m2"));
    let attempts = repo.attempts.load(Ordering::SeqCst);
    eventually("the writer retries", || {
        repo.attempts.load(Ordering::SeqCst) > attempts + 2
    })
    .await;
    repo.set_down(false);
    eventually("both are stored from memory", || repo.call_ids().len() == 2).await;
    drop(sender);
    task.await.unwrap();
    assert_eq!(repo.call_ids(), ids(&["m1", "m2"]));
}
