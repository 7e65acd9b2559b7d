//! Working-day deadlines of any case type (filings now; inspections and complaints later),
//! stored with the calendar versions they were computed from so they can be explained and
//! recomputed when a new year's arrangement is loaded.

use crate::schema::deadlines;
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
}

/// The computed parts of a deadline: due date and, once met, lateness.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub due: DueDate,
    pub late_by: Option<i32>,
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
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
    let ev = evaluate(calendar, start, n, met_on)?;
    let row = diesel::insert_into(deadlines::table)
        .values((
            deadlines::id.eq(Uuid::now_v7()),
            deadlines::entity_type.eq(entity_type),
            deadlines::entity_id.eq(entity_id),
            deadlines::purpose.eq(purpose),
            deadlines::start_date.eq(start),
            deadlines::working_days.eq(i32::from(n.get())),
            deadlines::due_date.eq(ev.due.due_date),
            deadlines::provisional.eq(ev.provisional),
            deadlines::calendar_versions.eq(&ev.calendar_versions),
            deadlines::met_on.eq(met_on),
            deadlines::late_by_working_days.eq(ev.late_by),
        ))
        .on_conflict((
            deadlines::entity_type,
            deadlines::entity_id,
            deadlines::purpose,
        ))
        .do_update()
        .set((
            deadlines::start_date.eq(start),
            deadlines::working_days.eq(i32::from(n.get())),
            deadlines::due_date.eq(ev.due.due_date),
            deadlines::provisional.eq(ev.provisional),
            deadlines::calendar_versions.eq(&ev.calendar_versions),
            deadlines::met_on.eq(met_on),
            deadlines::late_by_working_days.eq(ev.late_by),
            deadlines::computed_at.eq(diesel::dsl::now),
        ))
        .returning(Deadline::as_returning())
        .get_result(conn)
        .await?;
    Ok(row)
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
    deadlines::table
        .filter(deadlines::entity_type.eq(entity_type))
        .filter(deadlines::entity_id.eq(entity_id))
        .order(deadlines::purpose.asc())
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
