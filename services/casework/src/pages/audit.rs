//! `/audit/{entity_type}/{id}`: an entity's audit trail, oldest first, each row with its place
//! and hash in the tamper-evident chain (`frt_cases::trail`, as the API gives it).

use actix_web::{get, web};
use askama::Template;
use frt_cases::trail::{self, TrailQuery};
use frt_store::audit::AuditRow;
use frt_web::console::{render, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    after: String,
}

/// A row as the page shows it: its chain hash in full and shortened, and what changed.
struct Row {
    row: AuditRow,
    hash: String,
    details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    page: &'a Page,
    entity_type: String,
    entity_id: String,
    /// The case's own page, when casework has one.
    back: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
}

/// What a row recorded, as compact text: the state after (or before, for a removal).
fn details(r: &AuditRow) -> String {
    match (&r.before, &r.after) {
        (_, Some(after)) => after.to_string(),
        (Some(before), None) => before.to_string(),
        _ => String::new(),
    }
}

#[get("/audit/{entity_type}/{id}")]
pub async fn trail_page(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    q: web::Query<AuditQuery>,
) -> PageResult {
    let caller = page.caller()?;
    let (entity_type, entity_id) = path.into_inner();
    let q = TrailQuery {
        after: Some(q.after.clone()).filter(|a| !a.is_empty()),
        limit: Some(100),
    };
    let found = trail::page(&core, caller, &entity_type, &entity_id, &q).await?;
    let rows = found
        .items
        .into_iter()
        .map(|row| Row {
            hash: row.hash.as_deref().map(hex::encode).unwrap_or_default(),
            details: details(&row),
            row,
        })
        .collect();
    let back = matches!(
        entity_type.as_str(),
        "filing" | "complaint" | "inspection" | "notification"
    )
    .then(|| format!("/{entity_type}s/{entity_id}"));
    render(&AuditPage {
        next: found
            .next
            .map(|n| format!("/audit/{entity_type}/{entity_id}?after={n}")),
        page: &page,
        entity_type,
        entity_id,
        back,
        rows,
    })
}
