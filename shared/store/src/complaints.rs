//! Complaints and reports (投诉举报): the rows, their receipt numbers, the office's queue (by
//! the nearest open time limit, keyset-paged), repeats found by the contact's keyed
//! fingerprint, and the evidence given. Every staff read takes the caller's `Scope`, applied in SQL.

use crate::deadlines as deadlines_store;
use crate::schema::{
    complaint_ratings, complaint_receipt_counters, complaint_secrets, complaints, deadlines,
};
use crate::scope::{Reach, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Entity type of complaints in the audit trail, the deadline table and the outbox.
pub const ENTITY: &str = "complaint";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaints)]
pub struct Complaint {
    pub id: Uuid,
    pub receipt_number: String,
    pub province_code: String,
    pub channel: String,
    pub status: String,
    pub organisation_id: Option<Uuid>,
    pub processor_name: Option<String>,
    pub processor_uscc: Option<String>,
    pub description: String,
    pub occurred_on: Option<NaiveDate>,
    pub location: Option<String>,
    pub anonymous: bool,
    pub reply_channel: Option<String>,
    pub duplicate_of: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub decision_reason: Option<String>,
    pub transferred_to: Option<String>,
    pub result: Option<String>,
    pub inspection_id: Option<Uuid>,
    pub reply_text: Option<String>,
    pub reply_state: Option<String>,
    pub reply_seq: i32,
    pub reply_sent_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// A complaint's secrets, kept beside it: the access code's hash and the complainant's sealed
/// contact with its keyed fingerprint, each with the name of its algorithm.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = complaint_secrets)]
pub struct Secrets {
    pub complaint_id: Uuid,
    pub access_code_hash: Vec<u8>,
    /// `sha256` or `sm3`.
    pub access_code_alg: String,
    pub contact_sealed: Option<Vec<u8>>,
    pub contact_key_id: Option<String>,
    /// `aes-256-gcm` or `sm4-gcm`.
    pub contact_seal_alg: Option<String>,
    pub contact_fingerprint: Option<Vec<u8>>,
    /// `hmac-sha256` or `hmac-sm3`.
    pub contact_fingerprint_alg: Option<String>,
}

/// The secrets of complaint `id`.
pub async fn secrets(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Secrets>> {
    complaint_secrets::table
        .find(id)
        .select(Secrets::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = complaints)]
pub struct NewComplaint<'a> {
    pub id: Uuid,
    pub receipt_number: &'a str,
    pub province_code: &'a str,
    pub channel: &'a str,
    pub status: &'a str,
    pub organisation_id: Option<Uuid>,
    pub processor_name: Option<&'a str>,
    pub processor_uscc: Option<&'a str>,
    pub description: &'a str,
    pub occurred_on: Option<NaiveDate>,
    pub location: Option<&'a str>,
    pub anonymous: bool,
    pub reply_channel: Option<&'a str>,
    pub duplicate_of: Option<Uuid>,
    pub created_by: Option<Uuid>,
}

/// The next number of the day's sequence of a province (1, 2, …), counted in the transaction.
pub async fn next_receipt_seq(
    conn: &mut AsyncPgConnection,
    province: &str,
    day: NaiveDate,
) -> QueryResult<i64> {
    diesel::insert_into(complaint_receipt_counters::table)
        .values((
            complaint_receipt_counters::province_code.eq(province),
            complaint_receipt_counters::day.eq(day),
            complaint_receipt_counters::last_seq.eq(1_i64),
        ))
        .on_conflict((
            complaint_receipt_counters::province_code,
            complaint_receipt_counters::day,
        ))
        .do_update()
        .set(complaint_receipt_counters::last_seq.eq(complaint_receipt_counters::last_seq + 1))
        .returning(complaint_receipt_counters::last_seq)
        .get_result(conn)
        .await
}

/// Writes a complaint and its secrets (whose `complaint_id` is the complaint's).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    n: &NewComplaint<'_>,
    secrets: &Secrets,
) -> QueryResult<Complaint> {
    let c = diesel::insert_into(complaints::table)
        .values(n)
        .returning(Complaint::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(complaint_secrets::table)
        .values(secrets)
        .execute(conn)
        .await?;
    Ok(c)
}

/// By receipt number (the public lookup; the caller checks the access code).
pub async fn by_receipt(
    conn: &mut AsyncPgConnection,
    receipt: &str,
) -> QueryResult<Option<Complaint>> {
    complaints::table
        .filter(complaints::receipt_number.eq(receipt))
        .select(Complaint::as_select())
        .first(conn)
        .await
        .optional()
}

type Boxed<'a> = complaints::BoxedQuery<'a, diesel::pg::Pg>;

/// The complaints the scope may see: a CAC office's provinces', or for an agency outside the
/// CAC those a case transfer handed to it; never a processor's.
fn scoped(scope: &Scope) -> Boxed<'_> {
    let q = complaints::table.into_boxed();
    match &scope.reach {
        Reach::Everywhere => q,
        Reach::Provinces(p) => q.filter(complaints::province_code.eq_any(p)),
        Reach::Granted(agency) => {
            q.filter(complaints::id.eq_any(crate::scope::granted_to(*agency, ENTITY)))
        }
        Reach::Organisation(_) => q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
    }
}

