//! Exports that take a while (the national data set takes tens of seconds) run beside the
//! request that started them: the page that started one follows its progress (the rows
//! written so far) and offers the file when it is ready. Jobs are kept in the database and
//! their files in the blob store, so the page may be served by any instance of casework,
//! whichever one runs the job. A job belongs to whoever started it; it and its file go half
//! an hour after it finished (the worker's housekeeping). A job whose instance stopped shows
//! as failed once its progress has not been written for half a minute.

use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use crate::exports::{ExportError, Exported};
use chrono::Utc;
use frt_store::export_jobs as store;
use frt_store::ScopedFutureExt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use uuid::Uuid;

tokio::task_local! {
    /// The rows an export running as a job has written so far (`stream` counts them).
    pub(crate) static PROGRESS: Arc<AtomicU64>;
}

/// How long a finished job and its file are kept for the download.
pub const KEPT_MINUTES: i64 = 30;
/// How often a running job writes its progress.
const BEAT: Duration = Duration::from_secs(1);
/// A running job whose progress is older than this has stopped with its instance.
const STOPPED_AFTER_SECONDS: i64 = 30;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

/// Starts `export` as a job of the caller's; answers its id once the job is recorded.
pub async fn start<F>(
    core: &Core,
    caller: &Caller,
    filename: String,
    export: F,
) -> Result<Uuid, StoreError>
where
    F: Future<Output = Result<Exported, ExportError>> + Send + 'static,
{
    let id = Uuid::now_v7();
    let owner = caller.principal.user_id;
    let name = filename.as_str();
    core.db
        .query(|conn| store::insert(conn, id, owner, name).scope_boxed())
        .await?;
    let core = core.clone();
    tokio::spawn(async move {
        let rows = Arc::new(AtomicU64::new(0));
        let beating = {
            let (core, rows) = (core.clone(), rows.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(BEAT).await;
                    let n = i64::try_from(rows.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
                    let _ = core
                        .db
                        .query(|conn| store::beat(conn, id, n).scope_boxed())
                        .await;
                }
            })
        };
        let outcome = PROGRESS.scope(rows, export).await;
        beating.abort();
        let kept = match outcome {
            Ok(exported) => keep(&core, &exported)
                .await
                .map(|(key, size)| (key, size, exported.rows)),
            Err(e) => Err(e.to_string()),
        };
        let recorded = match &kept {
            Ok((key, size, rows)) => {
                let rows = i64::try_from(*rows).unwrap_or(i64::MAX);
                core.db
                    .query(|conn| store::finish(conn, id, rows, key, *size).scope_boxed())
                    .await
            }
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "export job failed");
                core.db
                    .query(|conn| store::fail(conn, id, e).scope_boxed())
                    .await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(job = %id, error = %e, "the export job's end was not recorded");
        }
    });
    Ok(id)
}

/// Puts the finished file into the blob store: its key and size.
async fn keep(core: &Core, exported: &Exported) -> Result<(String, i64), String> {
    let mut file = tokio::fs::File::open(&exported.path)
        .await
        .map_err(|e| format!("the export's file: {e}"))?;
    let mut blob = core.blobs.begin().await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        blob.write(&buf[..n]).await.map_err(|e| e.to_string())?;
    }
    let stored = blob.commit().await.map_err(|e| e.to_string())?;
    Ok((stored.key, i64::try_from(stored.size).unwrap_or(i64::MAX)))
}

/// The caller's own job as stored (another's is not found).
async fn own(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<store::ExportJob>, StoreError> {
    let owner = caller.principal.user_id;
    Ok(core
        .db
        .query(|conn| store::of_owner(conn, id, owner).scope_boxed())
        .await?)
}

/// The caller's own job (another's is not found).
pub async fn status(core: &Core, caller: &Caller, id: Uuid) -> Result<Option<JobView>, StoreError> {
    let Some(j) = own(core, caller, id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let stopped = j.state == "running" && (now - j.beat_at).num_seconds() > STOPPED_AFTER_SECONDS;
    let (state, error) = match j.state.as_str() {
        "done" => ("done", None),
        "failed" => ("failed", j.error.clone()),
        _ if stopped => (
            "failed",
            Some("the export stopped with the service running it; start it again".to_owned()),
        ),
        _ => ("running", None),
    };
    Ok(Some(JobView {
        id,
        filename: j.filename,
        state,
        rows: u64::try_from(j.rows).unwrap_or(0),
        seconds: (j.finished_at.unwrap_or(now) - j.started_at).num_seconds(),
        error,
    }))
}

/// The finished file of the caller's own job, opened for the download.
pub async fn file(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<crate::download::Download>, StoreError> {
    let Some(j) = own(core, caller, id).await? else {
        return Ok(None);
    };
    let (Some(key), "done") = (j.blob_key.as_deref(), j.state.as_str()) else {
        return Ok(None);
    };
    crate::download::Download::open(
        core,
        j.filename,
        XLSX.to_owned(),
        j.size_bytes.unwrap_or(0),
        String::new(),
        key,
    )
    .await
    .map(Some)
}

/// Removes jobs kept long enough, and their files (the worker's housekeeping); answers how
/// many went.
pub async fn expire(core: &Core) -> Result<usize, StoreError> {
    let keys = core
        .db
        .query(|conn| store::expire(conn, KEPT_MINUTES).scope_boxed())
        .await?;
    for key in &keys {
        core.blobs.remove(key).await;
    }
    Ok(keys.len())
}
