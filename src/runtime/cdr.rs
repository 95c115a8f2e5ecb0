//! The CDR writer: call records leave the call path through a channel that
//! never blocks, and one task stores them. While the database cannot take
//! writes the task appends each record to a spool file (fsync'd, in order)
//! and retries with backoff; when the database is back it replays the spool
//! and empties it only after every line is stored. Records are idempotent by
//! `call_id`, so a crash in the middle of a replay duplicates nothing, and a
//! spool left by a previous run is replayed at start.
//!
//! A record the database refuses outright (it would fail forever) is set
//! aside in `cdr-rejected.jsonl` so it never holds up the records behind it.

mod spool;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::crm::RepoError;
use crate::crm::calls::{CallRecord, CallRecordRepo};

use spool::Spool;
pub use spool::{REJECTED_FILE, SPOOL_FILE};

/// Hands finished calls to the writer. Cheap to clone: one per call task.
#[derive(Clone)]
pub struct CdrSender {
    records: mpsc::UnboundedSender<CallRecord>,
}

impl CdrSender {
    /// Queues a record and returns at once; it never blocks or fails the call.
    pub fn send(&self, record: CallRecord) {
        if let Err(mpsc::error::SendError(record)) = self.records.send(record) {
            // Only after the writer task is gone (a bug, or sends after
            // shutdown): the log is the last place the record can go.
            let line = spool::to_line(&record).unwrap_or_else(|e| e.to_string());
            tracing::error!(call_id = %record.call_id, record = %line, "CDR writer is gone; call record only logged");
        }
    }
}

/// How long the writer waits between attempts while the database is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }
}

/// Starts the CDR writer task.
pub struct CdrWriter;

impl CdrWriter {
    /// Starts the writer with the spool in `spool_dir` (made if missing) and
    /// the default backoff (1 s doubling to 30 s). The task ends when every
    /// `CdrSender` is dropped and what was sent is stored or spooled.
    pub fn start(repo: Arc<dyn CallRecordRepo>, spool_dir: PathBuf) -> (CdrSender, JoinHandle<()>) {
        Self::start_with(repo, spool_dir, Backoff::default())
    }

    pub fn start_with(
        repo: Arc<dyn CallRecordRepo>,
        spool_dir: PathBuf,
        backoff: Backoff,
    ) -> (CdrSender, JoinHandle<()>) {
        let (records, inbox) = mpsc::unbounded_channel();
        let writer = Writer {
            repo,
            spool: Spool::new(spool_dir),
            unsaved: VecDeque::new(),
            backoff,
        };
        (CdrSender { records }, tokio::spawn(writer.run(inbox)))
    }
}

/// Most records stored in one write.
const BATCH: usize = 256;

/// How long the writer waits after a record for more to store with it:
/// records reach the database this much later, in a tenth of the commits
/// or fewer at a thousand calls a second.
const GATHER: Duration = Duration::from_millis(20);

/// A batch: `first` and the records that arrive within [`GATHER`] of it,
/// up to [`BATCH`].
async fn gather(
    first: CallRecord,
    inbox: &mut mpsc::UnboundedReceiver<CallRecord>,
) -> Vec<CallRecord> {
    let mut batch = vec![first];
    let until = Instant::now() + GATHER;
    while batch.len() < BATCH {
        match tokio::time::timeout_at(until, inbox.recv()).await {
            Ok(Some(record)) => batch.push(record),
            Ok(None) | Err(_) => break,
        }
    }
    batch
}

/// What became of one attempt to store a record.
enum Attempt {
    Stored,
    /// Refused by the database and kept in the set-aside file.
    SetAside,
    Unavailable(RepoError),
}

struct Writer {
    repo: Arc<dyn CallRecordRepo>,
    spool: Spool,
    /// Records that could be neither stored nor spooled (the spool's disk
    /// failing), in order, behind every spooled line.
    unsaved: VecDeque<CallRecord>,
    backoff: Backoff,
}

