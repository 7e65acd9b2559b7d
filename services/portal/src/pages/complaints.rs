//! `/complaints/new` and `/complaints/status`: anyone files a complaint or an anonymous report
//! and follows it with the receipt number and access code, which travel by POST only. Both
//! work with JavaScript off.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::complaints::intake::{self, ComplaintInput, ProcessorGiven, Receipt, ReplyGiven};
use frt_cases::complaints::lookup::{self, PublicStatus};
use frt_web::auth::anonymous_actor;
use frt_web::client::throttle_source;
use frt_web::console::{render, render_with, FieldErrors, Form, Page, PageResult};
use frt_web::Core;
use serde::Deserialize;

/// The complaint form as typed (kept when shown again).
#[derive(Debug, Default, Deserialize)]
pub struct ComplaintForm {
    #[serde(default)]
    processor_name: String,
    #[serde(default)]
    processor_uscc: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    postal_address: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    language: String,
}

impl ComplaintForm {
    fn input(&self) -> ComplaintInput {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let anonymous = self.anonymous.is_some();
        ComplaintInput {
            processor: ProcessorGiven {
                uscc: opt(&self.processor_uscc),
                name: opt(&self.processor_name),
            },
            province: opt(&self.province),
            description: self.description.clone(),
            occurred_on: opt(&self.occurred_on),
            location: opt(&self.location),
            anonymous,
            reply: (!anonymous).then(|| ReplyGiven {
                channel: if self.channel.is_empty() {
                    "mail".to_owned()
                } else {
                    self.channel.clone()
                },
                email: opt(&self.email),
                postal_address: opt(&self.postal_address),
                name: opt(&self.contact_name),
                phone: opt(&self.phone),
                language: opt(&self.language),
            }),
        }
    }

    fn by_post(&self) -> bool {
        self.channel == "post"
    }
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage<'a> {
    page: &'a Page,
    f: ComplaintForm,
    errors: FieldErrors,
    provinces: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "complaint_filed.html")]
struct FiledPage<'a> {
    page: &'a Page,
    receipt: Receipt,
}

#[get("/complaints/new")]
pub async fn new_form(core: web::Data<Core>, page: Page) -> PageResult {
    render(&NewPage {
        provinces: frt_cases::reference::provinces(&core).await?,
        page: &page,
        f: ComplaintForm {
            language: page.lang.code().to_owned(),
            ..ComplaintForm::default()
        },
        errors: FieldErrors::default(),
    })
}

/// The form's field for a path of the use case's problems.
fn complaint_field(path: &str) -> String {
    match path {
        "processor.name" | "processor" => "processor_name",
        "processor.uscc" => "processor_uscc",
        "reply.channel" => "channel",
        "reply.email" => "email",
        "reply.postal_address" => "postal_address",
        "reply.name" => "contact_name",
        "reply.phone" => "phone",
        "reply.language" => "language",
        "reply" => "email",
        other => other,
    }
    .to_owned()
}

#[post("/complaints/new")]
pub async fn file(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<ComplaintForm>,
) -> PageResult {
    let actor = anonymous_actor(&req, "complainant (portal)");
    match intake::file_public(&core, &actor, &f.input(), &throttle_source(&req)).await {
        Ok(receipt) => render_with(
            StatusCode::CREATED,
            &FiledPage {
                page: &page,
                receipt,
            },
        ),
        Err(e) => {
            let e = frt_web::ApiError::from(e);
            if !(e.status() == StatusCode::UNPROCESSABLE_ENTITY
                || e.status() == StatusCode::BAD_REQUEST)
            {
                return Err(e.into());
            }
            let errors = FieldErrors::of(&e, page.lang, complaint_field);
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    page: &page,
                    f,
                    errors,
                    provinces: frt_cases::reference::provinces(&core).await?,
                },
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    receipt_number: String,
    #[serde(default)]
    access_code: String,
}

#[derive(Template)]
#[template(path = "complaint_status.html")]
struct StatusPage<'a> {
    page: &'a Page,
    receipt_number: String,
    errors: FieldErrors,
    found: Option<PublicStatus>,
    /// The code as typed, for the rating form that follows the status (sent by POST only).
    access_code: String,
    rated: bool,
}

#[get("/complaints/status")]
pub async fn status_form(page: Page) -> PageResult {
    render(&StatusPage {
        page: &page,
        receipt_number: String::new(),
        errors: FieldErrors::default(),
        found: None,
        access_code: String::new(),
        rated: false,
    })
}

/// An unknown receipt and a wrong code show the same page; repeated wrong codes wait (429).
#[post("/complaints/status")]
pub async fn status(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<StatusForm>,
) -> PageResult {
    let code = lookup::bounded_code(&f.access_code);
    let receipt_number: String = f.receipt_number.trim().chars().take(40).collect();
    match lookup::status(&core, &receipt_number, &code, &throttle_source(&req)).await {
        Ok(found) => render(&StatusPage {
            page: &page,
            receipt_number,
            errors: FieldErrors::default(),
            found: Some(found),
            access_code: code,
            rated: false,
        }),
        Err(frt_cases::complaints::ComplaintError::NoMatch) => no_match(&page, receipt_number),
        Err(e) => Err(e.into()),
    }
}

/// The lookup form again, saying nothing matched (the same for a wrong code and an unknown
/// receipt).
fn no_match(page: &Page, receipt_number: String) -> PageResult {
    render_with(
        StatusCode::NOT_FOUND,
        &StatusPage {
            page,
            receipt_number,
            errors: FieldErrors::general(page.t("status.no_match")),
            found: None,
            access_code: String::new(),
            rated: false,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    receipt_number: String,
    #[serde(default)]
    access_code: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The complainant rates the handling (回访) after the reply.
#[post("/complaints/rating")]
pub async fn rate(
    core: web::Data<Core>,
    req: HttpRequest,
    page: Page,
    Form(f): Form<RatingForm>,
) -> PageResult {
    let code = lookup::bounded_code(&f.access_code);
    let receipt_number: String = f.receipt_number.trim().chars().take(40).collect();
    let actor = anonymous_actor(&req, "complainant (portal)");
    let rated = lookup::rate(
        &core,
        &actor,
        &receipt_number,
        &code,
        &throttle_source(&req),
        &f.rating,
        Some(f.comment.as_str()),
    )
    .await;
    match rated {
        Ok(found) => render(&StatusPage {
            page: &page,
            receipt_number,
            errors: FieldErrors::default(),
            found: Some(found),
            access_code: String::new(),
            rated: true,
        }),
        Err(frt_cases::complaints::ComplaintError::NoMatch) => no_match(&page, receipt_number),
        Err(e) => Err(e.into()),
    }
}
