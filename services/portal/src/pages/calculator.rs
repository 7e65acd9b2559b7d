//! `/due-date`: the working-day calculator with its explanation. A GET form, so it works
//! without JavaScript and a result can be bookmarked; htmx swaps in only the result.

use actix_web::{get, web};
use askama::Template;
use frt_web::console::limits::Explained;
use frt_web::console::{render, render_with, FieldErrors, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    from: Option<String>,
    working_days: Option<String>,
}

#[derive(Template)]
#[template(path = "due_date.html")]
struct DueDatePage<'a> {
    page: &'a Page,
    from: String,
    working_days: String,
    errors: FieldErrors,
    result: Option<Explained>,
}

#[get("/due-date")]
pub async fn due_date(core: web::Data<Core>, page: Page, q: web::Query<Query>) -> PageResult {
    let q = q.into_inner();
    let (from, working_days) = (
        q.from.unwrap_or_default(),
        q.working_days.unwrap_or_else(|| "30".to_owned()),
    );
    let mut view = DueDatePage {
        page: &page,
        from: from.clone(),
        working_days: working_days.clone(),
        errors: FieldErrors::default(),
        result: None,
    };
    if from.is_empty() {
        return render(&view);
    }
    match frt_cases::calendar::due_date(&core, &from, &working_days).await {
        Ok(due) => {
            let n = working_days.trim().parse().unwrap_or_default();
            view.result = Some(Explained::of(&page, &due, n));
            render(&view)
        }
        Err(e) => {
            let e = frt_web::ApiError::from(e);
            if !e.status().is_client_error() {
                return Err(e.into());
            }
            let field = if e.code() == "calendar.invalid_working_days" {
                "working_days"
            } else {
                "from"
            };
            view.errors.add(field, page.t("field.invalid"));
            render_with(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}
