//! The worker's loop: send what the outbox holds, once a day, at the configured time in China,
//! run the deadline sweep, and every minute tidy up (`frt_cases::housekeeping`) and sign an
//! audit checkpoint for the witness agencies when one is due (`frt_cases::checkpoints`). Workers may run side by side: the outbox hands each message
//! to one of them, and the day's sweep is claimed by whichever gets there first.

use crate::sender::{Backoff, Round, Sender};
use chrono::Utc;
use frt_cases::sweep::{self, SweepReport};
use frt_cases::{Core, StoreError};
use frt_mail::Mailer;
use frt_store::sweep_runs;
use frt_store::ScopedFutureExt;
use std::sync::Arc;
use std::time::Duration;

pub struct Worker {
    core: Core,
    sender: Sender,
    name: String,
    /// The last day this worker saw swept, so it asks the database once a day, not every round.
    swept: std::sync::Mutex<Option<chrono::NaiveDate>>,
    /// When this worker last tidied up.
    tidied: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How often a worker tidies up (`frt_cases::housekeeping`).
const TIDY_EVERY: Duration = Duration::from_secs(60);

impl Worker {
    /// A worker with the configured transport, named after the host and process.
    pub fn new(core: Core) -> anyhow::Result<Self> {
        let mailer = Mailer::from_settings(&core.settings.mail, &core.settings.root)
            .map_err(anyhow::Error::msg)?;
        Ok(Self::with_mailer(core, Arc::new(mailer)))
    }

    pub fn with_mailer(core: Core, mailer: Arc<Mailer>) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        let name = format!(
            "{host}:{}:{}",
            std::process::id(),
            uuid::Uuid::now_v7().simple()
        );
        let w = &core.settings.worker;
        let sender = Sender::new(
            core.db.clone(),
            core.entities.clone(),
            mailer,
            name.clone(),
            w.batch_size,
            w.lease_ms,
            Backoff {
                base: Duration::from_millis(w.backoff_base_ms),
                max: Duration::from_millis(w.backoff_max_ms),
                max_attempts: w.max_attempts,
            },
        );
        Self {
            core,
            sender,
            name,
            swept: std::sync::Mutex::new(None),
            tidied: std::sync::Mutex::new(None),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// Sends everything due now.
    pub async fn send_due(&self) -> Result<Round, StoreError> {
        self.sender.drain().await
    }

    /// Runs until the task is dropped.
    pub async fn run(&self) {
        let idle = Duration::from_millis(self.core.settings.worker.poll_interval_ms);
        loop {
            let busy = match self.sender.round().await {
                Ok(r) => r.claimed > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox round failed");
                    false
                }
            };
            if let Err(e) = self.scheduled_sweep().await {
                tracing::warn!(error = ?e, "scheduled deadline sweep failed");
            }
            self.tidy_now_and_then().await;
            if !busy {
                tokio::time::sleep(idle).await;
            }
        }
    }

    /// Tidies up once every `TIDY_EVERY`.
    async fn tidy_now_and_then(&self) {
        let due = self
            .tidied
            .lock()
            .map(|t| t.is_none_or(|at| at.elapsed() >= TIDY_EVERY))
            .unwrap_or(false);
        if !due {
            return;
        }
        if let Ok(mut t) = self.tidied.lock() {
            *t = Some(std::time::Instant::now());
        }
        match frt_cases::housekeeping::run(&self.core).await {
            Ok(done) => tracing::debug!(?done, "housekeeping"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
        match frt_cases::checkpoints::sign_if_due(&self.core).await {
            Ok(Some(c)) => tracing::info!(seq = c.seq, key_id = %c.key_id, "audit checkpoint sent"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
        }
    }

    /// Runs today's sweep if its time has come and no worker has run it yet.
    pub async fn scheduled_sweep(&self) -> Result<Option<SweepReport>, StoreError> {
        let now = Utc::now().with_timezone(&frt_cases::china_offset());
        let due = self
            .core
            .settings
            .worker
            .sweep_time()
            .is_some_and(|at| now.time() >= at);
        if !due {
            return Ok(None);
        }
        let today = now.date_naive();
        if self.swept.lock().is_ok_and(|d| *d == Some(today)) {
            return Ok(None);
        }
        let takeover = chrono::Duration::milliseconds(self.core.settings.worker.sweep_takeover_ms);
        let claimed = self
            .core
            .db
            .query(|conn| sweep_runs::claim(conn, today, takeover).scope_boxed())
            .await?;
        if !claimed {
            // Another worker has it; asking again lets this one take over if that one stopped.
            return Ok(None);
        }
        let report = match sweep::run(&self.core, today).await {
            Ok(r) => r,
            Err(e) => {
                metrics::counter!(frt_cases::metrics::SWEEP_RUNS, "outcome" => "failed")
                    .increment(1);
                return Err(e);
            }
        };
        metrics::counter!(frt_cases::metrics::SWEEP_RUNS, "outcome" => "done").increment(1);
        self.core
            .db
            .run(|conn| {
                async move {
                    let summary = serde_json::to_value(&report).ok();
                    sweep_runs::finish(conn, today, summary).await?;
                    if let Ok(mut d) = self.swept.lock() {
                        *d = Some(today);
                    }
                    tracing::info!(?report, "deadline sweep done");
                    Ok(Some(report))
                }
                .scope_boxed()
            })
            .await
    }
}
