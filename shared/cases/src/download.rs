//! A stored material opened for download (a filing's attachment, an inspection's material):
//! what the answer says of it, and the open file. Opening one is audited by the case type.

pub struct Download {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hexadecimal SHA-256 of the content, as stored.
    pub sha256: String,
    pub file: tokio::fs::File,
}
