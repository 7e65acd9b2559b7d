//! The processor's filings, newest first, with status and statutory due date.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_access::{Action, Resource};
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_store::filings::{self, FilingListRow, ListFilter};
use frt_web::pagination::{Page, PageParams};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[param(pattern = "^(draft|submitted|returned|filed|refused)$")]
    pub status: Option<String>,
    #[param(pattern = "^(initial|change|deregistration)$")]
    pub kind: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Rows to skip, 0 to 1,000,000.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FilingListItem {
    pub id: uuid::Uuid,
    pub kind: String,
    pub status: String,
    pub filing_number: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub due_date: Option<chrono::NaiveDate>,
    pub late_by_working_days: Option<i32>,
}

impl From<FilingListRow> for FilingListItem {
    fn from(r: FilingListRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            status: r.status,
            filing_number: r.filing_number,
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            due_date: r.due_date,
            late_by_working_days: r.late_by_working_days,
        }
    }
}

/// List the organisation's filings (filter by status and kind; paged).
#[utoipa::path(tag = "filings", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<FilingListItem>)))]
#[get("/api/v1/filings")]
pub async fn list_filings(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Read, None)?;
    let q = q.into_inner();
    let (limit, offset) = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .resolve()?;
    let status = q
        .status
        .map(|s| s.parse::<FilingStatus>().map(|s| s.as_str().to_owned()))
        .transpose()
        .map_err(|e| ApiError::bad_request("request.invalid_status", e.to_string()))?;
    let kind = q
        .kind
        .map(|k| k.parse::<FilingKind>().map(|k| k.as_str().to_owned()))
        .transpose()
        .map_err(|e| ApiError::bad_request("request.invalid_kind", e.to_string()))?;
    let scope = auth.principal.filing_scope();
    let mut conn = core.db.conn().await?;
    let (rows, total) = filings::list(
        &mut conn,
        &scope,
        &ListFilter { status, kind },
        limit,
        offset,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(FilingListItem::from).collect(),
        total,
        limit,
        offset,
    }))
}
