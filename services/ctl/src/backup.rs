//! `frtctl backup` and `frtctl restore`: a logical dump of the database (PostgreSQL's own
//! `pg_dump`, custom format) with a copy of the blob store, and its restore into an empty
//! database. The dump is taken first and the files copied after, so every file a dumped row
//! names is in the copy. A restore raises the exchange feed's epoch, so that agencies' systems
//! resume reading without missing what the restored database writes next.

use anyhow::{bail, Context};
use frt_settings::Settings;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

const DUMP: &str = "database.dump";
const BLOBS: &str = "blobs";
const MANIFEST: &str = "manifest.json";

/// What a backup folder holds, written last: a folder without it is not a backup.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    taken_at: chrono::DateTime<chrono::Utc>,
    /// `pg_dump --version`.
    pg_dump: String,
    dump_bytes: u64,
    dump_sha256: String,
    files: u64,
    file_bytes: u64,
}

fn owner_url(settings: &Settings) -> anyhow::Result<String> {
    let url = settings.owner_db_settings().url;
    if url.is_empty() {
        bail!("no database configured: set DATABASE_URL or FRT__DATABASE__URL");
    }
    Ok(url)
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| {
        format!("{what}: cannot start it (is the PostgreSQL client installed?)")
    })?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Copies the folder `from` into `to` (created), file by file; answers (files, bytes).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<(u64, u64)> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &target)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            bytes += std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
            files += 1;
        }
    }
    Ok((files, bytes))
}

fn sha256_of(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let n = std::io::copy(&mut file, &mut hasher)?;
    Ok((n, hex::encode(hasher.finalize())))
}

fn empty_or_missing(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

/// Writes a backup into `to` (a new or empty folder).
pub fn backup(settings: &Settings, to: &Path) -> anyhow::Result<String> {
    if !empty_or_missing(to) {
        bail!(
            "{} is not empty: a backup goes into a folder of its own",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let url = owner_url(settings)?;
    let dump = to.join(DUMP);
    let version = run(
        Command::new("pg_dump").arg("--version"),
        "pg_dump --version",
    )?;
    run(
        Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
            .arg(&dump)
            .arg("--dbname")
            .arg(&url),
        "pg_dump",
    )?;
    // Files in an object store stay there: its own versioning or replication keeps them
    // (docs/operations.md), and they are only ever added under new keys.
    let (files, file_bytes) = if settings.uploads.s3().is_some() {
        (0, 0)
    } else {
        copy_tree(&settings.path(&settings.uploads.blob_dir), &to.join(BLOBS))?
    };
    let (dump_bytes, dump_sha256) = sha256_of(&dump)?;
    let manifest = Manifest {
        taken_at: chrono::Utc::now(),
        pg_dump: version,
        dump_bytes,
        dump_sha256,
        files,
        file_bytes,
    };
    std::fs::write(to.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(format!(
        "backup written to {}: database {} bytes, {} files ({} bytes)",
        to.display(),
        manifest.dump_bytes,
        manifest.files,
        manifest.file_bytes
    ))
}

/// Restores the backup in `from` into the configured database, which must be empty, and its
/// files into the blob folder, which must be empty; then migrates (a backup of an older
/// release), grants the application role and raises the exchange feed's epoch.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<String> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(from.join(MANIFEST))
            .with_context(|| format!("{} holds no {MANIFEST}: not a backup", from.display()))?,
    )?;
    let dump = from.join(DUMP);
    let (bytes, sha) = sha256_of(&dump)?;
    if (bytes, sha.as_str()) != (manifest.dump_bytes, manifest.dump_sha256.as_str()) {
        bail!(
            "{} is not the dump its manifest names (size or SHA-256 differ)",
            dump.display()
        );
    }
    let url = owner_url(settings)?;
    let tables = run(
        Command::new("psql")
            .args(["-X", "-q", "-t", "-A", "-c"])
            .arg("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .arg(&url),
        "psql",
    )?;
    if tables.trim() != "0" {
        bail!("the database is not empty: a backup is restored into an empty database");
    }
    let blob_dir: PathBuf = settings.path(&settings.uploads.blob_dir);
    let in_bucket = settings.uploads.s3().is_some();
    if !in_bucket && !empty_or_missing(&blob_dir) {
        bail!(
            "the blob folder {} is not empty: a backup's files go into an empty one",
            blob_dir.display()
        );
    }
    run(
        Command::new("pg_restore")
            .args([
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
            ])
            .arg(&url)
            .arg(&dump),
        "pg_restore",
    )?;
    let (files, _) = if in_bucket {
        (0, 0)
    } else {
        copy_tree(&from.join(BLOBS), &blob_dir)?
    };
    let migrated = crate::database::migrate_and_load(settings).await?;
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let mut conn = db.conn().await?;
    let epoch = frt_store::notifications::raise_feed_epoch(&mut conn).await?;
    Ok(format!(
        "restored the backup of {} ({} files); {migrated}; exchange feed epoch now {epoch}. \
         Check it with `frtctl audit verify`.",
        manifest.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
        files
    ))
}

/// Raises the exchange feed's epoch by hand, after a restore made without `frtctl restore`
/// (a base backup and WAL, or a replica promoted after losing some of the primary's writes).
pub async fn new_epoch(settings: &Settings) -> anyhow::Result<String> {
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let mut conn = db.conn().await?;
    let epoch = frt_store::notifications::raise_feed_epoch(&mut conn).await?;
    Ok(format!("exchange feed epoch now {epoch}"))
}
