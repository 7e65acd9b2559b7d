//! What the worker's process tests share: the worker binary started against a test's
//! database and mail sink, and counting rows.

#![allow(dead_code)]

use frt_testkit::db::project_root;
use frt_testkit::TestApp;

/// The worker binary against the test's database and mail sink, quick rounds and short leases.
pub fn worker(app: &TestApp, smtp_port: u16) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_worker"));
    cmd.env("DATABASE_URL", &app.db.app_url)
        .env("FRT_CONFIG_DIR", project_root().join("config"))
        .env_remove("FRT__DATABASE__URL")
        .env("FRT_ENV", "test")
        .env("FRT__MAIL__TRANSPORT", "smtp")
        .env("FRT__MAIL__SMTP_HOST", "127.0.0.1")
        .env("FRT__MAIL__SMTP_PORT", smtp_port.to_string())
        .env("FRT__MAIL__SMTP_TLS", "none")
        .env("FRT__MAIL__SMTP_TIMEOUT_MS", "200")
        .env("FRT__WORKER__POLL_INTERVAL_MS", "20")
        .env("FRT__WORKER__LISTEN", "127.0.0.1:0")
        .env("FRT__WORKER__BATCH_SIZE", "2")
        .env("FRT__WORKER__LEASE_MS", "400")
        .env("FRT__WORKER__BACKOFF_BASE_MS", "20")
        .env("FRT__WORKER__BACKOFF_MAX_MS", "50")
        // The day's sweep is due at once, and taken over as soon as its worker is gone.
        .env("FRT__WORKER__SWEEP_AT", "00:00")
        .env("FRT__WORKER__SWEEP_TAKEOVER_MS", "20")
        .env("FRT__LOG__LEVEL", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .sql()
        .await
        .query_one(sql, &[])
        .await
        .expect(sql)
        .get(0)
}
