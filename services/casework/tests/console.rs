//! Casework's pages over HTTP, as a browser without JavaScript uses them: staff sign in to
//! their own zone, and the workbench lists what they can act on, nearest time limit first.

use frt_access::{AgencyKind, Role};
use frt_cases::testing::{self, NewStaff};
use frt_testkit::app::PASSWORD;
use frt_testkit::pages::Visitor;
use frt_testkit::TestApp;

/// A reviewer of `province` with a known address; answers it.
async fn reviewer(app: &TestApp, province: &str) -> String {
    let email = format!("reviewer-{}@staff.example", uuid::Uuid::now_v7().simple());
    testing::create_staff(
        &app.core,
        NewStaff {
            agency_kind: AgencyKind::ProvincialCac,
            agency_name: None,
            province: Some(province.to_owned()),
            role: Role::Reviewer,
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
    let away = v.get("/").await;
    assert_eq!((away.status, away.location()), (303, Some("/account")));
    let account = v.get("/account").await;
    assert!(
        account.body.contains("您的密码是由他人设置的"),
        "{}",
        account.body
    );
    let changed = v
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "reviewer-own-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(v.get("/").await.status, 200);
}
