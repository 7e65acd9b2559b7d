//! The attachment (blob) store. Local directory by default; an object store would be another
//! variant of `BlobStore` behind the same calls. Keys are generated here, never taken from a
//! client filename, so no upload can choose a path.

use anyhow::Context;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

#[derive(Clone, Debug)]
pub enum BlobStore {
    Local { root: PathBuf },
}

/// A blob being written: bytes go to a temporary file while their SHA-256 and size are kept.
pub struct PendingBlob {
    file: tokio::fs::File,
    tmp: PathBuf,
    final_path: PathBuf,
    key: String,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

/// What a finished blob is.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

/// Bytes kept from the start of an upload to detect its type by content.
pub const HEAD_BYTES: usize = 8192;

impl BlobStore {
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Self::Local { root: root.into() }
    }

    fn path_of(root: &Path, key: &str) -> PathBuf {
        // Keys are "<2 hex>/<uuid>"; fanning out keeps directories small.
        root.join(key)
    }

    /// Starts a new blob with a fresh key.
    pub async fn begin(&self) -> anyhow::Result<PendingBlob> {
        match self {
            BlobStore::Local { root } => {
                let id = uuid::Uuid::now_v7().simple().to_string();
                let key = format!("{}/{}", &id[id.len() - 2..], id);
                let final_path = Self::path_of(root, &key);
                let dir = final_path
                    .parent()
                    .context("blob path has no parent")?
                    .to_owned();
                tokio::fs::create_dir_all(&dir)
                    .await
                    .with_context(|| format!("cannot create blob directory {}", dir.display()))?;
                let tmp = dir.join(format!(".{id}.part"));
                let file = tokio::fs::File::create(&tmp)
                    .await
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                Ok(PendingBlob {
                    file,
                    tmp,
                    final_path,
                    key,
                    hasher: Sha256::new(),
                    size: 0,
                    head: Vec::new(),
                })
            }
        }
    }

    /// Opens a stored blob for reading.
    pub async fn open(&self, key: &str) -> anyhow::Result<tokio::fs::File> {
        match self {
            BlobStore::Local { root } => {
                if key.contains("..") || key.starts_with('/') {
                    anyhow::bail!("invalid blob key");
                }
                let path = Self::path_of(root, key);
                tokio::fs::File::open(&path)
                    .await
                    .with_context(|| format!("cannot open blob {key}"))
            }
        }
    }

    /// Removes what uploads cut off mid-way left behind (a process that stopped while one
    /// streamed in): partial files older than `older_than`. Answers how many went.
    pub async fn sweep_partial(&self, older_than: std::time::Duration) -> anyhow::Result<usize> {
        match self {
            BlobStore::Local { root } => {
                let mut removed = 0;
                let Ok(mut dirs) = tokio::fs::read_dir(root).await else {
                    return Ok(0);
                };
                while let Some(dir) = dirs.next_entry().await? {
                    if !dir.file_type().await?.is_dir() {
                        continue;
                    }
                    let mut files = tokio::fs::read_dir(dir.path()).await?;
                    while let Some(f) = files.next_entry().await? {
                        let name = f.file_name();
                        let partial = name.to_string_lossy().ends_with(".part");
                        let old = f
                            .metadata()
                            .await?
                            .modified()
                            .ok()
                            .and_then(|m| m.elapsed().ok())
                            .is_some_and(|age| age > older_than);
                        if partial && old && tokio::fs::remove_file(f.path()).await.is_ok() {
                            removed += 1;
                        }
                    }
                }
                Ok(removed)
            }
        }
    }

    /// Removes a stored blob (used when the database write that should reference it failed).
    pub async fn remove(&self, key: &str) {
        match self {
            BlobStore::Local { root } => {
                let _ = tokio::fs::remove_file(Self::path_of(root, key)).await;
            }
        }
    }
}

impl PendingBlob {
    pub async fn write(&mut self, chunk: &[u8]) -> anyhow::Result<()> {
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file
            .write_all(chunk)
            .await
            .context("cannot write blob")
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Lowercase hex SHA-256 of what was written so far.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// The first bytes written, for content-type detection.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Makes the blob durable under its key.
    pub async fn commit(mut self) -> anyhow::Result<StoredBlob> {
        self.file.flush().await.context("cannot flush blob")?;
        self.file.sync_all().await.context("cannot sync blob")?;
        tokio::fs::rename(&self.tmp, &self.final_path)
            .await
            .context("cannot move blob into place")?;
        // In place: nothing for `drop` to remove.
        self.tmp = PathBuf::new();
        Ok(StoredBlob {
            key: std::mem::take(&mut self.key),
            size: self.size,
            sha256: hex::encode(self.hasher.clone().finalize()),
        })
    }

    /// Throws the partial blob away.
    pub async fn abort(mut self) {
        let tmp = std::mem::take(&mut self.tmp);
        let _ = tokio::fs::remove_file(&tmp).await;
    }
}

/// A blob neither kept nor thrown away (its upload was abandoned: the request cancelled when
/// the client went away) leaves no partial file behind.
impl Drop for PendingBlob {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
