//! `/`: the workbench (待办), what the member of staff can act on now, nearest time limit first,
//! marked near within `console.warn_working_days` and overdue past it; filters and keyset
//! pages as the review queue has them (`frt_cases::filings::queue`).

use actix_web::{get, web};
use askama::Template;
use frt_cases::filings::queue::{self, QueueQuery, ReviewQueueItem};
use frt_web::console::{render, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

/// The filters a person sets on the page (a subset of the queue's query, kept in the address).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    processor: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    after: String,
}

impl Filters {
    fn query(&self) -> QueueQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        QueueQuery {
            limit: Some(50),
            after: some(&self.after),
            province: some(&self.province),
            status: some(&self.status),
            kind: some(&self.kind),
            processor: some(&self.processor),
            ..QueueQuery::default()
        }
    }

    /// The address of the next page: these filters, continued after `next`.
    fn next_href(&self, next: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("kind", self.kind.as_str()),
            ("processor", self.processor.as_str()),
            ("province", self.province.as_str()),
            ("after", next),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "/?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// A row as the page shows it: how near its time limit is.
struct Row {
    item: ReviewQueueItem,
    /// `due-over` (overdue), `due-near` (within the warning days) or empty.
    mark: &'static str,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage<'a> {
    page: &'a Page,
    f: Filters,
    rows: Vec<Row>,
    next: Option<String>,
    national: bool,
}

#[get("/")]
pub async fn workbench(core: web::Data<Core>, page: Page, f: web::Query<Filters>) -> PageResult {
    let caller = page.caller()?;
    let f = f.into_inner();
    let found = queue::review_queue(&core, caller, &f.query()).await?;
    let warn = core.settings.console.warn_working_days;
    let rows = found
        .items
        .into_iter()
        .map(|item| {
            let mark = match item.review_working_days_left {
                Some(n) if n < 0 => "due-over",
                Some(n) if n <= warn => "due-near",
                _ => "",
            };
            Row { item, mark }
        })
        .collect();
    let next = found.next.map(|n| f.next_href(&n));
    render(&WorkbenchPage {
        national: caller.scope().is_everywhere(),
        page: &page,
        f,
        rows,
        next,
    })
}
