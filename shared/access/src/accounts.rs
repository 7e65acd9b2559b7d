//! Creating accounts: the same rules whether an admin uses the API or `frtctl`.

use crate::password::{self, PasswordError};
use crate::principal::Role;
use frt_domain::contact::{ContactError, Email};
use frt_store::audit::{self, Actor};
use frt_store::identities::{self, NewUser, User};
use frt_store::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("'{0}' is not a valid email address")]
    InvalidEmail(String),
    #[error("the display name must be 1 to 100 characters")]
    InvalidName,
    #[error("role {0} cannot be given to this kind of account")]
    WrongRole(&'static str),
}

/// Where the new account belongs.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Organisation(Uuid),
    Agency(Uuid),
}

impl Owner {
    /// The zone whose accounts it joins: emails are unique within a zone only.
    pub fn zone(self) -> &'static str {
        match self {
            Self::Organisation(_) => identities::PORTAL_ZONE,
            Self::Agency(_) => identities::CASEWORK_ZONE,
        }
    }
}

/// Every problem with the inputs of a new account, without hashing anything.
pub fn problems(
    email: &str,
    display_name: &str,
    password_plain: &str,
    role: Role,
    owner: Owner,
) -> Vec<AccountError> {
    let mut found = Vec::new();
    if let Err(ContactError::Email(e)) = Email::parse(email) {
        found.push(AccountError::InvalidEmail(e));
    }
    // The length as sent, as the documents state it; a name of blanks only is no name.
    if display_name.trim().is_empty() || display_name.chars().count() > 100 {
        found.push(AccountError::InvalidName);
    }
    if let Err(e) = password::check_policy(password_plain) {
        found.push(AccountError::Password(e));
    }
    match owner {
        Owner::Organisation(_) if role.is_staff() => {
            found.push(AccountError::WrongRole(role.as_str()))
        }
        Owner::Agency(_) if !role.is_staff() => found.push(AccountError::WrongRole(role.as_str())),
        _ => {}
    }
    found
}

/// Checks and hashes the inputs of a new account (CPU-heavy: call off the async workers).
/// Refuses with the first problem; `problems` lists them all.
pub fn prepare(
    email: &str,
    display_name: &str,
    password_plain: &str,
    role: Role,
    owner: Owner,
) -> Result<NewUser, AccountError> {
    if let Some(first) = problems(email, display_name, password_plain, role, owner)
        .into_iter()
        .next()
    {
        return Err(first);
    }
    let email = Email::parse(email)
        .map_err(|_| AccountError::InvalidEmail(email.to_owned()))?
        .into_string();
    let name = display_name.trim();
    let hash = password::hash_new(password_plain)?;
    let (organisation_id, agency_id) = match owner {
        Owner::Organisation(o) => (Some(o), None),
        Owner::Agency(a) => (None, Some(a)),
    };
    Ok(NewUser {
        id: Uuid::now_v7(),
        email,
        display_name: name.to_owned(),
        password_hash: hash,
        role: role.as_str().to_owned(),
        organisation_id,
        agency_id,
        address_confirmed: true,
        must_change_password: false,
    })
}

/// Inserts a prepared account and audits it. An email already taken in the zone is the
/// database's unique violation (`users_zone_email`), which callers answer as a conflict.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    new: NewUser,
) -> frt_store::QueryResult<User> {
    let user = identities::insert_user(conn, &new).await?;
    audit::record(
        conn,
        actor,
        "user.created",
        "user",
        &user.id.to_string(),
        None,
        Some(json!({
            "email": user.email,
            "role": user.role,
            "organisation_id": user.organisation_id,
            "agency_id": user.agency_id,
        })),
    )
    .await?;
    Ok(user)
}

/// What a new account's first login asks: a password someone else set (an admin, an import,
/// an operator) is changed before anything else; a fixture's is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstLogin {
    ChangePassword,
    KeepPassword,
}

impl FirstLogin {
    /// Marks `new` accordingly.
    pub fn apply(self, mut new: NewUser) -> NewUser {
        new.must_change_password = self == Self::ChangePassword;
        new
    }
}

/// A staff account to make directly (an administrator's command, a test), in the agency of
/// that kind, name and province.
#[derive(Debug, Clone, Copy)]
pub struct NewStaff<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub agency_kind: crate::principal::AgencyKind,
    pub agency_name: &'a str,
    pub province: Option<&'a str>,
    pub first_login: FirstLogin,
}

/// Makes a staff account: its agency made first if it is new, then the account checked,
/// hashed, inserted and audited as every account is.
pub async fn create_staff(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    staff: NewStaff<'_>,
) -> anyhow::Result<User> {
    let agency = identities::ensure_agency(
        conn,
        staff.agency_kind.as_str(),
        staff.agency_name,
        staff.province,
    )
    .await?;
    let new = prepare(
        staff.email,
        staff.display_name,
        staff.password,
        staff.role,
        Owner::Agency(agency.id),
    )?;
    Ok(insert(conn, actor, staff.first_login.apply(new)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed() {
        let found = problems(
            "a@b",
            "",
            "short",
            Role::Reviewer,
            Owner::Organisation(Uuid::nil()),
        );
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn roles_match_owner() {
        let org = Owner::Organisation(Uuid::nil());
        assert!(matches!(
            prepare("a@b.cn", "A", "long enough pw", Role::Reviewer, org),
            Err(AccountError::WrongRole(_))
        ));
        let agency = Owner::Agency(Uuid::nil());
        assert!(matches!(
            prepare("a@b.cn", "A", "long enough pw", Role::Filer, agency),
            Err(AccountError::WrongRole(_))
        ));
        assert!(prepare("A@B.cn", "A", "long enough pw", Role::Reviewer, agency).is_ok());
    }
}
