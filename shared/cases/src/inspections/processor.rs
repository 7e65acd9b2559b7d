//! The processor's side of an inspection (portal): its own inspections with what is asked of
//! it and by when, its answers to document requests and rectification orders, and the
//! materials it gives with them (the same upload rules as filings).

use super::{item_purpose, text, typed, view, InspectionError, InspectionView};
use crate::caller::Caller;
use crate::context::Core;
use crate::download::Download;
use crate::error::StoreError;
use crate::filings::materials::Received;
use crate::today_in_china;
use frt_access::{Action, Resource};
use frt_domain::inspection::InspectionAction;
use frt_store::inspections::{self as store, Material, Step};
use frt_store::{audit, deadlines, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// Answers a document request, or reports a rectification (报告整改) on an order: the item's
/// time limit is met; an order's report moves the inspection on for verification.
pub async fn answer(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    item: Uuid,
    answer: &str,
) -> Result<InspectionView, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Answer, None)?;
    let answer = text("answer", answer, 8000)?;
    let scope = caller.scope();
    core.db
        .tx(|conn| {
            async move {
                let i = store::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::NotFound)?;
                let it = store::item_for_update(conn, i.id, item)
                    .await?
                    .ok_or(InspectionError::Missing("request or order"))?;
                if it.status != "open" {
                    return Err(InspectionError::ItemClosed);
                }
                let i = if it.kind == "order" {
                    let from = typed(&i)?;
                    let next = from.apply(InspectionAction::ReportRectification)?;
                    store::step(
                        conn,
                        i.id,
                        i.version,
                        &Step {
                            status: next.as_str(),
                            notice: None,
                            findings: None,
                            result: None,
                            rectified: None,
                            notified: false,
                            closed: false,
                        },
                    )
                    .await?
                    .ok_or(InspectionError::VersionConflict { seen: i.version })?
                } else {
                    if !typed(&i)?.is_open() {
                        return Err(InspectionError::ItemClosed);
                    }
                    i
                };
                store::answer_item(conn, it.id, &answer, caller.principal.user_id).await?;
                let calendar = core.calendars.get(conn).await?;
                deadlines::mark_met(
                    conn,
                    &calendar,
                    store::ENTITY,
                    i.id,
                    &item_purpose(it.id),
                    today_in_china(),
                )
                .await?;
                audit::record(
                    conn,
                    &caller.actor,
                    if it.kind == "order" {
                        "inspection.rectification_reported"
                    } else {
                        "inspection.documents_given"
                    },
                    store::ENTITY,
                    &i.id.to_string(),
                    None,
                    Some(json!({ "item_id": it.id, "answer": answer })),
                )
                .await?;
                view(conn, i, false).await
            }
            .scope_boxed()
        })
        .await
}

/// Checks, before any byte is read, that the processor may give materials for the item.
pub async fn check_item_open(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    item: Uuid,
) -> Result<(), InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Answer, None)?;
    let scope = caller.scope();
    let mut conn = core.db.conn().await?;
    let i = store::get(&mut conn, id, &scope)
        .await?
        .ok_or(InspectionError::NotFound)?;
    let open = store::items_of(&mut conn, i.id)
        .await?
        .into_iter()
        .any(|it| it.id == item && it.status == "open");
    if open {
        Ok(())
    } else {
        Err(InspectionError::ItemClosed)
    }
}

/// Records a received file as a material given for a request or order (the blob is removed
/// again if it cannot be recorded).
pub async fn attach(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    item: Uuid,
    received: Received,
) -> Result<Material, InspectionError> {
    let key = received.blob.key.clone();
    let result = record(core, caller, id, item, received).await;
    if result.is_err() {
        core.blobs.remove(&key).await;
    }
    result
}

async fn record(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    item: Uuid,
    received: Received,
) -> Result<Material, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Answer, None)?;
    let scope = caller.scope();
    let by = caller.principal.user_id;
    core.db
        .tx(|conn| {
            async move {
                let i = store::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::NotFound)?;
                let it = store::item_for_update(conn, i.id, item)
                    .await?
                    .ok_or(InspectionError::Missing("request or order"))?;
                if it.status != "open" {
                    return Err(InspectionError::ItemClosed);
                }
                let m = store::insert_material(
                    conn,
                    &Material {
                        id: Uuid::now_v7(),
                        inspection_id: i.id,
                        item_id: it.id,
                        filename: received.filename,
                        content_type: received.content_type.to_owned(),
                        size_bytes: i64::try_from(received.blob.size).unwrap_or(i64::MAX),
                        sha256: received.blob.sha256.clone(),
                        blob_key: received.blob.key.clone(),
                        uploaded_by: by,
                        uploaded_at: chrono::Utc::now(),
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &caller.actor,
                    "inspection.material_given",
                    store::ENTITY,
                    &i.id.to_string(),
                    None,
                    Some(
                        json!({ "item_id": it.id, "material_id": m.id, "filename": m.filename,
                        "size_bytes": m.size_bytes, "sha256": m.sha256 }),
                    ),
                )
                .await?;
                Ok(m)
            }
            .scope_boxed()
        })
        .await
}

/// Opens a material of an inspection the caller may see (its inspectors, the office, an
/// invited agency, the processor that gave it), after auditing the download.
pub async fn open_material(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    material: Uuid,
) -> Result<Download, InspectionError> {
    caller.require(core, Resource::INSPECTION, Action::Read, None)?;
    let scope = caller.scope();
    let m = core
        .db
        .tx(|conn| {
            async move {
                let i = store::get(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::NotFound)?;
                let m = store::material(conn, i.id, material)
                    .await?
                    .ok_or(InspectionError::Missing("material"))?;
                audit::record(
                    conn,
                    &caller.actor,
                    "inspection.material_downloaded",
                    store::ENTITY,
                    &i.id.to_string(),
                    None,
                    Some(json!({ "material_id": m.id, "filename": m.filename })),
                )
                .await?;
                Ok::<_, InspectionError>(m)
            }
            .scope_boxed()
        })
        .await?;
    let file = core
        .blobs
        .open(&m.blob_key)
        .await
        .map_err(StoreError::Internal)?;
    Ok(Download {
        filename: m.filename,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        file,
    })
}
