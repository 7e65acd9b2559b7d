//! Accounts: a processor's self-registration, creating an account (the same rules from the
//! portal, casework and `frtctl`), and organisations and users as audited entities with their
//! jurisdiction.

use crate::context::Core;
use crate::entity::{Entity, Jurisdiction};
use crate::error::StoreError;
use async_trait::async_trait;
use frt_access::accounts::{self, AccountError, Owner};
use frt_access::Role;
use frt_domain::contact::{Email, Phone};
use frt_domain::form::FieldProblem;
use frt_domain::ids::Uscc;
use frt_domain::region::ProvinceCode;
use frt_store::audit;
use frt_store::audit::Actor;
use frt_store::identities::{self, NewOrganisation, Organisation, User};
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

/// Checks and hashes a new account's inputs off the async workers (argon2 is deliberately
/// slow), then inserts it with its audit row in one transaction.
pub async fn create(
    core: &Core,
    actor: &Actor,
    email: String,
    display_name: String,
    password: String,
    role: Role,
    owner: Owner,
) -> Result<User, NewAccountError> {
    let prepared = tokio::task::spawn_blocking(move || {
        accounts::prepare(&email, &display_name, &password, role, owner)
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

#[derive(Debug, Clone)]
pub struct Registered {
    pub organisation: Organisation,
    pub admin_user_id: Uuid,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// Every invalid field, listed at once.
    #[error("the registration has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    /// A USCC or email already registered is the store's unique violation.
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
/// derived from the USCC unless given.
pub async fn register(
    core: &Core,
    registration: Registration,
    actor: Actor,
) -> Result<Registered, RegistrationError> {
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
    let warnings_json = serde_json::to_value(&warnings).map_err(anyhow::Error::from)?;
    let (org, user_id) = core
        .db
        .tx(|conn| {
            async move {
                if !identities::region_exists(conn, province.as_str()).await? {
                    return Err(RegistrationError::Invalid(vec![field(
                        "organisation.province_code",
                        "unknown_province",
                        format!(
                            "{} is not a GB/T 2260 province code; send province_code to choose one",
                            province.as_str()
                        ),
                    )]));
                }
                // A USCC or email already registered is the database's unique violation,
                // answered as 409 in one place; two registrations at once cannot both pass.
                let org = identities::insert_organisation(conn, &new_org).await?;
                let actor = Actor {
                    label: format!("{} (registration)", new_user.email),
                    ..actor
                };
                audit::record(
                    conn,
                    &actor,
                    "organisation.registered",
                    ORGANISATION_ENTITY,
                    &org.id.to_string(),
                    None,
                    Some(json!({ "organisation": org, "warnings": warnings_json })),
                )
                .await?;
                let user = accounts::insert(conn, &actor, new_user).await?;
                Ok((org, user.id))
            }
            .scope_boxed()
        })
        .await?;
    Ok(Registered {
        organisation: org,
        admin_user_id: user_id,
        warnings,
    })
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
