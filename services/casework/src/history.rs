//! A filing's history for the reviewer: every version the processor submitted, and the
//! field-level differences between two of them (`frt_cases::filings::history`).

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::history::{self, VersionDiff};
use frt_store::versions::FilingVersion;
use frt_web::{ApiResult, Auth, Core};
use serde::Deserialize;
use uuid::Uuid;

/// Every version of a filing as submitted, oldest first.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    responses((status = 200, body = [FilingVersion]), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/versions")]
pub async fn versions(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(history::versions(&core, &auth, id.into_inner()).await?))
}

/// The largest version number a query may name.
const MAX_VERSION: i32 = 1_000_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The earlier version (default: the one before `to`).
    #[param(minimum = 1, maximum = 1000000)]
    pub from: Option<i32>,
    /// The later version (default: the latest).
    #[param(minimum = 1, maximum = 1000000)]
    pub to: Option<i32>,
}

/// Field-level differences between two submitted versions.
#[utoipa::path(tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id"), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/versions/diff")]
pub async fn version_diff(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    q: web::Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    // Version numbers from outside are range-checked before any arithmetic on them.
    let given = |name, v: Option<i32>| {
        v.map(|v| frt_web::params::within(name, v, 1..=MAX_VERSION))
            .transpose()
    };
    let (from, to) = (given("from", q.from)?, given("to", q.to)?);
    let diff = history::diff(&core, &auth, id.into_inner(), from, to).await?;
    Ok(HttpResponse::Ok().json(diff))
}
