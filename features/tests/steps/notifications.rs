//! Notifications between agencies (通报, Art. 16): sending to the agency of a named member of
//! staff, acknowledgement (签收) and feedback (反馈), restricted ones, case transfers that open
//! exactly the records they name, and the sweep over acknowledgement time limits.

use crate::support::{date, FrtWorld, Reply};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{json, Value};

fn notification(w: &FrtWorld) -> String {
    w.notification
        .clone()
        .expect("no notification was sent in this scenario")
}

/// The agency a named member of staff belongs to (its id).
pub(crate) async fn agency_of(w: &mut FrtWorld, name: &str) -> String {
    let me = w.send_as(name, Method::GET, "/api/v1/me", None).await;
    me.body["agency_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} belongs to no agency: {}", me.body))
        .to_owned()
}

/// Sends a notification as `name`; keeps it when sent.
async fn send(w: &mut FrtWorld, name: &str, body: Value) -> Reply {
    let reply = w
        .send_as(name, Method::POST, "/api/v1/notifications", Some(body))
        .await;
    if reply.status == 201 {
        w.notification = reply.body["id"].as_str().map(str::to_owned);
    }
    reply
}

#[given(
    regex = r#"^"([^"]+)" has sent a violation notice about "([^"]+)" to the agency of "([^"]+)" to be acknowledged within (\d+) working days?$"#
)]
async fn has_sent(w: &mut FrtWorld, name: String, processor: String, to: String, days: u32) {
    sends_notice(w, name, processor, to, days).await;
    assert_eq!(w.last().status, 201, "{}", w.last().body);
}

#[when(
    regex = r#"^"([^"]+)" sends a violation notice about "([^"]+)" to the agency of "([^"]+)" to be acknowledged within (\d+) working days?$"#
)]
async fn sends_notice(w: &mut FrtWorld, name: String, processor: String, to: String, days: u32) {
    let agency = agency_of(w, &to).await;
    let org = w.processor(&processor).org_id.clone();
    send(
        w,
        &name,
        json!({
            "kind": "violation_notice",
            "recipients": [agency],
            "processor": { "organisation_id": org },
            "title": "超范围采集人脸信息",
            "body": "经检查发现该单位在门禁系统中强制采集人脸信息，涉嫌违法，现予通报。",
            "ack_required": true,
            "ack_working_days": days
        }),
    )
    .await;
}

