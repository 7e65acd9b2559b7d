//! Everything that can go wrong with a filing, as the use cases decide it. The web layer maps
//! each variant to its problem (`frt_web::problems`).

use crate::error::{Denied, StoreError};
use crate::materials::UploadError;
use frt_domain::filing::{FilingStatus, IllegalTransition};
use frt_domain::form::FieldProblem;

#[derive(Debug, thiserror::Error)]
pub enum FilingError {
    /// Not there, or not the caller's to see (the same answer, so ids cannot be probed).
    #[error("no filing with that id was found")]
    NotFound,
    #[error("no attachment with that id was found")]
    AttachmentNotFound,
    /// The record a change or deregistration names is not one of the caller's filed ones.
    #[error("{message}")]
    InvalidPrevious {
        problem: &'static str,
        message: &'static str,
    },
    #[error(
        "the filing is {} ({}); only drafts and filings returned for correction can be changed",
        .0.as_str(),
        .0.name_zh()
    )]
    NotEditable(FilingStatus),
    #[error("{0} ({zh})", zh = .0.from.name_zh())]
    IllegalTransition(#[from] IllegalTransition),
    #[error("the filing cannot be submitted: {} problem(s) to fix", .0.len())]
    Incomplete(Vec<FieldProblem>),
    /// The caller saw an older version; `now` is the current one when known.
    #[error("the filing changed since version {seen}; reload it and try again")]
    VersionConflict { seen: i32, now: Option<i32> },
    #[error("{}", if *.earlier_round {
        "this Idempotency-Key answered an earlier submission of this filing; use a new key to resubmit"
    } else {
        "this Idempotency-Key was already used for a different request"
    })]
    IdempotencyKeyReused { earlier_round: bool },
    #[error("the filing is {0}; only filings waiting for review are assigned")]
    NotInReview(String),
    #[error("the filing is assigned to another reviewer; only they or a supervisor may decide it")]
    AssignedToOther,
    #[error("the filing is assigned to someone else; ask a supervisor to reassign it")]
    AlreadyAssigned,
    #[error("the assignee must be an active reviewer or supervisor who can review this province")]
    InvalidAssignee,
    #[error("no decision is waiting for sign-off on this filing")]
    NoProposal,
    #[error("the reasons are incomplete")]
    InvalidReasons(Vec<FieldProblem>),
    #[error("the note is at most 2000 characters")]
    InvalidNote,
    #[error("the filing has versions 1 to {latest}; there is no version {asked}")]
    NoSuchVersion { latest: i32, asked: i32 },
    #[error("from must be an earlier version than to")]
    InvalidRange,
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(FilingError);
