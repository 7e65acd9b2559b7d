//! Notifications between agencies (通报, Art. 16) as a case type: CAC offices, public security
//! and other departments send each other violation notices, case transfers (移送), shared
//! information, requests for joint inspections and feedback about a processor; recipients
//! acknowledge receipt (签收) within the working days the sender set and may answer (反馈).
//!
//! Who sees what: an agency sees what it sent and what was addressed to it, national CAC
//! everything within the CAC's domain, and a restricted notification only the roles it names
//! (and its sender). A case transfer hands each recipient exactly the records attached to it.
//! Staff send through casework; agencies' systems through the exchange service, as an
//! `Origin` of their own. Every change also lands in the exchange feed of the agencies it
//! concerns.

use crate::caller::Caller;
use crate::context::Core;
use crate::entity::{CaseSummary, CaseType, DeadlineEvent, Entity, Handled, Jurisdiction};
use crate::error::{Denied, StoreError};
use crate::notices::{self, About};
use crate::today_in_china;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::{Action, Resource, Role};
use frt_domain::calendar::WorkingDays;
use frt_domain::form::FieldProblem;
use frt_domain::notification::{
    self as rules, Classification, NotificationKind, ReceiptStatus, MAX_ACK_WORKING_DAYS,
};
use frt_mail::NotificationNotice;
use frt_store::audit::{self, Actor};
use frt_store::deadlines::{self, Deadline};
use frt_store::filings::Scope;
use frt_store::identities::{self, Agency};
use frt_store::inspections::InspectionScope;
use frt_store::notifications::{self as store, Notification, Reader, Recipient};
use frt_store::views::DeadlineView;
use frt_store::{AsyncPgConnection, QueryError, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Deadline purposes of a notification: one acknowledgement per recipient agency.
const ACK_PREFIX: &str = "ack:";

/// The working days to acknowledge when the sender asks for acknowledgement without a number.
pub const DEFAULT_ACK_WORKING_DAYS: u32 = 5;

/// Everything that can go wrong with a notification.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("no notification with that id was found")]
    NotFound,
    #[error("no {0} with that id was found")]
    Missing(&'static str),
    #[error("the request has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    #[error("your agency is not a recipient of this notification")]
    NotARecipient,
    #[error("only the sending agency attaches files to a notification")]
    NotTheSender,
    #[error("a notification carries at most {max} attachments")]
    TooManyAttachments { max: usize },
    #[error("{0}")]
    AlreadyDone(&'static str),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(NotificationError);

fn problem(path: &str, code: &str, message: &str) -> FieldProblem {
    FieldProblem {
        path: path.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// Who sends or acts: a member of an agency's staff, or an agency's system.
#[derive(Debug, Clone)]
pub struct Origin {
    pub agency_id: Uuid,
    pub user_id: Option<Uuid>,
    /// The role of the member of staff (none for a system).
    pub role: Option<String>,
    /// The exchange client's key id, when a system acts.
    pub client: Option<String>,
    pub actor: Actor,
}

impl Origin {
    /// A member of staff, once the policy lets their role do `action` on notifications.
    pub fn staff(core: &Core, caller: &Caller, action: Action) -> Result<Self, NotificationError> {
        caller.require(core, Resource::NOTIFICATION, action, None)?;
        let agency_id = caller.principal.agency_id().ok_or(Denied {
            action: action.as_str(),
            resource: "notification".into(),
        })?;
        Ok(Self {
            agency_id,
            user_id: Some(caller.principal.user_id),
            role: Some(caller.principal.role.as_str().to_owned()),
            client: None,
            actor: caller.actor.clone(),
        })
    }

    async fn reader(&self, conn: &mut AsyncPgConnection) -> Result<Reader, NotificationError> {
        let agency = identities::agency(conn, self.agency_id)
            .await?
            .ok_or(NotificationError::Missing("agency"))?;
        Ok(Reader {
            agency_id: self.agency_id,
            role: self.role.clone(),
            user_id: self.user_id,
            national_cac: agency.kind == "national_cac",
        })
    }
}

/// Feedback (反馈) on a notification, from staff or an agency's system.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// What the agency did about it; acknowledges receipt too.
    #[schema(min_length = 1, max_length = 20000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub feedback: String,
}

/// The processor a notification concerns.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifiedProcessor {
    /// A registered processor.
    pub organisation_id: Option<Uuid>,
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    #[schema(max_length = 200)]
    pub name: Option<String>,
}

/// A record a notification concerns.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// filing, inspection or complaint.
    #[schema(pattern = "^(filing|inspection|complaint)$")]
    pub entity_type: String,
    pub id: Uuid,
}

/// A notification as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationInput {
    /// violation_notice, case_transfer, information_sharing, joint_inspection_request or
    /// feedback.
    #[schema(
        pattern = "^(violation_notice|case_transfer|information_sharing|joint_inspection_request|feedback)$"
    )]
    pub kind: String,
    /// The agencies it goes to (ids, see `GET /api/v1/agencies`): 1 to 50, not the sender's.
    #[schema(min_items = 1, max_items = 50)]
    pub recipients: Vec<Uuid>,
    #[serde(default)]
    pub processor: Option<NotifiedProcessor>,
    /// The filings, inspections and complaints it concerns (at most 50); a case transfer
    /// hands exactly these to its recipients, and needs at least one.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub links: Vec<Link>,
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub title: String,
    #[schema(min_length = 1, max_length = 20000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub body: String,
    /// public, internal (the default) or restricted.
    #[schema(pattern = "^(public|internal|restricted)$")]
    pub classification: Option<String>,
    /// The staff roles that may read a restricted notification (at least one).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub restricted_roles: Vec<String>,
    /// Whether recipients must acknowledge receipt, and within how many working days
    /// (default 5, at most 60).
    #[serde(default)]
    pub ack_required: bool,
    #[schema(minimum = 1, maximum = 60)]
    pub ack_working_days: Option<u32>,
    /// The notification this one answers.
    pub in_reply_to: Option<Uuid>,
}