#[when(
    regex = r#"^"([^"]+)" sends a restricted notification to the agency of "([^"]+)" readable only by (supervisors|inspectors)$"#
)]
async fn sends_restricted(w: &mut FrtWorld, name: String, to: String, roles: String) {
    let agency = agency_of(w, &to).await;
    let role = roles.trim_end_matches('s');
    let reply = send(
        w,
        &name,
        json!({
            "kind": "information_sharing",
            "recipients": [agency],
            "title": "涉案线索",
            "body": "仅限指定人员阅知。",
            "classification": "restricted",
            "restricted_roles": [role]
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[when(
    regex = r#"^"([^"]+)" transfers the case of "([^"]+)" to the agency of "([^"]+)" with its filing$"#
)]
async fn transfers_case(w: &mut FrtWorld, name: String, processor: String, to: String) {
    let agency = agency_of(w, &to).await;
    let filing = w.filing_of(&processor);
    let reply = send(
        w,
        &name,
        json!({
            "kind": "case_transfer",
            "recipients": [agency],
            "processor": { "organisation_id": w.processor(&processor).org_id },
            "title": "涉嫌违法犯罪案件移送",
            "body": "该单位强制采集人脸信息，情节严重，移送公安机关处理。",
            "links": [{ "entity_type": "filing", "id": filing }]
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[then(regex = r#"^"([^"]+)" (can|cannot) open the filing of "([^"]+)"$"#)]
async fn opens_filing(w: &mut FrtWorld, name: String, can: String, processor: String) {
    let filing = w.filing_of(&processor);
    let reply = w
        .send_as(
            &name,
            Method::GET,
            &format!("/api/v1/filings/{filing}"),
            None,
        )
        .await;
    let want = if can == "can" { 200 } else { 404 };
    assert_eq!(reply.status, want, "{}", reply.body);
}

#[then(regex = r#"^"([^"]+)" (can|cannot) see the notification$"#)]
async fn can_see(w: &mut FrtWorld, name: String, can: String) {
    let id = notification(w);
    let one = w
        .send_as(
            &name,
            Method::GET,
            &format!("/api/v1/notifications/{id}"),
            None,
        )
        .await;
    let want = if can == "can" { 200 } else { 404 };
    assert_eq!(one.status, want, "{}", one.body);
    let page = w
        .send_as(&name, Method::GET, "/api/v1/notifications?limit=200", None)
        .await;
    let listed = page.body["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str()));
    assert_eq!(listed, can == "can", "{}", page.body);
}

#[then(expr = "{string} finds the notification among those received, waiting for acknowledgement")]
async fn finds_received(w: &mut FrtWorld, name: String) {
    let id = notification(w);
    let page = w
        .send_as(
            &name,
            Method::GET,
            "/api/v1/notifications?direction=received&status=delivered&limit=200",
            None,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let item = page.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id.as_str()).cloned())
        .unwrap_or_else(|| panic!("not among those received: {}", page.body));
    assert_eq!(item["my_status"], "delivered", "{item}");
}

#[when(regex = r#"^"([^"]+)" (?:acknowledges|tries to acknowledge) the notification$"#)]
async fn acknowledges(w: &mut FrtWorld, name: String) {
    let id = notification(w);
    w.send_as(
        &name,
        Method::POST,
        &format!("/api/v1/notifications/{id}/acknowledge"),
        Some(json!({})),
    )
    .await;
}

#[when(expr = "{string} answers the notification with {string}")]
async fn answers(w: &mut FrtWorld, name: String, feedback: String) {
    let id = notification(w);
    let reply = w
        .send_as(
            &name,
            Method::POST,
            &format!("/api/v1/notifications/{id}/feedback"),
            Some(json!({ "feedback": feedback })),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The receipt of the agency of `member`, as `name` sees the notification.
async fn receipt(w: &mut FrtWorld, name: &str, member: &str) -> Value {
    let agency = agency_of(w, member).await;
    let id = notification(w);
    let reply = w
        .send_as(
            name,
            Method::GET,
            &format!("/api/v1/notifications/{id}"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["recipients"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|r| r["agency"]["id"] == agency.as_str())
                .cloned()
        })
        .unwrap_or_else(|| panic!("the agency of {member} is not a recipient: {}", reply.body))
}

#[then(
    regex = r#"^"([^"]+)" sees that the agency of "([^"]+)" (acknowledged|answered) the notification(?: with "([^"]+)")?$"#
)]
async fn sees_receipt(
    w: &mut FrtWorld,
    name: String,
    member: String,
    status: String,
    text: String,
) {
    let r = receipt(w, &name, &member).await;
    assert_eq!(r["status"], status.as_str(), "{r}");
    assert!(r["ack_deadline"]["met_on"].is_string(), "{r}");
    if !text.is_empty() {
        assert_eq!(r["feedback"], text.as_str(), "{r}");
    }
}

#[then(expr = "{string} sees the acknowledgement by the agency of {string} marked overdue")]
async fn ack_overdue(w: &mut FrtWorld, name: String, member: String) {
    let r = receipt(w, &name, &member).await;
    assert!(r["ack_deadline"]["overdue_since"].is_string(), "{r}");
}

#[when("the deadline sweep runs the day after the acknowledgement was due")]
async fn sweep_after(w: &mut FrtWorld) {
    let id = notification(w);
    // The sender reads the due date.
    let names: Vec<String> = w.staff.keys().cloned().collect();
    let mut due = None;
    for name in names {
        let reply = w
            .send_as(
                &name,
                Method::GET,
                &format!("/api/v1/notifications/{id}"),
                None,
            )
            .await;
        if reply.status == 200 {
            due = reply.body["recipients"][0]["ack_deadline"]["due_date"]
                .as_str()
                .map(date);
            break;
        }
    }
    let due = due.expect("no acknowledgement time limit");
    w.swept = Some(id);
    super::sweep::sweep(w, due + chrono::Duration::days(1), 1).await;
}

#[then(expr = "the notification's audit trail seen by {string} includes:")]
async fn trail_includes(w: &mut FrtWorld, name: String, step: &Step) {
    let id = notification(w);
    super::audit::assert_trail_includes(w, &name, "notification", &id, step).await;
}
