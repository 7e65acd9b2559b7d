//! Casework's pages over HTTP, as a browser without JavaScript uses them: staff sign in to
//! their own zone, and the workbench lists what they can act on, nearest time limit first.

use frt_access::{AgencyKind, Role};
use frt_cases::testing::{self, NewStaff};
use frt_testkit::app::PASSWORD;
use frt_testkit::pages::Visitor;
use frt_testkit::TestApp;

/// A processor of 310000 named `name` with an initial filing submitted: the admin's token,
/// the filing's id and its version.
async fn submitted(app: &TestApp, name: &str) -> (String, String, String) {
    let (processor, _) = app.register_processor(name, "310000").await;
    let id = app
        .complete_draft(
            &processor,
            "initial",
            frt_cases::today_in_china() - chrono::Duration::days(3),
            None,
        )
        .await;
    let (s, b) = app.submit(&processor, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let version = b["version"].as_i64().expect("version").to_string();
    (processor, id, version)
}

/// A reviewer of `province` with a known address; answers it.
async fn reviewer(app: &TestApp, province: &str) -> String {
    staff(app, province, Role::Reviewer).await
}

/// Staff of `province`'s CAC office in `role`, with a known address; answers it.
async fn staff(app: &TestApp, province: &str, role: Role) -> String {
    let email = format!(
        "{}-{}@staff.example",
        role.as_str(),
        uuid::Uuid::now_v7().simple()
    );
    testing::create_staff(
        &app.core,
        NewStaff {
            agency_kind: AgencyKind::ProvincialCac,
            agency_name: None,
            province: Some(province.to_owned()),
            role,
            email: email.clone(),
            display_name: "王审核".into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("reviewer");
    email
}

#[tokio::test]
async fn staff_sign_in_to_casework_and_the_workbench_lists_their_province_nearest_first() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.casework);
    let away = v.get("/").await;
    assert_eq!((away.status, away.location()), (303, Some("/login?next=/")));
    let login = v.get("/login").await;
    assert!(
        login.body.contains("监管部门工作人员登录业务系统"),
        "{}",
        login.body
    );
    assert!(
        !login.body.contains("/register"),
        "staff do not register themselves"
    );

    // A processor's account is no key to casework, and gets the answer a wrong password gets.
    let (processor, _) = app.register_processor("工作台测试有限公司", "310000").await;
    let (_, me) = app
        .call(
            reqwest::Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&processor),
            None,
        )
        .await;
    let processor_email = me["email"].as_str().expect("email").to_owned();
    let refused = v
        .post(
            "/login",
            &[("email", &processor_email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);

    let id = app
        .complete_draft(
            &processor,
            "initial",
            frt_cases::today_in_china() - chrono::Duration::days(3),
            None,
        )
        .await;
    let (s, b) = app.submit(&processor, &id, None).await;
    assert_eq!(s, 200, "{b}");

    let shanghai = reviewer(&app, "310000").await;
    v.get("/login").await;
    let signed = v
        .post("/login", &[("email", &shanghai), ("password", PASSWORD)])
        .await;
    assert_eq!(
        (signed.status, signed.location()),
        (303, Some("/")),
        "{}",
        signed.body
    );
    let work = v.get("/").await;
    assert_eq!(work.status, 200, "{}", work.body);
    assert!(work.body.contains("<title>待办"), "{}", work.body);
    assert!(work.body.contains("工作台测试有限公司"), "{}", work.body);
    assert!(
        work.body.contains("个工作日"),
        "the time limit in working days: {}",
        work.body
    );
    let returned = v.get("/?status=returned").await;
    assert!(
        !returned.body.contains("工作台测试有限公司"),
        "{}",
        returned.body
    );
    let english = v.get("/?lang=en").await;
    assert!(
        english.body.contains("working days left"),
        "{}",
        english.body
    );

    // Another province's reviewer sees none of it.
    let other = Visitor::new(&app.casework);
    other
        .log_in_to(&reviewer(&app, "440000").await, PASSWORD, "/")
        .await;
    let theirs = other.get("/").await;
    assert_eq!(theirs.status, 200);
    assert!(
        !theirs.body.contains("工作台测试有限公司"),
        "{}",
        theirs.body
    );
}

#[tokio::test]
async fn staff_whose_password_an_admin_set_change_it_before_the_workbench() {
    let app = TestApp::spawn().await;
    let admin = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let email = format!("new-{}@staff.example", uuid::Uuid::now_v7().simple());
    let (s, b) = app
        .call(
            reqwest::Method::POST,
            &format!("{}/api/v1/staff", app.casework),
            Some(&admin),
            Some(serde_json::json!({ "email": email, "display_name": "新人", "password": PASSWORD, "role": "reviewer" })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let v = Visitor::new(&app.casework);
    v.log_in_to(&email, PASSWORD, "/").await;
    v.change_a_password_set_by_someone_else("/", PASSWORD, "reviewer-own-2026")
        .await;
}

/// Two reviewers open the same filing; the first records it, and the second one's decision
/// shows that the first won instead of a raw conflict.
#[tokio::test]
async fn the_filing_page_explains_its_limits_and_a_decision_that_lost_the_race_shows_what_changed()
{
    let app = TestApp::spawn().await;
    let (_, id, version) = submitted(&app, "决定测试有限公司").await;

    let first = Visitor::new(&app.casework);
    first
        .log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    let second = Visitor::new(&app.casework);
    second
        .log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    let work = first.get("/").await;
    assert!(
        work.body.contains(&format!("/filings/{id}")),
        "{}",
        work.body
    );
    let seen = first.get(&format!("/filings/{id}")).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    for part in [
        "风险提示",
        "为什么是这一天",
        "备案内容",
        "予以备案",
        "退回补正",
    ] {
        assert!(seen.body.contains(part), "{part}: {}", seen.body);
    }
    second.get(&format!("/filings/{id}")).await;

    // Reasons are needed to return it.
    let empty = first
        .post(
            &format!("/filings/{id}/return"),
            &[("version", &version), ("reasons", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let done = first
        .post(&format!("/filings/{id}/record"), &[("version", &version)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = first.get(done.location().expect("to the filing")).await;
    assert!(after.body.contains("审查决定已作出"), "{}", after.body);
    assert!(
        !after.body.contains("予以备案</button>"),
        "no decision is left to take"
    );
    // 已办 lists it, newest first, with a link back; the other reviewer did nothing yet.
    let mine = first.get("/done").await;
    assert!(mine.body.contains("准予备案"), "{}", mine.body);
    assert!(
        mine.body.contains(&format!("/filings/{id}")),
        "{}",
        mine.body
    );
    assert!(second.get("/done").await.body.contains("还没有已办事项"));
    assert_eq!(
        first.get("/done?before=zzz").await.status,
        400,
        "a cursor not of this list"
    );

    let late = second
        .post(
            &format!("/filings/{id}/return"),
            &[("version", &version), ("reasons", "材料不全")],
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("此备案已被他人处理"), "{}", late.body);
    assert!(
        late.body.contains("已备案"),
        "the page shows what it is now: {}",
        late.body
    );
    assert!(late.body.contains("材料不全"), "what was typed is kept");

    // Another province's reviewer finds no such page.
    let other = Visitor::new(&app.casework);
    other
        .log_in_to(&reviewer(&app, "440000").await, PASSWORD, "/")
        .await;
    assert_eq!(other.get(&format!("/filings/{id}")).await.status, 404);
}

/// Where sign-off is required, the reviewer's decision waits on the page for a supervisor, who
/// approves it there.
#[tokio::test]
async fn a_supervisor_signs_off_the_decision_a_reviewer_proposed() {
    let app = TestApp::spawn_with(&[("FRT__FILING__SIGN_OFF_REQUIRED", "true")]).await;
    let (_, id, version) = submitted(&app, "审批测试有限公司").await;
    let r = Visitor::new(&app.casework);
    r.log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    r.get(&format!("/filings/{id}")).await;
    let proposed = r
        .post(&format!("/filings/{id}/record"), &[("version", &version)])
        .await;
    let shown = r.get(proposed.location().expect("to the filing")).await;
    assert!(shown.body.contains("待审批人审批后生效"), "{}", shown.body);
    assert!(shown.body.contains("等待审批人审批"), "{}", shown.body);
    assert!(
        !shown.body.contains("批准</button>"),
        "a reviewer does not sign off"
    );

    let sup = Visitor::new(&app.casework);
    sup.log_in_to(
        &staff(&app, "310000", Role::Supervisor).await,
        PASSWORD,
        "/",
    )
    .await;
    let seen = sup.get(&format!("/filings/{id}")).await;
    assert!(seen.body.contains("待审批的审查意见"), "{}", seen.body);
    let now = seen
        .body
        .split(r#"name="version" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the version on the page")
        .to_owned();
    let approved = sup
        .post(
            &format!("/filings/{id}/sign-off"),
            &[("version", &now), ("outcome", "approve"), ("note", "同意")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let done = sup.get(approved.location().expect("to the filing")).await;
    assert!(done.body.contains("已备案"), "{}", done.body);
    assert!(done.body.contains("filing-number"), "{}", done.body);
}

/// A filing returned and resubmitted shows the reviewer what changed between the versions.
#[tokio::test]
async fn a_resubmitted_filing_shows_what_changed_since_the_version_returned() {
    let app = TestApp::spawn().await;
    let (processor, id, _) = submitted(&app, "补正测试有限公司").await;
    let token = app.reviewer("310000").await;
    let (s, b) = app
        .call(
            reqwest::Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&token),
            Some(serde_json::json!({ "reasons": [{ "message": "联系人有误" }] })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let url = format!("{}/api/v1/filings/{id}", app.portal);
    let (_, f) = app
        .call(reqwest::Method::GET, &url, Some(&processor), None)
        .await;
    let mut form = f["form"].clone();
    form["basic"]["contact_person"] = serde_json::json!("赵六");
    let (s, b) = app
        .call(
            reqwest::Method::PUT,
            &format!("{url}/form"),
            Some(&processor),
            Some(serde_json::json!({ "version": f["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.submit(&processor, &id, None).await;
    assert_eq!(s, 200, "{b}");

    let v = Visitor::new(&app.casework);
    v.log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    let page = v.get(&format!("/filings/{id}")).await;
    assert!(
        page.body.contains("第2版与第1版相比的变化"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("form.basic.contact_person"),
        "{}",
        page.body
    );
    assert!(page.body.contains("赵六"), "{}", page.body);
    assert!(
        page.body.contains("联系人有误"),
        "the reasons it was returned with"
    );
}

/// An export started from the exports page is a job of its starter's: its page shows the
/// progress, then the file, on any instance of casework; another member of staff finds
/// neither.
#[tokio::test]
async fn an_export_job_is_followed_on_its_page_by_its_starter_only() {
    let app = TestApp::spawn().await;
    submitted(&app, "导出任务测试有限公司").await;
    let mut mine = Visitor::new(&app.casework);
    mine.log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    mine.get("/exports").await;
    let started = mine
        .post("/exports/review-queue", &[("status", "submitted")])
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let job = started.location().expect("to the job's page").to_owned();
    assert!(job.starts_with("/exports/jobs/"), "{job}");
    let mut page = mine.get(&job).await;
    for _ in 0..100 {
        if !page.body.contains("正在生成") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = mine.get(&job).await;
    }
    assert!(page.body.contains("已生成：共 1 行"), "{}", page.body);
    let file = mine.get(&format!("{job}/file")).await;
    assert_eq!(file.status, 200);
    // Another instance (behind the same load balancer, with its own memory) shows the job and
    // serves the same file.
    let second = app.another_instance(&[]).await;
    let first = std::mem::replace(&mut mine.base, second.casework.clone());
    let there = mine.get(&job).await;
    assert!(there.body.contains("已生成：共 1 行"), "{}", there.body);
    let file_there = mine.get(&format!("{job}/file")).await;
    assert_eq!(
        (file_there.status, file_there.body.len()),
        (200, file.body.len())
    );
    mine.base = first;
    let other = Visitor::new(&app.casework);
    other
        .log_in_to(&reviewer(&app, "310000").await, PASSWORD, "/")
        .await;
    assert_eq!(other.get(&job).await.status, 404);
    assert_eq!(other.get(&format!("{job}/file")).await.status, 404);
    // A role that may not read the queue starts nothing.
    let handler = Visitor::new(&app.casework);
    handler
        .log_in_to(
            &staff(&app, "310000", Role::ComplaintHandler).await,
            PASSWORD,
            "/",
        )
        .await;
    handler.get("/exports").await;
    let refused = handler.post("/exports/review-queue", &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}
