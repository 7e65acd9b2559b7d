//! The exchange service's clients (other agencies' systems), the signatures it has seen (no
//! replays within the window), and the answers to pushes under an Idempotency-Key.

use crate::schema::{exchange_clients, exchange_signatures};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Entity type of clients in the audit trail.
pub const ENTITY: &str = "exchange_client";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = exchange_clients)]
pub struct Client {
    pub key_id: String,
    pub agency_id: Uuid,
    pub scopes: Vec<String>,
    pub secret_sealed: Vec<u8>,
    pub secret_key_id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The secret's seal (`aes-256-gcm` or `sm4-gcm`).
    pub secret_seal_alg: String,
}

pub async fn insert(conn: &mut AsyncPgConnection, c: &Client) -> QueryResult<Client> {
    diesel::insert_into(exchange_clients::table)
        .values(c)
        .returning(Client::as_returning())
        .get_result(conn)
        .await
}

pub async fn get(conn: &mut AsyncPgConnection, key_id: &str) -> QueryResult<Option<Client>> {
    exchange_clients::table
        .find(key_id)
        .select(Client::as_select())
        .first(conn)
        .await
        .optional()
}

/// Every client, newest first.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Client>> {
    exchange_clients::table
        .order(exchange_clients::created_at.desc())
        .select(Client::as_select())
        .load(conn)
        .await
}

/// Revokes a client now; false when there is no such client or it was revoked already.
pub async fn revoke(conn: &mut AsyncPgConnection, key_id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        exchange_clients::table
            .find(key_id)
            .filter(exchange_clients::revoked_at.is_null()),
    )
    .set(exchange_clients::revoked_at.eq(Utc::now()))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Records a signature as seen until `expires_at` (its signed time's window closes); false
/// when it was seen before (a replay).
pub async fn first_sighting(
    conn: &mut AsyncPgConnection,
    key_id: &str,
    signature: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::insert_into(exchange_signatures::table)
        .values((
            exchange_signatures::signature.eq(signature),
            exchange_signatures::key_id.eq(key_id),
            exchange_signatures::expires_at.eq(expires_at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Forgets the signatures whose window closed before `now` (the worker's housekeeping): a
/// replay of one is refused for its timestamp alone.
pub async fn forget_signatures(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(exchange_signatures::table.filter(exchange_signatures::expires_at.lt(now)))
        .execute(conn)
        .await
}
