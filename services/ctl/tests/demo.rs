//! `frtctl seed-demo` (what `frtctl up --demo` loads): an account for every role, and cases of
//! every type in every state a newcomer should be able to open, made through the use cases;
//! run twice, it adds nothing; the audit chain stays intact.

use frt_testkit::TestApp;
use std::collections::BTreeSet;

fn frtctl(app: &TestApp, args: &[&str]) -> (bool, String) {
    app.run(env!("CARGO_BIN_EXE_frtctl"), args)
}

#[tokio::test]
async fn the_demo_holds_every_role_and_every_case_type_in_every_state() {
    let app = TestApp::spawn().await;
    let (ok, out) = frtctl(&app, &["seed-demo"]);
    assert!(ok, "{out}");
    let (c, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let set = |sql: &'static str| {
        let c = &c;
        async move {
            c.query(sql, &[])
                .await
                .expect(sql)
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<BTreeSet<String>>()
        }
    };
    let has = |got: &BTreeSet<String>, want: &[&str], what: &str| {
        for w in want {
            assert!(got.contains(*w), "no {what} {w}: {got:?}");
        }
    };
    has(
        &set("SELECT DISTINCT role FROM users").await,
        &[
            "org_admin",
            "filer",
            "reviewer",
            "supervisor",
            "complaint_handler",
            "inspector",
            "admin",
        ],
        "account with the role",
    );
    has(
        &set("SELECT DISTINCT kind FROM agencies a WHERE EXISTS (SELECT 1 FROM users u WHERE u.agency_id = a.id)").await,
        &["provincial_cac", "national_cac", "public_security", "other_department"],
        "staff of an agency of the kind",
    );
    has(
        &set("SELECT DISTINCT status FROM filings").await,
        &["draft", "submitted", "returned", "filed", "refused"],
        "filing",
    );
    has(
        &set("SELECT DISTINCT purpose FROM deadlines WHERE entity_type = 'filing' AND overdue_since IS NOT NULL").await,
        &["review"],
        "overdue filing deadline",
    );
    has(
        &set("SELECT DISTINCT status FROM complaints").await,
        &[
            "received",
            "assigned",
            "investigating",
            "result_decided",
            "reply_sent",
            "closed",
        ],
        "complaint",
    );
    has(
        &set("SELECT DISTINCT status FROM inspections").await,
        &["rectification_ordered", "closed"],
        "inspection",
    );
    has(
        &set("SELECT DISTINCT 'drawn' FROM inspection_draws WHERE plan_id IS NOT NULL").await,
        &["drawn"],
        "draw for a plan",
    );
    has(
        &set("SELECT DISTINCT status FROM notification_recipients").await,
        &["delivered", "answered"],
        "notification receipt",
    );
    has(
        &set("SELECT DISTINCT entity_type FROM materials").await,
        &["complaint", "inspection", "notification"],
        "material of a",
    );
    let count = |sql: &'static str| {
        let c = &c;
        async move { c.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0) }
    };
    let filings = count("SELECT count(*) FROM filings").await;
    let (ok, out) = frtctl(&app, &["seed-demo"]);
    assert!(ok, "{out}");
    assert_eq!(
        count("SELECT count(*) FROM filings").await,
        filings,
        "seeded twice"
    );
    let (ok, out) = frtctl(&app, &["audit", "verify"]);
    assert!(ok && out.contains("audit chain intact"), "{out}");

    // Migration 000026 moved the materials of three tables into one: reverted, every row goes
    // back to its own table; applied again, every row comes back as it was. (Migration 000027
    // moved idempotency keys the same way, reverted and applied again on the way.)
    let rows = || {
        let c = &c;
        async move {
            c.query(
                "SELECT concat_ws('|', id, entity_type, entity_id, item_id, filename, \
                 content_type, size_bytes, sha256, blob_key, uploaded_by, uploaded_at) \
                 FROM materials ORDER BY id",
                &[],
            )
            .await
            .expect("materials")
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<String>>()
        }
    };
    let before = rows().await;
    // Back to before 000026 (the migrations after it first).
    loop {
        let reverted = frt_store::migrate::revert_last(&app.db.url)
            .await
            .expect("revert");
        if reverted.ends_with("000026") {
            break;
        }
    }
    for (table, of) in [
        ("complaint_materials", "complaint"),
        ("inspection_materials", "inspection"),
        ("notification_materials", "notification"),
    ] {
        let n = c
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .expect(table)
            .get::<_, i64>(0);
        let was = before
            .iter()
            .filter(|r| r.contains(&format!("|{of}|")))
            .count();
        assert_eq!(usize::try_from(n).ok(), Some(was), "{table}");
    }
    frt_store::migrate::run_pending(&app.db.url)
        .await
        .expect("migrate again");
    assert_eq!(rows().await, before, "the materials as they were");
}
