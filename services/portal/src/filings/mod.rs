//! A processor's filings (备案): drafts, the typed form, materials, submission and history.

pub mod attachments;
pub mod create;
pub mod form;
pub mod list;
pub mod show;
pub mod submit;
