//! Save the form of a draft or returned filing; incomplete is fine until submission.

use actix_web::put;
use actix_web::{web, HttpResponse};
use frt_cases::filings::drafts;
use frt_domain::form::FilingForm;
use frt_store::views;
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveForm {
    /// The `version` of the filing this edit starts from.
    pub version: i32,
    pub form: FilingForm,
}

/// Save the form (replaces it whole). A stale version answers 409.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = SaveForm,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "stale version or not editable", content_type = "application/problem+json")))]
#[put("/api/v1/filings/{id}/form")]
pub async fn save_form(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<SaveForm>,
) -> ApiResult<HttpResponse> {
    let SaveForm { version, form } = body.into_inner();
    let detail = drafts::save_form(&core, &auth, id.into_inner(), version, form).await?;
    Ok(HttpResponse::Ok().json(detail))
}
