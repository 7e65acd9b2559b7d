//! `/password-reset`: a processor's forgotten password reset by a mailed link, over
//! `frt_cases::passwords`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::passwords::{self, PasswordChangeError};
use frt_web::auth::{anonymous_actor, Zone};
use frt_web::client::throttle_source;
use frt_web::console::account::password_errors;
use frt_web::console::{render, render_with, FieldErrors, Form, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

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
                errors: password_errors(&page, e)?,
                page: &page,
                token,
                done: false,
            },
        ),
    }
}
