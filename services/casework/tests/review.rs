//! Casework's HTTP surface with both services and a real database: the review queue in the
//! caller's jurisdiction, decisions, filing numbers, correction and resubmission, audit.

use frt_access::{AgencyKind, Role};
use frt_testkit::{days_ago, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn submitted(app: &TestApp, token: &str, trigger_days_ago: i64) -> String {
    let id = app
        .complete_draft(token, "initial", days_ago(trigger_days_ago), None)
        .await;
    let (s, b) = app.submit(token, &id, None).await;
    assert_eq!(s, 200, "{b}");
    id
}

async fn queue(app: &TestApp, token: &str) -> (u16, Value) {
    app.call(
        Method::GET,
        &format!("{}/api/v1/review/queue", app.casework),
        Some(token),
        None,
    )
    .await
}

async fn record(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("{}/api/v1/filings/{id}/record", app.casework),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn queue_is_jurisdiction_scoped_and_oldest_deadline_first() {
    let app = TestApp::spawn().await;
    let (sh, _) = app.register_processor("上海公司", "310000").await;
    let (bj, _) = app.register_processor("北京公司", "110000").await;
    let newer = submitted(&app, &sh, 1).await;
    let older = submitted(&app, &sh, 10).await;
    let beijing = submitted(&app, &bj, 5).await;

    let sh_reviewer = app.reviewer("310000").await;
    let (s, q) = queue(&app, &sh_reviewer).await;
    assert_eq!(s, 200, "{q}");
    let ids: Vec<&str> = q["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![older.as_str(), newer.as_str()]);

    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{beijing}", app.casework),
            Some(&sh_reviewer),
            None,
        )
        .await;
    assert_eq!(s, 404, "another province's filing is not found");
    let (s, _) = record(&app, &sh_reviewer, &beijing).await;
    assert_eq!(s, 404);

    let national = app
        .staff(AgencyKind::NationalCac, None, Role::Reviewer)
        .await;
    let (_, q) = queue(&app, &national).await;
    assert_eq!(q["items"].as_array().expect("items").len(), 3);
    let (_, q) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?province=110000", app.casework),
            Some(&national),
            None,
        )
        .await;
    assert_eq!(q["items"][0]["id"], beijing.as_str());

    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?province=110000", app.casework),
            Some(&sh_reviewer),
            None,
        )
        .await;
    assert_eq!(s, 403);
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let (s, b) = queue(&app, &police).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("auth.forbidden")));

    // Paging: one at a time with the cursor.
    let (_, p1) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?limit=1", app.casework),
            Some(&sh_reviewer),
            None,
        )
        .await;
    let next = p1["next"].as_str().expect("next").to_owned();
    let (_, p2) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?limit=1&after={next}", app.casework),
            Some(&sh_reviewer),
            None,
        )
        .await;
    assert_eq!(p2["items"][0]["id"], newer.as_str());
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?after=nonsense", app.casework),
            Some(&sh_reviewer),
            None,
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("request.invalid_cursor"))
    );
}

#[tokio::test]
async fn recording_issues_gap_free_numbers_and_one_of_two_concurrent_decisions_wins() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("编号公司", "310000").await;
    let a = submitted(&app, &p, 3).await;
    let b = submitted(&app, &p, 2).await;
    let r1 = app.reviewer("310000").await;
    let r2 = app.reviewer("310000").await;

    let (x, y) = tokio::join!(record(&app, &r1, &a), record(&app, &r2, &a));
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{x:?} {y:?}");
    let winner = if x.0 == 200 { x.1 } else { y.1 };
    let year = chrono::Datelike::year(&frt_web::today_in_china());
    assert_eq!(winner["filing_number"], format!("310000-{year}-000001"));
    assert_eq!(winner["status"], "filed");

    let (s, second) = record(&app, &r1, &b).await;
    assert_eq!(s, 200);
    assert_eq!(second["filing_number"], format!("310000-{year}-000002"));

    let (_, seen) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{a}", app.portal),
            Some(&p),
            None,
        )
        .await;
    assert_eq!(seen["status"], "filed");
    assert_eq!(seen["filing_number"], format!("310000-{year}-000001"));

    // A change and a deregistration can now name the filed record.
    let change = app
        .complete_draft(&p, "change", days_ago(1), Some(&a))
        .await;
    let (s, body) = app.submit(&p, &change, None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["previous_filing_id"], a.as_str());
    let dereg = app
        .complete_draft(&p, "deregistration", days_ago(1), Some(&b))
        .await;
    let (s, body) = app.submit(&p, &dereg, None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["kind"], "deregistration");
}

