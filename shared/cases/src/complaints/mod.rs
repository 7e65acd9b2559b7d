//! Complaints and reports (投诉举报) under Art. 17 as a case type: the public intake and the
//! complainant's own lookup (`intake`, `lookup`), the office's handling through to the
//! mandatory reply (`handling`), and what the sweep and the outbox tell whom.
//!
//! The complainant's contact (name, mail address, phone, postal address) is sealed at rest
//! with the configured data key, bound to the complaint's id; only a keyed fingerprint of it
//! is stored in the clear, to link repeats. Staff see it unmasked only when they handle the
//! complaint (its assignee, or a supervisor of its province), and every such view is audited.

pub mod handling;
pub mod intake;
pub mod lookup;

use crate::caller::Caller;
use crate::context::Core;
use crate::entity::{
    CaseSummary, CaseType, DeadlineEvent, Delivery, Entity, Handled, Jurisdiction,
};
use crate::error::{Denied, StoreError};
use crate::escalation::{self, Addressee, Escalation};
use crate::materials::UploadError;
use crate::notices::{self, About};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::sealing::{DataKey, SealError};
use frt_access::{Action, Resource, Role};
use frt_domain::complaint::{ComplaintStatus, IllegalComplaintStep};
use frt_domain::form::FieldProblem;
use frt_mail::{ComplaintNotice, TimedStep};
use frt_store::audit;
use frt_store::complaints::{self as store, Complaint};
use frt_store::deadlines::{self, Deadline};
use frt_store::materials::Material;
use frt_store::scope::Scope;
use frt_store::views::DeadlineView;
use frt_store::{identities, AsyncPgConnection, QueryError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Deadline purposes of a complaint.
pub const ACCEPTANCE: &str = "acceptance";
pub const REPLY: &str = "reply";

/// Everything that can go wrong with a complaint.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    #[error("no complaint with that id was found")]
    NotFound,
    #[error("no {0} with that id was found")]
    Missing(&'static str),
    /// An unknown receipt and a wrong access code get the same answer.
    #[error("no complaint matches that receipt number and access code")]
    NoMatch,
    #[error("too many wrong access codes; try again in {retry_after_secs} seconds")]
    TooManyLookups { retry_after_secs: i64 },
    #[error("the request has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    IllegalStep(#[from] IllegalComplaintStep),
    #[error("the complaint changed since version {seen}; reload it and try again")]
    VersionConflict { seen: i32 },
    #[error("{0}")]
    ReplyRequired(&'static str),
    #[error("the handling can be rated once the reply has been sent")]
    NotYetReplied,
    #[error("the handling of this complaint has already been rated")]
    AlreadyRated,
    #[error("evidence can be added only until the complaint is accepted, up to {max} files")]
    EvidenceClosed { max: usize },
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    /// Too many complaints from one address (`complaints.intake_per_hour`).
    #[error(transparent)]
    Limited(#[from] crate::limits::LimitError),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(ComplaintError, fields);

impl From<crate::step::VersionConflict> for ComplaintError {
    fn from(c: crate::step::VersionConflict) -> Self {
        Self::VersionConflict { seen: c.seen }
    }
}

impl From<SealError> for ComplaintError {
    fn from(e: SealError) -> Self {
        Self::Store(StoreError::Internal(anyhow::anyhow!("sealed contact: {e}")))
    }
}

impl From<crate::filings::FilingError> for ComplaintError {
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

/// How to reach the complainant: sealed at rest, never in logs, audit rows or staff mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    /// The language the complainant's mail is written in (zh-CN unless they chose en).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Contact {
    /// What repeats are recognised by: the mail address, else the phone, else the postal
    /// address, normalised.
    pub fn identity(&self) -> Option<String> {
        if let Some(e) = &self.email {
            return Some(format!("email:{}", e.trim().to_lowercase()));
        }
        if let Some(p) = &self.phone {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            return Some(format!("phone:{digits}"));
        }
        self.postal_address.as_ref().map(|a| {
            let compact: String = a.chars().filter(|c| !c.is_whitespace()).collect();
            format!("post:{compact}")
        })
    }

    /// The contact as staff who do not handle the complaint see it.
    pub fn masked(&self) -> Self {
        Self {
            name: self.name.as_deref().map(mask_name),
            email: self.email.as_deref().map(mask_email),
            phone: self.phone.as_deref().map(mask_phone),
            postal_address: self.postal_address.as_deref().map(mask_address),
            language: self.language.clone(),
        }
    }
}

fn mask_name(n: &str) -> String {
    let mut chars = n.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 3))),
        None => String::new(),
    }
}

fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

