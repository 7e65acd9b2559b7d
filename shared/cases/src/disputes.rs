//! Disputes over a USCC: a registration claiming a code another organisation holds goes to the
//! reviewers of the holder's province (`accounts::register`), who look at both and decide.
//! Upheld, the organisation passes to the claimant: its users stop working, its name and
//! contacts become the claimant's, and the claimant's admin account is made and confirms its
//! address by a mailed link. Dismissed, the holder keeps it. The claimant is told either way.

use crate::accounts::{Links, ORGANISATION_ENTITY};
use crate::caller::Caller;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use crate::notices::{self, About};
use frt_access::{Action, Resource, Role};
use frt_domain::form::FieldProblem;
use frt_mail::AccountNotice;
use frt_store::audit;
use frt_store::disputes::{self, Dispute};
use frt_store::identities::{self, NewUser, Organisation, OrganisationContacts};
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The resource of the policy: reviewers and supervisors of the province read and decide.
pub const REGISTRATION_DISPUTE: Resource = Resource::new("registration_dispute");

#[derive(Debug, thiserror::Error)]
pub enum DisputeError {
    #[error("no dispute with that id was found")]
    NotFound,
    #[error("the dispute was already decided; reload it to see the decision")]
    AlreadyDecided,
    #[error("the decision has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(DisputeError);

/// What the claimant sent, as kept with the dispute.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claimant {
    pub name: String,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub admin_email: String,
    pub admin_name: String,
    pub locale: String,
    /// The registration's warnings (e.g. a USCC check character that fails).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub warnings: serde_json::Value,
}

/// A dispute as reviewers see it: the claim beside the organisation holding the USCC.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisputeView {
    pub id: Uuid,
    pub uscc: String,
    pub province_code: String,
    /// `open`, `upheld` or `dismissed`.
    pub status: String,
    pub claimant: Claimant,
    pub holder: Organisation,
    pub note: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by: Option<Uuid>,
}

/// The reviewers' decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The claimant holds the USCC: the organisation passes to them.
    Upheld,
    /// The holder keeps it.
    Dismissed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::Dismissed => "dismissed",
        }
    }
}

async fn view(conn: &mut AsyncPgConnection, d: Dispute) -> Result<DisputeView, DisputeError> {
    let holder = identities::organisation(conn, d.organisation_id)
        .await?
        .ok_or(DisputeError::NotFound)?;
    let claimant: Claimant = serde_json::from_value(d.claimant).map_err(anyhow::Error::from)?;
    Ok(DisputeView {
        id: d.id,
        uscc: d.uscc,
        province_code: d.province_code,
        status: d.status,
        claimant,
        holder,
        note: d.note,
        created_at: d.created_at,
        decided_at: d.decided_at,
        decided_by: d.decided_by,
    })
}

/// A page of disputes, and the cursor of the next one when there may be more.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisputePage {
    pub items: Vec<DisputeView>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next: Option<String>,
}

