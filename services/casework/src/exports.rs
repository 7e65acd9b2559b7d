//! Exports as xlsx (streamed from the database in constant memory): the registry and the
//! review queue, taking the queue's own filters. Each is audited with its filters and rows.

use actix_web::{get, web, HttpResponse};
use frt_cases::exports::{self, Exported, ProvinceQuery, StatisticsQuery};
use frt_cases::filings::queue::{self, QueueQuery};
use frt_web::{ApiResult, Auth, Core};

/// The file of an export, streamed to the client (and removed from disk once open).
pub async fn respond(exported: Exported, filename: &str) -> ApiResult<HttpResponse> {
    let file = tokio::fs::File::open(&exported.path)
        .await
        .map_err(|e| frt_web::error::ApiError::internal(anyhow::anyhow!("export file: {e}")))?;
    let size = file
        .metadata()
        .await
        .map(|m| m.len())
        .map_err(|e| frt_web::error::ApiError::internal(anyhow::anyhow!("export file: {e}")))?;
    drop(exported);
    Ok(frt_web::download::respond(frt_cases::download::Download {
        filename: filename.to_owned(),
        content_type: crate::imports::XLSX.to_owned(),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        sha256: String::new(),
        file,
    }))
}

/// The registry (备案登记) of the caller's jurisdiction: every recorded processor with its
/// filing number, state, dates and contact; the contact is masked for a role that may not
/// read filings (inspectors).
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    responses((status = 200, description = "the registry (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
#[get("/api/v1/exports/registry.xlsx")]
pub async fn registry(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    let exported = exports::registry_for(&core, &auth).await?;
    respond(exported, "备案登记.xlsx").await
}

/// The review queue as xlsx, with the queue's own filters and order (`limit` and `after` are
/// checked as the queue checks them, but every matching filing is exported).
#[utoipa::path(tag = "exports", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, description = "the review queue (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, content_type = "application/problem+json")))]
#[get("/api/v1/exports/review-queue.xlsx")]
pub async fn review_queue(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    let exported = queue::export(&core, &auth, &q).await?;
    respond(exported, "审查队列.xlsx").await
}

/// The published results of closed inspections (一公开) of the caller's jurisdiction, latest
/// first, as xlsx.
#[utoipa::path(tag = "exports", security(("bearer" = [])), params(ProvinceQuery),
    responses((status = 200, description = "the published results (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, content_type = "application/problem+json")))]
#[get("/api/v1/exports/inspections.xlsx")]
pub async fn inspections(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<ProvinceQuery>,
) -> ApiResult<HttpResponse> {
    let exported = exports::inspections_for(&core, &auth, &q).await?;
    respond(exported, "检查结果公开.xlsx").await
}

/// Monthly statistics per province as xlsx: filings by status and kind, lateness, the median
/// working days to decide, complaints by outcome, and a chart sheet.
#[utoipa::path(tag = "exports", security(("bearer" = [])), params(StatisticsQuery),
    responses((status = 200, description = "the statistics (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, content_type = "application/problem+json")))]
#[get("/api/v1/exports/statistics.xlsx")]
pub async fn statistics(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<StatisticsQuery>,
) -> ApiResult<HttpResponse> {
    let exported = exports::statistics_for(&core, &auth, &q).await?;
    respond(exported, &format!("统计-{}.xlsx", q.month)).await
}
