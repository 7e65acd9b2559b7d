//! Errors of console pages. A handler's error is any use case's (mapped to its status and code
//! as the API maps it), a sign-in the page needs, or a form without its CSRF token; the console
//! middleware shows each as a page in the reader's language: 404, 403, 429 with when to retry,
//! 500 with the request id.

use super::{Console, Lang, Page};
use crate::auth::RequestId;
use crate::ApiError;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;
use std::fmt;

pub type PageResult = Result<HttpResponse, PageError>;

/// Why a page was not shown.
pub enum PageError {
    /// The page is for someone signed in: to the login page, then back to `next`.
    SignIn { next: String },
    /// A state-changing form came without the request's CSRF token.
    Csrf,
    /// The signed-in account's password must be changed first: to the account page.
    ChangePassword,
    /// Anything a use case or the web layer refused, as the API would answer it.
    Api(ApiError),
}

impl PageError {
    pub fn internal(what: &str) -> Self {
        Self::Api(ApiError::internal(anyhow::anyhow!("{what}")))
    }

    pub fn not_found() -> Self {
        Self::Api(ApiError::not_found("page"))
    }

    /// The id in a page's address: one that is not an id names no page (404, as an id that is
    /// not there or not the reader's).
    pub fn id(text: &str) -> Result<uuid::Uuid, Self> {
        uuid::Uuid::parse_str(text).map_err(|_| Self::not_found())
    }
}

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self::Api(e.into())
    }
}

impl fmt::Debug for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignIn { next } => write!(f, "sign in, then {next}"),
            Self::Csrf => f.write_str("missing or wrong CSRF token"),
            Self::ChangePassword => f.write_str("change the password first"),
            Self::Api(e) => fmt::Debug::fmt(e, f),
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } | Self::ChangePassword => StatusCode::SEE_OTHER,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::Api(e) => e.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next } => {
                let next = if next.starts_with('/') && !next.starts_with("//") {
                    next.as_str()
                } else {
                    "/"
                };
                let to = format!(
                    "/login?next={}",
                    percent_encode(next.split("lang=").next().unwrap_or(next))
                );
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, to))
                    .finish()
            }
            Self::ChangePassword => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/account"))
                .finish(),
            Self::Csrf => ApiError::new(
                StatusCode::FORBIDDEN,
                "console.csrf",
                "the form came without its token",
            )
            .error_response(),
            Self::Api(e) => e.error_response(),
        }
    }
}

/// `next` as a query value.
pub(crate) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: &'a Page,
    status: u16,
    title: String,
    message: String,
    code: String,
    detail: Option<String>,
    retry: Option<String>,
    request_id: Option<String>,
}

/// The error page for `status` with the problem's `code` and `detail`.
pub fn error_page(
    page: &Page,
    status: StatusCode,
    code: &str,
    detail: Option<String>,
    retry_after: Option<u64>,
    request_id: Option<String>,
) -> HttpResponse {
    let key = match status.as_u16() {
        s @ (400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 503) => s,
        s if s >= 500 => 500,
        _ => 400,
    };
    let message_key = if code == "console.csrf" {
        "error.csrf".to_owned()
    } else {
        format!("error.{key}.message")
    };
    let retry = retry_after.map(|secs| {
        let at = chrono::Utc::now() + chrono::Duration::seconds(secs as i64);
        page.tf(
            "error.retry",
            &[
                ("minutes", &secs.div_ceil(60).to_string()),
                ("time", &page.datetime(&at)),
            ],
        )
    });
    let body = ErrorTemplate {
        page,
        status: status.as_u16(),
        title: if code == "console.csrf" {
            page.t("error.csrf_title").to_owned()
        } else {
            page.t(&format!("error.{key}.title")).to_owned()
        },
        message: page.t(&message_key).to_owned(),
        code: code.to_owned(),
        // Details speak of the request the person made; server faults say nothing of themselves.
        detail: detail.filter(|_| status.is_client_error() && status != StatusCode::NOT_FOUND),
        retry,
        request_id: request_id.filter(|_| status.is_server_error()),
    }
    .render();
    match body {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "the error page cannot be drawn");
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(status.to_string())
        }
    }
}

/// An error answer that is not yet a page, drawn as one; headers such as `Retry-After` and
/// `Allow` are kept. Other answers pass unchanged.
pub(super) async fn as_page(
    res: ServiceResponse<BoxBody>,
    console: &Console,
    lang: Lang,
    csrf: &str,
) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return res;
    }
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone());
    let path = res.request().path().to_owned();
    let (req, old) = res.into_parts();
    let kept: Vec<(header::HeaderName, HeaderValue)> = old
        .headers()
        .iter()
        .filter(|(n, _)| **n != header::CONTENT_TYPE && **n != header::CONTENT_LENGTH)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let body = actix_web::body::to_bytes_limited(old.into_body(), 64 * 1024)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let code = problem["code"].as_str().unwrap_or_default().to_owned();
    let detail = problem["detail"].as_str().map(str::to_owned);
    let page = Page::anonymous(lang, csrf, &path, console.menu);
    let mut new = error_page(&page, status, &code, detail, retry_after, request_id);
    for (n, v) in kept {
        new.headers_mut().insert(n, v);
    }
    ServiceResponse::new(req, new.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_encoded_as_a_query_value() {
        assert_eq!(percent_encode("/filings?a=1&b"), "/filings%3Fa%3D1%26b");
    }
}
