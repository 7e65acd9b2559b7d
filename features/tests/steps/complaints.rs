//! Complaints and reports (投诉举报, Art. 17): the public intake and status lookup in the
//! portal, the office's handling in casework through to the mandatory reply, transfers out of
//! remit, repeats linked to the first, and who may see the complainant's contact.

use super::inspections::user_id;
use crate::support::{date, table_rows, FrtWorld, Reply, Service};
use chrono::NaiveDate;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{json, Value};

/// A complainant's mail address, unique to the scenario so that a shared mail catcher keeps
/// scenarios apart: "Li Si" mails from `lisi-<unique>@complainant.example`.
fn complainant_email(w: &mut FrtWorld, name: &str) -> String {
    let local: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let email = format!("{local}-{}@complainant.example", w.unique);
    w.complainants.insert(name.to_owned(), email.clone());
    email
}

/// How a complaint names its processor: by USCC when the scenario registered it, else by
/// name (made unique to the scenario) with the province it is located in.
fn processor_given(w: &FrtWorld, processor: &str, province: &str) -> (Value, Option<String>) {
    match w.processors.get(processor) {
        Some(p) => (json!({ "uscc": p.uscc }), None),
        None => {
            assert!(
                !province.is_empty(),
                "{processor:?} is not registered in this scenario: say where it is located"
            );
            (
                json!({ "name": format!("{processor} {}", w.unique) }),
                Some(province.to_owned()),
            )
        }
    }
}

/// Files a complaint in the portal, without a token; keeps the receipt when one is given.
async fn file(w: &mut FrtWorld, body: Value) -> Reply {
    let reply = w
        .send(
            Method::POST,
            Service::Portal,
            "/api/v1/complaints",
            None,
            Some(body),
        )
        .await;
    if reply.status == 201 {
        w.complaints.push(reply.body.clone());
    }
    reply
}

fn nth(w: &FrtWorld, which: &str) -> Value {
    let i = match which {
        "" | "the" | "first" => 0,
        "second" => 1,
        other => panic!("no {other:?} complaint"),
    };
    w.complaints
        .get(i)
        .cloned()
        .unwrap_or_else(|| panic!("no {which} complaint was filed in this scenario"))
}

fn receipt(w: &FrtWorld) -> Value {
    nth(w, "first")
}

fn field(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_owned()
}

#[given(
    regex = r#"^"([^"]+)" has complained about "([^"]+)"(?: located in (\d{6}))? with a reply by mail$"#
)]
async fn has_complained(w: &mut FrtWorld, name: String, processor: String, province: String) {
    complains(w, name, processor, province).await;
}

