//! Materials (附件, 证据) of every case type: one way in and one way out. A file is streamed into
//! the blob store with the size limit enforced while it arrives, its type detected from the
//! content (never from the client's claim) and its name made safe, a SHA-256 kept; then the
//! case type records it: a filing as a versioned attachment (`filings::materials`), a
//! complaint, an inspection or a notification as a row of `frt_store::materials`
//! (`record`), audited. A blob whose record is not written is removed again (`attaching`).
//! Opening one is audited the same way for every case type (`audited`, then `download`).

use crate::context::Core;
use crate::download::Download;
use crate::error::StoreError;
use frt_store::audit::{self, Actor};
use frt_store::blob::{PendingBlob, StoredBlob};
use frt_store::materials::{self, Material};
use frt_store::AsyncPgConnection;
use futures_util::{Stream, StreamExt};
use serde_json::json;
use uuid::Uuid;

/// What can be wrong with an uploaded material.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("attachments may be at most {max} bytes")]
    TooLarge { max: u64 },
    #[error("the upload cannot be read: {0}")]
    Malformed(String),
    #[error("the file is empty")]
    Empty,
    #[error("materials must be PDF, DOCX, JPEG or PNG files (checked by their content)")]
    UnsupportedType,
    #[error("send one file per upload")]
    TooManyFiles,
    #[error("unknown multipart field '{0}'; send 'kind' and 'file'")]
    UnknownField(String),
    #[error("the upload has no 'file' field")]
    MissingFile,
    #[error("{0}")]
    InvalidKind(String),
    /// The blob store or the database failed (not the sender's fault).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<anyhow::Error> for UploadError {
    fn from(e: anyhow::Error) -> Self {
        Self::Store(StoreError::Internal(e))
    }
}

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
    pub async fn keep(self) -> Result<Received, UploadError> {
        Ok(Received {
            blob: self.blob.commit().await.map_err(StoreError::from_blob)?,
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
) -> Result<Pending, UploadError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut blob = core.blobs.begin().await.map_err(StoreError::from_blob)?;
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                blob.abort().await;
                return Err(UploadError::Malformed(format!(
                    "the upload was cut short: {e}"
                )));
            }
        };
        let chunk = chunk.as_ref();
        if blob.size().saturating_add(chunk.len() as u64) > max {
            blob.abort().await;
            return Err(UploadError::TooLarge { max });
        }
        if let Err(e) = blob.write(chunk).await {
            blob.abort().await;
            return Err(StoreError::from_blob(e).into());
        }
    }
    if blob.size() == 0 {
        blob.abort().await;
        return Err(UploadError::Empty);
    }
    let Some(content_type) = detect(blob.head()) else {
        blob.abort().await;
        return Err(UploadError::UnsupportedType);
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
) -> Result<Received, UploadError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    stream_in(core, chunks, max, raw_name).await?.keep().await
}

/// The case a material belongs to, and for an inspection the request or order it answers.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub item_id: Option<Uuid>,
}

impl Owner {
    pub fn of(entity_type: &'static str, entity_id: Uuid) -> Self {
        Self {
            entity_type,
            entity_id,
            item_id: None,
        }
    }
}

/// Runs `attach` with a received file; the blob is removed again when it fails (nothing
/// recorded, nothing kept).
pub async fn attaching<T, E, F, Fut>(core: &Core, received: Received, attach: F) -> Result<T, E>
where
    F: FnOnce(Received) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let key = received.blob.key.clone();
    let result = attach(received).await;
    if result.is_err() {
        core.blobs.remove(&key).await;
    }
    result
}

/// Records a received file as a material of `owner` given by `by`, audited as `action` on the
/// owner (with the material's id, name, size and digest), inside the caller's transaction.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    owner: Owner,
    by: Option<Uuid>,
    received: Received,
    action: &str,
) -> Result<Material, StoreError> {
    let m = materials::insert(
        conn,
        &Material {
            id: Uuid::now_v7(),
            entity_type: owner.entity_type.to_owned(),
            entity_id: owner.entity_id,
            item_id: owner.item_id,
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
        actor,
        action,
        owner.entity_type,
        &owner.entity_id.to_string(),
        None,
        Some(json!({
            "item_id": m.item_id, "material_id": m.id, "filename": m.filename,
            "size_bytes": m.size_bytes, "sha256": m.sha256,
        })),
    )
    .await?;
    Ok(m)
}

/// A material of `owner` (whose case the caller was found to see), its download audited as
/// `action`, inside the caller's transaction; `None` when the case holds no such material.
pub async fn audited(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    owner: Owner,
    id: Uuid,
    action: &str,
) -> Result<Option<Material>, StoreError> {
    let Some(m) = materials::get(conn, owner.entity_type, owner.entity_id, id).await? else {
        return Ok(None);
    };
    audit::record(
        conn,
        actor,
        action,
        owner.entity_type,
        &owner.entity_id.to_string(),
        None,
        Some(json!({ "material_id": m.id, "filename": m.filename })),
    )
    .await?;
    Ok(Some(m))
}

/// Opens a stored material for download (once its opening is audited).
pub async fn download(core: &Core, m: Material) -> Result<Download, StoreError> {
    Download::open(
        core,
        m.filename,
        m.content_type,
        m.size_bytes,
        m.sha256,
        &m.blob_key,
    )
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
}