#[tokio::test]
async fn return_for_correction_and_resubmit() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("补正公司", "310000").await;
    let id = submitted(&app, &p, 4).await;
    let r = app.reviewer("310000").await;
    let url = format!("{}/api/v1/filings/{id}/return", app.casework);
    let (s, b) = app
        .call(Method::POST, &url, Some(&r), Some(json!({ "reasons": [] })))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("review.invalid_reasons"))
    );
    let reasons = json!({ "reasons": [
        { "path": "storage.people_stored", "message": "人数与影响评估报告不一致" },
        { "path": "attachments.commitment_letter", "message": "承诺书未盖章" }
    ]});
    let (s, b) = app
        .call(Method::POST, &url, Some(&r), Some(reasons.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "returned");

    let (_, seen) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&p),
            None,
        )
        .await;
    assert_eq!(seen["status"], "returned");
    assert_eq!(seen["return_reasons"], reasons["reasons"]);
    let (_, q) = queue(&app, &r).await;
    assert_eq!(
        q["items"].as_array().expect("items").len(),
        0,
        "returned filings leave the queue"
    );

    let mut form = seen["form"].clone();
    form["storage"]["people_stored"] = json!(150_000);
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("{}/api/v1/filings/{id}/form", app.portal),
            Some(&p),
            Some(json!({ "version": seen["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "submitted");
    assert_eq!(b["statutory_deadline"]["late"], false);
    let (_, q) = queue(&app, &r).await;
    assert_eq!(q["items"][0]["id"], id.as_str());

    // Staff see the whole trail; the processor sees its history without staff identities.
    let (s, trail) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/audit/filing/{id}?limit=500", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .filter_map(|t| t["action"].as_str())
        .collect();
    for a in [
        "filing.created",
        "attachment.uploaded",
        "filing.submitted",
        "filing.returned",
        "filing.form_saved",
        "filing.resubmitted",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let returned = trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .find(|t| t["action"] == "filing.returned")
        .expect("row");
    assert_eq!(returned["before"]["status"], "submitted");
    assert_eq!(returned["after"]["status"], "returned");
    let (_, history) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}/history", app.portal),
            Some(&p),
            None,
        )
        .await;
    let by_regulator = history
        .as_array()
        .expect("history")
        .iter()
        .find(|h| h["action"] == "filing.returned")
        .expect("row");
    assert_eq!(by_regulator["by"], "regulator");
}

#[tokio::test]
async fn staff_download_is_audited_and_admins_add_staff() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("下载公司", "310000").await;
    let id = submitted(&app, &p, 1).await;
    let r = app.reviewer("310000").await;
    let (_, f) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(f["organisation"]["uscc_checksum_ok"], true);
    let att = f["attachments"][0]["id"].as_str().expect("attachment");
    let resp = app
        .http
        .get(format!(
            "{}/api/v1/filings/{id}/attachments/{att}",
            app.casework
        ))
        .bearer_auth(&r)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status().as_u16(), 200);
    let (_, trail) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/audit/filing/{id}?limit=500", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert!(trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .any(|t| t["action"] == "attachment.downloaded"));

    let admin = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let body = json!({ "email": "new.reviewer@sh.example", "display_name": "新审核员", "password": "a long password", "role": "reviewer" });
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/staff", app.casework),
            Some(&admin),
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/staff", app.casework),
            Some(&admin),
            Some(body),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = app
        .call(Method::POST, &format!("{}/api/v1/staff", app.casework), Some(&r),
              Some(json!({ "email": "x@sh.example", "display_name": "x", "password": "a long password", "role": "admin" })))
        .await;
    assert_eq!(s, 403, "a reviewer cannot add staff");
    app.login(&app.casework, "new.reviewer@sh.example", "a long password")
        .await;
    // Staff tokens are no key to the portal.
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings", app.portal),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn an_idempotency_key_does_not_replay_across_a_correction() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("重试公司", "310000").await;
    let id = app.complete_draft(&p, "initial", days_ago(2), None).await;
    let (s, _) = app.submit(&p, &id, Some("round-1")).await;
    assert_eq!(s, 200);
    let r = app.reviewer("310000").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            Some(json!({ "reasons": [{ "path": null, "message": "请补充材料" }] })),
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = app.submit(&p, &id, Some("round-1")).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("idempotency.key_reused")),
        "{b}"
    );
    let (s, b) = app.submit(&p, &id, Some("round-2")).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("submitted")));
}

