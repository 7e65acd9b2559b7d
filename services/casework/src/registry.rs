//! The registry (备案登记) for staff: each processor of the caller's jurisdiction with a
//! recorded filing, its state (filed, changed, deregistered), filing number and chain.

use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_store::registry::{self, RegistryEntry};
use frt_web::pagination::{Page, PageParams};
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// Part of the processor's name, or its USCC.
    pub processor: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Recorded processors of the caller's jurisdiction, by name.
#[utoipa::path(get, path = "/api/v1/registry", tag = "review", security(("bearer" = [])), params(RegistryQuery),
    responses((status = 200, body = Page<RegistryEntry>)))]
pub async fn list(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<RegistryQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Read, None)?;
    let q = q.into_inner();
    let (limit, offset) = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .resolve()?;
    let mut conn = core.db.conn().await?;
    let (items, total) = registry::entries(
        &mut conn,
        &auth.principal.filing_scope(),
        q.processor.as_deref(),
        limit,
        offset,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        limit,
        offset,
    }))
}