/// One complaint, if the scope may see it.
pub async fn get(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Complaint>> {
    scoped(scope)
        .filter(complaints::id.eq(id))
        .select(Complaint::as_select())
        .first(conn)
        .await
        .optional()
}

/// One complaint the scope may see, locked for the rest of the transaction.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
) -> QueryResult<Option<Complaint>> {
    if get(conn, id, scope).await?.is_none() {
        return Ok(None);
    }
    complaints::table
        .find(id)
        .for_update()
        .select(Complaint::as_select())
        .first(conn)
        .await
        .optional()
}

/// What a step writes besides the status (`None`: unchanged).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = complaints)]
pub struct Changes<'a> {
    pub province_code: Option<&'a str>,
    pub assignee_id: Option<Uuid>,
    pub decision_reason: Option<&'a str>,
    pub transferred_to: Option<&'a str>,
    pub result: Option<&'a str>,
    pub inspection_id: Option<Uuid>,
    pub reply_text: Option<&'a str>,
    pub reply_state: Option<&'a str>,
    pub reply_seq: Option<i32>,
    pub reply_sent_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Moves a complaint to `status` with `changes`, from the version the caller saw; `None` when
/// that version is stale.
pub async fn step(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i32,
    status: &str,
    changes: &Changes<'_>,
) -> QueryResult<Option<Complaint>> {
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(id))
            .filter(complaints::version.eq(version)),
    )
    .set((
        complaints::status.eq(status),
        changes,
        complaints::version.eq(complaints::version + 1),
        complaints::updated_at.eq(diesel::dsl::now),
    ))
    .returning(Complaint::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// The earliest complaint about the same processor (its id, or else the USCC or name as
/// given) from the same contact since `since`, still open or handled, not itself a repeat.
/// `fingerprints` are the contact's under each algorithm, so that rows of both suites match.
pub async fn first_of_repeats(
    conn: &mut AsyncPgConnection,
    fingerprints: &[Vec<u8>],
    organisation: Option<Uuid>,
    uscc: Option<&str>,
    name: Option<&str>,
    since: DateTime<Utc>,
) -> QueryResult<Option<Complaint>> {
    let mut q = complaints::table
        .inner_join(complaint_secrets::table)
        .filter(complaint_secrets::contact_fingerprint.eq_any(fingerprints.to_vec()))
        .filter(complaints::received_at.ge(since))
        .filter(complaints::duplicate_of.is_null())
        .filter(complaints::status.ne_all(vec!["transferred", "merged"]))
        .into_boxed();
    q = match (organisation, uscc, name) {
        (Some(org), _, _) => q.filter(complaints::organisation_id.eq(org)),
        (None, Some(u), _) => q.filter(complaints::processor_uscc.eq(u.to_owned())),
        (None, None, Some(n)) => q.filter(complaints::processor_name.eq(n.to_owned())),
        (None, None, None) => return Ok(None),
    };
    q.order((complaints::received_at.asc(), complaints::id.asc()))
        .select(Complaint::as_select())
        .first(conn)
        .await
        .optional()
}

/// The receipt numbers of the complaints linked to `first` as its repeats, oldest first.
pub async fn repeats_of(conn: &mut AsyncPgConnection, first: Uuid) -> QueryResult<Vec<String>> {
    complaints::table
        .filter(complaints::duplicate_of.eq(first))
        .order((complaints::received_at.asc(), complaints::id.asc()))
        .select(complaints::receipt_number)
        .load(conn)
        .await
}

/// One row of the office's queue: the complaint and its nearest open time limit.
#[derive(Debug, Clone)]
pub struct Queued {
    pub complaint: Complaint,
    pub due_date: Option<NaiveDate>,
}

/// Filters and order of the queue.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub assignee: Option<Uuid>,
    pub overdue_on: Option<NaiveDate>,
    pub open_only: bool,
    /// Only complaints the complainant rated so (回访), whatever their status.
    pub rating: Option<String>,
    /// Part of the processor's name as given, or its USCC.
    pub processor: Option<String>,
    /// Keyset: after (due date, id); complaints with no open time limit come last.
    pub after: Option<(Option<NaiveDate>, Uuid)>,
    pub limit: i64,
}

