//! Acceptance scenarios for the FRT supervision platform, in Gherkin, run with cucumber
//! against the real portal and casework services, each scenario on a database of its own.
//!
//! - `tests/features/*.feature`: the scenarios, one file per feature;
//! - `tests/steps/`: step definitions, one module per domain concept (platform, accounts,
//!   calendar, filings, review);
//! - `tests/support/`: the world of a scenario (its platform, named actors, last answer);
//! - `tests/acceptance.rs`: the runner (`cargo test -p acceptance --test acceptance`).
