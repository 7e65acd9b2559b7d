//! The web console's foundation, shared by the portal's pages and casework's: languages and
//! message files, browser sessions in cookies, CSRF tokens on every state-changing form, the
//! console's own assets, and error pages in the reader's language. Pages are a second adapter
//! over the same use cases as the API, with the same authorisation and scope; they never call
//! the API over HTTP.
//!
//! A console request passes [`middleware`], which settles its language (`?lang=`, then the
//! `frt_lang` cookie, then `Accept-Language`, then Chinese) and its CSRF token (the zone's
//! cookie, made when missing), and turns every error answer that is not already a page into
//! one. Handlers take a [`Page`] (who is signed in, the language, the token) and read forms
//! with [`Form`], which refuses a POST without the token (403 page, nothing changed).

pub mod account;
pub mod assets;
pub mod chart;
mod errors;
pub mod filing_form;
pub mod lang;
pub mod limits;
mod page;

pub use errors::{error_page, PageError, PageResult};
pub use lang::Lang;
pub use page::{check_csrf, Form, Page, Visit};

use crate::auth::Zone;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

/// One entry of the console's menu: where it leads, the message key of its label, and
/// whether it is shown only to someone signed in.
#[derive(Debug, Clone, Copy)]
pub struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub signed_in: bool,
    /// The roles that see it (`Role::as_str`); every role when empty.
    pub roles: &'static [&'static str],
}

/// A service's console: its zone (whose accounts sign in), whether its cookies need TLS, and
/// its menu.
#[derive(Debug, Clone)]
pub struct Console {
    pub zone: Zone,
    pub secure: bool,
    pub menu: &'static [MenuItem],
}

impl Console {
    /// The cookie holding the zone's browser session. With TLS the `__Host-` prefix pins it to
    /// this host, path `/`, Secure.
    pub fn session_cookie(&self) -> String {
        self.cookie_name("session")
    }

    /// The cookie holding the zone's CSRF token.
    pub fn csrf_cookie(&self) -> String {
        self.cookie_name("csrf")
    }

    /// The cookie holding a right password's second-factor challenge, for a few minutes.
    pub fn challenge_cookie(&self) -> String {
        self.cookie_name("challenge")
    }

    fn cookie_name(&self, what: &str) -> String {
        let prefix = if self.secure { "__Host-" } else { "" };
        format!("{prefix}frt-{}-{what}", self.zone.as_str())
    }

    /// A cookie of the console: HttpOnly, SameSite=Strict, path `/`, Secure under TLS; a
    /// session cookie (no Max-Age) unless `max_age` is given.
    pub fn cookie(&self, name: String, value: String) -> Cookie<'static> {
        let mut c = Cookie::new(name, value);
        c.set_http_only(true);
        c.set_same_site(SameSite::Strict);
        c.set_path("/");
        c.set_secure(self.secure);
        c
    }

    /// A cookie that removes `name`.
    pub fn removal(&self, name: String) -> Cookie<'static> {
        let mut c = self.cookie(name, String::new());
        c.make_removal();
        c
    }
}

/// The language cookie, shared by both zones.
pub const LANG_COOKIE: &str = "frt_lang";

/// Whether a path is one of the console's pages rather than the API, its documents or health.
pub fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/docs")
        || path == "/healthz"
        || path == "/readyz")
}

