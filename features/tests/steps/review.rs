//! Review in casework (审核): the queue, recording a filing (备案) with its number, returning
//! it for correction (退回补正), and who may see what.

use crate::support::{table_rows, FrtWorld};
use cucumber::codegen::Regex;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{json, Value};

/// Opens a queue and follows its pages to the end, keeping the whole queue as one answer.
async fn open_queue(w: &mut FrtWorld, staff: &str, query: &str) {
    let path = format!("/api/v1/review/queue?limit=200{query}");
    let first = w.send_as(staff, Method::GET, &path, None).await;
    if first.status != 200 {
        return;
    }
    let mut items = first.body["items"].as_array().cloned().unwrap_or_default();
    let mut next = first.body["next"].as_str().map(str::to_owned);
    while let Some(after) = next {
        let page = w
            .send_as(staff, Method::GET, &format!("{path}&after={after}"), None)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        next = page.body["next"].as_str().map(str::to_owned);
    }
    w.keep(crate::support::Reply::new(200, json!({ "items": items })));
}

#[when(expr = "{string} opens the review queue")]
async fn opens_queue(w: &mut FrtWorld, staff: String) {
    open_queue(w, &staff, "").await;
}

/// The queue as the scenario sees it: its own processors' filings, in the queue's order
/// (on a shared deployment the queue holds other scenarios' filings too).
fn queue_items(w: &FrtWorld) -> Vec<Value> {
    let last = w.last();
    assert_eq!(last.status, 200, "not a queue: {}", last.body);
    let ours: Vec<&str> = w.processors.values().map(|p| p.org_id.as_str()).collect();
    last.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a queue: {}", last.body))
        .iter()
        .filter(|i| {
            i["organisation_id"]
                .as_str()
                .is_some_and(|o| ours.contains(&o))
        })
        .cloned()
        .collect()
}

#[then(expr = "the queue lists {int} filing(s)")]
async fn queue_count(w: &mut FrtWorld, n: usize) {
    let items = queue_items(w);
    assert_eq!(items.len(), n, "{}", w.last().body);
}

#[then("the queue is empty")]
async fn queue_empty(w: &mut FrtWorld) {
    let items = queue_items(w);
    assert!(items.is_empty(), "{}", w.last().body);
}

#[then("the queue is ordered by statutory due date, oldest first")]
async fn queue_ordered(w: &mut FrtWorld) {
    let dues: Vec<String> = queue_items(w)
        .iter()
        .map(|i| i["due_date"].as_str().expect("due date").to_owned())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted, "{}", w.last().body);
}

#[then(regex = r#"^the queue (starts|ends) with the filing of "([^"]+)"$"#)]
async fn queue_position(w: &mut FrtWorld, end: String, owner: String) {
    let id = w.filing_of(&owner);
    let items = queue_items(w);
    let item = if end == "starts" {
        items.first()
    } else {
        items.last()
    };
    assert_eq!(
        item.and_then(|i| i["id"].as_str()),
        Some(id.as_str()),
        "{}",
        w.last().body
    );
}

#[then(regex = r"^the queue (contains|does not contain) the filing$")]
async fn queue_contains(w: &mut FrtWorld, which: String) {
    let id = w.filing_id();
    let present = queue_items(w)
        .iter()
        .any(|i| i["id"].as_str() == Some(id.as_str()));
    assert_eq!(present, which == "contains", "{}", w.last().body);
}

/// The queue entry of the current filing shows whether its USCC passed the checksum.
#[then(regex = r"^the queue shows the filing's USCC checksum as (ok|failing)$")]
async fn queue_uscc_flag(w: &mut FrtWorld, ok: String) {
    let id = w.filing_id();
    let items = queue_items(w);
    let item = items
        .iter()
        .find(|i| i["id"].as_str() == Some(id.as_str()))
        .unwrap_or_else(|| panic!("the filing is not in the queue: {}", w.last().body));
    assert_eq!(
        item["uscc_checksum_ok"].as_bool(),
        Some(ok == "ok"),
        "{item}"
    );
}

