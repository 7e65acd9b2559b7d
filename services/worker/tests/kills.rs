//! The worker process killed (SIGKILL) at random points while it sends, again and again, then
//! run to the end: no message is left waiting, no mail arrives twice, every message marked
//! sent arrived exactly once, and the one whose send a kill interrupted is marked uncertain for
//! an operator (it may or may not have arrived; it is never sent again on its own) while the
//! rest of that worker's batch goes back to the queue. And killed again and again while it
//! sweeps due deadlines: every deadline is handled once and every mail queued once.

mod common;

use common::{count, worker};
use frt_access::{AgencyKind, Role};
use frt_testkit::TestApp;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Starts the worker and SIGKILLs it after a random time in `window` (ms), again and again while `busy`
/// counts anything left to do (sixty times at most). Answers the kills, how many of them found
/// the worker still running, and what `progress` counted after each.
async fn kill_again_and_again(
    app: &TestApp,
    smtp_port: u16,
    busy: &str,
    progress: &str,
    window: std::ops::Range<u64>,
) -> (usize, usize, Vec<i64>) {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("worker kills: seed {seed}");
    let mut state = seed | 1;
    let (mut kills, mut mid_run, mut after) = (0, 0, Vec::new());
    while count(app, busy).await > 0 && kills < 60 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut child = worker(app, smtp_port).spawn().expect("start the worker");
        let spread = (window.end - window.start).max(1);
        tokio::time::sleep(Duration::from_millis(window.start + state % spread)).await;
        if child.try_wait().ok().flatten().is_none() {
            mid_run += 1;
        }
        let _ = child.kill().await;
        kills += 1;
        after.push(count(app, progress).await);
    }
    (kills, mid_run, after)
}

/// Mails that arrived, by message id.
fn arrivals(sink: &frt_testkit::SmtpSink) -> HashMap<String, usize> {
    let mut arrived: HashMap<String, usize> = HashMap::new();
    for m in sink.received() {
        *arrived.entry(m.message_id()).or_default() += 1;
    }
    arrived
}

/// Messages not yet settled: waiting, claimed or being sent.
const OUTBOX_OPEN: &str =
    "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'uncertain', 'failed')";

/// Runs one worker until `open` counts nothing (thirty seconds at most), then stops it.
async fn run_to_the_end(app: &TestApp, smtp_port: u16, open: &str) {
    let mut child = worker(app, smtp_port).spawn().expect("start the worker");
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until && count(app, open).await > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill().await;
    assert_eq!(count(app, open).await, 0, "{open}: something left to do");
}

/// Checks the outbox against what arrived: nothing waiting, no mail twice, each message marked
/// sent arrived exactly once, and at most one uncertain per kill (a kill interrupts only the
/// message being sent; the rest of its batch, only claimed, went back to the queue). Answers
/// (sent, uncertain).
async fn mail_ledger(app: &TestApp, sink: &frt_testkit::SmtpSink, kills: usize) -> (usize, usize) {
    assert_eq!(
        count(app, OUTBOX_OPEN).await,
        0,
        "no message left waiting or claimed"
    );
    let arrived = arrivals(sink);
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
    assert!(
        uncertain <= kills,
        "{uncertain} uncertain after {kills} kills"
    );
    (sent, uncertain)
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

    let (kills, mid_run, _) = kill_again_and_again(
        &app,
        sink.port,
        "SELECT count(*) FROM outbox WHERE status = 'pending'",
        "SELECT count(*) FROM outbox WHERE status = 'sent'",
        30..200,
    )
    .await;
    run_to_the_end(&app, sink.port, OUTBOX_OPEN).await;
    let (sent, uncertain) = mail_ledger(&app, &sink, kills).await;
    assert_eq!(sent + uncertain, 40);
    eprintln!(
        "worker kills: {kills} kills ({mid_run} mid-run), {sent} sent once each, {uncertain} \
         uncertain for an operator, none twice"
    );
}

