//! The registry (备案登记) for staff: `frt_cases::filings::reads::registry` does the work.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::reads::{self, RegistryQuery};
use frt_cases::input::Page;
use frt_store::registry::RegistryEntry;
use frt_web::{ApiResult, Auth, Core};

/// Recorded processors of the caller's jurisdiction, by name.
#[utoipa::path(tag = "review", security(("bearer" = [])), params(RegistryQuery),
    responses((status = 200, body = Page<RegistryEntry>)))]
#[get("/api/v1/registry")]
pub async fn list_registry(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<RegistryQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(reads::registry(&core, &auth, &q).await?))
}
