//! The deadline sweep against a real database and SMTP server: reminders before the
//! processor's correction time limit and the regulator's review time limit, the overdue mark,
//! the escalation of an overdue review to the province's supervisors; twice, or on two
//! workers at once, it does nothing more than once.

use chrono::NaiveDate;
use frt_access::{AgencyKind, Role};
use frt_cases::sweep::{self, SweepReport};
use frt_domain::calendar::Calendar;
use frt_store::deadlines;
use frt_testkit::{SmtpSink, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// The latest day with exactly `n` working days left before `due`.
fn days_before(due: NaiveDate, n: i64) -> NaiveDate {
    let cal = Calendar::builtin().expect("calendar");
    let mut day = due;
    while cal.working_days_between(day, due).days < n {
        day -= chrono::Duration::days(1);
    }
    day
}

fn date(v: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(v.as_str().expect("a date"), "%Y-%m-%d").expect("date")
}

async fn sweep_on(app: &TestApp, day: NaiveDate) -> SweepReport {
    sweep::run(&app.core, day).await.expect("sweep")
}

/// Sends what is queued and returns the mails that arrived since `seen`.
async fn new_mail(
    app: &TestApp,
    sink: &SmtpSink,
    seen: &mut usize,
) -> Vec<frt_testkit::smtp::Received> {
    app.worker().send_due().await.expect("send");
    let all = sink.wait_for(*seen, Duration::from_secs(2)).await;
    let fresh = all[*seen..].to_vec();
    *seen = all.len();
    fresh
}

async fn audit_actions(app: &TestApp, id: &str) -> Vec<String> {
    let mut conn = app.core.db.conn().await.expect("conn");
    frt_store::audit::trail(&mut conn, "filing", id)
        .await
        .expect("trail")
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[tokio::test]
async fn the_processor_is_reminded_before_its_correction_time_limit_and_told_when_it_passed() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (p, _) = app.register_processor("补正提醒有限公司", "310000").await;
    let r = app.reviewer("310000").await;
    let id = app
        .complete_draft(&p, "initial", frt_cases::today_in_china(), None)
        .await;
    app.submit(&p, &id, None).await;
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            Some(json!({ "reasons": [{ "path": null, "message": "请补充评估报告" }] })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let due = date(&b["correction_deadline"]["due_date"]);
    let mut seen = 0;
    assert_eq!(
        new_mail(&app, &sink, &mut seen).await.len(),
        2,
        "receipt and return"
    );

    // Six working days before: nothing yet.
    let quiet = sweep_on(&app, days_before(due, 6)).await;
    assert_eq!((quiet.reminders, quiet.mails_queued), (0, 0), "{quiet:?}");

    let five = days_before(due, 5);
    let report = sweep_on(&app, five).await;
    assert_eq!(
        (report.reminders, report.mails_queued),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(
        sweep_on(&app, five).await.reminders,
        0,
        "the same day twice"
    );
    let mail = new_mail(&app, &sink, &mut seen).await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].subject().contains("还剩5个工作日"),
        "{}",
        mail[0].subject()
    );

    let report = sweep_on(&app, days_before(due, 1)).await;
    assert_eq!(report.reminders, 1, "{report:?}");
    let mail = new_mail(&app, &sink, &mut seen).await;
    assert!(
        mail[0].subject().contains("还剩1个工作日"),
        "{}",
        mail[0].subject()
    );

    let after = due + chrono::Duration::days(1);
    let report = sweep_on(&app, after).await;
    assert_eq!(
        (report.marked_overdue, report.mails_queued),
        (1, 1),
        "{report:?}"
    );
    let again = sweep_on(&app, after + chrono::Duration::days(1)).await;
    assert_eq!(
        (again.marked_overdue, again.mails_queued),
        (0, 0),
        "{again:?}"
    );
    let mail = new_mail(&app, &sink, &mut seen).await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].subject().contains("补正期限已过"),
        "{}",
        mail[0].subject()
    );
    let mut conn = app.core.db.conn().await.expect("conn");
    let d = deadlines::get(&mut conn, "filing", id.parse().expect("uuid"), "correction")
        .await
        .expect("get")
        .expect("deadline");
    assert_eq!(d.overdue_since, Some(after));
    assert!(audit_actions(&app, &id)
        .await
        .contains(&"deadline.overdue".to_owned()));

    // Resubmitting meets the deadline: later sweeps leave it alone.
    let (s, _) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200);
    sweep_on(&app, after + chrono::Duration::days(7)).await;
    let alerts: Vec<String> = deadlines::alerts_for(&mut conn, "filing", id.parse().expect("uuid"))
        .await
        .expect("alerts")
        .into_iter()
        .filter(|(purpose, ..)| purpose == "correction")
        .map(|(_, kind, ..)| kind)
        .collect();
    assert_eq!(alerts, ["reminder:5", "reminder:1", "overdue"]);
}

