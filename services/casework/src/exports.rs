//! Exports as xlsx (streamed from the database in constant memory): the registry and the
//! review queue, taking the queue's own filters. Each is audited with its filters and rows.

use crate::queue::{filter_of, next_cursor, page_of, scope_of, QueueQuery};
use actix_web::{get, web, HttpResponse};
use frt_access::{Action, Resource};
use frt_cases::exports::{self, ExportError, Exported, Reader};
use frt_sheets::export::Cell;
use frt_store::filings;
use frt_web::{ApiResult, Auth, Core};
use serde_json::json;

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
    let reader = Reader::staff(&core, &auth, Resource::ORGANISATION)?;
    let exported = exports::registry(&core, &reader).await?;
    respond(exported, "备案登记.xlsx").await
}

const QUEUE_HEADERS: &[&str] = &[
    "备案类型",
    "状态",
    "单位名称",
    "统一社会信用代码",
    "所在省份",
    "提交日期",
    "法定办理期限",
    "逾期工作日",
    "风险等级",
    "审查期限",
];

/// Rows per keyset page of the queue export.
const QUEUE_PAGE: i64 = 1_000;

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
    auth.require(&core, Resource::FILING, Action::Review, None)?;
    let q = q.into_inner();
    let filter = filter_of(&q, auth.principal.user_id)?;
    // Checked as the queue checks them, though every matching filing is exported.
    page_of(&q, &filter)?;
    let scope = scope_of(&auth, &q)?;
    let reader = Reader {
        scope,
        personal: true,
        actor: auth.actor.clone(),
    };
    let filters = json!({
        "province": q.province, "status": q.status, "kind": q.kind, "late": q.late,
        "processor": q.processor, "submitted_from": q.submitted_from,
        "submitted_to": q.submitted_to, "assignee": q.assignee, "risk": q.risk, "sort": q.sort,
    });
    let exported = review_queue_export(&core, &reader, filters, &filter).await?;
    respond(exported, "审查队列.xlsx").await
}

/// The review queue of `reader.scope` filtered by `filter`, as xlsx (also `frtctl export`).
pub async fn review_queue_export(
    core: &Core,
    reader: &Reader,
    filters: serde_json::Value,
    filter: &filings::QueueFilter,
) -> Result<Exported, ExportError> {
    let scope = &reader.scope;
    exports::stream(
        core,
        reader,
        "review_queue",
        filters,
        "审查队列",
        QUEUE_HEADERS,
        |sink| async move {
            let mut conn = core.db.conn().await?;
            let mut after = None;
            loop {
                let rows =
                    filings::review_queue(&mut conn, scope, filter, after, QUEUE_PAGE).await?;
                let full = rows.len() as i64 == QUEUE_PAGE;
                after = rows.last().and_then(|r| next_cursor(filter.sort, r));
                for r in rows {
                    let submitted = r
                        .submitted_at
                        .map(|t| (t + chrono::Duration::hours(8)).date_naive());
                    let row = vec![
                        Cell::from(kind_zh(&r.kind)),
                        Cell::from(status_zh(&r.status)),
                        r.organisation_name.into(),
                        r.uscc.into(),
                        r.province_code.into(),
                        submitted.into(),
                        Cell::Date(r.due_date),
                        r.late_by_working_days
                            .map_or(Cell::Empty, |d| i64::from(d).into()),
                        r.risk_level.into(),
                        r.review_due_date.into(),
                    ];
                    if sink.send(row).await.is_err() {
                        return Ok(());
                    }
                }
                if !full || after.is_none() {
                    return Ok::<_, ExportError>(());
                }
            }
        },
    )
    .await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProvinceQuery {
    /// One province of the caller's jurisdiction (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
}

fn province_of(q: &Option<String>) -> ApiResult<Option<String>> {
    q.as_deref()
        .map(|p| {
            frt_domain::region::ProvinceCode::parse(p)
                .map(|c| c.as_str().to_owned())
                .map_err(|e| {
                    frt_web::error::ApiError::bad_request("request.invalid_province", e.to_string())
                })
        })
        .transpose()
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
    let province = province_of(&q.province)?;
    let reader = Reader::staff(&core, &auth, Resource::INSPECTION)?;
    let exported = exports::inspections(&core, &reader, province.as_deref()).await?;
    respond(exported, "检查结果公开.xlsx").await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The month, YYYY-MM (China time).
    #[param(pattern = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$")]
    pub month: String,
    /// One province of the caller's jurisdiction (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
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
    let province = province_of(&q.province)?;
    let reader = Reader::staff(&core, &auth, Resource::ORGANISATION)?;
    let exported = exports::statistics(&core, &reader, &q.month, province.as_deref()).await?;
    respond(exported, &format!("统计-{}.xlsx", q.month)).await
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "initial" => "首次备案",
        "change" => "变更备案",
        "deregistration" => "注销备案",
        _ => "其他",
    }
}

fn status_zh(status: &str) -> &'static str {
    match status {
        "submitted" => "待审查",
        "returned" => "退回补正",
        "filed" => "已备案",
        "rejected" => "不予备案",
        _ => "其他",
    }
}
