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

/// Notes that client `key_id` read `stream` up to `(epoch, txid, id)` (where it asked from, when its
/// page was empty), now.
pub async fn record_position(
    conn: &mut AsyncPgConnection,
    key_id: &str,
    stream: &str,
    (epoch, txid, id): (i64, i64, i64),
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Integer, Text};
    diesel::sql_query(
        "INSERT INTO exchange_positions (key_id, stream, epoch, txid, id) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (key_id, stream) DO UPDATE \
         SET epoch = EXCLUDED.epoch, txid = EXCLUDED.txid, id = EXCLUDED.id, synced_at = now()",
    )
    .bind::<Text, _>(key_id)
    .bind::<Text, _>(stream)
    .bind::<Integer, _>(i32::try_from(epoch).unwrap_or(i32::MAX))
    .bind::<BigInt, _>(txid)
    .bind::<BigInt, _>(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// How far behind one client is on one feed.
#[derive(Debug, Clone, QueryableByName)]
pub struct Lag {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub key_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub stream: String,
    /// Events of the feed it may read and has not yet (counted up to `LAG_COUNTED`).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub events: i64,
    /// Seconds since it last read the feed; `None` when it never did.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub since_sync: Option<f64>,
}

/// Lags beyond this many events are reported as this many (counting further costs a scan).
pub const LAG_COUNTED: i64 = 100_000;

/// Every active client's lag on each feed its scopes let it read: the notifications of its
/// agency, the registry.
pub async fn lags(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Lag>> {
    diesel::sql_query(format!(
        "SELECT c.key_id, s.stream, \
                (SELECT count(*) FROM (SELECT 1 FROM exchange_feed f \
                  WHERE f.stream = s.stream \
                    AND f.agency_id IS NOT DISTINCT FROM \
                        (CASE WHEN s.stream = 'notifications' THEN c.agency_id END) \
                    AND (f.epoch, f.txid, f.id) > \
                        (COALESCE(p.epoch, 0), COALESCE(p.txid, 0)::text::xid8, COALESCE(p.id, 0)) \
                  LIMIT {LAG_COUNTED}) AS waiting)::bigint AS events, \
                EXTRACT(EPOCH FROM now() - p.synced_at)::float8 AS since_sync \
         FROM exchange_clients c \
         CROSS JOIN (VALUES ('notifications', 'notifications:read'), \
                            ('registry', 'registry:read')) AS s (stream, scope) \
         LEFT JOIN exchange_positions p ON p.key_id = c.key_id AND p.stream = s.stream \
         WHERE c.revoked_at IS NULL AND s.scope = ANY (c.scopes) \
         ORDER BY c.key_id, s.stream"
    ))
    .load(conn)
    .await
}
