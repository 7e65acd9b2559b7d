//! Supervisor sign-off (审批), where configuration requires it: a supervisor approves a
//! reviewer's proposed decision (it then takes effect) or sends it back
//! (`frt_cases::filings::review` decides).

use actix_web::post;
use actix_web::{web, HttpResponse};
use frt_cases::filings::review;
use frt_store::views;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    /// true to let the proposed decision take effect, false to send it back to the reviewer.
    pub approve: bool,
    /// Why it is sent back (recorded in the audit trail), at most 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The filing's `version` as last seen.
    pub version: Option<i32>,
}

/// Approve or send back the decision a reviewer proposed (supervisors).
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = SignOffRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "nothing to sign off, or a stale version", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/sign-off")]
pub async fn sign_off(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<SignOffRequest>,
) -> ApiResult<HttpResponse> {
    let SignOffRequest {
        approve,
        note,
        version,
    } = body.into_inner();
    let detail = review::sign_off(&core, &auth, id.into_inner(), approve, note, version).await?;
    Ok(HttpResponse::Ok().json(detail))
}
