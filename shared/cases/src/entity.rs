//! The one small interface a case type implements to plug into the shared machinery.
//!
//! Every audited thing is an `Entity`: it has a name (its entity type in the audit trail, the
//! deadline table and the outbox) and a jurisdiction, so that the audit trail endpoint serves
//! it to staff of the right province. A `CaseType` (filings, inspections, complaints,
//! notifications between agencies) adds its authorisation resource and what it tells whom
//! when one of its working-day deadlines is near or has passed. The deadline `sweep`, the `notices` outbox and
//! the `trail` then work for it without a line copied from another case type.

use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::Resource;
use frt_store::deadlines::Deadline;
use frt_store::{AsyncPgConnection, QueryError};
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// Where an entity belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jurisdiction {
    /// A province (GB/T 2260 code): its office's staff, and national staff.
    Province(String),
    /// The whole country (a national account): national staff only.
    National,
    /// The agencies concerned (a notification's sender and recipients): their staff, and
    /// national CAC staff.
    Agencies(Vec<Uuid>),
}

#[async_trait]
pub trait Entity: Send + Sync {
    /// The entity type in the audit trail, the deadline table and the outbox, e.g. `filing`.
    fn name(&self) -> &'static str;

    /// Where the entity `id` belongs, if it exists and staff may see it at all.
    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError>;
}

/// Why the sweep calls a case type about one of its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineEvent {
    /// The deadline is near: this many working days left (0 on the day itself).
    Reminder { working_days_left: i64 },
    /// The deadline passed and was not met; the sweep has marked it overdue and audited that.
    Overdue,
}

/// What a case type did about one deadline event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Handled {
    pub mails_queued: usize,
    /// Escalations to supervisors (each audited by the case type).
    pub escalated: usize,
}

/// How a message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Failed,
}

/// One case of a processor, as staff see it on the processor's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    /// Its case type (`filing`, `inspection`, …).
    pub case_type: String,
    pub id: Uuid,
    pub status: String,
    /// What staff call it: a filing's number, an inspection's source.
    pub reference: Option<String>,
    /// When it reached the regulator (a filing's first submission, an inspection's opening).
    pub opened_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait CaseType: Entity {
    /// Its resource type in the authorisation policy.
    fn resource(&self) -> Resource;

    /// Its cases concerning the processor `organisation` that `viewer` (staff whose role may
    /// read this case type in the processor's province) may see, oldest first.
    async fn of_organisation(
        &self,
        conn: &mut AsyncPgConnection,
        organisation: Uuid,
        viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError>;

    /// A message about one of its cases was delivered (the relay accepted it) or failed for
    /// good, in the transaction that records it. Most case types need nothing.
    async fn on_mail(
        &self,
        _conn: &mut AsyncPgConnection,
        _message: &frt_store::outbox::Message,
        _delivery: Delivery,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Tells whom it concerns that one of its deadlines is near or has passed (notices to
    /// the outbox, escalation). Called once per deadline, event and due date, inside the
    /// sweep's transaction for that deadline.
    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        deadline: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError>;
}

/// The entities and case types the platform knows, by name.
#[derive(Clone)]
pub struct Registry {
    entities: Vec<Arc<dyn Entity>>,
    cases: Vec<Arc<dyn CaseType>>,
}

impl Registry {
    pub fn empty() -> Self {
        Self {
            entities: Vec::new(),
            cases: Vec::new(),
        }
    }

    pub fn add_entity(&mut self, entity: Arc<dyn Entity>) {
        self.entities.push(entity);
    }

    pub fn add_case_type(&mut self, case: Arc<dyn CaseType>) {
        self.entities.push(case.clone());
        self.cases.push(case);
    }

    pub fn entity(&self, name: &str) -> Option<&dyn Entity> {
        self.entities
            .iter()
            .find(|e| e.name() == name)
            .map(|e| e.as_ref())
    }

    /// Every case type, in registration order.
    pub fn case_types(&self) -> impl Iterator<Item = &dyn CaseType> {
        self.cases.iter().map(|c| c.as_ref())
    }

    pub fn case_type(&self, name: &str) -> Option<&dyn CaseType> {
        self.cases
            .iter()
            .find(|c| c.name() == name)
            .map(|c| c.as_ref())
    }

    /// The names of every entity with an audit trail.
    pub fn names(&self) -> Vec<&'static str> {
        self.entities.iter().map(|e| e.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_standard_registry_knows_its_case_types_organisations_and_users() {
        let r = crate::registry::standard();
        assert_eq!(
            r.names(),
            [
                "filing",
                "inspection",
                "complaint",
                "notification",
                "organisation",
                "user"
            ]
        );
        assert!(r.case_type("filing").is_some());
        assert!(r.case_type("user").is_none(), "a user has no deadlines");
        assert!(r.entity("payment").is_none());
    }
}