#[tokio::test]
async fn refusal_needs_reasons_and_is_final() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("拒绝公司", "310000").await;
    let id = submitted(&app, &p, 2).await;
    let r = app.reviewer("310000").await;
    let url = format!("{}/api/v1/filings/{id}/refuse", app.casework);
    let (s, b) = app
        .call(Method::POST, &url, Some(&r), Some(json!({ "reasons": [] })))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("review.invalid_reasons"))
    );
    let reasons = json!({ "reasons": [{ "path": null, "message": "存储人数未达到备案门槛，材料与事实不符" }] });
    let (s, b) = app
        .call(Method::POST, &url, Some(&r), Some(reasons.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "refused");
    assert_eq!(b["refusal_reasons"], reasons["reasons"]);
    assert_eq!(b["filing_number"], Value::Null);
    let (s, b) = record(&app, &r, &id).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.illegal_transition"))
    );
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.illegal_transition"))
    );
    let (_, seen) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&p),
            None,
        )
        .await;
    assert_eq!(seen["status"], "refused");
    assert_eq!(seen["status_zh"], "不予备案");
}

#[tokio::test]
async fn queue_filters_and_sorts() {
    let app = TestApp::spawn().await;
    let (beta, _) = app.register_processor("Beta 数据有限公司", "310000").await;
    let (alpha, _) = app.register_processor("Alpha 科技有限公司", "310000").await;
    let on_time = submitted(&app, &beta, 2).await;
    let late = app
        .complete_draft(
            &alpha,
            "initial",
            chrono::NaiveDate::from_ymd_opt(2026, 1, 20).expect("date"),
            None,
        )
        .await;
    assert_eq!(app.submit(&alpha, &late, None).await.0, 200);
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&alpha),
            None,
        )
        .await;
    let alpha_uscc = org["uscc"].as_str().expect("uscc").to_owned();
    let r = app.reviewer("310000").await;

    let ids = |q: Value| -> Vec<String> {
        q["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect()
    };
    let get = |query: String| {
        let url = format!("{}/api/v1/review/queue?{query}", app.casework);
        let (app, r) = (&app, &r);
        async move { app.call(Method::GET, &url, Some(r), None).await }
    };
    assert_eq!(
        ids(get(String::new()).await.1),
        vec![late.clone(), on_time.clone()]
    );
    assert_eq!(
        ids(get("sort=submitted".into()).await.1),
        vec![on_time.clone(), late.clone()]
    );
    assert_eq!(ids(get("late=true".into()).await.1), vec![late.clone()]);
    assert_eq!(ids(get("late=false".into()).await.1), vec![on_time.clone()]);
    assert_eq!(
        ids(get("processor=beta".into()).await.1),
        vec![on_time.clone()]
    );
    assert_eq!(
        ids(get(format!("processor={}", alpha_uscc.to_lowercase()))
            .await
            .1),
        vec![late.clone()]
    );
    assert_eq!(
        ids(get("processor=100%25".into()).await.1),
        Vec::<String>::new(),
        "% is matched literally"
    );
    assert_eq!(ids(get("kind=change".into()).await.1), Vec::<String>::new());
    assert_eq!(
        ids(get("status=returned".into()).await.1),
        Vec::<String>::new()
    );
    let today = frt_web::today_in_china();
    let tomorrow = today + chrono::Duration::days(1);
    assert_eq!(
        ids(get(format!("submitted_from={today}&submitted_to={today}"))
            .await
            .1)
        .len(),
        2
    );
    assert_eq!(
        ids(get(format!("submitted_from={tomorrow}")).await.1),
        Vec::<String>::new()
    );

    let (_, page) = get("sort=submitted&limit=1".into()).await;
    let next = page["next"].as_str().expect("next").to_owned();
    assert_eq!(
        ids(get(format!("sort=submitted&limit=1&after={next}")).await.1),
        vec![late.clone()]
    );
    let (s, b) = get(format!("limit=1&after={next}")).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("request.invalid_cursor")),
        "a cursor belongs to its sort"
    );
    for (query, code) in [
        ("sort=oldest", "request.invalid_sort"),
        ("status=filed", "request.invalid_status"),
        ("kind=other", "request.invalid_kind"),
        ("late=maybe", "request.invalid_query"),
        ("submitted_from=23/11/2026", "request.invalid_date"),
        ("colour=red", "request.invalid_query"),
    ] {
        let (s, b) = get(query.into()).await;
        assert_eq!((s, b["code"].as_str()), (400, Some(code)), "{query}: {b}");
    }
}

