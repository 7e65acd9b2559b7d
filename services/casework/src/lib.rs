//! Casework: the government-zone service for regulator staff: the review queue, decisions on
//! filings, inspections, complaints, notifications between agencies, materials, audit trails
//! and staff administration.

pub mod assignment;
pub mod audit;
pub mod complaints;
pub mod disputes;
pub mod exports;
pub mod filings;
pub mod history;
pub mod imports;
pub mod inspections;
pub mod notifications;
pub mod openapi;
mod pages;
pub mod queue;
pub mod registry;
pub mod review;
pub mod sign_off;
pub mod staff;
pub mod startup;

pub use startup::{build, routes};
