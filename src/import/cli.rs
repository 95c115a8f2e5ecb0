//! The terminal side of `switchboard import clients`: the file, a progress
//! bar on stderr, the summary, and the report of rejected rows.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

use super::{ImportError, Options, Summary, import_clients};
use crate::crm::Repository;
use crate::runtime::clock;

/// Imports `file`, shows progress, prints the summary on stderr and the
/// rejected rows to `report` (stdout when `None`).
pub async fn run(
    repo: Arc<dyn Repository>,
    file: &Path,
    options: &Options,
    report: Option<&Path>,
) -> Result<Summary, ImportError> {
    let open = |path: &Path| {
        File::open(path).map_err(|source| ImportError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let input = open(file)?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    // Hidden by indicatif itself when stderr is not a terminal.
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta} left)",
        )
        // The template is a constant known to be valid.
        .expect("valid progress template"),
    );
    // Ticks on its own: a load into an empty base builds its indexes after
    // the last byte is read, which takes seconds at a million clients.
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    let input = BufReader::with_capacity(1 << 20, input);
    let summary = import_clients(repo, input, options, clock::now(), |offset| {
        bar.set_position(offset)
    })
    .await;
    bar.finish_and_clear();
    let summary = summary?;
    eprintln!("{summary}");
    let write_error = |path: PathBuf| {
        move |e: csv::Error| ImportError::Report {
            path,
            message: e.to_string(),
        }
    };
    match report {
        Some(path) => {
            let out = File::create(path).map_err(|source| ImportError::Io {
                path: path.to_owned(),
                source,
            })?;
            summary
                .write_rejections(out)
                .map_err(write_error(path.to_owned()))?;
            eprintln!("rejected rows: {}", path.display());
        }
        None if !summary.rejected.is_empty() => summary
            .write_rejections(std::io::stdout().lock())
            .map_err(write_error(PathBuf::from("stdout")))?,
        None => {}
    }
    Ok(summary)
}
