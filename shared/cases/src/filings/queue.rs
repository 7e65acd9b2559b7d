//! The review queue: submitted filings of the caller's jurisdiction (or returned ones, waiting
//! for the processor), in the order a reviewer works them, keyset-paged so deep pages stay
//! fast; and the same queue as a spreadsheet.

use super::FilingError;
use crate::caller::Caller;
use crate::context::Core;
use crate::exports::{self, ExportError, Exported, Reader};
use crate::input::{self, BadParameter};
use crate::{china_offset, today_in_china};
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::{Action, Resource};
use frt_domain::calendar::Calendar;
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_domain::risk::RiskLevel;
use frt_sheets::export::Cell;
use frt_store::filings::{self, AssigneeFilter, QueueCursor, QueueFilter, QueueRow, QueueSort};
use frt_store::scope::Scope;
use frt_store::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The queue's filters, order and page, as a request gives them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next` from the previous page (with the same filters and sort).
    #[param(pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$")]
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
    /// `true` for filings returned for correction and submitted again only, `false` for
    /// those never returned.
    pub resubmitted: Option<bool>,
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
    pub submitted_at: Option<DateTime<Utc>>,
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
        let review_working_days_left = r
            .review_due_date
            .map(|due| crate::calendar::working_days_left(calendar, today, due));
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

/// The start of a China-time day, as an instant.
fn china_day_start(day: &str, field: &str) -> Result<DateTime<Utc>, BadParameter> {
    let d = input::date(field, day)?;
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_offset()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| BadParameter::new(field, "invalid_date", "out of range"))
}

/// The store's filter for a query; `me` is the caller's user id.
pub fn filter_of(q: &QueueQuery, me: Uuid) -> Result<QueueFilter, BadParameter> {
    let assignee = match q.assignee.as_deref() {
        None => None,
        Some("me") => Some(AssigneeFilter::User(me)),
        Some("unassigned") => Some(AssigneeFilter::Unassigned),
        Some(other) => Some(AssigneeFilter::User(input::parsed("assignee", other)?)),
    };
    let status = q
        .status
        .as_deref()
        .map(|s| input::one_of("status", s, &["submitted", "returned"]))
        .transpose()?
        .filter(|s| *s == FilingStatus::Returned.as_str())
        .map(str::to_owned);
    let kind = q
        .kind
        .as_deref()
        .map(|k| input::parsed::<FilingKind>("kind", k).map(|k| k.as_str().to_owned()))
        .transpose()?;
    let sort = match q.sort.as_deref() {
        None => QueueSort::ReviewDue,
        Some(s) => match input::one_of(
            "sort",
            s,
            &["review_due", "statutory_due", "submitted", "risk"],
        )? {
            "statutory_due" => QueueSort::StatutoryDue,
            "submitted" => QueueSort::Submitted,
            "risk" => QueueSort::Risk,
            _ => QueueSort::ReviewDue,
        },
    };
    let levels = RiskLevel::ALL.map(|l| l.as_str());
    let min_risk_rank = q
        .risk
        .as_deref()
        .map(|r| {
            let r = input::one_of("risk", r, &levels)?;
            Ok::<_, BadParameter>(
                levels
                    .iter()
                    .position(|l| *l == r)
                    .and_then(|p| i16::try_from(p).ok())
                    .unwrap_or(0),
            )
        })
        .transpose()?;
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
    let processor = q
        .processor
        .as_deref()
        .map(|p| input::bounded("processor", p, 200).map(str::to_owned))
        .transpose()?;
    Ok(QueueFilter {
        status,
        kind,
        late: q.late,
        processor,
        submitted_from,
        submitted_before,
        assignee,
        min_risk_rank,
        resubmitted: q.resubmitted,
        sort,
    })
}

/// The page size and the cursor to start after, checked against the filter's order.
pub fn page_of(
    q: &QueueQuery,
    filter: &QueueFilter,
) -> Result<(i64, Option<QueueCursor>), BadParameter> {
    let limit = input::limit(q.limit)?;
    let after: Option<QueueCursor> = input::cursor("after", q.after.as_deref())?;
    let fits = after.as_ref().is_none_or(|c| {
        matches!(
            (c, filter.sort),
            (QueueCursor::Due { .. }, QueueSort::StatutoryDue)
                | (QueueCursor::Submitted { .. }, QueueSort::Submitted)
                | (QueueCursor::Risk { .. }, QueueSort::Risk)
                | (QueueCursor::ReviewDue { .. }, QueueSort::ReviewDue)
        )
    });
    if !fits {
        return Err(input::bad_cursor("after"));
    }
    Ok((limit, after))
}

/// The queue's scope: the caller's jurisdiction, narrowed to `province` when given.
pub fn scope_of(caller: &Caller, q: &QueueQuery) -> Result<Scope, FilingError> {
    caller.scope_within(q.province.as_deref(), "filings of that province")
}

