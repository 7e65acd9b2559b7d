//! The tamper-evident audit trail: reading an entity's trail, walking the hash chain as
//! `frtctl audit verify` does, and tampering with rows directly in the database.

use crate::support::{table_rows, FrtWorld};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use frt_store::audit::BreakKind;
use reqwest::Method;

/// Checks that the trail of one case, as `name` reads it, has every action in the step's
/// table (column `action`).
pub(crate) async fn assert_trail_includes(
    w: &mut FrtWorld,
    name: &str,
    entity_type: &str,
    id: &str,
    step: &Step,
) {
    let reply = w
        .send_as(
            name,
            Method::GET,
            &format!("/api/v1/audit/{entity_type}/{id}?limit=500"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let actions: Vec<&str> = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for row in table_rows(step) {
        let a = row.get("action").expect("an action column");
        assert!(
            actions.contains(&a.as_str()),
            "{a} missing from {actions:?}"
        );
    }
}

/// The id of the latest audit row of the current filing with this action.
async fn row_of(w: &FrtWorld, action: &str) -> i64 {
    let id = w.filing_id();
    let row = w
        .sql()
        .await
        .query_opt(
            "SELECT id FROM audit_log WHERE entity_type = 'filing' AND entity_id = $1 \
             AND action = $2 ORDER BY id DESC LIMIT 1",
            &[&id, &action],
        )
        .await
        .expect("query the audit log");
    row.map(|r| r.get(0))
        .unwrap_or_else(|| panic!("the filing has no {action:?} audit row"))
}

#[when("the audit chain is verified")]
async fn verify(w: &mut FrtWorld) {
    let mut conn = w.app().core.db.conn().await.expect("connection");
    let report = frt_store::audit::verify(&mut conn)
        .await
        .expect("walk the chain");
    w.chain = Some(report);
}

#[then("the audit chain is intact")]
async fn intact(w: &mut FrtWorld) {
    let report = w.chain.as_ref().expect("the chain was not verified");
    assert!(report.first_break.is_none(), "{report:?}");
    assert!(report.rows_checked > 0, "{report:?}");
    assert_eq!(report.rows_checked, report.head_seq as u64, "{report:?}");
}

#[when(expr = "someone with control of the database edits the {string} audit row of the filing")]
async fn tamper(w: &mut FrtWorld, action: String) {
    let row = row_of(w, &action).await;
    without_guard(
        w,
        &format!(
            "UPDATE audit_log SET after = jsonb_set(after, '{{status}}', '\"refused\"') WHERE id = {row};"
        ),
    )
    .await;
    w.tampered_row = Some(row);
}

/// Runs `statements` as the table's owner with the append-only guard switched off, as
/// someone in control of the database could.
async fn without_guard(w: &FrtWorld, statements: &str) {
    w.sql()
        .await
        .batch_execute(&format!(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard; {statements} \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard;"
        ))
        .await
        .expect("change the audit log behind the guard");
}

#[then("the audit chain is broken at the row that was edited")]
async fn broken_there(w: &mut FrtWorld) {
    let report = w.chain.as_ref().expect("the chain was not verified");
    let b = report
        .first_break
        .as_ref()
        .unwrap_or_else(|| panic!("the tampering went unnoticed: {report:?}"));
    assert_eq!(b.kind, BreakKind::ContentAltered, "{report:?}");
    assert_eq!(b.id, w.tampered_row, "{report:?}");
}

#[when(
    regex = r#"^the application's database role tries to (update|delete) the "([a-z_.]+)" audit row of the filing$"#
)]
async fn app_role_tries(w: &mut FrtWorld, verb: String, action: String) {
    let row = row_of(w, &action).await;
    let statement = if verb == "update" {
        format!("UPDATE audit_log SET actor_label = 'someone else' WHERE id = {row}")
    } else {
        format!("DELETE FROM audit_log WHERE id = {row}")
    };
    let refused = w
        .sql()
        .await
        .batch_execute(&statement)
        .await
        .expect_err("the audit log refuses the change");
    let message = refused
        .as_db_error()
        .map(|e| e.message().to_owned())
        .unwrap_or_else(|| refused.to_string());
    w.keep(crate::support::Reply::new(
        0,
        serde_json::Value::String(message),
    ));
}

#[then(expr = "the database refuses because the audit log is append-only")]
async fn refused(w: &mut FrtWorld) {
    let message = w.last().body.as_str().unwrap_or_default().to_owned();
    assert!(message.contains("append-only"), "{message}");
}

#[when(expr = "{string} reads the audit trail of the filing")]
async fn reads_trail(w: &mut FrtWorld, staff: String) {
    let id = w.filing_id();
    w.send_as(
        &staff,
        Method::GET,
        &format!("/api/v1/audit/filing/{id}?limit=500"),
        None,
    )
    .await;
}

#[then(expr = "the trail includes {string}")]
async fn trail_includes(w: &mut FrtWorld, action: String) {
    let last = w.last();
    assert_eq!(last.status, 200, "{}", last.body);
    let items = last.body["items"].as_array().expect("trail items");
    assert!(
        items
            .iter()
            .any(|i| i["action"].as_str() == Some(action.as_str())),
        "{action} missing from {}",
        last.body
    );
}

#[then("every entry of the trail carries its place and hash in the chain")]
async fn trail_sealed(w: &mut FrtWorld) {
    let items = w.last().body["items"]
        .as_array()
        .expect("trail items")
        .clone();
    assert!(!items.is_empty());
    for i in &items {
        assert!(i["seq"].as_i64().is_some_and(|s| s > 0), "{i}");
        assert_eq!(i["hash"].as_str().map(str::len), Some(64), "{i}");
    }
}

