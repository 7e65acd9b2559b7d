//! Save the form of a draft or returned filing; incomplete is fine until submission.

use super::{not_editable, typed};
use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_domain::form::FilingForm;
use frt_store::{audit, filings, views, ScopedFutureExt};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveForm {
    /// The `version` of the filing this edit starts from.
    pub version: i32,
    pub form: FilingForm,
}

/// Save the form (replaces it whole). A stale version answers 409.
#[utoipa::path(put, path = "/api/v1/filings/{id}/form", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = SaveForm,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "stale version or not editable", content_type = "application/problem+json")))]
pub async fn save(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<SaveForm>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Write, None)?;
    let id = id.into_inner();
    let SaveForm { version, form } = body.into_inner();
    let form = serde_json::to_value(&form).map_err(ApiError::internal)?;
    let scope = auth.principal.filing_scope();
    let actor = auth.actor.clone();
    let detail = core
        .db
        .tx(|conn| {
            async move {
                let filing = filings::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or_else(|| ApiError::not_found("filing"))?;
                let (status, _) = typed(&filing)?;
                if !status.editable_by_processor() {
                    return Err(not_editable(status));
                }
                let before = filing.form.clone();
                let updated = filings::update_form(conn, id, version, &form).await?.ok_or_else(|| {
                    ApiError::conflict(
                        "filing.version_conflict",
                        format!(
                            "the filing was changed since version {version} (it is now version {}); reload it and apply your edit again",
                            filing.version
                        ),
                    )
                })?;
                audit::record(
                    conn,
                    &actor,
                    "filing.form_saved",
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "version": filing.version, "form": before })),
                    Some(json!({ "version": updated.version, "form": updated.form })),
                )
                .await?;
                Ok(views::detail_of(conn, updated, views::Audience::Processor).await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}
