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
//!
//! `send` sends, `receipts` acknowledges and answers, `materials` attaches and opens files,
//! `case` is the case type (deadlines, a processor's page).

mod case;
mod materials;
mod receipts;
mod send;

pub use case::NotificationCase;
pub use materials::{add_material, add_material_in, open_material, MAX_MATERIALS};
pub use receipts::{receive, receive_in, Receipt};
pub use send::{send, send_in};

use crate::caller::Caller;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use crate::notices::About;
use chrono::{DateTime, Utc};
use frt_access::{Action, Resource};
use frt_domain::form::FieldProblem;
use frt_domain::notification::{Classification, NotificationKind, ReceiptStatus};
use frt_store::audit::Actor;
use frt_store::deadlines;
use frt_store::identities::{self, Agency};
use frt_store::notifications::{self as store, Notification};
use frt_store::scope::Scope;
use frt_store::views::DeadlineView;
use frt_store::AsyncPgConnection;
use frt_store::ScopedFutureExt;
use serde::{Deserialize, Serialize};
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

crate::error::store_errors!(NotificationError, fields);

/// Who sends or acts: a member of an agency's staff, or an agency's system.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The agency it acts for (the sender, or the recipient that acknowledges).
    pub agency_id: Uuid,
    /// What it may see and name (`frt_access::scope`): a member of staff's own, or the
    /// agency's as such for a system (no role: restricted notifications name staff roles).
    pub scope: Scope,
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
            scope: caller.scope(),
            client: None,
            actor: caller.actor.clone(),
        })
    }

    /// An agency acting as such: its exchange client (`client`), or a job acting for it.
    pub fn agency(agency: &Agency, client: Option<String>, actor: Actor) -> Self {
        Self {
            agency_id: agency.id,
            scope: frt_access::scope::of_agency(agency),
            client,
            actor,
        }
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
    pub materials: Vec<frt_store::materials::Material>,
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
    #[param(pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$")]
    pub before: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
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
        .filter(|u| {
            n.classification != Classification::Restricted.as_str()
                || n.restricted_roles.contains(&u.role)
        })
        .collect())
}

/// The notification `id`, if the scope may see it.
async fn visible(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<Notification, NotificationError> {
    let n = store::get(conn, id)
        .await?
        .ok_or(NotificationError::NotFound)?;
    if store::visible(conn, scope, &n).await? {
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
    let materials = group(
        frt_store::materials::of_all(conn, store::ENTITY, &ids).await?,
        |m| m.entity_id,
    );
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
    core.db
        .run(|conn| {
            async move {
                let n = visible(conn, &origin.scope, id).await?;
                view(conn, n).await
            }
            .scope_boxed()
        })
        .await
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
    core.db
        .run(|conn| {
            async move {
                let rows = store::list(
                    conn,
                    &origin.scope,
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
                let agencies = identities::agencies_by_id(conn, &ids).await?;
                let next = crate::cursor::next(&rows, limit, |n| Some((n.sent_at, n.id)));
                let page_ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
                let receipts = store::receipts_of(conn, origin.agency_id, &page_ids).await?;
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
            .scope_boxed()
        })
        .await
}

/// Every agency, for choosing recipients.
pub async fn agencies(core: &Core, caller: &Caller) -> Result<Vec<Agency>, NotificationError> {
    caller.require(core, Resource::NOTIFICATION, Action::Read, None)?;
    core.db
        .run(|conn| async move { Ok(identities::agencies(conn).await?) }.scope_boxed())
        .await
}
