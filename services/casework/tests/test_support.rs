//! The test-support API and the test clock: there for acceptance runs outside production with
//! a QA token, absent in production whatever the configuration says.

use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const TOKEN: &str = "qa-token-for-tests";

async fn qa(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.casework))
        .json(&body);
    if let Some(t) = token {
        req = req.header("X-QA-Token", t);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Submits a complete filing, naming a test clock when given (with the QA token when given);
/// returns the answer.
async fn submit_on_clock(
    app: &TestApp,
    token: &str,
    id: &str,
    clock: Option<&str>,
    qa_token: Option<&str>,
) -> Value {
    let mut req = app
        .http
        .post(format!("{}/api/v1/filings/{id}/submit", app.portal))
        .bearer_auth(token);
    if let Some(scope) = clock {
        req = req.header("X-FRT-Test-Clock", scope);
    }
    if let Some(t) = qa_token {
        req = req.header("X-QA-Token", t);
    }
    let r = req.send().await.expect("submit");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("detail")
}

#[tokio::test]
async fn staff_clocks_and_sweeps_through_the_api_with_the_qa_token() {
    let app = TestApp::spawn_with(&[("FRT__QA__TOKEN", TOKEN)]).await;
    let staff =
        json!({ "agency_kind": "provincial_cac", "province": "310000", "role": "reviewer" });
    let (s, b) = qa(
        &app,
        Method::POST,
        "/api/v1/test-support/staff",
        None,
        staff.clone(),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (401, Some("auth.unauthenticated")),
        "{b}"
    );
    let (s, _) = qa(
        &app,
        Method::POST,
        "/api/v1/test-support/staff",
        Some("wrong"),
        staff.clone(),
    )
    .await;
    assert_eq!(s, 401);
    let (s, made) = qa(
        &app,
        Method::POST,
        "/api/v1/test-support/staff",
        Some(TOKEN),
        staff,
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let email = made["email"].as_str().expect("email");
    let password = made["password"].as_str().expect("password");
    assert!(!app.login(&app.casework, email, password).await.is_empty());

    // A clock makes 2026-03-02 "today" for the requests that name it, and only for them.
    let (s, b) = qa(
        &app,
        Method::PUT,
        "/api/v1/test-support/clocks/scenario-1",
        Some(TOKEN),
        json!({ "today": "2026-03-02" }),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (p, _) = app.register_processor("测试时钟有限公司", "310000").await;
    let trigger = chrono::NaiveDate::from_ymd_opt(2026, 2, 20).expect("date");
    // Naming the clock without the QA token: the header is not read, today is today.
    let (p0, _) = app.register_processor("无令牌时钟有限公司", "310000").await;
    let id0 = app.complete_draft(&p0, "initial", trigger, None).await;
    let untokened = submit_on_clock(&app, &p0, &id0, Some("scenario-1"), None).await;
    assert_ne!(
        untokened["review_deadline"]["start_date"], "2026-03-02",
        "a clock named without the QA token was read: {untokened}"
    );
    let id = app.complete_draft(&p, "initial", trigger, None).await;
    let on_clock = submit_on_clock(&app, &p, &id, Some("scenario-1"), Some(TOKEN)).await;
    assert_eq!(
        on_clock["review_deadline"]["start_date"], "2026-03-02",
        "{on_clock}"
    );
    // A clock that was never set is a mistake in the scenario, said at once.
    let r = app
        .http
        .get(format!("{}/healthz", app.portal))
        .header("X-FRT-Test-Clock", "nobody")
        .header("X-QA-Token", TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 400);
    let b: Value = r.json().await.expect("problem");
    assert_eq!(b["code"], "test_support.unknown_clock");

    // The sweep as of a day, over this filing's deadlines only.
    let (s, report) = qa(
        &app,
        Method::POST,
        "/api/v1/test-support/sweeps",
        Some(TOKEN),
        json!({ "on": "2026-03-20", "entity_id": id }),
    )
    .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["examined"], 1, "the review deadline: {report}");
    let (s, _) = qa(
        &app,
        Method::DELETE,
        "/api/v1/test-support/clocks/scenario-1",
        Some(TOKEN),
        Value::Null,
    )
    .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn production_has_no_test_support_and_reads_no_clock() {
    let app = TestApp::spawn_in(
        "production",
        &[
            ("FRT__QA__TOKEN", TOKEN),
            ("FRT__MAIL__SMTP_HOST", "127.0.0.1"),
            ("FRT__LOG__JSON", "false"),
            ("FRT__COMPLAINTS__DATA_KEY", &"7c".repeat(32)),
        ],
    )
    .await;
    let staff = json!({ "agency_kind": "provincial_cac", "province": "310000", "role": "admin",
        "email": "intruder@staff.example" });
    let (s, b) = qa(
        &app,
        Method::POST,
        "/api/v1/test-support/staff",
        Some(TOKEN),
        staff,
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (404, Some("request.no_route")),
        "{b}"
    );
    let (s, _) = qa(
        &app,
        Method::PUT,
        "/api/v1/test-support/clocks/x",
        Some(TOKEN),
        json!({ "today": "2026-03-02" }),
    )
    .await;
    assert_eq!(s, 404);
    let mut conn = app.core.db.conn().await.expect("conn");
    let made =
        frt_store::identities::user_by_email(&mut conn, "casework", "intruder@staff.example")
            .await
            .expect("query");
    assert!(made.is_none(), "nothing was made");
    drop(conn);
    // The clock header is not even read: a submission starts its clock on the real today.
    let (p, _) = app.register_processor("生产环境有限公司", "310000").await;
    let id = app
        .complete_draft(
            &p,
            "initial",
            frt_web::today_in_china() - chrono::Duration::days(3),
            None,
        )
        .await;
    let detail = submit_on_clock(&app, &p, &id, Some("x"), Some(TOKEN)).await;
    assert_eq!(
        detail["review_deadline"]["start_date"],
        frt_web::today_in_china().to_string(),
        "{detail}"
    );
    let (_, doc) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/openapi.json", app.casework),
            None,
            None,
        )
        .await;
    assert!(
        !doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .any(|p| p.contains("test-support")),
        "the production document lists no test support"
    );
}
