//! A notification's attachments: the sending agency attaches files, every agency that may see
//! the notification opens them (audited).

use super::{visible, NotificationError, Origin};
use crate::context::Core;
use crate::download::Download;
use crate::materials::{self, Owner, Received};
use frt_store::materials::Material;
use frt_store::notifications as store;
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use uuid::Uuid;

/// The most attachments one notification carries.
pub const MAX_MATERIALS: usize = 20;

/// Attaches a file to a notification the origin's agency sent (at most `MAX_MATERIALS`); the
/// recipients' feeds get the event. The stored blob is removed when it cannot be recorded.
pub async fn add_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    received: Received,
) -> Result<Material, NotificationError> {
    materials::attaching(core, received, |r| {
        core.db
            .tx(|conn| add_material_in(conn, origin, id, r).scope_boxed())
    })
    .await
}

/// As `add_material`, inside the caller's transaction; the caller removes the blob if the
/// transaction does not commit.
pub async fn add_material_in(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    id: Uuid,
    received: Received,
) -> Result<Material, NotificationError> {
    let n = visible(conn, &origin.scope, id).await?;
    if n.sender_agency_id != origin.agency_id {
        return Err(NotificationError::NotTheSender);
    }
    let held = frt_store::materials::count(conn, store::ENTITY, n.id).await?;
    if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_MATERIALS {
        return Err(NotificationError::TooManyAttachments { max: MAX_MATERIALS });
    }
    let owner = Owner::of(store::ENTITY, n.id);
    let by = origin.scope.user_id;
    let action = "notification.material_added";
    let m = materials::record(conn, &origin.actor, owner, by, received, action).await?;
    for r in store::recipients(conn, n.id).await? {
        store::feed_append(conn, "notifications", Some(r.agency_id), n.id, "attachment").await?;
    }
    Ok(m)
}

/// Opens an attachment of a notification the origin may see (audited).
pub async fn open_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    material: Uuid,
) -> Result<Download, NotificationError> {
    let m = core
        .db
        .tx(|conn| {
            async move {
                let n = visible(conn, &origin.scope, id).await?;
                let owner = Owner::of(store::ENTITY, n.id);
                let action = "notification.material_downloaded";
                materials::audited(conn, &origin.actor, owner, material, action)
                    .await?
                    .ok_or(NotificationError::Missing("attachment"))
            }
            .scope_boxed()
        })
        .await?;
    Ok(materials::download(core, m).await?)
}
