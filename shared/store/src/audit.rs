//! One audit trail for every entity: who, when, from where, what, before and after. Rows are
//! written by the use case in the same transaction as the change they record.

use crate::schema::audit_log;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// Who acts, and from where. Built by the web layer for each request.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub label: String,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// An actor for administrative commands run from the command line.
    pub fn system(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            ..Self::default()
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewAudit<'a> {
    actor_id: Option<Uuid>,
    actor_label: &'a str,
    client_ip: Option<&'a str>,
    request_id: Option<&'a str>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// Writes one audit row.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(NewAudit {
            actor_id: actor.user_id,
            actor_label: &actor.label,
            client_ip: actor.client_ip.as_deref(),
            request_id: actor.request_id.as_deref(),
            action,
            entity_type,
            entity_id,
            before,
            after,
        })
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// The trail of one entity, oldest first.
pub async fn trail(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.asc())
        .select(AuditRow::as_select())
        .load(conn)
        .await
}
