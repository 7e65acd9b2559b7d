//! `/registry`: the recorded processors of the caller's jurisdiction with their chains of
//! recorded filings, searchable by name fragment or USCC (`frt_cases::filings::reads::registry`),
//! and `/exports`: each export with its filters, built as a job whose page shows its progress
//! and offers the xlsx when it is ready (`frt_cases::export_jobs`).

use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use frt_access::{Action, Resource};
use frt_cases::export_jobs::{self as jobs, JobView};
use frt_cases::exports::{self, ProvinceQuery, Reader, StatisticsQuery};
use frt_cases::filings::queue::{self, QueueQuery};
use frt_cases::filings::reads::{self, RegistryQuery};
use frt_store::registry::RegistryEntry;
use frt_web::console::{render, see_other, Form, Page, PageError, PageResult};
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

/// An export's filters as the page's forms give them.
#[derive(Debug, Default, Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    month: String,
}

/// `POST /exports/{name}`: the export starts as a job (once the caller's role may read it);
/// its page follows it.
#[post("/exports/{name:registry|review-queue|inspections|statistics}")]
pub async fn start_export(
    core: web::Data<Core>,
    page: Page,
    name: web::Path<String>,
    Form(f): Form<ExportForm>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?.clone();
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let core = core.into_inner();
    let c = core.clone();
    let who = caller.clone();
    let id = match name.as_str() {
        "registry" => {
            let reader = Reader::staff(&core, &caller, Resource::ORGANISATION)?;
            jobs::start(&core, &caller, "备案登记.xlsx".into(), async move {
                exports::registry(&c, &reader).await
            })
            .await?
        }
        "review-queue" => {
            caller.require(&core, Resource::FILING, Action::Review, None)?;
            let q = QueueQuery {
                status: some(&f.status),
                kind: some(&f.kind),
                province: some(&f.province),
                ..QueueQuery::default()
            };
            jobs::start(&core, &caller, "审查队列.xlsx".into(), async move {
                queue::export(&c, &who, &q).await
            })
            .await?
        }
        "inspections" => {
            Reader::staff(&core, &caller, Resource::INSPECTION)?;
            let q = ProvinceQuery {
                province: some(&f.province),
            };
            jobs::start(&core, &caller, "检查结果公开.xlsx".into(), async move {
                exports::inspections_for(&c, &who, &q).await
            })
            .await?
        }
        _ => {
            Reader::staff(&core, &caller, Resource::ORGANISATION)?;
            let q = StatisticsQuery {
                month: f.month.trim().to_owned(),
                province: some(&f.province),
            };
            let filename = format!("统计-{}.xlsx", q.month);
            jobs::start(&core, &caller, filename, async move {
                exports::statistics_for(&c, &who, &q).await
            })
            .await?
        }
    };
    Ok(see_other(&format!("/exports/jobs/{id}")))
}

#[derive(Template)]
#[template(path = "export_job.html")]
struct JobPage<'a> {
    page: &'a Page,
    job: JobView,
}

/// A job's progress (the page reloads itself while it runs), then its file.
#[get("/exports/jobs/{id}")]
pub async fn job(core: web::Data<Core>, page: Page, id: web::Path<String>) -> PageResult {
    let caller = page.caller()?;
    let job = jobs::status(&core, caller, PageError::id(&id)?)
        .await?
        .ok_or_else(PageError::not_found)?;
    render(&JobPage { page: &page, job })
}

/// The finished file of one's own job.
#[get("/exports/jobs/{id}/file")]
pub async fn job_file(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let download = jobs::file(&core, caller, PageError::id(&id)?)
        .await?
        .ok_or_else(PageError::not_found)?;
    Ok(frt_web::download::respond(download))
}
