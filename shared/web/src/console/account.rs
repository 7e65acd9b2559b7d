//! The pages of one's own account, for both zones: `/login` (a browser session in the zone's
//! HttpOnly cookie, ended after `console.idle_minutes` idle and `console.absolute_minutes` in
//! all, with a fresh CSRF token), `/logout` (the session ended on the server), and `/account`
//! (change the password, every other session ending; log out everywhere). The portal adds its
//! self-service pages (registration, password reset) beside them.

use super::{
    render, render_with, see_other, Console, FieldErrors, Form, Page, PageError, PageResult,
};
use crate::auth::{anonymous_actor, Zone};
use crate::client::throttle_source;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use frt_cases::passwords::{self, PasswordChangeError};
use frt_cases::{sessions, Core};
use serde::Deserialize;

/// `next` if it is a path of this site, else `/`.
pub fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    page: &'a Page,
    email: String,
    next: String,
    errors: FieldErrors,
    logged_out: bool,
    /// The message key of the lead: who signs in here.
    lead: &'static str,
    /// Processors register and reset their passwords themselves; staff ask their admin.
    self_service: bool,
}

impl<'a> LoginPage<'a> {
    fn new(page: &'a Page, console: &Console, email: String, next: String) -> Self {
        let portal = console.zone == Zone::Portal;
        Self {
            page,
            email,
            next,
            errors: FieldErrors::default(),
            logged_out: false,
            lead: if portal {
                "login.lead"
            } else {
                "login.lead_casework"
            },
            self_service: portal,
        }
    }
}

/// Where a login leads by default: the zone's own first page.
fn landing(console: &Console) -> &'static str {
    match console.zone {
        Zone::Portal => "/filings",
        _ => "/",
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    console: web::Data<Console>,
    page: Page,
    q: web::Query<LoginQuery>,
) -> PageResult {
    let q = q.into_inner();
    let next = local_path(q.next.as_deref().unwrap_or(landing(&console))).to_owned();
    render(&LoginPage {
        logged_out: q.bye.is_some(),
        ..LoginPage::new(&page, &console, String::new(), next)
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[post("/login")]
pub async fn login(
    core: web::Data<Core>,
    console: web::Data<Console>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let source = throttle_source(&req);
    let actor = anonymous_actor(&req, f.email.trim());
    let outcome = sessions::login(
        &core,
        console.zone.as_str(),
        &f.email,
        f.password,
        &source,
        actor,
        sessions::Kind::Browser,
    )
    .await;
    let next = if f.next.is_empty() {
        landing(&console).to_owned()
    } else {
        local_path(&f.next).to_owned()
    };
    let refused = |status, key| {
        render_with(
            status,
            &LoginPage {
                errors: FieldErrors::general(page.t(key)),
                ..LoginPage::new(&page, &console, f.email.clone(), next.clone())
            },
        )
    };
    match outcome {
        Ok(session) => {
            let mut res = see_other(&next);
            let fresh_csrf = frt_access::token::issue().0;
            res.add_cookie(&console.cookie(console.session_cookie(), session.token))
                .map_err(|e| PageError::internal(&e.to_string()))?;
            res.add_cookie(&console.cookie(console.csrf_cookie(), fresh_csrf))
                .map_err(|e| PageError::internal(&e.to_string()))?;
            Ok(res)
        }
        Err(sessions::LoginError::Refused) => refused(StatusCode::UNAUTHORIZED, "login.refused"),
        Err(sessions::LoginError::Unconfirmed) => {
            refused(StatusCode::FORBIDDEN, "login.unconfirmed")
        }
        Err(e) => Err(e.into()),
    }
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// Ends the browser session on the server and removes its cookie.
#[post("/logout")]
pub async fn logout(
    core: web::Data<Core>,
    console: web::Data<Console>,
    page: Page,
    Form(_): Form<Nothing>,
) -> PageResult {
    if let (Some(user), Some(hash)) = (&page.user, page.session_hash()) {
        sessions::logout(&core, hash, user.principal.user_id, &user.actor)
            .await
            .map_err(crate::ApiError::from)?;
    }
    let mut res: HttpResponse = see_other("/login?bye=1");
    res.add_removal_cookie(&console.removal(console.session_cookie()))
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    page: &'a Page,
    errors: FieldErrors,
    changed: bool,
}

#[get("/account")]
pub async fn account(page: Page) -> PageResult {
    page.caller()?;
    render(&AccountPage {
        page: &page,
        errors: FieldErrors::default(),
        changed: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// The problems of a password form in the reader's language, or the error to show as a page.
pub fn password_errors(page: &Page, e: PasswordChangeError) -> Result<FieldErrors, PageError> {
    match e {
        PasswordChangeError::WrongPassword => {
            let mut errors = FieldErrors::default();
            errors.add("current_password", page.t("password.wrong"));
            Ok(errors)
        }
        PasswordChangeError::Invalid(_) => {
            let mut errors = FieldErrors::default();
            errors.add("new_password", page.t("password.policy"));
            Ok(errors)
        }
        PasswordChangeError::LinkExpired => Ok(FieldErrors::general(page.t("password.expired"))),
        other => Err(other.into()),
    }
}

#[post("/account/password")]
pub async fn change(core: web::Data<Core>, page: Page, Form(f): Form<ChangeForm>) -> PageResult {
    let caller = page.caller()?;
    let keep = page.session_hash().map(<[u8]>::to_vec);
    match passwords::change(&core, caller, f.current_password, f.new_password, keep).await {
        Ok(_) => render(&AccountPage {
            page: &page,
            errors: FieldErrors::default(),
            changed: true,
        }),
        Err(e) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                errors: password_errors(&page, e)?,
                page: &page,
                changed: false,
            },
        ),
    }
}

#[post("/account/logout-everywhere")]
pub async fn logout_everywhere(
    core: web::Data<Core>,
    console: web::Data<Console>,
    page: Page,
    Form(_): Form<Nothing>,
) -> PageResult {
    let caller = page.caller()?;
    passwords::logout_everywhere(&core, caller)
        .await
        .map_err(crate::ApiError::from)?;
    let mut res = see_other("/login?bye=1");
    res.add_removal_cookie(&console.removal(console.session_cookie()))
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(res)
}

/// The account pages of every zone's console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form)
        .service(login)
        .service(logout)
        .service(account)
        .service(change)
        .service(logout_everywhere);
}