/// Settles a console request's language and CSRF token, sets their cookies when new, and
/// turns an error answer that is not a page (a use case's problem, a 404 from no route, a
/// body too large) into the error page in the reader's language.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let console = req.app_data::<web::Data<Console>>().cloned();
    let Some(console) = console.filter(|_| is_page_path(req.path())) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let chosen =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("lang").and_then(|l| Lang::parse(l)));
    let lang = chosen
        .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let kept = req
        .cookie(&console.csrf_cookie())
        .map(|c| c.value().to_owned())
        .filter(|v| page::token_shape(v));
    let fresh = kept.is_none();
    let csrf = kept.unwrap_or_else(|| frt_access::token::issue().0);
    req.extensions_mut().insert(Visit {
        lang,
        csrf: csrf.clone(),
    });
    let res = next.call(req).await?.map_into_boxed_body();
    let mut res = errors::as_page(res, &console, lang, &csrf).await;
    if fresh {
        res.response_mut()
            .add_cookie(&console.cookie(console.csrf_cookie(), csrf))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    if let Some(l) = chosen {
        let mut c = console.cookie(LANG_COOKIE.to_owned(), l.code().to_owned());
        c.set_max_age(actix_web::cookie::time::Duration::days(365));
        res.response_mut()
            .add_cookie(&c)
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

/// A page, 200.
pub fn render(t: &impl askama::Template) -> PageResult {
    render_with(actix_web::http::StatusCode::OK, t)
}

/// A page with `status` (a form shown again with its problems is 422).
pub fn render_with(status: actix_web::http::StatusCode, t: &impl askama::Template) -> PageResult {
    let html = t
        .render()
        .map_err(|e| PageError::internal(&format!("template: {e}")))?;
    Ok(actix_web::HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// After a form that changed something: on to the page that shows it (303, so a reload does
/// not post again).
pub fn see_other(to: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// A form's problems, by field, in the reader's language, for the summary at the top and the
/// message beside each field.
#[derive(Debug, Default)]
pub struct FieldErrors {
    items: Vec<(String, String)>,
    /// A problem of the whole form (not of one field).
    pub general: Option<String>,
}

impl FieldErrors {
    /// The problems a use case found (a 400 or 422 with field errors), with each field's path
    /// mapped to the form's own field name by `field_of`.
    pub fn of(e: &crate::ApiError, lang: Lang, field_of: impl Fn(&str) -> String) -> Self {
        let p = e.problem();
        let items: Vec<(String, String)> = p
            .errors
            .iter()
            .map(|f| {
                let key = format!("field.{}", f.code);
                let text = if lang.has(&key) {
                    lang.t(&key).to_owned()
                } else {
                    f.message.clone()
                };
                (field_of(&f.path), text)
            })
            .collect();
        let general = items.is_empty().then(|| p.detail.clone());
        Self { items, general }
    }

    /// One problem of the whole form.
    pub fn general(text: impl Into<String>) -> Self {
        Self {
            items: Vec::new(),
            general: Some(text.into()),
        }
    }

    /// One problem of `field`.
    pub fn add(&mut self, field: &str, text: impl Into<String>) {
        self.items.push((field.to_owned(), text.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.general.is_none()
    }

    /// The first problem of `field`.
    pub fn of_field(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, t)| t.as_str())
    }

    /// Every problem, as (field, text), in the order found.
    pub fn list(&self) -> &[(String, String)] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_pinned_to_the_host_under_tls() {
        let plain = Console {
            zone: Zone::Portal,
            secure: false,
            menu: &[],
        };
        assert_eq!(plain.session_cookie(), "frt-portal-session");
        let c = plain.cookie(plain.session_cookie(), "v".into());
        assert_eq!(
            (c.http_only(), c.same_site(), c.secure(), c.path()),
            (Some(true), Some(SameSite::Strict), Some(false), Some("/"))
        );
        let tls = Console {
            zone: Zone::Casework,
            secure: true,
            menu: &[],
        };
        assert_eq!(tls.session_cookie(), "__Host-frt-casework-session");
        assert_eq!(tls.csrf_cookie(), "__Host-frt-casework-csrf");
        assert_eq!(
            tls.cookie(tls.csrf_cookie(), "v".into()).secure(),
            Some(true)
        );
    }

    #[test]
    fn only_the_api_its_documents_and_health_are_not_pages() {
        for path in ["/", "/filings/1", "/login", "/assets/console.css"] {
            assert!(is_page_path(path), "{path}");
        }
        for path in ["/api/v1/filings", "/docs/", "/healthz", "/readyz", "/api"] {
            assert!(!is_page_path(path), "{path}");
        }
    }
}
