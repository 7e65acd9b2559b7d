//! Accounts: a processor's self-registration, creating an account (the same rules from the
//! portal, casework and `frtctl`), and organisations and users as audited entities with their
//! jurisdiction.

use crate::context::Core;
use crate::entity::{Entity, Jurisdiction};
use crate::error::StoreError;
use crate::notices::{self, About};
use async_trait::async_trait;
use frt_access::accounts::{self, AccountError, FirstLogin, Owner};
use frt_access::token;
use frt_access::Role;
use frt_domain::contact::{Email, Phone};
use frt_domain::form::FieldProblem;
use frt_domain::ids::Uscc;
use frt_domain::region::ProvinceCode;
use frt_mail::AccountNotice;
use frt_store::audit;
use frt_store::audit::Actor;
use frt_store::disputes;
use frt_store::identities::{self, LinkPurpose, NewOrganisation, NewUser, Organisation, User};
use frt_store::{AsyncPgConnection, QueryError, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum NewAccountError {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    /// The email is taken in the zone: the store's unique violation (`users_zone_email`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<frt_store::DbError> for NewAccountError {
    fn from(e: frt_store::DbError) -> Self {
        Self::Store(e.into())
    }
}

impl From<QueryError> for NewAccountError {
    fn from(e: QueryError) -> Self {
        Self::Store(e.into())
    }
}

/// An account someone makes for someone else.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub owner: Owner,
    pub first_login: FirstLogin,
}

/// Checks and hashes a new account's inputs off the async workers (argon2 is deliberately
/// slow), then inserts it with its audit row in one transaction.
pub async fn create(
    core: &Core,
    actor: &Actor,
    account: NewAccount,
) -> Result<User, NewAccountError> {
    let NewAccount {
        email,
        display_name,
        password,
        role,
        owner,
        first_login,
    } = account;
    let prepared = tokio::task::spawn_blocking(move || {
        accounts::prepare(&email, &display_name, &password, role, owner)
            .map(|u| first_login.apply(u))
    })
    .await
    .map_err(|e| StoreError::Internal(e.into()))??;
    let actor = actor.clone();
    core.db
        .tx(|conn| {
            async move { Ok::<_, NewAccountError>(accounts::insert(conn, &actor, prepared).await?) }
                .scope_boxed()
        })
        .await
}

/// A processor's self-registration (个人信息处理者注册): its organisation and first admin.
#[derive(Debug, Clone)]
pub struct Registration {
    pub organisation: NewOrganisationInput,
    pub admin_email: String,
    pub admin_name: String,
    pub admin_password: String,
}

/// The organisation as the registrant describes it.
#[derive(Debug, Clone)]
pub struct NewOrganisationInput {
    pub name: String,
    pub uscc: String,
    /// Omitted: derived from the USCC; given: confirmed.
    pub province_code: Option<String>,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub locale: Option<String>,
}

/// Something a reviewer will look at, though the registration went through.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

/// Where the portal's pages are, for the links a registration's mail carries.
#[derive(Debug, Clone)]
pub struct Links {
    /// The portal's base address, e.g. `https://frt.example.gov.cn`.
    pub portal: String,
}

impl Links {
    /// The page confirming a registration's address with `token`.
    pub fn confirm(&self, token: &str) -> String {
        format!("{}/register/confirm/{token}", self.portal)
    }

    fn login(&self) -> String {
        format!("{}/login", self.portal)
    }

    fn reset(&self) -> String {
        format!("{}/password-reset", self.portal)
    }
}

/// What became of a registration. The registrant is told only by mail, so that the answer
/// says nothing of which organisations and addresses are on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new organisation, pending until its admin confirms the address from the mail.
    Pending {
        organisation_id: Uuid,
        admin_user_id: Uuid,
    },
    /// The same admin registered the same pending organisation again: a new link was mailed.
    Resent { organisation_id: Uuid },
    /// The address already has an account: nothing was made; its owner was told.
    AddressTaken,
    /// The USCC is held by another organisation: the claim is a dispute for the reviewers.
    Disputed {
        dispute_id: Uuid,
        organisation_id: Uuid,
    },
}

