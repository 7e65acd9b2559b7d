//! The audit trail of any entity the platform knows (every case type, organisations and
//! users) for staff whose role may read audit and whose jurisdiction covers the entity;
//! keyset-paged by row id (`frt_cases::trail` does the work).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::trail::{self as trails, TrailPage};
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    /// Rows after this row id (the `next_after` of the previous page).
    pub after: Option<i64>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The audit trail of one entity in the caller's jurisdiction, oldest first, with each row's
/// place and hash in the tamper-evident chain.
#[utoipa::path(tag = "audit", security(("bearer" = [])),
    params(("entity_type" = inline(trails::EntityTypeName), Path, description = "any entity the platform audits: every case type, organisations and users"),
           ("entity_id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage),
              (status = 400, description = "unknown entity type or bad page", content_type = "application/problem+json"),
              (status = 403, content_type = "application/problem+json"),
              (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/audit/{entity_type}/{entity_id}")]
pub async fn audit_trail(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(String, String)>,
    q: web::Query<TrailQuery>,
) -> ApiResult<HttpResponse> {
    let (entity_type, entity_id) = path.into_inner();
    let limit = frt_web::params::within("limit", q.limit.unwrap_or(100), 1..=500)?;
    let page = trails::page(&core, &auth, &entity_type, &entity_id, q.after, limit).await?;
    Ok(HttpResponse::Ok().json(page))
}
