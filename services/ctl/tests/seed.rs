//! `frtctl seed-national` on a small scale: the data it loads is consistent (statuses, numbers,
//! deadlines, materials), its audit rows extend the hash chain intact, and the services work
//! on it as on real data: a seeded reviewer sees the province's queue and decides, a seeded
//! processor submits a seeded draft.

use frt_testkit::TestApp;
use reqwest::Method;

fn frtctl(app: &TestApp, args: &[&str]) -> (bool, String) {
    app.run(env!("CARGO_BIN_EXE_frtctl"), args)
}

#[tokio::test]
async fn a_small_national_seed_is_consistent_and_usable() {
    let app = TestApp::spawn().await;
    // Activity before the seed: its audit rows stay first in the chain.
    app.register_processor("种子之前有限公司", "310000").await;
    let (ok, out) = frtctl(
        &app,
        &[
            "seed-national",
            "--filings",
            "3000",
            "--audit-rows",
            "40000",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = frtctl(&app, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    let (c, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let count = |sql: &'static str| {
        let c = &c;
        async move { c.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0) }
    };
    assert_eq!(count("SELECT count(*) FROM filings").await, 3000);
    assert_eq!(
        count("SELECT count(DISTINCT province_code) FROM filings").await,
        31
    );
    assert_eq!(count("SELECT count(*) FROM attachments").await, 3000 * 6);
    assert!(count("SELECT count(*) FROM audit_log").await >= 40_000);
    assert_eq!(
        count("SELECT count(*) FROM filings WHERE status = 'filed' AND filing_number IS NULL")
            .await,
        0
    );
    // Numbers run without gaps: per province and year, the count equals the counter.
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT province_code, split_part(filing_number, '-', 2)::int AS y, count(*) AS n \
             FROM filings WHERE filing_number IS NOT NULL GROUP BY 1, 2) x \
             JOIN filing_number_counters c ON c.province_code = x.province_code AND c.year = x.y \
             WHERE c.last_value <> x.n"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM filings f WHERE status <> 'draft' AND (statutory_due_date IS NULL \
             OR statutory_due_date <> (SELECT due_date FROM deadlines d WHERE d.entity_id = f.id \
             AND d.purpose = 'statutory'))"
        )
        .await,
        0,
        "the queue's copy of the statutory due date matches the deadline"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM filings f WHERE status = 'submitted' AND NOT EXISTS \
             (SELECT 1 FROM deadlines d WHERE d.entity_id = f.id AND d.purpose = 'review' AND d.met_on IS NULL)"
        )
        .await,
        0,
        "every filing in the queue has a running review clock"
    );

    // A seeded reviewer works the Shanghai queue and records the first filing.
    let r = app
        .login(
            &app.casework,
            "reviewer0.310000@bench.cac.example",
            "seed-password-2026",
        )
        .await;
    let (s, q) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?limit=5", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200, "{q}");
    let first = q["items"][0]["id"]
        .as_str()
        .expect("a queued filing")
        .to_owned();
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{first}/record", app.casework),
            Some(&r),
            None,
        )
        .await;
    // Half the queue is assigned; a reviewer may decide only their own or unassigned ones.
    assert!(
        s == 200 || b["code"] == "filing.assigned_to_other",
        "{s} {b}"
    );

    // A seeded processor submits its seeded draft.
    let row = c
        .query_one(
            "SELECT u.email, f.id::text FROM filings f JOIN users u ON u.id = f.created_by \
             WHERE f.status = 'draft' LIMIT 1",
            &[],
        )
        .await
        .expect("a draft");
    let (email, draft): (String, String) = (row.get(0), row.get(1));
    let p = app.login(&app.portal, &email, "seed-password-2026").await;
    let (s, b) = app.submit(&p, &draft, None).await;
    assert_eq!(s, 200, "{b}");
}
