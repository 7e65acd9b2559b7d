//! Inspections (监督检查) under Art. 16 as a case type: plans and random draws (`draws`), the
//! lifecycle staff work (`conduct`), what the processor answers in the portal (`processor`),
//! and what the deadline sweep tells whom about their time limits.

pub mod conduct;
pub mod draws;
pub mod processor;
pub mod risk;

use crate::caller::Caller;
use crate::entity::{CaseSummary, CaseType, DeadlineEvent, Entity, Handled, Jurisdiction};
use crate::error::{Denied, StoreError};
use crate::escalation::{self, Addressee, Escalation};
use crate::materials::UploadError;
use crate::notices::{self, About};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::Resource;
use frt_domain::form::FieldProblem;
use frt_domain::inspection::{
    DrawError, IllegalInspectionStep, InspectionStatus, ItemKind, ItemStatus,
};
use frt_mail::{InspectionNotice, InspectionRef};
use frt_store::deadlines::{self, Deadline};
use frt_store::inspections::{self as store, Inspection, PoolInspector};
use frt_store::scope::Scope;
use frt_store::ScopedFutureExt;
use frt_store::{identities, AsyncPgConnection, QueryError};
use serde::Serialize;
use uuid::Uuid;

/// Everything that can go wrong with an inspection.
#[derive(Debug, thiserror::Error)]
pub enum InspectionError {
    #[error("no inspection with that id was found")]
    NotFound,
    #[error("no {0} with that id was found")]
    Missing(&'static str),
    #[error("{0}")]
    Draw(#[from] DrawError),
    #[error("a draw's seed is made by the platform; a given seed is accepted only where acceptance tests run")]
    SeedNotAllowed,
    #[error(transparent)]
    IllegalStep(#[from] IllegalInspectionStep),
    #[error("the inspection changed since version {seen}; reload it and try again")]
    VersionConflict { seen: i32 },
    #[error("the request has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    #[error("this request or order is no longer open")]
    ItemClosed,
    #[error("only the inspection's inspectors or a supervisor may do this")]
    NotAnInspector,
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(InspectionError, fields);

impl From<crate::step::VersionConflict> for InspectionError {
    fn from(c: crate::step::VersionConflict) -> Self {
        Self::VersionConflict { seen: c.seen }
    }
}

impl From<crate::filings::FilingError> for InspectionError {
    fn from(e: crate::filings::FilingError) -> Self {
        use crate::filings::FilingError as F;
        match e {
            F::Upload(u) => Self::Upload(u),
            F::Denied(d) => Self::Denied(d),
            F::Store(s) => Self::Store(s),
            other => Self::Store(StoreError::Internal(anyhow::anyhow!("{other}"))),
        }
    }
}

pub(crate) use crate::input::{invalid, text};

/// The caller's scope, for what only CAC offices do (plans, draws, opening inspections).
pub(crate) fn cac_scope(caller: &Caller) -> Result<Scope, InspectionError> {
    let scope = caller.scope();
    if scope.cac_provinces().is_none() {
        return Err(Denied {
            action: "plan",
            resource: "inspection".into(),
        }
        .into());
    }
    Ok(scope)
}

/// The deadline purpose of a request or order.
pub(crate) fn item_purpose(item: Uuid) -> String {
    format!("item:{item}")
}

/// A request or order's kind and status, as the domain names them.
pub(crate) fn item_of(it: &store::Item) -> Result<(ItemKind, ItemStatus), InspectionError> {
    let kind = it.kind.parse().map_err(anyhow::Error::from)?;
    let status = it.status.parse().map_err(anyhow::Error::from)?;
    Ok((kind, status))
}

pub(crate) fn typed(i: &Inspection) -> Result<InspectionStatus, InspectionError> {
    Ok(i.status
        .parse::<InspectionStatus>()
        .map_err(anyhow::Error::from)?)
}

/// The reference every inspection notice carries.
pub(crate) async fn reference(
    conn: &mut AsyncPgConnection,
    i: &Inspection,
) -> Result<(InspectionRef, identities::Organisation), InspectionError> {
    let org = identities::organisation(conn, i.organisation_id)
        .await?
        .ok_or(InspectionError::Missing("organisation"))?;
    Ok((
        InspectionRef {
            id: i.id,
            processor: org.name.clone(),
            uscc: org.uscc.clone(),
        },
        org,
    ))
}

pub(crate) fn about(id: Uuid) -> About<'static> {
    About {
        entity_type: store::ENTITY,
        entity_id: id,
    }
}

/// Tells the processor, at its contact address, keyed by the event.
pub(crate) async fn tell_processor(
    conn: &mut AsyncPgConnection,
    i: &Inspection,
    notice: &InspectionNotice,
    event: &str,
) -> Result<(), InspectionError> {
    let org = identities::organisation(conn, i.organisation_id)
        .await?
        .ok_or(InspectionError::Missing("organisation"))?;
    let key = format!("{}:{}:{event}", store::ENTITY, i.id);
    notices::mail(
        conn,
        &org.contact_email,
        &org.locale,
        notice,
        about(i.id),
        key,
    )
    .await?;
    Ok(())
}

/// A request or an order as the caller sees it, with its time limit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    /// `request` (调取材料) or `order` (责令改正).
    pub kind: String,
    pub description: String,
    pub working_days: i32,
    /// open, answered, accepted or rejected.
    pub status: String,
    pub due_date: Option<NaiveDate>,
    pub provisional: Option<bool>,
    pub overdue_since: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub materials: Vec<frt_store::materials::Material>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyView {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionView {
    pub id: Uuid,
    pub province_code: String,
    pub organisation: store::PoolProcessor,
    /// draw, risk, complaint or notification.
    pub source: String,
    pub status: String,
    pub status_zh: String,
    pub plan_id: Option<Uuid>,
    pub draw_id: Option<Uuid>,
    /// The notice sent to the processor.
    pub notice: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub findings: Option<serde_json::Value>,
    pub result: Option<String>,
    pub rectified: Option<bool>,
    pub notified_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The document requests and rectification orders, oldest first.
    pub items: Vec<ItemView>,
    /// The inspectors (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspectors: Option<Vec<PoolInspector>>,
    /// Agencies invited to a joint inspection (会同; staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agencies: Option<Vec<AgencyView>>,
    /// Send back with each step: a stale one is refused.
    pub version: i32,
}

/// The view of an inspection: everything for staff; the processor's own without the
/// regulator's internal arrangements (inspectors, invited agencies).
pub(crate) async fn view(
    conn: &mut AsyncPgConnection,
    i: Inspection,
    for_staff: bool,
) -> Result<InspectionView, InspectionError> {
    let organisation = store::processors(conn, &[i.organisation_id])
        .await?
        .into_iter()
        .next()
        .ok_or(InspectionError::Missing("organisation"))?;
    let held = deadlines::for_entity(conn, store::ENTITY, i.id).await?;
    let materials = frt_store::materials::of(conn, store::ENTITY, i.id).await?;
    let items = store::items_of(conn, i.id)
        .await?
        .into_iter()
        .map(|it| {
            let d = held.iter().find(|d| d.purpose == item_purpose(it.id));
            ItemView {
                materials: materials
                    .iter()
                    .filter(|m| m.item_id == Some(it.id))
                    .cloned()
                    .collect(),
                due_date: d.map(|d| d.due_date),
                provisional: d.map(|d| d.provisional),
                overdue_since: d.and_then(|d| d.overdue_since),
                id: it.id,
                kind: it.kind,
                description: it.description,
                working_days: it.working_days,
                status: it.status,
                answer: it.answer,
                answered_at: it.answered_at,
            }
        })
        .collect();
    let (inspectors, agencies) = if for_staff {
        let inspectors = store::inspectors(conn, &i.inspector_ids).await?;
        let agencies = store::agencies_of(conn, i.id)
            .await?
            .into_iter()
            .map(|(id, kind, name)| AgencyView { id, kind, name })
            .collect();
        (Some(inspectors), Some(agencies))
    } else {
        (None, None)
    };
    let status_zh = typed(&i)?.name_zh().to_owned();
    Ok(InspectionView {
        id: i.id,
        province_code: i.province_code,
        organisation,
        source: i.source,
        status: i.status,
        status_zh,
        plan_id: i.plan_id,
        draw_id: i.draw_id,
        notice: i.notice,
        findings: i.findings,
        result: i.result,
        rectified: i.rectified,
        notified_at: i.notified_at,
        closed_at: i.closed_at,
        items,
        inspectors,
        agencies,
        version: i.version,
    })
}

/// One inspection the caller may see, as the caller sees it.
pub async fn show(
    core: &crate::Core,
    caller: &Caller,
    id: Uuid,
) -> Result<InspectionView, InspectionError> {
    caller.require(core, Resource::INSPECTION, frt_access::Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                let i = store::get(conn, id, &caller.scope())
                    .await?
                    .ok_or(InspectionError::NotFound)?;
                let for_staff = caller.principal.organisation_id().is_none();
                view(conn, i, for_staff).await
            }
            .scope_boxed()
        })
        .await
}

/// Inspections the caller may see, newest first.
/// Which inspections a list shows, and its page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InspectionQuery {
    #[param(
        pattern = "^(planned|notified|in_progress|findings_recorded|rectification_ordered|rectification_reported|verified|closed)$"
    )]
    pub status: Option<String>,
    pub plan_id: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Rows to skip, 0 to 1,000,000.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