fn mask_phone(p: &str) -> String {
    let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return "****".to_owned();
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn mask_address(a: &str) -> String {
    let head: String = a.chars().take(3).collect();
    format!("{head}***")
}

/// The stored form of an access code: the normalised code's hash under `alg`.
pub(crate) fn access_digest(alg: frt_access::suite::HashAlg, code: &str) -> Vec<u8> {
    alg.digest(frt_domain::complaint::normalise_code(code).as_bytes())
        .to_vec()
}

/// Seals a contact for complaint `id` (under the key's seal, [`DataKey::seal_alg`]).
pub(crate) fn seal(key: &DataKey, id: Uuid, contact: &Contact) -> Result<Vec<u8>, ComplaintError> {
    let plain = serde_json::to_vec(contact).map_err(anyhow::Error::from)?;
    Ok(key.seal(&plain, id.as_bytes())?)
}

/// Opens the sealed contact of a complaint (none for an anonymous report), with the seal it
/// names.
pub(crate) async fn open_contact(
    conn: &mut AsyncPgConnection,
    key: &DataKey,
    c: &Complaint,
) -> Result<Option<Contact>, ComplaintError> {
    let secrets = store::secrets(conn, c.id).await?;
    let Some(s) = secrets else {
        return Ok(None);
    };
    let (Some(sealed), Some(alg)) = (&s.contact_sealed, &s.contact_seal_alg) else {
        return Ok(None);
    };
    if s.contact_key_id.as_deref() != Some(key.id()) {
        return Err(anyhow::anyhow!(
            "complaint {} is sealed with key {:?}, not the configured {:?}",
            c.id,
            s.contact_key_id,
            key.id()
        )
        .into());
    }
    let plain = key.open(alg, sealed, c.id.as_bytes())?;
    Ok(Some(
        serde_json::from_slice(&plain).map_err(anyhow::Error::from)?,
    ))
}

pub(crate) fn typed(c: &Complaint) -> Result<ComplaintStatus, ComplaintError> {
    Ok(c.status
        .parse::<ComplaintStatus>()
        .map_err(anyhow::Error::from)?)
}

pub(crate) fn about(id: Uuid) -> About<'static> {
    About {
        entity_type: store::ENTITY,
        entity_id: id,
    }
}

/// The dedup key of the `seq`-th reply of a complaint: the outbox row that says whether it
/// was delivered.
pub(crate) fn reply_key(id: Uuid, seq: i32) -> String {
    format!("complaint:{id}:reply:{seq}")
}

/// Tells the complainant by mail (if they chose mail), keyed by the event; the outbox drops
/// the address and text once the message is done.
pub(crate) async fn tell_complainant(
    conn: &mut AsyncPgConnection,
    c: &Complaint,
    contact: Option<&Contact>,
    notice: &ComplaintNotice,
    key: String,
) -> Result<bool, ComplaintError> {
    let to = match (
        c.reply_channel.as_deref(),
        contact.and_then(|k| k.email.as_deref()),
    ) {
        (Some("mail"), Some(to)) => to,
        _ => return Ok(false),
    };
    let language = contact
        .and_then(|k| k.language.as_deref())
        .unwrap_or("zh-CN");
    Ok(notices::mail_private(conn, to, language, notice, about(c.id), key).await?)
}

/// A member of staff named in a view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffRef {
    pub user_id: Uuid,
    pub name: String,
}

/// The processor complained about: matched to a registered one, or as the complainant gave it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProcessorRef {
    /// The registered processor it was matched to, by USCC or exact name.
    pub organisation_id: Option<Uuid>,
    pub name: Option<String>,
    pub uscc: Option<String>,
}

/// The reply to the complainant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyView {
    pub text: String,
    /// awaiting_approval, queued, sent, failed or posted.
    pub state: String,
    /// When it was sent: by mail (the relay accepted it), or by post (the day recorded).
    pub sent_at: Option<DateTime<Utc>>,
}

