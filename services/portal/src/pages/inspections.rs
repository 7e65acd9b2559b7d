//! `/inspections`: the organisation's inspections, each request for documents and each
//! rectification order with its time limit, answered on the page with text and files.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::inspections::{self, processor, InspectionView};
use frt_web::console::{check_csrf, render, see_other, Form, Page, PageError, PageResult};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage<'a> {
    page: &'a Page,
    items: Vec<InspectionView>,
    max_mb: String,
    max_bytes: u64,
}

#[get("/inspections")]
pub async fn list(core: web::Data<Core>, page: Page) -> PageResult {
    let caller = page.caller()?;
    let all = inspections::InspectionQuery {
        limit: Some(200),
        ..Default::default()
    };
    let items = inspections::list(&core, caller, &all).await?;
    let max_bytes = core.settings.uploads.max_bytes;
    render(&ListPage {
        page: &page,
        items,
        max_mb: format!("{:.0}", max_bytes as f64 / 1_048_576.0),
        max_bytes,
    })
}

fn ids(path: &(String, String)) -> Result<(Uuid, Uuid), PageError> {
    let parse = PageError::id;
    Ok((parse(&path.0)?, parse(&path.1)?))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

#[post("/inspections/{id}/items/{item}/answer")]
pub async fn answer(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let caller = page.caller()?;
    let (id, item) = ids(&path)?;
    processor::answer(&core, caller, id, item, &f.answer).await?;
    Ok(see_other(&format!("/inspections#item-{item}")))
}

/// A file given with a request or order (multipart: the CSRF token first, then `file`).
#[post("/inspections/{id}/items/{item}/materials")]
pub async fn material(
    core: web::Data<Core>,
    page: Page,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> PageResult {
    let caller = page.caller()?;
    let (id, item) = ids(&path)?;
    processor::check_item_open(&core, caller, id, item).await?;
    let max = core.settings.uploads.max_bytes;
    let token = |t: &str| check_csrf(&req, t).is_ok();
    let received = frt_web::upload::read_file_checked(&core, &req, body, max, Some(&token)).await?;
    processor::attach(&core, caller, id, item, received).await?;
    Ok(see_other(&format!("/inspections#item-{item}")))
}