#[derive(Debug, Clone)]
pub struct Registered {
    pub outcome: Outcome,
    /// Mailed to: the admin's address.
    pub mailed_to: String,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// Every invalid field, listed at once.
    #[error("the registration has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    /// Too many registrations from the address (`auth.registrations_per_hour`).
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
    /// The confirmation link is unknown, used or expired.
    #[error(
        "the link has expired or was used; register again with the same details for a new one"
    )]
    LinkExpired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<frt_store::DbError> for RegistrationError {
    fn from(e: frt_store::DbError) -> Self {
        Self::Store(e.into())
    }
}

impl From<QueryError> for RegistrationError {
    fn from(e: QueryError) -> Self {
        Self::Store(e.into())
    }
}

impl From<anyhow::Error> for RegistrationError {
    fn from(e: anyhow::Error) -> Self {
        Self::Store(StoreError::Internal(e))
    }
}

fn field(path: &str, code: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        path: path.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Registers an organisation and its first admin. A USCC with a bad check character is kept
/// with a warning a reviewer sees, never silently accepted or rejected; the province is
/// derived from the USCC unless given. Registrations from `source` are held to
/// `auth.registrations_per_hour`.
///
/// Valid input is always answered alike, and what happened is mailed to the admin's address
/// (`Outcome`): a new organisation stays pending, and its admin cannot log in, until the
/// mailed link confirms the address; a taken address makes nothing; a USCC another
/// organisation holds becomes a dispute for the province's reviewers.
pub async fn register(
    core: &Core,
    registration: Registration,
    actor: Actor,
    source: &str,
    links: &Links,
) -> Result<Registered, RegistrationError> {
    crate::limits::take(core, crate::limits::Limit::Registration, source).await?;
    let Registration {
        organisation: o,
        admin_email,
        admin_name,
        admin_password,
    } = registration;
    let mut errors = Vec::new();
    let name = o.name.trim().to_owned();
    if name.is_empty() || o.name.chars().count() > 200 {
        errors.push(field(
            "organisation.name",
            "required",
            "the organisation's name is required (at most 200 characters)",
        ));
    }
    let uscc = match Uscc::parse(&o.uscc) {
        Ok(u) => Some(u),
        Err(e) => {
            errors.push(field("organisation.uscc", "invalid_uscc", e.to_string()));
            None
        }
    };
    let derived = uscc.as_ref().map(|u| u.area_code().province());
    let chosen = match o.province_code.as_deref().map(str::trim) {
        Some(p) => match ProvinceCode::parse(p) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(field(
                    "organisation.province_code",
                    "invalid_province",
                    e.to_string(),
                ));
                None
            }
        },
        None => derived.clone(),
    };
    let confirmed = o.province_code.is_some();
    let contact_person = o.contact_person.trim().to_owned();
    if contact_person.is_empty() || o.contact_person.chars().count() > 100 {
        errors.push(field(
            "organisation.contact_person",
            "required",
            "a contact person is required (at most 100 characters)",
        ));
    }
    let contact_email = Email::parse(&o.contact_email).map_err(|_| {
        errors.push(field(
            "organisation.contact_email",
            "invalid_email",
            "the contact email is not a valid address",
        ))
    });
    let contact_phone = Phone::parse(&o.contact_phone).map_err(|_| {
        errors.push(field(
            "organisation.contact_phone",
            "invalid_phone",
            "the contact phone must be 7 to 20 digits, with optional + - ( ) and spaces",
        ))
    });
    let locale = match o.locale.as_deref().map(str::trim) {
        None => frt_mail::Locale::ZhCn,
        Some(l) => l.parse().unwrap_or_else(|e: String| {
            errors.push(field("organisation.locale", "invalid_locale", e));
            frt_mail::Locale::ZhCn
        }),
    };
    let owner = Owner::Organisation(Uuid::nil());
    for problem in accounts::problems(
        &admin_email,
        &admin_name,
        &admin_password,
        Role::OrgAdmin,
        owner,
    ) {
        errors.push(match problem {
            AccountError::InvalidEmail(_) => field(
                "admin.email",
                "invalid_email",
                "the admin's email is not a valid address",
            ),
            AccountError::InvalidName => field(
                "admin.display_name",
                "required",
                "the admin's name is required (at most 100 characters)",
            ),
            AccountError::Password(p) => field("admin.password", "weak_password", p.to_string()),
            AccountError::WrongRole(_) => continue,
        });
    }
    // Hashing is slow: only for otherwise valid input, and off the async workers.
    let new_user = if errors.is_empty() {
        Some(
            tokio::task::spawn_blocking(move || {
                accounts::prepare(
                    &admin_email,
                    &admin_name,
                    &admin_password,
                    Role::OrgAdmin,
                    owner,
                )
            })
            .await
            .map_err(|e| StoreError::Internal(e.into()))?
            .map_err(|e| StoreError::Internal(e.into()))?,
        )
    } else {
        None
    };
    let (
        Some(uscc),
        Some(province),
        Some(mut new_user),
        Ok(contact_email),
        Ok(contact_phone),
        true,
    ) = (
        uscc,
        chosen,
        new_user,
        contact_email,
        contact_phone,
        errors.is_empty(),
    )
    else {
        return Err(RegistrationError::Invalid(errors));
    };
    let actor = Actor {
        label: format!("registration {}", uscc.as_str()),
        ..actor
    };
    let org_id = Uuid::now_v7();
    new_user.organisation_id = Some(org_id);
    let mut warnings = Vec::new();
    if !uscc.checksum_ok() {
        warnings.push(Warning {
            code: "uscc.checksum".into(),
            message: format!(
                "the USCC's check character should be '{}'; the code is kept and a reviewer will verify it",
                uscc.expected_check_char()
            ),
        });
    }
    if derived.as_ref().is_some_and(|d| *d != province) {
        warnings.push(Warning {
            code: "province.differs_from_uscc".into(),
            message:
                "the province given differs from the one in the USCC; a reviewer will verify it"
                    .into(),
        });
    }
    let new_org = NewOrganisation {
        id: org_id,
        name,
        uscc: uscc.as_str().to_owned(),
        uscc_checksum_ok: uscc.checksum_ok(),
        province_code: province.as_str().to_owned(),
        province_confirmed: confirmed,
        contact_person,
        contact_email: contact_email.into_string(),
        contact_phone: contact_phone.into_string(),
        locale: locale.as_str().to_owned(),
    };
    new_user.address_confirmed = false;
    let mailed_to = new_user.email.clone();
    let warnings_json = serde_json::to_value(&warnings).map_err(anyhow::Error::from)?;
    let claim = Claim {
        org: new_org,
        user: new_user,
        province: province.as_str().to_owned(),
        warnings: warnings_json,
        locale: locale.as_str().to_owned(),
    };
    let hours = core.settings.auth.confirm_hours;
    let attempt = {
        let (claim, actor, links) = (claim.clone(), actor.clone(), links.clone());
        core.db
            .tx(|conn| {
                async move { settle(conn, claim, &actor, &links, hours).await }.scope_boxed()
            })
            .await
    };
    let outcome = match attempt {
        Ok(outcome) => outcome,
        // Another registration with the same address committed first: nothing of this one
        // stays, and the address's owner is told as for any taken address.
        Err(RegistrationError::Store(StoreError::Db(frt_store::DbError::Query(e))))
            if frt_store::db::unique_violation(&e) == Some("users_zone_email") =>
        {
            core.db
                .tx(|conn| {
                    async move {
                        address_taken(conn, &claim.user.email, &claim.locale, &actor, links)
                            .await?;
                        Ok::<_, RegistrationError>(Outcome::AddressTaken)
                    }
                    .scope_boxed()
                })
                .await?
        }
        Err(e) => return Err(e),
    };
    Ok(Registered {
        outcome,
        mailed_to,
        warnings,
    })
}

