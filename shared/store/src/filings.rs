//! Filings (备案) and their attachments. Every read takes a `Scope` that is applied in SQL, so
//! a row outside the caller's organisation or jurisdiction is simply not found.

use crate::schema::{attachments, deadlines, filing_number_counters, filings, organisations};
use crate::scope::{Reach, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// Entity type used for filings in the audit trail and the deadline table.
pub const ENTITY: &str = "filing";
/// Purpose of a filing's statutory deadline (Art. 15: 30 working days).
pub const STATUTORY_DEADLINE: &str = "statutory";
/// Purpose of the regulator's review deadline (paused while the processor corrects).
pub const REVIEW_DEADLINE: &str = "review";
/// Purpose of the processor's correction deadline after a return.
pub const CORRECTION_DEADLINE: &str = "correction";

/// An ILIKE pattern matching `text` anywhere, with LIKE's own characters taken literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The ids of the filings a case transfer handed to `agency`, as a subquery.
fn granted_to(
    agency: Uuid,
) -> crate::schema::case_grants::BoxedQuery<'static, diesel::pg::Pg, diesel::sql_types::Uuid> {
    crate::scope::granted_to(agency, "filing")
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = filings)]
pub struct Filing {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub province_code: String,
    pub kind: String,
    pub status: String,
    pub form: serde_json::Value,
    pub previous_filing_id: Option<Uuid>,
    pub trigger_date: Option<NaiveDate>,
    pub filing_number: Option<String>,
    pub return_reasons: Option<serde_json::Value>,
    pub refusal_reasons: Option<serde_json::Value>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub assignee_id: Option<Uuid>,
    pub risk_level: String,
    pub risk_rank: i16,
    pub risk_flags: serde_json::Value,
    pub review_days_used: i32,
    pub review_due_date: Option<NaiveDate>,
    pub proposed_decision: Option<serde_json::Value>,
    /// Copies of the statutory deadline's due date and lateness, the queue's sort keys.
    pub statutory_due_date: Option<NaiveDate>,
    pub late_by_working_days: Option<i32>,
    /// `online`, or `paper` for a submission keyed in by staff (`created_by`).
    pub submitted_via: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = filings)]
pub struct NewFiling {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub province_code: String,
    pub kind: String,
    pub status: String,
    pub form: serde_json::Value,
    pub previous_filing_id: Option<Uuid>,
    pub created_by: Uuid,
}

type BoxedFilings<'a> = filings::BoxedQuery<'a, diesel::pg::Pg>;

fn scoped<'a>(scope: &'a Scope) -> BoxedFilings<'a> {
    let mut q = filings::table.into_boxed();
    if scope.is_staff() {
        q = q.filter(filings::first_submitted_at.is_not_null());
    }
    match &scope.reach {
        Reach::Organisation(org) => q.filter(filings::organisation_id.eq(*org)),
        // One province as `=`, so an index on it can deliver rows in order (`= ANY` cannot).
        Reach::Provinces(codes) => match codes.as_slice() {
            [one] => q.filter(filings::province_code.eq(one)),
            _ => q.filter(filings::province_code.eq_any(codes)),
        },
        Reach::Everywhere => q,
        Reach::Granted(agency) => q.filter(filings::id.eq_any(granted_to(*agency))),
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewFiling) -> QueryResult<Filing> {
    diesel::insert_into(filings::table)
        .values(new)
        .returning(Filing::as_returning())
        .get_result(conn)
        .await
}

/// One filing, if the scope may see it.
pub async fn get(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Filing>> {
    scoped(scope)
        .filter(filings::id.eq(id))
        .select(Filing::as_select())
        .first(conn)
        .await
        .optional()
}

/// One filing locked for the rest of the transaction, if the scope may see it.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Filing>> {
    // One statement per scope: a boxed query cannot carry FOR UPDATE.
    let q = filings::table.find(id).select(Filing::as_select());
    let submitted = filings::first_submitted_at.is_not_null();
    match &scope.reach {
        Reach::Organisation(org) => {
            q.filter(filings::organisation_id.eq(*org))
                .for_update()
                .first(conn)
                .await
        }
        Reach::Provinces(codes) => {
            q.filter(filings::province_code.eq_any(codes))
                .filter(submitted)
                .for_update()
                .first(conn)
                .await
        }
        Reach::Everywhere => q.filter(submitted).for_update().first(conn).await,
        Reach::Granted(agency) => {
            q.filter(filings::id.eq_any(granted_to(*agency)))
                .filter(submitted)
                .for_update()
                .first(conn)
                .await
        }
    }
    .optional()
}

