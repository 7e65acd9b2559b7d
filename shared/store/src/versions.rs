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
    // The next number and the row in one (prepared, cached) statement; the caller holds the
    // filing's lock.
    let last = filing_versions::table
        .filter(filing_versions::filing_id.eq(filing_id))
        .select(diesel::dsl::max(filing_versions::seq))
        .single_value();
    diesel::insert_into(filing_versions::table)
        .values((
            filing_versions::filing_id.eq(filing_id),
            filing_versions::seq.eq(coalesce(last, 0) + 1),
            filing_versions::form.eq(form),
            filing_versions::attachments.eq(attachments),
            filing_versions::submitted_by.eq(by),
        ))
        .returning(filing_versions::seq)
        .get_result(conn)
        .await
}

diesel::define_sql_function! {
    /// `COALESCE(x, y)` for a nullable integer.
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Integer>, y: diesel::sql_types::Integer) -> diesel::sql_types::Integer;
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

/// The latest submitted version of a filing, if it was ever submitted.
pub async fn latest(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
) -> QueryResult<Option<FilingVersion>> {
    filing_versions::table
        .filter(filing_versions::filing_id.eq(filing_id))
        .order(filing_versions::seq.desc())
        .select(FilingVersion::as_select())
        .first(conn)
        .await
        .optional()
}

/// The attachment ids a version's snapshot names.
pub fn attachment_ids(version: &FilingVersion) -> Vec<Uuid> {
    version
        .attachments
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str().and_then(|id| id.parse().ok()))
        .collect()
}

/// Whether any submitted version of a filing included the attachment (what staff may open).
pub async fn ever_submitted(
    conn: &mut AsyncPgConnection,
    filing_id: Uuid,
    attachment_id: Uuid,
) -> QueryResult<bool> {
    let probe = serde_json::json!([{ "id": attachment_id }]);
    diesel::select(diesel::dsl::exists(
        filing_versions::table
            .filter(filing_versions::filing_id.eq(filing_id))
            .filter(filing_versions::attachments.contains(probe)),
    ))
    .get_result(conn)
    .await
}
