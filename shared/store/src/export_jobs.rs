//! Export jobs of the console (`frt_cases::export_jobs`), in the database so that every
//! instance sees every job.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct ExportJob {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub owner_id: Uuid,
    #[diesel(sql_type = Text)]
    pub filename: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub blob_key: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub size_bytes: Option<i64>,
    #[diesel(sql_type = Timestamptz)]
    pub started_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub beat_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub finished_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    owner: Uuid,
    filename: &str,
) -> QueryResult<()> {
    diesel::sql_query("INSERT INTO export_jobs (id, owner_id, filename) VALUES ($1, $2, $3)")
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(owner)
        .bind::<Text, _>(filename)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The running job's progress, and a sign that its instance is alive.
pub async fn beat(conn: &mut AsyncPgConnection, id: Uuid, rows: i64) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE export_jobs SET rows = $2, beat_at = now() WHERE id = $1 AND state = 'running'",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(rows)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    rows: i64,
    blob_key: &str,
    size_bytes: i64,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE export_jobs SET state = 'done', rows = $2, blob_key = $3, size_bytes = $4, \
         beat_at = now(), finished_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(rows)
    .bind::<Text, _>(blob_key)
    .bind::<BigInt, _>(size_bytes)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn fail(conn: &mut AsyncPgConnection, id: Uuid, error: &str) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE export_jobs SET state = 'failed', error = $2, beat_at = now(), \
         finished_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(error)
    .execute(conn)
    .await
    .map(|_| ())
}

/// `owner`'s job `id` (another's is not found).
pub async fn of_owner(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    owner: Uuid,
) -> QueryResult<Option<ExportJob>> {
    let mut rows: Vec<ExportJob> = diesel::sql_query(
        "SELECT id, owner_id, filename, state, rows, error, blob_key, size_bytes, started_at, \
                beat_at, finished_at \
         FROM export_jobs WHERE id = $1 AND owner_id = $2",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(owner)
    .load(conn)
    .await?;
    Ok(rows.pop())
}

/// Removes jobs finished more than `minutes` ago, and running jobs whose beat stopped that
/// long ago; answers the blob keys their files had.
pub async fn expire(conn: &mut AsyncPgConnection, minutes: i64) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Nullable<Text>)]
        blob_key: Option<String>,
    }
    let keys: Vec<Key> = diesel::sql_query(
        "DELETE FROM export_jobs \
         WHERE COALESCE(finished_at, beat_at) < now() - ($1 * interval '1 minute') \
         RETURNING blob_key",
    )
    .bind::<BigInt, _>(minutes)
    .load(conn)
    .await?;
    Ok(keys.into_iter().filter_map(|k| k.blob_key).collect())
}