/// A registration checked and hashed, ready to settle.
#[derive(Debug, Clone)]
struct Claim {
    org: NewOrganisation,
    user: NewUser,
    province: String,
    warnings: serde_json::Value,
    locale: String,
}

/// Settles a registration in one transaction (see `register`).
async fn settle(
    conn: &mut AsyncPgConnection,
    claim: Claim,
    actor: &Actor,
    links: &Links,
    hours: i64,
) -> Result<Outcome, RegistrationError> {
    let Claim {
        org: new_org,
        user: new_user,
        province,
        warnings,
        locale,
    } = claim;
    if !identities::region_exists(conn, &province).await? {
        return Err(RegistrationError::Invalid(vec![field(
            "organisation.province_code",
            "unknown_province",
            format!(
                "{province} is not a GB/T 2260 province code; send province_code to choose one"
            ),
        )]));
    }
    let actor = Actor {
        label: format!("{} (registration)", new_user.email),
        ..actor.clone()
    };
    if let Some(holder) =
        identities::user_by_email(conn, identities::PORTAL_ZONE, &new_user.email).await?
    {
        // The same admin registering the same organisation again, before confirming: a new link.
        let same_pending = match (holder.address_confirmed, holder.organisation_id) {
            (false, Some(o)) => identities::organisation(conn, o)
                .await?
                .filter(|o| o.uscc == new_org.uscc && o.status == "pending"),
            _ => None,
        };
        if let Some(org) = same_pending {
            send_confirmation(conn, &holder, &org.name, &org.locale, links, hours).await?;
            audit::record(
                conn,
                &actor,
                "organisation.confirmation_resent",
                ORGANISATION_ENTITY,
                &org.id.to_string(),
                None,
                None,
            )
            .await?;
            return Ok(Outcome::Resent {
                organisation_id: org.id,
            });
        }
        address_taken(conn, &new_user.email, &holder.locale, &actor, links).await?;
        return Ok(Outcome::AddressTaken);
    }
    let Some(org) = identities::claim_uscc(conn, &new_org).await? else {
        let holder = identities::organisation_by_uscc(conn, &new_org.uscc)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the USCC {} is held by nobody", new_org.uscc))?;
        let claimant = json!({
            "name": new_org.name,
            "contact_person": new_org.contact_person,
            "contact_email": new_org.contact_email,
            "contact_phone": new_org.contact_phone,
            "admin_email": new_user.email,
            "admin_name": new_user.display_name,
            "locale": locale,
            "warnings": warnings,
        });
        let dispute = disputes::insert(
            conn,
            &disputes::NewDispute {
                id: Uuid::now_v7(),
                organisation_id: holder.id,
                province_code: holder.province_code.clone(),
                uscc: holder.uscc.clone(),
                claimant: claimant.clone(),
                claimant_password_hash: new_user.password_hash.clone(),
            },
        )
        .await?;
        notices::mail(
            conn,
            &new_user.email,
            &locale,
            &AccountNotice::RegistrationDisputed {
                organisation: new_org.name.clone(),
                uscc: holder.uscc.clone(),
            },
            About {
                entity_type: ORGANISATION_ENTITY,
                entity_id: holder.id,
            },
            format!("registration:dispute:{}", dispute.id),
        )
        .await?;
        audit::record(
            conn,
            &actor,
            "organisation.registration_disputed",
            ORGANISATION_ENTITY,
            &holder.id.to_string(),
            None,
            Some(json!({ "dispute_id": dispute.id, "claimant": claimant })),
        )
        .await?;
        return Ok(Outcome::Disputed {
            dispute_id: dispute.id,
            organisation_id: holder.id,
        });
    };
    audit::record(
        conn,
        &actor,
        "organisation.registered",
        ORGANISATION_ENTITY,
        &org.id.to_string(),
        None,
        Some(json!({ "organisation": org, "warnings": warnings })),
    )
    .await?;
    let user = accounts::insert(conn, &actor, new_user).await?;
    send_confirmation(conn, &user, &org.name, &org.locale, links, hours).await?;
    Ok(Outcome::Pending {
        organisation_id: org.id,
        admin_user_id: user.id,
    })
}

