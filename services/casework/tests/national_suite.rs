//! The national (国密) cryptographic suite, `crypto.suite = "sm"`: complainants' contacts
//! sealed with SM4-GCM, fingerprints and access codes hashed with HMAC-SM3 and SM3, the audit
//! chain sealed with SM3, each stored value naming its algorithm; and a deployment that moves
//! forward to it still reads, finds and verifies what was stored before.

use frt_access::{AgencyKind, Role};
use frt_testkit::TestApp;
use serde_json::{json, Value};

const SM: &[(&str, &str)] = &[("FRT__CRYPTO__SUITE", "sm")];

fn complaint(name: &str, email: &str) -> Value {
    json!({
        "processor": { "name": name },
        "province": "310000",
        "description": "小区门禁强制刷脸，未提供其他进出方式。",
        "occurred_on": "2026-11-30",
        "reply": { "channel": "mail", "email": email, "name": "王五" }
    })
}

/// Files a complaint in the portal; its receipt number, access code and id.
async fn file(app: &TestApp, name: &str, email: &str) -> (String, String, String) {
    let (s, r) = app
        .portal_post(None, "/api/v1/complaints", complaint(name, email))
        .await;
    assert_eq!(s, 201, "{r}");
    let field = |k: &str| r[k].as_str().expect(k).to_owned();
    (field("receipt_number"), field("access_code"), field("id"))
}

async fn algorithms(app: &TestApp, id: &str) -> (String, String, String) {
    let c = app.db.sql().await;
    let row = c
        .query_one(
            "SELECT contact_seal_alg, contact_fingerprint_alg, access_code_alg \
             FROM complaint_secrets WHERE complaint_id = $1::text::uuid",
            &[&id],
        )
        .await
        .expect("secrets");
    (row.get(0), row.get(1), row.get(2))
}

async fn status(app: &TestApp, number: &str, code: &str) -> (u16, Value) {
    app.portal_post(
        None,
        "/api/v1/complaints/status",
        json!({ "receipt_number": number, "access_code": code }),
    )
    .await
}

async fn chain(app: &TestApp) -> frt_store::audit::ChainReport {
    let mut conn = app.core.db.conn().await.expect("conn");
    frt_store::audit::verify(&mut conn).await.expect("verify")
}

#[tokio::test]
async fn under_the_national_suite_every_seal_and_hash_is_an_sm_algorithm_and_says_so() {
    let app = TestApp::spawn_with(SM).await;
    let (number, code, id) = file(&app, "某物业服务有限公司", "wangwu@complainant.example").await;
    assert_eq!(
        algorithms(&app, &id).await,
        ("sm4-gcm".into(), "hmac-sm3".into(), "sm3".into())
    );
    // The access code checks against its SM3 hash; a wrong one does not.
    let (s, v) = status(&app, &number, &code).await;
    assert_eq!(
        (s, v["receipt_number"].as_str()),
        (200, Some(number.as_str())),
        "{v}"
    );
    let (s, _) = status(&app, &number, "AAAA-AAAA-AAAA-AAAA").await;
    assert_ne!(s, 200);
    // The province's supervisor sees the contact, opened with SM4.
    let sup = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let (s, v) = app
        .casework_get(&sup, &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["contact"]["email"], "wangwu@complainant.example", "{v}");

    // The chain moved to SM3 when the services started, and says so in its first SM3 row;
    // every row since is sealed with SM3, and the walk recomputes each one in Rust (the sm3
    // crate) to the hash PostgreSQL's pgcrypto gave at commit.
    let c = app.db.sql().await;
    let first_sm3: String = c
        .query_one(
            "SELECT action FROM audit_log WHERE hash_alg = 'sm3' ORDER BY seq LIMIT 1",
            &[],
        )
        .await
        .expect("an sm3 row")
        .get(0);
    assert_eq!(first_sm3, "audit.hash_alg_changed");
    let after_switch: i64 = c
        .query_one(
            "SELECT count(*) FROM audit_log WHERE seq > (SELECT min(seq) FROM audit_log \
             WHERE action = 'audit.hash_alg_changed') AND hash_alg <> 'sm3'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(after_switch, 0);
    let report = chain(&app).await;
    assert_eq!(report.first_break, None, "{report:?}");
    assert!(
        report.by_alg.get("sm3").copied().unwrap_or(0) >= 3,
        "{report:?}"
    );
}

#[tokio::test]
async fn a_deployment_moves_forward_to_the_national_suite_and_keeps_reading_what_came_before() {
    let mut app = TestApp::spawn().await;
    let email = "zhaoliu@complainant.example";
    let (number, code, first) = file(&app, "旧制式科技有限公司", email).await;
    assert_eq!(
        algorithms(&app, &first).await,
        ("aes-256-gcm".into(), "hmac-sha256".into(), "sha256".into())
    );

    app.restart_with(SM).await;
    // What the international suite stored still opens and checks.
    let (s, v) = status(&app, &number, &code).await;
    assert_eq!(s, 200, "{v}");
    let sup = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let (_, v) = app
        .casework_get(&sup, &format!("/api/v1/complaints/{first}"))
        .await;
    assert_eq!(v["contact"]["email"], email, "{v}");
    // A repeat from the same contact is found across the suites' fingerprints.
    let (_, _, repeat) = file(&app, "旧制式科技有限公司", email).await;
    assert_eq!(
        algorithms(&app, &repeat).await,
        ("sm4-gcm".into(), "hmac-sm3".into(), "sm3".into())
    );
    let (_, v) = app
        .casework_get(&sup, &format!("/api/v1/complaints/{repeat}"))
        .await;
    assert_eq!(v["duplicate_of"], number.as_str(), "{v}");

    // One chain holds rows of both algorithms, each checked with its own.
    let report = chain(&app).await;
    assert_eq!(report.first_break, None, "{report:?}");
    assert!(
        report.by_alg.get("sha256").copied().unwrap_or(0) >= 1,
        "{report:?}"
    );
    assert!(
        report.by_alg.get("sm3").copied().unwrap_or(0) >= 2,
        "{report:?}"
    );

    // An SM3 row edited in SQL is caught at its place.
    let c = app.db.sql().await;
    let seq: i64 = c
        .query_one("SELECT max(seq) FROM audit_log WHERE hash_alg = 'sm3'", &[])
        .await
        .expect("seq")
        .get(0);
    c.batch_execute(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard; \
         UPDATE audit_log SET actor_label = 'someone else' WHERE seq = {seq}; \
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard;"
    ))
    .await
    .expect("tamper");
    let report = chain(&app).await;
    let found = report.first_break.expect("broken");
    assert_eq!(
        (found.kind, found.seq),
        (frt_store::audit::BreakKind::ContentAltered, seq)
    );

    // Going back is refused: a configuration of the international suite does not start
    // against a chain on SM3.
    let settings =
        frt_testkit::app::test_settings(&app.db.app_url, &std::env::temp_dir().join("unused"), &[]);
    let refused = frt_cases::Core::build(settings)
        .await
        .map(|_| ())
        .expect_err("the chain does not move back");
    assert!(
        refused.to_string().contains("does not move back"),
        "{refused}"
    );
}
