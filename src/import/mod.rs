//! `switchboard import clients FILE.csv --match FIELD`: upserts clients from
//! a CSV file through the repository, in batches.
//!
//! Two stages overlap: a reader thread reads a batch of rows and parses it
//! across the cores (phone numbers are the costly part), while the async
//! writer stores the previous batch in one transaction. A row that does not
//! parse, or that storage refuses, is rejected alone with its line number;
//! the run goes on.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use csv::StringRecord;
use tokio::sync::mpsc;

use crate::crm::import::{self, ImportRow, MatchField, Rejected, Writer};
use crate::crm::users::Username;
use crate::crm::{FieldErrors, RepoError, Repository};
use crate::ids::UserId;
use crate::phone::Region;

pub mod cli;
pub mod report;
pub mod rows;

pub use report::Summary;
use rows::{Header, Lookups};

/// Rows per transaction: each commit rewrites every index page the batch
/// touched, so fewer, larger commits write far less; a batch with bad rows is
/// split in halves until they are found, so size costs little there.
pub const BATCH_ROWS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report {path}: {message}")]
    Report {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("cannot read the file: {0}")]
    Csv(#[from] csv::Error),
    #[error("the header is wrong: {0}")]
    Header(String),
    #[error("no active user {0:?} to import as")]
    UnknownActor(String),
    #[error("no active admin to import as; name one with --user")]
    NoAdmin,
    #[error("the database failed: {0}")]
    Repo(#[from] RepoError),
    #[error("the reader thread stopped unexpectedly")]
    Reader,
}

/// How to run an import.
#[derive(Debug, Clone)]
pub struct Options {
    pub field: MatchField,
    /// Region of phone numbers written without a country prefix.
    pub region: Region,
    /// Who imports: audit entries name them and new clients without a
    /// `responsible` cell are theirs. `None`: the first active admin.
    pub actor: Option<Username>,
    pub batch_rows: usize,
}

impl Options {
    pub fn new(field: MatchField, region: Region) -> Self {
        Options {
            field,
            region,
            actor: None,
            batch_rows: BATCH_ROWS,
        }
    }
}

/// A parsed batch on its way from the reader to the writer.
struct Batch {
    rows: Vec<ImportRow>,
    rejected: Vec<Rejected>,
    /// Bytes of the file read so far, for the progress bar.
    offset: u64,
}

/// Imports clients from CSV text. `progress` is told how many bytes of the
/// file were read after each batch is stored.
pub async fn import_clients(
    repo: Arc<dyn Repository>,
    input: impl Read + Send + 'static,
    options: &Options,
    now: DateTime<Utc>,
    progress: impl Fn(u64),
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let actor = actor(repo.as_ref(), options.actor.as_ref()).await?;
    let users = repo.list_users().await?;
    let nodes = repo.classifier_nodes().await?;
    let defs = repo.attribute_defs().await?;
    let lookups = Lookups::new(
        options.region,
        users.into_iter().map(|u| (u.username, u.id)),
        &nodes,
    );
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header =
        Header::parse(reader.headers()?, &defs, options.field).map_err(ImportError::Header)?;
    let columns = header.present.clone();
    // Two batches in flight: one being parsed, one waiting to be written.
    let (sender, mut receiver) = mpsc::channel::<Batch>(1);
    let (field, batch_rows) = (options.field, options.batch_rows.max(1));
    let reader_thread = std::thread::spawn(move || {
        read_batches(reader, &header, &lookups, field, batch_rows, &sender)
    });
    let mut writer = match repo.begin_bulk_load().await? {
        Some(load) => Writer::Bulk(load),
        None => Writer::Batches(repo.as_ref()),
    };
    let mut summary = Summary::default();
    while let Some(batch) = receiver.recv().await {
        summary.rows += (batch.rows.len() + batch.rejected.len()) as u64;
        summary.rejected.extend(batch.rejected);
        let stored = import::upsert_batch(&mut writer, actor, field, &columns, batch.rows, now);
        let storing = Instant::now();
        let report = stored.await?;
        summary.storing += storing.elapsed();
        summary.created += report.created;
        summary.updated += report.updated;
        summary.rejected.extend(report.rejected);
        progress(batch.offset);
    }
    let read = reader_thread.join().map_err(|_| ImportError::Reader)?;
    // What was stored before a read error stays, as it does batch by batch.
    let finishing = Instant::now();
    writer.finish().await?;
    summary.storing += finishing.elapsed();
    read?;
    if summary.created + summary.updated > 0 {
        repo.refresh_statistics().await?;
    }
    summary.rejected.sort_by_key(|r| r.line);
    summary.elapsed = started.elapsed().max(Duration::from_millis(1));
    Ok(summary)
}

/// The user the import runs as.
async fn actor(repo: &dyn Repository, name: Option<&Username>) -> Result<UserId, ImportError> {
    let users = repo.list_users().await?;
    let found = match name {
        Some(name) => users
            .iter()
            .find(|u| u.active && u.username == name.as_str()),
        None => users
            .iter()
            .filter(|u| u.active && u.role == crate::crm::access::Role::Admin)
            .min_by_key(|u| u.id),
    };
    match (found, name) {
        (Some(user), _) => Ok(user.id),
        (None, Some(name)) => Err(ImportError::UnknownActor(name.as_str().to_string())),
        (None, None) => Err(ImportError::NoAdmin),
    }
}

/// The reader stage: reads, parses in parallel and sends batches until the
/// file ends or the writer hangs up.
fn read_batches<R: Read>(
    mut reader: csv::Reader<R>,
    header: &Header,
    lookups: &Lookups,
    field: MatchField,
    batch_rows: usize,
    sender: &mpsc::Sender<Batch>,
) -> Result<(), ImportError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    loop {
        let mut records: Vec<(u64, StringRecord)> = Vec::with_capacity(batch_rows);
        let mut rejected = Vec::new();
        while records.len() + rejected.len() < batch_rows {
            let mut record = StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    records.push((line, record));
                }
                // A row that is not UTF-8 is skipped by the reader; the
                // next one is read normally.
                Err(e) if !e.is_io_error() => rejected.push(Rejected {
                    line: e.position().map_or(0, csv::Position::line),
                    errors: FieldErrors::single("row", csv_reason(&e)),
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if records.is_empty() && rejected.is_empty() {
            return Ok(());
        }
        let (rows, bad) = parse_parallel(&records, header, lookups, field, threads);
        rejected.extend(bad);
        let offset = reader.position().byte();
        let batch = Batch {
            rows,
            rejected,
            offset,
        };
        if sender.blocking_send(batch).is_err() {
            // The writer stopped (a database failure it reports itself).
            return Ok(());
        }
    }
}

/// Parses records on `threads` threads, keeping file order.
fn parse_parallel(
    records: &[(u64, StringRecord)],
    header: &Header,
    lookups: &Lookups,
    field: MatchField,
    threads: usize,
) -> (Vec<ImportRow>, Vec<Rejected>) {
    let parse_chunk = |chunk: &[(u64, StringRecord)]| {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut rejected = Vec::new();
        for (line, record) in chunk {
            match rows::parse_row(header, record, lookups, field) {
                Ok(client) => rows.push(ImportRow {
                    line: *line,
                    client,
                }),
                Err(errors) => rejected.push(Rejected {
                    line: *line,
                    errors,
                }),
            }
        }
        (rows, rejected)
    };
    let chunk_len = records.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(chunk_len)
            .map(|chunk| scope.spawn(move || parse_chunk(chunk)))
            .collect();
        handles
            .into_iter()
            // A panic while parsing is a bug; surface it where it happened.
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut rows = Vec::with_capacity(records.len());
    let mut rejected = Vec::new();
    for (r, bad) in parts {
        rows.extend(r);
        rejected.extend(bad);
    }
    (rows, rejected)
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".into(),
        _ => error.to_string(),
    }
}