pub async fn list(
    core: &crate::Core,
    caller: &Caller,
    q: &InspectionQuery,
) -> Result<Vec<InspectionView>, InspectionError> {
    caller.require(core, Resource::INSPECTION, frt_access::Action::Read, None)?;
    let limit = crate::input::limit(q.limit)?;
    let offset = crate::input::offset(q.offset)?;
    let status = q
        .status
        .as_deref()
        .map(|s| crate::input::one_of("status", s, &InspectionStatus::ALL.map(|s| s.as_str())))
        .transpose()?;
    let plan = q.plan_id;
    core.db
        .run(|conn| {
            async move {
                let rows = store::list(conn, &caller.scope(), status, plan, limit, offset).await?;
                let for_staff = caller.principal.organisation_id().is_none();
                let mut out = Vec::with_capacity(rows.len());
                for i in rows {
                    out.push(view(conn, i, for_staff).await?);
                }
                Ok(out)
            }
            .scope_boxed()
        })
        .await
}

/// An open inspection on the workbench: its processor and nearest open time limit.
#[derive(Debug, Clone)]
pub struct WorkRow {
    pub id: Uuid,
    pub organisation: store::PoolProcessor,
    pub province_code: String,
    pub status: String,
    pub due_date: Option<NaiveDate>,
    /// Working days left until `due_date`; negative when passed.
    pub working_days_left: Option<i64>,
    /// Where the queue goes on after this row.
    pub after: String,
}

