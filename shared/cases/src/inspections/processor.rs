//! The processor's side of an inspection (portal): its own inspections with what is asked of
//! it and by when, its answers to document requests and rectification orders, and the
//! materials it gives with them (the same upload rules as filings).

use super::{item_of, item_purpose, text, typed, view, InspectionError, InspectionView};
use crate::caller::Caller;
use crate::context::Core;
use crate::download::Download;
use crate::materials::{self, Owner, Received};
use crate::step::{self, Transition};
use crate::today_in_china;
use frt_access::{Action, Resource};
use frt_domain::inspection::{InspectionAction, ItemKind, ItemStatus};
use frt_store::inspections::{self as store, Step};
use frt_store::materials::Material;
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
                let (kind, status) = item_of(&it)?;
                if status != ItemStatus::Open {
                    return Err(InspectionError::ItemClosed);
                }
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
                let details = json!({ "item_id": it.id, "answer": answer });
                let i = match kind {
                    // The rectification reported moves the inspection on.
                    ItemKind::Order => {
                        let from = typed(&i)?;
                        let next = from.apply(InspectionAction::ReportRectification)?;
                        let written = Step {
                            status: next.as_str(),
                            notice: None,
                            findings: None,
                            result: None,
                            rectified: None,
                            notified: false,
                            closed: false,
                        };
                        let t = Transition {
                            entity_type: store::ENTITY,
                            id: i.id,
                            current: i.version,
                            seen: i.version,
                            from: from.as_str(),
                            to: next.as_str(),
                            audit: "inspection.rectification_reported",
                            details,
                        };
                        let (id, version) = (i.id, i.version);
                        step::advance::<_, InspectionError, _>(conn, &caller.actor, t, |conn| {
                            store::step(conn, id, version, &written).scope_boxed()
                        })
                        .await?
                    }
                    ItemKind::Request => {
                        if !typed(&i)?.is_open() {
                            return Err(InspectionError::ItemClosed);
                        }
                        audit::record(
                            conn,
                            &caller.actor,
                            "inspection.documents_given",
                            store::ENTITY,
                            &i.id.to_string(),
                            None,
                            Some(details),
                        )
                        .await?;
                        i
                    }
                };
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
    core.db
        .run(|conn| {
            async move {
                let i = store::get(conn, id, &scope)
                    .await?
                    .ok_or(InspectionError::NotFound)?;
                let open = store::items_of(conn, i.id)
                    .await?
                    .into_iter()
                    .any(|it| it.id == item && it.status == ItemStatus::Open.as_str());
                if open {
                    Ok(())
                } else {
                    Err(InspectionError::ItemClosed)
                }
            }
            .scope_boxed()
        })
        .await
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
    materials::attaching(core, received, |r| record(core, caller, id, item, r)).await
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
                if item_of(&it)?.1 != ItemStatus::Open {
                    return Err(InspectionError::ItemClosed);
                }
                let owner = Owner {
                    item_id: Some(it.id),
                    ..Owner::of(store::ENTITY, i.id)
                };
                let action = "inspection.material_given";
                Ok(
                    materials::record(conn, &caller.actor, owner, Some(by), received, action)
                        .await?,
                )
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
                let owner = Owner::of(store::ENTITY, i.id);
                let action = "inspection.material_downloaded";
                materials::audited(conn, &caller.actor, owner, material, action)
                    .await?
                    .ok_or(InspectionError::Missing("material"))
            }
            .scope_boxed()
        })
        .await?;
    Ok(materials::download(core, m).await?)
}