#[tokio::test]
async fn an_overdue_review_is_escalated_to_supervisors_once_even_with_two_workers() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (p, _) = app.register_processor("审核超期有限公司", "310000").await;
    let r = app.reviewer("310000").await;
    app.staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    app.staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    // A supervisor elsewhere is not told.
    app.staff(AgencyKind::ProvincialCac, Some("110000"), Role::Supervisor)
        .await;
    let id = app
        .complete_draft(&p, "initial", frt_cases::today_in_china(), None)
        .await;
    let (_, b) = app.submit(&p, &id, None).await;
    let version = b["version"].as_i64().expect("version");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/take", app.casework),
            Some(&r),
            Some(json!({ "version": version })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let due = date(&b["review_deadline"]["due_date"]);
    let mut seen = 0;
    assert_eq!(
        new_mail(&app, &sink, &mut seen).await.len(),
        1,
        "the receipt"
    );

    // The assigned reviewer is reminded.
    let report = sweep_on(&app, days_before(due, 1)).await;
    assert_eq!(
        (report.reminders, report.mails_queued),
        (1, 1),
        "{report:?}"
    );
    let mail = new_mail(&app, &sink, &mut seen).await;
    assert!(mail[0].to[0].starts_with("reviewer-"), "{:?}", mail[0].to);
    assert!(
        mail[0].subject().contains("审核期限提醒"),
        "{}",
        mail[0].subject()
    );

    // Overdue: two workers sweep at once; one escalation, one mail per supervisor.
    let after = due + chrono::Duration::days(1);
    let (a, b) = tokio::join!(sweep_on(&app, after), sweep_on(&app, after));
    assert_eq!(a.escalated + b.escalated, 1, "{a:?} {b:?}");
    assert_eq!(a.mails_queued + b.mails_queued, 2, "{a:?} {b:?}");
    assert_eq!(sweep_on(&app, after).await.escalated, 0);
    let mail = new_mail(&app, &sink, &mut seen).await;
    assert_eq!(mail.len(), 2);
    for m in &mail {
        assert!(m.to[0].starts_with("supervisor-"), "{:?}", m.to);
        assert!(m.subject().contains("审核超期，请督办"), "{}", m.subject());
        assert!(m.text().contains("reviewer-"), "the assignee is named");
    }
    let actions = audit_actions(&app, &id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "filing.review_escalated")
            .count(),
        1,
        "{actions:?}"
    );

    // The scheduled run claims each day once.
    let mut conn = app.core.db.conn().await.expect("conn");
    let day = frt_cases::today_in_china();
    assert!(
        frt_store::sweep_runs::claim(&mut conn, day, chrono::Duration::hours(1))
            .await
            .expect("claim")
    );
    assert!(
        !frt_store::sweep_runs::claim(&mut conn, day, chrono::Duration::hours(1))
            .await
            .expect("claim")
    );
}

#[tokio::test]
async fn the_scheduled_sweep_runs_once_a_day_whichever_worker_comes_first() {
    // A sweep time of midnight: it is always due today.
    let (app, _sink) = TestApp::spawn_with_mail(&[("FRT__WORKER__SWEEP_AT", "00:00")]).await;
    let (a, b) = (app.worker(), app.worker());
    let first = a.scheduled_sweep().await.expect("sweep");
    assert_eq!(
        first.and_then(|r| r.day),
        Some(frt_cases::today_in_china()),
        "the first worker runs today's sweep"
    );
    assert!(
        b.scheduled_sweep().await.expect("sweep").is_none(),
        "the second finds it claimed"
    );
    assert!(
        a.scheduled_sweep().await.expect("sweep").is_none(),
        "and the first does not repeat it"
    );
    let (c, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let finished: i64 = c
        .query_one(
            "SELECT count(*) FROM sweep_runs WHERE finished_at IS NOT NULL",
            &[],
        )
        .await
        .expect("runs")
        .get(0);
    assert_eq!(finished, 1);
}

#[tokio::test]
async fn a_deadline_another_transaction_holds_is_waited_for_not_left_for_tomorrow() {
    let (app, _sink) = TestApp::spawn_with_mail(&[]).await;
    let (p, _) = app.register_processor("锁定期限有限公司", "310000").await;
    app.staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let id = app
        .complete_draft(&p, "initial", frt_cases::today_in_china(), None)
        .await;
    app.submit(&p, &id, None).await;
    let today = frt_cases::today_in_china();
    // The review time limit passed; a transaction holds the deadline's row, as one of a
    // worker that stopped mid-sweep does until the server notices its connection is gone.
    let holder = app.db.sql().await;
    holder
        .batch_execute(&format!(
            "UPDATE deadlines SET due_date = '{}' WHERE purpose = 'review'",
            today - chrono::Duration::days(40)
        ))
        .await
        .expect("the time limit passed");
    holder
        .batch_execute("BEGIN; SELECT 1 FROM deadlines WHERE purpose = 'review' FOR UPDATE")
        .await
        .expect("hold the deadline");
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder.batch_execute("ROLLBACK").await.expect("release");
    });
    let report = sweep_on(&app, today).await;
    release.await.expect("released");
    assert_eq!(
        (report.marked_overdue, report.escalated),
        (1, 1),
        "the held deadline is handled once it is free: {report:?}"
    );
}
