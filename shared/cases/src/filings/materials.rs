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
use frt_store::blob::{PendingBlob, StoredBlob};
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

/// Characters that change how text around them is shown without being seen themselves
/// (Unicode's format characters: bidirectional overrides and marks, zero-width characters,
/// tags): a name carrying them can show `exe.pdf` while ending in `.exe`.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The file name extension of an accepted content type.
fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    }
}

/// The name a stored file is shown and downloaded under: the client's name without folders,
/// control or format characters, at most 200 characters, and the extension of the type its
/// content was detected as, whatever the client called it (`证据.hta` holding a PDF is
/// `证据.pdf`).
pub fn display_filename(raw: Option<&str>, content_type: &str) -> String {
    let base = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .take(200)
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_owned();
    let ext = extension_of(content_type);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim_end().to_owned(),
        _ => base,
    };
    let stem = if stem.is_empty() {
        "attachment".to_owned()
    } else {
        stem
    };
    format!("{stem}.{ext}")
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

/// A file streamed in and its type detected, not yet kept: nothing is in the blob store until
/// `keep`, and dropping it leaves nothing behind.
pub struct Pending {
    blob: PendingBlob,
    content_type: &'static str,
    filename: String,
}

impl Pending {
    /// Lowercase hex SHA-256 of the content.
    pub fn sha256(&self) -> String {
        self.blob.sha256()
    }

    /// Keeps the file in the blob store.
    pub async fn keep(self) -> Result<Received, FilingError> {
        Ok(Received {
            blob: self.blob.commit().await?,
            content_type: self.content_type,
            filename: self.filename,
        })
    }

    /// Throws the file away.
    pub async fn abort(self) {
        self.blob.abort().await;
    }
}

/// Streams one file in, refusing it as soon as it passes `max` bytes, and checks its type by
/// content; its name is the client's `raw_name` made safe (`display_filename`). Nothing is
/// kept when it is refused.
pub async fn stream_in<S, B, E>(
    core: &Core,
    mut chunks: S,
    max: u64,
    raw_name: Option<&str>,
) -> Result<Pending, FilingError>
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
    Ok(Pending {
        blob,
        content_type,
        filename: display_filename(raw_name, content_type),
    })
}

/// `stream_in`, then kept in the blob store.
pub async fn receive<S, B, E>(
    core: &Core,
    chunks: S,
    max: u64,
    raw_name: Option<&str>,
) -> Result<Received, FilingError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    stream_in(core, chunks, max, raw_name).await?.keep().await
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
    fn filenames_lose_directories_control_and_format_characters_and_take_their_types_extension() {
        let pdf = "application/pdf";
        assert_eq!(
            display_filename(Some("../../etc/passwd"), pdf),
            "passwd.pdf"
        );
        assert_eq!(
            display_filename(Some("C:\\x\\承诺书.pdf"), pdf),
            "承诺书.pdf"
        );
        assert_eq!(display_filename(Some("a\u{0}b\n.pdf"), pdf), "ab.pdf");
        assert_eq!(display_filename(Some("..."), pdf), "attachment.pdf");
        assert_eq!(display_filename(None, "image/png"), "attachment.png");
        // What the content is decides the extension, not what the client called it.
        assert_eq!(display_filename(Some("证据.hta"), pdf), "证据.pdf");
        assert_eq!(display_filename(Some("x\u{202E}fdp.exe"), pdf), "xfdp.pdf");
        assert_eq!(
            display_filename(Some("photo.JPEG"), "image/jpeg"),
            "photo.jpg"
        );
        assert_eq!(
            display_filename(
                Some("zero\u{200B}width\u{FEFF}.docx"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            "zerowidth.docx"
        );
        assert_eq!(display_filename(Some("report"), pdf), "report.pdf");
    }

    #[test]
    fn kinds_are_named_or_refused_with_the_list() {
        assert!(kind_of(" commitment_letter ").is_ok());
        let e = kind_of("birth_certificate").expect_err("unknown");
        assert!(e.to_string().contains("commitment_letter"), "{e}");
    }
}
