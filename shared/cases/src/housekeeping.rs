//! What the worker tidies now and then, so that no request has to: spent rate-limit rows, seen
//! exchange signatures whose window has closed, and the files of uploads and exports that a
//! stopped process left half-made.

use crate::context::Core;
use crate::error::StoreError;
use chrono::Utc;
use frt_store::ScopedFutureExt;
use serde::Serialize;
use std::time::Duration;

/// A partial upload or export this old was abandoned.
const ABANDONED_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What one round removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tidied {
    pub rate_limits: usize,
    pub signatures: usize,
    pub partial_uploads: usize,
    pub abandoned_exports: usize,
    /// Export jobs kept long enough, removed with their files.
    pub export_jobs: usize,
}

pub async fn run(core: &Core) -> Result<Tidied, StoreError> {
    let (rate_limits, signatures) = core
        .db
        .run(|conn| {
            async move {
                let rate_limits = frt_store::limits::expire(conn).await?;
                // The worker's own clock against the signed times it was given: no database
                // clock in it.
                let signatures = frt_store::exchange::forget_signatures(conn, Utc::now()).await?;
                Ok::<_, StoreError>((rate_limits, signatures))
            }
            .scope_boxed()
        })
        .await?;
    let partial_uploads = core
        .blobs
        .sweep_partial(ABANDONED_AFTER)
        .await
        .map_err(StoreError::Internal)?;
    let c = core.clone();
    let abandoned_exports =
        tokio::task::spawn_blocking(move || crate::exports::sweep_abandoned(&c, ABANDONED_AFTER))
            .await
            .unwrap_or(0);
    let export_jobs = crate::export_jobs::expire(core).await?;
    Ok(Tidied {
        rate_limits,
        signatures,
        export_jobs,
        partial_uploads,
        abandoned_exports,
    })
}
