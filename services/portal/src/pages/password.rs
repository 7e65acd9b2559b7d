//! `/account` (change the password, log out everywhere) and `/password-reset` (a forgotten
//! password reset by a mailed link), over `frt_cases::passwords`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::passwords::{self, PasswordChangeError};
use frt_web::auth::{anonymous_actor, Zone};
use frt_web::client::throttle_source;
use frt_web::console::{
    render, render_with, see_other, Console, FieldErrors, Form, Page, PageError, PageResult,
};
use frt_web::Core;
use serde::Deserialize;

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
fn form_errors(page: &Page, e: PasswordChangeError) -> Result<FieldErrors, PageError> {
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
                errors: form_errors(&page, e)?,
                page: &page,
                changed: false,
            },
        ),
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

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
        .map_err(frt_web::ApiError::from)?;
    let mut res = see_other("/login?bye=1");
    res.add_removal_cookie(&console.removal(console.session_cookie()))
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage<'a> {
    page: &'a Page,
    errors: FieldErrors,
    sent: bool,
}

#[get("/password-reset")]
pub async fn reset_form(page: Page) -> PageResult {
    render(&ResetPage {
        page: &page,
        errors: FieldErrors::default(),
        sent: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct ResetAsk {
    #[serde(default)]
    email: String,
}

/// The same page whether or not the address has an account.
#[post("/password-reset")]
pub async fn ask_reset(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<ResetAsk>,
) -> PageResult {
    let actor = anonymous_actor(&req, f.email.trim());
    let asked = passwords::request_reset(
        &core,
        Zone::Portal.as_str(),
        &f.email,
        &throttle_source(&req),
        &actor,
        |t| crate::account::reset_link(&req, t),
    )
    .await;
    match asked {
        Ok(()) => render(&ResetPage {
            page: &page,
            errors: FieldErrors::default(),
            sent: true,
        }),
        Err(PasswordChangeError::Invalid(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("email", page.t("field.invalid_email"));
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    page: &page,
                    errors,
                    sent: false,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "password_new.html")]
struct NewPasswordPage<'a> {
    page: &'a Page,
    token: String,
    errors: FieldErrors,
    done: bool,
}

#[get("/password-reset/{token}")]
pub async fn new_password_form(page: Page, token: web::Path<String>) -> PageResult {
    render(&NewPasswordPage {
        page: &page,
        token: token.chars().take(256).collect(),
        errors: FieldErrors::default(),
        done: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct NewPassword {
    #[serde(default)]
    new_password: String,
}

#[post("/password-reset/{token}")]
pub async fn set_new_password(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    token: web::Path<String>,
    Form(f): Form<NewPassword>,
) -> PageResult {
    let token: String = token.chars().take(256).collect();
    let actor = anonymous_actor(&req, "password reset");
    match passwords::reset(&core, &token, f.new_password, &actor).await {
        Ok(()) => render(&NewPasswordPage {
            page: &page,
            token,
            errors: FieldErrors::default(),
            done: true,
        }),
        Err(e) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPasswordPage {
                errors: form_errors(&page, e)?,
                page: &page,
                token,
                done: false,
            },
        ),
    }
}