impl Writer {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<CallRecord>) {
        let path = self.spool.path().display().to_string();
        if let Err(e) = self.spool.recover().await {
            tracing::error!(spool = %path, error = %e, "cannot open the CDR spool; records wait in memory while the database is away");
        }
        tracing::info!(spool = %path, left = self.spool.lines(), "CDR writer started");
        self.report_pending();
        // `Some` while records wait in the spool: when to try the database next.
        let mut retry: Option<(Instant, Duration)> =
            (self.pending() > 0).then(|| (Instant::now(), self.backoff.first));
        loop {
            let Some((at, delay)) = retry else {
                let Some(first) = inbox.recv().await else {
                    break;
                };
                let batch = gather(first, &mut inbox).await;
                if let Err(e) = self.store_all(&batch).await {
                    tracing::warn!(error = %e, spool = %path, "database unavailable: call records go to the spool until it is back");
                    for record in batch {
                        self.keep(record).await;
                    }
                    retry = Some((Instant::now() + self.backoff.first, self.backoff.first));
                }
                continue;
            };
            tokio::select! {
                received = inbox.recv() => match received {
                    Some(record) => self.keep(record).await,
                    None => break,
                },
                () = tokio::time::sleep_until(at) => {
                    let replayed = self.pending();
                    if self.catch_up().await {
                        tracing::info!(replayed, "database back: the CDR spool is replayed and empty");
                        retry = None;
                    } else {
                        let delay = (delay * 2).min(self.backoff.max);
                        retry = Some((Instant::now() + delay, delay));
                    }
                }
            }
        }
        self.shut_down(&path).await;
    }

    /// One write to the database.
    async fn store(&self, record: &CallRecord) -> Attempt {
        match self.repo.record_call(record).await {
            Ok(()) => {
                metrics::counter!("cdr_written_total").increment(1);
                Attempt::Stored
            }
            Err(RepoError::Invalid(errors)) => {
                tracing::error!(call_id = %record.call_id, reason = %errors, "the database refuses a call record; set aside");
                match spool::to_line(record) {
                    Ok(line) => self.set_aside(&line).await,
                    Err(e) => {
                        tracing::error!(call_id = %record.call_id, error = %e, "call record unserialisable")
                    }
                }
                Attempt::SetAside
            }
            Err(e) => Attempt::Unavailable(e),
        }
    }

    /// Stores `records` in one write; when the database refuses that write,
    /// one by one, so only the refused records are set aside. `Err` when
    /// the database is unavailable: some of them may be stored, and storing
    /// them again is harmless.
    async fn store_all(&self, records: &[CallRecord]) -> Result<(), RepoError> {
        match self.repo.record_calls(records).await {
            Ok(()) => {
                metrics::counter!("cdr_written_total").increment(records.len() as u64);
                Ok(())
            }
            Err(RepoError::Invalid(_)) => {
                for record in records {
                    if let Attempt::Unavailable(e) = self.store(record).await {
                        return Err(e);
                    }
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Stores and empties a replay batch; false while the database is away.
    async fn flush(&self, batch: &mut Vec<CallRecord>) -> bool {
        if batch.is_empty() {
            return true;
        }
        if let Err(e) = self.store_all(batch).await {
            tracing::debug!(error = %e, "database still unavailable");
            return false;
        }
        batch.clear();
        true
    }

    /// Makes a record durable behind everything already waiting.
    async fn keep(&mut self, record: CallRecord) {
        if self.unsaved.is_empty() {
            match self.spool.append(&record).await {
                Ok(()) => {
                    metrics::counter!("cdr_spooled_total").increment(1);
                    self.report_pending();
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, call_id = %record.call_id, "cannot write the CDR spool; the record waits in memory");
                }
            }
        }
        self.unsaved.push_back(record);
        self.report_pending();
    }

    /// Tries to empty the backlog: memory to spool, spool to database, then
    /// what the spool could not take. True when nothing waits any more.
    async fn catch_up(&mut self) -> bool {
        while let Some(record) = self.unsaved.front() {
            if self.spool.append(record).await.is_err() {
                break;
            }
            metrics::counter!("cdr_spooled_total").increment(1);
            self.unsaved.pop_front();
        }
        let caught_up = self.replay().await && self.store_unsaved().await;
        self.report_pending();
        caught_up
    }

    /// Stores every spooled line in order, then empties the spool. Lines
    /// stored before a failure are stored again next time, which the
    /// `call_id` key turns into nothing.
    async fn replay(&mut self) -> bool {
        if self.spool.lines() == 0 {
            return true;
        }
        let mut lines = match self.spool.read().await {
            Ok(lines) => lines,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the CDR spool");
                return false;
            }
        };
        // In batches: the replay has to outrun the calls that go on
        // finishing while it runs.
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the CDR spool");
                    return false;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<CallRecord>(&line) {
                Ok(record) => batch.push(record),
                Err(e) => {
                    // A line cut short by a crash, or edited by hand.
                    tracing::error!(error = %e, "unreadable line in the CDR spool; set aside");
                    self.set_aside(&line).await;
                }
            }
            if batch.len() == BATCH && !self.flush(&mut batch).await {
                return false;
            }
        }
        if !self.flush(&mut batch).await {
            return false;
        }
        match self.spool.clear().await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "cannot empty the CDR spool; it is replayed again");
                false
            }
        }
    }

    /// Stores what the spool could not take, once the spool itself is empty.
    async fn store_unsaved(&mut self) -> bool {
        while let Some(record) = self.unsaved.front() {
            if let Attempt::Unavailable(_) = self.store(record).await {
                return false;
            }
            self.unsaved.pop_front();
        }
        true
    }

    async fn set_aside(&self, line: &str) {
        metrics::counter!("cdr_rejected_total").increment(1);
        if let Err(e) = self.spool.set_aside(line).await {
            tracing::error!(error = %e, record = %line, "cannot write the set-aside file; call record only logged");
        }
    }

    fn pending(&self) -> u64 {
        self.spool.lines() + self.unsaved.len() as u64
    }

    fn report_pending(&self) {
        metrics::gauge!("cdr_spool_pending").set(self.pending() as f64);
    }

    /// All senders are gone: what waits stays in the spool for the next start.
    async fn shut_down(&mut self, path: &str) {
        while let Some(record) = self.unsaved.pop_front() {
            if self.spool.append(&record).await.is_err() {
                let line = spool::to_line(&record).unwrap_or_else(|e| e.to_string());
                tracing::error!(call_id = %record.call_id, record = %line, "cannot spool at shutdown; call record only logged");
            }
        }
        if self.spool.lines() > 0 {
            tracing::info!(spool = %path, waiting = self.spool.lines(), "CDR writer stopped; spooled call records are stored at the next start");
        } else {
            tracing::info!("CDR writer stopped");
        }
    }
}
