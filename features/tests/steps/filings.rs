//! A processor's filings (备案): drafts, materials (附件), submission, the statutory deadline,
//! corrections, change filings and deregistration.

use crate::steps::calendar::due_date_query;
use crate::support::{at, date, today_in_china, FrtWorld, Reply};
use chrono::{Days, NaiveDate};
use cucumber::{given, then, when};
use frt_domain::filing::FilingKind;
use reqwest::Method;
use serde_json::{json, Value};

/// Reads "on 2026-01-20", "5 days ago" or "today".
fn when_triggered(s: &str) -> NaiveDate {
    let today = today_in_china();
    if s == "today" {
        today
    } else if let Some(d) = s.strip_prefix("on ") {
        date(d)
    } else if let Some(n) = s.strip_suffix(" days ago") {
        let n: u64 = n
            .parse()
            .unwrap_or_else(|_| panic!("{s:?}: not a number of days"));
        today.checked_sub_days(Days::new(n)).expect("date")
    } else {
        panic!("say when: 'on YYYY-MM-DD', 'N days ago' or 'today', not {s:?}")
    }
}

fn kind(s: &str) -> FilingKind {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// Makes the filing the scenario's current one, owned by `owner`.
fn set_current(w: &mut FrtWorld, owner: &str, id: String) {
    w.filings.insert(owner.to_owned(), id.clone());
    w.filing = Some(id);
}

/// A complete draft with every required material, made through the portal.
async fn complete_draft(
    w: &mut FrtWorld,
    owner: &str,
    k: &str,
    trigger: NaiveDate,
    previous: Option<String>,
) {
    let token = w.processor(owner).token.clone();
    let id = w
        .client()
        .complete_draft(&token, k, trigger, previous.as_deref())
        .await;
    w.trigger = Some(trigger);
    set_current(w, owner, id);
}

async fn submit(w: &mut FrtWorld, owner: &str) -> Reply {
    let id = w.filing_id();
    w.send_as(
        owner,
        Method::POST,
        &format!("/api/v1/filings/{id}/submit"),
        None,
    )
    .await
}

#[given(regex = r#"^"([^"]+)" has a complete initial filing draft triggered (.+)$"#)]
async fn has_complete_draft(w: &mut FrtWorld, owner: String, when: String) {
    complete_draft(w, &owner, "initial", when_triggered(&when), None).await;
}

#[given(regex = r#"^"([^"]+)" has submitted a complete initial filing triggered (.+)$"#)]
async fn has_submitted(w: &mut FrtWorld, owner: String, when: String) {
    complete_draft(w, &owner, "initial", when_triggered(&when), None).await;
    let reply = submit(w, &owner).await;
    assert_eq!(reply.status, 200, "submit: {}", reply.body);
}

#[given(expr = "{string} has an initial filing draft with an empty form")]
async fn has_empty_draft(w: &mut FrtWorld, owner: String) {
    let reply = w
        .send_as(
            &owner,
            Method::POST,
            "/api/v1/filings",
            Some(json!({ "kind": "initial" })),
        )
        .await;
    assert_eq!(reply.status, 201, "create: {}", reply.body);
    let id = reply.body["id"].as_str().expect("id").to_owned();
    set_current(w, &owner, id);
}

#[when(
    regex = r#"^"([^"]+)" starts a complete (change|deregistration) filing of the recorded filing triggered (.+)$"#
)]
async fn starts_follow_up(w: &mut FrtWorld, owner: String, k: String, when: String) {
    let recorded = w
        .recorded
        .clone()
        .expect("no recorded filing in this scenario");
    complete_draft(w, &owner, &k, when_triggered(&when), Some(recorded)).await;
    let id = w.filing_id();
    w.send_as(&owner, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
}

/// Tries to start a complete change or deregistration acting on the current filing.
#[when(regex = r#"^"([^"]+)" tries to start a (change|deregistration) filing of the filing$"#)]
async fn tries_follow_up(w: &mut FrtWorld, owner: String, k: String) {
    let previous = w.filing_id();
    let form = frt_domain::form::example_complete(kind(&k), today_in_china());
    w.send_as(
        &owner,
        Method::POST,
        "/api/v1/filings",
        Some(json!({ "kind": k, "previous_filing_id": previous, "form": form })),
    )
    .await;
}

#[when(expr = "{string} submits the filing")]
async fn submits(w: &mut FrtWorld, owner: String) {
    submit(w, &owner).await;
}

#[when(regex = r#"^"([^"]+)" submits the filing with Idempotency-Key "([^"]+)"(?: again)?$"#)]
async fn submits_with_key(w: &mut FrtWorld, owner: String, key: String) {
    let token = w.processor(&owner).token.clone();
    let id = w.filing_id();
    let (status, body) = w.client().submit(&token, &id, Some(&key)).await;
    let reply = w.keep(Reply::new(status, body));
    w.replies.push(reply);
}

/// Two submissions with the same key sent together, as a client retrying too eagerly would.
#[when(regex = r#"^"([^"]+)" submits the filing twice at once with Idempotency-Key "([^"]+)"$"#)]
async fn submits_twice_at_once(w: &mut FrtWorld, owner: String, key: String) {
    let token = w.processor(&owner).token.clone();
    let id = w.filing_id();
    let app = w.client();
    let (a, b) = tokio::join!(
        app.submit(&token, &id, Some(&key)),
        app.submit(&token, &id, Some(&key))
    );
    for (status, body) in [a, b] {
        let reply = w.keep(Reply::new(status, body));
        w.replies.push(reply);
    }
}

#[then(expr = "all those submissions answered {int} with the same body")]
async fn same_answers(w: &mut FrtWorld, status: u16) {
    assert!(w.replies.len() >= 2, "fewer than two submissions were sent");
    let first = &w.replies[0];
    assert_eq!(first.status, status, "{}", first.body);
    for r in &w.replies[1..] {
        assert_eq!(r, first, "a retry answered differently");
    }
}

#[when(expr = "{string} looks at the filing")]
async fn looks_at(w: &mut FrtWorld, actor: String) {
    let id = w.filing_id();
    w.send_as(&actor, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
}

/// Checks the last answer is the current filing, as a detail view.
fn detail(w: &FrtWorld) -> &Value {
    let last = w.last();
    assert_eq!(last.status, 200, "not a filing: {}", last.body);
    assert_eq!(
        last.body["id"].as_str(),
        w.filing.as_deref(),
        "not the current filing: {}",
        last.body
    );
    &last.body
}

#[then(regex = r#"^the filing's status is (?:still )?"([a-z_]+)"$"#)]
async fn status_is(w: &mut FrtWorld, status: String) {
    let body = detail(w);
    assert_eq!(body["status"].as_str(), Some(status.as_str()), "{body}");
}

#[then(expr = "the filing's status shown in Chinese is {string}")]
async fn status_zh(w: &mut FrtWorld, zh: String) {
    let body = detail(w);
    assert_eq!(body["status_zh"].as_str(), Some(zh.as_str()), "{body}");
}

#[then(regex = r"^the filing is (not )?late$")]
async fn late(w: &mut FrtWorld, not: String) {
    let body = detail(w);
    assert_eq!(
        at(body, "statutory_deadline.late").as_bool(),
        Some(not.is_empty()),
        "{body}"
    );
}

#[then(regex = r"^the filing is late by (more than )?(\d+) working days?$")]
async fn late_by(w: &mut FrtWorld, more: String, n: i64) {
    let body = detail(w);
    let late_by = at(body, "statutory_deadline.late_by_working_days")
        .as_i64()
        .unwrap_or_else(|| panic!("no late_by_working_days in {body}"));
    if more.is_empty() {
        assert_eq!(late_by, n, "{body}");
    } else {
        assert!(late_by > n, "late by {late_by}: {body}");
    }
}

/// The date `n` working days after `from`, from the public calendar.
async fn working_days_after(w: &FrtWorld, from: &str, n: i64) -> NaiveDate {
    let r = due_date_query(w, from, &n.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    date(r.body["due_date"].as_str().expect("due date"))
}

/// Late by exactly the working days after the due date up to the day of the first submission:
/// the due date plus that many working days is not after that day, one more would be.
#[then("the filing is late by the working days from its due date to the day it was submitted")]
async fn late_by_exactly(w: &mut FrtWorld) {
    let body = detail(w).clone();
    let due = at(&body, "statutory_deadline.due_date")
        .as_str()
        .unwrap_or_else(|| panic!("no due date in {body}"))
        .to_owned();
    let met_on = date(
        at(&body, "statutory_deadline.met_on")
            .as_str()
            .unwrap_or_else(|| panic!("no met_on in {body}")),
    );
    assert_eq!(met_on, today_in_china(), "submitted today: {body}");
    let late_by = at(&body, "statutory_deadline.late_by_working_days")
        .as_i64()
        .unwrap_or_else(|| panic!("no late_by_working_days in {body}"));
    let (upto, beyond) = (
        working_days_after(w, &due, late_by).await,
        working_days_after(w, &due, late_by + 1).await,
    );
    assert!(
        upto <= met_on && met_on < beyond,
        "late by {late_by} working days after {due} reaches {upto}, one more {beyond}; \
         submitted {met_on}"
    );
}

#[then(regex = r"^the statutory due date is (\d{4}-\d{2}-\d{2})$")]
async fn due_date_is(w: &mut FrtWorld, expected: String) {
    let body = detail(w);
    assert_eq!(
        at(body, "statutory_deadline.due_date").as_str(),
        Some(expected.as_str()),
        "{body}"
    );
}

/// The filing's deadline agrees with the public calendar: N working days after the trigger.
#[then(expr = "the statutory due date is {int} working days after the trigger date")]
async fn due_date_from_trigger(w: &mut FrtWorld, n: u32) {
    let trigger = w.trigger.expect("no trigger date").to_string();
    let body = detail(w).clone();
    assert_eq!(
        at(&body, "statutory_deadline.start_date").as_str(),
        Some(trigger.as_str()),
        "{body}"
    );
    assert_eq!(
        at(&body, "statutory_deadline.working_days").as_u64(),
        Some(u64::from(n)),
        "{body}"
    );
    let calendar = due_date_query(w, &trigger, &n.to_string()).await;
    assert_eq!(calendar.status, 200, "{}", calendar.body);
    assert_eq!(
        at(&body, "statutory_deadline.due_date"),
        &calendar.body["due_date"],
        "the filing's deadline differs from the calendar's {}: {body}",
        calendar.body
    );
    assert_eq!(
        at(&body, "statutory_deadline.calendar_versions"),
        &calendar.body["calendar_versions"],
        "{body}"
    );
}

#[then(expr = "the filing is a {word} filing of the recorded filing")]
async fn follow_up_of(w: &mut FrtWorld, k: String) {
    let recorded = w.recorded.clone().expect("no recorded filing");
    let body = detail(w);
    assert_eq!(body["kind"].as_str(), Some(k.as_str()), "{body}");
    assert_eq!(
        body["previous_filing_id"].as_str(),
        Some(recorded.as_str()),
        "{body}"
    );
}

#[then(expr = "the filing has {int} attachment(s)")]
async fn attachment_count(w: &mut FrtWorld, n: usize) {
    let body = detail(w);
    assert_eq!(
        body["attachments"].as_array().map(Vec::len),
        Some(n),
        "{body}"
    );
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

/// History entries of `action` as the processor sees them.
#[then(
    regex = r#"^the filing's history seen by "([^"]+)" shows (\d+) "([a-z_.]+)" entr(?:y|ies)$"#
)]
async fn history_shows(w: &mut FrtWorld, owner: String, n: usize, action: String) {
    let id = w.filing_id();
    let reply = w
        .send_as(
            &owner,
            Method::GET,
            &format!("/api/v1/filings/{id}/history"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let entries = reply.body.as_array().expect("a list of entries");
    let count = entries
        .iter()
        .filter(|e| e["action"].as_str() == Some(action.as_str()))
        .count();
    assert_eq!(count, n, "{action} entries in {}", reply.body);
}

/// The regulator's audit trail of the filing.
#[then(regex = r#"^the audit trail seen by "([^"]+)" shows (\d+) "([a-z_.]+)" entr(?:y|ies)$"#)]
async fn audit_shows(w: &mut FrtWorld, staff: String, n: usize, action: String) {
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
    let rows = reply.body["items"].as_array().expect("a list of rows");
    let count = rows
        .iter()
        .filter(|e| e["action"].as_str() == Some(action.as_str()))
        .count();
    assert_eq!(count, n, "{action} rows in {}", reply.body);
}

// ---------------------------------------------------------------------------------------------
// Correcting the form
// ---------------------------------------------------------------------------------------------

/// Sets a dotted form path (e.g. `storage.people_stored`) to a JSON value.
fn set_path(form: &mut Value, path: &str, value: Value) {
    let mut cur = form;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            cur[p] = value;
            return;
        }
        cur = &mut cur[p];
    }
}

fn json_value(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

#[when(
    regex = r#"^"([^"]+)" sets (\S+) to (.+) in the form, sending the (current|previous) version$"#
)]
async fn corrects(w: &mut FrtWorld, owner: String, path: String, value: String, which: String) {
    let id = w.filing_id();
    let current = w
        .send_as(&owner, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    assert_eq!(current.status, 200, "{}", current.body);
    let version = current.body["version"].as_i64().expect("version");
    let version = if which == "current" {
        version
    } else {
        version - 1
    };
    let mut form = current.body["form"].clone();
    set_path(&mut form, &path, json_value(&value));
    w.send_as(
        &owner,
        Method::PUT,
        &format!("/api/v1/filings/{id}/form"),
        Some(json!({ "version": version, "form": form })),
    )
    .await;
}

#[then(regex = r"^the form has (\S+) = (.+)$")]
async fn form_has(w: &mut FrtWorld, path: String, value: String) {
    let body = detail(w);
    assert_eq!(
        at(&body["form"], &path),
        &json_value(&value),
        "{path} in {body}"
    );
}

// ---------------------------------------------------------------------------------------------
// Materials
// ---------------------------------------------------------------------------------------------

/// A PDF of exactly `size` bytes (at least the minimal one), detected as application/pdf.
fn pdf_of(size: usize) -> Vec<u8> {
    let head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%";
    let tail = b"\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let pad = size.saturating_sub(head.len() + tail.len());
    let mut bytes = head.to_vec();
    bytes.extend(std::iter::repeat_n(b'x', pad));
    bytes.extend_from_slice(tail);
    bytes
}

async fn upload(w: &mut FrtWorld, owner: &str, kind: &str, bytes: Vec<u8>, name: &str) {
    let (_, token) = w.actor(owner);
    let id = w.filing_id();
    let (status, body) = w.client().upload(&token, &id, kind, bytes, name).await;
    w.keep(Reply::new(status, body));
}

#[when(expr = "{string} attaches a {int}-byte PDF as {string}")]
async fn attaches_pdf(w: &mut FrtWorld, owner: String, size: usize, kind: String) {
    upload(w, &owner, &kind, pdf_of(size), "material.pdf").await;
}

#[when(expr = "{string} attaches a plain text file named {string} as {string}")]
async fn attaches_text(w: &mut FrtWorld, owner: String, name: String, kind: String) {
    let text = b"This is a commitment letter, honestly.\n".repeat(4);
    upload(w, &owner, &kind, text, &name).await;
}

#[then(expr = "the material is stored as {string} of {int} bytes")]
async fn material_stored(w: &mut FrtWorld, content_type: String, size: i64) {
    let body = &w.last().body;
    assert_eq!(
        body["content_type"].as_str(),
        Some(content_type.as_str()),
        "{body}"
    );
    assert_eq!(body["size_bytes"].as_i64(), Some(size), "{body}");
    assert!(
        body["sha256"].as_str().is_some_and(|h| h.len() == 64),
        "{body}"
    );
}

/// Downloads the first material of the current filing; its id is read as the owner sees it.
#[when(expr = "{string} downloads the first material of the filing")]
async fn downloads_first(w: &mut FrtWorld, actor: String) {
    let id = w.filing_id();
    let owner = w.owner_of_filing();
    let (_, token) = w.actor(&owner);
    let url = format!("{}/api/v1/filings/{id}", w.client().portal);
    let (status, body) = w.client().call(Method::GET, &url, Some(&token), None).await;
    assert_eq!(status, 200, "{body}");
    let att = body["attachments"][0]["id"]
        .as_str()
        .expect("the filing has a material")
        .to_owned();
    w.send_as(
        &actor,
        Method::GET,
        &format!("/api/v1/filings/{id}/attachments/{att}"),
        None,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

#[when(expr = "{string} lists its filings")]
async fn lists(w: &mut FrtWorld, owner: String) {
    w.send_as(&owner, Method::GET, "/api/v1/filings", None)
        .await;
}

#[then(expr = "the list has {int} filing(s)")]
async fn list_count(w: &mut FrtWorld, n: usize) {
    let body = &w.last().body;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(n), "{body}");
    assert_eq!(body["total"].as_u64(), Some(n as u64), "{body}");
}
