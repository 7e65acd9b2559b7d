//! The audit trail of any entity the platform knows (every case type, organisations and
//! users) for staff whose role may read audit and whose jurisdiction covers the entity;
//! keyset-paged by row id (`frt_cases::trail` does the work).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::trail::{self as trails, Timeline, TrailPage};
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;
use uuid::Uuid;

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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Events before this row id (the `next_before` of the previous page).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A processor's page: its heading, its cases of every type the caller may read (filings,
/// inspections), and one timeline of what happened to them and to its registration, newest
/// first. CAC staff whose jurisdiction covers the processor.
#[utoipa::path(tag = "audit", security(("bearer" = [])),
    params(("id" = Uuid, Path), TimelineQuery),
    responses((status = 200, body = Timeline)))]
#[get("/api/v1/organisations/{id}/timeline")]
pub async fn processor_timeline(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<TimelineQuery>,
) -> ApiResult<HttpResponse> {
    let limit = frt_web::params::within("limit", q.limit.unwrap_or(100), 1..=500)?;
    let before = q
        .before
        .map(|b| frt_web::params::within("before", b, 1..=i64::MAX))
        .transpose()?;
    let page = trails::processor_timeline(&core, &auth, id.into_inner(), before, limit).await?;
    Ok(HttpResponse::Ok().json(page))
}
