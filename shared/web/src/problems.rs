//! Every error a use case returns, mapped to its problem (status and stable `code`) here and
//! nowhere else. A handler returns a use case's error with `?`; it does not build problems of
//! its own for what a use case decides.

use crate::error::{ApiError, FieldError};
use actix_web::http::StatusCode;
use frt_cases::accounts::NewAccountError;
use frt_cases::filings::FilingError;
use frt_cases::materials::UploadError;
use frt_cases::trail::TrailError;
use frt_cases::{Denied, StoreError};
use frt_store::DbError;

/// What a unique constraint protects, by constraint name: the one place a duplicate becomes a
/// 409 with a stable code. Use cases insert and let the database decide; they never check
/// first (two requests at once would both pass the check).
const UNIQUE_CONFLICTS: &[(&str, &str, &str)] = &[
    (
        "organisations_uscc_key",
        "organisation.uscc_taken",
        "an organisation with this USCC is already registered; ask its admin to add you",
    ),
    (
        "users_zone_email",
        "user.email_taken",
        "an account with this email already exists",
    ),
    (
        "agencies_name",
        "agency.name_taken",
        "an agency with this name already exists",
    ),
];

/// A unique violation as a 409 problem.
fn conflict_of(e: &frt_store::QueryError) -> Option<ApiError> {
    let constraint = frt_store::db::unique_violation(e)?;
    let (code, detail) = UNIQUE_CONFLICTS
        .iter()
        .find(|(name, _, _)| *name == constraint)
        .map_or(
            ("conflict.duplicate", "this record already exists"),
            |(_, code, detail)| (*code, *detail),
        );
    tracing::info!(constraint, code, "unique constraint refused a duplicate");
    Some(ApiError::conflict(code, detail))
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if let DbError::Query(q) = &e {
            if let Some(conflict) = conflict_of(q) {
                return conflict;
            }
        }
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            Self::unavailable("the database is unavailable; try again shortly")
        } else {
            Self::internal(e)
        }
    }
}

impl From<frt_store::QueryError> for ApiError {
    fn from(e: frt_store::QueryError) -> Self {
        DbError::Query(e).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(db) => db.into(),
            StoreError::Deadline(c) => Self::unprocessable(
                "deadline.out_of_range",
                format!("the deadline cannot be computed: {c}"),
            ),
            // The file store failed (full, or not writable): nothing was kept; the client may
            // try again later. Logged for the operators, who must act.
            e @ StoreError::Blob(_) => {
                tracing::error!(error = %e, "the blob store failed");
                let (code, detail) = if e.is_storage_full() {
                    (
                        "storage.full",
                        "the file store is full; nothing was kept; try again later",
                    )
                } else {
                    (
                        "storage.unavailable",
                        "the file store cannot be written; nothing was kept; try again later",
                    )
                };
                Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail.to_owned())
                    .with_retry_after(60)
            }
            other => Self::internal(other),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> Self {
        Self::forbidden(e.to_string())
    }
}

impl From<frt_access::accounts::AccountError> for ApiError {
    fn from(e: frt_access::accounts::AccountError) -> Self {
        use frt_access::accounts::AccountError as A;
        let code = match e {
            A::InvalidEmail(_) => "user.invalid_email",
            A::InvalidName => "user.invalid_name",
            A::Password(_) => "user.weak_password",
            A::WrongRole(_) => "user.invalid_role",
        };
        Self::unprocessable(code, e.to_string())
    }
}

impl From<frt_cases::staff::StaffError> for ApiError {
    fn from(e: frt_cases::staff::StaffError) -> Self {
        use frt_cases::staff::StaffError as S;
        match e {
            S::Denied(d) => d.into(),
            S::NotStaff => ApiError::forbidden("only staff manage staff"),
            S::NotFound => ApiError::not_found("member of staff"),
            S::InvalidRole => ApiError::unprocessable(
                "user.invalid_role",
                "role must be reviewer, inspector, complaint_handler, supervisor or admin",
            ),
            S::Account(a) => a.into(),
            S::Store(s) => s.into(),
        }
    }
}

