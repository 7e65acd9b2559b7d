//! The review queue: submitted filings of the caller's jurisdiction, oldest statutory deadline
//! first, keyset-paged so deep pages stay fast.

use actix_web::get;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::calendar::Calendar;
use frt_domain::filing::FilingKind;
use frt_domain::region::ProvinceCode;
use frt_domain::risk::RiskLevel;
use frt_store::filings::{
    self, AssigneeFilter, QueueCursor, QueueFilter, QueueRow, QueueSort, Scope,
};
use frt_web::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use frt_web::{today_in_china, ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next` from the previous page (with the same filters and sort).
    pub after: Option<String>,
    /// National staff: narrow to one province (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// `submitted` (default: waiting for review) or `returned` (waiting for the processor).
    #[param(pattern = "^(submitted|returned)$")]
    pub status: Option<String>,
    /// `initial`, `change` or `deregistration`.
    #[param(pattern = "^(initial|change|deregistration)$")]
    pub kind: Option<String>,
    /// `true` for late filings only, `false` for on-time ones only.
    pub late: Option<bool>,
    /// Part of the processor's name, or its USCC (at most 200 characters).
    #[param(max_length = 200)]
    pub processor: Option<String>,
    /// Submitted on or after this day (China time), YYYY-MM-DD.
    #[param(format = Date, pattern = "^(19[0-9]{2}|2[0-9]{3})-")]
    pub submitted_from: Option<String>,
    /// Submitted on or before this day (China time), YYYY-MM-DD.
    #[param(format = Date, pattern = "^(19[0-9]{2}|2[0-9]{3})-")]
    pub submitted_to: Option<String>,
    /// `me`, `unassigned`, or a reviewer's id.
    #[param(
        pattern = "^(me|unassigned|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub assignee: Option<String>,
    /// At least this risk level: none, low, medium, high or critical.
    #[param(pattern = "^(none|low|medium|high|critical)$")]
    pub risk: Option<String>,
    /// `review_due` (default: the regulator's own review due date, then the statutory one),
    /// `statutory_due`, `submitted` (longest waiting first) or `risk` (highest first).
    #[param(pattern = "^(review_due|statutory_due|submitted|risk)$")]
    pub sort: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewQueueItem {
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
    pub assignee_id: Option<Uuid>,
    /// Send back when assigning or deciding.
    pub version: i32,
    /// none, low, medium, high or critical.
    pub risk_level: String,
    /// The regulator's review due date (its clock pauses while a filing waits for correction).
    pub review_due_date: Option<NaiveDate>,
    /// Working days left on the review clock, counted from today; negative when overdue.
    pub review_working_days_left: Option<i64>,
}

impl ReviewQueueItem {
    /// A queue row with the working days left on its review clock (negative when overdue).
    fn from_row(r: QueueRow, calendar: &Calendar, today: NaiveDate) -> Self {
        let review_working_days_left = r.review_due_date.map(|due| {
            if due >= today {
                calendar.working_days_between(today, due).days
            } else {
                -calendar.working_days_between(due, today).days
            }
        });
        Self {
            review_due_date: r.review_due_date,
            review_working_days_left,
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
            assignee_id: r.assignee_id,
            version: r.version,
            risk_level: r.risk_level,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewQueuePage {
    pub items: Vec<ReviewQueueItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Parses a cursor: `d<YYYY-MM-DD>_<uuid>` (by due date), `s<unix micros>_<uuid>` (by
/// submission time) or `r<rank>.<YYYY-MM-DD>_<uuid>` (by risk, then due date).
pub fn parse_cursor(s: &str) -> Option<QueueCursor> {
    let (key, id) = s.split_once('_')?;
    let id: Uuid = id.parse().ok()?;
    // Dates and instants within the supported years only: a forged cursor reaches no query.
    let date = |d: &str| frt_domain::civil::parse(d).ok();
    match key.split_at_checked(1)? {
        ("d", d) => Some(QueueCursor::Due {
            due_date: date(d)?,
            id,
        }),
        ("s", micros) => {
            let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            frt_domain::civil::check(at.date_naive()).ok()?;
            Some(QueueCursor::Submitted { at, id })
        }
        ("v", rest) => {
            let (review, due) = rest.split_once('.')?;
            // A paused clock sorts by the store's key for "no review due date".
            let paused = filings::review_key(None);
            let review_due = date(review)
                .or_else(|| (review == paused.format("%Y-%m-%d").to_string()).then_some(paused))?;
            Some(QueueCursor::ReviewDue {
                review_due,
                due_date: date(due)?,
                id,
            })
        }
        ("r", rest) => {
            let (rank, d) = rest.split_once('.')?;
            Some(QueueCursor::Risk {
                rank: rank.parse().ok().filter(|r| (0..=4).contains(r))?,
                due_date: date(d)?,
                id,
            })
        }
        _ => None,
    }
}

pub fn format_cursor(c: &QueueCursor) -> String {
    match c {
        QueueCursor::Due { due_date, id } => format!("d{}_{id}", due_date.format("%Y-%m-%d")),
        QueueCursor::Submitted { at, id } => format!("s{}_{id}", at.timestamp_micros()),
        QueueCursor::Risk { rank, due_date, id } => {
            format!("r{rank}.{}_{id}", due_date.format("%Y-%m-%d"))
        }
        QueueCursor::ReviewDue {
            review_due,
            due_date,
            id,
        } => format!(
            "v{}.{}_{id}",
            review_due.format("%Y-%m-%d"),
            due_date.format("%Y-%m-%d")
        ),
    }
}

fn bad(code: &str, detail: impl Into<String>) -> ApiError {
    ApiError::bad_request(code, detail)
}

/// The start of a China-time day, as an instant.
fn china_day_start(day: &str, field: &str) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    let d = frt_web::params::date(field, day)?;
    let local = d
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| bad("request.invalid_date", format!("{field} is out of range")))?;
    Ok(chrono::DateTime::from_naive_utc_and_offset(
        local - chrono::Duration::hours(8),
        chrono::Utc,
    ))
}

/// Turns the query into a store filter, refusing bad values with clear messages; `me` is the
/// caller's user id.
pub fn filter_of(q: &QueueQuery, me: Uuid) -> Result<QueueFilter, ApiError> {
    let assignee = match q.assignee.as_deref() {
        None => None,
        Some("me") => Some(AssigneeFilter::User(me)),
        Some("unassigned") => Some(AssigneeFilter::Unassigned),
        Some(other) => Some(AssigneeFilter::User(other.parse().map_err(|_| {
            bad(
                "request.invalid_assignee",
                "assignee must be 'me', 'unassigned' or a user id",
            )
        })?)),
    };
    let status = match q.status.as_deref() {
        None | Some("submitted") => None,
        Some("returned") => Some("returned".to_owned()),
        Some(other) => {
            return Err(bad(
                "request.invalid_status",
                format!("status '{other}' is not 'submitted' or 'returned'"),
            ))
        }
    };
    let kind = q
        .kind
        .as_deref()
        .map(|k| k.parse::<FilingKind>().map(|k| k.as_str().to_owned()))
        .transpose()
        .map_err(|e| bad("request.invalid_kind", e.to_string()))?;
    let sort = match q.sort.as_deref() {
        None | Some("review_due") => QueueSort::ReviewDue,
        Some("statutory_due") => QueueSort::StatutoryDue,
        Some("submitted") => QueueSort::Submitted,
        Some("risk") => QueueSort::Risk,
        Some(other) => {
            return Err(bad(
                "request.invalid_sort",
                format!(
                    "sort '{other}' is not 'review_due', 'statutory_due', 'submitted' or 'risk'"
                ),
            ))
        }
    };
    let min_risk_rank = match q.risk.as_deref() {
        None => None,
        Some(r) => Some(
            RiskLevel::ALL
                .iter()
                .position(|l| l.as_str() == r)
                .and_then(|p| i16::try_from(p).ok())
                .ok_or_else(|| {
                    bad(
                        "request.invalid_risk",
                        "risk must be none, low, medium, high or critical",
                    )
                })?,
        ),
    };
    let submitted_from = q
        .submitted_from
        .as_deref()
        .map(|d| china_day_start(d, "submitted_from"))
        .transpose()?;
    let submitted_before = q
        .submitted_to
        .as_deref()
        .map(|d| china_day_start(d, "submitted_to").map(|t| t + chrono::Duration::days(1)))
        .transpose()?;
    if q.processor
        .as_ref()
        .is_some_and(|p| p.chars().count() > 200)
    {
        return Err(bad(
            "request.invalid_processor",
            "processor is at most 200 characters",
        ));
    }
    Ok(QueueFilter {
        status,
        kind,
        late: q.late,
        processor: q.processor.clone(),
        submitted_from,
        submitted_before,
        assignee,
        min_risk_rank,
        sort,
    })
}

/// The page size and the cursor to start after, checked against the filter's order.
pub fn page_of(
    q: &QueueQuery,
    filter: &QueueFilter,
) -> Result<(i64, Option<QueueCursor>), ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "request.invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = match q.after.as_deref() {
        Some(a) => Some(
            parse_cursor(a)
                .filter(|c| {
                    matches!(
                        (c, filter.sort),
                        (QueueCursor::Due { .. }, QueueSort::StatutoryDue)
                            | (QueueCursor::Submitted { .. }, QueueSort::Submitted)
                            | (QueueCursor::Risk { .. }, QueueSort::Risk)
                            | (QueueCursor::ReviewDue { .. }, QueueSort::ReviewDue)
                    )
                })
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "request.invalid_cursor",
                        "after must be the 'next' value of a previous page",
                    )
                })?,
        ),
        None => None,
    };
    Ok((limit, after))
}

/// The queue's scope: the caller's jurisdiction, narrowed to `province` when given.
pub fn scope_of(auth: &Auth, q: &QueueQuery) -> Result<Scope, ApiError> {
    let mut scope = auth.principal.filing_scope();
    if let Some(p) = q.province.as_deref() {
        let p = ProvinceCode::parse(p)
            .map_err(|e| ApiError::bad_request("request.invalid_province", e.to_string()))?;
        if !auth.principal.covers(p.as_str()) {
            return Err(ApiError::forbidden(
                "that province is outside your jurisdiction",
            ));
        }
        // Narrowing only: an agency outside the CAC keeps to what was handed to it.
        if !matches!(scope, Scope::Granted(_)) {
            scope = Scope::Provinces(vec![p.as_str().to_owned()]);
        }
    }
    Ok(scope)
}

/// The cursor after `r` in the order `sort`.
pub fn next_cursor(sort: QueueSort, r: &filings::QueueRow) -> Option<QueueCursor> {
    match sort {
        QueueSort::StatutoryDue => Some(QueueCursor::Due {
            due_date: r.due_date,
            id: r.id,
        }),
        QueueSort::Submitted => r
            .submitted_at
            .map(|at| QueueCursor::Submitted { at, id: r.id }),
        QueueSort::Risk => Some(QueueCursor::Risk {
            rank: r.risk_rank,
            due_date: r.due_date,
            id: r.id,
        }),
        QueueSort::ReviewDue => Some(QueueCursor::ReviewDue {
            review_due: filings::review_key(r.review_due_date),
            due_date: r.due_date,
            id: r.id,
        }),
    }
}

/// Filings waiting for review in the caller's jurisdiction.
#[utoipa::path(tag = "review", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, body = ReviewQueuePage), (status = 400, content_type = "application/problem+json")))]
#[get("/api/v1/review/queue")]
pub async fn review_queue(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Review, None)?;
    let q = q.into_inner();
    let filter = filter_of(&q, auth.principal.user_id)?;
    let (limit, after) = page_of(&q, &filter)?;
    let scope = scope_of(&auth, &q)?;
    let mut conn = core.db.conn().await?;
    let rows = filings::review_queue(&mut conn, &scope, &filter, after, limit).await?;
    let next = if rows.len() as i64 == limit {
        rows.last().and_then(|r| next_cursor(filter.sort, r))
    } else {
        None
    }
    .map(|c| format_cursor(&c));
    let calendar = core.calendars.get(&mut conn).await?;
    let today = today_in_china();
    Ok(HttpResponse::Ok().json(ReviewQueuePage {
        items: rows
            .into_iter()
            .map(|r| ReviewQueueItem::from_row(r, &calendar, today))
            .collect(),
        next,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let due = QueueCursor::Due {
            due_date: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            id: Uuid::now_v7(),
        };
        assert_eq!(parse_cursor(&format_cursor(&due)), Some(due));
        let at = chrono::DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("instant");
        let sub = QueueCursor::Submitted {
            at,
            id: Uuid::now_v7(),
        };
        assert_eq!(parse_cursor(&format_cursor(&sub)), Some(sub));
        assert!(parse_cursor("garbage").is_none());
        assert!(parse_cursor("d2026-13-01_x").is_none());
        assert!(parse_cursor("x2026-01-01_00000000-0000-0000-0000-000000000000").is_none());
    }

    #[test]
    fn china_days_start_at_utc_minus_eight() {
        let t = china_day_start("2026-11-23", "f").expect("day");
        assert_eq!(t.to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert!(china_day_start("23/11/2026", "f").is_err());
    }
}
