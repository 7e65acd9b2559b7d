//! The deadline sweep (期限提醒与督办): run as of a day counted in working days from a
//! deadline, once or by two workers at once, and what it recorded.

use crate::support::FrtWorld;
use chrono::NaiveDate;
use cucumber::{then, when};
use frt_domain::calendar::Calendar;
use reqwest::Method;

/// One of the current filing's deadlines, as its processor sees it.
async fn deadline_of(w: &mut FrtWorld, purpose: &str) -> serde_json::Value {
    let id = w.filing_id();
    let owner = w.owner_of_filing();
    let reply = w
        .send_as(&owner, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let d = reply.body[format!("{purpose}_deadline")].clone();
    assert!(
        d.is_object(),
        "the filing has no {purpose} deadline: {}",
        reply.body
    );
    d
}

/// The due date of one of the current filing's deadlines.
async fn due_of(w: &mut FrtWorld, purpose: &str) -> NaiveDate {
    let d = deadline_of(w, purpose).await;
    crate::support::date(d["due_date"].as_str().expect("a due date"))
}

fn purpose(what: &str) -> &'static str {
    match what {
        "correction" => "correction",
        "review" => "review",
        other => panic!("no {other:?} deadline"),
    }
}

/// The latest day with exactly `n` working days left before `due`.
pub(crate) fn before(due: NaiveDate, n: i64) -> NaiveDate {
    let cal = Calendar::builtin().expect("calendar");
    let mut day = due;
    while cal.working_days_between(day, due).days < n {
        day -= chrono::Duration::days(1);
    }
    day
}

/// Runs the sweep as of `day` over the case the scenario sweeps (its filing unless it chose
/// another), by `workers` callers at once.
pub(crate) async fn sweep(w: &mut FrtWorld, day: NaiveDate, workers: usize) {
    let case = w.swept.clone().unwrap_or_else(|| w.filing_id());
    let world: &FrtWorld = w;
    let runs = (0..workers).map(|_| world.sweep_of(day, &case));
    w.sweeps = futures_util::future::join_all(runs).await;
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
    let d = deadline_of(w, purpose(&what)).await;
    assert!(d["overdue_since"].is_string(), "{d}");
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
