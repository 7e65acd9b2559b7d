//! A filing's history for the reviewer: every version the processor submitted, and the
//! field-level differences between two of them (`frt_cases::filings::history`).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::history::{self, DiffQuery, VersionDiff};
use frt_store::versions::FilingVersion;
use frt_web::{ApiResult, Auth, Core};
use uuid::Uuid;

/// Every version of a filing as submitted, oldest first.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = [FilingVersion]), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/versions")]
pub async fn versions(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(history::versions(&core, &auth, id.into_inner()).await?))
}

/// Field-level differences between two submitted versions.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id"), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/versions/diff")]
pub async fn version_diff(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let diff = history::diff(&core, &auth, id.into_inner(), &q).await?;
    Ok(HttpResponse::Ok().json(diff))
}