/// An agency as a notification names it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyRef {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
}

impl From<&Agency> for AgencyRef {
    fn from(a: &Agency) -> Self {
        Self {
            id: a.id,
            name: a.name.clone(),
            kind: a.kind.clone(),
        }
    }
}

/// One recipient and where its receipt stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecipientView {
    pub agency: AgencyRef,
    /// delivered, acknowledged or answered.
    pub status: String,
    pub status_zh: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub feedback: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The time limit to acknowledge, when one was set.
    pub ack_deadline: Option<DeadlineView>,
}

/// A linked record, and whether the reader may open it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkView {
    pub entity_type: String,
    pub id: Uuid,
}

/// A notification as staff of the agencies concerned see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// e.g. TB-20261202-0001.
    pub reference: String,
    pub kind: String,
    pub kind_zh: String,
    pub sender: AgencyRef,
    /// Sent by an agency's system through the exchange service (its key id).
    pub sender_client: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub processor_name: Option<String>,
    pub processor_uscc: Option<String>,
    pub title: String,
    pub body: String,
    pub classification: String,
    pub restricted_roles: Vec<String>,
    pub ack_required: bool,
    pub ack_working_days: Option<i32>,
    pub in_reply_to: Option<Uuid>,
    pub links: Vec<LinkView>,
    pub recipients: Vec<RecipientView>,
    pub materials: Vec<store::Material>,
    pub sent_at: DateTime<Utc>,
}

/// A row of the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationSummary {
    pub id: Uuid,
    pub reference: String,
    pub kind: String,
    pub kind_zh: String,
    pub sender: AgencyRef,
    pub title: String,
    pub classification: String,
    pub organisation_id: Option<Uuid>,
    /// Where the reader's own agency's receipt stands, when it is a recipient.
    pub my_status: Option<String>,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationSummary>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// The list's filters and page as a request gives them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// sent, received, or both (the default).
    #[param(pattern = "^(sent|received)$")]
    pub direction: Option<String>,
    #[param(
        pattern = "^(violation_notice|case_transfer|information_sharing|joint_inspection_request|feedback)$"
    )]
    pub kind: Option<String>,
    /// Where the caller's agency's receipt stands.
    #[param(pattern = "^(delivered|acknowledged|answered)$")]
    pub status: Option<String>,
    pub organisation_id: Option<Uuid>,
    /// The `next` of the previous page.
    #[param(pattern = "^[dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5}$")]
    pub before: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Checked input, ready to store.
struct Checked {
    kind: NotificationKind,
    recipients: Vec<Agency>,
    organisation_id: Option<Uuid>,
    processor_name: Option<String>,
    processor_uscc: Option<String>,
    links: Vec<(String, Uuid)>,
    title: String,
    body: String,
    classification: Classification,
    restricted_roles: Vec<String>,
    ack_working_days: Option<u32>,
    in_reply_to: Option<Uuid>,
}

fn text(problems: &mut Vec<FieldProblem>, path: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        problems.push(problem(path, "required", "not blank"));
    } else if v.chars().count() > max {
        problems.push(problem(
            path,
            "too_long",
            &format!("at most {max} characters"),
        ));
    }
    v.to_owned()
}

fn optional(
    problems: &mut Vec<FieldProblem>,
    path: &str,
    v: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        problems.push(problem(
            path,
            "too_long",
            &format!("at most {max} characters"),
        ));
        return None;
    }
    Some(v.to_owned())
}

/// The filings the sender agency may name: its province's, every one for national CAC, or
/// those handed to it.
fn filing_scope(agency: &Agency) -> Scope {
    match (agency.kind.as_str(), &agency.province_code) {
        ("national_cac", _) => Scope::Everywhere,
        ("provincial_cac", Some(p)) => Scope::Provinces(vec![p.clone()]),
        _ => Scope::Granted(agency.id),
    }
}