#[then(regex = r"^the filing shows the organisation's USCC checksum as (ok|failing)$")]
async fn filing_uscc_flag(w: &mut FrtWorld, ok: String) {
    let body = &w.last().body;
    assert_eq!(w.last().status, 200, "{body}");
    assert_eq!(
        body["organisation"]["uscc_checksum_ok"].as_bool(),
        Some(ok == "ok"),
        "{body}"
    );
}

async fn record(w: &mut FrtWorld, staff: &str) {
    let id = w.filing_id();
    let reply = w
        .send_as(
            staff,
            Method::POST,
            &format!("/api/v1/filings/{id}/record"),
            None,
        )
        .await;
    if reply.status == 200 {
        w.filing_number = reply.body["filing_number"].as_str().map(str::to_owned);
        w.recorded = Some(id);
    }
}

#[when(expr = "{string} records the filing")]
async fn records(w: &mut FrtWorld, staff: String) {
    record(w, &staff).await;
}

#[given(expr = "{string} has recorded the filing")]
async fn has_recorded(w: &mut FrtWorld, staff: String) {
    record(w, &staff).await;
    let last = w.last();
    assert_eq!(last.status, 200, "record: {}", last.body);
}

#[then(expr = "a filing number matching {string} is issued")]
async fn number_issued(w: &mut FrtWorld, pattern: String) {
    let re = Regex::new(&pattern).expect("a valid pattern");
    let body = &w.last().body;
    let number = body["filing_number"]
        .as_str()
        .unwrap_or_else(|| panic!("no filing number in {body}"));
    assert!(re.is_match(number), "{number} does not match {pattern}");
    assert_eq!(body["status"].as_str(), Some("filed"), "{body}");
    assert!(body["decided_at"].is_string(), "{body}");
}

/// `{year}` in the expected number stands for this year in China.
#[then(expr = "the filing number issued is {string}")]
async fn number_is(w: &mut FrtWorld, expected: String) {
    let year = w.today().format("%Y").to_string();
    let expected = expected.replace("{year}", &year);
    let body = &w.last().body;
    assert_eq!(
        body["filing_number"].as_str(),
        Some(expected.as_str()),
        "{body}"
    );
}

#[then("the filing carries the number issued")]
async fn carries_number(w: &mut FrtWorld) {
    let issued = w.filing_number.clone().expect("no number was issued");
    let body = &w.last().body;
    assert_eq!(
        body["filing_number"].as_str(),
        Some(issued.as_str()),
        "{body}"
    );
}

#[when(expr = "{string} returns the filing for correction with these reasons:")]
async fn returns(w: &mut FrtWorld, staff: String, step: &Step) {
    let reasons: Vec<Value> = table_rows(step)
        .into_iter()
        .map(
            |r| json!({ "path": r.get("path").filter(|p| !p.is_empty()), "message": r["message"] }),
        )
        .collect();
    let id = w.filing_id();
    w.send_as(
        &staff,
        Method::POST,
        &format!("/api/v1/filings/{id}/return"),
        Some(json!({ "reasons": reasons })),
    )
    .await;
}

#[then("the filing's return reasons are:")]
async fn return_reasons(w: &mut FrtWorld, step: &Step) {
    let body = &w.last().body;
    let got = body["return_reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("no return reasons in {body}"));
    let want = table_rows(step);
    assert_eq!(got.len(), want.len(), "{body}");
    for (g, r) in got.iter().zip(want) {
        assert_eq!(g["path"].as_str(), Some(r["path"].as_str()), "{body}");
        assert_eq!(g["message"].as_str(), Some(r["message"].as_str()), "{body}");
    }
}

/// The first filing of the queue last opened becomes the filing the scenario is about.
#[when(expr = "{string} takes up the first filing in the queue")]
async fn takes_up_first(w: &mut FrtWorld, _staff: String) {
    let items = queue_items(w);
    let id = items
        .first()
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("the queue is empty: {}", w.last().body))
        .to_owned();
    w.filing = Some(id);
}

#[then(expr = "it is the filing of {string}")]
async fn is_filing_of(w: &mut FrtWorld, owner: String) {
    assert_eq!(
        w.filing_id(),
        w.filing_of(&owner),
        "another processor's filing"
    );
}

