//! A stored material opened for download (a filing's attachment, any case's material): what
//! the answer says of it, and the open file. Opening one is audited by the case type.

use crate::context::Core;
use crate::error::StoreError;

pub struct Download {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hexadecimal SHA-256 of the content, as stored.
    pub sha256: String,
    pub file: tokio::fs::File,
}

impl Download {
    /// Opens the blob `blob_key` of a stored file described by the rest.
    pub async fn open(
        core: &Core,
        filename: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
        blob_key: &str,
    ) -> Result<Self, StoreError> {
        let file = core
            .blobs
            .open(blob_key)
            .await
            .map_err(StoreError::Internal)?;
        Ok(Self {
            filename,
            content_type,
            size_bytes,
            sha256,
            file,
        })
    }
}