#[when(
    regex = r#"^"([^"]+)" (?:complains|complains again) about "([^"]+)"(?: located in (\d{6}))? with a reply by mail$"#
)]
async fn complains(w: &mut FrtWorld, name: String, processor: String, province: String) {
    let email = complainant_email(w, &name);
    let (given, province) = processor_given(w, &processor, &province);
    let reply = file(
        w,
        json!({
            "processor": given,
            "province": province,
            "description": "商场入口的摄像头采集顾客人脸，未设置显著提示标识。",
            "occurred_on": "2026-10-30",
            "location": "上海市静安区某商场",
            "reply": { "channel": "mail", "email": email, "name": name, "phone": "13800138000" }
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[when(expr = "someone reports {string} anonymously: {string}")]
async fn reports_anonymously(w: &mut FrtWorld, processor: String, what: String) {
    let (given, province) = processor_given(w, &processor, "310000");
    file(
        w,
        json!({ "processor": given, "province": province, "anonymous": true, "description": what }),
    )
    .await;
}

#[when("someone files a complaint with these problems:")]
async fn files_with_problems(w: &mut FrtWorld, step: &Step) {
    let mut body = json!({
        "processor": { "name": "某公司" },
        "province": "310000",
        "description": "小区门禁强制刷脸。",
        "reply": { "channel": "mail", "email": "someone@complainant.example" }
    });
    for row in table_rows(step) {
        let value = row["value"].replace("{600 characters}", &"长".repeat(600));
        let value: Value = serde_json::from_str(&value).unwrap_or(Value::String(value));
        let mut at = &mut body;
        let path: Vec<&str> = row["field"].split('.').collect();
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
    }
    file(w, body).await;
}

#[then(expr = "the receipt number starts with {string}")]
async fn receipt_starts(w: &mut FrtWorld, prefix: String) {
    let number = field(&w.last().body, "receipt_number");
    assert!(number.starts_with(&prefix), "{number}");
}

#[then("the receipt says plainly that no reply can be sent")]
async fn no_reply(w: &mut FrtWorld) {
    let body = &w.last().body;
    assert_eq!(body["reply_expected"], false, "{body}");
    assert!(
        body["notice"]
            .as_str()
            .is_some_and(|n| n.contains("no reply")),
        "{body}"
    );
}

#[then("the access code is given once, in four groups of four")]
async fn access_code_shape(w: &mut FrtWorld) {
    let code = field(&w.last().body, "access_code");
    let groups: Vec<&str> = code.split('-').collect();
    assert_eq!(groups.len(), 4, "{code}");
    assert!(groups.iter().all(|g| g.len() == 4), "{code}");
}

// ---- The complainant's lookup ----

async fn look_up(w: &mut FrtWorld, receipt_number: &str, access_code: &str) -> Reply {
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/complaints/status",
        None,
        Some(json!({ "receipt_number": receipt_number, "access_code": access_code })),
    )
    .await
}

#[when(
    regex = r#"^"([^"]+)" looks up (the|the second) complaint with its receipt number and access code$"#
)]
async fn looks_up(w: &mut FrtWorld, _name: String, which: String) {
    let r = nth(w, which.trim_start_matches("the ").trim());
    look_up(w, &field(&r, "receipt_number"), &field(&r, "access_code")).await;
}

#[when(regex = r#"^"([^"]+)" rates the handling "([^"]*)"(?: saying "(.*)")?$"#)]
async fn rates(w: &mut FrtWorld, _name: String, rating: String, comment: String) {
    let r = receipt(w);
    let mut body = json!({
        "receipt_number": field(&r, "receipt_number"),
        "access_code": field(&r, "access_code"),
        "rating": rating,
    });
    if !comment.is_empty() {
        body["comment"] = json!(comment);
    }
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/complaints/rating",
        None,
        Some(body),
    )
    .await;
}

#[when(regex = r"^someone looks up the complaint with a wrong access code(?: (\d+) times)?$")]
async fn wrong_code(w: &mut FrtWorld, times: String) {
    let number = field(&receipt(w), "receipt_number");
    w.replies.clear();
    for _ in 0..times.parse::<usize>().unwrap_or(1) {
        let reply = look_up(w, &number, "AAAA-AAAA-AAAA-AAAA").await;
        w.replies.push(reply);
    }
}

#[when("someone looks up a receipt number that was never issued")]
async fn unknown_receipt(w: &mut FrtWorld) {
    let reply = look_up(w, "TS-310000-20000101-9999", "AAAA-AAAA-AAAA-AAAA").await;
    w.replies.push(reply);
}

#[then("the wrong code and the unknown receipt got the same answer")]
async fn alike(w: &mut FrtWorld) {
    assert!(w.replies.len() >= 2, "fewer than two lookups were made");
    let first = &w.replies[0];
    for r in &w.replies[1..] {
        assert_eq!(
            (r.status, &r.body["code"], &r.body["detail"]),
            (first.status, &first.body["code"], &first.body["detail"]),
            "{} vs {}",
            r.body,
            first.body
        );
    }
}

#[then(regex = r#"^the lookup shows the status "([a-z_]+)"$"#)]
async fn lookup_status(w: &mut FrtWorld, status: String) {
    let last = w.last();
    assert_eq!(
        (last.status, last.body["status"].as_str()),
        (200, Some(status.as_str())),
        "{}",
        last.body
    );
}

#[then(expr = "the lookup shows the reply {string}")]
async fn lookup_reply(w: &mut FrtWorld, text: String) {
    let body = &w.last().body;
    assert!(
        body["reply"]
            .as_str()
            .is_some_and(|r| r.contains(text.as_str())),
        "{body}"
    );
    assert!(body["replied_at"].is_string(), "{body}");
}

#[then("the lookup shows no reply yet")]
async fn lookup_no_reply(w: &mut FrtWorld) {
    let body = &w.last().body;
    assert_eq!(w.last().status, 200, "{body}");
    assert!(body["reply"].is_null(), "{body}");
}

#[then("the lookup shows the second complaint alone")]
async fn lookup_alone(w: &mut FrtWorld) {
    let first = field(&nth(w, "first"), "receipt_number");
    let second = field(&nth(w, "second"), "receipt_number");
    let body = &w.last().body;
    assert_eq!(body["receipt_number"], second.as_str(), "{body}");
    assert!(!body.to_string().contains(&first), "{body}");
}

