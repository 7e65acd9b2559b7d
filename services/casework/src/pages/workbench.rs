//! `/`: the workbench (待办), every item of every case type the member of staff can act on
//! now, nearest time limit first, marked near within `console.warn_working_days` and overdue
//! past it; filters by case type, status, kind, province and processor, and keyset pages
//! (`frt_cases::workbench`).

use actix_web::{get, web};
use askama::Template;
use frt_cases::workbench::{self as work, WorkItem, WorkbenchQuery};
use frt_domain::complaint::ComplaintStatus;
use frt_domain::inspection::InspectionStatus;
use frt_web::console::{render, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

/// The filters a person sets on the page, kept in the address.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    case_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    processor: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    resubmitted: String,
    #[serde(default)]
    after: String,
}

impl Filters {
    fn query(&self) -> WorkbenchQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        WorkbenchQuery {
            case_type: some(&self.case_type),
            status: some(&self.status),
            kind: some(&self.kind),
            province: some(&self.province),
            processor: some(&self.processor),
            resubmitted: !self.resubmitted.is_empty(),
            after: some(&self.after),
            limit: 50,
        }
    }

    /// The address of the next page: these filters, continued after `next`.
    fn next_href(&self, next: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("case_type", self.case_type.as_str()),
            ("status", self.status.as_str()),
            ("kind", self.kind.as_str()),
            ("processor", self.processor.as_str()),
            ("province", self.province.as_str()),
            ("resubmitted", self.resubmitted.as_str()),
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
    item: WorkItem,
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
    /// (status, its message key) for the status filter: filings' then complaints'.
    statuses: Vec<(&'static str, String)>,
}

#[get("/")]
pub async fn workbench(core: web::Data<Core>, page: Page, f: web::Query<Filters>) -> PageResult {
    let caller = page.caller()?;
    let f = f.into_inner();
    let found = work::list(&core, caller, &f.query()).await?;
    let rows = found
        .items
        .into_iter()
        .map(|item| Row {
            mark: frt_web::console::limits::mark(&core, item.working_days_left),
            item,
        })
        .collect();
    let statuses = work::FILING_STATUSES
        .iter()
        .map(|s| (*s, page.label("state", s)))
        .chain(
            ComplaintStatus::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| (s.as_str(), page.label("complaint_state", s.as_str()))),
        )
        .chain(
            InspectionStatus::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| (s.as_str(), page.label("inspection_state", s.as_str()))),
        )
        .collect();
    let next = found.next.map(|n| f.next_href(&n));
    render(&WorkbenchPage {
        national: caller.scope().is_everywhere(),
        page: &page,
        f,
        rows,
        next,
        statuses,
    })
}
