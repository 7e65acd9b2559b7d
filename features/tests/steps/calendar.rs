//! Working-day arithmetic (工作日): the public due-date endpoint.

use crate::support::{date, FrtWorld, Reply};
use cucumber::{then, when};
use serde_json::Value;

/// Asks the portal for the date `days` working days after `from`, both sent as written.
pub async fn due_date_query(w: &FrtWorld, from: &str, days: &str) -> Reply {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api/v1/calendar/due-date", w.client().portal),
        &[("from", from), ("working_days", days)],
    )
    .expect("url");
    let r = w.client().http.get(url).send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    Reply::new(status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[when(regex = r"^anyone asks for the date (\S+) working days after (\S+)$")]
pub(crate) async fn ask_due_date(w: &mut FrtWorld, days: String, from: String) {
    let reply = due_date_query(w, &from, &days).await;
    w.keep(reply);
}

#[then(regex = r"^the due date is (\d{4}-\d{2}-\d{2})$")]
pub(crate) async fn due_date_is(w: &mut FrtWorld, expected: String) {
    let body = &w.last().body;
    assert_eq!(body["due_date"].as_str(), Some(expected.as_str()), "{body}");
}

#[then(regex = r"^the due date is (not )?provisional$")]
pub(crate) async fn provisional(w: &mut FrtWorld, not: String) {
    let body = &w.last().body;
    assert_eq!(
        body["provisional"].as_bool(),
        Some(not.is_empty()),
        "{body}"
    );
}

fn skipped(body: &Value) -> Vec<(String, String, Option<String>)> {
    body["skipped"]
        .as_array()
        .unwrap_or_else(|| panic!("no skipped days in {body}"))
        .iter()
        .map(|d| {
            (
                d["date"].as_str().expect("date").to_owned(),
                d["reason"].as_str().expect("reason").to_owned(),
                d["name"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[then(regex = r"^(\d{4}-\d{2}-\d{2}) is counted as a working day$")]
async fn counted(w: &mut FrtWorld, day: String) {
    let body = &w.last().body;
    let due = date(body["due_date"].as_str().expect("due date"));
    assert!(date(&day) <= due, "{day} is after the due date: {body}");
    assert!(
        skipped(body).iter().all(|(d, _, _)| *d != day),
        "{day} was skipped: {body}"
    );
}

#[then(
    regex = r#"^every day from (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2}) is skipped as the holiday "([^"]+)"$"#
)]
pub(crate) async fn skipped_as_holiday(w: &mut FrtWorld, from: String, to: String, name: String) {
    let body = &w.last().body;
    let skipped = skipped(body);
    let mut day = date(&from);
    while day <= date(&to) {
        let d = day.format("%Y-%m-%d").to_string();
        let entry = skipped.iter().find(|(s, _, _)| *s == d);
        assert_eq!(
            entry.map(|(_, r, n)| (r.as_str(), n.as_deref())),
            Some(("holiday", Some(name.as_str()))),
            "{d} is not skipped as {name}: {body}"
        );
        day = day.succ_opt().expect("next day");
    }
}

#[then(expr = "{int} days are skipped as holidays and {int} as weekends")]
async fn skipped_counts(w: &mut FrtWorld, holidays: usize, weekends: usize) {
    let body = &w.last().body;
    let s = skipped(body);
    let count = |reason: &str| s.iter().filter(|(_, r, _)| r == reason).count();
    assert_eq!(
        (count("holiday"), count("weekend")),
        (holidays, weekends),
        "{body}"
    );
}

#[then(expr = "the calendar versions used are {string}")]
async fn versions(w: &mut FrtWorld, expected: String) {
    let body = &w.last().body;
    let got: Vec<&str> = body["calendar_versions"]
        .as_array()
        .unwrap_or_else(|| panic!("no calendar versions in {body}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let want: Vec<&str> = expected.split(", ").filter(|s| !s.is_empty()).collect();
    assert_eq!(got, want, "{body}");
}
