//! `/register` and `/register/confirm/{token}`: a processor registers its organisation and
//! confirms the admin's address from the mailed link (`/login`, `/logout` and `/account` are
//! the console's own, `frt_web::console::account`).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::accounts::{self, NewOrganisationInput, Registration};
use frt_web::auth::anonymous_actor;
use frt_web::client::throttle_source;
use frt_web::console::account::Nothing;
use frt_web::console::{render, render_with, FieldErrors, Form, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

/// What the registration form holds (kept when shown again).
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    province_code: String,
    #[serde(default)]
    contact_person: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    page: &'a Page,
    f: RegisterForm,
    errors: FieldErrors,
    done: bool,
    mailed_to: String,
    warnings: Vec<String>,
    provinces: Vec<(String, String)>,
}

#[get("/register")]
pub async fn register_form(core: web::Data<Core>, page: Page) -> PageResult {
    render(&RegisterPage {
        provinces: frt_cases::reference::provinces(&core).await?,
        page: &page,
        f: RegisterForm::default(),
        errors: FieldErrors::default(),
        done: false,
        mailed_to: String::new(),
        warnings: Vec::new(),
    })
}

/// The form's field for a path of the use case's problems.
fn register_field(path: &str) -> String {
    let field = path
        .trim_start_matches("organisation.")
        .trim_start_matches("admin.");
    match (path.starts_with("admin."), field) {
        (true, "email") => "admin_email".to_owned(),
        (_, f) => f.to_owned(),
    }
}

#[post("/register")]
pub async fn register(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let registration = Registration {
        organisation: NewOrganisationInput {
            name: f.name.clone(),
            uscc: f.uscc.clone(),
            province_code: optional(&f.province_code),
            contact_person: f.contact_person.clone(),
            contact_email: f.contact_email.clone(),
            contact_phone: f.contact_phone.clone(),
            locale: Some(page.lang.code().to_owned()),
        },
        admin_email: f.admin_email.clone(),
        admin_name: f.display_name.clone(),
        admin_password: f.password.clone(),
    };
    let done = accounts::register(
        &core,
        registration,
        anonymous_actor(&req, "registration"),
        &throttle_source(&req),
        &crate::registration::links(&req),
    )
    .await;
    match done {
        Ok(done) => render(&RegisterPage {
            page: &page,
            f: RegisterForm::default(),
            errors: FieldErrors::default(),
            done: true,
            mailed_to: done.mailed_to,
            warnings: done.warnings.into_iter().map(|w| w.message).collect(),
            provinces: Vec::new(),
        }),
        Err(e) => {
            let e = frt_web::ApiError::from(e);
            if !e.status().is_client_error() {
                return Err(e.into());
            }
            let errors = FieldErrors::of(&e, page.lang, register_field);
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage {
                    page: &page,
                    f: RegisterForm {
                        password: String::new(),
                        ..f
                    },
                    errors,
                    done: false,
                    mailed_to: String::new(),
                    warnings: Vec::new(),
                    provinces: frt_cases::reference::provinces(&core).await?,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "register_confirm.html")]
struct ConfirmPage<'a> {
    page: &'a Page,
    token: String,
    /// After the button: the organisation's name, or the link was no good.
    outcome: Option<Result<String, ()>>,
}

/// The page a confirmation link opens: a button, so that a mail scanner fetching the link
/// confirms nothing.
#[get("/register/confirm/{token}")]
pub async fn confirm_form(page: Page, token: web::Path<String>) -> PageResult {
    let token: String = token.chars().take(256).collect();
    render(&ConfirmPage {
        page: &page,
        token,
        outcome: None,
    })
}

#[post("/register/confirm/{token}")]
pub async fn confirm(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    token: web::Path<String>,
    Form(_): Form<Nothing>,
) -> PageResult {
    let actor = anonymous_actor(&req, "address confirmation");
    match accounts::confirm(&core, &token, &actor).await {
        Ok(org) => render(&ConfirmPage {
            page: &page,
            token: String::new(),
            outcome: Some(Ok(org.name)),
        }),
        Err(accounts::RegistrationError::LinkExpired | accounts::RegistrationError::Invalid(_)) => {
            render_with(
                StatusCode::NOT_FOUND,
                &ConfirmPage {
                    page: &page,
                    token: String::new(),
                    outcome: Some(Err(())),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
