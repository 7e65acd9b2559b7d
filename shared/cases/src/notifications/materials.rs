//! A notification's attachments: the sending agency attaches files, every agency that may see
//! the notification opens them (audited).

use super::{visible, NotificationError, Origin};
use crate::context::Core;
use crate::error::StoreError;
use chrono::Utc;
use frt_store::audit;
use frt_store::notifications as store;
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// The most attachments one notification carries.
pub const MAX_MATERIALS: usize = 20;

/// Attaches a file to a notification the origin's agency sent (at most `MAX_MATERIALS`); the
/// recipients' feeds get the event. The stored blob is removed when it cannot be recorded.
pub async fn add_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    received: crate::filings::materials::Received,
) -> Result<store::Material, NotificationError> {
    let key = received.blob.key.clone();
    let result = core
        .db
        .tx(|conn| add_material_in(conn, origin, id, received).scope_boxed())
        .await;
    if result.is_err() {
        core.blobs.remove(&key).await;
    }
    result
}

/// As `add_material`, inside the caller's transaction; the caller removes the blob if the
/// transaction does not commit.
pub async fn add_material_in(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    id: Uuid,
    received: crate::filings::materials::Received,
) -> Result<store::Material, NotificationError> {
    let n = visible(conn, &origin.scope, id).await?;
    if n.sender_agency_id != origin.agency_id {
        return Err(NotificationError::NotTheSender);
    }
    if store::materials_of(conn, n.id).await?.len() >= MAX_MATERIALS {
        return Err(NotificationError::TooManyAttachments { max: MAX_MATERIALS });
    }
    let m = store::insert_material(
        conn,
        &store::Material {
            id: Uuid::now_v7(),
            notification_id: n.id,
            filename: received.filename,
            content_type: received.content_type.to_owned(),
            size_bytes: i64::try_from(received.blob.size).unwrap_or(i64::MAX),
            sha256: received.blob.sha256.clone(),
            blob_key: received.blob.key.clone(),
            uploaded_by: origin.scope.user_id,
            uploaded_at: Utc::now(),
        },
    )
    .await?;
    for r in store::recipients(conn, n.id).await? {
        store::feed_append(conn, "notifications", Some(r.agency_id), n.id, "attachment").await?;
    }
    audit::record(
        conn,
        &origin.actor,
        "notification.material_added",
        store::ENTITY,
        &n.id.to_string(),
        None,
        Some(json!({ "material_id": m.id, "filename": m.filename, "sha256": m.sha256 })),
    )
    .await?;
    Ok(m)
}

/// Opens an attachment of a notification the origin may see (audited).
pub async fn open_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    material: Uuid,
) -> Result<crate::download::Download, NotificationError> {
    let m = core
        .db
        .tx(|conn| {
            async move {
                let n = visible(conn, &origin.scope, id).await?;
                let m = store::material(conn, n.id, material)
                    .await?
                    .ok_or(NotificationError::Missing("attachment"))?;
                audit::record(
                    conn,
                    &origin.actor,
                    "notification.material_downloaded",
                    store::ENTITY,
                    &n.id.to_string(),
                    None,
                    Some(json!({ "material_id": m.id })),
                )
                .await?;
                Ok::<_, NotificationError>(m)
            }
            .scope_boxed()
        })
        .await?;
    let file = core
        .blobs
        .open(&m.blob_key)
        .await
        .map_err(StoreError::Internal)?;
    Ok(crate::download::Download {
        filename: m.filename,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        file,
    })
}
