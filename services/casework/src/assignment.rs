//! Who works a filing: a supervisor assigns or reassigns it to a reviewer of the filing's
//! province; a reviewer takes an unassigned one. Both name the version they saw, so two people
//! acting at once cannot both win.

use actix_web::{web, HttpResponse};
use frt_access::{Action, AgencyKind, Resource, Role};
use frt_store::filings::{self, Filing};
use frt_store::{audit, identities, views, AsyncPgConnection, ScopedFutureExt};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::Deserialize;
use serde_json::json;
use std::str::FromStr;
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

pub fn stale(expected: i32) -> ApiError {
    ApiError::conflict(
        "filing.version_conflict",
        format!("the filing changed since version {expected}; reload it and decide again"),
    )
}

/// Loads a filing in the caller's scope that is waiting for review.
async fn waiting(conn: &mut AsyncPgConnection, auth: &Auth, id: Uuid) -> ApiResult<Filing> {
    let f = filings::get_for_update(conn, id, &auth.principal.filing_scope())
        .await?
        .ok_or_else(|| ApiError::not_found("filing"))?;
    if f.status != "submitted" {
        return Err(ApiError::conflict(
            "filing.not_in_review",
            format!(
                "the filing is {}; only filings waiting for review are assigned",
                f.status
            ),
        ));
    }
    Ok(f)
}

/// Whether `user` can review filings of `province`: an active reviewer or supervisor of that
/// province's CAC office, or of the national CAC.
async fn can_review(conn: &mut AsyncPgConnection, user: Uuid, province: &str) -> ApiResult<bool> {
    let Some(u) = identities::user(conn, user).await? else {
        return Ok(false);
    };
    let role_ok = matches!(
        Role::from_str(&u.role),
        Ok(Role::Reviewer | Role::Supervisor)
    );
    let Some(agency) = (match u.agency_id {
        Some(a) => identities::agency(conn, a).await?,
        None => None,
    }) else {
        return Ok(false);
    };
    let agency_ok = match AgencyKind::from_str(&agency.kind) {
        Ok(AgencyKind::NationalCac) => true,
        Ok(AgencyKind::ProvincialCac) => agency.province_code.as_deref() == Some(province),
        _ => false,
    };
    Ok(u.active && role_ok && agency_ok)
}

/// Assign, reassign or unassign a filing (supervisors).
#[utoipa::path(post, path = "/api/v1/filings/{id}/assign", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = AssignRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "stale version or not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "the assignee cannot review this filing", content_type = "application/problem+json")))]
pub async fn assign(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<AssignRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Assign, None)?;
    let id = id.into_inner();
    let AssignRequest {
        assignee_id,
        version,
    } = body.into_inner();
    let detail = core
        .db
        .tx(|conn| {
            let (core, auth) = (&core, &auth);
            async move {
                let f = waiting(conn, auth, id).await?;
                auth.require(core, Resource::FILING, Action::Assign, Some(&f.province_code))?;
                if let Some(a) = assignee_id {
                    if !can_review(conn, a, &f.province_code).await? {
                        return Err(ApiError::unprocessable(
                            "filing.invalid_assignee",
                            "the assignee must be an active reviewer or supervisor who can review this province",
                        ));
                    }
                }
                let updated = filings::assign(conn, id, version, assignee_id).await?.ok_or_else(|| stale(version))?;
                audit::record(
                    conn,
                    &auth.actor,
                    "filing.assigned",
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "assignee_id": f.assignee_id })),
                    Some(json!({ "assignee_id": assignee_id })),
                )
                .await?;
                Ok::<_, ApiError>(views::detail_of(conn, updated, views::Audience::Staff).await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Take an unassigned filing for oneself (reviewers).
#[utoipa::path(post, path = "/api/v1/filings/{id}/take", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = TakeRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "already assigned, stale version or not waiting for review", content_type = "application/problem+json")))]
pub async fn take(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<TakeRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Review, None)?;
    let id = id.into_inner();
    let version = body.into_inner().version;
    let me = auth.principal.user_id;
    let detail = core
        .db
        .tx(|conn| {
            let (core, auth) = (&core, &auth);
            async move {
                let f = waiting(conn, auth, id).await?;
                auth.require(
                    core,
                    Resource::FILING,
                    Action::Review,
                    Some(&f.province_code),
                )?;
                if f.assignee_id.is_some_and(|a| a != me) {
                    return Err(ApiError::conflict(
                        "filing.already_assigned",
                        "the filing is assigned to someone else; ask a supervisor to reassign it",
                    ));
                }
                let updated = filings::assign(conn, id, version, Some(me))
                    .await?
                    .ok_or_else(|| stale(version))?;
                audit::record(
                    conn,
                    &auth.actor,
                    "filing.taken",
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "assignee_id": f.assignee_id })),
                    Some(json!({ "assignee_id": me })),
                )
                .await?;
                Ok::<_, ApiError>(views::detail_of(conn, updated, views::Audience::Staff).await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}
