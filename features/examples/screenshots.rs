//! Screenshots of the portal's key pages, in Chinese, for the docs, and the weight of each
//! page's first load (HTML, CSS and JavaScript; fonts aside).
//!
//! Run: `cargo run -p acceptance --example screenshots`. It starts the platform in-process on
//! a database of its own with a little data, opens each page in headless Chromium and writes
//! `docs/screenshots/<name>.png`.

use frt_testkit::app::{valid_uscc, PASSWORD};
use frt_testkit::browser::Browser;
use frt_testkit::TestApp;
use serde_json::{json, Value};

const WIDTH: u32 = 1280;

/// Registers a processor with a known admin address; returns its API token.
async fn processor(app: &TestApp, name: &str, email: &str) -> String {
    let (s, b) = app
        .call(
            reqwest::Method::POST,
            &format!("{}/api/v1/registrations", app.portal),
            None,
            Some(json!({
                "organisation": {
                    "name": name, "uscc": valid_uscc("310000"), "contact_person": "张三",
                    "contact_email": email, "contact_phone": "+86 21 5555 0100"
                },
                "admin": { "email": email, "display_name": "张三", "password": PASSWORD }
            })),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    app.confirm_address(email).await;
    app.login(&app.portal, email, PASSWORD).await
}

/// A member of staff of Shanghai's CAC office with a known address.
async fn shanghai_staff(app: &TestApp, role: frt_access::Role, email: &str, name: &str) {
    frt_cases::testing::create_staff(
        &app.core,
        frt_cases::testing::NewStaff {
            agency_kind: frt_access::AgencyKind::ProvincialCac,
            agency_name: Some("上海市互联网信息办公室".into()),
            province: Some("310000".into()),
            role,
            email: email.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("a member of staff");
}

/// The page's first load: bytes of its HTML, stylesheets and scripts.
async fn weight(b: &Browser) -> (u64, u64) {
    let v: Value = b
        .client
        .execute(
            "const nav = performance.getEntriesByType('navigation')[0];
             const res = performance.getEntriesByType('resource')
                 .filter(r => /\\.(css|js)(\\?|$)/.test(r.name));
             return [nav ? nav.decodedBodySize : 0,
                     res.reduce((n, r) => n + r.decodedBodySize, 0)];",
            vec![],
        )
        .await
        .expect("performance entries");
    (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0))
}

async fn shoot(b: &Browser, name: &str, rows: &mut Vec<String>) {
    let height: u64 = b
        .client
        .execute(
            "return Math.ceil(document.documentElement.scrollHeight);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 4000);
    let _ = b.client.set_window_size(WIDTH, height as u32 + 120).await;
    let png = b.screenshot().await.expect("screenshot");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    let (html, assets) = weight(b).await;
    let path = b.url().await;
    let path = path.splitn(4, '/').nth(3).unwrap_or_default();
    rows.push(format!(
        "| `/{path}` | {name}.png | {:.1} KB | {:.1} KB | {:.1} KB |",
        html as f64 / 1024.0,
        assets as f64 / 1024.0,
        (html + assets) as f64 / 1024.0
    ));
    let _ = b.client.set_window_size(WIDTH, 900).await;
}

/// The enrolment page (shot as `name`), the code of now entered with the button `verify`, and
/// the recovery codes page (shot as `name` with `-codes`).
async fn enrol(b: &Browser, name: &str, verify: &str, rows: &mut Vec<String>) {
    shoot(b, name, rows).await;
    let shown: Value = b
        .client
        .execute(
            "const s = document.querySelector('code.secret'); return s ? s.textContent : '';",
            vec![],
        )
        .await
        .expect("the secret on the page");
    let secret = frt_access::second_factor::secret_from_text(shown.as_str().unwrap_or_default())
        .expect("a base32 secret");
    let step = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
        / frt_access::second_factor::STEP_SECONDS;
    let code = frt_access::second_factor::code_at(&secret, step).expect("a code");
    fill(b, &[("code", &code)]).await;
    b.press(verify).await.expect("verify");
    shoot(b, &format!("{name}-codes"), rows).await;
}

async fn fill(b: &Browser, fields: &[(&str, &str)]) {
    for (f, v) in fields {
        b.fill(f, v).await.expect("fill");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Supervisors sign in with a second factor, as production requires.
    let app = TestApp::spawn_with(&[("FRT__AUTH__SECOND_FACTOR", "admin,supervisor")]).await;
    let email = "admin@beichen-security.example";
    let token = processor(&app, "北辰安防科技有限公司", email).await;
    let submitted = app
        .complete_draft(&token, "initial", frt_testkit::days_ago(12), None)
        .await;
    let (s, body) = app.submit(&token, &submitted, None).await;
    assert_eq!(s, 200, "{body}");
    let recorded = app.recorded_filing("310000", "南湖支付有限公司").await;
    let _ = recorded;

    let b = Browser::open(true).await.expect("a browser");
    let base = app.portal.clone();
    let mut rows = Vec::new();
    b.goto(&format!("{base}/")).await.expect("home");
    shoot(&b, "home", &mut rows).await;
    b.goto(&format!("{base}/due-date?from=2026-09-25&working_days=5"))
        .await
        .expect("due date");
    shoot(&b, "due-date", &mut rows).await;
    b.goto(&format!("{base}/complaints/new"))
        .await
        .expect("complaint");
    shoot(&b, "complaint-new", &mut rows).await;
    fill(
        &b,
        &[
            ("processor_name", "某某商场"),
            ("description", "商场入口只能刷脸进入，没有其他方式。"),
            ("email", "citizen@example.com"),
        ],
    )
    .await;
    b.choose("province", "310000").await.expect("province");
    b.press("提交投诉").await.expect("file");
    shoot(&b, "complaint-filed", &mut rows).await;
    b.goto(&format!("{base}/register")).await.expect("register");
    shoot(&b, "register", &mut rows).await;
    b.goto(&format!("{base}/login")).await.expect("login");
    shoot(&b, "login", &mut rows).await;
    fill(&b, &[("email", email), ("password", PASSWORD)]).await;
    b.press("登录").await.expect("log in");
    shoot(&b, "filings", &mut rows).await;
    b.goto(&format!("{base}/filings/{submitted}"))
        .await
        .expect("filing");
    shoot(&b, "filing", &mut rows).await;
    b.goto(&format!("{base}/filings/{submitted}/receipt"))
        .await
        .expect("receipt");
    shoot(&b, "receipt", &mut rows).await;
    b.goto(&format!("{base}/filings/new")).await.expect("new");
    b.press("开始填写").await.expect("start");
    let url = b.url().await;
    let draft = url
        .split("/filings/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_owned();
    b.goto(&format!("{base}/filings/{draft}/edit/purposes"))
        .await
        .expect("section");
    shoot(&b, "filing-section", &mut rows).await;
    b.close().await;

    // Casework: a reviewer's workbench, the filing page, and 已办 after recording it.
    let reviewer = "wang.shen@sh.cac.example";
    shanghai_staff(&app, frt_access::Role::Reviewer, reviewer, "王审").await;
    let b = Browser::open(true).await.expect("a browser");
    let base = app.casework.clone();
    b.goto(&format!("{base}/login")).await.expect("login");
    shoot(&b, "casework-login", &mut rows).await;
    fill(&b, &[("email", reviewer), ("password", PASSWORD)]).await;
    b.press("登录").await.expect("log in");
    shoot(&b, "workbench", &mut rows).await;
    b.goto(&format!("{base}/filings/{submitted}"))
        .await
        .expect("filing");
    shoot(&b, "casework-filing", &mut rows).await;
    b.press("予以备案").await.expect("record");
    b.goto(&format!("{base}/done")).await.expect("done");
    shoot(&b, "done", &mut rows).await;
    b.goto(&format!("{base}/audit/filing/{submitted}"))
        .await
        .expect("audit");
    shoot(&b, "audit", &mut rows).await;
    b.close().await;

    // A supervisor: the workbench across case types, the complaint queue and a complaint,
    // and the month's statistics.
    let supervisor = "zhao.du@sh.cac.example";
    shanghai_staff(&app, frt_access::Role::Supervisor, supervisor, "赵督").await;
    let b = Browser::open(true).await.expect("a browser");
    b.goto(&format!("{base}/login")).await.expect("login");
    fill(&b, &[("email", supervisor), ("password", PASSWORD)]).await;
    b.press("登录").await.expect("log in");
    enrol(&b, "second-factor-enrol", "验证", &mut rows).await;
    b.follow("我已保存恢复码，继续").await.expect("continue");
    shoot(&b, "workbench-all", &mut rows).await;
    b.goto(&format!("{base}/complaints"))
        .await
        .expect("complaints");
    shoot(&b, "complaints", &mut rows).await;
    b.click("table a").await.expect("a complaint");
    b.press("受理").await.expect("accept");
    shoot(&b, "complaint", &mut rows).await;
    b.goto(&format!("{base}/statistics"))
        .await
        .expect("statistics");
    shoot(&b, "statistics", &mut rows).await;
    b.close().await;

    // The second factor again: its challenge at the next login, and enrolment in English.
    let b = Browser::open(true).await.expect("a browser");
    b.goto(&format!("{base}/login")).await.expect("login");
    fill(&b, &[("email", supervisor), ("password", PASSWORD)]).await;
    b.press("登录").await.expect("log in");
    shoot(&b, "second-factor", &mut rows).await;
    b.close().await;
    let english = "li.du@sh.cac.example";
    shanghai_staff(&app, frt_access::Role::Supervisor, english, "李督").await;
    let b = Browser::open(true).await.expect("a browser");
    b.goto(&format!("{base}/login?lang=en"))
        .await
        .expect("login");
    fill(&b, &[("email", english), ("password", PASSWORD)]).await;
    b.press("Log in").await.expect("log in");
    enrol(&b, "second-factor-enrol-en", "Verify", &mut rows).await;
    b.close().await;

    println!("| page | picture | HTML | CSS + JS | first load |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
