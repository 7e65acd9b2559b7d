//! The registry (备案登记) for staff: each processor of the caller's jurisdiction with a
//! recorded filing, its state (filed, changed, deregistered), filing number and chain.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_store::registry::{self, RegistryEntry};
use frt_web::pagination::{Page, PageParams};
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// Part of the processor's name, or its USCC (at most 200 characters).
    #[param(max_length = 200)]
    pub processor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Rows to skip, 0 to 1,000,000.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

/// Recorded processors of the caller's jurisdiction, by name.
#[utoipa::path(tag = "review", security(("bearer" = [])), params(RegistryQuery),
    responses((status = 200, body = Page<RegistryEntry>)))]
#[get("/api/v1/registry")]
pub async fn list_registry(
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
    let processor = q
        .processor
        .as_deref()
        .map(|p| frt_web::params::text("processor", p, 200))
        .transpose()?;
    let mut conn = core.db.conn().await?;
    let (items, total) = registry::entries(
        &mut conn,
        &auth.principal.filing_scope(),
        processor,
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
