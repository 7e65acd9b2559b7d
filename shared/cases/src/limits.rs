//! The rate limits of the platform, each kept in the database (`frt_store::limits`) so that
//! every instance of a service counts against the same one: the public complaint intake per
//! client address, each exchange client's requests, and the exchange's refused requests per
//! address.

use crate::context::Core;
use crate::error::StoreError;
use frt_store::limits::{self, Rate};
use frt_store::ScopedFutureExt;

/// A limit, its settings and the code of its refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// New complaints from one address (`complaints.intake_per_hour`).
    ComplaintIntake,
    /// Requests of one exchange client (`exchange.requests_per_minute`).
    ExchangeClient,
    /// Refused exchange requests (unknown key, bad signature, replay) from one address
    /// (`exchange.refused_per_minute`); checked before a request is judged.
    ExchangeRefused,
    /// Registrations from one address (`auth.registrations_per_hour`).
    Registration,
}

impl Limit {
    fn bucket(self) -> &'static str {
        match self {
            Self::ComplaintIntake => "complaint.intake",
            Self::ExchangeClient => "exchange.client",
            Self::ExchangeRefused => "exchange.refused",
            Self::Registration => "registration",
        }
    }

    fn rate(self, core: &Core) -> Rate {
        let s = &core.settings;
        match self {
            Self::ComplaintIntake => Rate::per_hour(s.complaints.intake_per_hour),
            Self::ExchangeClient => Rate::per_minute(s.exchange.requests_per_minute),
            Self::ExchangeRefused => Rate::per_minute(s.exchange.refused_per_minute),
            Self::Registration => Rate::per_hour(s.auth.registrations_per_hour),
        }
    }

    /// The problem code of its refusal.
    pub fn code(self) -> &'static str {
        match self {
            Self::ComplaintIntake => "complaint.too_many_complaints",
            Self::ExchangeClient => "exchange.too_many_requests",
            Self::ExchangeRefused => "exchange.too_many_refusals",
            Self::Registration => "registration.too_many_registrations",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("too many requests; try again in {retry_after_secs} seconds")]
    Exceeded { limit: Limit, retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(LimitError);

/// Takes one place of `limit` for `key`, or refuses with how long to wait.
pub async fn take(core: &Core, limit: Limit, key: &str) -> Result<(), LimitError> {
    core.db
        .run(|conn| {
            async move {
                match limits::take(conn, limit.bucket(), key, limit.rate(core)).await? {
                    None => Ok(()),
                    Some(retry_after_secs) => Err(LimitError::Exceeded {
                        limit,
                        retry_after_secs,
                    }),
                }
            }
            .scope_boxed()
        })
        .await
}

/// Refuses when `key` has used up `limit` now, without taking a place (for limits that count
/// only what turns out badly: `take` once it has).
pub async fn check(core: &Core, limit: Limit, key: &str) -> Result<(), LimitError> {
    core.db
        .run(|conn| {
            async move {
                let rate = limit.rate(core);
                // Blocked when one more place would not fit: the wait before a place is free.
                match limits::waiting(conn, limit.bucket(), key, rate).await? {
                    Some(retry_after_secs) => Err(LimitError::Exceeded {
                        limit,
                        retry_after_secs,
                    }),
                    None => Ok(()),
                }
            }
            .scope_boxed()
        })
        .await
}
