//! Attempts counted per zone, name (an account's email, a complaint's receipt) and source
//! address, whether or not the name exists, so that throttling neither tells which exist nor
//! lets anyone lock a name out from their own address. An attempt is counted before it is
//! judged, so that attempts racing each other cannot all slip through.

use crate::schema::login_throttle;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The source that counts an account's failures from every address.
pub const EVERYWHERE: &str = "*";

/// The count after one more failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// Failures in the current window, this one included.
    pub count: i32,
    /// Set when this failure reached the limit: attempts are refused until then.
    pub newly_blocked_until: Option<DateTime<Utc>>,
}

/// An attempt, counted before it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// It may be judged; it is the `count`-th in the window.
    Allowed { count: i32 },
    /// Refused unjudged until then.
    Blocked { until: DateTime<Utc> },
}

/// Counts one attempt from `source` on `name` before it is judged, in one statement, so that
/// attempts racing each other are all counted: refused while the pair is blocked, and once
/// this attempt would be past `limit` in the window (which then blocks the pair for
/// `block_secs`). A success afterwards clears the count (`clear`) or takes the attempt back
/// (`forgive`); a failure may block the pair (`failed`).
pub async fn attempt(
    conn: &mut AsyncPgConnection,
    zone: &str,
    name: &str,
    source: &str,
    limit: i32,
    window_secs: i64,
    block_secs: i64,
) -> QueryResult<Attempt> {
    let row: Counted = diesel::sql_query(
        "INSERT INTO login_throttle AS t (zone, email, source, failures, window_started) \
         VALUES ($1, $2, $3, 1, now()) \
         ON CONFLICT (zone, email, source) DO UPDATE SET \
           failures = CASE WHEN t.blocked_until > now() THEN t.failures \
                           WHEN t.window_started < now() - make_interval(secs => $4) THEN 1 \
                           ELSE t.failures + 1 END, \
           window_started = CASE WHEN t.blocked_until > now() THEN t.window_started \
                                 WHEN t.window_started < now() - make_interval(secs => $4) \
                                 THEN now() ELSE t.window_started END, \
           blocked_until = CASE WHEN t.blocked_until > now() THEN t.blocked_until END \
         RETURNING failures, blocked_until",
    )
    .bind::<Text, _>(zone)
    .bind::<Text, _>(name)
    .bind::<Text, _>(source)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await?;
    if let Some(until) = row.blocked_until {
        return Ok(Attempt::Blocked { until });
    }
    if row.failures <= limit {
        return Ok(Attempt::Allowed {
            count: row.failures,
        });
    }
    Ok(Attempt::Blocked {
        until: block(conn, zone, name, source, block_secs).await?,
    })
}

/// Blocks the pair for `block_secs` from now; answers until when.
async fn block(
    conn: &mut AsyncPgConnection,
    zone: &str,
    name: &str,
    source: &str,
    block_secs: i64,
) -> QueryResult<DateTime<Utc>> {
    let until = Utc::now() + chrono::Duration::seconds(block_secs);
    diesel::update(login_throttle::table.find((zone, name, source)))
        .set(login_throttle::blocked_until.eq(until))
        .execute(conn)
        .await?;
    Ok(until)
}

/// The attempt counted `count`-th failed: at `limit` the pair is blocked for `block_secs`.
/// Answers until when, if this failure blocked it.
pub async fn failed(
    conn: &mut AsyncPgConnection,
    zone: &str,
    name: &str,
    source: &str,
    count: i32,
    limit: i32,
    block_secs: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    if count < limit {
        return Ok(None);
    }
    block(conn, zone, name, source, block_secs).await.map(Some)
}

/// Takes a counted attempt back (it succeeded and should not count against the source).
pub async fn forgive(
    conn: &mut AsyncPgConnection,
    zone: &str,
    name: &str,
    source: &str,
) -> QueryResult<()> {
    diesel::update(
        login_throttle::table
            .find((zone, name, source))
            .filter(login_throttle::failures.gt(0)),
    )
    .set(login_throttle::failures.eq(login_throttle::failures - 1))
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    failures: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    blocked_until: Option<DateTime<Utc>>,
}

/// Counts one failure in a window of `window_secs` after it happened (for counts that only
/// alert, never refuse: `attempt` counts what may be refused); the failure that reaches
/// `limit` blocks the pair for `block_secs` (a `limit` of 0 never blocks, for counting alone).
pub async fn note_failure(
    conn: &mut AsyncPgConnection,
    zone: &str,
    email: &str,
    source: &str,
    limit: i32,
    window_secs: i64,
    block_secs: i64,
) -> QueryResult<Failures> {
    // A window that has run out starts again at this failure; a block that has run out ends.
    let row: Counted = diesel::sql_query(
        "INSERT INTO login_throttle AS t (zone, email, source, failures, window_started) \
         VALUES ($1, $2, $3, 1, now()) \
         ON CONFLICT (zone, email, source) DO UPDATE SET \
           failures = CASE WHEN t.window_started < now() - make_interval(secs => $4) \
                           THEN 1 ELSE t.failures + 1 END, \
           window_started = CASE WHEN t.window_started < now() - make_interval(secs => $4) \
                                 THEN now() ELSE t.window_started END, \
           blocked_until = CASE WHEN t.blocked_until > now() THEN t.blocked_until END \
         RETURNING failures, blocked_until",
    )
    .bind::<Text, _>(zone)
    .bind::<Text, _>(email)
    .bind::<Text, _>(source)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await?;
    if limit < 1 || row.failures < limit || row.blocked_until.is_some() {
        return Ok(Failures {
            count: row.failures,
            newly_blocked_until: None,
        });
    }
    let until = Utc::now() + chrono::Duration::seconds(block_secs);
    diesel::update(login_throttle::table.find((zone, email, source)))
        .set(login_throttle::blocked_until.eq(until))
        .execute(conn)
        .await?;
    Ok(Failures {
        count: row.failures,
        newly_blocked_until: Some(until),
    })
}

/// Forgets the failures from `source` after a successful login.
pub async fn clear(
    conn: &mut AsyncPgConnection,
    zone: &str,
    email: &str,
    source: &str,
) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find((zone, email, source)))
        .execute(conn)
        .await
        .map(|_| ())
}
