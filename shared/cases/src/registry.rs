//! The platform's entities and case types: the one list a new case type is added to.

use crate::context::Core;
use crate::entity::Registry;
use frt_settings::Settings;
use std::sync::Arc;

/// Every case type and audited entity of the platform.
pub fn standard() -> Registry {
    let mut r = Registry::empty();
    r.add_case_type(Arc::new(crate::filings::FilingCase));
    r.add_case_type(Arc::new(crate::inspections::InspectionCase));
    r.add_case_type(Arc::new(crate::complaints::ComplaintCase));
    r.add_case_type(Arc::new(crate::notifications::NotificationCase));
    r.add_entity(Arc::new(crate::accounts::OrganisationEntity));
    r.add_entity(Arc::new(crate::accounts::UserEntity));
    r
}

impl Core {
    /// Builds the shared state from settings, knowing every standard entity and case type,
    /// and has the audit chain seal with the configured suite ([`Core::seal_audit_with_suite`]).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let core = Self::assemble(settings, standard()).await?;
        core.seal_audit_with_suite().await?;
        Ok(core)
    }
}
