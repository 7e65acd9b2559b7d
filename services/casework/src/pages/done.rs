//! `/done`: 已办, what the member of staff decided or handled, newest first, across every case
//! type (`frt_cases::done`), with older pages by cursor.

use actix_web::{get, web};
use askama::Template;
use frt_store::audit::Event;
use frt_web::console::{render, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    before: Option<String>,
}

/// A row as the page shows it: the case it touched, and its page when casework has one.
struct Row {
    event: Event,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "done.html")]
struct DonePage<'a> {
    page: &'a Page,
    rows: Vec<Row>,
    next: Option<String>,
}

#[get("/done")]
pub async fn done(core: web::Data<Core>, page: Page, q: web::Query<DoneQuery>) -> PageResult {
    let caller = page.caller()?;
    let before = frt_cases::done::cursor(q.before.as_deref())?;
    let found = frt_cases::done::list(&core, caller, before, 50)
        .await
        .map_err(frt_web::ApiError::from)?;
    let rows = found
        .items
        .into_iter()
        .map(|event| Row {
            href: matches!(
                event.entity_type.as_str(),
                "filing" | "complaint" | "inspection"
            )
            .then(|| format!("/{}s/{}", event.entity_type, event.entity_id)),
            event,
        })
        .collect();
    render(&DonePage {
        page: &page,
        rows,
        next: found.next.map(|n| format!("/done?before={n}")),
    })
}
