//! Working-day deadlines of any case type (filings, inspections, complaints, notifications),
//! stored with the calendar versions they were computed from so they can be explained and
//! recomputed when a new year's arrangement is loaded.

use crate::schema::{deadline_alerts, deadlines};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use frt_domain::calendar::{Calendar, CalendarError, DueDate, WorkingDays};
use serde::Serialize;
use uuid::Uuid;

/// A deadline as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = deadlines)]
pub struct Deadline {
    pub id: Uuid,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub purpose: String,
    pub start_date: NaiveDate,
    pub working_days: i32,
    pub due_date: NaiveDate,
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
    pub met_on: Option<NaiveDate>,
    pub late_by_working_days: Option<i32>,
    pub computed_at: DateTime<Utc>,
    /// The first day a sweep found it passed and not met.
    pub overdue_since: Option<NaiveDate>,
}

/// The computed parts of a deadline: due date and, once met, lateness.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub due: DueDate,
    pub late_by: Option<i32>,
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
}

/// The day a case with no open time limit sorts by in a queue: after every real one.
pub fn no_open_limit() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// SQL for the nearest time limit not yet met of each row of `table` (a case of type
/// `entity`), or `no_open_limit()` for none: one keyset order, nearest time limit first,
/// serves every case type's queue. Both names come from the code, never from input.
pub fn nearest_open_sql(entity: &'static str, table: &'static str) -> String {
    format!(
        "COALESCE((SELECT min(d.due_date) FROM deadlines d \
         WHERE d.entity_type = '{entity}' AND d.entity_id = {table}.id AND d.met_on IS NULL), \
         DATE '9999-12-31')"
    )
}

/// Computes a deadline from the calendar: due = start + n working days (start not counted);
/// if met, late by the working days after the due date up to the day it was met.
pub fn evaluate(
    calendar: &Calendar,
    start: NaiveDate,
    n: WorkingDays,
    met_on: Option<NaiveDate>,
) -> Result<Evaluation, CalendarError> {
    let due = calendar.add_working_days(start, n)?;
    let mut provisional = due.provisional;
    let mut versions = due.calendar_versions.clone();
    let late_by = match met_on {
        Some(met) => {
            let span = calendar.working_days_between(due.due_date, met);
            provisional |= span.provisional;
            versions.extend(span.calendar_versions.iter().cloned());
            Some(i32::try_from(span.days).unwrap_or(i32::MAX))
        }
        None => None,
    };
    versions.sort();
    versions.dedup();
    Ok(Evaluation {
        due,
        late_by,
        provisional,
        calendar_versions: versions,
    })
}

/// A deadline computed from the calendar and not yet stored: where it starts, its working
/// days, the day it was met (if it was) and what `evaluate` made of them.
#[derive(Debug, Clone)]
pub struct Planned {
    pub start: NaiveDate,
    pub n: WorkingDays,
    pub met_on: Option<NaiveDate>,
    pub evaluation: Evaluation,
}

impl Planned {
    pub fn of(
        calendar: &Calendar,
        start: NaiveDate,
        n: WorkingDays,
        met_on: Option<NaiveDate>,
    ) -> Result<Self, CalendarError> {
        Ok(Self {
            start,
            n,
            met_on,
            evaluation: evaluate(calendar, start, n, met_on)?,
        })
    }

    pub fn due_date(&self) -> NaiveDate {
        self.evaluation.due.due_date
    }
}

/// Computes and stores (inserting or replacing) the deadline of `purpose` for an entity.
#[allow(clippy::too_many_arguments)]
pub async fn set(
    conn: &mut AsyncPgConnection,
    calendar: &Calendar,
    entity_type: &str,
    entity_id: Uuid,
    purpose: &str,
    start: NaiveDate,
    n: WorkingDays,
    met_on: Option<NaiveDate>,
) -> Result<Deadline, SetError> {
    let planned = Planned::of(calendar, start, n, met_on)?;
    Ok(put(conn, entity_type, entity_id, purpose, &planned).await?)
}

