//! Actix glue every FRT service uses: typed configuration, RFC 9457 problem+json errors, the
//! authenticated-caller extractor, request ids and access logs, health endpoints and the
//! OpenAPI documents with their interactive page.

pub mod accounts;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod filing_reads;
pub mod health;
pub mod notices;
pub mod pagination;
pub mod params;
pub mod server;
pub mod session;
pub mod state;

pub use auth::Auth;
pub use error::{ApiError, ApiResult};
pub use extract::{Json, MaybeJson};
pub use state::Core;

/// "Today" for civil deadlines: China Standard Time (UTC+8, no daylight saving).
pub fn today_in_china() -> chrono::NaiveDate {
    china_date(chrono::Utc::now())
}

/// China Standard Time: UTC+8, no daylight saving.
pub fn china_offset() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// The date in China of an instant.
pub fn china_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    at.with_timezone(&china_offset()).date_naive()
}