/// Whether the sender agency may name this record in a notification.
async fn may_name(
    conn: &mut AsyncPgConnection,
    sender: &Agency,
    link: &Link,
) -> Result<bool, NotificationError> {
    Ok(match link.entity_type.as_str() {
        "filing" => frt_store::filings::get(conn, link.id, &filing_scope(sender))
            .await?
            .is_some(),
        "inspection" => {
            let scope = match (sender.kind.as_str(), &sender.province_code) {
                ("national_cac", _) => InspectionScope::Everywhere,
                ("provincial_cac", Some(p)) => InspectionScope::Provinces(vec![p.clone()]),
                _ => InspectionScope::JointOf(sender.id),
            };
            frt_store::inspections::get(conn, link.id, &scope)
                .await?
                .is_some()
        }
        "complaint" => match (sender.kind.as_str(), &sender.province_code) {
            ("national_cac", _) => frt_store::complaints::get(conn, link.id, None)
                .await?
                .is_some(),
            ("provincial_cac", Some(p)) => {
                frt_store::complaints::get(conn, link.id, Some(std::slice::from_ref(p)))
                    .await?
                    .is_some()
            }
            _ => store::granted(conn, sender.id, "complaint", link.id).await?,
        },
        _ => false,
    })
}

async fn check(
    conn: &mut AsyncPgConnection,
    sender: &Agency,
    input: &NotificationInput,
) -> Result<Checked, NotificationError> {
    let mut problems = Vec::new();
    let kind = input.kind.trim().parse::<NotificationKind>().ok();
    if kind.is_none() {
        problems.push(problem(
            "kind",
            "invalid",
            "violation_notice, case_transfer, information_sharing, joint_inspection_request or feedback",
        ));
    }
    // Recipients: existing agencies, each once, not the sender.
    let mut ids = input.recipients.clone();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > 50 {
        problems.push(problem("recipients", "invalid", "1 to 50 agencies"));
    }
    if ids.contains(&sender.id) {
        problems.push(problem(
            "recipients",
            "invalid",
            "a notification goes to other agencies than the sender's",
        ));
    }
    let recipients = identities::agencies_by_id(conn, &ids).await?;
    for (i, id) in input.recipients.iter().enumerate() {
        if !recipients.iter().any(|a| a.id == *id) {
            problems.push(problem(
                &format!("recipients[{i}]"),
                "unknown",
                "no agency with that id",
            ));
        }
    }
    let classification = match input.classification.as_deref().map(str::trim) {
        None | Some("") => Some(Classification::Internal),
        Some(c) => c.parse::<Classification>().ok(),
    };
    if classification.is_none() {
        problems.push(problem(
            "classification",
            "invalid",
            "public, internal or restricted",
        ));
    }
    let mut restricted_roles: Vec<String> = Vec::new();
    for (i, r) in input.restricted_roles.iter().enumerate() {
        match r.trim().parse::<Role>() {
            Ok(role) if role.is_staff() => restricted_roles.push(role.as_str().to_owned()),
            _ => problems.push(problem(
                &format!("restricted_roles[{i}]"),
                "invalid",
                "a staff role: reviewer, inspector, complaint_handler, supervisor or admin",
            )),
        }
    }
    restricted_roles.sort();
    restricted_roles.dedup();
    match classification {
        Some(Classification::Restricted) if input.restricted_roles.is_empty() => {
            problems.push(problem(
                "restricted_roles",
                "required",
                "a restricted notification names the roles that may read it",
            ))
        }
        Some(Classification::Public | Classification::Internal)
            if !input.restricted_roles.is_empty() =>
        {
            problems.push(problem(
                "restricted_roles",
                "invalid",
                "only a restricted notification names roles",
            ))
        }
        _ => {}
    }
    let ack_working_days = match (input.ack_required, input.ack_working_days) {
        (false, None) => None,
        (false, Some(_)) => {
            problems.push(problem(
                "ack_working_days",
                "invalid",
                "set ack_required to ask for acknowledgement within working days",
            ));
            None
        }
        (true, None) => Some(DEFAULT_ACK_WORKING_DAYS),
        (true, Some(n)) if (1..=MAX_ACK_WORKING_DAYS).contains(&n) => Some(n),
        (true, Some(_)) => {
            problems.push(problem(
                "ack_working_days",
                "invalid",
                &format!("1 to {MAX_ACK_WORKING_DAYS} working days"),
            ));
            None
        }
    };
    let title = text(&mut problems, "title", &input.title, 200);
    let body = text(&mut problems, "body", &input.body, 20_000);
    // The processor: a registered one by id or USCC, else as named.
    let given = input.processor.clone().unwrap_or_default();
    let mut processor_uscc = optional(&mut problems, "processor.uscc", given.uscc.as_deref(), 18);
    let mut processor_name = optional(&mut problems, "processor.name", given.name.as_deref(), 200);
    let mut organisation_id = None;
    if let Some(org) = given.organisation_id {
        match identities::organisation(conn, org).await? {
            Some(o) => {
                organisation_id = Some(o.id);
                processor_uscc = Some(o.uscc);
                processor_name = Some(o.name);
            }
            None => problems.push(problem(
                "processor.organisation_id",
                "unknown",
                "no registered processor with that id",
            )),
        }
    } else if let Some(u) = &processor_uscc {
        if let Some(o) = identities::organisation_by_uscc(conn, &u.to_uppercase()).await? {
            organisation_id = Some(o.id);
            processor_name = Some(o.name);
        }
    }
    // Links: records the sender may name.
    let mut links: Vec<(String, Uuid)> = Vec::new();
    if input.links.len() > 50 {
        problems.push(problem("links", "invalid", "at most 50 records"));
    }
    for (i, l) in input.links.iter().enumerate().take(50) {
        if !["filing", "inspection", "complaint"].contains(&l.entity_type.as_str()) {
            problems.push(problem(
                &format!("links[{i}].entity_type"),
                "invalid",
                "filing, inspection or complaint",
            ));
        } else if !may_name(conn, sender, l).await? {
            problems.push(problem(
                &format!("links[{i}].id"),
                "unknown",
                &format!("no {} your agency may name has that id", l.entity_type),
            ));
        } else if !links.contains(&(l.entity_type.clone(), l.id)) {
            links.push((l.entity_type.clone(), l.id));
        }
    }
    if kind == Some(NotificationKind::CaseTransfer) && input.links.is_empty() {
        problems.push(problem(
            "links",
            "required",
            "a case transfer hands over the records it names: name at least one",
        ));
    }
    if let Some(earlier) = input.in_reply_to {
        let seen = match store::get(conn, earlier).await? {
            Some(n) => {
                let reader = Reader {
                    agency_id: sender.id,
                    role: None,
                    user_id: None,
                    national_cac: sender.kind == "national_cac",
                };
                store::visible(conn, &reader, &n).await?
            }
            None => false,
        };
        if !seen {
            problems.push(problem(
                "in_reply_to",
                "unknown",
                "no notification your agency sent or received has that id",
            ));
        }
    }
    match (kind, classification, problems.is_empty()) {
        (Some(kind), Some(classification), true) => Ok(Checked {
            kind,
            recipients,
            organisation_id,
            processor_name,
            processor_uscc,
            links,
            title,
            body,
            classification,
            restricted_roles,
            ack_working_days,
            in_reply_to: input.in_reply_to,
        }),
        _ => Err(NotificationError::Invalid(problems)),
    }
}

