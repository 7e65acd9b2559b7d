//! The worker process killed (SIGKILL) at random points while it sends, again and again, then
//! run to the end: no message is left waiting, no mail arrives twice, every message marked
//! sent arrived exactly once, and the one whose send a kill interrupted is marked uncertain for
//! an operator (it may or may not have arrived; it is never sent again on its own) while the
//! rest of that worker's batch goes back to the queue.

use frt_testkit::db::project_root;
use frt_testkit::TestApp;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The worker binary against the test's database and mail sink, quick rounds and short leases.
fn worker(app: &TestApp, smtp_port: u16) -> tokio::process::Command {
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
        .env("FRT__WORKER__BATCH_SIZE", "2")
        .env("FRT__WORKER__LEASE_MS", "400")
        .env("FRT__WORKER__BACKOFF_BASE_MS", "20")
        .env("FRT__WORKER__BACKOFF_MAX_MS", "50")
        .env("FRT__LOG__LEVEL", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .sql()
        .await
        .query_one(sql, &[])
        .await
        .expect(sql)
        .get(0)
}

#[tokio::test]
async fn a_worker_killed_again_and_again_mid_send_never_sends_a_mail_twice_nor_leaves_one_waiting()
{
    let (app, sink) =
        TestApp::spawn_with_mail(&[("FRT__AUTH__REGISTRATIONS_PER_HOUR", "1000")]).await;
    // Each registration mails its confirmation link: forty messages queued.
    for i in 0..40 {
        app.client
            .register_unconfirmed(&format!("进程终止测试{i}号有限公司"), "310000")
            .await;
    }
    let queued = count(&app, "SELECT count(*) FROM outbox").await;
    assert_eq!(queued, 40);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("worker kills: seed {seed}");
    let mut state = seed | 1;
    let (mut kills, mut mid_run) = (0, 0);
    while count(&app, "SELECT count(*) FROM outbox WHERE status = 'pending'").await > 0
        && kills < 60
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut child = worker(&app, sink.port).spawn().expect("start the worker");
        tokio::time::sleep(Duration::from_millis(30 + state % 170)).await;
        if child.try_wait().ok().flatten().is_none() {
            mid_run += 1;
        }
        let _ = child.kill().await;
        kills += 1;
    }
    // Run to the end: until nothing waits and no lease is left running.
    let mut child = worker(&app, sink.port).spawn().expect("start the worker");
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until
        && count(
            &app,
            "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'uncertain', 'failed')",
        )
        .await
            > 0
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill().await;

    let left = count(
        &app,
        "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'uncertain', 'failed')",
    )
    .await;
    assert_eq!(left, 0, "no message left waiting or claimed");
    let mut arrived: HashMap<String, usize> = HashMap::new();
    for m in sink.received() {
        *arrived.entry(m.message_id()).or_default() += 1;
    }
    let twice: Vec<_> = arrived.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "mail arrived twice: {twice:?}");
    let c = app.db.sql().await;
    let rows = c
        .query("SELECT id::text, status FROM outbox", &[])
        .await
        .expect("outbox");
    let (mut sent, mut uncertain) = (0, 0);
    for r in &rows {
        let (id, status): (String, String) = (r.get(0), r.get(1));
        let n = arrived
            .iter()
            .find(|(mid, _)| mid.starts_with(&id))
            .map_or(0, |(_, n)| *n);
        match status.as_str() {
            "sent" => {
                assert_eq!(n, 1, "message {id} is marked sent and arrived {n} times");
                sent += 1;
            }
            "uncertain" => uncertain += 1,
            other => panic!("message {id} ended {other}"),
        }
    }
    assert_eq!(sent + uncertain, 40);
    // A kill interrupts at most the one message being sent: the rest of its batch, only
    // claimed, went back to the queue.
    assert!(
        uncertain <= kills,
        "{uncertain} uncertain after {kills} kills"
    );
    eprintln!(
        "worker kills: {kills} kills ({mid_run} mid-run), {sent} sent once each, {uncertain} \
         uncertain for an operator, none twice"
    );
}
