//! One filing in full, and its history.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::history::{self as histories, HistoryEntry};
use frt_store::views;
use frt_web::{ApiResult, Auth, Core};
use uuid::Uuid;

/// A filing with its form, materials, deadline and decision.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = views::FilingDetail), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}")]
pub async fn show_filing(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(frt_cases::filings::reads::detail(&core, &auth, id.into_inner()).await?))
}

/// What happened to a filing, oldest first.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = [HistoryEntry]), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/history")]
pub async fn filing_history(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(histories::timeline(&core, &auth, id.into_inner()).await?))
}
