//! Idempotency keys: the first response to a keyed request is stored in the same transaction
//! as its effect, and a retry with the same key gets that response back.

use crate::schema::idempotency_keys;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable)]
pub struct SavedResponse {
    pub request_hash: String,
    pub status: i32,
    pub body: serde_json::Value,
}

/// Takes the key for this transaction: waits for a concurrent holder of the same key, then
/// returns its saved response if it finished first.
pub async fn lookup_locked(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    key: &str,
) -> QueryResult<Option<SavedResponse>> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("{user}:{key}"))
        .execute(conn)
        .await?;
    idempotency_keys::table
        .find((user, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .await
        .optional()
}

pub async fn save(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    key: &str,
    request_hash: &str,
    status: i32,
    body: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