#[tokio::test]
async fn assignment_take_and_version_checks() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("分派公司", "310000").await;
    let id = submitted(&app, &p, 2).await;
    let r1 = app.reviewer("310000").await;
    let r2 = app.reviewer("310000").await;
    let boss = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let bj = app.reviewer("110000").await;
    let me = |t: &str| {
        let url = format!("{}/api/v1/me", app.casework);
        let (app, t) = (&app, t.to_owned());
        async move {
            app.call(Method::GET, &url, Some(&t), None).await.1["user_id"]
                .as_str()
                .expect("id")
                .to_owned()
        }
    };
    let (r2_id, bj_id) = (me(&r2).await, me(&bj).await);
    let post = |token: &str, what: &str, body: Value| {
        let url = format!("{}/api/v1/filings/{id}/{what}", app.casework);
        let (app, token) = (&app, token.to_owned());
        async move { app.call(Method::POST, &url, Some(&token), Some(body)).await }
    };
    let (_, q) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?assignee=unassigned", app.casework),
            Some(&r1),
            None,
        )
        .await;
    let v = q["items"][0]["version"].as_i64().expect("version");

    let (s, b) = post(&r1, "take", json!({ "version": v })).await;
    assert_eq!(s, 200, "{b}");
    let v = b["version"].as_i64().expect("version");
    let (s, b) = post(&r2, "take", json!({ "version": v })).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.already_assigned"))
    );
    let (s, b) = record(&app, &r2, &id).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.assigned_to_other"))
    );
    let (_, mine) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?assignee=me", app.casework),
            Some(&r1),
            None,
        )
        .await;
    assert_eq!(mine["items"][0]["id"], id.as_str());

    let (s, _) = post(&r1, "assign", json!({ "assignee_id": r2_id, "version": v })).await;
    assert_eq!(s, 403, "reviewers do not assign");
    let (s, b) = post(
        &boss,
        "assign",
        json!({ "assignee_id": bj_id, "version": v }),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("filing.invalid_assignee"))
    );
    let (s, b) = post(
        &boss,
        "assign",
        json!({ "assignee_id": r2_id, "version": v - 1 }),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.version_conflict"))
    );
    let (s, b) = post(
        &boss,
        "assign",
        json!({ "assignee_id": r2_id, "version": v }),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["assignee_id"], r2_id.as_str());
    let v = b["version"].as_i64().expect("version");

    let (s, b) = post(&r2, "record", json!({ "version": v - 1 })).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.version_conflict"))
    );
    let r = app
        .http
        .post(format!("{}/api/v1/filings/{id}/record", app.casework))
        .bearer_auth(&r2)
        .header("content-type", "application/json")
        .body("{version")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .http
        .post(format!("{}/api/v1/filings/{id}/record", app.casework))
        .bearer_auth(&r2)
        .body(r#"{"version": 1}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 415, "a body must say it is JSON");
    let (s, b) = post(&r2, "record", json!({ "version": v })).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("filed")), "{b}");
    let (_, trail) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/audit/filing/{id}?limit=500", app.casework),
            Some(&boss),
            None,
        )
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .filter_map(|t| t["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"filing.taken") && actions.contains(&"filing.assigned"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn risk_flags_show_to_reviewers_and_order_the_queue() {
    let app = TestApp::spawn().await;
    let (clean, _) = app.register_processor("合规公司", "310000").await;
    let (risky, _) = app.register_processor("风险公司", "310000").await;
    let clean_id = submitted(&app, &clean, 1).await;

    let risky_id = app
        .complete_draft(&risky, "initial", days_ago(3), None)
        .await;
    let (_, draft) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{risky_id}", app.portal),
            Some(&risky),
            None,
        )
        .await;
    let mut form = draft["form"].clone();
    form["purposes"]["device_locations"]
        .as_array_mut()
        .expect("locations")
        .push(json!({ "description": "更衣室入口", "location_kind": "private_space", "device_count": 1 }));
    form["purposes"]["processes_minors_under_14"] = json!(true);
    form["purposes"]["guardian_consent"] = json!(false);
    form["purposes"]["special_rules_for_minors"] = json!(true);
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("{}/api/v1/filings/{risky_id}/form", app.portal),
            Some(&risky),
            Some(json!({ "version": draft["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, submitted_view) = app.submit(&risky, &risky_id, None).await;
    assert_eq!(s, 200, "{submitted_view}");
    assert!(
        submitted_view.get("risk").is_none(),
        "processors do not see risk flags"
    );

    let r = app.reviewer("310000").await;
    let (_, f) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{risky_id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(f["risk"]["level"], "critical", "{f}");
    let codes: Vec<&str> = f["risk"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert!(codes.contains(&"device_in_private_space"), "{codes:?}");
    assert!(
        codes.contains(&"minors_without_guardian_consent"),
        "{codes:?}"
    );
    let private = f["risk"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .find(|x| x["code"] == "device_in_private_space")
        .expect("flag");
    assert_eq!(private["article"], "Art. 13");
    assert_eq!(private["severity"], "critical");
    let (_, own) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{risky_id}", app.portal),
            Some(&risky),
            None,
        )
        .await;
    assert!(own.get("risk").is_none());
    let (_, c) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{clean_id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(c["risk"]["level"], "none", "{c}");

    let ids = |q: &Value| -> Vec<String> {
        q["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect()
    };
    let get = |query: &str| {
        let url = format!("{}/api/v1/review/queue?{query}", app.casework);
        let (app, r) = (&app, &r);
        async move { app.call(Method::GET, &url, Some(r), None).await.1 }
    };
    // The critical filing leads when sorted by risk, whatever the due dates.
    assert_eq!(
        ids(&get("sort=risk").await),
        vec![risky_id.clone(), clean_id.clone()]
    );
    assert_eq!(ids(&get("risk=high").await), vec![risky_id.clone()]);
    assert_eq!(
        get("risk=critical").await["items"][0]["risk_level"],
        "critical"
    );
    let page = get("sort=risk&limit=1").await;
    let next = page["next"].as_str().expect("next").to_owned();
    assert_eq!(
        ids(&get(&format!("sort=risk&limit=1&after={next}")).await),
        vec![clean_id.clone()]
    );
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?risk=severe", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("request.invalid_risk")));
}

#[tokio::test]
async fn the_review_clock_pauses_while_the_processor_corrects() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("时钟公司", "310000").await;
    let id = submitted(&app, &p, 3).await;
    let r = app.reviewer("310000").await;
    let cal = frt_domain::calendar::Calendar::builtin().expect("calendar");
    let today = frt_web::today_in_china();
    let add = |from: chrono::NaiveDate, n: i64| {
        cal.add_working_days(from, frt_domain::calendar::WorkingDays::new(n).expect("n"))
            .expect("due")
            .due_date
    };

    let (_, f) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(
        f["review_deadline"]["due_date"],
        add(today, 15).to_string(),
        "{f}"
    );
    let (_, q) = queue(&app, &r).await;
    assert_eq!(q["items"][0]["review_due_date"], add(today, 15).to_string());
    assert_eq!(q["items"][0]["review_working_days_left"], 15);

    // Pretend the review started five working days ago.
    let mut started = today;
    while cal.working_days_between(started, today).days < 5 {
        started -= chrono::Duration::days(1);
    }
    let (client, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("db");
    tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "UPDATE deadlines SET start_date = '{started}' WHERE entity_id = '{id}' AND purpose = 'review'"
        ))
        .await
        .expect("backdate");

    let (s, f) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            Some(json!({ "reasons": [{ "path": "pipia.summary", "message": "请补充评估结论" }] })),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["review_days_used"], 5);
    assert_eq!(
        f["review_deadline"],
        Value::Null,
        "paused while the processor corrects"
    );
    assert_eq!(
        f["correction_deadline"]["due_date"],
        add(today, 15).to_string()
    );

    let (s, f) = app.submit(&p, &id, Some("after-correction")).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        f["review_deadline"]["due_date"],
        add(today, 10).to_string(),
        "ten working days remain"
    );
    assert_eq!(f["correction_deadline"]["met_on"], today.to_string());
    let (_, q) = queue(&app, &r).await;
    assert_eq!(q["items"][0]["review_working_days_left"], 10);

    let (s, f) = record(&app, &r, &id).await;
    assert_eq!(s, 200);
    assert_eq!(f["review_deadline"]["met_on"], today.to_string());
    assert_eq!(f["review_deadline"]["late"], false);
}

#[tokio::test]
async fn versions_and_field_level_diffs() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("版本差异公司", "310000").await;
    let id = submitted(&app, &p, 2).await;
    let r = app.reviewer("310000").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            Some(
                json!({ "reasons": [{ "path": "storage.people_stored", "message": "人数有误" }] }),
            ),
        )
        .await;
    assert_eq!(s, 200);
    let (_, seen) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&p),
            None,
        )
        .await;
    let before = seen["form"]["storage"]["people_stored"].clone();
    let mut form = seen["form"].clone();
    form["storage"]["people_stored"] = json!(654_321);
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("{}/api/v1/filings/{id}/form", app.portal),
            Some(&p),
            Some(json!({ "version": seen["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200);
    let mut sealed = frt_testkit::app::PDF.to_vec();
    sealed.extend_from_slice(b"% sealed\n");
    let (s, _) = app
        .upload(&p, &id, "commitment_letter", sealed, "承诺书（盖章）.pdf")
        .await;
    assert_eq!(s, 201);
    assert_eq!(app.submit(&p, &id, None).await.0, 200);

    let (s, versions) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}/versions", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(versions.as_array().expect("versions").len(), 2);
    assert_eq!(versions[0]["form"]["storage"]["people_stored"], before);

    let (s, d) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}/versions/diff", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!((d["from"].as_i64(), d["to"].as_i64()), (Some(1), Some(2)));
    let changes = d["changes"].as_array().expect("changes");
    let people = changes
        .iter()
        .find(|c| c["path"] == "form.storage.people_stored")
        .expect("people changed");
    assert_eq!(
        (&people["before"], &people["after"]),
        (&before, &json!(654_321))
    );
    assert!(
        changes
            .iter()
            .any(|c| c["path"] == "attachments.commitment_letter[1]"),
        "{changes:?}"
    );
    assert!(
        changes.iter().all(|c| c["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("form.storage") || p.starts_with("attachments."))),
        "{changes:?}"
    );

    let (s, b) = app
        .call(
            Method::GET,
            &format!(
                "{}/api/v1/filings/{id}/versions/diff?from=1&to=3",
                app.casework
            ),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("history.no_such_version"))
    );
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}/versions", app.casework),
            Some(&app.reviewer("110000").await),
            None,
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_registry_shows_each_processors_recorded_state_and_chain() {
    let app = TestApp::spawn().await;
    let (a, a_org) = app
        .register_processor("甲 智能门禁有限公司", "310000")
        .await;
    let (b, b_org) = app.register_processor("乙 零售有限公司", "310000").await;
    let r = app.reviewer("310000").await;
    let a_initial = submitted(&app, &a, 5).await;
    let b_initial = submitted(&app, &b, 5).await;
    assert_eq!(record(&app, &r, &a_initial).await.0, 200);
    assert_eq!(record(&app, &r, &b_initial).await.0, 200);
    let change = app
        .complete_draft(&a, "change", days_ago(1), Some(&a_initial))
        .await;
    assert_eq!(app.submit(&a, &change, None).await.0, 200);
    assert_eq!(record(&app, &r, &change).await.0, 200);
    let dereg = app
        .complete_draft(&b, "deregistration", days_ago(1), Some(&b_initial))
        .await;
    assert_eq!(app.submit(&b, &dereg, None).await.0, 200);
    assert_eq!(record(&app, &r, &dereg).await.0, 200);

    let (s, reg) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/registry", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200, "{reg}");
    assert_eq!(reg["total"], 2);
    let entry = |org: &str| {
        reg["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["organisation_id"] == org)
            .cloned()
            .expect("entry")
    };
    let ea = entry(&a_org);
    assert_eq!(ea["state"], "changed");
    let chain: Vec<&str> = ea["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(chain, vec![a_initial.as_str(), change.as_str()]);
    assert_eq!(ea["filing_number"], ea["chain"][0]["filing_number"]);
    assert_eq!(entry(&b_org)["state"], "deregistered");

    let (_, only) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/registry?processor=零售", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(only["total"], 1);
    let (_, none) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/registry", app.casework),
            Some(&app.reviewer("110000").await),
            None,
        )
        .await;
    assert_eq!(none["total"], 0, "another province sees nothing");
}

#[tokio::test]
async fn decisions_wait_for_a_supervisors_sign_off_where_required() {
    let app = TestApp::spawn_with(&[("FRT__FILING__SIGN_OFF_REQUIRED", "true")]).await;
    let (p, _) = app.register_processor("审批公司", "310000").await;
    let a = submitted(&app, &p, 3).await;
    let b = submitted(&app, &p, 2).await;
    let r = app.reviewer("310000").await;
    let boss = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let sign = |token: &str, id: &str, body: Value| {
        let url = format!("{}/api/v1/filings/{id}/sign-off", app.casework);
        let (app, token) = (&app, token.to_owned());
        async move { app.call(Method::POST, &url, Some(&token), Some(body)).await }
    };

    let (s, f) = sign(&boss, &a, json!({ "approve": true })).await;
    assert_eq!((s, f["code"].as_str()), (409, Some("filing.no_proposal")));
    let (s, f) = record(&app, &r, &a).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "submitted", "a proposal only");
    assert_eq!(f["proposed_decision"]["action"], "record");
    assert_eq!(f["filing_number"], Value::Null);
    let (s, _) = sign(&r, &a, json!({ "approve": true })).await;
    assert_eq!(s, 403, "reviewers do not sign off");
    let (s, f) = sign(&boss, &a, json!({ "approve": true })).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "filed");
    assert!(f["filing_number"]
        .as_str()
        .is_some_and(|n| n.starts_with("310000-")));
    assert_eq!(f["proposed_decision"], Value::Null);

    let reasons = json!({ "reasons": [{ "path": null, "message": "材料不全" }] });
    let (s, f) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{b}/refuse", app.casework),
            Some(&r),
            Some(reasons.clone()),
        )
        .await;
    assert_eq!(
        (s, f["proposed_decision"]["action"].as_str()),
        (200, Some("refuse")),
        "{f}"
    );
    let (s, f) = sign(
        &boss,
        &b,
        json!({ "approve": false, "note": "先退回补正，不宜直接不予备案" }),
    )
    .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        (f["status"].as_str(), &f["proposed_decision"]),
        (Some("submitted"), &Value::Null)
    );
    let (s, f) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{b}/return", app.casework),
            Some(&r),
            Some(reasons.clone()),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    let (s, f) = sign(
        &boss,
        &b,
        json!({ "approve": true, "version": f["version"] }),
    )
    .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "returned");
    assert_eq!(f["return_reasons"], reasons["reasons"]);

    // A supervisor's own decision needs no further sign-off.
    let c = submitted(&app, &p, 1).await;
    let (s, f) = record(&app, &boss, &c).await;
    assert_eq!((s, f["status"].as_str()), (200, Some("filed")));
    let (_, trail) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/audit/filing/{b}?limit=500", app.casework),
            Some(&boss),
            None,
        )
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .filter_map(|t| t["action"].as_str())
        .collect();
    for a in [
        "filing.decision_proposed",
        "filing.decision_sent_back",
        "filing.decision_signed_off",
        "filing.returned",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[tokio::test]
async fn a_search_by_part_of_a_processors_name_reads_the_trigram_index_not_every_organisation() {
    // The queue's and the registry's `processor` filter is name ILIKE '%…%'. The planner is
    // told to avoid reading whole tables (a test database is small enough that it would
    // otherwise prefer to), so what the plan names is the index it has for such a match.
    let app = TestApp::spawn().await;
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    sql.batch_execute("SET enable_seqscan = off")
        .await
        .expect("set");
    let plan: Vec<String> = sql
        .query(
            "EXPLAIN SELECT id FROM organisations WHERE name ILIKE '%智能门禁%' OR uscc = 'X'",
            &[],
        )
        .await
        .expect("explain")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        plan.iter().any(|l| l.contains("organisations_name_trgm")),
        "{plan:#?}"
    );
}
