//! Decisions on a submitted filing: record it (备案, issuing a filing number), return it for
//! correction (退回补正) or refuse it (不予备案), both with reasons
//! (`frt_cases::filings::review` decides).

use actix_web::post;
use actix_web::{web, HttpResponse};
use frt_cases::filings::review::{self, Reason};
use frt_domain::filing::FilingAction;
use frt_store::views;
use frt_web::{ApiResult, Auth, Core, Json, MaybeJson};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonsRequest {
    /// 1 to 100 reasons.
    #[schema(min_items = 1, max_items = 100)]
    pub reasons: Vec<Reason>,
    /// The filing's `version` as last seen; a stale one is refused (409).
    pub version: Option<i32>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRequest {
    /// The filing's `version` as last seen; a stale one is refused (409).
    pub version: Option<i32>,
}

/// Record the filing and issue its number.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body(content = Option<RecordRequest>),
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/record")]
pub async fn record(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: MaybeJson<RecordRequest>,
) -> ApiResult<HttpResponse> {
    let version = body.into_inner().and_then(|r| r.version);
    let detail = review::record(&core, &auth, id.into_inner(), version).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Return the filing to the processor for correction (退回补正), with reasons; the
/// processor corrects and resubmits.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = ReasonsRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "no reasons", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/return")]
pub async fn return_for_correction(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<ReasonsRequest>,
) -> ApiResult<HttpResponse> {
    with_reasons(
        &core,
        &auth,
        id.into_inner(),
        body.into_inner(),
        FilingAction::Return,
    )
    .await
}

/// Refuse the filing (不予备案), with reasons; the decision is final.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = ReasonsRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "no reasons", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/refuse")]
pub async fn refuse(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<ReasonsRequest>,
) -> ApiResult<HttpResponse> {
    with_reasons(
        &core,
        &auth,
        id.into_inner(),
        body.into_inner(),
        FilingAction::Refuse,
    )
    .await
}

async fn with_reasons(
    core: &Core,
    auth: &Auth,
    id: Uuid,
    ReasonsRequest { reasons, version }: ReasonsRequest,
    action: FilingAction,
) -> ApiResult<HttpResponse> {
    let detail = review::decide_with_reasons(core, auth, id, action, reasons, version).await?;
    Ok(HttpResponse::Ok().json(detail))
}
