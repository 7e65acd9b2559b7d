//! What every use case can reach: the database, the authoriser, the calendar cache, the blob
//! store, the settings and the registry of entities and case types.

use crate::entity::Registry;
use frt_access::sealing::DataKey;
use frt_access::Authorizer;
use frt_settings::Settings;
use frt_store::blob::BlobStore;
use frt_store::calendars::CalendarCache;
use frt_store::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct Core {
    pub db: Db,
    pub authz: Authorizer,
    pub calendars: CalendarCache,
    pub blobs: BlobStore,
    pub settings: Arc<Settings>,
    pub entities: Arc<Registry>,
    /// Seals complainants' personal data (from `complaints.data_key`).
    pub data_key: Arc<DataKey>,
    /// The exports running as jobs in this process, and their finished files.
    pub exports: Arc<crate::export_jobs::ExportJobs>,
}

impl Core {
    /// Builds the shared state from settings and the entities it knows (see
    /// `registry::standard` and `Core::build`). Does not touch the database.
    pub async fn assemble(settings: Settings, entities: Registry) -> anyhow::Result<Self> {
        let db = Db::new(&settings.db_settings())?;
        let authz = Authorizer::load(&settings.path(&settings.paths.casbin_dir)).await?;
        let blobs = BlobStore::local(settings.path(&settings.uploads.blob_dir));
        let c = &settings.complaints;
        let data_key = DataKey::from_hex(&c.data_key_id, c.key_hex())
            .map_err(|e| anyhow::anyhow!("complaints.data_key: {e}"))?;
        if c.key_hex() == frt_settings::DEVELOPMENT_DATA_KEY {
            tracing::warn!(
                "complaints.data_key is not set: personal data is sealed with the development key"
            );
        }
        Ok(Self {
            db,
            authz,
            calendars: CalendarCache::default(),
            blobs,
            settings: Arc::new(settings),
            entities: Arc::new(entities),
            data_key: Arc::new(data_key),
            exports: Arc::default(),
        })
    }
}
