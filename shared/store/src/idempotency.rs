//! Idempotency keys, one mechanism for every keyed request (a filing's submission, an exchange
//! push or attachment): the first response to a keyed request is stored in the same
//! transaction as its effect, and a retry with the same key gets that response back. A key
//! belongs to its holder (a user, or an exchange client): two holders' keys never meet.

use crate::schema::idempotent_requests;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::fmt;
use uuid::Uuid;

/// An `Idempotency-Key` as a client sends it: 1 to 100 visible ASCII characters, surrounding
/// whitespace not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

/// Why a key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 100 visible ASCII characters")]
pub struct InvalidKey;

impl Key {
    /// What `parse` accepts, for the API's documents.
    pub const PATTERN: &'static str = "^[!-~]{1,100}$";

    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        let key = raw.trim();
        if key.is_empty() || key.len() > 100 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(InvalidKey);
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whose key it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder<'a> {
    /// A signed-in user (a processor's filer submitting a filing).
    User(Uuid),
    /// An exchange client, by its key id.
    Client(&'a str),
}

impl Holder<'_> {
    fn as_text(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Client(key_id) => format!("client:{key_id}"),
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct SavedResponse {
    pub request_hash: String,
    pub status: i32,
    pub body: serde_json::Value,
}

/// Takes the key for this transaction: waits for a concurrent holder of the same key, then
/// returns its saved response if it finished first.
pub async fn lookup_locked(
    conn: &mut AsyncPgConnection,
    holder: Holder<'_>,
    key: &Key,
) -> QueryResult<Option<SavedResponse>> {
    let holder = holder.as_text();
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7))")
        .bind::<diesel::sql_types::Text, _>(&holder)
        .bind::<diesel::sql_types::Text, _>(key.as_str())
        .execute(conn)
        .await?;
    idempotent_requests::table
        .find((holder, key.as_str()))
        .select((
            idempotent_requests::request_hash,
            idempotent_requests::response_status,
            idempotent_requests::response_body,
        ))
        .first(conn)
        .await
        .optional()
}

/// Keeps the response to a keyed request, in the transaction of its effect.
pub async fn save(
    conn: &mut AsyncPgConnection,
    holder: Holder<'_>,
    key: &Key,
    request_hash: &str,
    status: i32,
    body: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(idempotent_requests::table)
        .values((
            idempotent_requests::holder.eq(holder.as_text()),
            idempotent_requests::key.eq(key.as_str()),
            idempotent_requests::request_hash.eq(request_hash),
            idempotent_requests::response_status.eq(status),
            idempotent_requests::response_body.eq(body),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_at_most_a_hundred() {
        assert_eq!(Key::parse(" k-1 ").map(|k| k.to_string()), Ok("k-1".into()));
        assert_eq!(Key::parse(""), Err(InvalidKey));
        assert_eq!(Key::parse("a b"), Err(InvalidKey));
        assert_eq!(Key::parse("键"), Err(InvalidKey));
        assert!(Key::parse(&"k".repeat(100)).is_ok());
        assert_eq!(Key::parse(&"k".repeat(101)), Err(InvalidKey));
    }
}
