//! The audit trail of any entity through casework: jurisdiction-scoped, role-checked,
//! keyset-paged, each row with its place and hash in the chain.

use frt_access::{AgencyKind, Role};
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::Value;

async fn trail(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    app.call(
        Method::GET,
        &format!("{}/api/v1/audit/{path}", app.casework),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn staff_read_trails_in_their_jurisdiction_only() {
    let app = TestApp::spawn().await;
    let (p, org) = app.register_processor("审计轨迹有限公司", "310000").await;
    let (_, me) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&p),
            None,
        )
        .await;
    let admin_user = me["user_id"].as_str().expect("user id").to_owned();
    let sh = app.reviewer("310000").await;
    let bj = app.reviewer("110000").await;
    let national = app
        .staff(AgencyKind::NationalCac, None, Role::Reviewer)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;

    let (s, b) = trail(&app, &sh, &format!("organisation/{org}")).await;
    assert_eq!(s, 200, "{b}");
    let items = b["items"].as_array().expect("items");
    assert_eq!(items[0]["action"], "organisation.registered", "{b}");
    assert!(items[0]["seq"].as_i64().is_some_and(|s| s >= 1), "{b}");
    assert_eq!(items[0]["hash"].as_str().map(str::len), Some(64), "{b}");

    let (s, b) = trail(&app, &sh, &format!("user/{admin_user}")).await;
    assert_eq!(s, 200, "{b}");
    let actions: Vec<&str> = b["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["action"].as_str())
        .collect();
    assert!(actions.contains(&"user.created"), "{actions:?}");
    assert!(actions.contains(&"auth.login"), "{actions:?}");

    let (s, b) = trail(&app, &bj, &format!("organisation/{org}")).await;
    assert_eq!(s, 404, "another province's processor is not found: {b}");
    let (s, _) = trail(&app, &national, &format!("organisation/{org}")).await;
    assert_eq!(s, 200, "the national CAC sees every province");
    let (s, b) = trail(&app, &police, &format!("organisation/{org}")).await;
    assert_eq!(s, 403, "inspectors do not read audit trails: {b}");

    let (s, b) = trail(&app, &sh, &format!("payment/{org}")).await;
    assert_eq!(s, 400);
    assert_eq!(b["code"], "audit.unknown_entity_type", "{b}");
    let (s, b) = trail(&app, &sh, "organisation/not-a-uuid").await;
    assert_eq!(s, 404, "a malformed id names nothing: {b}");
    assert_eq!(b["code"], "not_found", "{b}");
    let (s, b) = trail(&app, &sh, &format!("organisation/{org}?limit=0")).await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn long_trails_are_paged_by_row_id() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("Paging Ltd", "310000").await;
    let id = app
        .complete_draft(&p, "initial", frt_web::today_in_china(), None)
        .await;
    let sh = app.reviewer("310000").await;
    let (s, b) = trail(&app, &sh, &format!("filing/{id}")).await;
    assert_eq!(
        s, 404,
        "a draft is the processor's own until submitted: {b}"
    );
    assert_eq!(app.submit(&p, &id, None).await.0, 200);
    let (s, first) = trail(&app, &sh, &format!("filing/{id}?limit=2")).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let after = first["next"].as_str().expect("a next page").to_owned();
    let last_seen = first["items"][1]["id"].as_i64();
    let (_, rest) = trail(&app, &sh, &format!("filing/{id}?limit=500&after={after}")).await;
    let rest = rest["items"].as_array().expect("items").clone();
    assert!(!rest.is_empty());
    assert!(rest.iter().all(|r| r["id"].as_i64() > last_seen));
    let (_, all) = trail(&app, &sh, &format!("filing/{id}")).await;
    assert_eq!(
        all["items"].as_array().map(Vec::len),
        Some(2 + rest.len()),
        "{all}"
    );
    assert!(all["next"].is_null());
}