fn ack_purpose(agency: Uuid) -> String {
    format!("{ACK_PREFIX}{agency}")
}

pub(crate) fn about(id: Uuid) -> About<'static> {
    About {
        entity_type: store::ENTITY,
        entity_id: id,
    }
}

/// The active staff of `agency` who may read `n` (the roles a restricted one names).
async fn readers_of(
    conn: &mut AsyncPgConnection,
    agency: Uuid,
    n: &Notification,
) -> Result<Vec<identities::User>, NotificationError> {
    let staff = identities::agency_staff(conn, agency).await?;
    Ok(staff
        .into_iter()
        .filter(|u| n.classification != "restricted" || n.restricted_roles.contains(&u.role))
        .collect())
}

/// Sends a notification: stored with its recipients, links and (for a case transfer) the
/// records handed over, acknowledgement deadlines set, the recipients' staff told by mail,
/// each recipient's exchange feed given the event, and the sending audited.
pub async fn send(
    core: &Core,
    origin: &Origin,
    input: &NotificationInput,
) -> Result<NotificationView, NotificationError> {
    core.db
        .tx(|conn| send_in(conn, core, origin, input).scope_boxed())
        .await
}

/// Sends a notification inside the caller's transaction (the exchange service keeps the
/// answer to an Idempotency-Key in the same one).
pub async fn send_in(
    conn: &mut AsyncPgConnection,
    core: &Core,
    origin: &Origin,
    input: &NotificationInput,
) -> Result<NotificationView, NotificationError> {
    let sender = identities::agency(conn, origin.agency_id)
        .await?
        .ok_or(NotificationError::Missing("agency"))?;
    let c = check(conn, &sender, input).await?;
    let today = today_in_china();
    let seq = store::next_seq(conn, today).await?;
    let n = store::insert(
        conn,
        &Notification {
            id: Uuid::now_v7(),
            reference: rules::reference(today, seq),
            kind: c.kind.as_str().to_owned(),
            sender_agency_id: sender.id,
            sender_user_id: origin.user_id,
            sender_client: origin.client.clone(),
            organisation_id: c.organisation_id,
            processor_name: c.processor_name.clone(),
            processor_uscc: c.processor_uscc.clone(),
            title: c.title.clone(),
            body: c.body.clone(),
            classification: c.classification.as_str().to_owned(),
            restricted_roles: c.restricted_roles.clone(),
            ack_required: c.ack_working_days.is_some(),
            ack_working_days: c.ack_working_days.and_then(|d| i32::try_from(d).ok()),
            in_reply_to: c.in_reply_to,
            sent_at: Utc::now(),
        },
    )
    .await?;
    let rows: Vec<Recipient> = c
        .recipients
        .iter()
        .map(|a| Recipient::delivered(n.id, a.id))
        .collect();
    store::insert_recipients(conn, &rows).await?;
    if !c.links.is_empty() {
        store::insert_links(conn, n.id, &c.links).await?;
    }
    let calendar = core.calendars.get(conn).await?;
    for a in &c.recipients {
        if c.kind == NotificationKind::CaseTransfer {
            store::grant(conn, a.id, n.id, &c.links).await?;
        }
        let ack_due = match c.ack_working_days {
            Some(days) => {
                let wd = WorkingDays::new(i64::from(days))
                    .map_err(|e| anyhow::anyhow!("acknowledgement days: {e}"))?;
                let d = deadlines::set(
                    conn,
                    &calendar,
                    store::ENTITY,
                    n.id,
                    &ack_purpose(a.id),
                    today,
                    wd,
                    None,
                )
                .await?;
                Some(d.due_date)
            }
            None => None,
        };
        store::feed_append(conn, "notifications", Some(a.id), n.id, "received").await?;
        let notice = NotificationNotice::Received {
            reference: n.reference.clone(),
            kind_zh: c.kind.name_zh().to_owned(),
            from: sender.name.clone(),
            title: (c.classification != Classification::Restricted).then(|| n.title.clone()),
            ack_due,
        };
        for u in readers_of(conn, a.id, &n).await? {
            notices::mail(
                conn,
                &u.email,
                &u.locale,
                &notice,
                about(n.id),
                format!("notification:{}:received:{}", n.id, u.email),
            )
            .await?;
        }
    }
    audit::record(
        conn,
        &origin.actor,
        "notification.sent",
        store::ENTITY,
        &n.id.to_string(),
        None,
        Some(json!({
            "reference": n.reference,
            "kind": n.kind,
            "classification": n.classification,
            "recipients": c.recipients.iter().map(|a| a.id).collect::<Vec<_>>(),
            "links": c.links.iter().map(|(t, id)| json!({ "entity_type": t, "id": id })).collect::<Vec<_>>(),
            "handed_over": c.kind == NotificationKind::CaseTransfer,
        })),
    )
    .await?;
    view(conn, n).await
}