impl From<NewAccountError> for ApiError {
    fn from(e: NewAccountError) -> Self {
        match e {
            NewAccountError::Invalid(a) => a.into(),
            NewAccountError::Store(s) => s.into(),
        }
    }
}

/// The field problems of a refusal, as problem+json lists them.
fn listed(problems: Vec<frt_domain::form::FieldProblem>) -> Vec<FieldError> {
    problems.into_iter().map(FieldError::from).collect()
}

impl From<FilingError> for ApiError {
    fn from(e: FilingError) -> Self {
        use FilingError as F;
        let detail = e.to_string();
        match e {
            F::NotFound => Self::not_found("filing"),
            F::Parameter(p) => p.into(),
            F::AttachmentNotFound => Self::not_found("attachment"),
            F::InvalidPrevious { problem, message } => {
                Self::unprocessable("filing.invalid_previous", message).with_errors(vec![
                    FieldError {
                        path: "previous_filing_id".into(),
                        code: problem.into(),
                        message: message.into(),
                    },
                ])
            }
            F::NotEditable(_) => Self::conflict("filing.not_editable", detail),
            F::IllegalTransition(_) => Self::conflict("filing.illegal_transition", detail),
            F::Incomplete(problems) => {
                Self::unprocessable("filing.incomplete", detail).with_errors(listed(problems))
            }
            F::VersionConflict { seen, now } => Self::conflict(
                "filing.version_conflict",
                match now {
                    Some(now) => format!(
                        "the filing changed since version {seen} (it is now version {now}); reload it and try again"
                    ),
                    None => detail,
                },
            ),
            F::IdempotencyKeyReused { .. } => Self::unprocessable("idempotency.key_reused", detail),
            F::NotInReview(_) => Self::conflict("filing.not_in_review", detail),
            F::AssignedToOther => Self::conflict("filing.assigned_to_other", detail),
            F::AlreadyAssigned => Self::conflict("filing.already_assigned", detail),
            F::InvalidAssignee => Self::unprocessable("filing.invalid_assignee", detail),
            F::NoProposal => Self::conflict("filing.no_proposal", detail),
            F::InvalidReasons(problems) => {
                Self::unprocessable("review.invalid_reasons", detail).with_errors(listed(problems))
            }
            F::InvalidNote => Self::unprocessable("review.invalid_note", detail),
            F::NoSuchVersion { .. } => Self::unprocessable("history.no_such_version", detail),
            F::InvalidRange => Self::bad_request("history.invalid_range", detail),
            F::Upload(u) => u.into(),
            F::Denied(d) => d.into(),
            F::Store(s) => s.into(),
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        use UploadError as U;
        let detail = e.to_string();
        match e {
            U::TooLarge { .. } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "attachment.too_large",
                detail,
            ),
            U::Malformed(_) => Self::bad_request("attachment.malformed", detail),
            U::Empty => Self::unprocessable("attachment.empty", detail),
            U::UnsupportedType => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "attachment.unsupported_type",
                detail,
            ),
            U::TooManyFiles => Self::unprocessable("attachment.too_many_files", detail),
            U::UnknownField(_) => Self::unprocessable("attachment.unknown_field", detail),
            U::MissingFile => Self::unprocessable("attachment.missing_file", detail),
            U::InvalidKind(_) => Self::unprocessable("attachment.invalid_kind", detail),
            U::Store(s) => s.into(),
        }
    }
}

impl From<TrailError> for ApiError {
    fn from(e: TrailError) -> Self {
        match e {
            TrailError::UnknownEntityType { .. } => {
                Self::bad_request("audit.unknown_entity_type", e.to_string())
            }
            TrailError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no {what} with that id was found"),
            ),
            TrailError::Parameter(p) => p.into(),
            TrailError::Denied(d) => d.into(),
            TrailError::Store(s) => s.into(),
        }
    }
}

