//! The audit trail of any entity the platform knows (every case type, organisations and
//! users) for staff whose role may read audit and whose jurisdiction covers the entity, and a
//! processor's page (`frt_cases::trail` does the work).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::trail::{self as trails, Timeline, TimelineQuery, TrailPage, TrailQuery};
use frt_web::{ApiResult, Auth, Core};
use uuid::Uuid;

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
    let page = trails::page(&core, &auth, &entity_type, &entity_id, &q).await?;
    Ok(HttpResponse::Ok().json(page))
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
    let page = trails::processor_timeline(&core, &auth, id.into_inner(), &q).await?;
    Ok(HttpResponse::Ok().json(page))
}
