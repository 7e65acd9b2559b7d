//! Exports that take a while (the national data set takes tens of seconds) run beside the
//! request that started them: the page that started one follows its progress (the rows
//! written so far) and offers the file when it is ready. A job belongs to whoever started it;
//! it and its file go half an hour after it finished, or when the process stops (the
//! worker's sweep removes the files a stopped process left).

use crate::caller::Caller;
use crate::context::Core;
use crate::exports::{ExportError, Exported};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

tokio::task_local! {
    /// The rows an export running as a job has written so far (`stream` counts them).
    pub(crate) static PROGRESS: Arc<AtomicU64>;
}

/// How long a finished job and its file are kept for the download.
const KEPT_MINUTES: i64 = 30;

enum State {
    Running,
    Done(Exported),
    Failed(String),
}

struct Job {
    owner: Uuid,
    /// What the file is called when downloaded.
    filename: String,
    started: DateTime<Utc>,
    finished: Option<DateTime<Utc>>,
    rows: Arc<AtomicU64>,
    state: State,
}

/// The export jobs of this process.
#[derive(Default)]
pub struct ExportJobs {
    jobs: Mutex<HashMap<Uuid, Job>>,
}

impl std::fmt::Debug for ExportJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExportJobs")
    }
}

/// A job as its page shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: Uuid,
    pub filename: String,
    /// running, done or failed.
    pub state: &'static str,
    pub rows: u64,
    pub seconds: i64,
    pub error: Option<String>,
}

impl ExportJobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Job>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drops finished jobs older than they are kept (their files with them).
    fn prune(&self) {
        let now = Utc::now();
        self.lock().retain(|_, j| {
            j.finished
                .is_none_or(|f| (now - f).num_minutes() < KEPT_MINUTES)
        });
    }
}

/// Starts `export` as a job of the caller's; answers its id at once.
pub fn start<F>(core: &Core, caller: &Caller, filename: String, export: F) -> Uuid
where
    F: Future<Output = Result<Exported, ExportError>> + Send + 'static,
{
    let jobs = core.exports.clone();
    jobs.prune();
    let id = Uuid::now_v7();
    let rows = Arc::new(AtomicU64::new(0));
    jobs.lock().insert(
        id,
        Job {
            owner: caller.principal.user_id,
            filename,
            started: Utc::now(),
            finished: None,
            rows: rows.clone(),
            state: State::Running,
        },
    );
    tokio::spawn(async move {
        let outcome = PROGRESS.scope(rows, export).await;
        let state = match outcome {
            Ok(done) => State::Done(done),
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "export job failed");
                State::Failed(e.to_string())
            }
        };
        if let Some(job) = jobs.lock().get_mut(&id) {
            job.state = state;
            job.finished = Some(Utc::now());
        }
    });
    id
}

/// The caller's own job (another's is not found).
pub fn status(core: &Core, caller: &Caller, id: Uuid) -> Option<JobView> {
    let jobs = core.exports.lock();
    let j = jobs
        .get(&id)
        .filter(|j| j.owner == caller.principal.user_id)?;
    let end = j.finished.unwrap_or_else(Utc::now);
    let (state, error) = match &j.state {
        State::Running => ("running", None),
        State::Done(_) => ("done", None),
        State::Failed(e) => ("failed", Some(e.clone())),
    };
    Some(JobView {
        id,
        filename: j.filename.clone(),
        state,
        rows: match &j.state {
            State::Done(e) => e.rows,
            _ => j.rows.load(Ordering::Relaxed),
        },
        seconds: (end - j.started).num_seconds(),
        error,
    })
}

/// The finished file of the caller's own job: its path and name for the download.
pub fn file(core: &Core, caller: &Caller, id: Uuid) -> Option<(std::path::PathBuf, String)> {
    let jobs = core.exports.lock();
    let j = jobs
        .get(&id)
        .filter(|j| j.owner == caller.principal.user_id)?;
    match &j.state {
        State::Done(e) => Some((e.path.clone(), j.filename.clone())),
        _ => None,
    }
}
