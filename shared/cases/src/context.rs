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
}

impl Core {
    /// Builds the shared state from settings and the entities it knows (see
    /// `registry::standard` and `Core::build`). Does not touch the database.
    pub async fn assemble(settings: Settings, entities: Registry) -> anyhow::Result<Self> {
        let db = Db::new(&settings.db_settings())?;
        let authz = Authorizer::load(&settings.path(&settings.paths.casbin_dir)).await?;
        let blob_dir = settings.path(&settings.uploads.blob_dir);
        let blobs = match settings.uploads.s3() {
            Some(s3) => BlobStore::s3(&s3, blob_dir)?,
            None => BlobStore::local(blob_dir),
        };
        let c = &settings.complaints;
        let suite = frt_access::suite::Suite::parse(&settings.crypto.suite)
            .ok_or_else(|| anyhow::anyhow!("crypto.suite: {:?}", settings.crypto.suite))?;
        let data_key = DataKey::for_suite(&c.data_key_id, c.key_hex(), suite)
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
        })
    }

    /// Checks the services' login and has the audit chain seal new rows with the configured
    /// suite's hash (recorded in the chain when it changes). A database that cannot be
    /// reached yet is asked again in the background until it answers; one that cannot
    /// compute the hash stops the start, as does a production login that owns the tables.
    pub async fn seal_audit_with_suite(&self) -> anyhow::Result<()> {
        let alg = self.data_key.suite().hash().name();
        match self.owns_the_tables().await {
            Ok(true) if self.settings.is_production() => anyhow::bail!(
                "database.url logs in as the owner of the tables: production services log in \
                 as the application role (database.app_role), which cannot alter the audit \
                 trail"
            ),
            Ok(true) => tracing::warn!(
                "database.url logs in as the owner of the tables; a deployment gives the \
                 services the application role (database.app_role)"
            ),
            _ => {}
        }
        match self.apply_audit_hash(alg).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_unavailable() => {
                tracing::warn!(
                    "the audit chain's algorithm will be set once the database answers: {e}"
                );
                let core = self.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                        match core.apply_audit_hash(alg).await {
                            Ok(()) => return,
                            Err(e) if e.is_unavailable() => continue,
                            Err(e) => {
                                tracing::error!("the audit chain cannot seal with {alg}: {e}");
                                return;
                            }
                        }
                    }
                });
                Ok(())
            }
            Err(e) => Err(anyhow::anyhow!(
                "the audit chain cannot seal with {alg}: {e}"
            )),
        }
    }

    /// The working-day calendar in force (cached until a calendar version changes).
    pub async fn calendar(
        &self,
    ) -> Result<Arc<frt_domain::calendar::Calendar>, crate::error::StoreError> {
        use frt_store::ScopedFutureExt;
        let calendars = &self.calendars;
        self.db
            .tx(|conn| {
                async move { Ok::<_, crate::error::StoreError>(calendars.get(conn).await?) }
                    .scope_boxed()
            })
            .await
    }

    /// Whether the services' login holds the privileges of the audit log's owner.
    async fn owns_the_tables(&self) -> Result<bool, frt_store::DbError> {
        use frt_store::ScopedFutureExt;
        self.db
            .tx(|conn| {
                async move {
                    Ok::<_, frt_store::DbError>(frt_store::audit::login_owns_the_log(conn).await?)
                }
                .scope_boxed()
            })
            .await
    }

    async fn apply_audit_hash(&self, alg: &'static str) -> Result<(), frt_store::DbError> {
        use frt_store::ScopedFutureExt;
        self.db
            .tx(|conn| {
                async move {
                    let actor = frt_store::audit::Actor::system("crypto.suite");
                    frt_store::audit::use_hash_alg(conn, &actor, alg).await?;
                    Ok::<_, frt_store::DbError>(())
                }
                .scope_boxed()
            })
            .await
    }
}
