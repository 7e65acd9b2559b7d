//! Error workbooks of refused imports, each downloadable by the staff member who uploaded it.

use crate::schema::{import_error_workbooks, regions};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub const ENTITY: &str = "import";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_error_workbooks)]
pub struct ErrorWorkbook {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub blob_key: String,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ErrorWorkbook) -> QueryResult<usize> {
    diesel::insert_into(import_error_workbooks::table)
        .values(row)
        .execute(conn)
        .await
}

/// The error workbook `id`, only if `user_id` uploaded it.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<ErrorWorkbook>> {
    import_error_workbooks::table
        .filter(import_error_workbooks::id.eq(id))
        .filter(import_error_workbooks::user_id.eq(user_id))
        .select(ErrorWorkbook::as_select())
        .first(conn)
        .await
        .optional()
}

/// The provinces (GB/T 2260 codes ending in 0000) and their names, in code order.
pub async fn provinces(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, String)>> {
    regions::table
        .filter(regions::code.like("__0000"))
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .await
}
