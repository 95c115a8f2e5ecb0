//! The CDR spool on disk: one JSON record a line, appended and fsync'd
//! before the writer counts a record as safe, read back in order, emptied
//! only when every line is stored. Beside it, the set-aside file keeps the
//! lines the database refused, so no record is ever dropped.

use std::io;
use std::path::{Path, PathBuf};

use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};

use crate::crm::calls::CallRecord;

/// The spool's file name inside the spool folder.
pub const SPOOL_FILE: &str = "cdr-spool.jsonl";
/// Records the database refused (and unreadable spool lines), kept for an
/// operator to inspect and feed back.
pub const REJECTED_FILE: &str = "cdr-rejected.jsonl";

pub(super) struct Spool {
    dir: PathBuf,
    path: PathBuf,
    rejected: PathBuf,
    /// Lines in the file not yet known to be stored.
    lines: u64,
}

impl Spool {
    pub(super) fn new(dir: PathBuf) -> Self {
        Spool {
            path: dir.join(SPOOL_FILE),
            rejected: dir.join(REJECTED_FILE),
            dir,
            lines: 0,
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn lines(&self) -> u64 {
        self.lines
    }

    /// Makes the folder and the file, counts what a previous run left, and
    /// ends a line cut short by a crash so the next append starts clean.
    pub(super) async fn recover(&mut self) -> io::Result<()> {
        fs::create_dir_all(&self.dir).await?;
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.path)
            .await?;
        // The new file's name must survive a power cut too.
        File::open(&self.dir).await?.sync_all().await?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).await?;
        self.lines = text
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count() as u64;
        if text.last().is_some_and(|b| *b != b'\n') {
            file.write_all(b"\n").await?;
            file.sync_data().await?;
        }
        Ok(())
    }

    /// Appends one record and waits until it is on disk.
    pub(super) async fn append(&mut self, record: &CallRecord) -> io::Result<()> {
        append_line(&self.path, &to_line(record)?).await?;
        self.lines += 1;
        Ok(())
    }

    /// The spooled lines, oldest first.
    pub(super) async fn read(&self) -> io::Result<Lines<BufReader<File>>> {
        Ok(BufReader::new(File::open(&self.path).await?).lines())
    }

    /// Empties the spool once every line is stored.
    pub(super) async fn clear(&mut self) -> io::Result<()> {
        let file = OpenOptions::new().write(true).open(&self.path).await?;
        file.set_len(0).await?;
        file.sync_all().await?;
        self.lines = 0;
        Ok(())
    }

    /// Keeps a line the database refused, or one that cannot be read.
    pub(super) async fn set_aside(&self, line: &str) -> io::Result<()> {
        append_line(&self.rejected, line).await
    }
}

pub(super) fn to_line(record: &CallRecord) -> io::Result<String> {
    serde_json::to_string(record).map_err(io::Error::other)
}

async fn append_line(path: &Path, line: &str) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes).await?;
    file.sync_data().await
}
