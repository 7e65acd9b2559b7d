//! Identities: regions (reference data), agencies, processor organisations, users and their
//! bearer sessions.

use crate::schema::{agencies, organisations, password_resets, regions, sessions, users};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// Loads (or refreshes) the province table from reference data.
pub async fn load_regions(
    conn: &mut AsyncPgConnection,
    version: &str,
    rows: &[(String, String, String)],
) -> QueryResult<usize> {
    let values: Vec<_> = rows
        .iter()
        .map(|(code, name, name_en)| {
            (
                regions::code.eq(code),
                regions::name.eq(name),
                regions::name_en.eq(name_en),
                regions::version.eq(version),
            )
        })
        .collect();
    diesel::insert_into(regions::table)
        .values(&values)
        .on_conflict(regions::code)
        .do_update()
        .set((
            regions::name.eq(diesel::upsert::excluded(regions::name)),
            regions::name_en.eq(diesel::upsert::excluded(regions::name_en)),
            regions::version.eq(diesel::upsert::excluded(regions::version)),
        ))
        .execute(conn)
        .await
}

pub async fn region_exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(regions::table.find(code)))
        .get_result(conn)
        .await
}

/// The Chinese name of a province in the loaded table.
pub async fn region_name(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<String>> {
    regions::table
        .find(code)
        .select(regions::name)
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub province_code: Option<String>,
    pub created_at: DateTime<Utc>,
    /// national, provincial, municipal or county.
    pub level: String,
    /// The agency above it (a city's public security bureau under the province's department).
    pub parent_id: Option<Uuid>,
}

/// Finds an agency by name or creates it.
pub async fn ensure_agency(
    conn: &mut AsyncPgConnection,
    kind: &str,
    name: &str,
    province_code: Option<&str>,
) -> QueryResult<Agency> {
    if let Some(a) = agencies::table
        .filter(agencies::name.eq(name))
        .select(Agency::as_select())
        .first(conn)
        .await
        .optional()?
    {
        return Ok(a);
    }
    diesel::insert_into(agencies::table)
        .values((
            agencies::id.eq(Uuid::now_v7()),
            agencies::kind.eq(kind),
            agencies::name.eq(name),
            agencies::province_code.eq(province_code),
            agencies::level.eq(if kind == "national_cac" {
                "national"
            } else {
                "provincial"
            }),
        ))
        .returning(Agency::as_returning())
        .get_result(conn)
        .await
}

/// Every agency, by kind, province and name.
pub async fn agencies(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Agency>> {
    agencies::table
        .order((agencies::kind, agencies::province_code, agencies::name))
        .select(Agency::as_select())
        .load(conn)
        .await
}

/// The agencies with these ids (those that exist).
pub async fn agencies_by_id(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<Agency>> {
    agencies::table
        .filter(agencies::id.eq_any(ids))
        .select(Agency::as_select())
        .load(conn)
        .await
}

/// Places an agency in the hierarchy: its level and the agency above it.
pub async fn set_agency_place(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    level: &str,
    parent: Option<Uuid>,
) -> QueryResult<usize> {
    diesel::update(agencies::table.find(id))
        .set((agencies::level.eq(level), agencies::parent_id.eq(parent)))
        .execute(conn)
        .await
}

/// An agency by its (unique) name.
pub async fn agency_by_name(
    conn: &mut AsyncPgConnection,
    name: &str,
) -> QueryResult<Option<Agency>> {
    agencies::table
        .filter(agencies::name.eq(name))
        .select(Agency::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn agency(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Agency>> {
    agencies::table
        .find(id)
        .select(Agency::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub uscc: String,
    pub uscc_checksum_ok: bool,
    pub province_code: String,
    pub province_confirmed: bool,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Language of the organisation's mail (zh-CN or en).
    pub locale: String,
    /// `pending` from a self-registration until its admin's address is confirmed, `active`
    /// from then on.
    pub status: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation {
    pub id: Uuid,
    pub name: String,
    pub uscc: String,
    pub uscc_checksum_ok: bool,
    pub province_code: String,
    pub province_confirmed: bool,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub locale: String,
}

pub async fn insert_organisation(
    conn: &mut AsyncPgConnection,
    new: &NewOrganisation,
) -> QueryResult<Organisation> {
    diesel::insert_into(organisations::table)
        .values(new)
        .returning(Organisation::as_returning())
        .get_result(conn)
        .await
}

/// Inserts a self-registered organisation as `pending`, unless its USCC is already held (by
/// a committed row, or one whose transaction commits meanwhile): `None` then.
pub async fn claim_uscc(
    conn: &mut AsyncPgConnection,
    new: &NewOrganisation,
) -> QueryResult<Option<Organisation>> {
    diesel::insert_into(organisations::table)
        .values((new, organisations::status.eq("pending")))
        .on_conflict(organisations::uscc)
        .do_nothing()
        .returning(Organisation::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// An organisation that was pending becomes active; answers whether it changed.
pub async fn activate_organisation(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(
        organisations::table
            .find(id)
            .filter(organisations::status.eq("pending")),
    )
    .set((
        organisations::status.eq("active"),
        organisations::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Who an organisation is as its (new) admin gives it: name and contacts.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct OrganisationContacts {
    pub name: String,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub locale: String,
}

/// Hands an organisation to a new admin after an upheld dispute: its users stop working (and
/// their sessions end), its name and contacts become the claimant's, and it is pending until
/// the new admin confirms the address. Answers the users stopped.
pub async fn hand_over(
    conn: &mut AsyncPgConnection,
    org: Uuid,
    contacts: &OrganisationContacts,
) -> QueryResult<Vec<Uuid>> {
    let stopped: Vec<Uuid> = diesel::update(
        users::table
            .filter(users::organisation_id.eq(org))
            .filter(users::active),
    )
    .set(users::active.eq(false))
    .returning(users::id)
    .get_results(conn)
    .await?;
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq_any(&stopped))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    diesel::update(organisations::table.find(org))
        .set((
            contacts,
            organisations::status.eq("pending"),
            organisations::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(stopped)
}

pub async fn organisation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn organisation_by_uscc(
    conn: &mut AsyncPgConnection,
    uscc: &str,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::uscc.eq(uscc))
        .select(Organisation::as_select())
        .first(conn)
        .await
        .optional()
}

/// The organisations with any of these USCCs.
pub async fn organisations_by_uscc(
    conn: &mut AsyncPgConnection,
    usccs: &[String],
) -> QueryResult<Vec<Organisation>> {
    let mut found = Vec::with_capacity(usccs.len());
    for chunk in usccs.chunks(10_000) {
        found.extend(
            organisations::table
                .filter(organisations::uscc.eq_any(chunk))
                .select(Organisation::as_select())
                .load(conn)
                .await?,
        );
    }
    Ok(found)
}

/// Inserts organisations in multi-row statements.
pub async fn insert_organisations(
    conn: &mut AsyncPgConnection,
    new: &[NewOrganisation],
) -> QueryResult<()> {
    for chunk in new.chunks(crate::paper::rows_per_statement(10)) {
        diesel::insert_into(organisations::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Language of the user's mail (zh-CN or en).
    pub locale: String,
    /// `portal` for a processor's user, `casework` for staff: each zone has its own accounts.
    pub zone: String,
    /// False for a self-registered admin until the mailed link is followed: no login before.
    pub address_confirmed: bool,
    /// The password was set by someone else (an admin, an import, an operator): the account
    /// does nothing but change it until it is changed.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub address_confirmed: bool,
    pub must_change_password: bool,
}

pub async fn insert_user(conn: &mut AsyncPgConnection, new: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
        .await
}

/// The zone of processors' accounts (the internet-facing portal).
pub const PORTAL_ZONE: &str = "portal";
/// The zone of staff accounts (casework, the government network).
pub const CASEWORK_ZONE: &str = "casework";

/// Which of `emails` already have an account in the zone (compared case-insensitively, as
/// `user_by_email` does); answered lower-cased.
pub async fn emails_taken(
    conn: &mut AsyncPgConnection,
    zone: &str,
    emails: &[String],
) -> QueryResult<Vec<String>> {
    let lowered: Vec<String> = emails.iter().map(|e| e.to_lowercase()).collect();
    users::table
        .filter(users::zone.eq(zone))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = ANY(")
                .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(lowered)
                .sql(")"),
        )
        .select(diesel::dsl::sql::<diesel::sql_types::Text>("lower(email)"))
        .load(conn)
        .await
}

/// The account with this email in a zone (`portal` or `casework`).
pub async fn user_by_email(
    conn: &mut AsyncPgConnection,
    zone: &str,
    email: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::zone.eq(zone))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email)
                .sql(")"),
        )
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn user(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// The staff accounts of an agency, oldest first.
pub async fn users_of_agency(conn: &mut AsyncPgConnection, agency: Uuid) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::agency_id.eq(agency))
        .order(users::created_at.asc())
        .select(User::as_select())
        .load(conn)
        .await
}

pub async fn users_of_organisation(
    conn: &mut AsyncPgConnection,
    org: Uuid,
) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::organisation_id.eq(org))
        .order(users::created_at.asc())
        .select(User::as_select())
        .load(conn)
        .await
}

pub async fn insert_session(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    idle_seconds: Option<i32>,
    client_ip: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::expires_at.eq(expires_at),
            sessions::idle_seconds.eq(idle_seconds),
            sessions::client_ip.eq(client_ip),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Who is behind a live session: the user, and the organisation or agency it belongs to.
#[derive(Debug, Clone)]
pub struct SessionOwner {
    pub user: User,
    /// The organisation's id and province, for a processor's user.
    pub organisation: Option<(Uuid, String)>,
    /// The agency's id, kind and province (none for national), for staff.
    pub agency: Option<(Uuid, String, Option<String>)>,
}

/// The active user behind a live (unexpired, unrevoked) session token hash, with its
/// organisation or agency, in one query (every authenticated request makes it).
pub async fn session_owner(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<SessionOwner>> {
    type Row = (
        User,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sessions::table
        .inner_join(
            users::table
                .left_join(organisations::table)
                .left_join(agencies::table),
        )
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "(sessions.idle_seconds IS NULL \
              OR sessions.last_seen_at + make_interval(secs => sessions.idle_seconds) > now())",
        ))
        .filter(users::active)
        .select((
            User::as_select(),
            organisations::id.nullable(),
            organisations::province_code.nullable(),
            agencies::id.nullable(),
            agencies::kind.nullable(),
            agencies::province_code.nullable(),
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(
        |(user, org, org_province, agency, kind, agency_province)| SessionOwner {
            user,
            organisation: org.zip(org_province),
            agency: agency
                .zip(kind)
                .map(|(id, kind)| (id, kind, agency_province)),
        },
    ))
}

/// The active account `email` of `zone` with its organisation or agency (what a session's
/// owner is, for work done as that account outside a request: the demo data set).
pub async fn account_owner(
    conn: &mut AsyncPgConnection,
    zone: &str,
    email: &str,
) -> QueryResult<Option<SessionOwner>> {
    type Row = (
        User,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = users::table
        .left_join(organisations::table)
        .left_join(agencies::table)
        .filter(users::zone.eq(zone))
        .filter(users::email.eq(email.to_lowercase()))
        .filter(users::active)
        .select((
            User::as_select(),
            organisations::id.nullable(),
            organisations::province_code.nullable(),
            agencies::id.nullable(),
            agencies::kind.nullable(),
            agencies::province_code.nullable(),
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(
        |(user, org, org_province, agency, kind, agency_province)| SessionOwner {
            user,
            organisation: org.zip(org_province),
            agency: agency
                .zip(kind)
                .map(|(id, kind)| (id, kind, agency_province)),
        },
    ))
}

/// Notes a request on a browser session, which keeps it from idling out; at most once a
/// minute per session, so a busy page costs no write per request.
pub async fn touch_session(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::token_hash.eq(token_hash))
            .filter(sessions::idle_seconds.is_not_null())
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "sessions.last_seen_at < now() - interval '1 minute'",
            )),
    )
    .set(sessions::last_seen_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn revoke_session(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::token_hash.eq(token_hash))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// Ends every live session of `user`, but `keep` (the one the change was made from).
pub async fn revoke_sessions_of(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    keep: Option<&[u8]>,
) -> QueryResult<usize> {
    let live = sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::revoked_at.is_null());
    match keep {
        Some(k) => {
            diesel::update(live.filter(sessions::token_hash.ne(k)))
                .set(sessions::revoked_at.eq(diesel::dsl::now))
                .execute(conn)
                .await
        }
        None => {
            diesel::update(live)
                .set(sessions::revoked_at.eq(diesel::dsl::now))
                .execute(conn)
                .await
        }
    }
}

/// Replaces a user's password hash: one the user chose, so no change is due any more.
pub async fn set_password(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(false),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// What a mailed single-use link is for; a link of one purpose is never taken for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Set a new password.
    Reset,
    /// Confirm a self-registered admin's address.
    Confirm,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Confirm => "confirm",
        }
    }
}

/// Keeps a mailed link's token hash until `expires_at`.
pub async fn insert_reset(
    conn: &mut AsyncPgConnection,
    purpose: LinkPurpose,
    token_hash: &[u8],
    user: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(token_hash),
            password_resets::user_id.eq(user),
            password_resets::expires_at.eq(expires_at),
            password_resets::purpose.eq(purpose.as_str()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Uses a mailed link's token once: the user it was for, if it is of `purpose`, unused and
/// unexpired (and from now on used).
pub async fn take_reset(
    conn: &mut AsyncPgConnection,
    purpose: LinkPurpose,
    token_hash: &[u8],
) -> QueryResult<Option<Uuid>> {
    diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::purpose.eq(purpose.as_str()))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(diesel::dsl::now)),
    )
    .set(password_resets::used_at.eq(diesel::dsl::now))
    .returning(password_resets::user_id)
    .get_result(conn)
    .await
    .optional()
}

/// The account's address is confirmed (a self-registered admin followed a mailed link).
pub async fn confirm_address(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(user)
            .filter(users::address_confirmed.eq(false)),
    )
    .set(users::address_confirmed.eq(true))
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// The user with this id.
pub async fn user_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// Active supervisors of the provincial CAC office of `province`, who receive escalations.
pub async fn supervisors_of(
    conn: &mut AsyncPgConnection,
    province: &str,
) -> QueryResult<Vec<User>> {
    users::table
        .inner_join(agencies::table)
        .filter(agencies::kind.eq("provincial_cac"))
        .filter(agencies::province_code.eq(province))
        .filter(users::role.eq("supervisor"))
        .filter(users::active)
        .order(users::email.asc())
        .select(User::as_select())
        .load(conn)
        .await
}

/// The registered processor of exactly this name, if exactly one has it.
pub async fn organisation_by_name(
    conn: &mut AsyncPgConnection,
    name: &str,
) -> QueryResult<Option<Organisation>> {
    let mut found: Vec<Organisation> = organisations::table
        .filter(organisations::name.eq(name))
        .limit(2)
        .select(Organisation::as_select())
        .load(conn)
        .await?;
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Active staff of the provincial CAC office of `province` with one of `roles`.
/// The active staff of one agency, by email.
pub async fn agency_staff(conn: &mut AsyncPgConnection, agency: Uuid) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::agency_id.eq(agency))
        .filter(users::active)
        .order(users::email.asc())
        .select(User::as_select())
        .load(conn)
        .await
}

pub async fn office_staff(
    conn: &mut AsyncPgConnection,
    province: &str,
    roles: &[&str],
) -> QueryResult<Vec<User>> {
    users::table
        .inner_join(agencies::table)
        .filter(agencies::kind.eq("provincial_cac"))
        .filter(agencies::province_code.eq(province))
        .filter(users::role.eq_any(roles))
        .filter(users::active)
        .order(users::email.asc())
        .select(User::as_select())
        .load(conn)
        .await
}
