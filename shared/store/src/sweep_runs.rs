//! The daily deadline sweep's runs: one per day, claimed by the first worker to get there.

use crate::schema::sweep_runs;
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Claims the sweep of `day`: true for the first worker, and again if a claim is older than
/// `takeover` and unfinished (its worker stopped; the sweep is safe to run again).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    takeover: chrono::Duration,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(sweep_runs::table)
        .values(sweep_runs::day.eq(day))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(true);
    }
    let stale = Utc::now() - takeover;
    let reclaimed = diesel::update(
        sweep_runs::table
            .filter(sweep_runs::day.eq(day))
            .filter(sweep_runs::finished_at.is_null())
            .filter(sweep_runs::started_at.lt(stale)),
    )
    .set(sweep_runs::started_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(reclaimed == 1)
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    report: Option<serde_json::Value>,
) -> QueryResult<()> {
    diesel::update(sweep_runs::table.find(day))
        .set((
            sweep_runs::finished_at.eq(diesel::dsl::now),
            sweep_runs::report.eq(report),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
