//! One filing in full, and its history.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::{Action, Resource};
use frt_store::{audit, filings, identities, views};
use frt_web::{ApiResult, Auth, Core};
use serde::Serialize;
use uuid::Uuid;

/// A filing with its form, materials, deadline and decision.
#[utoipa::path(get, path = "/api/v1/filings/{id}", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = views::FilingDetail), (status = 404, content_type = "application/problem+json")))]
pub async fn show(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(frt_cases::filings::reads::detail(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    /// A user of the organisation by email, or "regulator" for staff.
    pub by: String,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// What happened to a filing, oldest first.
#[utoipa::path(get, path = "/api/v1/filings/{id}/history", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = [HistoryEntry]), (status = 404, content_type = "application/problem+json")))]
pub async fn history(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Read, None)?;
    let id = id.into_inner();
    let mut conn = core.db.conn().await?;
    frt_cases::filings::reads::visible(&mut conn, &auth.principal.filing_scope(), id).await?;
    let org = auth.principal.organisation_id();
    let colleagues: Vec<(Uuid, String)> = match org {
        Some(o) => identities::users_of_organisation(&mut conn, o)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect(),
        None => Vec::new(),
    };
    let rows = audit::trail(&mut conn, filings::ENTITY, &id.to_string()).await?;
    let entries: Vec<HistoryEntry> = rows
        .into_iter()
        .filter(|r| r.action != "attachment.downloaded")
        .map(|r| HistoryEntry {
            at: r.at,
            by: r
                .actor_id
                .and_then(|a| {
                    colleagues
                        .iter()
                        .find(|(id, _)| *id == a)
                        .map(|(_, e)| e.clone())
                })
                .unwrap_or_else(|| "regulator".into()),
            action: r.action,
            details: r.after,
        })
        .collect();
    Ok(HttpResponse::Ok().json(entries))
}
