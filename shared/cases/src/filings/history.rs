//! A filing's history: every version the processor submitted and the field-level differences
//! between two of them (for the reviewer), and what happened to it (for the processor).

use super::reads::visible;
use super::FilingError;
use crate::caller::Caller;
use crate::context::Core;
use chrono::{DateTime, Utc};
use frt_access::{Action, Resource};
use frt_domain::diff::{field_changes, FieldChange};
use frt_store::versions::{self, FilingVersion};
use frt_store::ScopedFutureExt;
use frt_store::{audit, filings, identities};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Every version of a filing as submitted, oldest first.
pub async fn versions(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<FilingVersion>, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                visible(conn, &caller.scope(), id).await?;
                Ok(versions::of_filing(conn, id).await?)
            }
            .scope_boxed()
        })
        .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from: i32,
    pub to: i32,
    /// Changed form fields (`form.storage.people_stored`) and materials
    /// (`attachments.commitment_letter[0]`, compared by SHA-256).
    pub changes: Vec<FieldChange>,
}

/// The form and the materials of a version in one comparable document; materials are
/// grouped by kind and compared by content hash.
fn comparable(v: &FilingVersion) -> Value {
    let mut by_kind: Map<String, Value> = Map::new();
    for a in v.attachments.as_array().into_iter().flatten() {
        let kind = a["kind"].as_str().unwrap_or("other").to_owned();
        let entry = by_kind
            .entry(kind)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(a["sha256"].clone());
        }
    }
    for list in by_kind.values_mut() {
        if let Value::Array(l) = list {
            l.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
    json!({ "form": v.form, "attachments": by_kind })
}

/// Field-level differences between two submitted versions: `to` defaults to the latest and
/// `from` to the one before `to`.
/// Which two versions to compare.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The earlier version (default: the one before `to`).
    #[param(minimum = 1, maximum = 1000000)]
    pub from: Option<i32>,
    /// The later version (default: the latest).
    #[param(minimum = 1, maximum = 1000000)]
    pub to: Option<i32>,
}

/// The highest version number a request may name.
const MAX_VERSION: i32 = 1_000_000;

pub async fn diff(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    q: &DiffQuery,
) -> Result<VersionDiff, FilingError> {
    // Version numbers from outside are range-checked before any arithmetic on them.
    let given = |name, v: Option<i32>| {
        v.map(|v| crate::input::within(name, v, 1..=MAX_VERSION))
            .transpose()
    };
    let (from, to) = (given("from", q.from)?, given("to", q.to)?);
    let all = versions(core, caller, id).await?;
    let latest = all.last().map(|v| v.seq).unwrap_or(0);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(to.saturating_sub(1));
    if from >= to {
        return Err(FilingError::InvalidRange);
    }
    let find = |seq: i32| {
        all.iter()
            .find(|v| v.seq == seq)
            .ok_or(FilingError::NoSuchVersion { latest, asked: seq })
    };
    let (a, b) = (find(from)?, find(to)?);
    Ok(VersionDiff {
        from,
        to,
        changes: field_changes(&comparable(a), &comparable(b)),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    /// For a processor: a user of the organisation by email, or "regulator" for staff. For
    /// staff: whoever did it, as the audit trail names them.
    pub by: String,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// What happened to a filing, oldest first, downloads left out: as its processor sees it
/// (staff named only as "regulator"), or as staff see it (everyone named).
pub async fn timeline(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<HistoryEntry>, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                visible(conn, &caller.scope(), id).await?;
                let colleagues: Vec<(Uuid, String)> = match caller.principal.organisation_id() {
                    Some(o) => identities::users_of_organisation(conn, o)
                        .await?
                        .into_iter()
                        .map(|u| (u.id, u.email))
                        .collect(),
                    None => Vec::new(),
                };
                let rows = audit::trail(conn, filings::ENTITY, &id.to_string()).await?;
                // Staff see who did it, as the audit trail names them; a processor sees its own users and
                // "regulator" for staff.
                let staff = caller.scope().is_staff();
                Ok(rows
                    .into_iter()
                    .filter(|r| r.action != "attachment.downloaded")
                    .map(|r| HistoryEntry {
                        at: r.at,
                        by: if staff {
                            r.actor_label.clone()
                        } else {
                            r.actor_id
                                .and_then(|a| {
                                    colleagues
                                        .iter()
                                        .find(|(id, _)| *id == a)
                                        .map(|(_, e)| e.clone())
                                })
                                .unwrap_or_else(|| "regulator".into())
                        },
                        action: r.action,
                        details: r.after,
                    })
                    .collect())
            }
            .scope_boxed()
        })
        .await
}