/// Stores (inserting or replacing) a planned deadline of `purpose` for an entity.
pub async fn put(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
    purpose: &str,
    p: &Planned,
) -> QueryResult<Deadline> {
    let ev = &p.evaluation;
    diesel::insert_into(deadlines::table)
        .values((
            deadlines::id.eq(Uuid::now_v7()),
            deadlines::entity_type.eq(entity_type),
            deadlines::entity_id.eq(entity_id),
            deadlines::purpose.eq(purpose),
            deadlines::start_date.eq(p.start),
            deadlines::working_days.eq(i32::from(p.n.get())),
            deadlines::due_date.eq(ev.due.due_date),
            deadlines::provisional.eq(ev.provisional),
            deadlines::calendar_versions.eq(&ev.calendar_versions),
            deadlines::met_on.eq(p.met_on),
            deadlines::late_by_working_days.eq(ev.late_by),
        ))
        .on_conflict((
            deadlines::entity_type,
            deadlines::entity_id,
            deadlines::purpose,
        ))
        .do_update()
        .set((
            deadlines::start_date.eq(p.start),
            deadlines::working_days.eq(i32::from(p.n.get())),
            deadlines::due_date.eq(ev.due.due_date),
            deadlines::provisional.eq(ev.provisional),
            deadlines::calendar_versions.eq(&ev.calendar_versions),
            deadlines::met_on.eq(p.met_on),
            deadlines::late_by_working_days.eq(ev.late_by),
            deadlines::computed_at.eq(diesel::dsl::now),
        ))
        .returning(Deadline::as_returning())
        .get_result(conn)
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// One deadline of an entity, if set.
pub async fn get(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
    purpose: &str,
) -> QueryResult<Option<Deadline>> {
    deadlines::table
        .filter(deadlines::entity_type.eq(entity_type))
        .filter(deadlines::entity_id.eq(entity_id))
        .filter(deadlines::purpose.eq(purpose))
        .select(Deadline::as_select())
        .first(conn)
        .await
        .optional()
}

/// Removes a deadline (a clock that is paused or no longer runs).
pub async fn remove(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
    purpose: &str,
) -> QueryResult<usize> {
    diesel::delete(
        deadlines::table
            .filter(deadlines::entity_type.eq(entity_type))
            .filter(deadlines::entity_id.eq(entity_id))
            .filter(deadlines::purpose.eq(purpose)),
    )
    .execute(conn)
    .await
}

/// Records that a deadline was met on `met_on` (computing lateness); nothing if it is not set.
pub async fn mark_met(
    conn: &mut AsyncPgConnection,
    calendar: &Calendar,
    entity_type: &str,
    entity_id: Uuid,
    purpose: &str,
    met_on: NaiveDate,
) -> Result<Option<Deadline>, SetError> {
    let Some(d) = get(conn, entity_type, entity_id, purpose).await? else {
        return Ok(None);
    };
    let n = WorkingDays::new(i64::from(d.working_days))?;
    set(
        conn,
        calendar,
        entity_type,
        entity_id,
        purpose,
        d.start_date,
        n,
        Some(met_on),
    )
    .await
    .map(Some)
}

/// The deadlines of one entity.
pub async fn for_entity(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<Vec<Deadline>> {
    for_entities(conn, entity_type, &[entity_id]).await
}

/// The deadlines of these entities of one type, by entity and purpose.
pub async fn for_entities(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_ids: &[Uuid],
) -> QueryResult<Vec<Deadline>> {
    deadlines::table
        .filter(deadlines::entity_type.eq(entity_type))
        .filter(deadlines::entity_id.eq_any(entity_ids))
        .order((deadlines::entity_id.asc(), deadlines::purpose.asc()))
        .select(Deadline::as_select())
        .load(conn)
        .await
}

/// Recomputes every deadline that is provisional or was computed from a calendar version that
/// is no longer active. Returns how many changed their due date or lateness.
pub async fn recompute_stale(
    conn: &mut AsyncPgConnection,
    calendar: &Calendar,
    active_versions: &[String],
) -> Result<usize, SetError> {
    let stale: Vec<Deadline> = deadlines::table
        .filter(deadlines::provisional.eq(true).or(diesel::dsl::not(
            deadlines::calendar_versions.is_contained_by(active_versions),
        )))
        .select(Deadline::as_select())
        .for_update()
        .load(conn)
        .await?;
    let mut changed = 0;
    for d in stale {
        let n = WorkingDays::new(i64::from(d.working_days))?;
        let ev = evaluate(calendar, d.start_date, n, d.met_on)?;
        if ev.due.due_date != d.due_date || ev.late_by != d.late_by_working_days {
            changed += 1;
        }
        diesel::update(deadlines::table.find(d.id))
            .set((
                deadlines::due_date.eq(ev.due.due_date),
                deadlines::provisional.eq(ev.provisional),
                deadlines::calendar_versions.eq(&ev.calendar_versions),
                deadlines::late_by_working_days.eq(ev.late_by),
                deadlines::computed_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(changed)
}

/// Open (not met) deadlines due on or before `horizon` (of one entity, if given), in
/// (due date, id) order after `after`: a page of the deadline sweep's work.
pub async fn open_until(
    conn: &mut AsyncPgConnection,
    horizon: NaiveDate,
    only_entity: Option<Uuid>,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Deadline>> {
    let mut q = deadlines::table
        .filter(deadlines::met_on.is_null())
        .filter(deadlines::due_date.le(horizon))
        .into_boxed();
    if let Some(entity) = only_entity {
        q = q.filter(deadlines::entity_id.eq(entity));
    }
    if let Some((due, id)) = after {
        q = q.filter(
            deadlines::due_date
                .gt(due)
                .or(deadlines::due_date.eq(due).and(deadlines::id.gt(id))),
        );
    }
    q.order((deadlines::due_date.asc(), deadlines::id.asc()))
        .limit(limit)
        .select(Deadline::as_select())
        .load(conn)
        .await
}

/// Locks one deadline if it is still open; `None` when it was met meanwhile, or, with
/// `Lock::SkipLocked`, when another transaction holds it.
pub async fn lock_open(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: Lock,
) -> QueryResult<Option<Deadline>> {
    let open = deadlines::table
        .find(id)
        .filter(deadlines::met_on.is_null())
        .select(Deadline::as_select())
        .for_update();
    match lock {
        Lock::SkipLocked => open.skip_locked().first(conn).await.optional(),
        Lock::Wait => open.first(conn).await.optional(),
    }
}

/// Whether taking a row's lock skips a row another transaction holds, or waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    SkipLocked,
    Wait,
}

/// Marks a deadline overdue from `day`, keeping the first day it was found so.
pub async fn mark_overdue(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    day: NaiveDate,
) -> QueryResult<()> {
    diesel::update(
        deadlines::table
            .find(id)
            .filter(deadlines::overdue_since.is_null()),
    )
    .set(deadlines::overdue_since.eq(day))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records that the sweep acted on a deadline (a reminder, the overdue mark, an escalation)
/// for its current due date; `false` when that was done already, by this or another sweep.
pub async fn record_alert(
    conn: &mut AsyncPgConnection,
    deadline: &Deadline,
    kind: &str,
    swept_on: NaiveDate,
) -> QueryResult<bool> {
    diesel::insert_into(deadline_alerts::table)
        .values((
            deadline_alerts::deadline_id.eq(deadline.id),
            deadline_alerts::kind.eq(kind),
            deadline_alerts::due_date.eq(deadline.due_date),
            deadline_alerts::swept_on.eq(swept_on),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The sweep's alerts on the deadlines of one entity, oldest first: (purpose, kind, due date,
/// day swept).
pub async fn alerts_for(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<Vec<(String, String, NaiveDate, NaiveDate)>> {
    deadline_alerts::table
        .inner_join(deadlines::table)
        .filter(deadlines::entity_type.eq(entity_type))
        .filter(deadlines::entity_id.eq(entity_id))
        .order(deadline_alerts::created_at.asc())
        .select((
            deadlines::purpose,
            deadline_alerts::kind,
            deadline_alerts::due_date,
            deadline_alerts::swept_on,
        ))
        .load(conn)
        .await
}
