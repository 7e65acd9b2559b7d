//! Reference data pages and forms offer as choices.

use crate::context::Core;
use crate::error::StoreError;
use frt_store::ScopedFutureExt;

/// The provinces (GB/T 2260 code, name), in code order.
pub async fn provinces(core: &Core) -> Result<Vec<(String, String)>, StoreError> {
    core.db
        .run(|conn| async move { Ok(frt_store::imports::provinces(conn).await?) }.scope_boxed())
        .await
}
