//! `/imports`: for each kind the caller may import, the template and an upload, checked first
//! with a dry run; the outcome, or every problem with the error workbook to download
//! (`frt_cases::imports`, as the API runs it: every row or none).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use frt_cases::imports::{self, ImportError, ImportKind, ImportOutcome};
use frt_sheets::columns::CellProblem;
use frt_web::console::{check_csrf, render, render_with, Page, PageError, PageResult};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

/// A problem as the page lists it: where, and what in the reader's language (the use case's
/// own words where the page has none for its code).
struct Problem {
    sheet: String,
    row: u32,
    column: String,
    text: String,
}

impl Problem {
    fn of(page: &Page, p: CellProblem) -> Self {
        let key = format!("import_problem.{}", p.code);
        let text = if page.lang.has(&key) {
            page.t(&key).to_owned()
        } else {
            p.message
        };
        Self {
            sheet: p.sheet,
            row: p.row,
            column: p.column,
            text,
        }
    }
}

/// What the last upload came to.
enum Outcome {
    Done(ImportOutcome),
    Refused {
        problems: Vec<Problem>,
        workbook: Option<Uuid>,
    },
    /// The workbook could not be read at all (not a workbook, no rows, too large).
    Unreadable(String),
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage<'a> {
    page: &'a Page,
    kinds: Vec<&'static str>,
    max_mb: String,
    /// The kind uploaded, and what it came to.
    result: Option<(&'static str, Outcome)>,
}

fn kinds(core: &Core, page: &Page) -> Result<Vec<&'static str>, PageError> {
    let caller = page.caller()?;
    Ok(ImportKind::allowed(core, caller)
        .into_iter()
        .map(ImportKind::as_str)
        .collect())
}

fn max_mb(core: &Core) -> String {
    format!(
        "{:.0}",
        core.settings.imports.max_bytes as f64 / 1_048_576.0
    )
}

#[get("/imports")]
pub async fn imports_page(core: web::Data<Core>, page: Page) -> PageResult {
    render(&ImportsPage {
        kinds: kinds(&core, &page)?,
        max_mb: max_mb(&core),
        page: &page,
        result: None,
    })
}

fn kind_of(kind: &str) -> Result<ImportKind, PageError> {
    ImportKind::parse(kind).ok_or_else(PageError::not_found)
}

/// The template of a kind (xlsx).
#[get("/imports/{kind}/template")]
pub async fn template(
    core: web::Data<Core>,
    page: Page,
    kind: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let kind = kind_of(&kind)?;
    let bytes = imports::template(&core, caller, kind.as_str()).await?;
    Ok(crate::imports::xlsx(
        bytes,
        &format!("{}-模板.xlsx", kind.as_str()),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    dry_run: String,
}

/// An upload from the page (multipart: the CSRF token first, then `file`); `?dry_run=1` checks
/// every row and stores nothing.
#[post("/imports/{kind}")]
pub async fn upload(
    core: web::Data<Core>,
    page: Page,
    req: HttpRequest,
    kind: web::Path<String>,
    q: web::Query<UploadQuery>,
    body: web::Payload,
) -> PageResult {
    let caller = page.caller()?;
    let kind = kind_of(&kind)?;
    let token = |t: &str| check_csrf(&req, t).is_ok();
    let max = core.settings.imports.max_bytes;
    let read = frt_web::upload::read_bytes_checked(&req, body, max, Some(&token)).await;
    let dry_run = !q.dry_run.is_empty();
    let (status, outcome) = match read {
        Err(frt_web::upload::BytesRefusal::Api(e)) if e.status().is_client_error() => {
            (e.status(), Outcome::Unreadable(e.problem().detail))
        }
        Err(refusal) => return Err(refusal.into()),
        Ok(bytes) => match imports::run(&core, caller, kind.as_str(), bytes, dry_run).await {
            Ok(done) => (StatusCode::OK, Outcome::Done(done)),
            Err(ImportError::Rows {
                problems,
                error_workbook: workbook,
            }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Outcome::Refused {
                    problems: problems
                        .into_iter()
                        .map(|p| Problem::of(&page, p))
                        .collect(),
                    workbook,
                },
            ),
            Err(e @ (ImportError::Sheet(_) | ImportError::NoRows)) => {
                let e = frt_web::ApiError::from(e);
                (e.status(), Outcome::Unreadable(e.problem().detail))
            }
            Err(e) => return Err(e.into()),
        },
    };
    render_with(
        status,
        &ImportsPage {
            kinds: kinds(&core, &page)?,
            max_mb: max_mb(&core),
            page: &page,
            result: Some((kind.as_str(), outcome)),
        },
    )
}

/// The error workbook of one's own refused upload.
#[get("/imports/error-workbooks/{id}")]
pub async fn error_workbook(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let id = PageError::id(&id)?;
    let opened = imports::error_workbook(&core, caller, id).await?;
    Ok(frt_web::download::respond(opened))
}
