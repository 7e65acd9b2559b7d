//! `/login`, `/logout`, `/register`: processors' accounts in the browser. A login opens a
//! browser session (the zone's HttpOnly cookie, ended after `console.idle_minutes` idle and
//! `console.absolute_minutes` in all) and gives the browser a new CSRF token.

use super::local_path;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use frt_cases::accounts::{self, NewOrganisationInput, Registration};
use frt_cases::sessions;
use frt_web::auth::{anonymous_actor, Zone};
use frt_web::client::throttle_source;
use frt_web::console::{
    render, render_with, see_other, Console, FieldErrors, Form, Page, PageError, PageResult,
};
use frt_web::Core;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    page: &'a Page,
    email: String,
    next: String,
    errors: FieldErrors,
    logged_out: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
}

#[get("/login")]
pub async fn login_form(page: Page, q: web::Query<LoginQuery>) -> PageResult {
    let q = q.into_inner();
    render(&LoginPage {
        page: &page,
        email: String::new(),
        next: local_path(q.next.as_deref().unwrap_or("/filings")).to_owned(),
        errors: FieldErrors::default(),
        logged_out: q.bye.is_some(),
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
    let zone = Zone::Portal.as_str();
    let outcome = sessions::login(
        &core,
        zone,
        &f.email,
        f.password,
        &source,
        actor,
        sessions::Kind::Browser,
    )
    .await;
    match outcome {
        Ok(session) => {
            let mut res = see_other(local_path(&f.next));
            let fresh_csrf = frt_access::token::issue().0;
            res.add_cookie(&console.cookie(console.session_cookie(), session.token))
                .map_err(|e| PageError::internal(&e.to_string()))?;
            res.add_cookie(&console.cookie(console.csrf_cookie(), fresh_csrf))
                .map_err(|e| PageError::internal(&e.to_string()))?;
            Ok(res)
        }
        Err(sessions::LoginError::Refused) => render_with(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                page: &page,
                email: f.email,
                next: local_path(&f.next).to_owned(),
                errors: FieldErrors::general(page.t("login.refused")),
                logged_out: false,
            },
        ),
        Err(sessions::LoginError::Unconfirmed) => render_with(
            StatusCode::FORBIDDEN,
            &LoginPage {
                page: &page,
                email: f.email,
                next: local_path(&f.next).to_owned(),
                errors: FieldErrors::general(page.t("login.unconfirmed")),
                logged_out: false,
            },
        ),
        Err(e) => Err(e.into()),
    }
}

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
            .map_err(frt_web::ApiError::from)?;
    }
    let mut res: HttpResponse = see_other("/login?bye=1");
    res.add_removal_cookie(&console.removal(console.session_cookie()))
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(res)
}

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