/// The current filing's version as `name` sees it in casework.
async fn current_version(w: &mut FrtWorld, name: &str) -> i64 {
    let id = w.filing_id();
    let reply = w
        .send_as(name, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    reply.body["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version in {}", reply.body))
}

/// The user id behind a named staff member.
async fn user_id_of(w: &mut FrtWorld, name: &str) -> String {
    let reply = w.send_as(name, Method::GET, "/api/v1/me", None).await;
    reply.body["user_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no user id in {}", reply.body))
        .to_owned()
}

#[when(expr = "{string} takes the filing")]
async fn takes(w: &mut FrtWorld, staff: String) {
    let version = current_version(w, &staff).await;
    let id = w.filing_id();
    w.send_as(
        &staff,
        Method::POST,
        &format!("/api/v1/filings/{id}/take"),
        Some(json!({ "version": version })),
    )
    .await;
}

#[when(regex = r#"^"([^"]+)" assigns the filing to "([^"]+)"( with a stale version)?$"#)]
async fn assigns(w: &mut FrtWorld, supervisor: String, reviewer: String, stale: String) {
    let assignee = user_id_of(w, &reviewer).await;
    let mut version = current_version(w, &supervisor).await;
    if !stale.is_empty() {
        version -= 1;
    }
    let id = w.filing_id();
    w.send_as(
        &supervisor,
        Method::POST,
        &format!("/api/v1/filings/{id}/assign"),
        Some(json!({ "assignee_id": assignee, "version": version })),
    )
    .await;
}

#[then(expr = "the filing is assigned to {string}")]
async fn assigned_to(w: &mut FrtWorld, reviewer: String) {
    let want = user_id_of(w, &reviewer).await;
    let id = w.filing_id();
    let reply = w
        .send_as(
            &reviewer,
            Method::GET,
            &format!("/api/v1/filings/{id}"),
            None,
        )
        .await;
    assert_eq!(
        reply.body["assignee_id"].as_str(),
        Some(want.as_str()),
        "{}",
        reply.body
    );
}

#[when(expr = "{string} opens the review queue of filings assigned to them")]
async fn opens_own_queue(w: &mut FrtWorld, staff: String) {
    open_queue(w, &staff, "&assignee=me").await;
}

