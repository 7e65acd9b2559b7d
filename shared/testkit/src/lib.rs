//! Test support: each test gets its own database, cloned from a template that is migrated and
//! loaded with reference data once per schema version, and the real services on random ports.
//! Tests talk to them over HTTP like any client.

pub mod app;
pub mod browser;
pub mod client;
pub mod cluster;
pub mod db;
pub mod fault;
pub mod gateway;
pub mod packages;
pub mod pages;
pub mod pooler;
pub mod s3;
pub mod smtp;

pub use app::TestApp;
pub use client::{code, days_ago, Client};
pub use db::TestDb;
pub use smtp::{SinkMode, SmtpSink};