/// A complaint as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    pub id: Uuid,
    pub receipt_number: String,
    pub status: String,
    pub status_zh: String,
    /// online, phone, letter, visit or transfer.
    pub channel: String,
    /// The province whose office handles it now.
    pub province_code: String,
    pub processor: ProcessorRef,
    pub description: String,
    pub occurred_on: Option<NaiveDate>,
    pub location: Option<String>,
    pub anonymous: bool,
    /// mail or post; none for an anonymous report.
    pub reply_channel: Option<String>,
    /// The complainant's contact: unmasked for the complaint's handler and the province's
    /// supervisors (each view audited), masked for everyone else.
    pub contact: Option<Contact>,
    pub contact_masked: bool,
    /// The first complaint this one repeats (合并).
    pub duplicate_of: Option<String>,
    /// The complaints linked to this one as its repeats (receipt numbers, oldest first): the
    /// same contact about the same processor within `complaints.duplicate_window_days`.
    pub repeats: Vec<String>,
    pub assignee: Option<StaffRef>,
    /// Why it was not accepted, or transferred.
    pub decision_reason: Option<String>,
    pub transferred_to: Option<String>,
    pub result: Option<String>,
    pub inspection_id: Option<Uuid>,
    pub reply: Option<ReplyView>,
    pub acceptance_deadline: Option<DeadlineView>,
    pub reply_deadline: Option<DeadlineView>,
    pub materials: Vec<Material>,
    pub received_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Send back with each step: a stale one is refused.
    pub version: i32,
}

/// Whether the caller may see this complaint's contact unmasked: its handler, or a member of
/// staff whose role may (supervisors) in its province.
pub(crate) fn sees_contact(core: &Core, caller: &Caller, c: &Complaint) -> bool {
    c.assignee_id == Some(caller.principal.user_id)
        || (caller.principal.covers(&c.province_code)
            && caller.may(
                core,
                Resource::COMPLAINT,
                Action::Contact,
                Some(&c.province_code),
            ))
}

/// The staff view; opening the contact unmasked is audited in the caller's transaction.
pub(crate) async fn view(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    c: Complaint,
) -> Result<ComplaintView, ComplaintError> {
    let unmasked = sees_contact(core, caller, &c);
    let contact = open_contact(conn, &core.data_key, &c).await?;
    if unmasked && contact.is_some() {
        audit::record(
            conn,
            &caller.actor,
            "complaint.contact_viewed",
            store::ENTITY,
            &c.id.to_string(),
            None,
            None,
        )
        .await?;
    }
    let contact = contact.map(|k| if unmasked { k } else { k.masked() });
    let assignee = match c.assignee_id {
        Some(u) => identities::user(conn, u).await?.map(|u| StaffRef {
            user_id: u.id,
            name: u.display_name,
        }),
        None => None,
    };
    let duplicate_of = match c.duplicate_of {
        Some(d) => store::get(conn, d, &Scope::PLATFORM)
            .await?
            .map(|p| p.receipt_number),
        None => None,
    };
    let repeats = store::repeats_of(conn, c.id).await?;
    let held = deadlines::for_entity(conn, store::ENTITY, c.id).await?;
    let deadline = |purpose: &str| {
        held.iter()
            .find(|d| d.purpose == purpose)
            .cloned()
            .map(DeadlineView::from)
    };
    let status = typed(&c)?;
    let materials = frt_store::materials::of(conn, store::ENTITY, c.id).await?;
    Ok(ComplaintView {
        id: c.id,
        receipt_number: c.receipt_number,
        status: status.as_str().to_owned(),
        status_zh: status.name_zh().to_owned(),
        channel: c.channel,
        province_code: c.province_code,
        processor: ProcessorRef {
            organisation_id: c.organisation_id,
            name: c.processor_name,
            uscc: c.processor_uscc,
        },
        description: c.description,
        occurred_on: c.occurred_on,
        location: c.location,
        anonymous: c.anonymous,
        reply_channel: c.reply_channel,
        contact_masked: !unmasked,
        contact,
        duplicate_of,
        repeats,
        assignee,
        decision_reason: c.decision_reason,
        transferred_to: c.transferred_to,
        result: c.result,
        inspection_id: c.inspection_id,
        reply: c.reply_text.map(|text| ReplyView {
            text,
            state: c.reply_state.unwrap_or_default(),
            sent_at: c.reply_sent_at,
        }),
        acceptance_deadline: deadline(ACCEPTANCE),
        reply_deadline: deadline(REPLY),
        materials,
        received_at: c.received_at,
        closed_at: c.closed_at,
        version: c.version,
    })
}

/// Complaints as a case type.
pub struct ComplaintCase;

#[async_trait]
impl Entity for ComplaintCase {
    fn name(&self) -> &'static str {
        store::ENTITY
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(store::get(conn, id, &Scope::PLATFORM)
            .await?
            .map(|c| Jurisdiction::Province(c.province_code)))
    }
}

