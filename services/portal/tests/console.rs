//! The portal's pages over HTTP, as a browser without JavaScript uses them: languages, browser
//! sessions, CSRF tokens, error pages, and the public and processors' pages calling the same
//! use cases as the API.

use frt_testkit::app::{valid_uscc, PASSWORD};
use frt_testkit::pages::Visitor;
use frt_testkit::TestApp;

async fn count(app: &TestApp, query: &str) -> i64 {
    app.db
        .sql()
        .await
        .query_one(query, &[])
        .await
        .expect("count")
        .get(0)
}

/// Registers an organisation through the registration page and confirms the admin's address
/// as the mailed link would; returns the admin's email.
async fn register(app: &TestApp, v: &Visitor, name: &str) -> String {
    let email = register_unconfirmed(v, name).await;
    app.confirm_address(&email).await;
    email
}

/// Registers an organisation through the registration page; returns the admin's email.
async fn register_unconfirmed(v: &Visitor, name: &str) -> String {
    let uscc = valid_uscc("310000");
    let email = format!("admin-{}@console.example", uscc[8..16].to_lowercase());
    v.get("/register").await;
    let r = v
        .post(
            "/register",
            &[
                ("name", name),
                ("uscc", &uscc),
                ("province_code", ""),
                ("contact_person", "张三"),
                ("contact_email", &email),
                ("contact_phone", "+86 21 5555 0100"),
                ("admin_email", &email),
                ("display_name", "张三"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请查收邮件"), "{}", r.body);
    email
}

#[tokio::test]
async fn pages_speak_chinese_first_and_english_when_asked() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    let home = v.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains(r#"<html lang="zh-CN">"#));
    assert!(home.body.contains("人脸识别技术应用备案与监督平台"));
    let csp = home.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let csrf = home
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("frt-portal-csrf="))
        .expect("a CSRF cookie")
        .to_owned();
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    assert!(!home.body.contains(" style=") && !home.body.contains("<style"));
    assert!(!home.body.contains("<script>"), "no inline script");

    // ?lang=en switches and is kept in a cookie; Accept-Language is heard.
    let en = v.get("/?lang=en").await;
    assert!(en.body.contains(r#"<html lang="en">"#));
    assert!(en.cookies().iter().any(|c| c.starts_with("frt_lang=en")));
    assert!(v.get("/due-date").await.body.contains("Working days"));
    let english = Visitor::with_language(&app.portal, Some("en-GB,en;q=0.9,zh;q=0.5"));
    assert!(english.get("/").await.body.contains(r#"<html lang="en">"#));

    // Assets come from the service itself and may be cached.
    let css = v.get("/assets/console.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").contains("max-age"));
    assert_eq!(v.get("/assets/htmx.min.js").await.status, 200);
}

#[tokio::test]
async fn errors_are_pages_in_the_readers_language_and_the_api_keeps_problems() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    let missing = v.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.header("content-type").starts_with("text/html"));
    assert!(missing.body.contains("页面不存在"), "{}", missing.body);
    let en = Visitor::with_language(&app.portal, Some("en"));
    assert!(en
        .get("/no-such-page")
        .await
        .body
        .contains("Page not found"));
    // A malformed id names nothing, as on the API.
    assert_eq!(v.get("/filings/not-an-id").await.status, 303);
    let api = v.get("/api/v1/nothing-here").await;
    assert_eq!(api.status, 404);
    assert!(api
        .header("content-type")
        .starts_with("application/problem+json"));
}

#[tokio::test]
async fn a_post_without_its_csrf_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    v.get("/complaints/new").await;
    let fields = [
        ("processor_name", "某某商场"),
        ("province", "310000"),
        ("description", "商场入口强制刷脸，没有其他方式进入。"),
        ("channel", "mail"),
        ("email", "citizen@example.com"),
    ];
    for token in [
        None,
        Some("frt_0000000000000000000000000000000000000000000000000000000000000000"),
    ] {
        let mut all = fields.to_vec();
        if let Some(t) = token {
            all.push(("csrf", t));
        }
        let r = v.post_raw("/complaints/new", &all).await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("未作任何更改"), "{}", r.body);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM complaints").await, 0);
    // The same form with its token is taken.
    let r = v.post("/complaints/new", &fields).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(count(&app, "SELECT count(*) FROM complaints").await, 1);
}

#[tokio::test]
async fn a_processor_registers_logs_in_sees_its_filings_and_logs_out_on_the_server() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    // Signed-in pages send a visitor to the login page and back.
    let away = v.get("/filings").await;
    assert_eq!(away.status, 303);
    assert_eq!(away.location(), Some("/login?next=/filings"));

    let email = register(&app, &v, "控制台测试有限公司").await;
    v.get("/login").await;
    let wrong = v
        .post(
            "/login",
            &[("email", &email), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("邮箱或密码不正确"));
    assert!(wrong.body.contains(&email), "what was typed is kept");
    let ok = v
        .post(
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "/filings"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location(), Some("/filings"));
    let session = ok
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("frt-portal-session="))
        .expect("a session cookie")
        .to_owned();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(
        !session.contains("Max-Age"),
        "a browser session cookie: {session}"
    );
    assert!(v.get("/filings").await.body.contains("还没有备案"));

    // A filing made through the API shows on the pages, with its time limits explained.
    let token = app.login(&app.portal, &email, PASSWORD).await;
    let id = app
        .complete_draft(&token, "initial", frt_testkit::days_ago(3), None)
        .await;
    let list = v.get("/filings").await;
    assert!(
        list.body.contains(&format!("/filings/{id}")),
        "{}",
        list.body
    );
    assert!(list.body.contains("首次备案") && list.body.contains("草稿"));
    let detail = v.get(&format!("/filings/{id}")).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert_eq!(detail.by_id("filing-status").as_deref(), Some("草稿"));
    // Another organisation's filing is not there.
    let other = Visitor::new(&app.portal);
    other
        .log_in(&register(&app, &other, "另一家公司").await, PASSWORD)
        .await;
    assert_eq!(other.get(&format!("/filings/{id}")).await.status, 404);

    // Logging out ends the session on the server, not only in the browser.
    let out = v.post("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(out
        .cookies()
        .iter()
        .any(|c| c.starts_with("frt-portal-session=;")));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM sessions WHERE idle_seconds IS NOT NULL AND revoked_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(v.get("/filings").await.status, 303);
}

#[tokio::test]
async fn a_browser_session_ends_after_the_idle_timeout() {
    let app = TestApp::spawn_with(&[("FRT__CONSOLE__IDLE_MINUTES", "5")]).await;
    let v = Visitor::new(&app.portal);
    let email = register(&app, &v, "空闲测试有限公司").await;
    v.log_in(&email, PASSWORD).await;
    assert_eq!(v.get("/filings").await.status, 200);
    let idle: i32 = app
        .db
        .sql()
        .await
        .query_one(
            "SELECT idle_seconds FROM sessions WHERE idle_seconds IS NOT NULL",
            &[],
        )
        .await
        .expect("session")
        .get(0);
    assert_eq!(idle, 300);
    app.db
        .sql()
        .await
        .batch_execute("UPDATE sessions SET last_seen_at = now() - interval '6 minutes'")
        .await
        .expect("idle");
    assert_eq!(v.get("/filings").await.status, 303);
}

#[tokio::test]
async fn a_citizen_files_a_complaint_and_follows_it_with_the_code() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    v.get("/complaints/new").await;
    // A problem is shown beside its field and in the summary; what was typed stays.
    let bad = v
        .post(
            "/complaints/new",
            &[
                ("processor_name", "某某商场"),
                ("province", "310000"),
                ("description", "入口强制刷脸。"),
                ("channel", "mail"),
                ("email", "not-an-address"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains(r#"id="error-summary""#));
    assert!(bad.body.contains(r##"href="#email""##), "{}", bad.body);
    assert!(bad.body.contains("入口强制刷脸。") && bad.body.contains("not-an-address"));
    let filed = v
        .post(
            "/complaints/new",
            &[
                ("processor_name", "某某商场"),
                ("province", "310000"),
                ("description", "入口强制刷脸。"),
                ("channel", "mail"),
                ("email", "citizen@example.com"),
            ],
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let receipt = filed.by_id("receipt-number").expect("receipt number");
    let code = filed.by_id("access-code").expect("access code");
    assert!(receipt.starts_with("TS-"), "{receipt}");

    v.get("/complaints/status").await;
    let found = v
        .post(
            "/complaints/status",
            &[("receipt_number", &receipt), ("access_code", &code)],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.by_id("complaint-status").is_some(), "{}", found.body);
    // A wrong code and an unknown receipt show the same page.
    let wrong = v
        .post(
            "/complaints/status",
            &[("receipt_number", &receipt), ("access_code", "WRONG-CODE")],
        )
        .await;
    let unknown = v
        .post(
            "/complaints/status",
            &[
                ("receipt_number", "TS-310000-20260101-9999"),
                ("access_code", "WRONG-CODE"),
            ],
        )
        .await;
    assert_eq!((wrong.status, unknown.status), (404, 404));
    let main = |b: &str, r: &str| b.split("<main").nth(1).unwrap_or_default().replace(r, "");
    assert_eq!(
        main(&wrong.body, &receipt),
        main(&unknown.body, "TS-310000-20260101-9999")
    );
}

#[tokio::test]
async fn the_due_date_page_explains_its_answer() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    let r = v.get("/due-date?from=2026-09-25&working_days=5").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("2026年10月9日"), "{}", r.body);
    assert!(r.body.contains("国庆节"));
    let bad = v.get("/due-date?from=2026-13-01&working_days=5").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(r#"id="from-error""#), "{}", bad.body);
}

#[tokio::test]
async fn too_many_wrong_passwords_show_when_to_try_again() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    let email = register(&app, &v, "限流测试有限公司").await;
    v.get("/login").await;
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            v.post(
                "/login",
                &[("email", &email), ("password", "wrong-password-0")],
            )
            .await,
        );
    }
    let r = last.expect("an answer");
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").parse::<u64>().is_ok());
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(
        r.body.contains("操作过于频繁") && r.body.contains("分钟后"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_registration_logs_in_only_after_the_mailed_link_is_followed() {
    let app = TestApp::spawn().await;
    let v = Visitor::new(&app.portal);
    let email = register_unconfirmed(&v, "确认邮箱有限公司").await;
    v.get("/login").await;
    let early = v
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(early.status, 403, "{}", early.body);
    assert!(
        early.body.contains("请先打开注册时发到该邮箱的链接"),
        "{}",
        early.body
    );
    // The link as mailed (the mail waits in the outbox).
    let body: String = app
        .db
        .sql()
        .await
        .query_one(
            "SELECT body FROM outbox WHERE recipient = $1 AND template = 'account.confirm_address'",
            &[&email],
        )
        .await
        .expect("the confirmation mail")
        .get(0);
    let at = body.find("/register/confirm/").expect("a link");
    let path = body[at..]
        .split_whitespace()
        .next()
        .expect("path")
        .to_owned();
    // Opening the link confirms nothing by itself (mail scanners open links too).
    let page = v.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("确认邮箱"), "{}", page.body);
    let still = v
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(still.status, 403);
    let done = v.post(&path, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("确认邮箱有限公司"), "{}", done.body);
    let again = v.post(&path, &[]).await;
    assert_eq!(again.status, 404, "a link works once: {}", again.body);
    let ok = v
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}