impl From<frt_store::calendars::CalendarStoreError> for ApiError {
    fn from(e: frt_store::calendars::CalendarStoreError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<frt_store::deadlines::SetError> for ApiError {
    fn from(e: frt_store::deadlines::SetError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<frt_cases::calendar::DueDateError> for ApiError {
    fn from(e: frt_cases::calendar::DueDateError) -> Self {
        use frt_cases::calendar::DueDateError as E;
        match e {
            E::InvalidDate(_) => Self::bad_request("calendar.invalid_date", e.to_string()),
            E::InvalidWorkingDays => {
                Self::bad_request("calendar.invalid_working_days", e.to_string())
            }
            E::OutOfRange(_) => Self::bad_request("calendar.out_of_range", e.to_string()),
            E::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::passwords::PasswordChangeError> for ApiError {
    fn from(e: frt_cases::passwords::PasswordChangeError) -> Self {
        use frt_cases::passwords::PasswordChangeError as P;
        let detail = e.to_string();
        match e {
            P::WrongPassword => Self::new(StatusCode::FORBIDDEN, "auth.wrong_password", detail),
            P::LinkExpired => Self::new(StatusCode::NOT_FOUND, "auth.reset_link_expired", detail),
            P::Invalid(problems) => {
                Self::unprocessable("auth.invalid", detail).with_errors(listed(problems))
            }
            P::Throttled { until } => {
                let secs = (until - chrono::Utc::now()).num_seconds().max(1);
                Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "auth.too_many_requests",
                    detail,
                )
                .with_retry_after(u64::try_from(secs).unwrap_or(1))
            }
            P::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::sessions::LoginError> for ApiError {
    fn from(e: frt_cases::sessions::LoginError) -> Self {
        use frt_cases::sessions::LoginError as L;
        match e {
            L::Refused => Self::unauthenticated("wrong email or password"),
            L::Throttled { until } => {
                let secs = (until - chrono::Utc::now()).num_seconds().max(1);
                Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "auth.too_many_attempts",
                    format!(
                        "too many failed logins from your address; try again in {secs} seconds"
                    ),
                )
                .with_retry_after(u64::try_from(secs).unwrap_or(1))
            }
            L::Unconfirmed => Self::new(
                StatusCode::FORBIDDEN,
                "auth.address_unconfirmed",
                L::Unconfirmed.to_string(),
            ),
            L::WrongCode => Self::new(
                StatusCode::UNAUTHORIZED,
                "auth.wrong_code",
                L::WrongCode.to_string(),
            ),
            L::ChallengeExpired => Self::new(
                StatusCode::UNAUTHORIZED,
                "auth.challenge_expired",
                L::ChallengeExpired.to_string(),
            ),
            L::WrongStep(why) => Self::conflict("auth.second_factor_step", why.to_owned()),
            L::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::disputes::DisputeError> for ApiError {
    fn from(e: frt_cases::disputes::DisputeError) -> Self {
        use frt_cases::disputes::DisputeError as D;
        let detail = e.to_string();
        match e {
            D::NotFound => Self::not_found("registration dispute"),
            D::AlreadyDecided => Self::conflict("dispute.already_decided", detail),
            D::Invalid(problems) => {
                Self::unprocessable("dispute.invalid", detail).with_errors(listed(problems))
            }
            D::Parameter(p) => p.into(),
            D::Denied(d) => d.into(),
            D::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::accounts::RegistrationError> for ApiError {
    fn from(e: frt_cases::accounts::RegistrationError) -> Self {
        use frt_cases::accounts::RegistrationError as R;
        let detail = e.to_string();
        match e {
            R::Invalid(problems) => {
                Self::unprocessable("registration.invalid", detail).with_errors(listed(problems))
            }
            R::Limit(l) => l.into(),
            R::LinkExpired => Self::new(StatusCode::NOT_FOUND, "registration.link_expired", detail),
            R::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::input::BadParameter> for ApiError {
    fn from(e: frt_cases::input::BadParameter) -> Self {
        let detail = e.to_string();
        Self::bad_request(format!("request.{}", e.code), detail).with_errors(vec![FieldError {
            path: e.name,
            code: e.code,
            message: e.message,
        }])
    }
}

impl From<frt_cases::limits::LimitError> for ApiError {
    fn from(e: frt_cases::limits::LimitError) -> Self {
        use frt_cases::limits::LimitError as L;
        let detail = e.to_string();
        match e {
            L::Exceeded {
                limit,
                retry_after_secs,
            } => Self::new(StatusCode::TOO_MANY_REQUESTS, limit.code(), detail)
                .with_retry_after(retry_after_secs),
            L::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::inspections::InspectionError> for ApiError {
    fn from(e: frt_cases::inspections::InspectionError) -> Self {
        use frt_cases::inspections::InspectionError as I;
        use frt_domain::inspection::DrawError;
        let detail = e.to_string();
        match e {
            I::NotFound => Self::not_found("inspection"),
            I::Parameter(p) => p.into(),
            I::Missing(what) => Self::not_found(what),
            I::Draw(DrawError::PoolTooSmall { .. }) => {
                Self::unprocessable("inspection.pool_too_small", detail)
            }
            I::Draw(DrawError::BadSeed) => Self::unprocessable("inspection.invalid_seed", detail),
            I::SeedNotAllowed => Self::unprocessable("inspection.seed_not_allowed", detail),
            I::IllegalStep(_) => Self::conflict("inspection.illegal_step", detail),
            I::VersionConflict { .. } => Self::conflict("inspection.version_conflict", detail),
            I::Invalid(problems) => {
                Self::unprocessable("inspection.invalid", detail).with_errors(listed(problems))
            }
            I::ItemClosed => Self::conflict("inspection.item_closed", detail),
            I::NotAnInspector => Self::forbidden(detail),
            I::Upload(u) => u.into(),
            I::Denied(d) => d.into(),
            I::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::workbench::WorkbenchError> for ApiError {
    fn from(e: frt_cases::workbench::WorkbenchError) -> Self {
        use frt_cases::workbench::WorkbenchError as W;
        match e {
            W::Filing(e) => e.into(),
            W::Complaint(e) => e.into(),
            W::Inspection(e) => e.into(),
            W::Parameter(e) => e.into(),
        }
    }
}

impl From<frt_cases::complaints::ComplaintError> for ApiError {
    fn from(e: frt_cases::complaints::ComplaintError) -> Self {
        use frt_cases::complaints::ComplaintError as C;
        let detail = e.to_string();
        match e {
            C::NotFound => Self::not_found("complaint"),
            C::Parameter(p) => p.into(),
            C::Limited(l) => l.into(),
            C::NotYetReplied => Self::conflict("complaint.not_replied", detail),
            C::AlreadyRated => Self::conflict("complaint.already_rated", detail),
            C::Missing(what) => Self::not_found(what),
            C::NoMatch => Self::new(StatusCode::NOT_FOUND, "complaint.not_found", detail),
            C::TooManyLookups { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "complaint.too_many_attempts",
                detail,
            )
            .with_retry_after(u64::try_from(retry_after_secs).unwrap_or(1)),
            C::Invalid(problems) => {
                Self::unprocessable("complaint.invalid", detail).with_errors(listed(problems))
            }
            C::IllegalStep(_) => Self::conflict("complaint.illegal_step", detail),
            C::VersionConflict { .. } => Self::conflict("complaint.version_conflict", detail),
            C::ReplyRequired(_) => Self::conflict("complaint.reply_required", detail),
            C::EvidenceClosed { .. } => Self::conflict("complaint.evidence_closed", detail),
            C::Upload(u) => u.into(),
            C::Denied(d) => d.into(),
            C::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::notifications::NotificationError> for ApiError {
    fn from(e: frt_cases::notifications::NotificationError) -> Self {
        use frt_cases::notifications::NotificationError as N;
        let detail = e.to_string();
        match e {
            N::NotFound => Self::not_found("notification"),
            N::Missing(what) => Self::not_found(what),
            N::Invalid(problems) => {
                Self::unprocessable("notification.invalid", detail).with_errors(listed(problems))
            }
            N::NotARecipient => Self::conflict("notification.not_a_recipient", detail),
            N::NotTheSender => Self::conflict("notification.not_the_sender", detail),
            N::TooManyAttachments { .. } => {
                Self::conflict("notification.too_many_attachments", detail)
            }
            N::AlreadyDone(_) => Self::conflict("notification.already_done", detail),
            N::Parameter(p) => p.into(),
            N::Denied(d) => d.into(),
            N::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::exchange::ExchangeError> for ApiError {
    fn from(e: frt_cases::exchange::ExchangeError) -> Self {
        use frt_cases::exchange::ExchangeError as X;
        let detail = e.to_string();
        match e {
            X::Unsigned => Self::new(StatusCode::UNAUTHORIZED, "exchange.unsigned", detail),
            X::StaleTimestamp { .. } => {
                Self::new(StatusCode::UNAUTHORIZED, "exchange.stale_timestamp", detail)
            }
            X::UnknownKey => Self::new(StatusCode::UNAUTHORIZED, "exchange.unknown_key", detail),
            X::BadSignature => {
                Self::new(StatusCode::UNAUTHORIZED, "exchange.bad_signature", detail)
            }
            X::Replayed => Self::new(StatusCode::UNAUTHORIZED, "exchange.replayed", detail),
            X::ScopeMissing(_) => {
                Self::new(StatusCode::FORBIDDEN, "exchange.scope_missing", detail)
            }
            X::BadCursor => Self::bad_request("request.invalid_cursor", detail),
            X::Invalid(_) => Self::bad_request("exchange.invalid", detail),
            X::IdempotencyMismatch => {
                Self::unprocessable("exchange.idempotency_key_reused", detail)
            }
            X::Limited(l) => l.into(),
            X::Parameter(p) => p.into(),
            X::Notification(n) => n.into(),
            X::Store(s) => s.into(),
        }
    }
}

impl From<frt_sheets::SheetError> for ApiError {
    fn from(e: frt_sheets::SheetError) -> Self {
        use frt_sheets::SheetError as S;
        let status = match &e {
            S::NotASpreadsheet => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            S::TooLarge { .. }
            | S::ZipBomb { .. }
            | S::TooManyParts { .. }
            | S::SharedStringsTooLarge { .. }
            | S::TooManyRows { .. }
            | S::TooManyColumns { .. }
            | S::TooManyCells { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            S::Encrypted | S::NoSuchSheet(_) | S::Malformed(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<frt_cases::imports::ImportError> for ApiError {
    fn from(e: frt_cases::imports::ImportError) -> Self {
        use frt_cases::imports::ImportError as I;
        let detail = e.to_string();
        match e {
            I::UnknownKind => Self::new(StatusCode::NOT_FOUND, "import.unknown_kind", detail),
            I::Sheet(s) => s.into(),
            I::NoRows => Self::unprocessable("import.no_rows", detail),
            I::Rows { problems, .. } => Self::unprocessable("import.rows_invalid", detail)
                .with_errors(
                    problems
                        .into_iter()
                        .map(|p| FieldError {
                            path: format!("{}!{}:{}", p.sheet, p.row, p.column),
                            code: p.code,
                            message: p.message,
                        })
                        .collect(),
                ),
            I::NotFound => Self::not_found("error workbook"),
            I::Denied(d) => d.into(),
            I::Store(s) => s.into(),
        }
    }
}

impl From<frt_cases::exports::ExportError> for ApiError {
    fn from(e: frt_cases::exports::ExportError) -> Self {
        use frt_cases::exports::ExportError as X;
        let detail = e.to_string();
        match e {
            X::Invalid(_) => Self::bad_request("export.invalid", detail),
            X::Parameter(p) => p.into(),
            X::Denied(d) => d.into(),
            X::Store(s) => s.into(),
        }
    }
}
