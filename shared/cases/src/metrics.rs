//! What the platform reports to Prometheus, through the `metrics` facade (the services serve
//! it on `GET /metrics`, the worker on its own listener; `frt_web::metrics`). Durations and
//! counts are recorded where things happen; what describes the database's state (the pool, the
//! outbox, the deadline sweep, the audit chain, the exchange feeds) is read here when a
//! scraper asks, so every instance reports the same truth.

use crate::context::Core;
use crate::error::StoreError;
use frt_store::ScopedFutureExt;
use metrics::gauge;

/// Request latency by service, route template, method and status class (a histogram).
pub const HTTP_REQUEST_SECONDS: &str = "frt_http_request_duration_seconds";
/// A spreadsheet import's duration by kind and outcome (a histogram).
pub const IMPORT_SECONDS: &str = "frt_import_duration_seconds";
/// An export's duration by kind (a histogram).
pub const EXPORT_SECONDS: &str = "frt_export_duration_seconds";
/// Deadline sweeps run by a worker, by outcome (`done`, `failed`).
pub const SWEEP_RUNS: &str = "frt_sweep_runs_total";
/// Messages a worker's rounds settled, by outcome (`sent`, `retry`, `failed`, `uncertain`).
pub const OUTBOX_SETTLED: &str = "frt_outbox_settled_total";

/// The outbox's statuses, each reported (zero included).
const OUTBOX_STATUSES: [&str; 5] = ["pending", "claimed", "sending", "failed", "uncertain"];

/// Sets the gauges that describe the database's state now. The pool's gauges are set even
/// when the database does not answer (`frt_database_up` then says so).
pub async fn observe(core: &Core) -> Result<(), StoreError> {
    let pool = core.db.pool_use();
    gauge!("frt_db_pool_connections", "state" => "in_use").set(pool.in_use as f64);
    gauge!("frt_db_pool_connections", "state" => "idle").set(pool.idle as f64);
    gauge!("frt_db_pool_max_connections").set(pool.max as f64);
    gauge!("frt_db_pool_waiting").set(pool.waiting as f64);
    // Each a defect behind a pooler in transaction mode (frt_store::db); zero otherwise.
    metrics::counter!("frt_db_statements_outside_transaction_total")
        .absolute(frt_store::db::statements_outside_transaction());
    let read = read_state(core).await;
    gauge!("frt_database_up").set(if read.is_ok() { 1.0 } else { 0.0 });
    read
}

async fn read_state(core: &Core) -> Result<(), StoreError> {
    core.db
        .run(|conn| {
            async move {
                let counts = frt_store::gauges::outbox(conn).await?;
                for status in OUTBOX_STATUSES {
                    let n = counts
                        .iter()
                        .find(|c| c.status == status)
                        .map_or(0, |c| c.n);
                    gauge!("frt_outbox_messages", "status" => status).set(n as f64);
                }
                let state = frt_store::gauges::state(conn).await?;
                gauge!("frt_outbox_oldest_pending_seconds")
                    .set(state.oldest_pending.unwrap_or(0.0));
                gauge!("frt_audit_chain_length").set(state.chain_length as f64);
                gauge!("frt_audit_chain_head_age_seconds").set(state.chain_head_age.unwrap_or(0.0));
                if let Some(age) = state.sweep_finished_age {
                    gauge!("frt_sweep_last_finished_age_seconds").set(age);
                }
                gauge!("frt_sweep_unfinished").set(state.sweep_unfinished as f64);
                for lag in frt_store::exchange::lags(conn).await? {
                    let labels = [("client", lag.key_id.clone()), ("feed", lag.stream.clone())];
                    gauge!("frt_exchange_feed_lag_events", &labels).set(lag.events as f64);
                    if let Some(s) = lag.since_sync {
                        gauge!("frt_exchange_feed_last_sync_age_seconds", &labels).set(s);
                    }
                }
                Ok(())
            }
            .scope_boxed()
        })
        .await
}
