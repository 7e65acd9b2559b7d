//! The versions of a filing as the processor submitted them, for the reviewer's history.

use crate::schema::filing_versions;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = filing_versions)]
pub struct FilingVersion {
    pub filing_id: Uuid,
    /// 1 for the first submission, 2 for the first resubmission, …
    pub seq: i32,
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    /// The materials attached at that submission (kind, filename, SHA-256).
    #[schema(value_type = Vec<Object>)]
    pub attachments: serde_json::Value,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Uuid,
}

/// Appends the next version of a filing; returns its number.
pub async fn append(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
    form: &serde_json::Value,
    attachments: &serde_json::Value,
    by: Uuid,
) -> QueryResult<i32> {
    // The next number and the row in one statement; the caller holds the filing's lock.
    diesel::sql_query(
        "INSERT INTO filing_versions (filing_id, seq, form, attachments, submitted_by) \
         SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4 FROM filing_versions WHERE filing_id = $1 \
         RETURNING seq",
    )
    .bind::<diesel::sql_types::Uuid, _>(filing_id)
    .bind::<diesel::sql_types::Jsonb, _>(form)
    .bind::<diesel::sql_types::Jsonb, _>(attachments)
    .bind::<diesel::sql_types::Uuid, _>(by)
    .get_result::<Seq>(conn)
    .await
    .map(|s| s.seq)
}

#[derive(QueryableByName)]
struct Seq {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    seq: i32,
}

/// Every submitted version of a filing, oldest first.
pub async fn of_filing(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
) -> QueryResult<Vec<FilingVersion>> {
    filing_versions::table
        .filter(filing_versions::filing_id.eq(filing_id))
        .order(filing_versions::seq.asc())
        .select(FilingVersion::as_select())
        .load(conn)
        .await
}
