//! Audit checkpoints: the chain's place and head hash as signed by the platform and sent to
//! the witness agencies. Kept here too, to know when the next is due; the proof is the copy
//! the witnesses hold.

use crate::schema::audit_checkpoints;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
pub struct StoredCheckpoint {
    pub seq: i64,
    pub head_hash: Vec<u8>,
    pub hash_alg: String,
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    pub signature: Vec<u8>,
    pub notification_id: Option<Uuid>,
}

/// Holds the checkpoint lock for the transaction: one worker signs at a time.
pub async fn lock(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(2025060121)")
        .execute(conn)
        .await
        .map(|_| ())
}

/// The latest checkpoint signed.
pub async fn latest(conn: &mut AsyncPgConnection) -> QueryResult<Option<StoredCheckpoint>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq.desc())
        .select(StoredCheckpoint::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(conn: &mut AsyncPgConnection, c: &StoredCheckpoint) -> QueryResult<()> {
    diesel::insert_into(audit_checkpoints::table)
        .values(c)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The chain's head as committed: (seq, hash, algorithm).
pub async fn head(conn: &mut AsyncPgConnection) -> QueryResult<(i64, Vec<u8>, String)> {
    use crate::schema::audit_chain_head;
    audit_chain_head::table
        .select((
            audit_chain_head::seq,
            audit_chain_head::hash,
            audit_chain_head::hash_alg,
        ))
        .first(conn)
        .await
}
