//! The processor's filings, newest first: `frt_cases::filings::reads::list` does the work.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::reads::{self, FilingListItem, FilingListQuery};
use frt_cases::input::Page;
use frt_web::{ApiResult, Auth, Core};

/// List the organisation's filings (filter by status and kind; paged).
#[utoipa::path(tag = "filings", security(("bearer" = [])), params(FilingListQuery),
    responses((status = 200, body = Page<FilingListItem>)))]
#[get("/api/v1/filings")]
pub async fn list_filings(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<FilingListQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(reads::list(&core, &auth, &q).await?))
}