#[then("the answer says nothing of the first complaint")]
async fn answer_silent(w: &mut FrtWorld) {
    let first = field(&nth(w, "first"), "receipt_number");
    let body = &w.last().body;
    assert!(!body.to_string().contains(&first), "{body}");
}

// ---- The office's handling ----

/// The complaint as one of the scenario's staff sees it (the first whose view is allowed).
async fn seen_by_staff(w: &mut FrtWorld) -> Value {
    let id = field(&receipt(w), "id");
    let names: Vec<String> = w.staff.keys().cloned().collect();
    for name in names {
        let reply = w
            .send_as(
                &name,
                Method::GET,
                &format!("/api/v1/complaints/{id}"),
                None,
            )
            .await;
        if reply.status == 200 {
            return reply.body;
        }
    }
    panic!("none of the scenario's staff can see the complaint");
}

async fn seen_by(w: &mut FrtWorld, name: &str, which: &str) -> Reply {
    let id = field(&nth(w, which), "id");
    w.send_as(name, Method::GET, &format!("/api/v1/complaints/{id}"), None)
        .await
}

/// One step on the complaint by a member of staff, sending the version they see; the answer
/// is kept, not checked.
async fn step(w: &mut FrtWorld, name: &str, path: &str, mut body: Value) -> Reply {
    let now = seen_by(w, name, "first").await;
    assert_eq!(now.status, 200, "{}", now.body);
    body["version"] = now.body["version"].clone();
    let id = field(&receipt(w), "id");
    w.send_as(
        name,
        Method::POST,
        &format!("/api/v1/complaints/{id}/{path}"),
        Some(body),
    )
    .await
}

async fn step_ok(w: &mut FrtWorld, name: &str, path: &str, body: Value) {
    let reply = step(w, name, path, body).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
}

#[when(expr = "{string} accepts the complaint")]
async fn accepts(w: &mut FrtWorld, name: String) {
    step_ok(w, &name, "accept", json!({})).await;
}

#[when(expr = "{string} assigns the complaint to {string}")]
async fn assigns(w: &mut FrtWorld, name: String, assignee: String) {
    let id = user_id(w, &assignee).await;
    step_ok(w, &name, "assign", json!({ "assignee_id": id })).await;
}

#[when(expr = "{string} takes the complaint through to the result {string}")]
async fn through_to_result(w: &mut FrtWorld, name: String, result: String) {
    let me = user_id(w, &name).await;
    step_ok(w, &name, "accept", json!({})).await;
    step_ok(w, &name, "assign", json!({ "assignee_id": me })).await;
    step_ok(w, &name, "investigate", json!({})).await;
    step_ok(w, &name, "result", json!({ "result": result })).await;
}

#[when(regex = r#"^"([^"]+)" (replies|tries to reply) "(.+)"$"#)]
async fn replies(w: &mut FrtWorld, name: String, how: String, text: String) {
    let reply = step(w, &name, "reply", json!({ "text": text })).await;
    if how == "replies" {
        assert_eq!(reply.status, 200, "reply: {}", reply.body);
    }
}

#[when(expr = "{string} closes the complaint")]
async fn closes(w: &mut FrtWorld, name: String) {
    step(w, &name, "close", json!({})).await;
}

#[when(expr = "{string} transfers the complaint to province {word} because {string}")]
async fn transfers(w: &mut FrtWorld, name: String, province: String, reason: String) {
    step_ok(
        w,
        &name,
        "transfer",
        json!({ "to": format!("province:{province}"), "reason": reason }),
    )
    .await;
}

#[then(regex = r#"^"([^"]+)" sees the complaint (?:still )?"([a-z_]+)"$"#)]
async fn sees_status(w: &mut FrtWorld, name: String, status: String) {
    let reply = seen_by(w, &name, "first").await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str()),
        (200, Some(status.as_str())),
        "{}",
        reply.body
    );
}

#[then(regex = r#"^"([^"]+)" (can|cannot) see the complaint$"#)]
async fn can_see(w: &mut FrtWorld, name: String, can: String) {
    let reply = seen_by(w, &name, "first").await;
    let want = if can == "can" { 200 } else { 404 };
    assert_eq!(reply.status, want, "{}", reply.body);
}

