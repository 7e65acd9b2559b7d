//! Step definitions, one module per domain concept.

pub mod accounts;
pub mod audit;
pub mod browser;
pub mod calendar;
pub mod complaints;
pub mod exchange;
pub mod filings;
pub mod imports;
pub mod inspections;
pub mod mail;
pub mod notifications;
pub mod platform;
pub mod review;
pub mod second_factor;
pub mod sweep;
pub mod zh;