#[then(expr = "{string} sees the filing's risk level {string}")]
async fn sees_risk_level(w: &mut FrtWorld, staff: String, level: String) {
    let id = w.filing_id();
    let reply = w
        .send_as(&staff, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    assert_eq!(
        reply.body["risk"]["level"].as_str(),
        Some(level.as_str()),
        "{}",
        reply.body
    );
}

#[then(expr = "{string} sees a risk flag {string} from {string} of severity {string}")]
async fn sees_risk_flag(
    w: &mut FrtWorld,
    staff: String,
    code: String,
    article: String,
    severity: String,
) {
    let id = w.filing_id();
    let reply = w
        .send_as(&staff, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    let flags = reply.body["risk"]["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("no risk flags in {}", reply.body));
    assert!(
        flags.iter().any(|f| f["code"] == code.as_str()
            && f["article"] == article.as_str()
            && f["severity"] == severity.as_str()),
        "no {code} ({article}, {severity}) in {flags:?}"
    );
}

#[then(expr = "{string} sees no risk flags on the filing")]
async fn sees_no_risk(w: &mut FrtWorld, owner: String) {
    let id = w.filing_id();
    let reply = w
        .send_as(&owner, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.get("risk").is_none(), "{}", reply.body);
}

/// `n` working days after the scenario's today, by the official calendar.
fn working_days_from_today(w: &FrtWorld, n: i64) -> String {
    let cal = frt_domain::calendar::Calendar::builtin().expect("calendar");
    let n = frt_domain::calendar::WorkingDays::new(n).expect("working days");
    cal.add_working_days(w.today(), n)
        .expect("due date")
        .due_date
        .to_string()
}

/// The scenario's clock moves on: from now on its requests see today `n` working days later.
#[given(expr = "{int} working days pass")]
async fn working_days_pass(w: &mut FrtWorld, n: i64) {
    let cal = frt_domain::calendar::Calendar::builtin().expect("calendar");
    let n = frt_domain::calendar::WorkingDays::new(n).expect("working days");
    let later = cal.add_working_days(w.today(), n).expect("a day").due_date;
    w.set_clock(later).await;
}

async fn staff_view(w: &mut FrtWorld, staff: &str) -> Value {
    let id = w.filing_id();
    let reply = w
        .send_as(staff, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[then(expr = "{string} sees the review due {int} working days from today")]
async fn review_due_in(w: &mut FrtWorld, staff: String, n: i64) {
    let body = staff_view(w, &staff).await;
    assert_eq!(
        body["review_deadline"]["due_date"].as_str(),
        Some(working_days_from_today(w, n).as_str()),
        "{body}"
    );
}

#[then(expr = "{string} sees the review clock paused with {int} working days used")]
async fn review_paused(w: &mut FrtWorld, staff: String, used: i64) {
    let body = staff_view(w, &staff).await;
    assert!(body["review_deadline"].is_null(), "{body}");
    assert_eq!(body["review_days_used"].as_i64(), Some(used), "{body}");
}

#[then(expr = "{string} sees the correction due {int} working days from today")]
async fn correction_due_in(w: &mut FrtWorld, staff: String, n: i64) {
    let body = staff_view(w, &staff).await;
    assert_eq!(
        body["correction_deadline"]["due_date"].as_str(),
        Some(working_days_from_today(w, n).as_str()),
        "{body}"
    );
}

/// Two decisions on the same filing sent at the same moment, each with the version its sender
/// saw: optimistic checks let exactly one through.
#[when(
    expr = "{string} records the filing while {string} refuses it, both sending the version they saw"
)]
async fn concurrent_decisions(w: &mut FrtWorld, recorder: String, refuser: String) {
    let version = current_version(w, &recorder).await;
    assert_eq!(version, current_version(w, &refuser).await);
    let id = w.filing_id();
    let (_, a) = w.actor(&recorder);
    let (_, b) = w.actor(&refuser);
    let base = w.client().casework.clone();
    let app = w.client();
    let (record_url, refuse_url) = (
        format!("{base}/api/v1/filings/{id}/record"),
        format!("{base}/api/v1/filings/{id}/refuse"),
    );
    let ((sa, ba), (sb, bb)) = tokio::join!(
        app.call(
            Method::POST,
            &record_url,
            Some(&a),
            Some(json!({ "version": version })),
        ),
        app.call(
            Method::POST,
            &refuse_url,
            Some(&b),
            Some(json!({ "version": version, "reasons": [{ "path": null, "message": "未达到备案条件" }] })),
        )
    );
    w.replies = vec![
        crate::support::Reply::new(sa, ba),
        crate::support::Reply::new(sb, bb),
    ];
}

#[then(expr = "one decision answered {int} and the other {int} {string}")]
async fn one_wins(w: &mut FrtWorld, won: u16, lost: u16, code: String) {
    let mut statuses: Vec<u16> = w.replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![won, lost], "{:?}", w.replies);
    let loser = w
        .replies
        .iter()
        .find(|r| r.status == lost)
        .expect("the losing answer");
    assert_eq!(
        loser.body["code"].as_str(),
        Some(code.as_str()),
        "{}",
        loser.body
    );
}

#[then("the filing was decided exactly once")]
async fn decided_once(w: &mut FrtWorld) {
    let id = w.filing_id();
    let staff = w.staff.keys().next().cloned().expect("a staff member");
    let reply = w
        .send_as(
            &staff,
            Method::GET,
            &format!("/api/v1/audit/filing/{id}?limit=500"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let decisions = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| {
            matches!(
                i["action"].as_str(),
                Some("filing.recorded" | "filing.refused")
            )
        })
        .count();
    assert_eq!(decisions, 1, "decisions recorded: {}", reply.body);
}

#[when(regex = r#"^"([^"]+)" (approves|sends back) the proposed decision$"#)]
async fn signs_off(w: &mut FrtWorld, supervisor: String, how: String) {
    let id = w.filing_id();
    let reply = w
        .send_as(
            &supervisor,
            Method::POST,
            &format!("/api/v1/filings/{id}/sign-off"),
            Some(json!({ "approve": how == "approves" })),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}
