//! Exchange: the service other agencies' systems call, with signed requests (docs/api.md,
//! "Exchange"): the sync of notifications addressed to their agency, and pushing,
//! acknowledging and answering notifications. `frt_cases::exchange` does the work.

pub mod api;
pub mod openapi;
pub mod startup;

pub use startup::{build, routes};
