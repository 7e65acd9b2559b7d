//! Start a filing: an initial filing, or a change or deregistration of a filed record.

use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_domain::form::FilingForm;
use frt_store::filings::{self, NewFiling};
use frt_store::{audit, identities, views, ScopedFutureExt};
use frt_web::error::FieldError;
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::Deserialize;
use serde_json::json;
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

fn previous_problem(code: &str, message: &str) -> ApiError {
    ApiError::unprocessable("filing.invalid_previous", message.to_owned()).with_errors(vec![
        FieldError {
            path: "previous_filing_id".into(),
            code: code.into(),
            message: message.into(),
        },
    ])
}

/// Create a draft filing.
#[utoipa::path(post, path = "/api/v1/filings", tag = "filings", security(("bearer" = [])), request_body = CreateFiling,
    responses(
    (status = 201, body = views::FilingDetail),
    (status = 422, description = "invalid previous record", content_type = "application/problem+json")))]
pub async fn create(
    core: web::Data<Core>,
    auth: Auth,
    body: frt_web::Json<CreateFiling>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Write, None)?;
    let org_id = auth
        .principal
        .organisation_id()
        .ok_or_else(|| ApiError::forbidden("only a processor's users file"))?;
    let CreateFiling {
        kind,
        previous_filing_id,
        form,
    } = body.into_inner();
    let form = serde_json::to_value(&form).map_err(ApiError::internal)?;
    let scope = auth.principal.filing_scope();
    let actor = auth.actor.clone();
    let user_id = auth.principal.user_id;
    let detail = core
        .db
        .tx(|conn| {
            async move {
                match (kind.needs_previous_record(), previous_filing_id) {
                    (false, Some(_)) => {
                        return Err(previous_problem("not_allowed", "an initial filing does not name a previous record"))
                    }
                    (true, None) => {
                        return Err(previous_problem(
                            "required",
                            "a change or deregistration names the filed record it acts on (previous_filing_id)",
                        ))
                    }
                    (true, Some(prev)) => {
                        let filed = filings::get(conn, prev, &scope)
                            .await?
                            .is_some_and(|p| p.status == FilingStatus::Filed.as_str());
                        if !filed {
                            return Err(previous_problem(
                                "not_filed",
                                "previous_filing_id must be one of your organisation's filed (已备案) records",
                            ));
                        }
                    }
                    (false, None) => {}
                }
                let org = identities::organisation(conn, org_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("organisation"))?;
                let filing = filings::insert(
                    conn,
                    &NewFiling {
                        id: Uuid::now_v7(),
                        organisation_id: org_id,
                        province_code: org.province_code,
                        kind: kind.as_str().to_owned(),
                        status: FilingStatus::Draft.as_str().to_owned(),
                        form,
                        previous_filing_id,
                        created_by: user_id,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "filing.created",
                    filings::ENTITY,
                    &filing.id.to_string(),
                    None,
                    Some(json!({ "kind": filing.kind, "status": filing.status, "previous_filing_id": filing.previous_filing_id })),
                )
                .await?;
                Ok(views::detail_of(conn, filing, views::Audience::Processor).await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Created().json(detail))
}
