//! The complainant's own view (查询): the status, the dates and, once sent, the reply, for the
//! receipt number and access code — an unknown receipt and a wrong code answer alike, and
//! repeated wrong codes for one receipt, or from one address, wait like failed logins. The
//! complainant may add evidence the same way until the complaint is accepted.

use super::{typed, ComplaintError};
use crate::context::Core;
use crate::materials::{self, Owner, Received};
use chrono::{DateTime, Utc};
use frt_domain::complaint::{self as rules, ComplaintStatus};
use frt_store::audit::Actor;
use frt_store::complaints::{self as store, Complaint};
use frt_store::materials::Material;
use frt_store::scope::Scope;
use frt_store::{audit, deadlines, identities, throttle, AsyncPgConnection, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// The throttling zone of access codes.
const ZONE: &str = "complaint";

/// At most this many pieces of evidence per complaint.
pub const MAX_EVIDENCE: usize = 10;

/// A typed access code, cut to a sane length before it is hashed.
pub fn bounded_code(code: &str) -> String {
    code.chars().take(40).collect()
}

/// What the complainant sees.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    pub receipt_number: String,
    pub status: String,
    pub status_zh: String,
    pub received_at: DateTime<Utc>,
    /// The day the reply is due (working days from receipt), while it is not yet sent.
    #[schema(value_type = Option<String>, format = Date)]
    pub reply_due: Option<chrono::NaiveDate>,
    /// Where it was transferred (a province, public security, another department).
    pub transferred_to: Option<String>,
    /// The reply, once sent.
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Evidence given so far (names only).
    pub evidence: Vec<String>,
    /// The complainant's rating of the handling (回访): satisfied, basically_satisfied or
    /// dissatisfied; given once, after the reply.
    #[schema(pattern = "^(satisfied|basically_satisfied|dissatisfied)$")]
    pub rating: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
    /// Whether the handling can be rated now (the reply was sent, no rating yet).
    pub can_rate: bool,
}

/// The ratings a complainant can give (回访), as 12345 hotlines ask them.
pub const RATINGS: [&str; 3] = ["satisfied", "basically_satisfied", "dissatisfied"];