/// A page of filings for a list view.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct FilingListRow {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub filing_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub late_by_working_days: Option<i32>,
}

/// Filings of one scope, newest first, with their statutory due dates.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<FilingListRow>, i64)> {
    let mut count_q = scoped(scope);
    let mut q = scoped(scope);
    if let Some(s) = &filter.status {
        q = q.filter(filings::status.eq(s.clone()));
        count_q = count_q.filter(filings::status.eq(s.clone()));
    }
    if let Some(k) = &filter.kind {
        q = q.filter(filings::kind.eq(k.clone()));
        count_q = count_q.filter(filings::kind.eq(k.clone()));
    }
    let total: i64 = count_q.count().get_result(conn).await?;
    let ids: Vec<Uuid> = q
        .order((filings::created_at.desc(), filings::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(filings::id)
        .load(conn)
        .await?;
    let mut rows: Vec<FilingListRow> = filings::table
        .left_join(
            deadlines::table.on(deadlines::entity_type
                .eq(ENTITY)
                .and(deadlines::entity_id.eq(filings::id))
                .and(deadlines::purpose.eq(STATUTORY_DEADLINE))),
        )
        .filter(filings::id.eq_any(&ids))
        .select((
            filings::id,
            filings::kind,
            filings::status,
            filings::filing_number,
            filings::created_at,
            filings::updated_at,
            filings::submitted_at,
            deadlines::due_date.nullable(),
            deadlines::late_by_working_days.nullable(),
        ))
        .load(conn)
        .await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok((rows, total))
}

/// Saves a new form on a filing whose version is still `expected_version`. Returns the
/// updated filing, or `None` if someone else changed it first.
pub async fn update_form(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i32,
    form: &serde_json::Value,
) -> QueryResult<Option<Filing>> {
    diesel::update(
        filings::table
            .filter(filings::id.eq(id))
            .filter(filings::version.eq(expected_version)),
    )
    .set((
        filings::form.eq(form),
        filings::version.eq(filings::version + 1),
        filings::updated_at.eq(diesel::dsl::now),
    ))
    .returning(Filing::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// What a submission writes on the filing.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub trigger_date: NaiveDate,
    pub at: DateTime<Utc>,
    /// The first submission's time (kept across corrections: lateness is judged by it).
    pub first_submitted_at: DateTime<Utc>,
    /// The statutory deadline's due date and lateness (copied for the queue).
    pub statutory_due: NaiveDate,
    pub late_by: Option<i32>,
    /// The running review clock's due date.
    pub review_due: NaiveDate,
    pub risk_level: &'a str,
    pub risk_rank: i16,
    pub risk_flags: &'a serde_json::Value,
}

/// Moves a filing to `submitted`, with its review due date and risk assessment, in one write.
pub async fn mark_submitted(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    s: &Submission<'_>,
) -> QueryResult<Filing> {
    diesel::update(filings::table.find(id))
        .set((
            filings::status.eq("submitted"),
            filings::trigger_date.eq(s.trigger_date),
            filings::submitted_at.eq(s.at),
            filings::first_submitted_at.eq(s.first_submitted_at),
            filings::review_due_date.eq(s.review_due),
            filings::statutory_due_date.eq(s.statutory_due),
            filings::late_by_working_days.eq(s.late_by),
            filings::risk_level.eq(s.risk_level),
            filings::risk_rank.eq(s.risk_rank),
            filings::risk_flags.eq(s.risk_flags),
            filings::version.eq(filings::version + 1),
            filings::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Filing::as_returning())
        .get_result(conn)
        .await
}

/// Sets or clears the decision proposed for a supervisor's sign-off.
pub async fn set_proposal(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    proposal: Option<&serde_json::Value>,
) -> QueryResult<Filing> {
    diesel::update(filings::table.find(id))
        .set((
            filings::proposed_decision.eq(proposal),
            filings::version.eq(filings::version + 1),
            filings::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Filing::as_returning())
        .get_result(conn)
        .await
}

/// A reviewer's decision on a submitted filing.
#[derive(Debug, Clone)]
pub enum Decision<'a> {
    /// 已备案, with the filing number issued.
    Recorded { filing_number: &'a str },
    /// 退回补正, with reasons.
    Returned { reasons: &'a serde_json::Value },
    /// 不予备案, with reasons.
    Refused { reasons: &'a serde_json::Value },
}

/// Writes a decision and moves the filing to its status, in one write: any proposal waiting
/// for sign-off is cleared and the review clock stops (`review_days_used` kept for a return).
pub async fn mark_decided(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    decision: Decision<'_>,
    by: Uuid,
    review_days_used: i32,
) -> QueryResult<Filing> {
    let (status, number, returned, refused) = match decision {
        Decision::Recorded { filing_number } => ("filed", Some(filing_number), None, None),
        Decision::Returned { reasons } => ("returned", None, Some(reasons), None),
        Decision::Refused { reasons } => ("refused", None, None, Some(reasons)),
    };
    diesel::update(filings::table.find(id))
        .set((
            filings::status.eq(status),
            filings::filing_number.eq(number),
            filings::return_reasons.eq(returned),
            filings::refusal_reasons.eq(refused),
            filings::decided_at.eq(diesel::dsl::now),
            filings::decided_by.eq(by),
            filings::proposed_decision.eq(None::<serde_json::Value>),
            filings::review_days_used.eq(review_days_used),
            filings::review_due_date.eq(None::<NaiveDate>),
            filings::version.eq(filings::version + 1),
            filings::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Filing::as_returning())
        .get_result(conn)
        .await
}

/// Sets (or clears) the reviewer a filing is assigned to, if its version is still
/// `expected_version`; `None` when someone changed it first.
pub async fn assign(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i32,
    assignee: Option<Uuid>,
) -> QueryResult<Option<Filing>> {
    diesel::update(
        filings::table
            .filter(filings::id.eq(id))
            .filter(filings::version.eq(expected_version)),
    )
    .set((
        filings::assignee_id.eq(assignee),
        filings::version.eq(filings::version + 1),
        filings::updated_at.eq(diesel::dsl::now),
    ))
    .returning(Filing::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// The next number in the gap-free sequence of a province and year. The counter row stays
/// locked until the calling transaction ends, so a rollback returns the number.
pub async fn next_filing_sequence(
    conn: &mut AsyncPgConnection,
    province: &str,
    year: i32,
) -> QueryResult<i32> {
    diesel::insert_into(filing_number_counters::table)
        .values((
            filing_number_counters::province_code.eq(province),
            filing_number_counters::year.eq(year),
            filing_number_counters::last_value.eq(1),
        ))
        .on_conflict((
            filing_number_counters::province_code,
            filing_number_counters::year,
        ))
        .do_update()
        .set(filing_number_counters::last_value.eq(filing_number_counters::last_value + 1))
        .returning(filing_number_counters::last_value)
        .get_result(conn)
        .await
}

/// A row of the review queue.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct QueueRow {
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
    pub version: i32,
    pub risk_level: String,
    pub risk_rank: i16,
    pub review_due_date: Option<NaiveDate>,
}

/// Order of the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueSort {
    /// Oldest statutory due date first.
    StatutoryDue,
    /// Longest waiting first.
    Submitted,
    /// Highest risk first, then oldest statutory due date.
    Risk,
    /// The regulator's own review due date first, then the statutory one.
    #[default]
    ReviewDue,
}

/// Where a queue page starts: after this sort key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCursor {
    Due {
        due_date: NaiveDate,
        id: Uuid,
    },
    Submitted {
        at: DateTime<Utc>,
        id: Uuid,
    },
    Risk {
        rank: i16,
        due_date: NaiveDate,
        id: Uuid,
    },
    ReviewDue {
        review_due: NaiveDate,
        due_date: NaiveDate,
        id: Uuid,
    },
}

/// What the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `submitted` (waiting for review, the default) or `returned` (waiting for the processor).
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Only late (true) or only on-time (false) filings.
    pub late: Option<bool>,
    /// Part of the processor's name, or its exact USCC.
    pub processor: Option<String>,
    pub submitted_from: Option<DateTime<Utc>>,
    pub submitted_before: Option<DateTime<Utc>>,
    pub assignee: Option<AssigneeFilter>,
    /// Only filings of at least this risk rank (0 none … 4 critical).
    pub min_risk_rank: Option<i16>,
    /// Only filings returned for correction before (true), or never returned (false).
    pub resubmitted: Option<bool>,
    pub sort: QueueSort,
}

/// Whose filings the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    User(Uuid),
}

/// The review queue's default sort key: the running review clock's due date, a paused clock
/// last (as in the index `filings_queue_review`).
const REVIEW_KEY: &str = "COALESCE(filings.review_due_date, DATE '9999-12-31')";

/// The review-due key of a row, as `REVIEW_KEY` computes it.
pub fn review_key(review_due: Option<NaiveDate>) -> NaiveDate {
    review_due
        .or(NaiveDate::from_ymd_opt(9999, 12, 31))
        .unwrap_or(NaiveDate::MAX)
}

/// Filings the scope may review, filtered and keyset-paged in the chosen order. Every order's
/// keys are columns of `filings` with an index per province, and a page starts with a row
/// comparison, so a deep page costs what the first one does.
pub async fn review_queue(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &QueueFilter,
    after: Option<QueueCursor>,
    limit: i64,
) -> QueryResult<Vec<QueueRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Date, SmallInt, Timestamptz, Uuid as SqlUuid};
    let mut q = filings::table
        .inner_join(organisations::table)
        .filter(filings::status.eq(filter.status.clone().unwrap_or_else(|| "submitted".into())))
        .filter(filings::statutory_due_date.is_not_null())
        .into_boxed();
    match &scope.reach {
        Reach::Organisation(org) => q = q.filter(filings::organisation_id.eq(*org)),
        // One province as `=`: the queue index then delivers rows already in order.
        Reach::Provinces(codes) => match codes.as_slice() {
            [one] => q = q.filter(filings::province_code.eq(one.clone())),
            _ => q = q.filter(filings::province_code.eq_any(codes.clone())),
        },
        Reach::Everywhere => {}
        Reach::Granted(agency) => q = q.filter(filings::id.eq_any(granted_to(*agency))),
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(filings::kind.eq(kind.clone()));
    }
    match filter.resubmitted {
        Some(true) => q = q.filter(filings::return_reasons.is_not_null()),
        Some(false) => q = q.filter(filings::return_reasons.is_null()),
        None => {}
    }
    match filter.late {
        Some(true) => q = q.filter(filings::late_by_working_days.gt(0)),
        Some(false) => {
            q = q.filter(
                filings::late_by_working_days
                    .eq(0)
                    .or(filings::late_by_working_days.is_null()),
            )
        }
        None => {}
    }
    if let Some(p) = filter
        .processor
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let pattern = contains_pattern(p);
        q = q.filter(
            organisations::name
                .ilike(pattern)
                .or(organisations::uscc.eq(p.to_uppercase())),
        );
    }
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => q = q.filter(filings::assignee_id.is_null()),
        Some(AssigneeFilter::User(u)) => q = q.filter(filings::assignee_id.eq(u)),
        None => {}
    }
    if let Some(rank) = filter.min_risk_rank {
        q = q.filter(filings::risk_rank.ge(rank));
    }
    if let Some(from) = filter.submitted_from {
        q = q.filter(filings::submitted_at.ge(from));
    }
    if let Some(before) = filter.submitted_before {
        q = q.filter(filings::submitted_at.lt(before));
    }
    // Where the page starts: after the cursor's keys, as one row comparison.
    match after {
        Some(QueueCursor::Due { due_date, id }) => {
            q = q.filter(
                sql::<Bool>("(filings.statutory_due_date, filings.id) > (")
                    .bind::<Date, _>(due_date)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            )
        }
        Some(QueueCursor::Submitted { at, id }) => {
            q = q.filter(
                sql::<Bool>("(filings.submitted_at, filings.id) > (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            )
        }
        Some(QueueCursor::ReviewDue {
            review_due,
            due_date,
            id,
        }) => {
            q = q.filter(
                sql::<Bool>(&format!(
                    "({REVIEW_KEY}, filings.statutory_due_date, filings.id) > ("
                ))
                .bind::<Date, _>(review_due)
                .sql(", ")
                .bind::<Date, _>(due_date)
                .sql(", ")
                .bind::<SqlUuid, _>(id)
                .sql(")"),
            )
        }
        Some(QueueCursor::Risk { rank, due_date, id }) => {
            // Highest risk first: (-rank, due, id) ascending.
            q = q.filter(
                sql::<Bool>("(-filings.risk_rank, filings.statutory_due_date, filings.id) > (")
                    .bind::<SmallInt, _>(-rank)
                    .sql(", ")
                    .bind::<Date, _>(due_date)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            )
        }
        None => {}
    }
    q = match filter.sort {
        QueueSort::StatutoryDue => q.order((filings::statutory_due_date.asc(), filings::id.asc())),
        QueueSort::Submitted => q.order((filings::submitted_at.asc(), filings::id.asc())),
        QueueSort::ReviewDue => q.order((
            sql::<Date>(REVIEW_KEY).asc(),
            filings::statutory_due_date.asc(),
            filings::id.asc(),
        )),
        QueueSort::Risk => q.order((
            filings::risk_rank.desc(),
            filings::statutory_due_date.asc(),
            filings::id.asc(),
        )),
    };
    q.limit(limit)
        .select((
            filings::id,
            filings::kind,
            filings::status,
            filings::province_code,
            filings::organisation_id,
            organisations::name,
            organisations::uscc,
            organisations::uscc_checksum_ok,
            filings::submitted_at,
            filings::statutory_due_date.assume_not_null(),
            filings::late_by_working_days,
            filings::assignee_id,
            filings::version,
            filings::risk_level,
            filings::risk_rank,
            filings::review_due_date,
        ))
        .load(conn)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub filing_id: Uuid,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(skip)]
    pub blob_key: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub filing_id: Uuid,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub blob_key: String,
    pub uploaded_by: Uuid,
}

pub async fn insert_attachment(
    conn: &mut AsyncPgConnection,
    new: &NewAttachment,
) -> QueryResult<Attachment> {
    diesel::insert_into(attachments::table)
        .values(new)
        .returning(Attachment::as_returning())
        .get_result(conn)
        .await
}

/// Live attachments of a filing, oldest first.
pub async fn attachments_of(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
) -> QueryResult<Vec<Attachment>> {
    attachments::table
        .filter(attachments::filing_id.eq(filing_id))
        .filter(attachments::deleted_at.is_null())
        .order(attachments::uploaded_at.asc())
        .select(Attachment::as_select())
        .load(conn)
        .await
}

/// One attachment of a filing the scope may see: for the processor, a current one; for staff,
/// one that a submitted version included (even if the processor removed it since).
pub async fn attachment(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
    attachment_id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Attachment>> {
    let visible = get(conn, filing_id, scope).await?.is_some();
    if !visible {
        return Ok(None);
    }
    if scope.is_staff() && !crate::versions::ever_submitted(conn, filing_id, attachment_id).await? {
        return Ok(None);
    }
    let mut q = attachments::table
        .filter(attachments::id.eq(attachment_id))
        .filter(attachments::filing_id.eq(filing_id))
        .into_boxed();
    if !scope.is_staff() {
        q = q.filter(attachments::deleted_at.is_null());
    }
    q.select(Attachment::as_select())
        .first(conn)
        .await
        .optional()
}

/// Attachments by id, removed ones included (the materials a submitted version named).
pub async fn attachments_by_id(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<Attachment>> {
    attachments::table
        .filter(attachments::filing_id.eq(filing_id))
        .filter(attachments::id.eq_any(ids))
        .order(attachments::uploaded_at.asc())
        .select(Attachment::as_select())
        .load(conn)
        .await
}

/// The submitted filings of one processor, as staff see them (drafts stay private), oldest
/// first: id, status, filing number, first submission.
pub async fn submitted_of(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
) -> QueryResult<Vec<(Uuid, String, Option<String>, Option<DateTime<Utc>>)>> {
    filings::table
        .filter(filings::organisation_id.eq(organisation))
        .filter(filings::first_submitted_at.is_not_null())
        .order((filings::first_submitted_at.asc(), filings::id.asc()))
        .select((
            filings::id,
            filings::status,
            filings::filing_number,
            filings::first_submitted_at,
        ))
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_characters_are_literal() {
        assert_eq!(super::contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(super::contains_pattern("科技"), "%科技%");
    }
}