/// The open inspections the caller conducts in their province(s) (narrowed to `province`),
/// nearest open time limit first, `limit` after the cursor `after`; and the next cursor.
pub async fn work_queue(
    core: &crate::Core,
    caller: &Caller,
    province: Option<&str>,
    status: Option<&str>,
    processor: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<WorkRow>, Option<String>), InspectionError> {
    caller.require(
        core,
        Resource::INSPECTION,
        frt_access::Action::Conduct,
        None,
    )?;
    let scope = caller.scope_within::<InspectionError>(province, "inspections of that province")?;
    let limit = crate::input::limit(Some(limit))?;
    let status = status
        .map(|s| crate::input::one_of("status", s, &InspectionStatus::ALL.map(|s| s.as_str())))
        .transpose()?
        .map(str::to_owned);
    let processor = processor
        .map(|p| crate::input::text("processor", p, 200))
        .transpose()?;
    let after: Option<(Option<NaiveDate>, Uuid)> = crate::input::cursor("after", after)?;
    core.db
        .run(|conn| {
            async move {
                let rows = store::work_queue(
                    conn,
                    &scope,
                    &store::WorkQuery {
                        status,
                        processor,
                        after,
                        limit,
                    },
                )
                .await?;
                let next = crate::cursor::next(&rows, limit, |(i, due)| Some((*due, i.id)));
                let ids: Vec<Uuid> = rows.iter().map(|(i, _)| i.organisation_id).collect();
                let processors = store::processors(conn, &ids).await?;
                let calendar = core.calendars.get(conn).await?;
                let today = crate::today_in_china();
                let out = rows
                    .into_iter()
                    .filter_map(|(i, due)| {
                        let organisation = processors
                            .iter()
                            .find(|p| p.organisation_id == i.organisation_id)?
                            .clone();
                        Some(WorkRow {
                            after: crate::cursor::encode(&(due, i.id)),
                            id: i.id,
                            organisation,
                            province_code: i.province_code,
                            status: i.status,
                            due_date: due,
                            working_days_left: due
                                .map(|d| crate::calendar::working_days_left(&calendar, today, d)),
                        })
                    })
                    .collect();
                Ok((out, next))
            }
            .scope_boxed()
        })
        .await
}

