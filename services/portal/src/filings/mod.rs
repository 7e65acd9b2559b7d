//! A processor's filings (备案): drafts, the typed form, materials, submission and history.

pub mod attachments;
pub mod create;
pub mod form;
pub mod list;
pub mod show;
pub mod submit;

use frt_domain::filing::{FilingKind, FilingStatus};
use frt_domain::form::FilingForm;
use frt_store::filings::Filing;
use frt_web::ApiError;

/// The typed status and kind of a stored filing.
pub fn typed(f: &Filing) -> Result<(FilingStatus, FilingKind), ApiError> {
    let status = f
        .status
        .parse::<FilingStatus>()
        .map_err(ApiError::internal)?;
    let kind = f.kind.parse::<FilingKind>().map_err(ApiError::internal)?;
    Ok((status, kind))
}

/// The stored form, typed.
pub fn stored_form(f: &Filing) -> Result<FilingForm, ApiError> {
    serde_json::from_value(f.form.clone()).map_err(ApiError::internal)
}

pub fn not_editable(status: FilingStatus) -> ApiError {
    ApiError::conflict(
        "filing.not_editable",
        format!(
            "the filing is {} ({}); only drafts and filings returned for correction can be changed",
            status.as_str(),
            status.name_zh()
        ),
    )
}
