//! 已办: what a member of staff decided or handled, newest first, across every case type, read
//! from the audit log (each state change is audited there with its actor). Reads, such as a
//! download or an unmasked contact, are left out.

use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use frt_store::audit::{self, Event};
use frt_store::ScopedFutureExt;

/// Audited actions that only read.
const READS: &[&str] = &[
    "attachment.downloaded",
    "material.downloaded",
    "complaint.contact_viewed",
    "complaint.evidence_downloaded",
    "inspection.material_downloaded",
    "notification.attachment_downloaded",
    "notification.material_downloaded",
];

/// A page of what the caller did, and the cursor of the next (older) one.
#[derive(Debug, Clone)]
pub struct DonePage {
    pub items: Vec<Event>,
    pub next: Option<String>,
}

/// The page's cursor as a caller passes it back (400 `request.invalid_cursor` otherwise).
pub fn cursor(text: Option<&str>) -> Result<Option<i64>, crate::input::BadParameter> {
    crate::input::cursor::<i64>("before", text)
}

/// What the caller did to the platform's cases, newest first, before the audit row `before`.
pub async fn list(
    core: &Core,
    caller: &Caller,
    before: Option<i64>,
    limit: i64,
) -> Result<DonePage, StoreError> {
    let case_types: Vec<&str> = core.entities.case_types().map(|c| c.name()).collect();
    core.db
        .run(|conn| {
            async move {
                let items = audit::by_actor(
                    conn,
                    caller.principal.user_id,
                    &case_types,
                    READS,
                    before,
                    limit,
                )
                .await?;
                let next = crate::cursor::next(&items, limit, |e| Some(e.id));
                Ok(DonePage { items, next })
            }
            .scope_boxed()
        })
        .await
}