/// Inspections as a case type.
pub struct InspectionCase;

#[async_trait]
impl Entity for InspectionCase {
    fn name(&self) -> &'static str {
        store::ENTITY
    }

    /// Staff of the province; invited agencies see theirs through the inspection endpoints.
    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(store::get(conn, id, &frt_store::scope::Scope::PLATFORM)
            .await?
            .map(|i| Jurisdiction::Province(i.province_code)))
    }
}

#[async_trait]
impl CaseType for InspectionCase {
    fn resource(&self) -> Resource {
        Resource::INSPECTION
    }

    async fn of_organisation(
        &self,
        conn: &mut AsyncPgConnection,
        organisation: Uuid,
        _viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError> {
        Ok(store::of_organisation(conn, organisation)
            .await?
            .into_iter()
            .map(|(id, status, source, at)| CaseSummary {
                case_type: store::ENTITY.to_owned(),
                id,
                status,
                reference: Some(source),
                opened_at: Some(at),
            })
            .collect())
    }

    /// Requests and orders remind the processor; once passed, the processor is told and the
    /// inspectors are alerted (an escalation, audited).
    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        d: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        let mut handled = Handled::default();
        let Some(i) = store::get(conn, d.entity_id, &frt_store::scope::Scope::PLATFORM).await?
        else {
            return Ok(handled);
        };
        let Some(org) = identities::organisation(conn, i.organisation_id).await? else {
            return Ok(handled);
        };
        let item = store::items_of(conn, i.id)
            .await?
            .into_iter()
            .find(|it| item_purpose(it.id) == d.purpose);
        let what = match item.as_ref().map(|it| it.kind.as_str()) {
            Some(k) if k == ItemKind::Order.as_str() => "整改 (rectification)",
            _ => "提交材料 (the documents requested)",
        };
        let inspection = InspectionRef {
            id: i.id,
            processor: org.name.clone(),
            uscc: org.uscc.clone(),
        };
        let processor = [Addressee::from(&org)];
        match event {
            DeadlineEvent::Reminder { working_days_left } => {
                let n = InspectionNotice::Due {
                    inspection,
                    what: what.into(),
                    due: d.due_date,
                    working_days_left,
                };
                let event = format!("reminder:{working_days_left}");
                handled.mails_queued +=
                    escalation::tell(conn, d, &event, &processor, &n, about(i.id)).await?;
            }
            DeadlineEvent::Overdue => {
                let n = InspectionNotice::Overdue {
                    inspection,
                    what: what.into(),
                    due: d.due_date,
                };
                handled.mails_queued +=
                    escalation::tell(conn, d, "overdue", &processor, &n, about(i.id)).await?;
                // The inspectors answer for it.
                let mut to = Vec::new();
                for user in &i.inspector_ids {
                    to.extend(identities::user(conn, *user).await?.filter(|u| u.active));
                }
                let e = Escalation {
                    to: to.into_iter().map(Addressee::from).collect(),
                    notice: &n,
                    about: about(i.id),
                    action: "inspection.deadline_escalated",
                    details: serde_json::Value::Null,
                };
                escalation::escalate(conn, d, today, e, &mut handled).await?;
            }
        }
        Ok(handled)
    }
}
