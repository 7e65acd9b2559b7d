//! `/registry`: the recorded processors of the caller's jurisdiction with their chains of
//! recorded filings, searchable by name fragment or USCC (`frt_cases::filings::reads::registry`),
//! and `/exports`: each export with its filters, downloaded as xlsx as the API gives it.

use actix_web::{get, web, HttpResponse};
use askama::Template;
use frt_cases::exports::{self, ProvinceQuery};
use frt_cases::filings::queue::{self, QueueQuery};
use frt_cases::filings::reads::{self, RegistryQuery};
use frt_store::registry::RegistryEntry;
use frt_web::console::{render, Page, PageError, PageResult};
use frt_web::Core;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage<'a> {
    page: &'a Page,
    q: String,
    rows: Vec<RegistryEntry>,
    total: i64,
    next: Option<String>,
    previous: Option<String>,
}

const PAGE_SIZE: i64 = 50;

#[get("/registry")]
pub async fn registry(core: web::Data<Core>, page: Page, s: web::Query<Search>) -> PageResult {
    let caller = page.caller()?;
    let at = s.page.max(0);
    let q = s.q.trim().to_owned();
    let found = reads::registry(
        &core,
        caller,
        &RegistryQuery {
            processor: Some(q.clone()).filter(|q| !q.is_empty()),
            limit: Some(PAGE_SIZE),
            offset: Some(at * PAGE_SIZE),
        },
    )
    .await?;
    let href = |n: i64| {
        let pairs: Vec<(&str, String)> = [("q", q.clone()), ("page", n.to_string())]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        format!(
            "/registry?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    render(&RegistryPage {
        next: ((at + 1) * PAGE_SIZE < found.total).then(|| href(at + 1)),
        previous: (at > 0).then(|| href(at - 1)),
        total: found.total,
        rows: found.items,
        q,
        page: &page,
    })
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage<'a> {
    page: &'a Page,
    national: bool,
}

#[get("/exports")]
pub async fn exports_page(page: Page) -> PageResult {
    let caller = page.caller()?;
    render(&ExportsPage {
        national: caller.scope().is_everywhere(),
        page: &page,
    })
}

/// The registry of the caller's jurisdiction (xlsx; the export is audited).
#[get("/exports/registry.xlsx")]
pub async fn registry_xlsx(core: web::Data<Core>, page: Page) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let exported = exports::registry_for(&core, caller).await?;
    Ok(crate::exports::respond(exported, "备案登记.xlsx").await?)
}

/// The review queue with its filters (xlsx).
#[get("/exports/review-queue.xlsx")]
pub async fn queue_xlsx(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let exported = queue::export(&core, caller, &q).await?;
    Ok(crate::exports::respond(exported, "审查队列.xlsx").await?)
}

/// The published inspection results (xlsx).
#[get("/exports/inspections.xlsx")]
pub async fn inspections_xlsx(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<ProvinceQuery>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let exported = exports::inspections_for(&core, caller, &q).await?;
    Ok(crate::exports::respond(exported, "检查结果公开.xlsx").await?)
}
