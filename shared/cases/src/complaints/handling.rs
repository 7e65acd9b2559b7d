//! The office's handling (办理): the queue, acceptance or not, transfer out of remit (转办),
//! assignment, investigation, the result, the reply the complainant must receive (答复), and
//! closing (办结) — which a named complaint reaches only once its reply was delivered. Every
//! step is authorised in the complaint's province, audited, and sent with the version seen.

use super::{
    invalid, open_contact, reply_key, tell_complainant, text, typed, view, ComplaintError,
    ComplaintView, ACCEPTANCE, REPLY,
};
use crate::caller::Caller;
use crate::context::Core;
use crate::download::Download;
use crate::entity::Delivery;
use crate::error::StoreError;
use crate::materials::{self, Owner};
use crate::step::{self, Transition};
use crate::today_in_china;
use chrono::{DateTime, NaiveDate, Utc};
use frt_access::{Action, Resource, Role};
use frt_domain::complaint::{ComplaintAction, ComplaintStatus};
use frt_domain::inspection::InspectionSource;
use frt_mail::ComplaintNotice;
use frt_store::audit::{self, Actor};
use frt_store::complaints::{self as store, Changes, Complaint, QueueQuery};
use frt_store::{deadlines, identities, AsyncPgConnection, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// One row of the queue: the contact never shows here.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintQueueItem {
    pub id: Uuid,
    pub receipt_number: String,
    pub status: String,
    pub status_zh: String,
    pub channel: String,
    pub province_code: String,
    pub processor_name: Option<String>,
    pub processor_uscc: Option<String>,
    pub anonymous: bool,
    pub assignee_id: Option<Uuid>,
    /// The nearest time limit not yet met.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<NaiveDate>,
    /// Working days left until `due_date`, counted from today; negative when overdue.
    pub working_days_left: Option<i64>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintQueuePage {
    pub items: Vec<ComplaintQueueItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// The queue's filters and page as a request gives them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComplaintQueueQuery {
    #[param(
        pattern = "^(received|accepted|not_accepted|assigned|investigating|result_decided|reply_sent|closed|transferred|merged)$"
    )]
    pub status: Option<String>,
    /// Only complaints assigned to the caller.
    pub mine: Option<bool>,
    /// Only complaints with a time limit passed.
    pub overdue: Option<bool>,
    /// Include closed, transferred and merged complaints.
    pub all: Option<bool>,
    /// Only complaints the complainant rated so (回访), closed or not: supervisors review
    /// those rated `dissatisfied`.
    #[param(pattern = "^(satisfied|basically_satisfied|dissatisfied)$")]
    pub rating: Option<String>,
    /// National staff: narrow to one province (GB/T 2260, e.g. 310000).
    #[param(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// Part of the processor's name as the complainant gave it, or its USCC (at most 200
    /// characters).
    #[param(max_length = 200)]
    pub processor: Option<String>,
    /// The `next` of the previous page.
    #[param(pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$")]
    pub after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// The complaints of the caller's province(s), nearest time limit first.
