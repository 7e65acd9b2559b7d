//! The review queue: submitted filings of the caller's jurisdiction, oldest statutory deadline
//! first, keyset-paged so deep pages stay fast.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::region::ProvinceCode;
use frt_store::filings::{self, QueueCursor, QueueRow, Scope};
use frt_web::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// `next` from the previous page.
    pub after: Option<String>,
    /// National staff: narrow to one province.
    pub province: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub province_code: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub uscc: String,
    pub uscc_checksum_ok: bool,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub due_date: NaiveDate,
    pub late_by_working_days: Option<i32>,
}

impl From<QueueRow> for QueueItem {
    fn from(r: QueueRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            status: r.status,
            province_code: r.province_code,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            uscc: r.uscc,
            uscc_checksum_ok: r.uscc_checksum_ok,
            submitted_at: r.submitted_at,
            due_date: r.due_date,
            late_by_working_days: r.late_by_working_days,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Parses a cursor `YYYY-MM-DD_<uuid>`.
pub fn parse_cursor(s: &str) -> Option<QueueCursor> {
    let (d, id) = s.split_once('_')?;
    Some(QueueCursor {
        due_date: NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
        id: id.parse().ok()?,
    })
}

pub fn format_cursor(c: &QueueCursor) -> String {
    format!("{}_{}", c.due_date.format("%Y-%m-%d"), c.id)
}

/// Filings waiting for review in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/review/queue", tag = "review", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, body = QueuePage), (status = 400, content_type = "application/problem+json")))]
pub async fn queue(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::Filing, Action::Review, None)?;
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "request.invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = match q.after.as_deref() {
        Some(a) => Some(parse_cursor(a).ok_or_else(|| {
            ApiError::bad_request(
                "request.invalid_cursor",
                "after must be the 'next' value of a previous page",
            )
        })?),
        None => None,
    };
    let mut scope = auth.principal.filing_scope();
    if let Some(p) = q.province.as_deref() {
        let p = ProvinceCode::parse(p)
            .map_err(|e| ApiError::bad_request("request.invalid_province", e.to_string()))?;
        if !auth.principal.covers(p.as_str()) {
            return Err(ApiError::forbidden(
                "that province is outside your jurisdiction",
            ));
        }
        scope = Scope::Provinces(vec![p.as_str().to_owned()]);
    }
    let mut conn = core.db.conn().await?;
    let rows = filings::review_queue(&mut conn, &scope, after, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| {
            rows.last().map(|r| {
                format_cursor(&QueueCursor {
                    due_date: r.due_date,
                    id: r.id,
                })
            })
        })
        .flatten();
    Ok(HttpResponse::Ok().json(QueuePage {
        items: rows.into_iter().map(QueueItem::from).collect(),
        next,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = QueueCursor {
            due_date: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            id: Uuid::now_v7(),
        };
        let parsed = parse_cursor(&format_cursor(&c)).expect("parses");
        assert_eq!(parsed.due_date, c.due_date);
        assert_eq!(parsed.id, c.id);
        assert!(parse_cursor("garbage").is_none());
        assert!(parse_cursor("2026-13-01_x").is_none());
    }
}
