//! Materials (附件) of a filing: received as every material is (`crate::materials`), then
//! recorded as an attachment of the filing's current version, of a kind the form asks for,
//! and audited. A blob whose record is not written is removed again.

use super::{editable_for_update, FilingError};
use crate::caller::Caller;
use crate::context::Core;
use crate::materials::{Received, UploadError};
use frt_access::{Action, Resource};
use frt_domain::form::AttachmentKind;
use frt_store::filings::{self, NewAttachment};
use frt_store::views::AttachmentView;
use frt_store::{audit, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// The kind of material a `kind` field names.
pub fn kind_of(text: &str) -> Result<AttachmentKind, UploadError> {
    text.trim().parse().map_err(|_| {
        UploadError::InvalidKind(format!(
            "'{}' is not a kind of material; use one of: {}",
            text.trim().chars().take(64).collect::<String>(),
            AttachmentKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Refuses early (before any byte is read) when the filing is not the caller's to change.
pub async fn check_editable(core: &Core, caller: &Caller, id: Uuid) -> Result<(), FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let scope = caller.scope();
    core.db
        .tx(|conn| {
            async move { editable_for_update(conn, &scope, id).await.map(|_| ()) }.scope_boxed()
        })
        .await
}

/// Records a received file as a material of the filing and audits it; the blob is removed
/// again if the record cannot be written.
pub async fn attach(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    kind: AttachmentKind,
    received: Received,
) -> Result<AttachmentView, FilingError> {
    crate::materials::attaching(core, received, |r| record(core, caller, id, kind, r)).await
}

async fn record(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    kind: AttachmentKind,
    received: Received,
) -> Result<AttachmentView, FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let scope = caller.scope();
    let actor = caller.actor.clone();
    let user_id = caller.principal.user_id;
    let Received {
        blob,
        content_type,
        filename,
    } = received;
    core.db
        .tx(|conn| {
            async move {
                let filing = editable_for_update(conn, &scope, id).await?;
                let row = filings::insert_attachment(
                    conn,
                    &NewAttachment {
                        id: Uuid::now_v7(),
                        organisation_id: filing.organisation_id,
                        filing_id: id,
                        kind: kind.as_str().to_owned(),
                        filename,
                        content_type: content_type.to_owned(),
                        size_bytes: i64::try_from(blob.size).unwrap_or(i64::MAX),
                        sha256: blob.sha256.clone(),
                        blob_key: blob.key.clone(),
                        uploaded_by: user_id,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "attachment.uploaded",
                    filings::ENTITY,
                    &id.to_string(),
                    None,
                    Some(json!({
                        "attachment_id": row.id, "kind": row.kind, "filename": row.filename,
                        "size_bytes": row.size_bytes, "sha256": row.sha256,
                    })),
                )
                .await?;
                Ok(AttachmentView::from(row))
            }
            .scope_boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_or_refused_with_the_list() {
        assert!(kind_of(" commitment_letter ").is_ok());
        let e = kind_of("birth_certificate").expect_err("unknown");
        assert!(e.to_string().contains("commitment_letter"), "{e}");
    }
}
