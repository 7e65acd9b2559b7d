//! Complaints over HTTP: the public intake and lookup in the portal, the office's handling in
//! casework through to the mandatory reply delivered over SMTP, transfers, repeats, the
//! complainant's contact sealed at rest and masked for staff who do not handle it.

use frt_access::{AgencyKind, Role};
use frt_testkit::{code, SinkMode, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// One step on a complaint, sending the version the caller sees.
async fn step(app: &TestApp, token: &str, id: &str, path: &str, mut body: Value) -> (u16, Value) {
    let (_, now) = app
        .casework_get(token, &format!("/api/v1/complaints/{id}"))
        .await;
    body["version"] = now["version"].clone();
    app.call(
        Method::POST,
        &format!("{}/api/v1/complaints/{id}/{path}", app.casework),
        Some(token),
        Some(body),
    )
    .await
}

fn complaint(processor: Value, email: &str) -> Value {
    json!({
        "processor": processor,
        "province": "310000",
        "description": "商场入口的摄像头采集顾客人脸，未设置显著提示标识。",
        "occurred_on": "2026-11-30",
        "location": "上海市静安区某商场",
        "reply": { "channel": "mail", "email": email, "name": "李四", "phone": "13800138000" }
    })
}

async fn me(app: &TestApp, token: &str) -> String {
    app.casework_get(token, "/api/v1/me").await.1["user_id"]
        .as_str()
        .expect("user id")
        .to_owned()
}

#[tokio::test]
async fn a_named_complaint_is_handled_to_a_delivered_reply_and_only_then_closed() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (_, org) = app
        .register_processor("静安智慧商场有限公司", "310000")
        .await;
    let (_, processor) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisations/{org}/timeline", app.casework),
            Some(&app.reviewer("310000").await),
            None,
        )
        .await;
    let uscc = processor["organisation"]["uscc"]
        .as_str()
        .expect("uscc")
        .to_owned();
    let (s, receipt) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            complaint(json!({ "uscc": uscc }), "lisi@complainant.example"),
        )
        .await;
    assert_eq!(s, 201, "{receipt}");
    let number = receipt["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let access = receipt["access_code"].as_str().expect("code").to_owned();
    assert!(number.starts_with("TS-310000-"), "{number}");
    assert_eq!(access.len(), 19);
    let id = receipt["id"].as_str().expect("id").to_owned();

    // Sealed at rest: neither the address nor the phone is anywhere in the row.
    let mut conn = app.core.db.conn().await.expect("conn");
    let row = frt_store::complaints::get(
        &mut conn,
        id.parse().expect("uuid"),
        &frt_store::scope::Scope::PLATFORM,
    )
    .await
    .expect("row")
    .expect("there");
    let secrets = frt_store::complaints::secrets(&mut conn, row.id)
        .await
        .expect("secrets")
        .expect("kept beside the complaint");
    let sealed = secrets.contact_sealed.clone().expect("sealed");
    assert!(!sealed.windows(8).any(|w| w == b"lisi@com"));
    assert!(!sealed.windows(11).any(|w| w == b"13800138000"));
    assert_eq!(secrets.contact_key_id.as_deref(), Some("k1"));
    // Each sealed or hashed value names its algorithm (the international suite here).
    assert_eq!(secrets.contact_seal_alg.as_deref(), Some("aes-256-gcm"));
    assert_eq!(
        secrets.contact_fingerprint_alg.as_deref(),
        Some("hmac-sha256")
    );
    assert_eq!(secrets.access_code_alg, "sha256");
    assert_eq!(
        row.organisation_id.map(|o| o.to_string()),
        Some(org.clone())
    );
    drop(conn);

    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let sup = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    // The queue shows no contact; the handler not yet assigned sees it masked.
    let (s, queue) = app.casework_get(&handler, "/api/v1/complaints").await;
    assert_eq!(s, 200, "{queue}");
    assert_eq!(queue["items"][0]["receipt_number"], number.as_str());
    assert!(!queue.to_string().contains("13800138000"));
    assert!(!queue.to_string().contains("lisi@"));
    let (_, seen) = app
        .casework_get(&handler, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(seen["contact_masked"], true, "{seen}");
    assert_eq!(seen["contact"]["phone"], "138****8000");
    assert!(
        seen["acceptance_deadline"]["due_date"].is_string(),
        "{seen}"
    );
    // A supervisor of the province sees it, and that view is audited.
    let (_, seen) = app
        .casework_get(&sup, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(
        seen["contact"]["email"], "lisi@complainant.example",
        "{seen}"
    );

    let (s, v) = step(&app, &handler, &id, "accept", json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("accepted")), "{v}");
    let handler_id = me(&app, &handler).await;
    let (s, v) = step(
        &app,
        &handler,
        &id,
        "assign",
        json!({ "assignee_id": handler_id }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["contact_masked"], false,
        "the assigned handler sees the contact"
    );
    let (s, _) = step(&app, &handler, &id, "investigate", json!({})).await;
    assert_eq!(s, 200);
    let (s, _) = step(
        &app,
        &handler,
        &id,
        "result",
        json!({ "result": "经核查，该商场已设置提示标识并删除超范围采集的人脸数据。" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, b) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, code(&b)), (409, "complaint.reply_required"), "{b}");

    let (s, v) = step(
        &app,
        &handler,
        &id,
        "reply",
        json!({ "text": "您反映的问题经核查属实，已责令该商场改正。" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("reply_sent")), "{v}");
    assert_eq!(v["reply"]["state"], "queued");
    let (s, b) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!(
        (s, code(&b)),
        (409, "complaint.reply_required"),
        "queued is not delivered: {b}"
    );
    // Before the reply is sent, the public lookup shows no reply yet.
    let (s, st) = app
        .portal_post(
            None,
            "/api/v1/complaints/status",
            json!({ "receipt_number": number, "access_code": access }),
        )
        .await;
    assert_eq!((s, st["reply"].is_null()), (200, true), "{st}");

    app.worker().send_due().await.expect("send");
    let mails = sink.received();
    let subjects: Vec<String> = mails.iter().map(|m| m.subject()).collect();
    assert_eq!(mails.len(), 2, "{subjects:?}");
    assert!(subjects[0].contains(&number), "receipt: {subjects:?}");
    assert!(subjects[1].contains("办理结果答复"), "{subjects:?}");
    assert!(mails[1].text().contains("已责令该商场改正"));
    let (_, v) = app
        .casework_get(&handler, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(v["reply"]["state"], "sent", "{v}");
    assert!(v["reply_deadline"]["met_on"].is_string(), "{v}");

    // The outbox keeps neither the address nor the text once delivered.
    let mut conn = app.core.db.conn().await.expect("conn");
    let out = frt_store::outbox::for_entity(&mut conn, "complaint", id.parse().expect("uuid"))
        .await
        .expect("outbox");
    assert!(out.iter().all(|m| m.status == "sent"));
    assert!(
        out.iter()
            .all(|m| !m.recipient.contains('@') && m.body.is_empty()),
        "{out:?}"
    );
    drop(conn);

    let (s, st) = app.portal_post(None, "/api/v1/complaints/status",
        json!({ "receipt_number": number, "access_code": access.to_lowercase().replace('-', " ") }),
    )
    .await;
    assert_eq!(s, 200, "{st}");
    assert!(
        st["reply"].as_str().is_some_and(|r| r.contains("已责令")),
        "{st}"
    );
    let (s, v) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");

    let (_, trail) = app
        .casework_get(&sup, &format!("/api/v1/audit/complaint/{id}?limit=500"))
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for a in [
        "complaint.received",
        "complaint.contact_viewed",
        "complaint.accepted",
        "complaint.assigned",
        "complaint.investigating",
        "complaint.result_decided",
        "complaint.reply_sent",
        "complaint.reply_delivered",
        "complaint.closed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(
        !trail.to_string().contains("13800138000"),
        "no contact in the trail"
    );
    // The processor's page lists the complaint.
    let (_, page) = app
        .casework_get(&sup, &format!("/api/v1/organisations/{org}/timeline"))
        .await;
    assert!(
        page["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .any(|c| c["case_type"] == "complaint" && c["reference"] == number.as_str()),
        "{page}"
    );
}

#[tokio::test]
async fn lookups_answer_alike_for_unknown_and_wrong_and_then_wait() {
    let app = TestApp::spawn().await;
    let (_, receipt) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            complaint(json!({ "name": "某未登记公司" }), "a@complainant.example"),
        )
        .await;
    let number = receipt["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let (s1, b1) = app
        .portal_post(
            None,
            "/api/v1/complaints/status",
            json!({ "receipt_number": number, "access_code": "AAAA-AAAA-AAAA-AAAA" }),
        )
        .await;
    let (s2, b2) = app.portal_post(None, "/api/v1/complaints/status",
        json!({ "receipt_number": "TS-310000-20000101-0001", "access_code": "AAAA-AAAA-AAAA-AAAA" }),
    )
    .await;
    assert_eq!((s1, code(&b1)), (404, "complaint.not_found"));
    assert_eq!((s2, code(&b2)), (s1, code(&b1)));
    assert_eq!(b1["detail"], b2["detail"]);
    // Five wrong codes for one receipt (complaints.max_failed_lookups) make it wait.
    for _ in 0..4 {
        app.portal_post(
            None,
            "/api/v1/complaints/status",
            json!({ "receipt_number": number, "access_code": "BBBB" }),
        )
        .await;
    }
    let r = app
        .http
        .post(format!("{}/api/v1/complaints/status", app.portal))
        .json(&json!({ "receipt_number": number, "access_code": receipt["access_code"] }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 429, "even the right code waits now");
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn anonymous_reports_close_without_a_reply_and_bad_input_lists_every_problem() {
    let app = TestApp::spawn().await;
    let (s, receipt) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            json!({ "processor": { "name": "某小区物业" }, "province": "310000", "anonymous": true,
                "description": "小区门禁强制刷脸，无其他方式。" }),
        )
        .await;
    assert_eq!(s, 201, "{receipt}");
    assert_eq!(receipt["reply_expected"], false);
    let id = receipt["id"].as_str().expect("id").to_owned();
    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let handler_id = me(&app, &handler).await;
    for (path, body) in [
        ("accept", json!({})),
        ("assign", json!({ "assignee_id": handler_id })),
        ("investigate", json!({})),
        (
            "result",
            json!({ "result": "已约谈物业，增设其他通行方式。" }),
        ),
    ] {
        let (s, v) = step(&app, &handler, &id, path, body).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert!(v["contact"].is_null());
    }
    let (s, b) = step(&app, &handler, &id, "reply", json!({ "text": "x" })).await;
    assert_eq!((s, code(&b)), (409, "complaint.illegal_step"), "{b}");
    let (s, v) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");

    let (s, b) = app.portal_post(None, "/api/v1/complaints",
        json!({ "processor": {}, "province": "31", "description": " ", "location": "x".repeat(600),
                "reply": { "channel": "mail", "email": "not-mail" } }),
    )
    .await;
    assert_eq!((s, code(&b)), (422, "complaint.invalid"), "{b}");
    let paths: Vec<&str> = b["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    for p in [
        "processor",
        "province",
        "description",
        "location",
        "reply.email",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
}

#[tokio::test]
async fn transfers_repeats_evidence_and_the_intake_limit() {
    let (app, sink) = TestApp::spawn_with_mail(&[("FRT__COMPLAINTS__INTAKE_PER_HOUR", "3")]).await;
    let (_, first) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            complaint(
                json!({ "name": "北京某科技公司" }),
                "wang@complainant.example",
            ),
        )
        .await;
    let id = first["id"].as_str().expect("id").to_owned();
    let number = first["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    // Evidence with the receipt and code, before acceptance.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(frt_testkit::app::PDF.to_vec()).file_name("照片说明.pdf"),
    );
    let r = app
        .http
        .post(format!(
            "{}/api/v1/complaints/{number}/materials",
            app.portal
        ))
        .header(
            "X-Access-Code",
            first["access_code"].as_str().expect("code"),
        )
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    // A repeat from the same contact about the same processor is linked for the staff only:
    // nobody checked the contact is the filer's, so the filer learns nothing of the first.
    let (s, repeat) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            complaint(
                json!({ "name": "北京某科技公司" }),
                "WANG@complainant.example",
            ),
        )
        .await;
    assert_eq!(s, 201, "{repeat}");
    assert_eq!(repeat["status"], "received");
    assert!(!repeat.to_string().contains(number.as_str()), "{repeat}");
    let (_, st) = app.portal_post(None, "/api/v1/complaints/status",
        json!({ "receipt_number": repeat["receipt_number"], "access_code": repeat["access_code"] }),
    )
    .await;
    assert_eq!(st["receipt_number"], repeat["receipt_number"], "{st}");
    assert!(
        !st.to_string().contains(number.as_str()),
        "its own, only: {st}"
    );
    // The fourth within the hour from this address waits.
    app.portal_post(
        None,
        "/api/v1/complaints",
        complaint(json!({ "name": "另一家公司" }), "zhao@complainant.example"),
    )
    .await;
    let (s, b) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            complaint(json!({ "name": "又一家公司" }), "qian@complainant.example"),
        )
        .await;
    assert_eq!((s, code(&b)), (429, "complaint.too_many_complaints"), "{b}");

    // The processor is in Beijing: Shanghai transfers it, the complainant is told.
    let shanghai = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let beijing = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("110000"),
            Role::ComplaintHandler,
        )
        .await;
    let (_, v) = app
        .casework_get(&shanghai, &format!("/api/v1/complaints/{id}"))
        .await;
    let evidence = v["materials"][0]["id"]
        .as_str()
        .expect("evidence")
        .to_owned();
    let r = app
        .http
        .get(format!(
            "{}/api/v1/complaints/{id}/materials/{evidence}",
            app.casework
        ))
        .bearer_auth(&shanghai)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    let (s, b) = app
        .casework_get(&beijing, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(s, 404, "not Beijing's yet: {b}");
    let (s, v) = step(
        &app,
        &shanghai,
        &id,
        "transfer",
        json!({ "to": "province:110000", "reason": "被投诉单位位于北京市" }),
    )
    .await;
    assert_eq!(
        (s, v["province_code"].as_str()),
        (200, Some("110000")),
        "{v}"
    );
    assert!(
        v["contact"].is_null(),
        "the sending office keeps no contact view"
    );
    let (s, _) = app
        .casework_get(&shanghai, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(s, 404, "gone from Shanghai");
    let (s, v) = app
        .casework_get(&beijing, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("received")), "{v}");
    assert_eq!(v["contact_masked"], true);
    app.worker().send_due().await.expect("send");
    assert!(
        sink.received()
            .iter()
            .any(|m| m.subject().contains("已转办")),
        "{:?}",
        sink.received()
            .iter()
            .map(|m| m.subject())
            .collect::<Vec<_>>()
    );
    // Beijing refuses it; the reasons are the reply. The relay refuses the address for good:
    // the complaint goes back to the reply step and cannot be closed.
    sink.set(SinkMode::PermFail);
    let (s, v) = step(
        &app,
        &beijing,
        &id,
        "refuse",
        json!({ "reasons": "所反映情况不属于人脸识别技术应用范畴。" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("reply_sent")), "{v}");
    app.worker().send_due().await.expect("send");
    let (_, v) = app
        .casework_get(&beijing, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(
        (v["status"].as_str(), v["reply"]["state"].as_str()),
        (Some("not_accepted"), Some("failed")),
        "{v}"
    );
    let (s, b) = step(&app, &beijing, &id, "close", json!({})).await;
    assert_eq!((s, code(&b)), (409, "complaint.reply_required"), "{b}");
}

/// Accepts, takes, investigates and decides a complaint as `token`'s handler.
async fn to_result(app: &TestApp, token: &str, id: &str) {
    let handler = me(app, token).await;
    for (path, body) in [
        ("accept", json!({})),
        ("assign", json!({ "assignee_id": handler })),
        ("investigate", json!({})),
        ("result", json!({ "result": "经核查，已责令改正。" })),
    ] {
        let (s, v) = step(app, token, id, path, body).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
}

#[tokio::test]
async fn replies_by_post_and_replies_held_for_a_supervisors_approval_in_the_complainants_language()
{
    let (app, sink) =
        TestApp::spawn_with_mail(&[("FRT__COMPLAINTS__REPLY_APPROVAL_REQUIRED", "true")]).await;
    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let sup = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;

    // A reply by post is recorded with the day the letter went, and then the complaint closes.
    let (s, by_post) = app
        .portal_post(
            None,
            "/api/v1/complaints",
            json!({ "processor": { "name": "某商场" }, "province": "310000",
                "description": "商场强制刷脸入场。",
                "reply": { "channel": "post", "postal_address": "上海市黄浦区人民大道200号",
                           "name": "王五" } }),
        )
        .await;
    assert_eq!(s, 201, "{by_post}");
    let id = by_post["id"].as_str().expect("id").to_owned();
    to_result(&app, &handler, &id).await;
    let (s, b) = step(&app, &handler, &id, "reply", json!({ "text": "已处理。" })).await;
    assert_eq!(
        (s, b["errors"][0]["path"].as_str()),
        (422, Some("posted_on")),
        "{b}"
    );
    let (s, v) = step(
        &app,
        &handler,
        &id,
        "reply",
        json!({ "text": "已处理。", "posted_on": "2026-11-30" }),
    )
    .await;
    assert_eq!(
        (s, v["reply"]["state"].as_str()),
        (200, Some("posted")),
        "{v}"
    );
    let (s, v) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");

    // A complainant writing in English is mailed in English; the reply waits for a supervisor.
    let mut body = complaint(
        json!({ "name": "Some Mall Ltd" }),
        "jane@complainant.example",
    );
    body["reply"]["language"] = json!("en");
    let (s, by_mail) = app.portal_post(None, "/api/v1/complaints", body).await;
    assert_eq!(s, 201, "{by_mail}");
    let id = by_mail["id"].as_str().expect("id").to_owned();
    to_result(&app, &handler, &id).await;
    let (s, v) = step(
        &app,
        &handler,
        &id,
        "reply",
        json!({ "text": "We have ordered the mall to stop." }),
    )
    .await;
    assert_eq!(
        (s, v["reply"]["state"].as_str()),
        (200, Some("awaiting_approval")),
        "{v}"
    );
    let (s, b) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, code(&b)), (409, "complaint.reply_required"), "{b}");
    let (s, b) = step(&app, &handler, &id, "reply/approval", json!({})).await;
    assert_eq!(s, 403, "a handler does not approve: {b}");
    let (s, v) = step(&app, &sup, &id, "reply/approval", json!({})).await;
    assert_eq!(
        (s, v["reply"]["state"].as_str()),
        (200, Some("queued")),
        "{v}"
    );
    app.worker().send_due().await.expect("send");
    let mails = sink.received();
    let subjects: Vec<String> = mails.iter().map(|m| m.subject()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(
        subjects[0].starts_with("[FRT complaint] Registered"),
        "{subjects:?}"
    );
    assert!(
        subjects[1].starts_with("[FRT complaint] Reply on"),
        "{subjects:?}"
    );
    assert!(mails[1].text().contains("ordered the mall to stop"));
    let (s, v) = step(&app, &handler, &id, "close", json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");
    let (_, trail) = app
        .casework_get(&sup, &format!("/api/v1/audit/complaint/{id}?limit=500"))
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for a in [
        "complaint.reply_drafted",
        "complaint.reply_approved",
        "complaint.reply_sent",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }

    // A language the platform does not write is named in the 422.
    let mut body = complaint(json!({ "name": "某公司" }), "x@complainant.example");
    body["reply"]["language"] = json!("fr");
    let (s, b) = app.portal_post(None, "/api/v1/complaints", body).await;
    assert_eq!(
        (s, b["errors"][0]["path"].as_str()),
        (422, Some("reply.language")),
        "{b}"
    );
}