/// The cursor after `r` in the order `sort`.
pub fn next_cursor(sort: QueueSort, r: &QueueRow) -> Option<QueueCursor> {
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

/// The queue's cursor after `item` in its default order (the review clock): where a reader
/// that took the page up to `item` goes on (the workbench, which takes part of a page).
pub fn review_due_cursor(item: &ReviewQueueItem) -> String {
    crate::cursor::encode(&QueueCursor::ReviewDue {
        review_due: filings::review_key(item.review_due_date),
        due_date: item.due_date,
        id: item.id,
    })
}

/// Filings waiting for review (or for the processor) in the caller's jurisdiction.
pub async fn review_queue(
    core: &Core,
    caller: &Caller,
    q: &QueueQuery,
) -> Result<ReviewQueuePage, FilingError> {
    caller.require(core, Resource::FILING, Action::Review, None)?;
    let filter = filter_of(q, caller.principal.user_id)?;
    let (limit, after) = page_of(q, &filter)?;
    let scope = scope_of(caller, q)?;
    core.db
        .read(|conn| {
            async move {
                let rows = filings::review_queue(conn, &scope, &filter, after, limit).await?;
                let next = crate::cursor::next(&rows, limit, |r| next_cursor(filter.sort, r));
                let calendar = core.calendars.get(conn).await?;
                let today = today_in_china();
                Ok(ReviewQueuePage {
                    items: rows
                        .into_iter()
                        .map(|r| ReviewQueueItem::from_row(r, &calendar, today))
                        .collect(),
                    next,
                })
            }
            .scope_boxed()
        })
        .await
}

pub const QUEUE_HEADERS: &[&str] = &[
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
pub async fn export(core: &Core, caller: &Caller, q: &QueueQuery) -> Result<Exported, ExportError> {
    caller.require(core, Resource::FILING, Action::Review, None)?;
    let filter = filter_of(q, caller.principal.user_id)?;
    page_of(q, &filter)?;
    let scope = scope_of(caller, q).map_err(|e| match e {
        FilingError::Parameter(p) => ExportError::Parameter(p),
        FilingError::Denied(d) => ExportError::Denied(d),
        other => ExportError::Store(crate::StoreError::Internal(anyhow::anyhow!("{other}"))),
    })?;
    let reader = Reader {
        scope,
        personal: true,
        actor: caller.actor.clone(),
    };
    let filters = serde_json::to_value(q).unwrap_or_else(|_| json!({}));
    export_of(core, &reader, filters, &filter).await
}

/// The review queue of `reader.scope` filtered by `filter`, as xlsx (also `frtctl export`).
pub async fn export_of(
    core: &Core,
    reader: &Reader,
    filters: serde_json::Value,
    filter: &QueueFilter,
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
            core.db
                .batch_read(|conn| {
                    async move {
                        let mut after = None;
                        loop {
                            let rows =
                                filings::review_queue(conn, scope, filter, after, QUEUE_PAGE)
                                    .await?;
                            let full = rows.len() as i64 == QUEUE_PAGE;
                            after = rows.last().and_then(|r| next_cursor(filter.sort, r));
                            for r in rows {
                                let submitted = r.submitted_at.map(crate::china_date);
                                let kind = r.kind.parse::<FilingKind>().ok();
                                let status = r.status.parse::<FilingStatus>().ok();
                                let row = vec![
                                    Cell::from(
                                        kind.map_or(r.kind.clone(), |k| k.name_zh().to_owned()),
                                    ),
                                    Cell::from(
                                        status.map_or(r.status.clone(), |s| s.name_zh().to_owned()),
                                    ),
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
                    }
                    .scope_boxed()
                })
                .await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_days_start_at_utc_minus_eight() {
        let t = china_day_start("2026-11-23", "f").expect("day");
        assert_eq!(t.to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert!(china_day_start("23/11/2026", "f").is_err());
    }

    #[test]
    fn filters_refuse_by_name() {
        let me = Uuid::now_v7();
        let q = |f: fn(&mut QueueQuery)| {
            let mut q = QueueQuery::default();
            f(&mut q);
            filter_of(&q, me)
        };
        assert_eq!(
            q(|q| q.sort = Some("alphabetical".into()))
                .map(|_| ())
                .map_err(|e| e.name),
            Err("sort".into())
        );
        assert_eq!(
            q(|q| q.risk = Some("extreme".into()))
                .map(|_| ())
                .map_err(|e| e.name),
            Err("risk".into())
        );
        assert_eq!(
            q(|q| q.assignee = Some("someone".into()))
                .map(|_| ())
                .map_err(|e| e.name),
            Err("assignee".into())
        );
        assert!(q(|q| q.status = Some("returned".into()))
            .is_ok_and(|f| f.status.as_deref() == Some("returned")));
    }
}
