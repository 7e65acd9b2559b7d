//! Notifications between agencies (通报): the rows, their recipients and what each did (签收,
//! 反馈), the records they concern, the records a case transfer hands over, attachments, and
//! the exchange feed that agencies' systems read. Every read takes the caller's visibility in
//! SQL.

use crate::schema::{
    agencies, case_grants, exchange_feed, notification_counters, notification_links,
    notification_recipients, notifications,
};
use crate::scope::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Entity type of notifications in the audit trail, the deadline table and the outbox.
pub const ENTITY: &str = "notification";

/// The agency kinds of the CAC's own domain (national CAC sees everything within it).
pub const CAC_KINDS: [&str; 2] = ["provincial_cac", "national_cac"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: Uuid,
    pub reference: String,
    pub kind: String,
    pub sender_agency_id: Uuid,
    pub sender_user_id: Option<Uuid>,
    pub sender_client: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub processor_name: Option<String>,
    pub processor_uscc: Option<String>,
    pub title: String,
    pub body: String,
    pub classification: String,
    pub restricted_roles: Vec<String>,
    pub ack_required: bool,
    pub ack_working_days: Option<i32>,
    pub in_reply_to: Option<Uuid>,
    pub sent_at: DateTime<Utc>,
}

/// One recipient agency and where its receipt stands.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = notification_recipients, treat_none_as_null = true)]
pub struct Recipient {
    pub notification_id: Uuid,
    pub agency_id: Uuid,
    pub status: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
    pub feedback: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<Uuid>,
}

impl Recipient {
    pub fn delivered(notification_id: Uuid, agency_id: Uuid) -> Self {
        Self {
            notification_id,
            agency_id,
            status: "delivered".to_owned(),
            acknowledged_at: None,
            acknowledged_by: None,
            feedback: None,
            answered_at: None,
            answered_by: None,
        }
    }
}

