//! A filing as staff see it, and its materials (its audit trail is `audit::audit_trail`).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_store::views;
use frt_web::{ApiResult, Auth, Core};
use uuid::Uuid;

/// A filing of the caller's jurisdiction, with the USCC warning flag.
#[utoipa::path(tag = "review", security(("bearer" = [])),
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

/// Download a material of a filing in the caller's jurisdiction (audited).
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)),
    responses((status = 200, description = "the file"), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/attachments/{attachment_id}")]
pub async fn download_attachment(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (filing_id, attachment_id) = path.into_inner();
    let opened =
        frt_cases::filings::reads::open_attachment(&core, &auth, filing_id, attachment_id).await?;
    Ok(frt_web::download::respond(opened))
}
