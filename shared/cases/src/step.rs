//! One state step for every case type's lifecycle: a step sent with a version that is not the
//! case's own is refused (409, the caller saw an older state) before anything is written; the
//! case type's store writes the new status only at that version (a step that raced another
//! finds nothing to update and is refused the same way); the step is audited from the old
//! status and version to the new status with what it changed.

use frt_store::audit::{self, Actor};
use frt_store::ScopedBoxFuture;
use frt_store::{AsyncPgConnection, QueryError};
use serde_json::json;
use uuid::Uuid;

/// The step was sent for a version that is no longer the case's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionConflict {
    /// The version the caller saw.
    pub seen: i32,
}

/// A step of one case: which, at what version, from and to which status, audited as what.
pub struct Transition<'a> {
    pub entity_type: &'a str,
    pub id: Uuid,
    /// The case's version as read (locked) in this transaction.
    pub current: i32,
    /// The version the caller saw.
    pub seen: i32,
    pub from: &'a str,
    pub to: &'a str,
    /// e.g. `complaint.accepted`.
    pub audit: &'a str,
    pub details: serde_json::Value,
}

/// Takes the step `t`: refuses a stale version, writes with `write` (which updates only at
/// `t.seen` and answers nothing when the version moved meanwhile), audits the step.
pub async fn advance<'b, T, E, F>(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    t: Transition<'_>,
    write: F,
) -> Result<T, E>
where
    F: for<'r> FnOnce(
        &'r mut AsyncPgConnection,
    ) -> ScopedBoxFuture<'b, 'r, Result<Option<T>, QueryError>>,
    E: From<VersionConflict> + From<QueryError>,
{
    let conflict = VersionConflict { seen: t.seen };
    if t.current != t.seen {
        return Err(conflict.into());
    }
    let updated = write(conn).await?.ok_or(conflict)?;
    audit::record(
        conn,
        actor,
        t.audit,
        t.entity_type,
        &t.id.to_string(),
        Some(json!({ "status": t.from, "version": t.seen })),
        Some(json!({ "status": t.to, "details": t.details })),
    )
    .await?;
    Ok(updated)
}