pub async fn queue(
    core: &Core,
    caller: &Caller,
    q: &ComplaintQueueQuery,
) -> Result<ComplaintQueuePage, ComplaintError> {
    caller.require(core, Resource::COMPLAINT, Action::Read, None)?;
    let scope = caller
        .scope_within::<ComplaintError>(q.province.as_deref(), "complaints of that province")?;
    let limit = crate::input::limit(q.limit)?;
    let processor = q
        .processor
        .as_deref()
        .map(|p| text("processor", p, 200))
        .transpose()?;
    let status = q
        .status
        .as_deref()
        .map(|s| crate::input::one_of("status", s, &ComplaintStatus::ALL.map(|s| s.as_str())))
        .transpose()?
        .map(str::to_owned);
    let after: Option<(Option<NaiveDate>, Uuid)> =
        crate::input::cursor("after", q.after.as_deref())?;
    let rating = q
        .rating
        .as_deref()
        .map(|r| crate::input::one_of("rating", r, &super::lookup::RATINGS))
        .transpose()?
        .map(str::to_owned);
    let query = QueueQuery {
        status,
        assignee: q.mine.unwrap_or(false).then_some(caller.principal.user_id),
        overdue_on: q.overdue.unwrap_or(false).then(today_in_china),
        open_only: !q.all.unwrap_or(false),
        rating,
        processor,
        after,
        limit,
    };
    let scope = &scope;
    let rows = core
        .db
        .read(|conn| {
            async move { Ok::<_, ComplaintError>(store::queue(conn, scope, &query).await?) }
                .scope_boxed()
        })
        .await?;
    let calendar = core.calendar().await?;
    let today = today_in_china();
    let next = crate::cursor::next(&rows, limit, |r| Some((r.due_date, r.complaint.id)));
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let c = r.complaint;
        let status = typed(&c)?;
        items.push(ComplaintQueueItem {
            id: c.id,
            receipt_number: c.receipt_number,
            status: status.as_str().to_owned(),
            status_zh: status.name_zh().to_owned(),
            channel: c.channel,
            province_code: c.province_code,
            processor_name: c.processor_name,
            processor_uscc: c.processor_uscc,
            anonymous: c.anonymous,
            assignee_id: c.assignee_id,
            due_date: r.due_date,
            working_days_left: r
                .due_date
                .map(|due| crate::calendar::working_days_left(&calendar, today, due)),
            received_at: c.received_at,
        });
    }
    Ok(ComplaintQueuePage { items, next })
}

