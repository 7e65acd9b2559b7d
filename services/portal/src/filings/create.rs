//! Start a filing: an initial filing, or a change or deregistration of a filed record.

use actix_web::post;
use actix_web::{web, HttpResponse};
use frt_cases::filings::drafts;
use frt_domain::filing::FilingKind;
use frt_domain::form::FilingForm;
use frt_store::views;
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFiling {
    pub kind: FilingKind,
    /// The filed record a change or deregistration acts on.
    pub previous_filing_id: Option<Uuid>,
    /// The form so far; may be incomplete.
    #[serde(default)]
    pub form: FilingForm,
}

/// Create a draft filing.
#[utoipa::path(tag = "filings", security(("bearer" = [])), request_body = CreateFiling,
    responses(
    (status = 201, body = views::FilingDetail),
    (status = 422, description = "invalid previous record", content_type = "application/problem+json")))]
#[post("/api/v1/filings")]
pub async fn create_filing(
    core: web::Data<Core>,
    auth: Auth,
    body: frt_web::Json<CreateFiling>,
) -> ApiResult<HttpResponse> {
    let CreateFiling {
        kind,
        previous_filing_id,
        form,
    } = body.into_inner();
    let detail = drafts::create(&core, &auth, kind, previous_filing_id, form).await?;
    Ok(HttpResponse::Created().json(detail))
}