// ---- checkpoints witnessed by other agencies ----

/// The platform's checkpoint key in these scenarios (an SM2 secret key, 32 bytes).
const CHECKPOINT_KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";

/// `audit.verify_keys` for the checkpoint key.
fn checkpoint_verify_key() -> String {
    let secret = hex::decode(CHECKPOINT_KEY).expect("hex");
    let public = frt_access::suite::Sm2Signer::from_secret(&secret)
        .expect("an SM2 key")
        .public_key();
    format!("platform-1:{}", hex::encode(public))
}

#[given(
    regex = r#"^the platform is running with audit checkpoints sent by the provincial CAC office of (\d{6}) to the public security organ of (\d{6})$"#
)]
async fn platform_with_checkpoints(w: &mut FrtWorld, sender: String, witness: String) {
    let sender = format!("provincial_cac {sender}");
    let witness = format!("public_security {witness}");
    w.start(&[
        ("FRT__AUDIT__SENDER_AGENCY", &sender),
        ("FRT__AUDIT__WITNESSES", &witness),
        ("FRT__AUDIT__SIGNING_KEY", CHECKPOINT_KEY),
        ("FRT__AUDIT__CHECKPOINT_MINUTES", "0"),
    ])
    .await;
}

#[when("the worker signs an audit checkpoint")]
async fn worker_signs(w: &mut FrtWorld) {
    let c = frt_cases::checkpoints::sign_if_due(&w.app().core)
        .await
        .expect("sign a checkpoint")
        .expect("a checkpoint was due");
    w.checkpoints.push(c.seq);
}

/// The checkpoints in the pull folder.
fn pulled_checkpoints(w: &FrtWorld) -> Vec<i64> {
    let mut seqs: Vec<i64> = crate::steps::exchange::pulled_items(w)
        .iter()
        .filter_map(|v| v["notification"]["body"].as_str())
        .filter_map(frt_cases::checkpoints::Checkpoint::from_body)
        .map(|c| c.seq)
        .collect();
    seqs.sort_unstable();
    seqs
}

/// Runs the witness's job until every checkpoint signed so far is in its folder (a row shows
/// in the feed once every older transaction of the database has ended).
#[when(expr = "the agency runs frtctl exchange pull as {string} until the checkpoints are in")]
async fn pull_checkpoints(w: &mut FrtWorld, name: String) {
    let started = std::time::Instant::now();
    loop {
        crate::steps::exchange::pull_once(w, &name, 50).await;
        if pulled_checkpoints(w) == w.checkpoints
            || started.elapsed() > std::time::Duration::from_secs(15)
        {
            assert_eq!(
                pulled_checkpoints(w),
                w.checkpoints,
                "the checkpoints pulled"
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

#[when(
    expr = "someone with control of the database rewrites the audit chain from the {string} row of the filing on, recomputing every hash"
)]
async fn rewrite_whole(w: &mut FrtWorld, action: String) {
    let row = row_of(w, &action).await;
    without_guard(
        w,
        &format!(
            "UPDATE audit_log SET actor_label = 'someone else' WHERE id = {row}; \
             DO $$ DECLARE r audit_log; prev BYTEA; h BYTEA; BEGIN \
               SELECT a.prev_hash INTO prev FROM audit_log a WHERE a.id = {row}; \
               FOR r IN SELECT * FROM audit_log WHERE seq >= (SELECT seq FROM audit_log WHERE id = {row}) ORDER BY seq LOOP \
                 h := audit_row_hash(r, r.seq, prev, r.hash_alg); \
                 UPDATE audit_log SET prev_hash = prev, hash = h WHERE id = r.id; \
                 prev := h; \
               END LOOP; \
               UPDATE audit_chain_head SET hash = prev; \
             END $$;"
        ),
    )
    .await;
    w.tampered_row = Some(row);
}

#[when("the audit chain is verified against the checkpoints the agency pulled")]
async fn verify_with_checkpoints(w: &mut FrtWorld) {
    let dir = crate::steps::exchange::pull_dir(w);
    let dir = dir.to_string_lossy().into_owned();
    let keys = checkpoint_verify_key();
    let (ok, out) = w.app().run_with(
        crate::support::smoke::frtctl().to_string_lossy().as_ref(),
        &["audit", "verify", "--checkpoints", &dir],
        &[("FRT__AUDIT__VERIFY_KEYS", &keys)],
    );
    w.verify_output = Some((ok, out));
}

#[then("frtctl finds the chain agrees with every witnessed checkpoint")]
async fn agrees(w: &mut FrtWorld) {
    let (ok, out) = w.verify_output.clone().expect("not verified");
    assert!(ok, "{out}");
    let last = w.checkpoints.last().copied().expect("a checkpoint");
    assert!(
        out.contains(&format!(
            "agrees with {} witnessed checkpoints, up to seq {last}",
            w.checkpoints.len()
        )),
        "{out}"
    );
}

#[then(
    "frtctl names the checkpoint the rewritten chain disagrees with, and the last one it agrees with"
)]
async fn disagrees(w: &mut FrtWorld) {
    let (ok, out) = w.verify_output.clone().expect("not verified");
    assert!(!ok, "the rewrite went unnoticed: {out}");
    let (first, second) = (w.checkpoints[0], w.checkpoints[1]);
    assert!(out.contains(&format!("BROKEN at seq {second}")), "{out}");
    assert!(out.contains("rewritten, hashes and all"), "{out}");
    assert!(
        out.contains(&format!("up to seq {first}"))
            && out.contains(&format!("after seq {first} were rewritten")),
        "{out}"
    );
}