/// The disputes of the provinces the caller works, of `status` if given, oldest first, after
/// the cursor `after`, at most `limit` (1 to 200).
pub async fn list(
    core: &Core,
    caller: &Caller,
    status: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<DisputePage, DisputeError> {
    caller.require(core, REGISTRATION_DISPUTE, Action::Read, None)?;
    let after = crate::input::cursor::<Uuid>("after", after)?;
    let limit = limit.clamp(1, 200);
    if let Some(s) = status.filter(|s| !["open", "upheld", "dismissed"].contains(s)) {
        return Err(invalid(
            "status",
            &format!("{s:?} is not open, upheld or dismissed"),
        ));
    }
    core.db
        .run(|conn| {
            async move {
                let found = disputes::list(conn, &caller.scope(), status, after, limit).await?;
                let next = crate::cursor::next(&found, limit, |d| Some(d.id));
                let mut items = Vec::with_capacity(found.len());
                for d in found {
                    items.push(view(conn, d).await?);
                }
                Ok(DisputePage { items, next })
            }
            .scope_boxed()
        })
        .await
}

/// One dispute, if the caller works its province.
pub async fn get(core: &Core, caller: &Caller, id: Uuid) -> Result<DisputeView, DisputeError> {
    caller.require(core, REGISTRATION_DISPUTE, Action::Read, None)?;
    core.db
        .run(|conn| {
            async move {
                let d = disputes::get(conn, &caller.scope(), id)
                    .await?
                    .ok_or(DisputeError::NotFound)?;
                view(conn, d).await
            }
            .scope_boxed()
        })
        .await
}

fn invalid(path: &str, message: &str) -> DisputeError {
    DisputeError::Invalid(vec![FieldProblem {
        path: path.to_owned(),
        code: frt_domain::form::code::OUT_OF_RANGE.to_owned(),
        message: message.to_owned(),
    }])
}

/// Decides an open dispute with a note the claimant reads; audited on the organisation.
pub async fn decide(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    outcome: Outcome,
    note: &str,
) -> Result<DisputeView, DisputeError> {
    let note = note.trim().to_owned();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(invalid(
            "note",
            "a note of 1 to 2000 characters is required",
        ));
    }
    let current = get(core, caller, id).await?;
    caller.require(
        core,
        REGISTRATION_DISPUTE,
        Action::Review,
        Some(&current.province_code),
    )?;
    let (actor, by) = (caller.actor.clone(), caller.principal.user_id);
    let links = Links {
        portal: core.settings.portal_url(),
    };
    let hours = core.settings.auth.confirm_hours;
    core.db
        .tx(|conn| {
            async move {
                let d = disputes::decide(conn, id, outcome.as_str(), &note, by)
                    .await?
                    .ok_or(DisputeError::AlreadyDecided)?;
                let c = current.claimant.clone();
                if outcome == Outcome::Upheld {
                    let stopped = identities::hand_over(
                        conn,
                        d.organisation_id,
                        &OrganisationContacts {
                            name: c.name.clone(),
                            contact_person: c.contact_person.clone(),
                            contact_email: c.contact_email.clone(),
                            contact_phone: c.contact_phone.clone(),
                            locale: c.locale.clone(),
                        },
                    )
                    .await?;
                    let admin = frt_access::accounts::insert(
                        conn,
                        &actor,
                        NewUser {
                            id: Uuid::now_v7(),
                            email: c.admin_email.clone(),
                            display_name: c.admin_name.clone(),
                            password_hash: d.claimant_password_hash.clone(),
                            role: Role::OrgAdmin.as_str().to_owned(),
                            organisation_id: Some(d.organisation_id),
                            agency_id: None,
                            address_confirmed: false,
                            must_change_password: false,
                        },
                    )
                    .await?;
                    crate::accounts::send_confirmation(
                        conn, &admin, &c.name, &c.locale, &links, hours,
                    )
                    .await?;
                    audit::record(
                        conn,
                        &actor,
                        "organisation.dispute_upheld",
                        ORGANISATION_ENTITY,
                        &d.organisation_id.to_string(),
                        Some(json!({ "holder": current.holder })),
                        Some(json!({
                            "dispute_id": d.id,
                            "note": note,
                            "users_stopped": stopped,
                            "admin_user_id": admin.id,
                        })),
                    )
                    .await?;
                } else {
                    audit::record(
                        conn,
                        &actor,
                        "organisation.dispute_dismissed",
                        ORGANISATION_ENTITY,
                        &d.organisation_id.to_string(),
                        None,
                        Some(json!({ "dispute_id": d.id, "note": note })),
                    )
                    .await?;
                }
                notices::mail(
                    conn,
                    &c.admin_email,
                    &c.locale,
                    &AccountNotice::DisputeDecided {
                        uscc: d.uscc.clone(),
                        upheld: outcome == Outcome::Upheld,
                        note: note.clone(),
                    },
                    About {
                        entity_type: ORGANISATION_ENTITY,
                        entity_id: d.organisation_id,
                    },
                    format!("registration:dispute:{}:decided", d.id),
                )
                .await?;
                view(conn, d).await
            }
            .scope_boxed()
        })
        .await
}
