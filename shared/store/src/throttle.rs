//! Failed logins counted per zone, account name and source address, whether or not the
//! account exists, so that throttling neither tells which accounts exist nor lets anyone
//! lock an account out from their own address.

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

/// Until when attempts from `source` on `email` are refused, if they are now.
pub async fn blocked_until(
    conn: &mut AsyncPgConnection,
    zone: &str,
    email: &str,
    source: &str,
) -> QueryResult<Option<DateTime<Utc>>> {
    let until: Option<Option<DateTime<Utc>>> = login_throttle::table
        .find((zone, email, source))
        .filter(login_throttle::blocked_until.gt(diesel::dsl::now))
        .select(login_throttle::blocked_until)
        .first(conn)
        .await
        .optional()?;
    Ok(until.flatten())
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    failures: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    blocked_until: Option<DateTime<Utc>>,
}

/// Counts one failure in a window of `window_secs`; the failure that reaches `limit` blocks
/// the pair for `block_secs` (a `limit` of 0 never blocks, for counting alone).
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