/// Checks the code for the receipt. Each try is counted before it is judged, against the
/// receipt from this address and against the address: a guesser is held back, never the
/// complainant asking from elsewhere. A right code clears the first count and takes its try
/// back from the second.
async fn verified(
    conn: &mut AsyncPgConnection,
    core: &Core,
    receipt: &str,
    code: &str,
    source: &str,
) -> Result<Complaint, ComplaintError> {
    let c = &core.settings.complaints;
    let window = c.lookup_window_minutes * 60;
    let mut counts = Vec::with_capacity(2);
    for (name, limit) in [
        (receipt, c.max_failed_lookups),
        (throttle::EVERYWHERE, c.max_failed_lookups_per_address),
    ] {
        match throttle::attempt(conn, ZONE, name, source, limit, window, window).await? {
            throttle::Attempt::Blocked { until } => {
                return Err(ComplaintError::TooManyLookups {
                    retry_after_secs: (until - Utc::now()).num_seconds().max(1),
                })
            }
            throttle::Attempt::Allowed { count } => counts.push((name, limit, count)),
        }
    }
    let found = if rules::is_receipt_number(receipt) {
        store::by_receipt(conn, receipt).await?
    } else {
        None
    };
    let secrets = match &found {
        Some(c) => store::secrets(conn, c.id).await?,
        None => None,
    };
    // The code is hashed whether or not the receipt exists, with the row's own algorithm.
    let alg = secrets
        .as_ref()
        .and_then(|s| frt_access::suite::HashAlg::parse(&s.access_code_alg))
        .unwrap_or(core.data_key.suite().hash());
    let digest = super::access_digest(alg, code);
    let stored = secrets.map(|s| s.access_code_hash).unwrap_or_default();
    match found {
        Some(c) if constant_time_eq(&stored, &digest) => {
            throttle::clear(conn, ZONE, receipt, source).await?;
            throttle::forgive(conn, ZONE, throttle::EVERYWHERE, source).await?;
            Ok(c)
        }
        _ => {
            for (name, limit, count) in counts {
                throttle::failed(conn, ZONE, name, source, count, limit, window).await?;
            }
            Err(ComplaintError::NoMatch)
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The complaint's status for its receipt number and access code. The count of wrong codes
/// is kept even though the answer is a refusal, so it runs in its own transaction.
pub async fn status(
    core: &Core,
    receipt: &str,
    code: &str,
    source: &str,
) -> Result<PublicStatus, ComplaintError> {
    // Only the complaint the code belongs to: never another one it may be linked to.
    let shown = core
        .db
        .tx(|conn| {
            async move {
                Ok::<_, ComplaintError>(match verified(conn, core, receipt, code, source).await {
                    Ok(c) => Ok(c),
                    Err(e @ (ComplaintError::NoMatch | ComplaintError::TooManyLookups { .. })) => {
                        Err(e)
                    }
                    Err(e) => return Err(e),
                })
            }
            .scope_boxed()
        })
        .await??;
    core.db
        .run(|conn| {
            async move {
                let status = typed(&shown)?;
                let reply_sent = matches!(shown.reply_state.as_deref(), Some("sent" | "posted"));
                let reply_due = if status.is_open() && !reply_sent {
                    deadlines::get(conn, store::ENTITY, shown.id, super::REPLY)
                        .await?
                        .map(|d| d.due_date)
                } else {
                    None
                };
                let evidence = frt_store::materials::of(conn, store::ENTITY, shown.id)
                    .await?
                    .into_iter()
                    .map(|m| m.filename)
                    .collect();
                let rating = store::rating_of(conn, shown.id).await?;
                Ok(PublicStatus {
                    can_rate: reply_sent && rating.is_none(),
                    rated_at: rating.as_ref().map(|r| r.rated_at),
                    rating: rating.map(|r| r.rating),
                    receipt_number: shown.receipt_number,
                    status: status.as_str().to_owned(),
                    status_zh: status.name_zh().to_owned(),
                    received_at: shown.received_at,
                    reply_due,
                    transferred_to: shown.transferred_to,
                    reply: if reply_sent { shown.reply_text } else { None },
                    replied_at: if reply_sent {
                        shown.reply_sent_at
                    } else {
                        None
                    },
                    closed_at: shown.closed_at,
                    evidence,
                })
            }
            .scope_boxed()
        })
        .await
}

/// The complainant rates the handling (满意 / 基本满意 / 不满意, with a comment) with the receipt
/// number and access code, once the reply is sent and only once; recorded and audited. A
/// 不满意 is mailed to the province's supervisors, whose complaint queue lists it
/// (`rating=dissatisfied`).
pub async fn rate(
    core: &Core,
    actor: &Actor,
    receipt: &str,
    code: &str,
    source: &str,
    rating: &str,
    comment: Option<&str>,
) -> Result<PublicStatus, ComplaintError> {
    let mut problems = crate::input::Problems::new();
    if !RATINGS.contains(&rating) {
        problems.add(
            "rating",
            frt_domain::form::code::OUT_OF_RANGE,
            "rating is satisfied, basically_satisfied or dissatisfied",
        );
    }
    if comment.is_some_and(|c| c.chars().count() > 1000) {
        problems.add(
            "comment",
            frt_domain::form::code::TOO_LONG,
            "the comment is at most 1,000 characters",
        );
    }
    problems.finish(())?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let outcome = core
        .db
        .tx(|conn| {
            async move {
                let c = match verified(conn, core, receipt, code, source).await {
                    Ok(c) => c,
                    // The count of wrong codes stays, though the answer is a refusal.
                    Err(e @ (ComplaintError::NoMatch | ComplaintError::TooManyLookups { .. })) => {
                        return Ok(Err(e))
                    }
                    Err(e) => return Err(e),
                };
                let reply_sent = matches!(c.reply_state.as_deref(), Some("sent" | "posted"));
                if !reply_sent {
                    return Ok(Err(ComplaintError::NotYetReplied));
                }
                if !store::rate(conn, c.id, &c.province_code, rating, comment).await? {
                    return Ok(Err(ComplaintError::AlreadyRated));
                }
                audit::record(
                    conn,
                    actor,
                    "complaint.rated",
                    store::ENTITY,
                    &c.id.to_string(),
                    None,
                    Some(json!({ "rating": rating, "comment_given": comment.is_some() })),
                )
                .await?;
                if rating == "dissatisfied" {
                    let notice = frt_mail::ComplaintNotice::Dissatisfied {
                        receipt_number: c.receipt_number.clone(),
                        comment: comment.map(str::to_owned),
                    };
                    for s in identities::supervisors_of(conn, &c.province_code).await? {
                        crate::notices::mail(
                            conn,
                            &s.email,
                            &s.locale,
                            &notice,
                            crate::notices::About {
                                entity_type: store::ENTITY,
                                entity_id: c.id,
                            },
                            format!("complaint:{}:dissatisfied:{}", c.id, s.email),
                        )
                        .await?;
                    }
                }
                Ok(Ok(()))
            }
            .scope_boxed()
        })
        .await?;
    outcome?;
    status(core, receipt, code, source).await
}

/// Refuses early (before any byte is read) unless the code is right and evidence is still
/// taken.
pub async fn check_evidence_open(
    core: &Core,
    receipt: &str,
    code: &str,
    source: &str,
) -> Result<(), ComplaintError> {
    let c = status_for_evidence(core, receipt, code, source).await?;
    let id = c.id;
    let n = core
        .db
        .run(|conn| evidence_count(conn, id).scope_boxed())
        .await?;
    if n >= MAX_EVIDENCE {
        return Err(ComplaintError::EvidenceClosed { max: MAX_EVIDENCE });
    }
    Ok(())
}

async fn status_for_evidence(
    core: &Core,
    receipt: &str,
    code: &str,
    source: &str,
) -> Result<Complaint, ComplaintError> {
    let c = core
        .db
        .tx(|conn| {
            async move {
                Ok::<_, ComplaintError>(verified(conn, core, receipt, code, source).await)
            }
            .scope_boxed()
        })
        .await??;
    if typed(&c)? != ComplaintStatus::Received {
        return Err(ComplaintError::EvidenceClosed { max: MAX_EVIDENCE });
    }
    Ok(c)
}

/// Records a received file as evidence of the complaint (the blob is removed again if it
/// cannot be recorded).
pub async fn add_evidence(
    core: &Core,
    actor: &Actor,
    receipt: &str,
    code: &str,
    source: &str,
    received: Received,
) -> Result<Material, ComplaintError> {
    let c = match status_for_evidence(core, receipt, code, source).await {
        Ok(c) => c,
        Err(e) => {
            core.blobs.remove(&received.blob.key).await;
            return Err(e);
        }
    };
    materials::attaching(core, received, |received| {
        core.db.tx(|conn| {
            async move {
                let c = store::get_for_update(conn, c.id, &Scope::PLATFORM)
                    .await?
                    .ok_or(ComplaintError::NotFound)?;
                if typed(&c)? != ComplaintStatus::Received
                    || evidence_count(conn, c.id).await? >= MAX_EVIDENCE
                {
                    return Err(ComplaintError::EvidenceClosed { max: MAX_EVIDENCE });
                }
                let owner = Owner::of(store::ENTITY, c.id);
                Ok(materials::record(
                    conn,
                    actor,
                    owner,
                    None,
                    received,
                    "complaint.evidence_given",
                )
                .await?)
            }
            .scope_boxed()
        })
    })
    .await
}

/// How many pieces of evidence a complaint holds.
async fn evidence_count(conn: &mut AsyncPgConnection, id: Uuid) -> Result<usize, ComplaintError> {
    let n = frt_store::materials::count(conn, store::ENTITY, id).await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}