/// One complaint in the caller's province(s); opening the contact is audited.
pub async fn show(core: &Core, caller: &Caller, id: Uuid) -> Result<ComplaintView, ComplaintError> {
    caller.require(core, Resource::COMPLAINT, Action::Read, None)?;
    core.db
        .tx(|conn| {
            async move {
                let c = readable(conn, caller, id).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// A complaint the caller may read: one of its province's (every province for national CAC),
/// or, for an agency outside the CAC, one a case transfer handed to it.
async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Complaint, ComplaintError> {
    store::get(conn, id, &caller.scope())
        .await?
        .ok_or(ComplaintError::NotFound)
}

/// Loads and locks a complaint the caller may `action` in its province.
async fn worked(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    id: Uuid,
    action: Action,
) -> Result<Complaint, ComplaintError> {
    let c = store::get_for_update(conn, id, &caller.scope())
        .await?
        .ok_or(ComplaintError::NotFound)?;
    caller.require(core, Resource::COMPLAINT, action, Some(&c.province_code))?;
    Ok(c)
}

/// One step: the lifecycle action, its audit entry and what it writes.
struct Step<'a> {
    action: ComplaintAction,
    audit: &'a str,
    changes: Changes<'a>,
    details: serde_json::Value,
}

/// Applies one step from the version the caller saw, and audits it.
async fn advance(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    c: &Complaint,
    version: i32,
    step: Step<'_>,
) -> Result<Complaint, ComplaintError> {
    let Step {
        action,
        audit: audit_action,
        changes,
        details,
    } = step;
    let from = typed(c)?;
    let next = from.apply(action, c.anonymous)?;
    let t = Transition {
        entity_type: store::ENTITY,
        id: c.id,
        current: c.version,
        seen: version,
        from: from.as_str(),
        to: next.as_str(),
        audit: audit_action,
        details,
    };
    let id = c.id;
    step::advance(conn, actor, t, |conn| {
        store::step(conn, id, version, next.as_str(), &changes).scope_boxed()
    })
    .await
}

async fn met(
    conn: &mut AsyncPgConnection,
    core: &Core,
    id: Uuid,
    purposes: &[&str],
) -> Result<(), ComplaintError> {
    let calendar = core.calendars.get(conn).await?;
    let today = today_in_china();
    for p in purposes {
        let open = deadlines::get(conn, store::ENTITY, id, p)
            .await?
            .is_some_and(|d| d.met_on.is_none());
        if open {
            deadlines::mark_met(conn, &calendar, store::ENTITY, id, p, today).await?;
        }
    }
    Ok(())
}

/// Accepts the complaint (受理).
pub async fn accept(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> Result<ComplaintView, ComplaintError> {
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                let c = advance(
                    conn,
                    &caller.actor,
                    &c,
                    version,
                    Step {
                        action: ComplaintAction::Accept,
                        audit: "complaint.accepted",
                        changes: Changes::default(),
                        details: json!({}),
                    },
                )
                .await?;
                met(conn, core, id, &[ACCEPTANCE]).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Does not accept it (不予受理), with reasons; for a named complaint the reasons are also the
/// reply, sent at once (or held for a supervisor's approval where that is configured).
pub async fn refuse(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    reasons: &str,
) -> Result<ComplaintView, ComplaintError> {
    let reasons = text("reasons", reasons, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                let c = advance(
                    conn,
                    &caller.actor,
                    &c,
                    version,
                    Step {
                        action: ComplaintAction::Refuse,
                        audit: "complaint.not_accepted",
                        changes: Changes {
                            decision_reason: Some(&reasons),
                            ..Changes::default()
                        },
                        details: json!({ "reasons": reasons }),
                    },
                )
                .await?;
                met(conn, core, id, &[ACCEPTANCE]).await?;
                let c = if c.anonymous {
                    c
                } else {
                    issue_reply(conn, core, caller, c, &reasons, None).await?
                };
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Where a complaint outside the office's remit goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTo {
    Province(String),
    PublicSecurity,
    OtherDepartment(String),
}

impl TransferTo {
    /// `province:<code>`, `public_security`, or `department:<name>`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "public_security" => Some(Self::PublicSecurity),
            t => {
                if let Some(p) = t.strip_prefix("province:") {
                    frt_domain::region::ProvinceCode::parse(p)
                        .ok()
                        .map(|c| Self::Province(c.as_str().to_owned()))
                } else {
                    t.strip_prefix("department:")
                        .map(str::trim)
                        .filter(|d| !d.is_empty() && d.chars().count() <= 100)
                        .map(|d| Self::OtherDepartment(d.to_owned()))
                }
            }
        }
    }

    fn stored(&self) -> String {
        match self {
            Self::Province(p) => format!("province:{p}"),
            Self::PublicSecurity => "public_security".to_owned(),
            Self::OtherDepartment(d) => format!("department:{d}"),
        }
    }

    /// How the complainant is told where it went: a province's office by the province's name
    /// (e.g. 北京市网信办).
    async fn told(&self, conn: &mut AsyncPgConnection) -> Result<String, StoreError> {
        Ok(match self {
            Self::Province(p) => match identities::region_name(conn, p).await? {
                Some(name) => format!("{name}网信办"),
                None => format!("{p}省级网信部门"),
            },
            Self::PublicSecurity => "公安机关".to_owned(),
            Self::OtherDepartment(d) => d.clone(),
        })
    }
}

/// Transfers a complaint outside the office's remit (转办), with a reason, and tells the
/// complainant: to another province's office (it joins that queue, acceptance to be decided
/// again there), or out of the CAC offices (public security, another department).
pub async fn transfer(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    to: &str,
    reason: &str,
) -> Result<ComplaintView, ComplaintError> {
    let reason = text("reason", reason, 2000)?;
    let to = TransferTo::parse(to).ok_or_else(|| {
        invalid(
            "to",
            "province:<code> (e.g. province:110000), public_security, or department:<name>",
        )
    })?;
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                let stored = to.stored();
                let (action, province) = match &to {
                    TransferTo::Province(p) if *p == c.province_code => {
                        return Err(
                            invalid("to", "the complaint is in that province already").into()
                        )
                    }
                    TransferTo::Province(p) => {
                        if !identities::region_exists(conn, p).await? {
                            return Err(invalid("to", "no such province in the table").into());
                        }
                        (ComplaintAction::TransferToProvince, Some(p.as_str()))
                    }
                    _ => (ComplaintAction::TransferOut, None),
                };
                let updated = advance(
                    conn,
                    &caller.actor,
                    &c,
                    version,
                    Step {
                        action,
                        audit: "complaint.transferred",
                        changes: Changes {
                            province_code: province,
                            transferred_to: Some(&stored),
                            decision_reason: Some(&reason),
                            ..Changes::default()
                        },
                        details: json!({ "from": c.province_code, "to": stored, "reason": reason }),
                    },
                )
                .await?;
                if province.is_some() {
                    // The receiving office decides acceptance afresh; the reply's time limit
                    // still runs from receipt.
                    let calendar = core.calendars.get(conn).await?;
                    let n = frt_domain::calendar::WorkingDays::new(
                        core.settings.complaints.acceptance_working_days,
                    )
                    .map_err(|e| anyhow::anyhow!("complaints time limit: {e}"))?;
                    deadlines::set(
                        conn,
                        &calendar,
                        store::ENTITY,
                        id,
                        ACCEPTANCE,
                        today_in_china(),
                        n,
                        None,
                    )
                    .await?;
                } else {
                    met(conn, core, id, &[ACCEPTANCE, REPLY]).await?;
                }
                let contact = open_contact(conn, &core.data_key, &updated).await?;
                let told = to.told(conn).await?;
                tell_complainant(
                    conn,
                    &updated,
                    contact.as_ref(),
                    &ComplaintNotice::Transferred {
                        receipt_number: updated.receipt_number.clone(),
                        name: contact.as_ref().and_then(|k| k.name.clone()),
                        to: told,
                        reason: reason.clone(),
                    },
                    format!("complaint:{id}:transferred:{}", updated.version),
                )
                .await?;
                if province.is_some() {
                    // The complaint has left the caller's province: the answer is what the
                    // caller may still see of it.
                    return Ok(transferred_view(updated));
                }
                view(conn, core, caller, updated).await
            }
            .scope_boxed()
        })
        .await
}

/// What the sending office sees of a complaint it transferred to another province: where it
/// went, without the complainant's contact.
fn transferred_view(c: Complaint) -> ComplaintView {
    let status = typed(&c).unwrap_or(ComplaintStatus::Received);
    ComplaintView {
        id: c.id,
        receipt_number: c.receipt_number,
        status: status.as_str().to_owned(),
        status_zh: status.name_zh().to_owned(),
        channel: c.channel,
        province_code: c.province_code,
        processor: super::ProcessorRef {
            organisation_id: c.organisation_id,
            name: c.processor_name,
            uscc: c.processor_uscc,
        },
        description: c.description,
        occurred_on: c.occurred_on,
        location: c.location,
        anonymous: c.anonymous,
        reply_channel: c.reply_channel,
        contact: None,
        contact_masked: true,
        duplicate_of: None,
        repeats: Vec::new(),
        assignee: None,
        decision_reason: c.decision_reason,
        transferred_to: c.transferred_to,
        result: c.result,
        inspection_id: c.inspection_id,
        reply: None,
        acceptance_deadline: None,
        reply_deadline: None,
        materials: Vec::new(),
        received_at: c.received_at,
        closed_at: c.closed_at,
        version: c.version,
    }
}

/// Assigns a handler (分派): supervisors assign anyone who handles complaints in the
/// province; a handler may take one for themself.
pub async fn assign(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    assignee: Uuid,
) -> Result<ComplaintView, ComplaintError> {
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                if assignee != caller.principal.user_id {
                    caller.require(
                        core,
                        Resource::COMPLAINT,
                        Action::Assign,
                        Some(&c.province_code),
                    )?;
                }
                let eligible = identities::office_staff(
                    conn,
                    &c.province_code,
                    &[Role::ComplaintHandler.as_str(), Role::Supervisor.as_str()],
                )
                .await?;
                let Some(who) = eligible.into_iter().find(|u| u.id == assignee) else {
                    return Err(invalid(
                        "assignee_id",
                        "not an active complaint handler or supervisor of the complaint's province",
                    )
                    .into());
                };
                let c = advance(
                    conn,
                    &caller.actor,
                    &c,
                    version,
                    Step {
                        action: ComplaintAction::Assign,
                        audit: "complaint.assigned",
                        changes: Changes {
                            assignee_id: Some(who.id),
                            ..Changes::default()
                        },
                        details: json!({ "assignee_id": who.id, "assignee": who.display_name }),
                    },
                )
                .await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Who may be assigned the complaint: the active complaint handlers and supervisors of its
/// province, for a caller who may assign others there (none otherwise: a handler takes it).
pub async fn assignees(
    core: &Core,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<super::StaffRef>, ComplaintError> {
    caller.require(core, Resource::COMPLAINT, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                let c = store::get(conn, id, &caller.scope())
                    .await?
                    .ok_or(ComplaintError::NotFound)?;
                if !caller.may(
                    core,
                    Resource::COMPLAINT,
                    Action::Assign,
                    Some(&c.province_code),
                ) {
                    return Ok(Vec::new());
                }
                let staff = identities::office_staff(
                    conn,
                    &c.province_code,
                    &[Role::ComplaintHandler.as_str(), Role::Supervisor.as_str()],
                )
                .await?;
                Ok(staff
                    .into_iter()
                    .map(|u| super::StaffRef {
                        user_id: u.id,
                        name: u.display_name,
                    })
                    .collect())
            }
            .scope_boxed()
        })
        .await
}

/// Starts the investigation (办理中), optionally with an inspection of the processor opened
/// for it (source `complaint`).
pub async fn investigate(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    inspection: Option<Uuid>,
) -> Result<ComplaintView, ComplaintError> {
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                if let Some(i) = inspection {
                    let found = frt_store::inspections::get(
                        conn,
                        i,
                        &frt_store::scope::Scope::of_province(&c.province_code),
                    )
                    .await?;
                    let fits = found.is_some_and(|found| {
                        Some(found.organisation_id) == c.organisation_id
                            && found.source == InspectionSource::Complaint.as_str()
                    });
                    if !fits {
                        return Err(invalid(
                            "inspection_id",
                            "an inspection of the same processor in the province, opened with \
                             source complaint",
                        )
                        .into());
                    }
                }
                let step = Step {
                    action: ComplaintAction::Investigate,
                    audit: "complaint.investigating",
                    changes: Changes {
                        inspection_id: inspection,
                        ..Changes::default()
                    },
                    details: json!({ "inspection_id": inspection }),
                };
                let c = advance(conn, &caller.actor, &c, version, step).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Records the result (处理结果).
pub async fn decide(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    result: &str,
) -> Result<ComplaintView, ComplaintError> {
    let result = text("result", result, 4000)?;
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                let c = advance(
                    conn,
                    &caller.actor,
                    &c,
                    version,
                    Step {
                        action: ComplaintAction::DecideResult,
                        audit: "complaint.result_decided",
                        changes: Changes {
                            result: Some(&result),
                            ..Changes::default()
                        },
                        details: json!({ "result": result }),
                    },
                )
                .await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Replies to the complainant (答复): by mail through the outbox (held for a supervisor's
/// approval where configured), or, for a reply by post, records the letter sent on
/// `posted_on`.
pub async fn reply(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    reply_text: &str,
    posted_on: Option<&str>,
) -> Result<ComplaintView, ComplaintError> {
    let reply_text = text("text", reply_text, 8000)?;
    let posted_on = match posted_on {
        Some(d) => {
            let day =
                frt_domain::civil::parse(d).map_err(|e| invalid("posted_on", &e.to_string()))?;
            if day > today_in_china() {
                return Err(invalid("posted_on", "a day not after today").into());
            }
            Some(day)
        }
        None => None,
    };
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                if c.version != version {
                    return Err(ComplaintError::VersionConflict { seen: version });
                }
                typed(&c)?.apply(ComplaintAction::Reply, c.anonymous)?;
                let c = issue_reply(conn, core, caller, c, &reply_text, posted_on).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Issues a reply: queued to the outbox (or held for approval) for mail, recorded for post.
async fn issue_reply(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    c: Complaint,
    reply_text: &str,
    posted_on: Option<NaiveDate>,
) -> Result<Complaint, ComplaintError> {
    let seq = c.reply_seq + 1;
    match (c.reply_channel.as_deref(), posted_on) {
        (Some("post"), Some(day)) => {
            let at = day
                .and_hms_opt(12, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_else(Utc::now);
            let c = advance(
                conn,
                &caller.actor,
                &c,
                c.version,
                Step {
                    action: ComplaintAction::Reply,
                    audit: "complaint.reply_posted",
                    changes: Changes {
                        reply_text: Some(reply_text),
                        reply_state: Some("posted"),
                        reply_seq: Some(seq),
                        reply_sent_at: Some(at),
                        ..Changes::default()
                    },
                    details: json!({ "posted_on": day }),
                },
            )
            .await?;
            met(conn, core, c.id, &[REPLY]).await?;
            Ok(c)
        }
        (Some("post"), None) => Err(invalid(
            "posted_on",
            "the complainant asked for a reply by post: record the day the letter was sent",
        )
        .into()),
        (_, Some(_)) => Err(invalid(
            "posted_on",
            "the complainant asked for a reply by mail: it is sent by the platform",
        )
        .into()),
        (_, None) if core.settings.complaints.reply_approval_required => {
            let updated = store::step(
                conn,
                c.id,
                c.version,
                &c.status,
                &Changes {
                    reply_text: Some(reply_text),
                    reply_state: Some("awaiting_approval"),
                    reply_seq: Some(seq),
                    ..Changes::default()
                },
            )
            .await?
            .ok_or(ComplaintError::VersionConflict { seen: c.version })?;
            audit::record(
                conn,
                &caller.actor,
                "complaint.reply_drafted",
                store::ENTITY,
                &c.id.to_string(),
                None,
                Some(json!({ "awaiting_approval": true })),
            )
            .await?;
            Ok(updated)
        }
        (_, None) => send_reply(conn, core, &caller.actor, c, reply_text, seq).await,
    }
}

/// Queues the reply mail and moves the complaint to `reply_sent`.
async fn send_reply(
    conn: &mut AsyncPgConnection,
    core: &Core,
    actor: &Actor,
    c: Complaint,
    reply_text: &str,
    seq: i32,
) -> Result<Complaint, ComplaintError> {
    let contact = open_contact(conn, &core.data_key, &c).await?;
    let queued = tell_complainant(
        conn,
        &c,
        contact.as_ref(),
        &ComplaintNotice::Reply {
            receipt_number: c.receipt_number.clone(),
            name: contact.as_ref().and_then(|k| k.name.clone()),
            text: reply_text.to_owned(),
        },
        reply_key(c.id, seq),
    )
    .await?;
    if !queued {
        return Err(anyhow::anyhow!("complaint {} has no mail address to reply to", c.id).into());
    }
    advance(
        conn,
        actor,
        &c,
        c.version,
        Step {
            action: ComplaintAction::Reply,
            audit: "complaint.reply_sent",
            changes: Changes {
                reply_text: Some(reply_text),
                reply_state: Some("queued"),
                reply_seq: Some(seq),
                ..Changes::default()
            },
            details: json!({ "by": "mail", "reply": seq }),
        },
    )
    .await
}

/// A supervisor approves the reply held for approval; it is sent.
pub async fn approve_reply(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> Result<ComplaintView, ComplaintError> {
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Approve).await?;
                if c.version != version {
                    return Err(ComplaintError::VersionConflict { seen: version });
                }
                if c.reply_state.as_deref() != Some("awaiting_approval") {
                    return Err(ComplaintError::ReplyRequired(
                        "no reply is waiting for approval",
                    ));
                }
                let reply_text = c.reply_text.clone().unwrap_or_default();
                audit::record(
                    conn,
                    &caller.actor,
                    "complaint.reply_approved",
                    store::ENTITY,
                    &c.id.to_string(),
                    None,
                    None,
                )
                .await?;
                let seq = c.reply_seq;
                let c = send_reply(conn, core, &caller.actor, c, &reply_text, seq).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// Why a complaint cannot close yet: a named complaint needs its reply delivered.
fn not_replied(c: &Complaint) -> Option<&'static str> {
    if c.anonymous {
        return None;
    }
    match c.reply_state.as_deref() {
        Some("sent" | "posted") => None,
        Some("queued") => Some("the reply has not been delivered yet: close once the mail is sent"),
        Some("awaiting_approval") => Some("the reply waits for a supervisor's approval"),
        _ => Some(
            "a complaint that is not anonymous closes only after the complainant has been \
             replied to",
        ),
    }
}

/// Closes the complaint (办结). A named complaint closes only once its reply was delivered
/// (the relay accepted the mail, or the letter was recorded): 409 `complaint.reply_required`
/// otherwise.
pub async fn close(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> Result<ComplaintView, ComplaintError> {
    core.db
        .tx(|conn| {
            async move {
                let c = worked(conn, core, caller, id, Action::Handle).await?;
                if let Some(why) = not_replied(&c) {
                    return Err(ComplaintError::ReplyRequired(why));
                }
                let step = Step {
                    action: ComplaintAction::Close,
                    audit: "complaint.closed",
                    changes: Changes {
                        closed_at: Some(Utc::now()),
                        ..Changes::default()
                    },
                    details: json!({}),
                };
                let c = advance(conn, &caller.actor, &c, version, step).await?;
                met(conn, core, id, &[ACCEPTANCE, REPLY]).await?;
                view(conn, core, caller, c).await
            }
            .scope_boxed()
        })
        .await
}

/// The delivery of the current reply, as the outbox reports it: met once sent; the reply
/// step again when it failed for good.
pub(crate) async fn reply_outcome(
    conn: &mut AsyncPgConnection,
    c: &Complaint,
    delivery: Delivery,
) -> Result<(), ComplaintError> {
    let system = Actor::system("mail delivery");
    match delivery {
        Delivery::Sent => {
            store::step(
                conn,
                c.id,
                c.version,
                &c.status,
                &Changes {
                    reply_state: Some("sent"),
                    reply_sent_at: Some(Utc::now()),
                    ..Changes::default()
                },
            )
            .await?;
            audit::record(
                conn,
                &system,
                "complaint.reply_delivered",
                store::ENTITY,
                &c.id.to_string(),
                None,
                Some(json!({ "reply": c.reply_seq })),
            )
            .await?;
            let calendar = frt_store::calendars::CalendarCache::default()
                .get(conn)
                .await?;
            let held = deadlines::get(conn, store::ENTITY, c.id, REPLY).await?;
            if held.is_some_and(|d| d.met_on.is_none()) {
                deadlines::mark_met(
                    conn,
                    &calendar,
                    store::ENTITY,
                    c.id,
                    REPLY,
                    today_in_china(),
                )
                .await
                .map_err(StoreError::from)?;
            }
        }
        Delivery::Failed => {
            // Back to the step before the reply: the result, or the refusal to accept.
            let back = if c.result.is_some() {
                ComplaintStatus::ResultDecided
            } else {
                ComplaintStatus::NotAccepted
            };
            let from = typed(c)?;
            from.apply(ComplaintAction::ReplyFailed, c.anonymous)?;
            store::step(
                conn,
                c.id,
                c.version,
                back.as_str(),
                &Changes {
                    reply_state: Some("failed"),
                    ..Changes::default()
                },
            )
            .await?;
            audit::record(
                conn,
                &system,
                "complaint.reply_failed",
                store::ENTITY,
                &c.id.to_string(),
                Some(json!({ "status": from.as_str() })),
                Some(json!({ "status": back.as_str(), "reply": c.reply_seq })),
            )
            .await?;
        }
    }
    Ok(())
}

/// Opens a piece of evidence of a complaint the caller may read, after auditing the download.
pub async fn open_evidence(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    material: Uuid,
) -> Result<Download, ComplaintError> {
    caller.require(core, Resource::COMPLAINT, Action::Read, None)?;
    let m = core
        .db
        .tx(|conn| {
            async move {
                let c = readable(conn, caller, id).await?;
                let owner = Owner::of(store::ENTITY, c.id);
                let action = "complaint.evidence_downloaded";
                materials::audited(conn, &caller.actor, owner, material, action)
                    .await?
                    .ok_or(ComplaintError::Missing("material"))
            }
            .scope_boxed()
        })
        .await?;
    Ok(materials::download(core, m).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_targets_and_cursors_parse() {
        assert_eq!(
            TransferTo::parse("province:110000"),
            Some(TransferTo::Province("110000".into()))
        );
        assert_eq!(
            TransferTo::parse("public_security"),
            Some(TransferTo::PublicSecurity)
        );
        assert_eq!(
            TransferTo::parse("department:市场监管局"),
            Some(TransferTo::OtherDepartment("市场监管局".into()))
        );
        for bad in ["province:1100", "department:", "police", ""] {
            assert_eq!(TransferTo::parse(bad), None, "{bad}");
        }
    }
}