#[tokio::test]
async fn a_worker_killed_again_and_again_mid_sweep_handles_every_due_deadline_once() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (p, _) = app
        .register_processor("清扫终止测试有限公司", "310000")
        .await;
    for _ in 0..2 {
        app.staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
            .await;
    }
    // Sixty filings under review, nobody assigned: half their review time limits passed long
    // ago (overdue: marked, audited, escalated to both supervisors), half fall due today (the
    // last reminder, to both supervisors).
    const FILINGS: i64 = 60;
    for _ in 0..FILINGS {
        let id = app
            .complete_draft(&p, "initial", frt_cases::today_in_china(), None)
            .await;
        let (s, b) = app.submit(&p, &id, None).await;
        assert_eq!(s, 200, "{b}");
    }
    app.worker().send_due().await.expect("the receipts");
    let today = frt_cases::today_in_china();
    let c = app.db.sql().await;
    c.execute(
        "UPDATE deadlines SET due_date = CASE WHEN n % 2 = 0 THEN $1::text::date - 40 ELSE $1::text::date END \
         FROM (SELECT id AS did, row_number() OVER (ORDER BY id) AS n FROM deadlines \
               WHERE purpose = 'review') AS numbered WHERE id = did",
        &[&today.to_string()],
    )
    .await
    .expect("the review time limits fall due");
    let due = count(
        &app,
        "SELECT count(*) FROM deadlines WHERE purpose = 'review'",
    )
    .await;
    assert_eq!(due, FILINGS);
    let mails_before = count(&app, "SELECT count(*) FROM outbox").await;

    let sweep_open = format!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM sweep_runs WHERE day = '{today}' \
         AND finished_at IS NOT NULL) THEN 0 ELSE 1 END::bigint"
    );
    let handled = "SELECT count(DISTINCT deadline_id) FROM deadline_alerts";
    // A worker starts sweeping some 50 ms after it is started (debug build) and sweeps these
    // in about 150 ms more: the kills fall in that stretch.
    let window = 30..200;
    let (kills, mid_run, after) =
        kill_again_and_again(&app, sink.port, &sweep_open, handled, window).await;
    // Kills that left the day's sweep part done.
    let mid_sweep = after.iter().filter(|n| **n > 0 && **n < FILINGS).count();
    run_to_the_end(&app, sink.port, &sweep_open).await;
    run_to_the_end(&app, sink.port, OUTBOX_OPEN).await;

    // Every due deadline handled once: the overdue ones marked, audited and escalated, the
    // others reminded; a mail per supervisor for each.
    let alerts = |kind: &str| {
        format!(
            "SELECT count(*) FROM deadline_alerts a JOIN deadlines d ON d.id = a.deadline_id \
             WHERE d.purpose = 'review' AND a.kind = '{kind}'"
        )
    };
    assert_eq!(count(&app, &alerts("overdue")).await, FILINGS / 2);
    assert_eq!(count(&app, &alerts("reminder:1")).await, FILINGS / 2);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM deadlines WHERE purpose = 'review' AND overdue_since IS NOT NULL"
        )
        .await,
        FILINGS / 2
    );
    for action in ["deadline.overdue", "filing.review_escalated"] {
        assert_eq!(
            count(
                &app,
                &format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")
            )
            .await,
            FILINGS / 2,
            "{action}"
        );
    }
    let queued = count(&app, "SELECT count(*) FROM outbox").await - mails_before;
    assert_eq!(
        queued,
        FILINGS * 2,
        "one mail per supervisor for each deadline"
    );
    // Nothing left for the day: a whole sweep again finds nothing to do.
    let again = frt_cases::sweep::run(&app.core, today)
        .await
        .expect("sweep");
    assert_eq!(
        (
            again.reminders,
            again.marked_overdue,
            again.escalated,
            again.mails_queued
        ),
        (0, 0, 0, 0),
        "{again:?}"
    );
    let (sent, uncertain) = mail_ledger(&app, &sink, kills).await;
    eprintln!(
        "worker kills mid-sweep: {kills} kills ({mid_run} mid-run, {mid_sweep} with the sweep part \
         done), {due} deadlines handled once each, {queued} mails queued once, {sent} sent \
         once each, {uncertain} uncertain for an operator, none twice"
    );
}