/// Mails `user` a link confirming the address, in `locale` (the organisation's language),
/// which works once for `hours`.
pub(crate) async fn send_confirmation(
    conn: &mut AsyncPgConnection,
    user: &User,
    organisation: &str,
    locale: &str,
    links: &Links,
    hours: i64,
) -> Result<(), QueryError> {
    let (tok, hash) = token::issue();
    let expires_at = chrono::Utc::now() + chrono::Duration::hours(hours);
    identities::insert_reset(conn, LinkPurpose::Confirm, &hash, user.id, expires_at).await?;
    notices::mail_private(
        conn,
        &user.email,
        locale,
        &AccountNotice::ConfirmAddress {
            organisation: organisation.to_owned(),
            link: links.confirm(&tok),
            hours,
        },
        About {
            entity_type: "user",
            entity_id: user.id,
        },
        format!("account:{}:confirm:{}", user.id, hex::encode(&hash[..8])),
    )
    .await?;
    Ok(())
}

/// Tells the owner of `email` that someone registered with it; nothing else happens.
async fn address_taken(
    conn: &mut AsyncPgConnection,
    email: &str,
    locale: &str,
    actor: &Actor,
    links: &Links,
) -> Result<(), QueryError> {
    let Some(owner) = identities::user_by_email(conn, identities::PORTAL_ZONE, email).await? else {
        return Ok(());
    };
    notices::mail(
        conn,
        email,
        if owner.locale.is_empty() {
            locale
        } else {
            &owner.locale
        },
        &AccountNotice::AlreadyRegistered {
            email: email.to_owned(),
            login_link: links.login(),
            reset_link: links.reset(),
        },
        About {
            entity_type: "user",
            entity_id: owner.id,
        },
        format!("registration:taken:{}", Uuid::now_v7()),
    )
    .await?;
    audit::record(
        conn,
        actor,
        "user.registration_with_taken_address",
        "user",
        &owner.id.to_string(),
        None,
        None,
    )
    .await
}