/// The notification `id`, if `reader` may see it.
async fn visible(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    id: Uuid,
) -> Result<Notification, NotificationError> {
    let n = store::get(conn, id)
        .await?
        .ok_or(NotificationError::NotFound)?;
    if store::visible(conn, reader, &n).await? {
        Ok(n)
    } else {
        Err(NotificationError::NotFound)
    }
}

async fn view(
    conn: &mut AsyncPgConnection,
    n: Notification,
) -> Result<NotificationView, NotificationError> {
    let view = views(conn, vec![n]).await?.pop();
    Ok(view.ok_or_else(|| anyhow::anyhow!("a notification without its view"))?)
}

/// The views of these notifications, in their order: recipients, agencies, deadlines, links
/// and attachments are each read once for all of them.
async fn views(
    conn: &mut AsyncPgConnection,
    ns: Vec<Notification>,
) -> Result<Vec<NotificationView>, NotificationError> {
    // A page may hold one notification more than once (one event each): groups are read,
    // not taken.
    let ids: Vec<Uuid> = ns.iter().map(|n| n.id).collect();
    let recipients = group(store::recipients_of_all(conn, &ids).await?, |r| {
        r.notification_id
    });
    let mut agency_ids: Vec<Uuid> = recipients
        .values()
        .flatten()
        .map(|r| r.agency_id)
        .chain(ns.iter().map(|n| n.sender_agency_id))
        .collect();
    agency_ids.sort();
    agency_ids.dedup();
    let agencies = identities::agencies_by_id(conn, &agency_ids).await?;
    let named = |id: Uuid| {
        agencies
            .iter()
            .find(|a| a.id == id)
            .map(AgencyRef::from)
            .unwrap_or(AgencyRef {
                id,
                name: String::new(),
                kind: String::new(),
            })
    };
    let held = group(
        deadlines::for_entities(conn, store::ENTITY, &ids).await?,
        |d| d.entity_id,
    );
    let links = group(store::links_of_all(conn, &ids).await?, |l| l.0);
    let materials = group(store::materials_of_all(conn, &ids).await?, |m| {
        m.notification_id
    });
    let mut out = Vec::with_capacity(ns.len());
    for n in ns {
        let held = held.get(&n.id).cloned().unwrap_or_default();
        let recipients = recipients
            .get(&n.id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let status = r
                    .status
                    .parse::<ReceiptStatus>()
                    .unwrap_or(ReceiptStatus::Delivered);
                RecipientView {
                    agency: named(r.agency_id),
                    status: status.as_str().to_owned(),
                    status_zh: status.name_zh().to_owned(),
                    acknowledged_at: r.acknowledged_at,
                    feedback: r.feedback,
                    answered_at: r.answered_at,
                    ack_deadline: held
                        .iter()
                        .find(|d| d.purpose == ack_purpose(r.agency_id))
                        .cloned()
                        .map(DeadlineView::from),
                }
            })
            .collect();
        let links = links
            .get(&n.id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|(_, entity_type, id)| LinkView { entity_type, id })
            .collect();
        let materials = materials.get(&n.id).cloned().unwrap_or_default();
        let kind = n
            .kind
            .parse::<NotificationKind>()
            .map_err(anyhow::Error::from)?;
        out.push(NotificationView {
            id: n.id,
            reference: n.reference,
            kind: kind.as_str().to_owned(),
            kind_zh: kind.name_zh().to_owned(),
            sender: named(n.sender_agency_id),
            sender_client: n.sender_client,
            organisation_id: n.organisation_id,
            processor_name: n.processor_name,
            processor_uscc: n.processor_uscc,
            title: n.title,
            body: n.body,
            classification: n.classification,
            restricted_roles: n.restricted_roles,
            ack_required: n.ack_required,
            ack_working_days: n.ack_working_days,
            in_reply_to: n.in_reply_to,
            links,
            recipients,
            materials,
            sent_at: n.sent_at,
        });
    }
    Ok(out)
}

