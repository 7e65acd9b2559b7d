//! Who works a filing: a supervisor assigns or reassigns it to a reviewer of the filing's
//! province; a reviewer takes an unassigned one (`frt_cases::filings::review` decides).

use actix_web::post;
use actix_web::{web, HttpResponse};
use frt_cases::filings::review;
use frt_store::views;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The reviewer to assign; `null` to unassign.
    pub assignee_id: Option<Uuid>,
    /// The filing's `version` as last seen.
    pub version: i32,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeRequest {
    /// The filing's `version` as last seen.
    pub version: i32,
}

/// Assign, reassign or unassign a filing (supervisors).
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = AssignRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "stale version or not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "the assignee cannot review this filing", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/assign")]
pub async fn assign(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<AssignRequest>,
) -> ApiResult<HttpResponse> {
    let AssignRequest {
        assignee_id,
        version,
    } = body.into_inner();
    let detail = review::assign(&core, &auth, id.into_inner(), assignee_id, version).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Take an unassigned filing for oneself (reviewers).
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = TakeRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "already assigned, stale version or not waiting for review", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/take")]
pub async fn take(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<TakeRequest>,
) -> ApiResult<HttpResponse> {
    let version = body.into_inner().version;
    let detail = review::take(&core, &auth, id.into_inner(), version).await?;
    Ok(HttpResponse::Ok().json(detail))
}
