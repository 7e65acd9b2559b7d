//! Sending (发送): every problem with a notification is listed at once; a case transfer hands
//! its recipients exactly the records it names, which must be ones the sender may see.

use super::{
    about, ack_purpose, readers_of, view, Link, NotificationError, NotificationInput,
    NotificationView, Origin, DEFAULT_ACK_WORKING_DAYS,
};
use crate::context::Core;
use crate::input::{code, Problems};
use crate::notices;
use crate::today_in_china;
use chrono::Utc;
use frt_access::Role;
use frt_domain::calendar::WorkingDays;
use frt_domain::notification::{
    self as rules, Classification, NotificationKind, MAX_ACK_WORKING_DAYS,
};
use frt_mail::NotificationNotice;
use frt_store::audit;
use frt_store::deadlines;
use frt_store::identities::{self, Agency};
use frt_store::notifications::{self as store, Notification, Recipient};
use frt_store::scope::Scope;
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

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

/// Whether the sender may name this record in a notification: one its scope may see.
async fn may_name(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    link: &Link,
) -> Result<bool, NotificationError> {
    Ok(match link.entity_type.as_str() {
        "filing" => frt_store::filings::get(conn, link.id, scope)
            .await?
            .is_some(),
        "inspection" => frt_store::inspections::get(conn, link.id, scope)
            .await?
            .is_some(),
        "complaint" => frt_store::complaints::get(conn, link.id, scope)
            .await?
            .is_some(),
        _ => false,
    })
}

async fn check(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    sender: &Agency,
    input: &NotificationInput,
) -> Result<Checked, NotificationError> {
    let mut problems = Problems::new();
    let kind = input.kind.trim().parse::<NotificationKind>().ok();
    if kind.is_none() {
        problems.invalid(
            "kind",
            "violation_notice, case_transfer, information_sharing, joint_inspection_request or feedback",
        );
    }
    // Recipients: existing agencies, each once, not the sender.
    let mut ids = input.recipients.clone();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > 50 {
        problems.invalid("recipients", "1 to 50 agencies");
    }
    if ids.contains(&sender.id) {
        problems.invalid(
            "recipients",
            "a notification goes to other agencies than the sender's",
        );
    }
    let recipients = identities::agencies_by_id(conn, &ids).await?;
    for (i, id) in input.recipients.iter().enumerate() {
        if !recipients.iter().any(|a| a.id == *id) {
            problems.add(
                &format!("recipients[{i}]"),
                code::UNKNOWN,
                "no agency with that id",
            );
        }
    }
    let classification = match input.classification.as_deref().map(str::trim) {
        None | Some("") => Some(Classification::Internal),
        Some(c) => c.parse::<Classification>().ok(),
    };
    if classification.is_none() {
        problems.invalid("classification", "public, internal or restricted");
    }
    let mut restricted_roles: Vec<String> = Vec::new();
    for (i, r) in input.restricted_roles.iter().enumerate() {
        match r.trim().parse::<Role>() {
            Ok(role) if role.is_staff() => restricted_roles.push(role.as_str().to_owned()),
            _ => problems.invalid(
                &format!("restricted_roles[{i}]"),
                "a staff role: reviewer, inspector, complaint_handler, supervisor or admin",
            ),
        }
    }
    restricted_roles.sort();
    restricted_roles.dedup();
    match classification {
        Some(Classification::Restricted) if input.restricted_roles.is_empty() => problems.required(
            "restricted_roles",
            "a restricted notification names the roles that may read it",
        ),
        Some(Classification::Public | Classification::Internal)
            if !input.restricted_roles.is_empty() =>
        {
            problems.invalid(
                "restricted_roles",
                "only a restricted notification names roles",
            )
        }
        _ => {}
    }
    let ack_working_days = match (input.ack_required, input.ack_working_days) {
        (false, None) => None,
        (false, Some(_)) => {
            problems.invalid(
                "ack_working_days",
                "set ack_required to ask for acknowledgement within working days",
            );
            None
        }
        (true, None) => Some(DEFAULT_ACK_WORKING_DAYS),
        (true, Some(n)) if (1..=MAX_ACK_WORKING_DAYS).contains(&n) => Some(n),
        (true, Some(_)) => {
            problems.invalid(
                "ack_working_days",
                &format!("1 to {MAX_ACK_WORKING_DAYS} working days"),
            );
            None
        }
    };
    let title = problems.text("title", &input.title, 200);
    let body = problems.text("body", &input.body, 20_000);
    // The processor: a registered one by id or USCC, else as named.
    let given = input.processor.clone().unwrap_or_default();
    let mut processor_uscc = problems.optional("processor.uscc", given.uscc.as_deref(), 18);
    let mut processor_name = problems.optional("processor.name", given.name.as_deref(), 200);
    let mut organisation_id = None;
    if let Some(org) = given.organisation_id {
        match identities::organisation(conn, org).await? {
            Some(o) => {
                organisation_id = Some(o.id);
                processor_uscc = Some(o.uscc);
                processor_name = Some(o.name);
            }
            None => problems.add(
                "processor.organisation_id",
                code::UNKNOWN,
                "no registered processor with that id",
            ),
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
        problems.invalid("links", "at most 50 records");
    }
    for (i, l) in input.links.iter().enumerate().take(50) {
        if !["filing", "inspection", "complaint"].contains(&l.entity_type.as_str()) {
            problems.invalid(
                &format!("links[{i}].entity_type"),
                "filing, inspection or complaint",
            );
        } else if !may_name(conn, &origin.scope, l).await? {
            problems.add(
                &format!("links[{i}].id"),
                code::UNKNOWN,
                &format!("no {} your agency may name has that id", l.entity_type),
            );
        } else if !links.contains(&(l.entity_type.clone(), l.id)) {
            links.push((l.entity_type.clone(), l.id));
        }
    }
    if kind == Some(NotificationKind::CaseTransfer) && input.links.is_empty() {
        problems.required(
            "links",
            "a case transfer hands over the records it names: name at least one",
        );
    }
    if let Some(earlier) = input.in_reply_to {
        let seen = match store::get(conn, earlier).await? {
            Some(n) => store::visible(conn, &origin.scope, &n).await?,
            None => false,
        };
        if !seen {
            problems.add(
                "in_reply_to",
                code::UNKNOWN,
                "no notification your agency sent or received has that id",
            );
        }
    }
    match (kind, classification) {
        (Some(kind), Some(classification)) if problems.is_empty() => Ok(Checked {
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
        _ => Err(NotificationError::Invalid(problems.into_vec())),
    }
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
    let c = check(conn, origin, &sender, input).await?;
    let today = today_in_china();
    let seq = store::next_seq(conn, today).await?;
    let n = store::insert(
        conn,
        &Notification {
            id: Uuid::now_v7(),
            reference: rules::reference(today, seq),
            kind: c.kind.as_str().to_owned(),
            sender_agency_id: sender.id,
            sender_user_id: origin.scope.user_id,
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
