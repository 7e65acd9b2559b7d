//! Materials (附件) of a filing: the bytes streamed into the blob store with the size limit
//! enforced while they arrive, the type detected from the content (never from the client's
//! claim), a SHA-256 kept, then the attachment recorded and audited. A blob whose record is
//! not written is removed again.

use super::{editable_for_update, FilingError, UploadError};
use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use frt_access::{Action, Resource};
use frt_domain::form::AttachmentKind;
use frt_store::blob::StoredBlob;
use frt_store::filings::{self, NewAttachment};
use frt_store::views::AttachmentView;
use frt_store::{audit, ScopedFutureExt};
use futures_util::{Stream, StreamExt};
use serde_json::json;
use uuid::Uuid;

/// Content types accepted, detected from the bytes.
pub const ACCEPTED: [&str; 4] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg",
    "image/png",
];

/// A display name for the file: no directories, no control characters, at most 200 characters.
pub fn display_filename(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_owned();
    if base.is_empty() {
        "attachment".into()
    } else {
        base
    }
}

/// Detects the content type of the first bytes; `None` if not accepted.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let t = infer::get(head)?;
    ACCEPTED.into_iter().find(|a| *a == t.mime_type())
}

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

/// A file received into the blob store, not yet recorded.
#[derive(Debug)]
pub struct Received {
    pub blob: StoredBlob,
    pub content_type: &'static str,
    pub filename: String,
}

/// Streams one file into the blob store, refusing it as soon as it passes `max` bytes, and
/// checks its type by content. Nothing is left in the store when it is refused.
pub async fn receive<S, B, E>(
    core: &Core,
    mut chunks: S,
    max: u64,
    filename: String,
) -> Result<Received, FilingError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut blob = core.blobs.begin().await?;
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                blob.abort().await;
                return Err(
                    UploadError::Malformed(format!("the upload was cut short: {e}")).into(),
                );
            }
        };
        let chunk = chunk.as_ref();
        if blob.size().saturating_add(chunk.len() as u64) > max {
            blob.abort().await;
            return Err(UploadError::TooLarge { max }.into());
        }
        if let Err(e) = blob.write(chunk).await {
            blob.abort().await;
            return Err(StoreError::Internal(e).into());
        }
    }
    if blob.size() == 0 {
        blob.abort().await;
        return Err(UploadError::Empty.into());
    }
    let Some(content_type) = detect(blob.head()) else {
        blob.abort().await;
        return Err(UploadError::UnsupportedType.into());
    };
    let blob = blob.commit().await?;
    Ok(Received {
        blob,
        content_type,
        filename,
    })
}

/// Refuses early (before any byte is read) when the filing is not the caller's to change.
pub async fn check_editable(core: &Core, caller: &Caller, id: Uuid) -> Result<(), FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let scope = caller.principal.filing_scope();
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
    let key = received.blob.key.clone();
    let result = record(core, caller, id, kind, received).await;
    if result.is_err() {
        core.blobs.remove(&key).await;
    }
    result
}

async fn record(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    kind: AttachmentKind,
    received: Received,
) -> Result<AttachmentView, FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let scope = caller.principal.filing_scope();
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
    fn filenames_lose_directories_and_control_characters() {
        assert_eq!(display_filename(Some("../../etc/passwd")), "passwd");
        assert_eq!(display_filename(Some("C:\\x\\承诺书.pdf")), "承诺书.pdf");
        assert_eq!(display_filename(Some("a\u{0}b\n.pdf")), "ab.pdf");
        assert_eq!(display_filename(Some("...")), "attachment");
        assert_eq!(display_filename(None), "attachment");
    }

    #[test]
    fn kinds_are_named_or_refused_with_the_list() {
        assert!(kind_of(" commitment_letter ").is_ok());
        let e = kind_of("birth_certificate").expect_err("unknown");
        assert!(e.to_string().contains("commitment_letter"), "{e}");
    }
}
