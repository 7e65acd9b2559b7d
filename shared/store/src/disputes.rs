//! Disputes over a USCC (统一社会信用代码): a registration claiming a code another
//! organisation already holds, kept for the province's reviewers to decide.

use crate::schema::registration_disputes;
use crate::scope::Scope;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = registration_disputes)]
pub struct Dispute {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub province_code: String,
    pub uscc: String,
    pub claimant: serde_json::Value,
    #[serde(skip)]
    pub claimant_password_hash: String,
    pub status: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = registration_disputes)]
pub struct NewDispute {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub province_code: String,
    pub uscc: String,
    pub claimant: serde_json::Value,
    pub claimant_password_hash: String,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDispute) -> QueryResult<Dispute> {
    diesel::insert_into(registration_disputes::table)
        .values(new)
        .returning(Dispute::as_returning())
        .get_result(conn)
        .await
}

/// The disputes of the provinces `scope` works, of `status` if given, oldest first, after the
/// dispute `after` (keyset), at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    status: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Dispute>> {
    let mut q = registration_disputes::table
        .select(Dispute::as_select())
        .order(registration_disputes::id.asc())
        .limit(limit)
        .into_boxed();
    match scope.cac_provinces() {
        Some(None) => {}
        Some(Some(codes)) => {
            q = q.filter(registration_disputes::province_code.eq_any(codes.to_vec()));
        }
        None => return Ok(Vec::new()),
    }
    if let Some(s) = status {
        q = q.filter(registration_disputes::status.eq(s.to_owned()));
    }
    if let Some(a) = after {
        q = q.filter(registration_disputes::id.gt(a));
    }
    q.load(conn).await
}

/// The dispute, if `scope` works its province.
pub async fn get(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    id: Uuid,
) -> QueryResult<Option<Dispute>> {
    let found: Option<Dispute> = registration_disputes::table
        .find(id)
        .select(Dispute::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(found.filter(|d| scope.covers(&d.province_code)))
}

/// Decides an open dispute (to `upheld` or `dismissed`); `None` when it was no longer open.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    note: &str,
    by: Uuid,
) -> QueryResult<Option<Dispute>> {
    diesel::update(
        registration_disputes::table
            .find(id)
            .filter(registration_disputes::status.eq("open")),
    )
    .set((
        registration_disputes::status.eq(status),
        registration_disputes::note.eq(note),
        registration_disputes::decided_at.eq(diesel::dsl::now),
        registration_disputes::decided_by.eq(by),
    ))
    .returning(Dispute::as_returning())
    .get_result(conn)
    .await
    .optional()
}
