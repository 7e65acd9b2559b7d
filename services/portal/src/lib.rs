//! The portal: the internet-facing service for processors (registration, accounts, filings
//! and their materials) and the public (working-day due dates).

pub mod account;
pub mod calendar;
pub mod complaints;
pub mod filings;
pub mod inspections;
pub mod openapi;
pub mod organisation;
pub mod pages;
pub mod registration;
pub mod startup;

pub use startup::{build, routes};