/// Rows grouped by a key, each group in the order the rows came.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut groups: HashMap<Uuid, Vec<T>> = HashMap::new();
    for r in rows {
        groups.entry(key(&r)).or_default().push(r);
    }
    groups
}

/// The views of notifications already found visible, in their order.
pub async fn views_of(
    conn: &mut AsyncPgConnection,
    ns: Vec<Notification>,
) -> Result<Vec<NotificationView>, NotificationError> {
    views(conn, ns).await
}

/// One notification the origin may see.
pub async fn show(
    core: &Core,
    origin: &Origin,
    id: Uuid,
) -> Result<NotificationView, NotificationError> {
    let mut conn = core.db.conn().await?;
    let reader = origin.reader(&mut conn).await?;
    let n = visible(&mut conn, &reader, id).await?;
    view(&mut conn, n).await
}

/// The notifications the origin may see, newest first, keyset-paged.
pub async fn list(
    core: &Core,
    origin: &Origin,
    q: &NotificationQuery,
) -> Result<NotificationPage, NotificationError> {
    use crate::input;
    let limit = input::limit(q.limit)?;
    let one_of = |name: &str, v: Option<&str>, names: &[&str]| {
        v.map(|v| input::one_of(name, v, names).map(str::to_owned))
            .transpose()
    };
    let direction = one_of("direction", q.direction.as_deref(), &["sent", "received"])?;
    let kind = one_of(
        "kind",
        q.kind.as_deref(),
        &NotificationKind::ALL.map(|k| k.as_str()),
    )?;
    let status = one_of(
        "status",
        q.status.as_deref(),
        &frt_domain::notification::ReceiptStatus::ALL.map(|s| s.as_str()),
    )?;
    let before: Option<(DateTime<Utc>, Uuid)> = input::cursor("before", q.before.as_deref())?;
    let mut conn = core.db.conn().await?;
    let reader = origin.reader(&mut conn).await?;
    let rows = store::list(
        &mut conn,
        &reader,
        &store::ListQuery {
            direction,
            kind,
            status,
            organisation: q.organisation_id,
            before,
            limit,
        },
    )
    .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|n| n.sender_agency_id).collect();
    ids.sort();
    ids.dedup();
    let agencies = identities::agencies_by_id(&mut conn, &ids).await?;
    let next = crate::cursor::next(&rows, limit, |n| Some((n.sent_at, n.id)));
    let page_ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
    let receipts = store::receipts_of(&mut conn, reader.agency_id, &page_ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for n in rows {
        let mine = receipts
            .iter()
            .find(|(id, _)| *id == n.id)
            .map(|(_, status)| status.clone());
        let kind = n
            .kind
            .parse::<NotificationKind>()
            .map_err(anyhow::Error::from)?;
        items.push(NotificationSummary {
            id: n.id,
            reference: n.reference,
            kind: kind.as_str().to_owned(),
            kind_zh: kind.name_zh().to_owned(),
            sender: agencies
                .iter()
                .find(|a| a.id == n.sender_agency_id)
                .map(AgencyRef::from)
                .unwrap_or(AgencyRef {
                    id: n.sender_agency_id,
                    name: String::new(),
                    kind: String::new(),
                }),
            title: n.title,
            classification: n.classification,
            organisation_id: n.organisation_id,
            my_status: mine,
            sent_at: n.sent_at,
        });
    }
    Ok(NotificationPage { items, next })
}

/// What a recipient does: acknowledge receipt, or answer with feedback (which acknowledges
/// too).
#[derive(Debug, Clone)]
pub enum Receipt {
    Acknowledge,
    Feedback(String),
}

/// Acknowledges (签收) or answers (反馈) a notification for the origin's agency: its receipt
/// moves on, its acknowledgement deadline is met, the sender's staff are told and its feed
/// gets the event.
pub async fn receive(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    what: Receipt,
) -> Result<NotificationView, NotificationError> {
    if let Receipt::Feedback(text) = &what {
        if text.trim().is_empty() || text.chars().count() > 20_000 {
            return Err(NotificationError::Invalid(vec![problem(
                "feedback",
                "invalid",
                "1 to 20000 characters, not all blank",
            )]));
        }
    }
    core.db
        .tx(|conn| receive_in(conn, core, origin, id, &what).scope_boxed())
        .await
}

