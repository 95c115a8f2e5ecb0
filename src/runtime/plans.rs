//! Where the running dialplan comes from: the `*.toml` files of the
//! dialplans folder and the queues stored in the database (managed through
//! the API). Both go through the one loader, so a rule may send calls to a
//! stored queue, and a stored queue's overflow to a file's; a change that
//! does not load leaves the running plan as it is.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;

use crate::crm::queues::StoredQueue;
use crate::dialplan::{self, Plan, PlanError};
use crate::runtime::sip::SipServer;

/// The dialplans folder and the stored queues the running plan was made of.
pub struct PlanSources {
    dir: PathBuf,
    stored: Mutex<Vec<StoredQueue>>,
}

impl PlanSources {
    pub fn new(dir: PathBuf, stored: Vec<StoredQueue>) -> Self {
        PlanSources {
            dir,
            stored: Mutex::new(stored),
        }
    }

    /// The plan of the files with `stored`; errors name the file (or the
    /// stored queue) and line of each mistake.
    pub fn plan_with(
        &self,
        stored: &[StoredQueue],
    ) -> anyhow::Result<Result<Plan, Vec<PlanError>>> {
        let mut files = read_files(&self.dir)?;
        for queue in stored {
            let text = queue
                .as_dialplan()
                .map_err(|e| anyhow::anyhow!("queue {}: {e}", queue.name))?;
            files.push((StoredQueue::source(&queue.name), text));
        }
        Ok(dialplan::load(&files))
    }

    /// The plan of the files and the stored queues as they are.
    pub fn plan(&self) -> anyhow::Result<Plan> {
        let stored = self.stored().clone();
        self.plan_with(&stored)?.map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("the dialplans are wrong:\n{}", lines.join("\n"))
        })
    }

    fn stored(&self) -> std::sync::MutexGuard<'_, Vec<StoredQueue>> {
        self.stored.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reloads the files (SIGHUP, or `POST /sip/dialplans/reload`) into the
    /// running server; with errors the running plan stays and they are
    /// returned as lines.
    pub fn reload(&self, sip: &SipServer) -> Result<usize, Vec<String>> {
        match self.plan() {
            Ok(plan) => {
                let rules = plan.len();
                tracing::info!(rules, "dialplans reloaded");
                sip.set_plan(Arc::new(plan));
                Ok(rules)
            }
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), "dialplans NOT reloaded; the running plan stays");
                Err(format!("{error:#}")
                    .lines()
                    .skip(1)
                    .map(str::to_string)
                    .collect())
            }
        }
    }

    /// Makes the plan with a new set of stored queues the running one, or
    /// returns why it does not load (the running plan stays).
    pub fn apply_queues(
        &self,
        sip: &SipServer,
        stored: Vec<StoredQueue>,
    ) -> Result<(), Vec<PlanError>> {
        let plan = match self.plan_with(&stored) {
            Ok(Ok(plan)) => plan,
            Ok(Err(errors)) => return Err(errors),
            Err(error) => {
                return Err(vec![PlanError {
                    file: self.dir.display().to_string(),
                    line: 0,
                    message: format!("{error:#}"),
                }]);
            }
        };
        *self.stored() = stored;
        tracing::info!(queues = plan.queues().iter().count(), "queues changed");
        sip.set_plan(Arc::new(plan));
        Ok(())
    }
}

/// Every `*.toml` file of the folder, as (path, text).
fn read_files(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading the dialplans in {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
    }
    Ok(files)
}
