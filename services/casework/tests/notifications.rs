//! Notifications between agencies over HTTP: sending, who sees what (the agencies concerned,
//! national CAC, restricted ones by role), acknowledgement and feedback told to the sender
//! over SMTP, every problem listed at once, and a case transfer opening exactly the records it
//! names to the receiving public security unit.

use frt_access::{AgencyKind, Role};
use frt_testkit::{code, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn listed(page: &Value, id: &str) -> bool {
    page["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["id"] == id))
}

/// The offices a notification concerns: a processor in Shanghai, the Shanghai CAC office
/// (a supervisor), the Shanghai public security bureau (an inspector and a supervisor), the
/// Beijing office and national CAC, with the mail they are sent.
struct Offices {
    app: TestApp,
    sink: frt_testkit::SmtpSink,
    org: String,
    shanghai: String,
    police: String,
    police_chief: String,
    beijing: String,
    national: String,
    police_agency: uuid::Uuid,
}

async fn offices() -> Offices {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (_, org) = app
        .register_processor("静安智慧门禁有限公司", "310000")
        .await;
    let shanghai = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let police_chief = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let beijing = app
        .staff(AgencyKind::ProvincialCac, Some("110000"), Role::Supervisor)
        .await;
    let national = app
        .staff(AgencyKind::NationalCac, None, Role::Supervisor)
        .await;
    let police_agency = app.agency_of(&police).await;

    Offices {
        app,
        sink,
        org,
        shanghai,
        police,
        police_chief,
        beijing,
        national,
        police_agency,
    }
}

/// A violation notice from Shanghai's office to the public security bureau, to acknowledge
/// within three working days; its id.
async fn notice(o: &Offices) -> String {
    let Offices {
        app,
        org,
        shanghai,
        police_agency,
        ..
    } = o;

    let (s, sent) = app
        .casework_post(
            shanghai,
            "/api/v1/notifications",
            json!({
                "kind": "violation_notice",
                "recipients": [police_agency],
                "processor": { "organisation_id": org },
                "title": "某门禁公司超范围采集人脸",
                "body": "经检查发现该公司在小区门禁中强制采集人脸信息，涉嫌违法，现予通报。",
                "ack_required": true,
                "ack_working_days": 3
            }),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    let id = sent["id"].as_str().expect("id").to_owned();
    assert!(
        sent["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("TB-")),
        "{sent}"
    );
    assert_eq!(sent["recipients"][0]["status"], "delivered");
    assert!(sent["recipients"][0]["ack_deadline"]["due_date"].is_string());
    assert_eq!(sent["processor_name"], "静安智慧门禁有限公司");

    id
}

#[tokio::test]
async fn a_notification_reaches_the_agencies_concerned_and_no_other() {
    let o = offices().await;
    let id = notice(&o).await;
    let Offices {
        app,
        shanghai,
        police,
        beijing,
        national,
        police_agency,
        ..
    } = &o;
    let (s, agencies) = app.casework_get(shanghai, "/api/v1/agencies").await;
    assert_eq!(s, 200, "{agencies}");
    assert!(
        agencies
            .as_array()
            .expect("agencies")
            .iter()
            .any(|a| a["id"] == police_agency.to_string() && a["kind"] == "public_security"),
        "{agencies}"
    );

    // The recipient and national CAC see it; another province's office does not.
    let (_, page) = app
        .casework_get(police, "/api/v1/notifications?direction=received")
        .await;
    assert!(listed(&page, &id), "{page}");
    assert_eq!(page["items"][0]["my_status"], "delivered");
    let (s, _) = app
        .casework_get(beijing, &format!("/api/v1/notifications/{id}"))
        .await;
    assert_eq!(s, 404);
    let (_, page) = app.casework_get(beijing, "/api/v1/notifications").await;
    assert!(!listed(&page, &id), "{page}");
    let (s, _) = app
        .casework_get(national, &format!("/api/v1/notifications/{id}"))
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn only_a_recipient_acknowledges_and_answers_and_the_sender_is_told() {
    let o = offices().await;
    let id = notice(&o).await;
    let Offices {
        app,
        sink,
        shanghai,
        police,
        police_chief,
        beijing,
        ..
    } = &o;
    // Only a recipient acknowledges.
    let (s, b) = app
        .casework_post(
            shanghai,
            &format!("/api/v1/notifications/{id}/acknowledge"),
            json!({}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "notification.not_a_recipient"), "{b}");

    let (s, v) = app
        .casework_post(
            police,
            &format!("/api/v1/notifications/{id}/acknowledge"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v["recipients"][0]["status"].as_str()),
        (200, Some("acknowledged")),
        "{v}"
    );
    assert!(
        v["recipients"][0]["ack_deadline"]["met_on"].is_string(),
        "{v}"
    );
    let (s, b) = app
        .casework_post(
            police_chief,
            &format!("/api/v1/notifications/{id}/acknowledge"),
            json!({}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "notification.already_done"), "{b}");
    let (s, v) = app
        .casework_post(
            police_chief,
            &format!("/api/v1/notifications/{id}/feedback"),
            json!({ "feedback": "已立案调查，将依法处理。" }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["recipients"][0]["status"], "answered");
    let (_, v) = app
        .casework_get(shanghai, &format!("/api/v1/notifications/{id}"))
        .await;
    assert_eq!(
        v["recipients"][0]["feedback"], "已立案调查，将依法处理。",
        "{v}"
    );

    app.worker().send_due().await.expect("send");
    let subjects: Vec<String> = sink.received().iter().map(|m| m.subject()).collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.contains("违法线索通报"))
            .count(),
        2,
        "both officers of the unit are told: {subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("已签收")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("已反馈")),
        "{subjects:?}"
    );

    let (s, trail) = app
        .casework_get(
            police_chief,
            &format!("/api/v1/audit/notification/{id}?limit=100"),
        )
        .await;
    assert_eq!(s, 200, "{trail}");
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for a in [
        "notification.sent",
        "notification.acknowledged",
        "notification.answered",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let (s, _) = app
        .casework_get(
            beijing,
            &format!("/api/v1/audit/notification/{id}?limit=100"),
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_sender_attaches_a_file_and_only_those_who_see_the_notification_download_it() {
    let o = offices().await;
    let id = notice(&o).await;
    let Offices {
        app,
        shanghai,
        police,
        police_chief,
        beijing,
        ..
    } = &o;
    // The sender attaches a file; the recipient downloads it, another province cannot.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(frt_testkit::app::PDF.to_vec()).file_name("检查笔录.pdf"),
    );
    let r = app
        .http
        .post(format!(
            "{}/api/v1/notifications/{id}/materials",
            app.casework
        ))
        .bearer_auth(shanghai)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let m: Value = r.json().await.expect("material");
    let mid = m["id"].as_str().expect("id").to_owned();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(frt_testkit::app::PDF.to_vec()).file_name("回函.pdf"),
    );
    let r = app
        .http
        .post(format!(
            "{}/api/v1/notifications/{id}/materials",
            app.casework
        ))
        .bearer_auth(police_chief)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 409, "only the sender attaches");
    let path = format!("{}/api/v1/notifications/{id}/materials/{mid}", app.casework);
    let r = app
        .http
        .get(&path)
        .bearer_auth(police)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        frt_testkit::app::PDF
    );
    let r = app
        .http
        .get(&path)
        .bearer_auth(beijing)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn a_restricted_notification_reaches_only_the_roles_it_names() {
    let o = offices().await;
    let id = notice(&o).await;
    let Offices {
        app,
        shanghai,
        police,
        police_chief,
        police_agency,
        ..
    } = &o;
    // A restricted notification reaches only the roles it names.
    let (s, secret) = app
        .casework_post(
            shanghai,
            "/api/v1/notifications",
            json!({
                "kind": "information_sharing",
                "recipients": [police_agency],
                "title": "涉案线索",
                "body": "仅限负责人阅知。",
                "classification": "restricted",
                "restricted_roles": ["supervisor"]
            }),
        )
        .await;
    assert_eq!(s, 201, "{secret}");
    let secret = secret["id"].as_str().expect("id").to_owned();
    let (s, _) = app
        .casework_get(police, &format!("/api/v1/notifications/{secret}"))
        .await;
    assert_eq!(s, 404, "an inspector is not named");
    let (_, page) = app.casework_get(police, "/api/v1/notifications").await;
    assert!(!listed(&page, &secret), "{page}");
    let (s, _) = app
        .casework_get(police_chief, &format!("/api/v1/notifications/{secret}"))
        .await;
    assert_eq!(s, 200);
    let (_, page) = app
        .casework_get(shanghai, "/api/v1/notifications?direction=sent")
        .await;
    assert!(listed(&page, &secret) && listed(&page, &id), "{page}");
}

#[tokio::test]
async fn a_notification_is_on_the_processors_page_and_links_the_inspection_it_prompts() {
    let o = offices().await;
    let id = notice(&o).await;
    let Offices {
        app, org, shanghai, ..
    } = &o;
    // The processor's page lists the first one for the office that sent it.
    let (_, timeline) = app
        .casework_get(shanghai, &format!("/api/v1/organisations/{org}/timeline"))
        .await;
    assert!(
        timeline["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .any(|c| c["case_type"] == "notification" && c["id"] == id.as_str()),
        "{timeline}"
    );

    // The notification prompts an inspection of the processor, which it then links to.
    let mut inspectors = Vec::new();
    for _ in 0..2 {
        let t = app
            .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Inspector)
            .await;
        let (_, me) = app.casework_get(&t, "/api/v1/me").await;
        inspectors.push(me["user_id"].as_str().expect("user").to_owned());
    }
    let (s, b) = app.casework_post(shanghai,
        "/api/v1/inspections",
        json!({ "organisation_id": org, "source": "notification", "inspector_ids": inspectors }),
    )
    .await;
    assert_eq!(
        (s, code(&b)),
        (422, "inspection.invalid"),
        "names the notification: {b}"
    );
    let (s, opened) = app
        .casework_post(
            shanghai,
            "/api/v1/inspections",
            json!({ "organisation_id": org, "source": "notification", "notification_id": id,
                "inspector_ids": inspectors }),
        )
        .await;
    assert_eq!(s, 201, "{opened}");
    let (_, v) = app
        .casework_get(shanghai, &format!("/api/v1/notifications/{id}"))
        .await;
    assert!(
        v["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["entity_type"] == "inspection" && l["id"] == opened["id"]),
        "{v}"
    );
}

#[tokio::test]
async fn every_problem_of_a_notification_is_listed_at_once() {
    let o = offices().await;
    let Offices { app, shanghai, .. } = &o;
    // Every problem at once.
    let (s, b) = app
        .casework_post(
            shanghai,
            "/api/v1/notifications",
            json!({
                "kind": "gossip",
                "recipients": [],
                "title": " ",
                "body": "x",
                "classification": "restricted",
                "ack_required": true,
                "ack_working_days": 61,
                "links": [{ "entity_type": "filing", "id": uuid::Uuid::now_v7() }]
            }),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "notification.invalid"), "{b}");
    let paths: Vec<&str> = b["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    for p in [
        "kind",
        "recipients",
        "title",
        "restricted_roles",
        "ack_working_days",
        "links[0].id",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
}

#[tokio::test]
async fn a_case_transfer_opens_exactly_the_attached_records_to_public_security() {
    let app = TestApp::spawn().await;
    let (processor, _) = app.register_processor("某商场管理有限公司", "310000").await;
    let first = app
        .complete_draft(
            &processor,
            "initial",
            frt_web::today_in_china() - chrono::Duration::days(3),
            None,
        )
        .await;
    let (s, b) = app.submit(&processor, &first, None).await;
    assert_eq!(s, 200, "{b}");
    let (other_processor, _) = app.register_processor("另一家公司", "310000").await;
    let second = app
        .complete_draft(
            &other_processor,
            "initial",
            frt_web::today_in_china() - chrono::Duration::days(3),
            None,
        )
        .await;
    let (s, b) = app.submit(&other_processor, &second, None).await;
    assert_eq!(s, 200, "{b}");
    let complaint = |name: &str| {
        json!({ "processor": { "name": name }, "province": "310000", "anonymous": true,
                "description": "商场强制刷脸入场。" })
    };
    let (_, c1) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/complaints", app.portal),
            None,
            Some(complaint("某商场")),
        )
        .await;
    let (_, c2) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/complaints", app.portal),
            None,
            Some(complaint("另一商场")),
        )
        .await;
    let c1 = c1["id"].as_str().expect("complaint").to_owned();
    let c2 = c2["id"].as_str().expect("complaint").to_owned();

    let shanghai = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let police_agency = app.agency_of(&police).await;
    for path in [
        format!("/api/v1/filings/{first}"),
        format!("/api/v1/complaints/{c1}"),
    ] {
        let (s, b) = app.casework_get(&police, &path).await;
        assert_eq!(s, 404, "nothing is handed over yet: {path} {b}");
    }
    let (s, sent) = app
        .casework_post(
            &shanghai,
            "/api/v1/notifications",
            json!({
                "kind": "case_transfer",
                "recipients": [police_agency],
                "title": "涉嫌违法犯罪案件移送",
                "body": "该商场强制采集人脸信息，情节严重，移送公安机关处理。",
                "links": [
                    { "entity_type": "filing", "id": first },
                    { "entity_type": "complaint", "id": c1 }
                ]
            }),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["links"].as_array().map(Vec::len), Some(2), "{sent}");
    let (s, f) = app
        .casework_get(&police, &format!("/api/v1/filings/{first}"))
        .await;
    assert_eq!(s, 200, "the filing handed over opens: {f}");
    let (s, c) = app
        .casework_get(&police, &format!("/api/v1/complaints/{c1}"))
        .await;
    assert_eq!(s, 200, "the complaint handed over opens: {c}");
    for path in [
        format!("/api/v1/filings/{second}"),
        format!("/api/v1/complaints/{c2}"),
    ] {
        let (s, b) = app.casework_get(&police, &path).await;
        assert_eq!(s, 404, "no other record: {path} {b}");
    }
    // The review queue stays the CAC's, whatever province is asked for.
    let (s, q) = app
        .casework_get(&police, "/api/v1/review/queue?province=310000")
        .await;
    assert!(
        s == 403 || q["items"].as_array().is_none_or(|i| i.len() <= 1),
        "{s} {q}"
    );
    // A case transfer names at least one record.
    let (s, b) = app
        .casework_post(
            &shanghai,
            "/api/v1/notifications",
            json!({ "kind": "case_transfer", "recipients": [police_agency],
                "title": "移送", "body": "移送。" }),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "notification.invalid"), "{b}");
}
