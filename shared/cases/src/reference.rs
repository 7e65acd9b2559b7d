//! Reference data pages and forms offer as choices.

use crate::context::Core;
use crate::error::StoreError;

/// The provinces (GB/T 2260 code, name), in code order.
pub async fn provinces(core: &Core) -> Result<Vec<(String, String)>, StoreError> {
    let mut conn = core.db.conn().await?;
    Ok(frt_store::imports::provinces(&mut conn).await?)
}