#[async_trait]
impl CaseType for ComplaintCase {
    fn resource(&self) -> Resource {
        Resource::COMPLAINT
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
            .map(|c| CaseSummary {
                case_type: store::ENTITY.to_owned(),
                id: c.id,
                status: c.status,
                reference: Some(c.receipt_number),
                opened_at: Some(c.received_at),
            })
            .collect())
    }

    /// The reply's delivery: met when the relay accepted it; the reply step again when it
    /// failed for good, so the complaint cannot close on a reply nobody received.
    async fn on_mail(
        &self,
        conn: &mut AsyncPgConnection,
        m: &frt_store::outbox::Message,
        delivery: Delivery,
    ) -> Result<(), StoreError> {
        let Some(id) = m.entity_id else {
            return Ok(());
        };
        let Some(c) = store::get_for_update(conn, id, &Scope::PLATFORM).await? else {
            return Ok(());
        };
        if m.dedup_key != reply_key(c.id, c.reply_seq) || c.reply_state.as_deref() != Some("queued")
        {
            return Ok(());
        }
        handling::reply_outcome(conn, &c, delivery)
            .await
            .map_err(|e| match e {
                ComplaintError::Store(s) => s,
                other => StoreError::Internal(anyhow::anyhow!("{other}")),
            })
    }

    /// Near a time limit the handler is reminded (the province's complaint handlers while
    /// none is assigned); once passed, the province's supervisors are alerted (督办), once.
    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        d: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        let mut handled = Handled::default();
        let Some(c) = store::get(conn, d.entity_id, &Scope::PLATFORM).await? else {
            return Ok(handled);
        };
        let step = if d.purpose == ACCEPTANCE {
            TimedStep::Acceptance
        } else {
            TimedStep::Reply
        };
        match event {
            DeadlineEvent::Reminder { working_days_left } => {
                let to: Vec<identities::User> = match c.assignee_id {
                    Some(u) => identities::user(conn, u)
                        .await?
                        .filter(|u| u.active)
                        .into_iter()
                        .collect(),
                    None => {
                        identities::office_staff(
                            conn,
                            &c.province_code,
                            &[Role::ComplaintHandler.as_str()],
                        )
                        .await?
                    }
                };
                let n = ComplaintNotice::Due {
                    receipt_number: c.receipt_number.clone(),
                    step,
                    due: d.due_date,
                    working_days_left,
                };
                let to: Vec<Addressee> = to.into_iter().map(Addressee::from).collect();
                let event = format!("reminder:{working_days_left}");
                handled.mails_queued +=
                    escalation::tell(conn, d, &event, &to, &n, about(c.id)).await?;
            }
            DeadlineEvent::Overdue => {
                let n = ComplaintNotice::Overdue {
                    receipt_number: c.receipt_number.clone(),
                    step,
                    due: d.due_date,
                };
                let supervisors = identities::supervisors_of(conn, &c.province_code).await?;
                let e = Escalation {
                    to: supervisors.into_iter().map(Addressee::from).collect(),
                    notice: &n,
                    about: about(c.id),
                    action: "complaint.deadline_escalated",
                    details: serde_json::Value::Null,
                };
                escalation::escalate(conn, d, today, e, &mut handled).await?;
            }
        }
        Ok(handled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_mask_and_identify() {
        let c = Contact {
            name: Some("张三丰".into()),
            email: Some("Zhang.San@Example.CN ".into()),
            phone: Some("138-0013-8000".into()),
            postal_address: Some("上海市浦东新区世纪大道1号".into()),
            language: None,
        };
        let m = c.masked();
        assert_eq!(m.name.as_deref(), Some("张**"));
        assert_eq!(m.email.as_deref(), Some("Z***@Example.CN "));
        assert_eq!(m.phone.as_deref(), Some("138****8000"));
        assert_eq!(m.postal_address.as_deref(), Some("上海市***"));
        assert_eq!(c.identity().as_deref(), Some("email:zhang.san@example.cn"));
        let phone_only = Contact {
            phone: Some("138 0013 8000".into()),
            ..Contact::default()
        };
        assert_eq!(phone_only.identity().as_deref(), Some("phone:13800138000"));
        assert_eq!(Contact::default().identity(), None);
    }

    #[test]
    fn a_contact_is_sealed_to_its_complaint() {
        let key = DataKey::from_hex("k1", &"11".repeat(32)).expect("key");
        let id = Uuid::now_v7();
        let c = Contact {
            email: Some("a@b.cn".into()),
            ..Contact::default()
        };
        let sealed = seal(&key, id, &c).expect("sealed");
        assert!(!sealed.windows(6).any(|w| w == b"a@b.cn"));
        let plain = key
            .open(key.seal_alg(), &sealed, id.as_bytes())
            .expect("opens");
        assert_eq!(serde_json::from_slice::<Contact>(&plain).ok(), Some(c));
        assert!(key
            .open(key.seal_alg(), &sealed, Uuid::now_v7().as_bytes())
            .is_err());
    }
}
