//! Recording retention: files older than the configured number of days are
//! deleted, once an hour. The call record keeps naming the file; the API
//! answers that it is gone.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const EVERY: Duration = Duration::from_secs(3600);

/// Runs until the server stops.
pub async fn run(dir: PathBuf, days: u32) {
    let keep = Duration::from_secs(u64::from(days) * 86_400);
    loop {
        let root = dir.clone();
        match tokio::task::spawn_blocking(move || {
            sweep(&root, keep, SystemTime::from(super::clock::now()))
        })
        .await
        {
            Ok(0) | Err(_) => {}
            Ok(deleted) => tracing::info!(deleted, days, "old recordings deleted"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Deletes the recordings under `dir` last written longer than `keep`
/// before `now`, and the day folders left empty; how many files went.
pub fn sweep(dir: &Path, keep: Duration, now: SystemTime) -> usize {
    let mut deleted = 0;
    let Ok(days) = std::fs::read_dir(dir) else {
        return 0;
    };
    for day in days.flatten() {
        let Ok(files) = std::fs::read_dir(day.path()) else {
            continue;
        };
        for file in files.flatten() {
            let old = file
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|written| now.duration_since(written).unwrap_or_default() > keep);
            let wav = file.path().extension().is_some_and(|e| e == "wav");
            if old && wav && std::fs::remove_file(file.path()).is_ok() {
                deleted += 1;
            }
        }
        // Only an empty folder goes; one still in use stays.
        let _ = std::fs::remove_dir(day.path());
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recordings_older_than_the_retention_go() {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("2026-11-01");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::write(day.join("a.wav"), b"RIFF").unwrap();
        std::fs::write(day.join("notes.txt"), b"kept").unwrap();
        let keep = Duration::from_secs(30 * 86_400);
        let soon = SystemTime::from(crate::runtime::clock::now()) + Duration::from_secs(86_400);
        assert_eq!(sweep(dir.path(), keep, soon), 0, "a day old: kept");
        let later =
            SystemTime::from(crate::runtime::clock::now()) + Duration::from_secs(31 * 86_400);
        assert_eq!(sweep(dir.path(), keep, later), 1);
        assert!(!day.join("a.wav").exists() && day.join("notes.txt").exists());
    }
}
