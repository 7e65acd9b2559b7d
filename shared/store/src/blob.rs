//! The attachment (blob) store: a local folder, or an S3-compatible object store (the
//! `object_store` crate) shared by every instance of the services. Keys are generated here,
//! never taken from a client filename, so no upload can choose a path.
//!
//! An upload is first written to a partial file in a local staging folder (the blob folder
//! itself, or the staging folder beside an object store) while its SHA-256 and size are
//! counted; `commit` moves it into place (a rename, or an upload to the bucket, in parts when
//! large). A blob read from a bucket is spooled to an unnamed local file, so every reader gets
//! a plain file whichever store holds it.

use anyhow::Context;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

#[derive(Clone)]
pub enum BlobStore {
    Local {
        root: PathBuf,
    },
    /// A bucket; `staging` holds uploads on their way and blobs being read.
    Object {
        store: Arc<dyn ObjectStore>,
        staging: PathBuf,
    },
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobStore::Local { root } => write!(f, "BlobStore::Local({})", root.display()),
            BlobStore::Object { store, .. } => write!(f, "BlobStore::Object({store})"),
        }
    }
}

/// Where a committed blob goes.
enum Destination {
    File(PathBuf),
    Object(Arc<dyn ObjectStore>),
}

/// A blob being written: bytes go to a temporary file while their SHA-256 and size are kept.
pub struct PendingBlob {
    file: tokio::fs::File,
    tmp: PathBuf,
    destination: Destination,
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

/// The S3-compatible store's settings.
#[derive(Clone, Debug, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// The service's address (e.g. `https://oss-cn-beijing.aliyuncs.com`); empty for AWS.
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Whether a plain `http://` endpoint is allowed (a test server, a private network).
    pub allow_http: bool,
}

impl BlobStore {
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Self::Local { root: root.into() }
    }

    /// A bucket of an S3-compatible store, with uploads staged in `staging`. Makes no request.
    pub fn s3(settings: &S3Settings, staging: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            // A store that does not answer fails an upload within seconds (503 to the
            // client, who retries), not after the client's default three minutes.
            .with_retry(object_store::RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(10),
                ..Default::default()
            })
            .with_client_options(
                object_store::ClientOptions::new()
                    .with_connect_timeout(std::time::Duration::from_secs(5))
                    .with_timeout(std::time::Duration::from_secs(60))
                    .with_allow_http(settings.allow_http),
            );
        if !settings.endpoint.is_empty() {
            // Path-style addressing (`endpoint/bucket/key`), which every S3-compatible store
            // (MinIO, Ceph, the clouds' own) answers.
            builder = builder
                .with_endpoint(&settings.endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let store = builder
            .build()
            .context("uploads: the object store's settings")?;
        Ok(Self::Object {
            store: Arc::new(store),
            staging: staging.into(),
        })
    }

    /// The local folder partial files are written to.
    fn staging(&self) -> &Path {
        match self {
            BlobStore::Local { root } => root,
            BlobStore::Object { staging, .. } => staging,
        }
    }

    fn path_of(root: &Path, key: &str) -> PathBuf {
        // Keys are "<2 hex>/<uuid>"; fanning out keeps directories small.
        root.join(key)
    }

    /// Starts a new blob with a fresh key.
    pub async fn begin(&self) -> anyhow::Result<PendingBlob> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        // Keys are "<2 hex>/<uuid>"; fanning out keeps folders small.
        let key = format!("{}/{}", &id[id.len() - 2..], id);
        let dir = Self::path_of(self.staging(), &key)
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
        let destination = match self {
            BlobStore::Local { root } => Destination::File(Self::path_of(root, &key)),
            BlobStore::Object { store, .. } => Destination::Object(store.clone()),
        };
        Ok(PendingBlob {
            file,
            tmp,
            destination,
            key,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Opens a stored blob for reading.
    pub async fn open(&self, key: &str) -> anyhow::Result<tokio::fs::File> {
        if key.contains("..") || key.starts_with('/') {
            anyhow::bail!("invalid blob key");
        }
        match self {
            BlobStore::Local { root } => {
                let path = Self::path_of(root, key);
                tokio::fs::File::open(&path)
                    .await
                    .with_context(|| format!("cannot open blob {key}"))
            }
            BlobStore::Object { store, staging } => {
                use futures_util::StreamExt;
                let mut stream = store
                    .get(&ObjectPath::from(key))
                    .await
                    .with_context(|| format!("cannot open blob {key}"))?
                    .into_stream();
                tokio::fs::create_dir_all(staging).await?;
                let spool = staging.join(format!(".{}.read", uuid::Uuid::now_v7().simple()));
                let mut file = tokio::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&spool)
                    .await
                    .with_context(|| format!("cannot create {}", spool.display()))?;
                // Unnamed from here on: the file goes when the reader closes it.
                let _ = tokio::fs::remove_file(&spool).await;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.with_context(|| format!("reading blob {key}"))?;
                    file.write_all(&chunk).await?;
                }
                file.flush().await?;
                use tokio::io::AsyncSeekExt;
                file.seek(std::io::SeekFrom::Start(0)).await?;
                Ok(file)
            }
        }
    }

    /// Removes what uploads cut off mid-way left behind (a process that stopped while one
    /// streamed in): partial files older than `older_than`. Answers how many went.
    pub async fn sweep_partial(&self, older_than: std::time::Duration) -> anyhow::Result<usize> {
        let root = self.staging();
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

    /// Removes a stored blob (used when the database write that should reference it failed).
    pub async fn remove(&self, key: &str) {
        match self {
            BlobStore::Local { root } => {
                let _ = tokio::fs::remove_file(Self::path_of(root, key)).await;
            }
            BlobStore::Object { store, .. } => {
                if let Err(e) = store.delete(&ObjectPath::from(key)).await {
                    tracing::warn!(key, error = %e, "an unreferenced blob stays in the bucket");
                }
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
        match &self.destination {
            Destination::File(final_path) => {
                self.file.sync_all().await.context("cannot sync blob")?;
                tokio::fs::rename(&self.tmp, final_path)
                    .await
                    .context("cannot move blob into place")?;
                // In place: nothing for `drop` to remove.
                self.tmp = PathBuf::new();
            }
            Destination::Object(store) => {
                // In parts once past the writer's buffer (a large material).
                let mut staged = tokio::fs::File::open(&self.tmp)
                    .await
                    .context("cannot reopen the staged blob")?;
                let mut upload = object_store::buffered::BufWriter::new(
                    store.clone(),
                    ObjectPath::from(self.key.as_str()),
                );
                tokio::io::copy(&mut staged, &mut upload)
                    .await
                    .context("cannot upload the blob")?;
                upload
                    .shutdown()
                    .await
                    .context("cannot finish the blob's upload")?;
                // Uploaded: the staged file goes when `drop` runs.
            }
        }
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
