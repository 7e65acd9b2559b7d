//! The tamper-evident audit trail: reading an entity's trail, walking the hash chain as
//! `frtctl audit verify` does, and tampering with rows directly in the database.

use crate::support::{table_rows, FrtWorld};
use cucumber::gherkin::Step;
use cucumber::{then, when};
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
    w.sql()
        .await
        .batch_execute(&format!(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard; \
             UPDATE audit_log SET after = jsonb_set(after, '{{status}}', '\"refused\"') WHERE id = {row}; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard;"
        ))
        .await
        .expect("tamper with the row");
    w.tampered_row = Some(row);
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