/// The next number of the day's sequence (1, 2, …), counted in the transaction.
pub async fn next_seq(conn: &mut AsyncPgConnection, day: NaiveDate) -> QueryResult<i32> {
    diesel::insert_into(notification_counters::table)
        .values((
            notification_counters::day.eq(day),
            notification_counters::last_seq.eq(1),
        ))
        .on_conflict(notification_counters::day)
        .do_update()
        .set(notification_counters::last_seq.eq(notification_counters::last_seq + 1))
        .returning(notification_counters::last_seq)
        .get_result(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, n: &Notification) -> QueryResult<Notification> {
    diesel::insert_into(notifications::table)
        .values(n)
        .returning(Notification::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_recipients(
    conn: &mut AsyncPgConnection,
    rows: &[Recipient],
) -> QueryResult<usize> {
    diesel::insert_into(notification_recipients::table)
        .values(rows)
        .execute(conn)
        .await
}

pub async fn insert_links(
    conn: &mut AsyncPgConnection,
    notification: Uuid,
    links: &[(String, Uuid)],
) -> QueryResult<usize> {
    let rows: Vec<_> = links
        .iter()
        .map(|(t, id)| {
            (
                notification_links::notification_id.eq(notification),
                notification_links::entity_type.eq(t.as_str()),
                notification_links::entity_id.eq(*id),
            )
        })
        .collect();
    diesel::insert_into(notification_links::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Hands `agency` the records of a case transfer.
pub async fn grant(
    conn: &mut AsyncPgConnection,
    agency: Uuid,
    notification: Uuid,
    links: &[(String, Uuid)],
) -> QueryResult<usize> {
    let rows: Vec<_> = links
        .iter()
        .map(|(t, id)| {
            (
                case_grants::agency_id.eq(agency),
                case_grants::entity_type.eq(t.as_str()),
                case_grants::entity_id.eq(*id),
                case_grants::notification_id.eq(notification),
            )
        })
        .collect();
    diesel::insert_into(case_grants::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Whether a case transfer handed `agency` this record.
pub async fn granted(
    conn: &mut AsyncPgConnection,
    agency: Uuid,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        case_grants::table
            .filter(case_grants::agency_id.eq(agency))
            .filter(case_grants::entity_type.eq(entity_type))
            .filter(case_grants::entity_id.eq(entity_id)),
    ))
    .get_result(conn)
    .await
}

/// The agencies that sent or received a notification.
async fn concerned(conn: &mut AsyncPgConnection, n: &Notification) -> QueryResult<Vec<Uuid>> {
    let mut all: Vec<Uuid> = notification_recipients::table
        .filter(notification_recipients::notification_id.eq(n.id))
        .select(notification_recipients::agency_id)
        .load(conn)
        .await?;
    all.push(n.sender_agency_id);
    Ok(all)
}

/// Whether the scope's reader may see `n`: its agency sent or received it (national CAC: any
/// agency of the CAC's domain did), and a restricted one names the reader's role (or the
/// reader sent it). Only an agency's staff and systems read notifications.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    n: &Notification,
) -> QueryResult<bool> {
    let Some(agency) = scope.agency_id else {
        return Ok(false);
    };
    let agencies_concerned = concerned(conn, n).await?;
    let by_agency = if agencies_concerned.contains(&agency) {
        true
    } else if scope.is_everywhere() {
        let kinds: Vec<String> = agencies::table
            .filter(agencies::id.eq_any(&agencies_concerned))
            .select(agencies::kind)
            .load(conn)
            .await?;
        kinds.iter().any(|k| CAC_KINDS.contains(&k.as_str()))
    } else {
        false
    };
    Ok(by_agency && visible_by_role(scope, n))
}

/// Whether a restricted notification names the reader's role (or the reader sent it); any
/// other notification is visible by role to every reader of an agency concerned.
pub fn visible_by_role(scope: &Scope, n: &Notification) -> bool {
    n.classification != "restricted"
        || scope
            .role
            .as_ref()
            .is_some_and(|r| n.restricted_roles.contains(r))
        || (scope.user_id.is_some() && scope.user_id == n.sender_user_id)
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Notification>> {
    notifications::table
        .find(id)
        .select(Notification::as_select())
        .first(conn)
        .await
        .optional()
}

/// The notifications among `ids`, in no particular order (those gone are left out).
pub async fn get_all(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::id.eq_any(ids))
        .select(Notification::as_select())
        .load(conn)
        .await
}

pub async fn recipients(
    conn: &mut AsyncPgConnection,
    notification: Uuid,
) -> QueryResult<Vec<Recipient>> {
    recipients_of_all(conn, &[notification]).await
}

/// The recipients of these notifications, by notification and agency.
pub async fn recipients_of_all(
    conn: &mut AsyncPgConnection,
    notifications: &[Uuid],
) -> QueryResult<Vec<Recipient>> {
    notification_recipients::table
        .filter(notification_recipients::notification_id.eq_any(notifications))
        .order((
            notification_recipients::notification_id,
            notification_recipients::agency_id,
        ))
        .select(Recipient::as_select())
        .load(conn)
        .await
}

/// Where `agency`'s receipts of these notifications stand: (notification, status).
pub async fn receipts_of(
    conn: &mut AsyncPgConnection,
    agency: Uuid,
    notifications: &[Uuid],
) -> QueryResult<Vec<(Uuid, String)>> {
    notification_recipients::table
        .filter(notification_recipients::agency_id.eq(agency))
        .filter(notification_recipients::notification_id.eq_any(notifications))
        .select((
            notification_recipients::notification_id,
            notification_recipients::status,
        ))
        .load(conn)
        .await
}

/// One recipient's row, locked for the rest of the transaction.
pub async fn recipient_for_update(
    conn: &mut AsyncPgConnection,
    notification: Uuid,
    agency: Uuid,
) -> QueryResult<Option<Recipient>> {
    notification_recipients::table
        .find((notification, agency))
        .for_update()
        .select(Recipient::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update_recipient(conn: &mut AsyncPgConnection, r: &Recipient) -> QueryResult<usize> {
    diesel::update(notification_recipients::table.find((r.notification_id, r.agency_id)))
        .set(r)
        .execute(conn)
        .await
}

pub async fn links(
    conn: &mut AsyncPgConnection,
    notification: Uuid,
) -> QueryResult<Vec<(String, Uuid)>> {
    Ok(links_of_all(conn, &[notification])
        .await?
        .into_iter()
        .map(|(_, entity_type, entity_id)| (entity_type, entity_id))
        .collect())
}

/// The links of these notifications: (notification, entity type, entity id), in that order.
pub async fn links_of_all(
    conn: &mut AsyncPgConnection,
    notifications: &[Uuid],
) -> QueryResult<Vec<(Uuid, String, Uuid)>> {
    notification_links::table
        .filter(notification_links::notification_id.eq_any(notifications))
        .order((
            notification_links::notification_id,
            notification_links::entity_type,
            notification_links::entity_id,
        ))
        .select((
            notification_links::notification_id,
            notification_links::entity_type,
            notification_links::entity_id,
        ))
        .load(conn)
        .await
}

/// The list's filters.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `sent`: those the reader's agency sent; `received`: addressed to it; none: both (and,
    /// for national CAC, the CAC's domain).
    pub direction: Option<String>,
    pub kind: Option<String>,
    /// The reader's agency's receipt status (received ones).
    pub status: Option<String>,
    pub organisation: Option<Uuid>,
    /// Keyset: before (sent_at, id), newest first.
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// The notifications the scope's reader may see, newest first, keyset-paged.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    q: &ListQuery,
) -> QueryResult<Vec<Notification>> {
    let Some(agency) = scope.agency_id else {
        return Ok(Vec::new());
    };
    let to_me = notification_recipients::table
        .filter(notification_recipients::notification_id.eq(notifications::id))
        .filter(notification_recipients::agency_id.eq(agency));
    let mut query = notifications::table.into_boxed();
    query = match q.direction.as_deref() {
        Some("sent") => query.filter(notifications::sender_agency_id.eq(agency)),
        Some("received") => query.filter(diesel::dsl::exists(to_me)),
        _ if scope.is_everywhere() => {
            let cac = agencies::table
                .filter(agencies::kind.eq_any(CAC_KINDS))
                .select(agencies::id);
            let cac_recipient = notification_recipients::table
                .filter(notification_recipients::notification_id.eq(notifications::id))
                .filter(notification_recipients::agency_id.eq_any(cac));
            let cac_sender = agencies::table
                .filter(agencies::id.eq(notifications::sender_agency_id))
                .filter(agencies::kind.eq_any(CAC_KINDS));
            query.filter(diesel::dsl::exists(cac_sender).or(diesel::dsl::exists(cac_recipient)))
        }
        _ => query.filter(
            notifications::sender_agency_id
                .eq(agency)
                .or(diesel::dsl::exists(to_me)),
        ),
    };
    // Restricted ones: only the roles they name, and their sender.
    let role = scope.role.clone().unwrap_or_default();
    let sender = scope.user_id.unwrap_or_else(Uuid::nil);
    query = query.filter(
        notifications::classification
            .ne("restricted")
            .or(diesel::dsl::sql::<diesel::sql_types::Bool>("")
                .bind::<Text, _>(role)
                .sql(" = ANY (notifications.restricted_roles)"))
            .or(notifications::sender_user_id.eq(sender)),
    );
    if let Some(k) = &q.kind {
        query = query.filter(notifications::kind.eq(k.clone()));
    }
    if let Some(s) = &q.status {
        let with_status = notification_recipients::table
            .filter(notification_recipients::notification_id.eq(notifications::id))
            .filter(notification_recipients::agency_id.eq(agency))
            .filter(notification_recipients::status.eq(s.clone()));
        query = query.filter(diesel::dsl::exists(with_status));
    }
    if let Some(o) = q.organisation {
        query = query.filter(notifications::organisation_id.eq(o));
    }
    if let Some((at, id)) = q.before {
        query = query.filter(
            notifications::sent_at
                .lt(at)
                .or(notifications::sent_at.eq(at).and(notifications::id.lt(id))),
        );
    }
    query
        .order((notifications::sent_at.desc(), notifications::id.desc()))
        .limit(q.limit)
        .select(Notification::as_select())
        .load(conn)
        .await
}

/// The notifications concerning the processor `organisation`, oldest first.
pub async fn of_organisation(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::organisation_id.eq(organisation))
        .order((notifications::sent_at.asc(), notifications::id.asc()))
        .select(Notification::as_select())
        .load(conn)
        .await
}

// ---- The exchange feed ----

/// Adds an event to a stream: for one agency (notifications), or for every reader (registry).
/// Raises the feed's epoch: after a restore, so that what the restored database writes sorts
/// after every place a reader holds. Answers the new epoch.
pub async fn raise_feed_epoch(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Epoch {
        #[diesel(sql_type = BigInt)]
        epoch: i64,
    }
    diesel::sql_query(
        "UPDATE exchange_feed_epoch SET epoch = epoch + 1, raised_at = now() \
         RETURNING epoch::bigint AS epoch",
    )
    .get_result::<Epoch>(conn)
    .await
    .map(|e| e.epoch)
}

pub async fn feed_append(
    conn: &mut AsyncPgConnection,
    stream: &str,
    agency: Option<Uuid>,
    entity_id: Uuid,
    event: &str,
) -> QueryResult<usize> {
    diesel::insert_into(exchange_feed::table)
        .values((
            exchange_feed::stream.eq(stream),
            exchange_feed::agency_id.eq(agency),
            exchange_feed::entity_id.eq(entity_id),
            exchange_feed::event.eq(event),
        ))
        .execute(conn)
        .await
}

/// One event of a stream, with its place: (epoch, writing transaction, id).
#[derive(Debug, Clone, QueryableByName)]
pub struct FeedRow {
    /// The feed's epoch when the row was written (raised by each restore of the database).
    #[diesel(sql_type = BigInt)]
    pub epoch: i64,
    #[diesel(sql_type = BigInt)]
    pub txid: i64,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub entity_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The events of `stream` for `agency` after `after`, in (epoch, transaction, id) order. Of
/// the current epoch only rows of transactions older than every one still running are read:
/// a transaction that commits late cannot then add a row before a place a reader has already
/// passed. Rows of earlier epochs (restored) are all committed.
pub async fn feed_page(
    conn: &mut AsyncPgConnection,
    stream: &str,
    agency: Option<Uuid>,
    after: Option<(i64, i64, i64)>,
    limit: i64,
) -> QueryResult<Vec<FeedRow>> {
    let (epoch, txid, id) = after.unwrap_or((0, 0, 0));
    diesel::sql_query(
        "SELECT epoch::bigint AS epoch, txid::text::bigint AS txid, id, entity_id, event, \
                created_at \
         FROM exchange_feed \
         WHERE stream = $1 AND agency_id IS NOT DISTINCT FROM $2 \
           AND (epoch, txid, id) > ($3::int, $4::text::xid8, $5) \
           AND (epoch < exchange_current_epoch() \
                OR txid < pg_snapshot_xmin(pg_current_snapshot())) \
         ORDER BY epoch, txid, id LIMIT $6",
    )
    .bind::<Text, _>(stream)
    .bind::<Nullable<SqlUuid>, _>(agency)
    .bind::<BigInt, _>(epoch)
    .bind::<Text, _>(txid.to_string())
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}
