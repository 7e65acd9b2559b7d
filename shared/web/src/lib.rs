//! Actix glue every FRT service uses, and nothing of filings: the edge every request passes
//! (request ids, access logs, security headers, NUL and limit refusals), JSON and query
//! extraction, the authenticated-caller extractor, problem+json errors (every use-case error
//! is mapped to one here, in one place), health endpoints and the OpenAPI documents with their
//! interactive page. Configuration and the shared context come from `frt_cases`.

pub mod auth;
pub mod client;
pub mod console;
mod constraints;
pub mod download;
pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod problems;
pub mod server;
pub mod session;
mod strict;
pub mod test_support;
pub mod upload;

pub use auth::Auth;
pub use error::{ApiError, ApiResult};
pub use extract::{Json, MaybeJson};
pub use frt_cases::{china_date, china_offset, today_in_china, Core};
