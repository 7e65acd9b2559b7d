//! Use cases the FRT services, the worker and `frtctl` share, with no HTTP in them: the
//! context every use case runs in (`context`; the settings it holds are frt-settings'), the one
//! machinery every case type plugs into (`entity`: deadlines and their `sweep`, `notices`, the
//! audit `trail`, authorisation resources), accounts, and filing reads. Use cases return typed
//! errors (`error`); the web layer turns them into problem+json in one place.

pub mod accounts;
pub mod agencies;
pub mod calendar;
pub mod caller;
pub mod checkpoints;
pub mod complaints;
pub mod context;
pub mod cursor;
pub mod disputes;
pub mod done;
pub mod download;
pub mod entity;
pub mod error;
pub mod escalation;
pub mod exchange;
pub mod export_jobs;
pub mod exports;
pub mod filings;
pub mod housekeeping;
pub mod idempotency;
pub mod imports;
pub mod input;
pub mod inspections;
pub mod limits;
pub mod logging;
pub mod materials;
pub mod metrics;
pub mod notices;
pub mod notifications;
pub mod passwords;
pub mod reference;
pub mod registry;
pub mod second_factor;
pub mod sessions;
pub mod staff;
pub mod step;
pub mod sweep;
pub mod testing;
pub mod trail;
pub mod workbench;

pub use caller::Caller;
pub use context::Core;
pub use error::{Denied, StoreError};

tokio::task_local! {
    /// The day a test clock makes "today" for one request (set only by `testing::with_today`,
    /// which only the services' test-clock middleware calls, and only outside production).
    static TEST_TODAY: chrono::NaiveDate;
}

/// "Today" for civil deadlines: China Standard Time (UTC+8, no daylight saving), unless an
/// acceptance scenario's test clock says otherwise for this request.
pub fn today_in_china() -> chrono::NaiveDate {
    TEST_TODAY
        .try_with(|d| *d)
        .unwrap_or_else(|_| china_date(chrono::Utc::now()))
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
