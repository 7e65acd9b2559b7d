//! `/staff`: an agency admin's staff accounts, a new one added with a password its holder
//! changes at first login, and a member's lost second factor reset (`frt_cases::staff`, as
//! the API does it).

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use frt_cases::staff::{self, StaffMember};
use frt_web::console::{render_with, see_other, FieldErrors, Form, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

/// The roles an admin gives, in the order the form offers them.
const ROLES: [&str; 5] = [
    "reviewer",
    "inspector",
    "complaint_handler",
    "supervisor",
    "admin",
];

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    page: &'a Page,
    rows: Vec<StaffMember>,
    roles: [&'static str; 5],
    f: NewForm,
    errors: FieldErrors,
    added: bool,
    /// A member's second factor was just reset.
    reset: bool,
}

async fn staff_page(
    core: &Core,
    page: &Page,
    f: NewForm,
    errors: FieldErrors,
    added: bool,
    status: StatusCode,
) -> PageResult {
    let caller = page.caller()?;
    let rows = staff::list(core, caller).await?;
    render_with(
        status,
        &StaffPage {
            page,
            rows,
            roles: ROLES,
            f: NewForm {
                password: String::new(),
                ..f
            },
            errors,
            added,
            reset: false,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    added: String,
    #[serde(default)]
    reset: String,
}

#[get("/staff")]
pub async fn list(core: web::Data<Core>, page: Page, q: web::Query<ShowQuery>) -> PageResult {
    let caller = page.caller()?;
    let rows = staff::list(&core, caller).await?;
    frt_web::console::render(&StaffPage {
        page: &page,
        rows,
        roles: ROLES,
        f: NewForm::default(),
        errors: FieldErrors::default(),
        added: !q.added.is_empty(),
        reset: !q.reset.is_empty(),
    })
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// Resets a member's second factor (a lost phone): they enrol again at their next login.
#[post("/staff/{id}/second-factor/reset")]
pub async fn reset_second_factor(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<uuid::Uuid>,
    Form(_): Form<Nothing>,
) -> PageResult {
    let caller = page.caller()?;
    staff::reset_second_factor(&core, caller, id.into_inner())
        .await
        .map_err(frt_web::ApiError::from)?;
    Ok(see_other("/staff?reset=1"))
}

#[post("/staff")]
pub async fn add(core: web::Data<Core>, page: Page, Form(f): Form<NewForm>) -> PageResult {
    let caller = page.caller()?;
    let outcome = staff::create(
        &core,
        caller,
        f.email.trim().to_owned(),
        f.display_name.trim().to_owned(),
        f.password.clone(),
        &f.role,
    )
    .await;
    match outcome {
        Ok(_) => Ok(see_other("/staff?added=1")),
        Err(e) => {
            let e = frt_web::ApiError::from(e);
            if !e.status().is_client_error() || e.status() == StatusCode::FORBIDDEN {
                return Err(e.into());
            }
            let mut errors = FieldErrors::of(&e, page.lang, |p| p.to_owned());
            if errors.is_empty() {
                let field = match e.problem().code.as_str() {
                    "user.invalid_role" => "role",
                    c if c.contains("password") => "password",
                    _ => "email",
                };
                errors.add(field, e.problem().detail);
            }
            let status = e.status();
            staff_page(&core, &page, f, errors, false, status).await
        }
    }
}
