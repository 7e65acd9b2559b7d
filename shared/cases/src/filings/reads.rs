//! Filing reads both zones serve alike: a filing in the caller's scope (the same "not found"
//! whether it does not exist or is someone else's, so ids cannot be probed), its detail view,
//! and opening a material for download (every download of sensitive material is audited
//! before the first byte leaves).

use crate::caller::Caller;
use crate::context::Core;
use crate::download::Download;
use crate::error::StoreError;
use crate::filings::FilingError;
use frt_access::{Action, Resource};
use frt_store::filings::{self, Filing, Scope};
use frt_store::views::{self, Audience, FilingDetail};
use frt_store::{audit, AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// A filing `scope` may see, or `NotFound`.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<Filing, FilingError> {
    filings::get(conn, id, scope)
        .await?
        .ok_or(FilingError::NotFound)
}

/// Who a view is for: staff see the risk flags and the version last submitted.
pub fn audience(caller: &Caller) -> Audience {
    match caller.principal.organisation_id() {
        Some(_) => Audience::Processor,
        None => Audience::Staff,
    }
}

/// The detail view of a filing the caller may read.
pub async fn detail(core: &Core, caller: &Caller, id: Uuid) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    let mut conn = core.db.conn().await?;
    views::filing_detail(
        &mut conn,
        id,
        &caller.principal.filing_scope(),
        audience(caller),
    )
    .await?
    .ok_or(FilingError::NotFound)
}

/// Opens a material of a filing the caller may read, after auditing the download.
pub async fn open_attachment(
    core: &Core,
    caller: &Caller,
    filing_id: Uuid,
    attachment_id: Uuid,
) -> Result<Download, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    let scope = caller.principal.filing_scope();
    let actor = caller.actor.clone();
    let attachment = core
        .db
        .tx(|conn| {
            async move {
                let att = filings::attachment(conn, filing_id, attachment_id, &scope)
                    .await?
                    .ok_or(FilingError::AttachmentNotFound)?;
                audit::record(
                    conn,
                    &actor,
                    "attachment.downloaded",
                    filings::ENTITY,
                    &filing_id.to_string(),
                    None,
                    Some(json!({ "attachment_id": att.id, "kind": att.kind })),
                )
                .await?;
                Ok::<_, FilingError>(att)
            }
            .scope_boxed()
        })
        .await?;
    let file = core
        .blobs
        .open(&attachment.blob_key)
        .await
        .map_err(StoreError::Internal)?;
    Ok(Download {
        filename: attachment.filename,
        content_type: attachment.content_type,
        size_bytes: attachment.size_bytes,
        sha256: attachment.sha256,
        file,
    })
}
