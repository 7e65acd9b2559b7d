//! The audit trail of any entity the registry knows, for staff whose role may read audit and
//! whose jurisdiction covers the entity; keyset-paged by row id (`crate::cursor`).

use crate::caller::Caller;
use crate::context::Core;
use crate::entity::{CaseSummary, Jurisdiction};
use crate::error::{Denied, StoreError};
use frt_access::{Action, Resource};
use frt_store::audit::{self, AuditRow};
use frt_store::identities;
use frt_store::ScopedFutureExt;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailPage {
    pub entity_type: String,
    pub entity_id: String,
    pub items: Vec<AuditRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A trail's page as a request asks for it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    /// The `next` of the previous page.
    #[param(pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$")]
    pub after: Option<String>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A timeline's page as a request asks for it (newest first).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// The `next` of the previous page.
    #[param(pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$")]
    pub before: Option<String>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The name of an entity type with an audit trail: documented as the list the registry holds.
pub struct EntityTypeName;

impl utoipa::PartialSchema for EntityTypeName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(crate::registry::standard().names()))
            .into()
    }
}

impl utoipa::ToSchema for EntityTypeName {}

#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    #[error("no audit trail for '{given}': use one of {}", known.join(", "))]
    UnknownEntityType {
        given: String,
        known: Vec<&'static str>,
    },
    /// Not there, or outside the caller's jurisdiction (the same answer, so ids cannot be
    /// probed), or a malformed id.
    #[error("no {0} with that id was found")]
    NotFound(String),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<frt_store::DbError> for TrailError {
    fn from(e: frt_store::DbError) -> Self {
        Self::Store(e.into())
    }
}

impl From<frt_store::QueryError> for TrailError {
    fn from(e: frt_store::QueryError) -> Self {
        Self::Store(e.into())
    }
}

/// A page of the trail of `entity_type`/`entity_id` after the cursor `after`, oldest first,
/// each row with its place and hash in the tamper-evident chain.
pub async fn page(
    core: &Core,
    caller: &Caller,
    entity_type: &str,
    entity_id: &str,
    q: &TrailQuery,
) -> Result<TrailPage, TrailError> {
    caller.require(core, Resource::AUDIT, Action::Read, None)?;
    let limit = crate::input::within("limit", q.limit.unwrap_or(100), 1..=500)?;
    let after: Option<i64> = crate::input::cursor("after", q.after.as_deref())?;
    let entity =
        core.entities
            .entity(entity_type)
            .ok_or_else(|| TrailError::UnknownEntityType {
                given: entity_type.chars().take(40).collect(),
                known: core.entities.names(),
            })?;
    let not_found = || TrailError::NotFound(entity_type.to_owned());
    let id = Uuid::parse_str(entity_id).map_err(|_| not_found())?;
    core.db
        .run(|conn| {
            async move {
                match entity.jurisdiction(conn, id).await? {
                    // A province's records: its CAC office's staff (an agency outside the CAC opens only
                    // what a case transfer handed to it, and not its trail).
                    Some(Jurisdiction::Province(p))
                        if caller.principal.is_cac() && caller.principal.covers(&p) =>
                    {
                        caller.require(core, Resource::AUDIT, Action::Read, Some(&p))?;
                        if let Some(case) = core.entities.case_type(entity_type) {
                            caller.require(core, case.resource(), Action::Read, Some(&p))?;
                        }
                    }
                    // The agencies concerned read it, and national CAC staff.
                    Some(Jurisdiction::Agencies(agencies))
                        if caller
                            .principal
                            .agency_id()
                            .is_some_and(|a| agencies.contains(&a))
                            || (caller.principal.is_cac()
                                && caller.principal.home_domain() == "*") =>
                    {
                        if let Some(case) = core.entities.case_type(entity_type) {
                            caller.require(core, case.resource(), Action::Read, None)?;
                        }
                    }
                    // National accounts belong to no province: only national staff read their trail.
                    Some(Jurisdiction::National)
                        if caller.principal.is_cac() && caller.principal.home_domain() == "*" => {}
                    _ => return Err(not_found()),
                }
                let entity_id = id.to_string();
                let items = audit::trail_page(conn, entity_type, &entity_id, after, limit).await?;
                let next = crate::cursor::next(&items, limit, |r| Some(r.id));
                Ok(TrailPage {
                    entity_type: entity_type.to_owned(),
                    entity_id,
                    items,
                    next,
                })
            }
            .scope_boxed()
        })
        .await
}

/// A processor as its page heads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcessorHeading {
    pub id: Uuid,
    pub name: String,
    pub uscc: String,
    pub province_code: String,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub registered_at: chrono::DateTime<chrono::Utc>,
}

/// A processor's page for staff: its cases of every type the caller may read, and one
/// timeline of what happened to them and to the processor's registration, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    pub organisation: ProcessorHeading,
    /// Oldest first, of every case type the caller's role may read.
    pub cases: Vec<CaseSummary>,
    /// Newest first.
    pub events: Vec<audit::Event>,
    /// Pass as `before` for older events; absent on the last page.
    pub next: Option<String>,
}

/// The page of processor `organisation`, for CAC staff whose jurisdiction covers it; events
/// older than the cursor `before`, `limit` at a time.
pub async fn processor_timeline(
    core: &Core,
    caller: &Caller,
    organisation: Uuid,
    q: &TimelineQuery,
) -> Result<Timeline, TrailError> {
    caller.require(core, Resource::ORGANISATION, Action::Read, None)?;
    let limit = crate::input::within("limit", q.limit.unwrap_or(100), 1..=500)?;
    let before: Option<i64> = crate::input::cursor("before", q.before.as_deref())?;
    let not_found = || TrailError::NotFound("organisation".to_owned());
    core.db
        .run(|conn| {
            async move {
                let org = identities::organisation(conn, organisation)
                    .await?
                    .filter(|o| caller.principal.covers(&o.province_code))
                    .ok_or_else(not_found)?;
                let province = org.province_code.as_str();
                caller.require(core, Resource::ORGANISATION, Action::Read, Some(province))?;
                let mut cases = Vec::new();
                let mut about = vec![(
                    crate::accounts::ORGANISATION_ENTITY,
                    vec![org.id.to_string()],
                )];
                for case in core.entities.case_types() {
                    if !caller.may(core, case.resource(), Action::Read, Some(province)) {
                        continue;
                    }
                    let mine = case
                        .of_organisation(conn, org.id, &caller.principal)
                        .await?;
                    about.push((case.name(), mine.iter().map(|c| c.id.to_string()).collect()));
                    cases.extend(mine);
                }
                let events = audit::events_of(conn, &about, before, limit).await?;
                let next = crate::cursor::next(&events, limit, |e| Some(e.id));
                Ok(Timeline {
                    organisation: ProcessorHeading {
                        id: org.id,
                        name: org.name,
                        uscc: org.uscc,
                        province_code: org.province_code,
                        contact_person: org.contact_person,
                        contact_email: org.contact_email,
                        contact_phone: org.contact_phone,
                        registered_at: org.created_at,
                    },
                    cases,
                    events,
                    next,
                })
            }
            .scope_boxed()
        })
        .await
}