/// The queue of the scope, nearest time limit first (then receipt), keyset-paged.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    q: &QueueQuery,
) -> QueryResult<Vec<Queued>> {
    // The nearest deadline not yet met; a far date stands in for none, so one order serves.
    let none = deadlines_store::no_open_limit();
    let due_or_none_sql = deadlines_store::nearest_open_sql(ENTITY, "complaints");
    let due = deadlines::table
        .filter(deadlines::entity_type.eq(ENTITY))
        .filter(deadlines::entity_id.eq(complaints::id))
        .filter(deadlines::met_on.is_null())
        .select(diesel::dsl::min(deadlines::due_date))
        .single_value();
    let due_or_none = diesel::dsl::sql::<diesel::sql_types::Date>(&due_or_none_sql);
    let mut query = scoped(scope);
    if let Some(s) = &q.status {
        query = query.filter(complaints::status.eq(s.clone()));
    }
    if let Some(r) = &q.rating {
        query = query.filter(diesel::dsl::exists(
            complaint_ratings::table
                .filter(complaint_ratings::complaint_id.eq(complaints::id))
                .filter(complaint_ratings::rating.eq(r.clone())),
        ));
    } else if q.open_only {
        query = query.filter(complaints::status.ne_all(vec!["closed", "transferred", "merged"]));
    }
    if let Some(p) = q
        .processor
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        query = query.filter(
            complaints::processor_name
                .ilike(crate::filings::contains_pattern(p))
                .or(complaints::processor_uscc.eq(p.to_uppercase())),
        );
    }
    if let Some(a) = q.assignee {
        query = query.filter(complaints::assignee_id.eq(a));
    }
    if let Some(day) = q.overdue_on {
        query = query.filter(diesel::dsl::exists(
            deadlines::table
                .filter(deadlines::entity_type.eq(ENTITY))
                .filter(deadlines::entity_id.eq(complaints::id))
                .filter(deadlines::met_on.is_null())
                .filter(deadlines::due_date.lt(day)),
        ));
    }
    if let Some((after_due, after_id)) = q.after {
        let d = after_due.unwrap_or(none);
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "({due_or_none_sql}, complaints.id) > ("
            ))
            .bind::<diesel::sql_types::Date, _>(d)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(after_id)
            .sql(")"),
        );
    }
    let rows: Vec<(Complaint, Option<NaiveDate>)> = query
        .order((due_or_none.asc(), complaints::id.asc()))
        .limit(q.limit)
        .select((Complaint::as_select(), due))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(complaint, due_date)| Queued {
            complaint,
            due_date,
        })
        .collect())
}

/// The complaints about one processor, oldest first.
pub async fn of_organisation(
    conn: &mut AsyncPgConnection,
    organisation: Uuid,
) -> QueryResult<Vec<Complaint>> {
    complaints::table
        .filter(complaints::organisation_id.eq(organisation))
        .order((complaints::received_at.asc(), complaints::id.asc()))
        .select(Complaint::as_select())
        .load(conn)
        .await
}

/// The complainant's rating of the handling (回访).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaint_ratings)]
pub struct Rating {
    pub complaint_id: Uuid,
    pub province_code: String,
    pub rating: String,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
}

/// Records the rating of `id`, once: false when it was rated before.
pub async fn rate(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    province_code: &str,
    rating: &str,
    comment: Option<&str>,
) -> QueryResult<bool> {
    diesel::insert_into(complaint_ratings::table)
        .values((
            complaint_ratings::complaint_id.eq(id),
            complaint_ratings::province_code.eq(province_code),
            complaint_ratings::rating.eq(rating),
            complaint_ratings::comment.eq(comment),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The rating of `id`, if it was rated.
pub async fn rating_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Rating>> {
    complaint_ratings::table
        .find(id)
        .select(Rating::as_select())
        .first(conn)
        .await
        .optional()
}
