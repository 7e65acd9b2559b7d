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
    /// Back from a second-factor step whose few minutes ran out.
    expired: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    console: web::Data<Console>,
    page: Page,
    q: web::Query<LoginQuery>,
) -> PageResult {
    let q = q.into_inner();
    let next = local_path(q.next.as_deref().unwrap_or(landing(&console))).to_owned();
    let mut errors = FieldErrors::default();
    if q.expired.is_some() {
        errors.general = Some(page.t("second_factor.expired").to_owned());
    }
    render(&LoginPage {
        logged_out: q.bye.is_some(),
        errors,
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
        Ok(sessions::Outcome::Session(session)) => logged_in(&console, session, &next),
        Ok(sessions::Outcome::SecondFactor(c)) => {
            let step = if c.enrolled {
                "/login/second-factor"
            } else {
                "/login/enrol"
            };
            let mut res = see_other(&format!(
                "{step}?next={}",
                super::errors::percent_encode(&next)
            ));
            res.add_cookie(&console.cookie(console.challenge_cookie(), c.token))
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

/// The answer that starts a browser session: its cookie, a fresh CSRF token, no challenge
/// left, and on to `next`.
fn logged_in(console: &Console, session: sessions::Session, next: &str) -> PageResult {
    let mut res = see_other(next);
    set_session(console, &mut res, session)?;
    Ok(res)
}

fn set_session(
    console: &Console,
    res: &mut HttpResponse,
    session: sessions::Session,
) -> Result<(), PageError> {
    let fresh_csrf = frt_access::token::issue().0;
    fn fail(e: impl std::fmt::Display) -> PageError {
        PageError::internal(&e.to_string())
    }
    res.add_cookie(&console.cookie(console.session_cookie(), session.token))
        .map_err(fail)?;
    res.add_cookie(&console.cookie(console.csrf_cookie(), fresh_csrf))
        .map_err(fail)?;
    res.add_removal_cookie(&console.removal(console.challenge_cookie()))
        .map_err(fail)
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage<'a> {
    page: &'a Page,
    next: String,
    errors: FieldErrors,
    /// An enrolment: the new secret, shown once, and its QR code.
    enrolment: Option<frt_cases::second_factor::Enrolment>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage<'a> {
    page: &'a Page,
    next: String,
    codes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The challenge of a right password, from its cookie.
fn challenge_of(req: &HttpRequest, console: &Console) -> Option<String> {
    req.cookie(&console.challenge_cookie())
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Back to the login form, saying the password must be given again.
fn login_again(console: &Console) -> PageResult {
    let mut res = see_other("/login?expired=1");
    res.add_removal_cookie(&console.removal(console.challenge_cookie()))
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(res)
}

/// The code of the authenticator app, after a right password.
#[get("/login/second-factor")]
pub async fn second_factor_form(
    console: web::Data<Console>,
    req: HttpRequest,
    page: Page,
    q: web::Query<NextQuery>,
) -> PageResult {
    if challenge_of(&req, &console).is_none() {
        return login_again(&console);
    }
    let next = local_path(q.next.as_deref().unwrap_or(landing(&console))).to_owned();
    render(&SecondFactorPage {
        page: &page,
        next,
        errors: FieldErrors::default(),
        enrolment: None,
    })
}

/// A new account's enrolment: the secret, shown once, as a QR code and as text.
#[get("/login/enrol")]
pub async fn enrol_form(
    core: web::Data<Core>,
    console: web::Data<Console>,
    req: HttpRequest,
    page: Page,
    q: web::Query<NextQuery>,
) -> PageResult {
    let Some(challenge) = challenge_of(&req, &console) else {
        return login_again(&console);
    };
    let next = local_path(q.next.as_deref().unwrap_or(landing(&console))).to_owned();
    let actor = anonymous_actor(&req, "");
    match frt_cases::second_factor::begin_enrolment(&core, &challenge, &actor).await {
        Ok(enrolment) => render(&SecondFactorPage {
            page: &page,
            next,
            errors: FieldErrors::default(),
            enrolment: Some(enrolment),
        }),
        Err(sessions::LoginError::ChallengeExpired) => login_again(&console),
        Err(sessions::LoginError::WrongStep(_)) => Ok(see_other(&format!(
            "/login/second-factor?next={}",
            super::errors::percent_encode(&next)
        ))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// A code (or recovery code) for the challenge: a session, and after an enrolment the
/// recovery codes, shown once.
#[post("/login/second-factor")]
pub async fn second_factor(
    core: web::Data<Core>,
    console: web::Data<Console>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let Some(challenge) = challenge_of(&req, &console) else {
        return login_again(&console);
    };
    let next = local_path(if f.next.is_empty() {
        landing(&console)
    } else {
        &f.next
    })
    .to_owned();
    let source = throttle_source(&req);
    let actor = anonymous_actor(&req, "");
    match frt_cases::second_factor::answer(
        &core,
        console.zone.as_str(),
        &challenge,
        &f.code,
        &source,
        &actor,
    )
    .await
    {
        Ok(passed) if passed.recovery_codes.is_empty() => {
            logged_in(&console, passed.session, &next)
        }
        Ok(passed) => {
            let mut page = page;
            page.open_as(&req, &core, &passed.session.token).await?;
            let mut res = render(&RecoveryCodesPage {
                page: &page,
                next,
                codes: passed.recovery_codes,
            })?;
            set_session(&console, &mut res, passed.session)?;
            Ok(res)
        }
        Err(sessions::LoginError::WrongCode) => render_with(
            StatusCode::UNAUTHORIZED,
            &SecondFactorPage {
                page: &page,
                next,
                errors: {
                    let mut e = FieldErrors::default();
                    e.add("code", page.t("second_factor.wrong"));
                    e
                },
                enrolment: None,
            },
        ),
        Err(sessions::LoginError::ChallengeExpired) => login_again(&console),
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
        .service(second_factor_form)
        .service(enrol_form)
        .service(second_factor)
        .service(logout)
        .service(account)
        .service(change)
        .service(logout_everywhere);
}
