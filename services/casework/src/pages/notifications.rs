//! `/notifications`, `/notifications/new` and `/notifications/{id}`: what the member of
//! staff's agency sent and received (通报), sending a new one with a file, and one
//! notification with its recipients' receipts, acknowledged (签收) or answered (反馈) from its
//! page. `frt_cases::notifications` does the work, as for the API and the exchange service.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use frt_access::Action;
use frt_cases::notifications::{
    self as n, NotificationError, NotificationInput, NotificationQuery, NotificationSummary,
    NotificationView, Origin, Receipt,
};
use frt_store::identities::Agency;
use frt_web::console::{
    check_csrf, render, render_with, see_other, FieldErrors, Form, Page, PageError, PageResult,
};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

/// The notification kinds, in the order the form offers them.
const KINDS: [&str; 5] = [
    "violation_notice",
    "case_transfer",
    "information_sharing",
    "joint_inspection_request",
    "feedback",
];

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    direction: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage<'a> {
    page: &'a Page,
    f: ListQuery,
    rows: Vec<NotificationSummary>,
    next: Option<String>,
    kinds: [&'static str; 5],
    may_send: bool,
}

#[get("/notifications")]
pub async fn list(core: web::Data<Core>, page: Page, f: web::Query<ListQuery>) -> PageResult {
    let caller = page.caller()?;
    let origin = Origin::staff(&core, caller, Action::Read)?;
    let f = f.into_inner();
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let found = n::list(
        &core,
        &origin,
        &NotificationQuery {
            direction: some(&f.direction),
            kind: some(&f.kind),
            status: some(&f.status),
            before: some(&f.before),
            limit: Some(50),
            ..NotificationQuery::default()
        },
    )
    .await?;
    let next = found.next.map(|b| {
        let pairs: Vec<(&str, &str)> = [
            ("direction", f.direction.as_str()),
            ("kind", f.kind.as_str()),
            ("status", f.status.as_str()),
            ("before", b.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "/notifications?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    render(&ListPage {
        may_send: caller.may(
            &core,
            frt_access::Resource::NOTIFICATION,
            Action::Send,
            None,
        ),
        page: &page,
        f,
        rows: found.items,
        next,
        kinds: KINDS,
    })
}

/// A new notification as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    kind: String,
    /// One or more recipients (the form's checkboxes).
    #[serde(default)]
    recipients: Vec<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    processor_name: String,
    #[serde(default)]
    processor_uscc: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    ack_required: String,
    #[serde(default)]
    ack_working_days: String,
}

#[derive(Template)]
#[template(path = "notification_new.html")]
struct NewPage<'a> {
    page: &'a Page,
    agencies: Vec<Agency>,
    kinds: [&'static str; 5],
    f: NewForm,
    errors: FieldErrors,
}

async fn new_page(
    core: &Core,
    page: &Page,
    f: NewForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let caller = page.caller()?;
    let agencies = n::agencies(core, caller).await?;
    render_with(
        status,
        &NewPage {
            page,
            agencies,
            kinds: KINDS,
            f,
            errors,
        },
    )
}

#[get("/notifications/new")]
pub async fn new(core: web::Data<Core>, page: Page) -> PageResult {
    new_page(
        &core,
        &page,
        NewForm {
            ack_working_days: "5".into(),
            ..NewForm::default()
        },
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The form's field for a problem's path.
fn new_field(path: &str) -> String {
    match path {
        p if p.starts_with("recipients") => "recipients".to_owned(),
        "processor.name" => "processor_name".to_owned(),
        "processor.uscc" => "processor_uscc".to_owned(),
        other => other.to_owned(),
    }
}

#[post("/notifications")]
pub async fn send(
    core: web::Data<Core>,
    page: Page,
    web::Form(f): web::Form<Vec<(String, String)>>,
    req: HttpRequest,
) -> PageResult {
    // Checkboxes repeat a name: the form is read as pairs.
    let given = |k: &str| {
        f.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_csrf(&req, &given("csrf"))?;
    let form = NewForm {
        kind: given("kind"),
        recipients: f
            .iter()
            .filter(|(k, _)| k == "recipients")
            .map(|(_, v)| v.clone())
            .collect(),
        title: given("title"),
        body: given("body"),
        processor_name: given("processor_name"),
        processor_uscc: given("processor_uscc"),
        classification: given("classification"),
        ack_required: given("ack_required"),
        ack_working_days: given("ack_working_days"),
    };
    let caller = page.caller()?;
    let origin = Origin::staff(&core, caller, Action::Send)?;
    let mut errors = FieldErrors::default();
    let recipients: Vec<Uuid> = form
        .recipients
        .iter()
        .filter_map(|r| Uuid::parse_str(r).ok())
        .collect();
    if recipients.is_empty() {
        errors.add("recipients", page.t("notification_case.choose_recipient"));
        return new_page(&core, &page, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let processor = (some(&form.processor_name).is_some() || some(&form.processor_uscc).is_some())
        .then(|| n::NotifiedProcessor {
            organisation_id: None,
            uscc: some(&form.processor_uscc),
            name: some(&form.processor_name),
        });
    let input = NotificationInput {
        kind: form.kind.clone(),
        recipients,
        processor,
        links: Vec::new(),
        title: form.title.clone(),
        body: form.body.clone(),
        classification: some(&form.classification),
        restricted_roles: Vec::new(),
        ack_required: !form.ack_required.is_empty(),
        ack_working_days: form.ack_working_days.trim().parse().ok(),
        in_reply_to: None,
    };
    match n::send(&core, &origin, &input).await {
        Ok(sent) => Ok(see_other(&format!("/notifications/{}?done=sent", sent.id))),
        Err(e @ (NotificationError::Invalid(_) | NotificationError::Parameter(_))) => {
            let e = frt_web::ApiError::from(e);
            let errors = FieldErrors::of(&e, page.lang, new_field);
            new_page(&core, &page, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "notification.html")]
struct ShowPage<'a> {
    page: &'a Page,
    v: NotificationView,
    /// The reader's agency's own receipt, when it is a recipient: (status, may act).
    mine: Option<String>,
    may_acknowledge: bool,
    is_sender: bool,
    notice: String,
    errors: FieldErrors,
    feedback: String,
}

async fn show_page(
    core: &Core,
    page: &Page,
    id: Uuid,
    notice: &str,
    errors: FieldErrors,
    feedback: String,
    status: StatusCode,
) -> PageResult {
    let caller = page.caller()?;
    let origin = Origin::staff(core, caller, Action::Read)?;
    let v = n::show(core, &origin, id).await?;
    let mine = v
        .recipients
        .iter()
        .find(|r| r.agency.id == origin.agency_id)
        .map(|r| r.status.clone());
    let may_acknowledge = mine.as_deref().is_some_and(|s| s != "answered")
        && caller.may(
            core,
            frt_access::Resource::NOTIFICATION,
            Action::Acknowledge,
            None,
        );
    render_with(
        status,
        &ShowPage {
            is_sender: v.sender.id == origin.agency_id,
            page,
            v,
            mine,
            may_acknowledge,
            notice: notice.to_owned(),
            errors,
            feedback,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

#[get("/notifications/{id}")]
pub async fn show(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> PageResult {
    let notice = match q.done.as_str() {
        d @ ("sent" | "acknowledged" | "answered" | "attached") => d,
        _ => "",
    };
    show_page(
        &core,
        &page,
        PageError::id(&id)?,
        notice,
        FieldErrors::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReceiptForm {
    #[serde(default)]
    feedback: String,
}

/// Acknowledge (签收) or answer with feedback (反馈): the button names which.
#[post("/notifications/{id}/{receipt:acknowledge|feedback}")]
pub async fn receipt(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(f): Form<ReceiptForm>,
) -> PageResult {
    let (id, which) = path.into_inner();
    let id = PageError::id(&id)?;
    let caller = page.caller()?;
    let origin = Origin::staff(&core, caller, Action::Acknowledge)?;
    let receipt = if which == "acknowledge" {
        Receipt::Acknowledge
    } else {
        Receipt::Feedback(f.feedback.clone())
    };
    let done = if which == "acknowledge" {
        "acknowledged"
    } else {
        "answered"
    };
    match n::receive(&core, &origin, id, receipt).await {
        Ok(_) => Ok(see_other(&format!("/notifications/{id}?done={done}"))),
        Err(NotificationError::AlreadyDone(_)) => {
            show_page(
                &core,
                &page,
                id,
                "already",
                FieldErrors::default(),
                f.feedback,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e @ (NotificationError::Invalid(_) | NotificationError::Parameter(_))) => {
            let e = frt_web::ApiError::from(e);
            let errors = FieldErrors::of(&e, page.lang, |p| p.to_owned());
            show_page(
                &core,
                &page,
                id,
                "",
                errors,
                f.feedback,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A file added to a sent notification (multipart: the CSRF token first, then `file`).
#[post("/notifications/{id}/materials")]
pub async fn attach(
    core: web::Data<Core>,
    page: Page,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> PageResult {
    let id = PageError::id(&id)?;
    let caller = page.caller()?;
    let origin = Origin::staff(&core, caller, Action::Send)?;
    let token = |t: &str| check_csrf(&req, t).is_ok();
    let max = core.settings.uploads.max_bytes;
    let received = frt_web::upload::read_file_checked(&core, &req, body, max, Some(&token))
        .await
        .map_err(PageError::from)?;
    n::add_material(&core, &origin, id, received).await?;
    Ok(see_other(&format!("/notifications/{id}?done=attached")))
}

#[get("/notifications/{id}/materials/{material_id}")]
pub async fn material(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let origin = Origin::staff(&core, caller, Action::Read)?;
    let (id, material) = path.into_inner();
    let opened = n::open_material(
        &core,
        &origin,
        PageError::id(&id)?,
        PageError::id(&material)?,
    )
    .await?;
    Ok(frt_web::download::respond(opened))
}