/// Acknowledges or answers inside the caller's transaction.
pub async fn receive_in(
    conn: &mut AsyncPgConnection,
    core: &Core,
    origin: &Origin,
    id: Uuid,
    what: &Receipt,
) -> Result<NotificationView, NotificationError> {
    let reader = origin.reader(conn).await?;
    let n = visible(conn, &reader, id).await?;
    let mut r = store::recipient_for_update(conn, n.id, origin.agency_id)
        .await?
        .ok_or(NotificationError::NotARecipient)?;
    let now_status = r
        .status
        .parse::<ReceiptStatus>()
        .map_err(anyhow::Error::from)?;
    let now = Utc::now();
    let (next, action, event) = match &what {
        Receipt::Acknowledge => (
            now_status
                .acknowledge()
                .ok_or(NotificationError::AlreadyDone(
                    "your agency has already acknowledged this notification",
                ))?,
            "notification.acknowledged",
            "acknowledged",
        ),
        Receipt::Feedback(_) => (
            now_status.answer().ok_or(NotificationError::AlreadyDone(
                "your agency has already answered this notification",
            ))?,
            "notification.answered",
            "feedback",
        ),
    };
    if r.acknowledged_at.is_none() {
        r.acknowledged_at = Some(now);
        r.acknowledged_by = origin.user_id;
    }
    if let Receipt::Feedback(text) = &what {
        r.feedback = Some(text.trim().to_owned());
        r.answered_at = Some(now);
        r.answered_by = origin.user_id;
    }
    r.status = next.as_str().to_owned();
    store::update_recipient(conn, &r).await?;
    let calendar = core.calendars.get(conn).await?;
    deadlines::mark_met(
        conn,
        &calendar,
        store::ENTITY,
        n.id,
        &ack_purpose(origin.agency_id),
        today_in_china(),
    )
    .await?;
    store::feed_append(conn, "notifications", Some(n.sender_agency_id), n.id, event).await?;
    let me = identities::agency(conn, origin.agency_id)
        .await?
        .ok_or(NotificationError::Missing("agency"))?;
    let notice = NotificationNotice::Answered {
        reference: n.reference.clone(),
        recipient: me.name.clone(),
        feedback: matches!(what, Receipt::Feedback(_)),
    };
    let told = match n.sender_user_id {
        Some(u) => identities::user(conn, u)
            .await?
            .filter(|u| u.active)
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    for u in told {
        notices::mail(
            conn,
            &u.email,
            &u.locale,
            &notice,
            about(n.id),
            format!("notification:{}:{event}:{}:{}", n.id, me.id, u.email),
        )
        .await?;
    }
    audit::record(
        conn,
        &origin.actor,
        action,
        store::ENTITY,
        &n.id.to_string(),
        None,
        Some(json!({ "agency_id": origin.agency_id })),
    )
    .await?;
    view(conn, n).await
}

/// The most attachments one notification carries.
pub const MAX_MATERIALS: usize = 20;

/// Attaches a file to a notification the origin's agency sent (at most `MAX_MATERIALS`); the
/// recipients' feeds get the event. The stored blob is removed when it cannot be recorded.
pub async fn add_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    received: crate::filings::materials::Received,
) -> Result<store::Material, NotificationError> {
    let key = received.blob.key.clone();
    let result = core
        .db
        .tx(|conn| add_material_in(conn, origin, id, received).scope_boxed())
        .await;
    if result.is_err() {
        core.blobs.remove(&key).await;
    }
    result
}

/// As `add_material`, inside the caller's transaction; the caller removes the blob if the
/// transaction does not commit.
pub async fn add_material_in(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    id: Uuid,
    received: crate::filings::materials::Received,
) -> Result<store::Material, NotificationError> {
    let reader = origin.reader(conn).await?;
    let n = visible(conn, &reader, id).await?;
    if n.sender_agency_id != origin.agency_id {
        return Err(NotificationError::NotTheSender);
    }
    if store::materials_of(conn, n.id).await?.len() >= MAX_MATERIALS {
        return Err(NotificationError::TooManyAttachments { max: MAX_MATERIALS });
    }
    let m = store::insert_material(
        conn,
        &store::Material {
            id: Uuid::now_v7(),
            notification_id: n.id,
            filename: received.filename,
            content_type: received.content_type.to_owned(),
            size_bytes: i64::try_from(received.blob.size).unwrap_or(i64::MAX),
            sha256: received.blob.sha256.clone(),
            blob_key: received.blob.key.clone(),
            uploaded_by: origin.user_id,
            uploaded_at: Utc::now(),
        },
    )
    .await?;
    for r in store::recipients(conn, n.id).await? {
        store::feed_append(conn, "notifications", Some(r.agency_id), n.id, "attachment").await?;
    }
    audit::record(
        conn,
        &origin.actor,
        "notification.material_added",
        store::ENTITY,
        &n.id.to_string(),
        None,
        Some(json!({ "material_id": m.id, "filename": m.filename, "sha256": m.sha256 })),
    )
    .await?;
    Ok(m)
}

/// Opens an attachment of a notification the origin may see (audited).
pub async fn open_material(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    material: Uuid,
) -> Result<crate::download::Download, NotificationError> {
    let m = core
        .db
        .tx(|conn| {
            async move {
                let reader = origin.reader(conn).await?;
                let n = visible(conn, &reader, id).await?;
                let m = store::material(conn, n.id, material)
                    .await?
                    .ok_or(NotificationError::Missing("attachment"))?;
                audit::record(
                    conn,
                    &origin.actor,
                    "notification.material_downloaded",
                    store::ENTITY,
                    &n.id.to_string(),
                    None,
                    Some(json!({ "material_id": m.id })),
                )
                .await?;
                Ok::<_, NotificationError>(m)
            }
            .scope_boxed()
        })
        .await?;
    let file = core
        .blobs
        .open(&m.blob_key)
        .await
        .map_err(StoreError::Internal)?;
    Ok(crate::download::Download {
        filename: m.filename,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        file,
    })
}