#[then(regex = r#"^"([^"]+)" sees the complainant's contact (masked|in full)$"#)]
async fn sees_contact(w: &mut FrtWorld, name: String, how: String) {
    let reply = seen_by(w, &name, "first").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let contact = &reply.body["contact"];
    let complainant = w
        .complainants
        .values()
        .next()
        .cloned()
        .expect("no complainant in this scenario");
    let shown = contact["email"].as_str().unwrap_or_default();
    if how == "masked" {
        assert_eq!(reply.body["contact_masked"], true, "{}", reply.body);
        assert_ne!(shown, complainant, "{contact}");
        assert_eq!(contact["phone"], "138****8000", "{contact}");
    } else {
        assert_eq!(reply.body["contact_masked"], false, "{}", reply.body);
        assert_eq!(shown, complainant, "{contact}");
        assert_eq!(contact["phone"], "13800138000", "{contact}");
    }
}

#[then(expr = "{string} sees no contact on the complaint")]
async fn sees_no_contact(w: &mut FrtWorld, name: String) {
    let reply = seen_by(w, &name, "first").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["contact"].is_null(), "{}", reply.body);
}

#[then(expr = "{string} finds the complaint in the queue without its contact")]
async fn in_queue(w: &mut FrtWorld, name: String) {
    let number = field(&receipt(w), "receipt_number");
    let email = w.complainants.values().next().cloned().unwrap_or_default();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/complaints?limit=200&after={a}"),
            None => "/api/v1/complaints?limit=200".to_owned(),
        };
        let page = w.send_as(&name, Method::GET, &path, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let items = page.body["items"].as_array().cloned().unwrap_or_default();
        if let Some(item) = items
            .iter()
            .find(|i| i["receipt_number"] == number.as_str())
        {
            let text = item.to_string();
            assert!(email.is_empty() || !text.contains(&email), "{text}");
            assert!(!text.contains("13800138000"), "{text}");
            return;
        }
        match page.body["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => panic!("{number} is not in the queue of {name}"),
        }
    }
}

#[then(expr = "{string} sees the second complaint linked to the first")]
async fn linked(w: &mut FrtWorld, name: String) {
    let first = field(&nth(w, "first"), "receipt_number");
    let second = field(&nth(w, "second"), "receipt_number");
    let reply = seen_by(w, &name, "second").await;
    assert_eq!(
        (
            reply.body["status"].as_str(),
            reply.body["duplicate_of"].as_str()
        ),
        (Some("received"), Some(first.as_str())),
        "{}",
        reply.body
    );
    let reply = seen_by(w, &name, "first").await;
    assert_eq!(reply.body["repeats"], json!([second]), "{}", reply.body);
}

#[then(expr = "the complaint's audit trail seen by {string} includes:")]
async fn trail_includes(w: &mut FrtWorld, name: String, step: &Step) {
    let id = field(&receipt(w), "id");
    super::audit::assert_trail_includes(w, &name, "complaint", &id, step).await;
}

// ---- Mail to the complainant ----

#[then("its text contains the receipt number")]
async fn text_has_receipt(w: &mut FrtWorld) {
    let number = field(&receipt(w), "receipt_number");
    let text = w.mail.as_ref().expect("no mail picked yet").text();
    assert!(text.contains(&number), "{number} not in {text}");
}

// ---- The sweep over the complaint's time limits ----

async fn acceptance_due(w: &mut FrtWorld) -> NaiveDate {
    let seen = seen_by_staff(w).await;
    date(
        seen["acceptance_deadline"]["due_date"]
            .as_str()
            .unwrap_or_else(|| panic!("no acceptance time limit: {seen}")),
    )
}

#[when(
    regex = r"^the deadline sweep runs (\d+) working days? before the complaint's acceptance is due$"
)]
async fn sweep_before(w: &mut FrtWorld, n: i64) {
    let due = acceptance_due(w).await;
    w.swept = Some(field(&receipt(w), "id"));
    super::sweep::sweep(w, super::sweep::before(due, n), 1).await;
}

#[when("the deadline sweep runs the day after the complaint's acceptance was due")]
async fn sweep_after(w: &mut FrtWorld) {
    let due = acceptance_due(w).await;
    w.swept = Some(field(&receipt(w), "id"));
    super::sweep::sweep(w, due + chrono::Duration::days(1), 1).await;
}

#[then(expr = "{string} sees the complaint's acceptance marked overdue")]
async fn acceptance_overdue(w: &mut FrtWorld, name: String) {
    let reply = seen_by(w, &name, "first").await;
    let d = &reply.body["acceptance_deadline"];
    assert!(d["overdue_since"].is_string(), "{}", reply.body);
}
