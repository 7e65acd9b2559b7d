//! The audit trail of any entity (filing, organisation, user) for staff whose role may read
//! audit and whose jurisdiction covers the entity; keyset-paged by row id.

use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_store::{audit, identities, AsyncPgConnection};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    /// Rows after this row id (the `next_after` of the previous page).
    pub after: Option<i64>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailPage {
    pub entity_type: String,
    pub entity_id: String,
    pub items: Vec<audit::AuditRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Entity types with an audit trail staff can read.
const ENTITY_TYPES: [&str; 3] = ["filing", "organisation", "user"];

/// The province an entity belongs to (`None` for national staff accounts), or 404.
async fn province_of(
    conn: &mut AsyncPgConnection,
    auth: &Auth,
    entity_type: &str,
    id: Uuid,
) -> ApiResult<Option<String>> {
    match entity_type {
        "filing" => {
            let filing = frt_web::filing_reads::visible_filing(conn, auth, id).await?;
            Ok(Some(filing.province_code))
        }
        "organisation" => {
            let org = identities::organisation(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            Ok(Some(org.province_code))
        }
        _ => {
            let user = identities::user(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("user"))?;
            if let Some(org) = user.organisation_id {
                let org = identities::organisation(conn, org)
                    .await?
                    .ok_or_else(|| ApiError::not_found("user"))?;
                return Ok(Some(org.province_code));
            }
            let agency = match user.agency_id {
                Some(a) => identities::agency(conn, a).await?,
                None => None,
            };
            Ok(agency.and_then(|a| a.province_code))
        }
    }
}

/// The audit trail of one entity in the caller's jurisdiction, oldest first, with each row's
/// place and hash in the tamper-evident chain.
#[utoipa::path(get, path = "/api/v1/audit/{entity_type}/{entity_id}", tag = "audit", security(("bearer" = [])),
    params(("entity_type" = String, Path, description = "filing, organisation or user"),
           ("entity_id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage),
              (status = 400, description = "unknown entity type or bad page", content_type = "application/problem+json"),
              (status = 403, content_type = "application/problem+json"),
              (status = 404, content_type = "application/problem+json")))]
pub async fn trail(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(String, String)>,
    q: web::Query<TrailQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::Audit, Action::Read, None)?;
    let (entity_type, entity_id) = path.into_inner();
    if !ENTITY_TYPES.contains(&entity_type.as_str()) {
        return Err(ApiError::bad_request(
            "audit.unknown_entity_type",
            format!(
                "no audit trail for '{entity_type}': use one of {}",
                ENTITY_TYPES.join(", ")
            ),
        ));
    }
    // A malformed id names nothing: 404, as everywhere.
    let id = Uuid::parse_str(&entity_id).map_err(|_| ApiError::not_found(&entity_type))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request(
            "request.invalid_limit",
            "limit must be between 1 and 500",
        ));
    }
    let mut conn = core.db.conn().await?;
    // Outside the caller's jurisdiction an entity is not found, so ids cannot be probed.
    match province_of(&mut conn, &auth, &entity_type, id).await? {
        Some(p) if auth.principal.covers(&p) => {
            auth.require(&core, Resource::Audit, Action::Read, Some(&p))?
        }
        // National accounts belong to no province: only national staff read their trail.
        None if auth.principal.home_domain() == "*" => {}
        _ => return Err(ApiError::not_found(&entity_type)),
    }
    let entity_id = id.to_string();
    let items = audit::trail_page(&mut conn, &entity_type, &entity_id, q.after, limit).await?;
    let next_after = (items.len() as i64 == limit)
        .then(|| items.last().map(|r| r.id))
        .flatten();
    Ok(HttpResponse::Ok().json(TrailPage {
        entity_type,
        entity_id,
        items,
        next_after,
    }))
}
