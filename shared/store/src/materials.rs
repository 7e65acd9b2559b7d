//! Materials of the case types that take files besides filings: a complaint's evidence, what a
//! processor gives for an inspection's request or order, a notification's attachments. One
//! table and one row type; each row names its case (`entity_type`, `entity_id`) and, for an
//! inspection, the request or order it answers. Bytes live in the blob store.

use crate::schema::materials;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// A stored material.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = materials)]
pub struct Material {
    pub id: Uuid,
    #[serde(skip)]
    pub entity_type: String,
    #[serde(skip)]
    pub entity_id: Uuid,
    /// The inspection's request or order it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<Uuid>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hexadecimal SHA-256 of the content.
    pub sha256: String,
    #[serde(skip)]
    pub blob_key: String,
    #[serde(skip)]
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, m: &Material) -> QueryResult<Material> {
    diesel::insert_into(materials::table)
        .values(m)
        .returning(Material::as_returning())
        .get_result(conn)
        .await
}

/// One material of a case.
pub async fn get(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Material>> {
    materials::table
        .filter(materials::entity_type.eq(entity_type))
        .filter(materials::entity_id.eq(entity_id))
        .filter(materials::id.eq(id))
        .select(Material::as_select())
        .first(conn)
        .await
        .optional()
}

/// The materials of a case, as given.
pub async fn of(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<Vec<Material>> {
    of_all(conn, entity_type, &[entity_id]).await
}

/// The materials of these cases, by case and then as given.
pub async fn of_all(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_ids: &[Uuid],
) -> QueryResult<Vec<Material>> {
    materials::table
        .filter(materials::entity_type.eq(entity_type))
        .filter(materials::entity_id.eq_any(entity_ids))
        .order((
            materials::entity_id.asc(),
            materials::uploaded_at.asc(),
            materials::id.asc(),
        ))
        .select(Material::as_select())
        .load(conn)
        .await
}

/// How many materials a case holds.
pub async fn count(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: Uuid,
) -> QueryResult<i64> {
    materials::table
        .filter(materials::entity_type.eq(entity_type))
        .filter(materials::entity_id.eq(entity_id))
        .count()
        .get_result(conn)
        .await
}
