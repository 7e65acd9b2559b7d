//! Filing reads both zones serve alike: a filing in the caller's scope (the same "not found"
//! whether it does not exist or is someone else's, so ids cannot be probed), its detail view,
//! and opening a material for download (every download of sensitive material is audited
//! before the first byte leaves).

use crate::caller::Caller;
use crate::context::Core;
use crate::download::Download;
use crate::filings::FilingError;
use frt_access::{Action, Resource};
use frt_store::filings::{self, Filing};
use frt_store::scope::Scope;
use frt_store::views::{self, Audience, FilingDetail};
use frt_store::{audit, AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// A filing `scope` may see, or `NotFound`.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<Filing, FilingError> {
    filings::get(conn, id, scope)
        .await?
        .ok_or(FilingError::NotFound)
}

/// Who a view is for: staff see the risk flags and the version last submitted.
pub fn audience(caller: &Caller) -> Audience {
    match caller.principal.organisation_id() {
        Some(_) => Audience::Processor,
        None => Audience::Staff,
    }
}

/// The detail view of a filing the caller may read.
pub async fn detail(core: &Core, caller: &Caller, id: Uuid) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                views::filing_detail(conn, id, &caller.scope(), audience(caller))
                    .await?
                    .ok_or(FilingError::NotFound)
            }
            .scope_boxed()
        })
        .await
}

/// What still keeps a filing the caller may read from being submitted, as submission would
/// find it today: every problem of its form and every material missing (none: complete).
pub async fn completeness(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<frt_domain::form::FieldProblem>, FilingError> {
    use frt_domain::filing::FilingKind;
    use frt_domain::form::{check_for_submit, AttachmentKind, FilingForm};
    caller.require(core, Resource::FILING, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                let filing = visible(conn, &caller.scope(), id).await?;
                let kind: FilingKind = filing
                    .kind
                    .parse()
                    .map_err(|_| anyhow::anyhow!("stored filing kind {:?}", filing.kind))?;
                let form: FilingForm =
                    serde_json::from_value(filing.form).map_err(anyhow::Error::from)?;
                let attachments: Vec<AttachmentKind> = filings::attachments_of(conn, id)
                    .await?
                    .iter()
                    .filter_map(|a| a.kind.parse().ok())
                    .collect();
                Ok(
                    check_for_submit(&form, kind, &attachments, crate::today_in_china())
                        .err()
                        .unwrap_or_default(),
                )
            }
            .scope_boxed()
        })
        .await
}

/// Opens a material of a filing the caller may read, after auditing the download.
pub async fn open_attachment(
    core: &Core,
    caller: &Caller,
    filing_id: Uuid,
    attachment_id: Uuid,
) -> Result<Download, FilingError> {
    caller.require(core, Resource::FILING, Action::Read, None)?;
    let scope = caller.scope();
    let actor = caller.actor.clone();
    let attachment = core
        .db
        .tx(|conn| {
            async move {
                let att = filings::attachment(conn, filing_id, attachment_id, &scope)
                    .await?
                    .ok_or(FilingError::AttachmentNotFound)?;
                audit::record(
                    conn,
                    &actor,
                    "attachment.downloaded",
                    filings::ENTITY,
                    &filing_id.to_string(),
                    None,
                    Some(json!({ "attachment_id": att.id, "kind": att.kind })),
                )
                .await?;
                Ok::<_, FilingError>(att)
            }
            .scope_boxed()
        })
        .await?;
    let a = attachment;
    Ok(Download::open(
        core,
        a.filename,
        a.content_type,
        a.size_bytes,
        a.sha256,
        &a.blob_key,
    )
    .await?)
}

/// Which of the organisation's filings a list shows, and its page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FilingListQuery {
    #[param(pattern = "^(draft|submitted|returned|filed|refused)$")]
    pub status: Option<String>,
    #[param(pattern = "^(initial|change|deregistration)$")]
    pub kind: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Rows to skip, 0 to 1,000,000.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

/// One of the organisation's filings in its list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FilingListItem {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub filing_number: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub due_date: Option<chrono::NaiveDate>,
    pub late_by_working_days: Option<i32>,
}

impl From<filings::FilingListRow> for FilingListItem {
    fn from(r: filings::FilingListRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            status: r.status,
            filing_number: r.filing_number,
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            due_date: r.due_date,
            late_by_working_days: r.late_by_working_days,
        }
    }
}

/// The caller's organisation's filings, newest first, with their statutory due dates.
pub async fn list(
    core: &Core,
    caller: &Caller,
    q: &FilingListQuery,
) -> Result<crate::input::Page<FilingListItem>, FilingError> {
    use crate::input;
    caller.require(core, Resource::FILING, Action::Read, None)?;
    let (limit, offset) = (input::limit(q.limit)?, input::offset(q.offset)?);
    let status = q
        .status
        .as_deref()
        .map(|s| {
            input::parsed::<frt_domain::filing::FilingStatus>("status", s)
                .map(|s| s.as_str().to_owned())
        })
        .transpose()?;
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            input::parsed::<frt_domain::filing::FilingKind>("kind", k)
                .map(|k| k.as_str().to_owned())
        })
        .transpose()?;
    let scope = caller.scope();
    core.db
        .read(|conn| {
            async move {
                let (rows, total) = filings::list(
                    conn,
                    &scope,
                    &filings::ListFilter { status, kind },
                    limit,
                    offset,
                )
                .await?;
                Ok(input::Page {
                    items: rows.into_iter().map(FilingListItem::from).collect(),
                    total,
                    limit,
                    offset,
                })
            }
            .scope_boxed()
        })
        .await
}

/// Which recorded processors the registry shows, and its page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// Part of the processor's name, or its USCC (at most 200 characters).
    #[param(max_length = 200)]
    pub processor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Rows to skip, 0 to 1,000,000.
    #[param(minimum = 0, maximum = 1000000)]
    pub offset: Option<i64>,
}

/// The registry (备案登记) of the caller's jurisdiction: each processor with a recorded
/// filing, its state, filing number and chain, by name.
pub async fn registry(
    core: &Core,
    caller: &Caller,
    q: &RegistryQuery,
) -> Result<crate::input::Page<frt_store::registry::RegistryEntry>, FilingError> {
    use crate::input;
    caller.require(core, Resource::FILING, Action::Read, None)?;
    let (limit, offset) = (input::limit(q.limit)?, input::offset(q.offset)?);
    let processor = q
        .processor
        .as_deref()
        .map(|p| input::bounded("processor", p, 200))
        .transpose()?;
    core.db
        .read(|conn| {
            async move {
                let (items, total) =
                    frt_store::registry::entries(conn, &caller.scope(), processor, limit, offset)
                        .await?;
                Ok(input::Page {
                    items,
                    total,
                    limit,
                    offset,
                })
            }
            .scope_boxed()
        })
        .await
}
