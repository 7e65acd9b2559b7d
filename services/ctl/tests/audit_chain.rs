//! The tamper-evident audit log: the application's role cannot change or remove audit rows,
//! every committed row is sealed into the hash chain, and `frtctl audit verify` finds the
//! first broken link after a row is edited directly in SQL.

use frt_testkit::TestApp;

/// Runs `frtctl audit verify` against the test database.
fn verify(app: &TestApp) -> (bool, String) {
    app.run(env!("CARGO_BIN_EXE_frtctl"), &["audit", "verify"])
}

async fn sql(app: &TestApp) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}

/// Changes audit rows as someone who can switch the append-only guard off (the table's owner).
async fn tamper(c: &tokio_postgres::Client, statements: &str) {
    c.batch_execute(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard; {statements} \
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard;"
    ))
    .await
    .expect("tamper");
}

/// Some audited activity: a registration (organisation and user rows) and logins.
async fn activity(app: &TestApp) {
    app.register_processor("审计测试有限公司", "310000").await;
    app.reviewer("310000").await;
    app.register_processor("Chain Second Ltd", "110000").await;
}

#[tokio::test]
async fn rows_are_sealed_and_the_application_cannot_change_them() {
    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    let unsealed: i64 = c
        .query_one("SELECT count(*) FROM audit_log WHERE hash IS NULL", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(unsealed, 0, "every committed row is sealed");
    let (rows, head): (i64, i64) = {
        let r = c
            .query_one(
                "SELECT (SELECT count(*) FROM audit_log), (SELECT seq FROM audit_chain_head)",
                &[],
            )
            .await
            .expect("head");
        (r.get(0), r.get(1))
    };
    assert!(rows >= 5, "activity was audited: {rows} rows");
    assert_eq!(rows, head, "the chain's end is its last row");

    for statement in [
        "UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
        "INSERT INTO audit_log (actor_label, action, entity_type, entity_id, seq, prev_hash, hash) \
         VALUES ('x', 'forged', 'filing', '1', 99, '\\x00', '\\x00')",
    ] {
        let err = c
            .batch_execute(statement)
            .await
            .expect_err("the audit log refuses the change");
        let message = err.as_db_error().map(|e| e.message().to_owned());
        assert!(
            message.as_deref().is_some_and(|m| m.contains("append-only")
                || m.contains("sealed by the database")),
            "{statement}: {err:?}"
        );
    }

    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    assert!(text.contains(&format!("{rows} rows checked")), "{text}");
}

#[tokio::test]
async fn an_edited_row_is_caught_at_its_place_in_the_chain() {
    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    // Someone with the power to switch off the guard edits the third row.
    tamper(
        &c,
        "UPDATE audit_log SET after = '{\"status\": \"filed\"}' WHERE seq = 3;",
    )
    .await;
    let (ok, text) = verify(&app);
    assert!(!ok, "{text}");
    assert!(text.contains("BROKEN at seq 3"), "{text}");
    assert!(text.contains("contents were changed"), "{text}");
}

#[tokio::test]
async fn a_rehashed_or_removed_row_breaks_the_link_after_it() {
    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    // Re-hashing the edited row with the database's own function does not help: the next
    // row still points at the old hash.
    tamper(
        &c,
        "UPDATE audit_log SET actor_label = 'rewritten' WHERE seq = 2; \
         UPDATE audit_log a SET hash = audit_row_hash(a, a.seq, a.prev_hash) WHERE seq = 2;",
    )
    .await;
    let (ok, text) = verify(&app);
    assert!(!ok, "{text}");
    assert!(text.contains("BROKEN at seq 3"), "{text}");
    assert!(text.contains("does not link"), "{text}");

    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    tamper(&c, "DELETE FROM audit_log WHERE seq = 4;").await;
    let (ok, text) = verify(&app);
    assert!(!ok, "{text}");
    assert!(text.contains("BROKEN at seq 4"), "{text}");

    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    let last: i64 = c
        .query_one("SELECT max(seq) FROM audit_log", &[])
        .await
        .expect("max")
        .get(0);
    tamper(&c, &format!("DELETE FROM audit_log WHERE seq = {last};")).await;
    let (ok, text) = verify(&app);
    assert!(!ok, "{text}");
    assert!(text.contains("recorded end does not match"), "{text}");
}

#[tokio::test]
async fn a_transaction_sealing_thousands_of_rows_keeps_one_chain_through_savepoints() {
    let app = TestApp::spawn().await;
    activity(&app).await;
    let c = sql(&app).await;
    let insert = |action: &str, n: i32| {
        format!(
            "INSERT INTO audit_log (actor_label, action, entity_type, entity_id, after) \
             SELECT 'bulk', '{action}', 'probe', g::text, jsonb_build_object('n', g) \
             FROM generate_series(1, {n}) g;"
        )
    };
    // A bulk write with a savepoint rolled back in the middle and another released, as an
    // import's nested transactions do, then a small transaction after it.
    c.batch_execute(&format!(
        "BEGIN; {} SAVEPOINT undone; {} ROLLBACK TO SAVEPOINT undone; \
         SAVEPOINT kept; {} RELEASE SAVEPOINT kept; {} COMMIT; BEGIN; {} COMMIT;",
        insert("first", 2_000),
        insert("rolled_back", 500),
        insert("kept", 300),
        insert("last", 1_000),
        insert("after", 2),
    ))
    .await
    .expect("bulk");
    let r = c
        .query_one(
            "SELECT (SELECT count(*) FROM audit_log), (SELECT seq FROM audit_chain_head), \
             (SELECT count(*) FROM audit_log WHERE hash IS NULL), \
             (SELECT count(*) FROM audit_log WHERE action = 'rolled_back'), \
             (SELECT string_agg(action, ',' ORDER BY seq) FROM (SELECT DISTINCT ON (action) \
              action, seq FROM audit_log WHERE entity_type = 'probe' ORDER BY action, seq) a)",
            &[],
        )
        .await
        .expect("chain");
    let (rows, head, unsealed, undone): (i64, i64, i64, i64) =
        (r.get(0), r.get(1), r.get(2), r.get(3));
    let order: String = r.get(4);
    assert_eq!((unsealed, undone), (0, 0));
    assert_eq!(rows, head, "the head is the last sealed row");
    assert_eq!(
        order, "first,kept,last,after",
        "sealed in the order written"
    );
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
}

/// What the services' login (the application role, migration `application_role`) is refused:
/// rewriting, removing or forging audit rows, moving the chain's end, and switching off or
/// dropping the guards, or changing any table; while its own rows are sealed as ever.
#[tokio::test]
async fn the_application_role_cannot_rewrite_the_audit_trail_or_drop_its_guard() {
    let app = TestApp::spawn().await;
    activity(&app).await;
    let (c, conn) = tokio_postgres::connect(&app.db.app_url, tokio_postgres::NoTls)
        .await
        .expect("connect as the application role");
    tokio::spawn(conn);
    let who: String = c
        .query_one("SELECT current_user::text", &[])
        .await
        .expect("current_user")
        .get(0);
    assert_eq!(
        who, "frt_app",
        "the services log in as the application role"
    );
    for statement in [
        "UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
        "UPDATE audit_chain_head SET seq = 1",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard",
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "DROP TRIGGER audit_log_guard ON audit_log",
        "DROP TRIGGER audit_log_seal ON audit_log",
        "DROP FUNCTION audit_guard() CASCADE",
        "CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RETURN NEW; END $$",
        "ALTER TABLE filings ADD COLUMN backdoor TEXT",
        "CREATE TABLE shadow (id INT)",
        "SELECT frt_grant_application_role('frt_app')",
        "DELETE FROM __diesel_schema_migrations",
    ] {
        let err = c.batch_execute(statement).await.expect_err(statement);
        let code = err.code().map(|s| s.code().to_owned());
        assert_eq!(
            code.as_deref(),
            Some("42501"),
            "{statement}: refused for want of privilege, not for another reason: {err:?}"
        );
    }
    // Forging a sealed row is refused by the guard, whoever writes.
    let err = c
        .batch_execute(
            "INSERT INTO audit_log (actor_label, action, entity_type, entity_id, seq, prev_hash, hash) \
             VALUES ('x', 'forged', 'filing', '1', 99, '\\x00', '\\x00')",
        )
        .await
        .expect_err("a forged row");
    assert!(
        format!("{err:?}").contains("sealed by the database"),
        "{err:?}"
    );
    // What the role may do, it does: an appended row is sealed into the chain by the
    // database's own function, and the chain stays whole.
    c.batch_execute(
        "INSERT INTO audit_log (actor_label, action, entity_type, entity_id) \
         VALUES ('frt_app', 'test.appended', 'test', '1')",
    )
    .await
    .expect("the application role appends");
    let sealed: bool = c
        .query_one(
            "SELECT hash IS NOT NULL FROM audit_log WHERE action = 'test.appended'",
            &[],
        )
        .await
        .expect("the appended row")
        .get(0);
    assert!(sealed);
    let (ok, text) = verify(&app);
    assert!(ok && text.contains("audit chain intact"), "{text}");
}
