//! Rate limits kept in the database, so that every instance of a service counts against the
//! same limit and a restart forgets nothing: the generic cell rate algorithm (GCRA), one row
//! per bucket and key holding its theoretical arrival time (`tat`). A rate of `count` per
//! `period` lets `count` through at once and then one every `period / count`. Each call is one
//! statement, so concurrent requests cannot both take the last place.

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// `count` requests per `period_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: u32,
    pub period_secs: f64,
}

impl Rate {
    pub fn per_hour(count: u32) -> Self {
        Self {
            count: count.max(1),
            period_secs: 3600.0,
        }
    }

    pub fn per_minute(count: u32) -> Self {
        Self {
            count: count.max(1),
            period_secs: 60.0,
        }
    }

    /// The time one request takes up.
    fn emission_secs(self) -> f64 {
        self.period_secs / f64::from(self.count.max(1))
    }
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = Double)]
    secs: f64,
}

/// Takes one place in `bucket` for `key`: `None` when the request may go, otherwise how many
/// seconds (at least 1) until it could.
pub async fn take(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    key: &str,
    rate: Rate,
) -> QueryResult<Option<u64>> {
    // One row written (inserted, or moved on) is a place taken; none, the limit held.
    let taken = diesel::sql_query(
        "INSERT INTO rate_limits AS r (bucket, key, tat) \
         VALUES ($1, $2, now() + make_interval(secs => $3)) \
         ON CONFLICT (bucket, key) DO UPDATE \
           SET tat = greatest(r.tat, now()) + make_interval(secs => $3) \
           WHERE greatest(r.tat, now()) + make_interval(secs => $3) \
                 <= now() + make_interval(secs => $4)",
    )
    .bind::<Text, _>(bucket)
    .bind::<Text, _>(key)
    .bind::<Double, _>(rate.emission_secs())
    .bind::<Double, _>(rate.period_secs)
    .execute(conn)
    .await?;
    if taken == 1 {
        return Ok(None);
    }
    waiting(conn, bucket, key, rate)
        .await
        .map(|w| Some(w.unwrap_or(1)))
}

/// How long `key` must wait before `bucket` would let it through, if it must.
pub async fn waiting(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    key: &str,
    rate: Rate,
) -> QueryResult<Option<u64>> {
    let wait: Option<Wait> = diesel::sql_query(
        "SELECT EXTRACT(EPOCH FROM (greatest(tat, now()) + make_interval(secs => $3) \
                - make_interval(secs => $4) - now()))::float8 AS secs \
         FROM rate_limits WHERE bucket = $1 AND key = $2",
    )
    .bind::<Text, _>(bucket)
    .bind::<Text, _>(key)
    .bind::<Double, _>(rate.emission_secs())
    .bind::<Double, _>(rate.period_secs)
    .get_result(conn)
    .await
    .optional()?;
    Ok(wait
        .map(|w| w.secs)
        .filter(|s| *s > 0.0)
        .map(|s| (s.ceil() as u64).max(1)))
}

/// Gives back the place one request took (it turned out not to count).
pub async fn give_back(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    key: &str,
    rate: Rate,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE rate_limits SET tat = tat - make_interval(secs => $3) \
         WHERE bucket = $1 AND key = $2",
    )
    .bind::<Text, _>(bucket)
    .bind::<Text, _>(key)
    .bind::<Double, _>(rate.emission_secs())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Removes the rows whose time has passed: a key with no row starts afresh, the same as a
/// spent one.
pub async fn expire(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limits WHERE tat < now()")
        .execute(conn)
        .await
}