/// Every agency, for choosing recipients.
pub async fn agencies(core: &Core, caller: &Caller) -> Result<Vec<Agency>, NotificationError> {
    caller.require(core, Resource::NOTIFICATION, Action::Read, None)?;
    let mut conn = core.db.conn().await?;
    Ok(identities::agencies(&mut conn).await?)
}

/// Notifications as a case type.
pub struct NotificationCase;

#[async_trait]
impl Entity for NotificationCase {
    fn name(&self) -> &'static str {
        store::ENTITY
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        let Some(n) = store::get(conn, id).await? else {
            return Ok(None);
        };
        let mut agencies: Vec<Uuid> = store::recipients(conn, id)
            .await?
            .into_iter()
            .map(|r| r.agency_id)
            .collect();
        agencies.push(n.sender_agency_id);
        Ok(Some(Jurisdiction::Agencies(agencies)))
    }
}

#[async_trait]
impl CaseType for NotificationCase {
    fn resource(&self) -> Resource {
        Resource::NOTIFICATION
    }

    async fn of_organisation(
        &self,
        conn: &mut AsyncPgConnection,
        organisation: Uuid,
        viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError> {
        // Only those the viewer's agency sent or received (national CAC: the CAC's domain),
        // and restricted ones only for the roles they name.
        let Some(agency_id) = viewer.agency_id() else {
            return Ok(Vec::new());
        };
        let reader = Reader {
            agency_id,
            role: Some(viewer.role.as_str().to_owned()),
            user_id: Some(viewer.user_id),
            national_cac: viewer.is_cac() && viewer.home_domain() == "*",
        };
        let mut out = Vec::new();
        for n in store::of_organisation(conn, organisation).await? {
            if store::visible(conn, &reader, &n).await? {
                out.push(CaseSummary {
                    case_type: store::ENTITY.to_owned(),
                    id: n.id,
                    status: n.kind,
                    reference: Some(n.reference),
                    opened_at: Some(n.sent_at),
                });
            }
        }
        Ok(out)
    }

    /// Near an acknowledgement's time limit the recipient agency's staff are reminded; once
    /// it has passed, the supervisors of the sender and of the recipient are alerted (督办),
    /// once.
    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        d: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        let mut handled = Handled::default();
        let Some(agency) = d
            .purpose
            .strip_prefix(ACK_PREFIX)
            .and_then(|a| Uuid::parse_str(a).ok())
        else {
            return Ok(handled);
        };
        let Some(n) = store::get(conn, d.entity_id).await? else {
            return Ok(handled);
        };
        let key = |kind: &str, to: &str| format!("deadline:{}:{kind}:{}:{to}", d.id, d.due_date);
        let fail = |e: NotificationError| match e {
            NotificationError::Store(s) => s,
            other => StoreError::Internal(anyhow::anyhow!("{other}")),
        };
        match event {
            DeadlineEvent::Reminder { working_days_left } => {
                let notice = NotificationNotice::AckDue {
                    reference: n.reference.clone(),
                    due: d.due_date,
                    working_days_left,
                };
                for u in readers_of(conn, agency, &n).await.map_err(fail)? {
                    let k = key(&format!("reminder:{working_days_left}"), &u.email);
                    handled.mails_queued += usize::from(
                        notices::mail(conn, &u.email, &u.locale, &notice, about(n.id), k).await?,
                    );
                }
            }
            DeadlineEvent::Overdue => {
                if deadlines::record_alert(conn, d, "escalated", today).await? {
                    handled.escalated += 1;
                    let recipient = identities::agency(conn, agency)
                        .await?
                        .map(|a| a.name)
                        .unwrap_or_default();
                    let notice = NotificationNotice::AckOverdue {
                        reference: n.reference.clone(),
                        recipient,
                        due: d.due_date,
                    };
                    let mut told = Vec::new();
                    for a in [n.sender_agency_id, agency] {
                        for u in identities::agency_staff(conn, a).await? {
                            if u.role != "supervisor" {
                                continue;
                            }
                            let k = key("escalated", &u.email);
                            handled.mails_queued += usize::from(
                                notices::mail(conn, &u.email, &u.locale, &notice, about(n.id), k)
                                    .await?,
                            );
                            told.push(u.email);
                        }
                    }
                    audit::record(
                        conn,
                        &Actor::system("deadline sweep"),
                        "notification.deadline_escalated",
                        store::ENTITY,
                        &n.id.to_string(),
                        None,
                        Some(json!({ "agency_id": agency, "due_date": d.due_date, "supervisors": told })),
                    )
                    .await?;
                }
            }
        }
        Ok(handled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgement_deadlines_name_their_agency() {
        let a = Uuid::now_v7();
        let p = ack_purpose(a);
        assert_eq!(
            p.strip_prefix(ACK_PREFIX)
                .and_then(|s| Uuid::parse_str(s).ok()),
            Some(a)
        );
    }
}
