//! Read models: a filing as processors and staff see it, joined with its organisation,
//! statutory deadline and attachments.

use crate::deadlines::{self, Deadline};
use crate::filings::{self, Attachment, Filing};
use crate::identities;
use crate::scope::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationSummary {
    pub id: Uuid,
    pub name: String,
    pub uscc: String,
    /// False when the USCC's check character is wrong: a reviewer must look at it.
    pub uscc_checksum_ok: bool,
    pub province_code: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// The day the clock started (not counted).
    pub start_date: NaiveDate,
    pub working_days: i32,
    pub due_date: NaiveDate,
    /// True when part of the period falls in a year with no published calendar.
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
    /// The day the obligation was met (the filing was submitted).
    pub met_on: Option<NaiveDate>,
    /// Working days after the due date, when met late; 0 when on time.
    pub late_by_working_days: Option<i32>,
    pub late: bool,
    /// The first day the deadline sweep found it passed and not met.
    pub overdue_since: Option<NaiveDate>,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        Self {
            start_date: d.start_date,
            working_days: d.working_days,
            due_date: d.due_date,
            provisional: d.provisional,
            calendar_versions: d.calendar_versions,
            met_on: d.met_on,
            late: d.late_by_working_days.unwrap_or(0) > 0,
            late_by_working_days: d.late_by_working_days,
            overdue_since: d.overdue_since,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// What the risk rules found on the last submission.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskSummary {
    /// none, low, medium, high or critical: the highest severity among the flags.
    pub level: String,
    #[schema(value_type = Vec<Object>)]
    pub flags: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FilingDetail {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub status_zh: String,
    pub organisation: OrganisationSummary,
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    pub previous_filing_id: Option<Uuid>,
    pub filing_number: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub return_reasons: Option<serde_json::Value>,
    /// Why the filing was refused (不予备案), when it was.
    #[schema(value_type = Option<Object>)]
    pub refusal_reasons: Option<serde_json::Value>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// `online`, or `paper`: handed in on paper and keyed in by staff on the processor's behalf.
    pub submitted_via: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub statutory_deadline: Option<DeadlineView>,
    /// The regulator's review time limit, counted from the last (re)submission with the
    /// working days already used before a return; absent while paused for correction.
    pub review_deadline: Option<DeadlineView>,
    /// The processor's time limit to correct a returned filing.
    pub correction_deadline: Option<DeadlineView>,
    /// Working days of review used before the last return for correction.
    pub review_days_used: i32,
    pub attachments: Vec<AttachmentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Risk flags for the reviewer (staff only; absent for processors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskSummary>,
    /// A reviewer's decision waiting for a supervisor's sign-off, if any.
    #[schema(value_type = Option<Object>)]
    pub proposed_decision: Option<serde_json::Value>,
    /// The reviewer the filing is assigned to, if any.
    pub assignee_id: Option<Uuid>,
    /// Send back when saving the form or deciding: a stale version is refused.
    pub version: i32,
}

/// Who a view is for: staff see the risk flags, processors do not (they are the regulator's
/// working notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Processor,
    Staff,
}

/// Builds the detail view of a filing already loaded. Staff see the form and materials as
/// last submitted, never the processor's unsent edits during a correction.
pub async fn detail_of(
    conn: &mut AsyncPgConnection,
    mut f: Filing,
    audience: Audience,
) -> QueryResult<FilingDetail> {
    let org = identities::organisation(conn, f.organisation_id)
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    let all = deadlines::for_entity(conn, filings::ENTITY, f.id).await?;
    let submitted = match audience {
        Audience::Staff => crate::versions::latest(conn, f.id).await?,
        Audience::Processor => None,
    };
    let attachments = match submitted {
        Some(v) => {
            let ids = crate::versions::attachment_ids(&v);
            f.form = v.form;
            filings::attachments_by_id(conn, f.id, &ids).await?
        }
        None => filings::attachments_of(conn, f.id).await?,
    };
    Ok(detail_from(f, org, all, attachments, audience))
}

/// The detail view from parts the caller already holds (a use case that just wrote them).
pub fn detail_from(
    f: Filing,
    org: identities::Organisation,
    mut all: Vec<deadlines::Deadline>,
    attachments: Vec<filings::Attachment>,
    audience: Audience,
) -> FilingDetail {
    let mut take = |purpose: &str| {
        all.iter()
            .position(|d| d.purpose == purpose)
            .map(|i| DeadlineView::from(all.swap_remove(i)))
    };
    let (statutory, review, correction) = (
        take(filings::STATUTORY_DEADLINE),
        take(filings::REVIEW_DEADLINE),
        take(filings::CORRECTION_DEADLINE),
    );
    let status_zh = f
        .status
        .parse::<frt_domain::filing::FilingStatus>()
        .map(|s| s.name_zh().to_owned())
        .unwrap_or_default();
    FilingDetail {
        id: f.id,
        kind: f.kind,
        status: f.status,
        status_zh,
        organisation: OrganisationSummary {
            id: org.id,
            name: org.name,
            uscc: org.uscc,
            uscc_checksum_ok: org.uscc_checksum_ok,
            province_code: org.province_code,
        },
        form: f.form,
        previous_filing_id: f.previous_filing_id,
        filing_number: f.filing_number,
        return_reasons: f.return_reasons,
        refusal_reasons: f.refusal_reasons,
        submitted_at: f.submitted_at,
        submitted_via: f.submitted_via,
        decided_at: f.decided_at,
        statutory_deadline: statutory,
        review_deadline: review,
        correction_deadline: correction,
        review_days_used: f.review_days_used,
        attachments: attachments.into_iter().map(Into::into).collect(),
        created_at: f.created_at,
        updated_at: f.updated_at,
        risk: (audience == Audience::Staff).then_some(RiskSummary {
            level: f.risk_level,
            flags: f.risk_flags,
        }),
        proposed_decision: f.proposed_decision,
        assignee_id: f.assignee_id,
        version: f.version,
    }
}

/// The detail view of a filing the scope may see.
pub async fn filing_detail(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &Scope,
    audience: Audience,
) -> QueryResult<Option<FilingDetail>> {
    match filings::get(conn, id, scope).await? {
        Some(f) => detail_of(conn, f, audience).await.map(Some),
        None => Ok(None),
    }
}
