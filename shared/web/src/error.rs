//! Errors as RFC 9457 problem+json with a stable machine-readable `code`. Every failure of a
//! request is mapped here, once: bad input is 4xx with a clear message, an unreachable database
//! is 503, and anything unexpected is an opaque 500 whose cause is logged, never sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

pub type ApiResult<T> = Result<T, ApiError>;

/// One problem with one field of the input.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub path: String,
    pub code: String,
    pub message: String,
}

impl From<frt_domain::form::FieldProblem> for FieldError {
    fn from(p: frt_domain::form::FieldProblem) -> Self {
        Self {
            path: p.path,
            code: p.code,
            message: p.message,
        }
    }
}

/// The problem+json body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub code: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub struct ApiError {
    status: StatusCode,
    code: String,
    detail: String,
    errors: Vec<FieldError>,
    /// Seconds for a `Retry-After` header.
    retry_after: Option<u64>,
    /// Logged, never sent.
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            cause: None,
        }
    }

    /// Asks the client to wait this many seconds before trying again.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn bad_request(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn conflict(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// Not found, also used for what the caller may not see, so ids cannot be probed.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} with that id was found"),
        )
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "auth.unauthenticated", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "auth.forbidden", detail)
    }

    /// An outage (the database out of reach, the pool exhausted): 503 with `Retry-After`.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service.unavailable",
            detail,
        )
        .with_retry_after(5)
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "an unexpected error occurred; it has been logged",
            )
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            code: self.code.clone(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, "\ncaused by: {cause:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error = ?cause, "request failed unexpectedly");
        } else if self.status.is_server_error() {
            tracing::warn!(code = %self.code, detail = %self.detail, "request failed");
        }
        let mut resp = HttpResponse::build(self.status);
        resp.content_type("application/problem+json");
        match self.retry_after {
            Some(secs) => {
                resp.insert_header(("Retry-After", secs.to_string()));
            }
            None if self.status == StatusCode::SERVICE_UNAVAILABLE => {
                resp.insert_header(("Retry-After", "5"));
            }
            None => {}
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        resp.json(self.problem())
    }
}

/// Error handlers for actix's query and path extractors, so their failures are problems too
/// (JSON bodies go through `extract::Json`, which makes its own).
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|err, _req| {
        ApiError::bad_request(
            "request.invalid_query",
            format!("the query string is invalid: {err}"),
        )
        .into()
    })
}
