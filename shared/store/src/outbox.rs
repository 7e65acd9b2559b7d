//! The outbox: every outgoing message as a row written in the transaction of the change that
//! causes it, then sent by the worker. A message is claimed under a lease (`FOR UPDATE SKIP
//! LOCKED`, so workers never share one), marked `sending` as its own transport conversation
//! begins, marked sent once the transport accepted it, retried with backoff after a failed
//! attempt, and never sent twice: a lease that runs out while a message is being sent leaves
//! it `uncertain` for an operator, not back in the queue; one that runs out on a message only
//! claimed puts it back, since it never left.

use crate::schema::outbox;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// A message to enqueue, already rendered.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMessage {
    pub id: Uuid,
    pub channel: String,
    /// Enqueueing the same key again does nothing.
    pub dedup_key: String,
    pub template: String,
    pub locale: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Personal data (a complainant's address): recipient and text are removed once the
    /// message is delivered or has failed for good.
    pub redact_after_send: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, Serialize, utoipa::ToSchema)]
#[diesel(table_name = outbox)]
pub struct Message {
    pub id: Uuid,
    pub channel: String,
    pub dedup_key: String,
    pub template: String,
    pub locale: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// What a redacted message keeps of its recipient and text.
const REDACTED_RECIPIENT: &str =
    "CASE WHEN redact_after_send THEN '(removed after delivery)' ELSE recipient END";
const REDACTED_BODY: &str = "CASE WHEN redact_after_send THEN '' ELSE body END";

/// The status of the message queued under `dedup_key`, if any.
pub async fn status_of(
    conn: &mut AsyncPgConnection,
    dedup_key: &str,
) -> QueryResult<Option<String>> {
    outbox::table
        .filter(outbox::dedup_key.eq(dedup_key))
        .select(outbox::status)
        .first(conn)
        .await
        .optional()
}

/// Adds a message; `false` when one with the same dedup key exists already.
pub async fn enqueue(conn: &mut AsyncPgConnection, message: &NewMessage) -> QueryResult<bool> {
    diesel::insert_into(outbox::table)
        .values(message)
        .on_conflict(outbox::dedup_key)
        .do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Claims up to `limit` messages that are due, for `worker`, under a lease of `lease_ms`.
/// Each claim counts as an attempt. Runs as one statement: the claim is committed before any
/// message leaves.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker: &str,
    limit: i64,
    lease_ms: i64,
) -> QueryResult<Vec<Message>> {
    diesel::sql_query(
        "UPDATE outbox SET status = 'claimed', attempts = attempts + 1, claimed_by = $1, \
         lease_until = now() + make_interval(secs => $2::double precision / 1000) \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now() \
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<Text, _>(worker)
    .bind::<BigInt, _>(lease_ms)
    .bind::<BigInt, _>(limit)
    .load::<Message>(conn)
    .await
    .map(|mut claimed| {
        // RETURNING keeps no order: send oldest first.
        claimed.sort_by_key(|m| (m.next_attempt_at, m.created_at, m.id));
        claimed
    })
}

/// Marks a claimed message as being sent, just before its transport conversation begins;
/// whether this worker still held it (its lease had not run out).
pub async fn begin_send(conn: &mut AsyncPgConnection, id: Uuid, worker: &str) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("claimed"))
            .filter(outbox::claimed_by.eq(worker))
            .filter(outbox::lease_until.gt(diesel::dsl::now)),
    )
    .set(outbox::status.eq("sending"))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Records that the transport accepted a message this worker holds.
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    outcome: &str,
) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("sending"))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq("sent"),
        outbox::sent_at.eq(diesel::dsl::now),
        outbox::outcome.eq(outcome),
        outbox::lease_until.eq(None::<DateTime<Utc>>),
        outbox::recipient.eq(diesel::dsl::sql::<Text>(REDACTED_RECIPIENT)),
        outbox::body.eq(diesel::dsl::sql::<Text>(REDACTED_BODY)),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Records a failed attempt: back to the queue at `retry_at`, or `failed` when `None`.
pub async fn mark_attempt_failed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> QueryResult<bool> {
    let (status, next) = match retry_at {
        Some(at) => ("pending", at),
        None => ("failed", Utc::now()),
    };
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("sending"))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(status),
        outbox::next_attempt_at.eq(next),
        outbox::last_error.eq(error),
        outbox::lease_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await?;
    if n != 1 {
        return Ok(false);
    }
    if retry_at.is_none() {
        diesel::update(outbox::table.filter(outbox::id.eq(id)))
            .set((
                outbox::recipient.eq(diesel::dsl::sql::<Text>(REDACTED_RECIPIENT)),
                outbox::body.eq(diesel::dsl::sql::<Text>(REDACTED_BODY)),
            ))
            .execute(conn)
            .await?;
    }
    Ok(true)
}

/// Messages whose lease ran out while being sent (the worker stopped mid-send): the transport
/// may or may not have accepted them, so they become `uncertain` rather than sent again. Those
/// only claimed never left and go back in the queue, their claim not counted as an attempt.
/// Answers how many became uncertain.
pub async fn expire_leases(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::status.eq("claimed"))
            .filter(outbox::lease_until.lt(diesel::dsl::now)),
    )
    .set((
        outbox::status.eq("pending"),
        outbox::lease_until.eq(None::<DateTime<Utc>>),
        outbox::claimed_by.eq(None::<String>),
        outbox::attempts.eq(diesel::dsl::sql::<Integer>("greatest(attempts - 1, 0)")),
    ))
    .execute(conn)
    .await?;
    diesel::update(
        outbox::table
            .filter(outbox::status.eq("sending"))
            .filter(outbox::lease_until.lt(diesel::dsl::now)),
    )
    .set((
        outbox::status.eq("uncertain"),
        outbox::last_error.eq(
            "the worker stopped while sending; check whether it arrived before sending it again",
        ),
    ))
    .execute(conn)
    .await
}

/// Puts a failed or uncertain message back in the queue (an operator's decision).
pub async fn requeue(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq_any(["failed", "uncertain"])),
    )
    .set((
        outbox::status.eq("pending"),
        outbox::next_attempt_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Withdraws the messages of `template` about an entity that no worker has taken yet (mail
/// that has become pointless); answers how many.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
    template: &str,
) -> QueryResult<usize> {
    diesel::delete(
        outbox::table
            .filter(outbox::entity_type.eq(entity_type))
            .filter(outbox::entity_id.eq(entity_id))
            .filter(outbox::template.eq(template))
            .filter(outbox::status.eq("pending")),
    )
    .execute(conn)
    .await
}

/// Messages about one entity, oldest first.
pub async fn for_entity(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<Vec<Message>> {
    outbox::table
        .filter(outbox::entity_type.eq(entity_type))
        .filter(outbox::entity_id.eq(entity_id))
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .select(Message::as_select())
        .load(conn)
        .await
}

/// Messages in a status, oldest first.
pub async fn with_status(
    conn: &mut AsyncPgConnection,
    status: &str,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    outbox::table
        .filter(outbox::status.eq(status))
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select(Message::as_select())
        .load(conn)
        .await
}

#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct StatusCount {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub count: i32,
}

/// How many messages are in each status.
pub async fn counts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<StatusCount>> {
    diesel::sql_query(
        "SELECT status, count(*)::int AS count FROM outbox GROUP BY status ORDER BY status",
    )
    .load(conn)
    .await
}
