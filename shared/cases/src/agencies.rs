//! Agencies (CAC offices, public security, other departments): found by id or name, and
//! placed in the hierarchy (level and parent), audited, never above themselves.

use crate::context::Core;
use crate::error::StoreError;
use frt_store::audit::{self, Actor};
use frt_store::identities::{self, Agency};
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde_json::json;

/// The levels an agency stands at.
pub const LEVELS: [&str; 4] = ["national", "provincial", "municipal", "county"];

#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    #[error("no agency with the id or name {0:?}")]
    Unknown(String),
    #[error("level must be national, provincial, municipal or county")]
    BadLevel,
    #[error("{0} cannot be placed under an agency that is below it")]
    Circular(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(AgencyError);

/// The agency a text names: its id, else its unique name.
pub async fn find(conn: &mut AsyncPgConnection, given: &str) -> Result<Agency, AgencyError> {
    let given = given.trim();
    let found = match uuid::Uuid::parse_str(given) {
        Ok(id) => identities::agency(conn, id).await?,
        Err(_) => identities::agency_by_name(conn, given).await?,
    };
    found.ok_or_else(|| AgencyError::Unknown(given.to_owned()))
}

/// Every agency.
pub async fn all(core: &Core) -> Result<Vec<Agency>, AgencyError> {
    core.db
        .run(|conn| async move { Ok(identities::agencies(conn).await?) }.scope_boxed())
        .await
}

/// Where an agency now stands.
#[derive(Debug, Clone)]
pub struct Placed {
    pub agency: Agency,
    pub parent: Option<Agency>,
}

/// Sets an agency's level and parent (audited as `agency.placed`).
pub async fn place(
    core: &Core,
    actor: &Actor,
    agency: &str,
    level: &str,
    parent: Option<&str>,
) -> Result<Placed, AgencyError> {
    if !LEVELS.contains(&level) {
        return Err(AgencyError::BadLevel);
    }
    core.db
        .tx(|conn| {
            async move {
                let a = find(conn, agency).await?;
                let parent = match parent {
                    Some(p) => Some(find(conn, p).await?),
                    None => None,
                };
                // No agency may end up above itself.
                let mut above = parent.clone();
                while let Some(p) = above {
                    if p.id == a.id {
                        return Err(AgencyError::Circular(a.name.clone()));
                    }
                    above = match p.parent_id {
                        Some(id) => identities::agency(conn, id).await?,
                        None => None,
                    };
                }
                let parent_id = parent.as_ref().map(|p| p.id);
                identities::set_agency_place(conn, a.id, level, parent_id).await?;
                audit::record(
                    conn,
                    actor,
                    "agency.placed",
                    "agency",
                    &a.id.to_string(),
                    Some(json!({ "level": a.level, "parent_id": a.parent_id })),
                    Some(json!({ "level": level, "parent_id": parent_id })),
                )
                .await?;
                let agency = identities::agency(conn, a.id).await?.unwrap_or(a);
                Ok(Placed { agency, parent })
            }
            .scope_boxed()
        })
        .await
}
