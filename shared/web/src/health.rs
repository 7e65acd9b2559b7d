//! `/healthz` (the process is up) and `/readyz` (the database answers and has every migration).

use crate::error::ApiError;
use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::Core;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database is reachable and its migrations are current.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, description = "not ready", content_type = "application/problem+json")))]
#[get("/readyz")]
pub async fn readyz(core: web::Data<Core>) -> Result<HttpResponse, ApiError> {
    match core.db.readiness().await {
        Ok(()) => Ok(HttpResponse::Ok().json(Health { status: "ready" })),
        Err(why) => {
            // The reason may carry the database's own words: logged, never sent.
            tracing::warn!(reason = %why, "not ready");
            Err(ApiError::unavailable(
                "not ready: the database is unreachable or not migrated",
            ))
        }
    }
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}
