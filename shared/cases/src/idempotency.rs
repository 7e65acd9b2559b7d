//! Keyed requests, the same for every use case that takes an `Idempotency-Key`: the key is
//! taken for the transaction (a concurrent retry waits for the first), a retry of the same
//! request gets the first answer, the same key with another request is refused, and the
//! answer is kept with the effect (`frt_store::idempotency`).

pub use frt_store::idempotency::{Holder, InvalidKey, Key, SavedResponse};
use frt_store::{idempotency, AsyncPgConnection, QueryError};

/// What a key says about a request.
#[derive(Debug)]
pub enum Replay {
    /// Not seen before: do it, then `keep` the answer.
    Fresh,
    /// The same request was answered before: this is its answer.
    Answered(SavedResponse),
    /// The key answered another request.
    Reused,
}

/// Takes `key` of `holder` for the transaction and says whether the request (`hash`, what
/// identifies it: its body's digest, or the operation and its target) was answered before.
pub async fn replay(
    conn: &mut AsyncPgConnection,
    holder: Holder<'_>,
    key: &Key,
    hash: &str,
) -> Result<Replay, QueryError> {
    Ok(match idempotency::lookup_locked(conn, holder, key).await? {
        None => Replay::Fresh,
        Some(saved) if saved.request_hash == hash => Replay::Answered(saved),
        Some(_) => Replay::Reused,
    })
}

/// Keeps the answer to a fresh request under its key, in the transaction of its effect.
pub async fn keep(
    conn: &mut AsyncPgConnection,
    holder: Holder<'_>,
    key: &Key,
    hash: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), QueryError> {
    idempotency::save(conn, holder, key, hash, i32::from(status), body).await
}
