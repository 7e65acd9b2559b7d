//! Staff's second factor: the sealed TOTP secret of each enrolled account, its recovery codes
//! (hashed), and the short-lived challenges between a right password and the code.

use crate::schema::{login_challenges, recovery_codes, second_factors};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = second_factors)]
pub struct SecondFactor {
    pub user_id: Uuid,
    pub secret_sealed: Vec<u8>,
    pub secret_key_id: String,
    pub secret_seal_alg: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: i64,
    pub created_at: DateTime<Utc>,
}

/// The account's factor, enrolled or waiting for its first code; locked for the transaction.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> QueryResult<Option<SecondFactor>> {
    second_factors::table
        .find(user)
        .select(SecondFactor::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Whether the account has a confirmed factor.
pub async fn enrolled(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        second_factors::table
            .filter(second_factors::user_id.eq(user))
            .filter(second_factors::confirmed_at.is_not_null()),
    ))
    .get_result(conn)
    .await
}

/// Starts (or starts again) an enrolment with a new secret, unconfirmed.
pub async fn begin(conn: &mut AsyncPgConnection, f: &SecondFactor) -> QueryResult<()> {
    diesel::insert_into(second_factors::table)
        .values(f)
        .on_conflict(second_factors::user_id)
        .do_update()
        .set((
            second_factors::secret_sealed.eq(&f.secret_sealed),
            second_factors::secret_key_id.eq(&f.secret_key_id),
            second_factors::secret_seal_alg.eq(&f.secret_seal_alg),
            second_factors::confirmed_at.eq(None::<DateTime<Utc>>),
            second_factors::last_step.eq(0_i64),
            second_factors::created_at.eq(f.created_at),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records the step of an accepted code (and confirms an enrolment on its first code).
pub async fn accept_step(conn: &mut AsyncPgConnection, user: Uuid, step: i64) -> QueryResult<()> {
    diesel::update(second_factors::table.find(user))
        .set((
            second_factors::last_step.eq(step),
            second_factors::confirmed_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(confirmed_at, now())")),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Replaces the account's recovery codes with `hashes` (of algorithm `alg`).
pub async fn replace_recovery_codes(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    alg: &str,
    hashes: &[Vec<u8>],
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| {
            (
                recovery_codes::user_id.eq(user),
                recovery_codes::code_hash.eq(h),
                recovery_codes::hash_alg.eq(alg),
            )
        })
        .collect();
    diesel::insert_into(recovery_codes::table)
        .values(rows)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The algorithms the account's unused recovery codes are hashed with.
pub async fn recovery_algs(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<String>> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user))
        .filter(recovery_codes::used_at.is_null())
        .select(recovery_codes::hash_alg)
        .distinct()
        .load(conn)
        .await
}

/// Uses up the unused recovery code with `hash`; whether there was one.
pub async fn use_recovery_code(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    hash: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// How many unused recovery codes the account has left.
pub async fn recovery_codes_left(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// Removes the account's factor and recovery codes (an admin's reset); whether it had one.
pub async fn remove(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<bool> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user)))
        .execute(conn)
        .await?;
    diesel::delete(login_challenges::table.filter(login_challenges::user_id.eq(user)))
        .execute(conn)
        .await?;
    diesel::delete(second_factors::table.find(user))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_challenges)]
pub struct Challenge {
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub browser: bool,
    pub source: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_challenge(conn: &mut AsyncPgConnection, c: &Challenge) -> QueryResult<()> {
    diesel::delete(
        login_challenges::table.filter(login_challenges::expires_at.lt(diesel::dsl::now)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(login_challenges::table)
        .values(c)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The live challenge with `hash`.
pub async fn challenge(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<Challenge>> {
    login_challenges::table
        .find(hash)
        .filter(login_challenges::expires_at.gt(diesel::dsl::now))
        .select(Challenge::as_select())
        .first(conn)
        .await
        .optional()
}

/// Ends a challenge once its code passed.
pub async fn end_challenge(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<()> {
    diesel::delete(login_challenges::table.find(hash))
        .execute(conn)
        .await
        .map(|_| ())
}