/// Confirms a registration's address with the mailed link's token (once, before it expires):
/// the admin can log in from now on and the organisation is active.
pub async fn confirm(
    core: &Core,
    token_text: &str,
    actor: &Actor,
) -> Result<Organisation, RegistrationError> {
    if token_text.chars().count() > 256 {
        return Err(RegistrationError::Invalid(vec![field(
            "token",
            "too_long",
            "a link's token is at most 256 characters",
        )]));
    }
    let digest = token::digest(token_text.trim());
    let actor = actor.clone();
    core.db
        .tx(|conn| {
            async move {
                let user_id = identities::take_reset(conn, LinkPurpose::Confirm, &digest)
                    .await?
                    .ok_or(RegistrationError::LinkExpired)?;
                let org = confirm_owner(conn, user_id, &actor)
                    .await?
                    .ok_or(RegistrationError::LinkExpired)?;
                Ok(org)
            }
            .scope_boxed()
        })
        .await
}

/// The account's address is proven (a confirmation or reset link mailed to it was followed):
/// the account may log in, and its pending organisation becomes active; audited. Answers the
/// organisation; `None` when the account is gone or stopped.
pub(crate) async fn confirm_owner(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    actor: &Actor,
) -> Result<Option<Organisation>, QueryError> {
    let Some(user) = identities::user_by_id(conn, user_id)
        .await?
        .filter(|u| u.active)
    else {
        return Ok(None);
    };
    let actor = Actor {
        user_id: Some(user.id),
        label: format!("{} (address confirmation)", user.email),
        ..actor.clone()
    };
    if identities::confirm_address(conn, user.id).await? {
        // A confirmation link not mailed yet would only confuse: the address is proven.
        frt_store::outbox::withdraw(conn, "user", user.id, "account.confirm_address").await?;
        audit::record(
            conn,
            &actor,
            "user.address_confirmed",
            "user",
            &user.id.to_string(),
            None,
            None,
        )
        .await?;
    }
    let Some(org_id) = user.organisation_id else {
        return Ok(None);
    };
    if identities::activate_organisation(conn, org_id).await? {
        audit::record(
            conn,
            &actor,
            "organisation.activated",
            ORGANISATION_ENTITY,
            &org_id.to_string(),
            None,
            Some(json!({ "status": "active" })),
        )
        .await?;
    }
    identities::organisation(conn, org_id).await
}

/// Entity type of processors (organisations) in the audit trail.
pub const ORGANISATION_ENTITY: &str = "organisation";

/// Organisations (processors) in the audit trail: they belong to their province.
pub struct OrganisationEntity;

#[async_trait]
impl Entity for OrganisationEntity {
    fn name(&self) -> &'static str {
        ORGANISATION_ENTITY
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(identities::organisation(conn, id)
            .await?
            .map(|o| Jurisdiction::Province(o.province_code)))
    }
}

/// Users in the audit trail: a processor's user belongs to its organisation's province, staff
/// to their agency's (national staff to the whole country).
pub struct UserEntity;

#[async_trait]
impl Entity for UserEntity {
    fn name(&self) -> &'static str {
        "user"
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        let Some(user) = identities::user(conn, id).await? else {
            return Ok(None);
        };
        if let Some(org) = user.organisation_id {
            return OrganisationEntity.jurisdiction(conn, org).await;
        }
        let agency = match user.agency_id {
            Some(a) => identities::agency(conn, a).await?,
            None => None,
        };
        Ok(agency.map(|a| match a.province_code {
            Some(p) => Jurisdiction::Province(p),
            None => Jurisdiction::National,
        }))
    }
}
