//! Storage of the FRT supervision platform: the diesel schema, query functions that take a
//! connection (so the caller's use case owns the transaction), the connection pool with its
//! timeouts, embedded migrations, the attachment blob store and local PostgreSQL provisioning.

pub mod audit;
pub mod blob;
pub mod bootstrap;
pub mod calendars;
pub mod checkpoints;
pub mod complaints;
pub mod db;
pub mod deadlines;
pub mod disputes;
pub mod exchange;
pub mod export_jobs;
pub mod exports;
pub mod filings;
pub mod gauges;
pub mod idempotency;
pub mod identities;
pub mod imports;
pub mod inspections;
pub mod limits;
pub mod local;
pub mod materials;
pub mod migrate;
pub mod notifications;
pub mod outbox;
pub mod paper;
pub mod registry;
pub mod schema;
pub mod scope;
pub mod second_factor;
pub mod sweep_runs;
pub mod test_clocks;
pub mod throttle;
pub mod versions;
pub mod views;

pub use db::{Db, DbError, DbSettings, PoolUse, Pooler};
pub use diesel::result::Error as QueryError;
/// The result of one query.
pub type QueryResult<T> = Result<T, QueryError>;
pub use diesel_async::AsyncPgConnection;
pub use scoped_futures::{ScopedBoxFuture, ScopedFutureExt};
