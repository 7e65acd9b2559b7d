//! The deadline sweep (期限提醒与督办): run as of a day counted in working days from a
//! deadline, once or by two workers at once, and what it recorded.

use crate::support::FrtWorld;
use chrono::NaiveDate;
use cucumber::{then, when};
use frt_domain::calendar::Calendar;
use reqwest::Method;

/// The due date of one of the current filing's deadlines, as staff see it.
async fn due_of(w: &mut FrtWorld, purpose: &str) -> NaiveDate {
    let id = w.filing_id();
    let mut conn = w.app().core.db.conn().await.expect("conn");
    let d = frt_store::deadlines::get(&mut conn, "filing", id.parse().expect("uuid"), purpose)
        .await
        .expect("deadline")
        .unwrap_or_else(|| panic!("the filing has no {purpose} deadline"));
    d.due_date
}

fn purpose(what: &str) -> &'static str {
    match what {
        "correction" => "correction",
        "review" => "review",
        other => panic!("no {other:?} deadline"),
    }
}

/// The latest day with exactly `n` working days left before `due`.
fn before(due: NaiveDate, n: i64) -> NaiveDate {
    let cal = Calendar::builtin().expect("calendar");
    let mut day = due;
    while cal.working_days_between(day, due).days < n {
        day -= chrono::Duration::days(1);
    }
    day
}

async fn sweep(w: &mut FrtWorld, day: NaiveDate, workers: usize) {
    let core = &w.app().core;
    let runs = (0..workers).map(|_| frt_cases::sweep::run(core, day));
    let reports = futures_join(runs).await;
    w.sweeps = reports;
}

async fn futures_join<F, T, E>(runs: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let handles: Vec<_> = runs.collect();
    let mut out = Vec::new();
    for r in futures_util::future::join_all(handles).await {
        out.push(r.expect("the sweep runs"));
    }
    out
}

#[when(
    regex = r"^the deadline sweep runs (\d+) working days? before the (correction|review) is due$"
)]
async fn sweep_before(w: &mut FrtWorld, n: i64, what: String) {
    let due = due_of(w, purpose(&what)).await;
    sweep(w, before(due, n), 1).await;
}

#[when(
    regex = r"^(the deadline sweep runs|two workers run the deadline sweep at once) the day after the (correction|review) was due$"
)]
async fn sweep_after(w: &mut FrtWorld, who: String, what: String) {
    let due = due_of(w, purpose(&what)).await;
    let workers = if who.starts_with("two") { 2 } else { 1 };
    sweep(w, due + chrono::Duration::days(1), workers).await;
}

#[when("the deadline sweep runs again on the same day")]
async fn sweep_again(w: &mut FrtWorld) {
    let day = w
        .sweeps
        .first()
        .and_then(|r| r.day)
        .expect("no sweep ran yet");
    sweep(w, day, 1).await;
}

#[then(regex = r"^the sweep (?:queued|queues) (no|\d+) mails?$")]
async fn queued(w: &mut FrtWorld, n: String) {
    let n: usize = if n == "no" {
        0
    } else {
        n.parse().expect("count")
    };
    let total: usize = w.sweeps.iter().map(|r| r.mails_queued).sum();
    assert_eq!(total, n, "{:?}", w.sweeps);
}

#[then(regex = r"^(\d+) escalations? (?:is|are) recorded$")]
async fn escalations(w: &mut FrtWorld, n: usize) {
    let total: usize = w.sweeps.iter().map(|r| r.escalated).sum();
    assert_eq!(total, n, "{:?}", w.sweeps);
}

#[then(regex = r"^the filing's (correction|review) deadline is marked overdue$")]
async fn marked_overdue(w: &mut FrtWorld, what: String) {
    let id = w.filing_id();
    let mut conn = w.app().core.db.conn().await.expect("conn");
    let d = frt_store::deadlines::get(
        &mut conn,
        "filing",
        id.parse().expect("uuid"),
        purpose(&what),
    )
    .await
    .expect("deadline")
    .expect("the deadline");
    assert!(d.overdue_since.is_some(), "{d:?}");
}

#[then(expr = "{string} sees the {string} entry in the filing's audit trail")]
async fn sees_entry(w: &mut FrtWorld, staff: String, action: String) {
    let id = w.filing_id();
    let reply = w
        .send_as(
            &staff,
            Method::GET,
            &format!("/api/v1/audit/filing/{id}?limit=500"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let found = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|i| i["action"].as_str() == Some(action.as_str()));
    assert!(found, "{action} missing: {}", reply.body);
}
