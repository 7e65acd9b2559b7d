//! `/complaints` and `/complaints/{id}`: the complaint queue (投诉举报) and a complaint's
//! handling through to the reply the complainant must receive (Art. 17) and closing. Each
//! step is one form sending the version the page showed, to the same use cases as the API
//! (`frt_cases::complaints::handling`); a button appears only for a step the caller may take
//! in the complaint's current state.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use frt_access::{Action, Resource};
use frt_cases::complaints::handling::{self, ComplaintQueueItem, ComplaintQueueQuery};
use frt_cases::complaints::{ComplaintError, ComplaintView, StaffRef};
use frt_domain::complaint::{ComplaintAction, ComplaintStatus};
use frt_web::console::limits::{self, Limit};
use frt_web::console::{render, render_with, see_other, FieldErrors, Form, Lang, Page, PageError};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

/// The queue's filters as the page sets them (kept in the address).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    all: String,
    #[serde(default)]
    after: String,
}

impl Filters {
    fn query(&self) -> ComplaintQueueQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let on = |s: &str| (!s.is_empty()).then_some(true);
        ComplaintQueueQuery {
            status: some(&self.status),
            rating: some(&self.rating),
            mine: on(&self.mine),
            overdue: on(&self.overdue),
            all: on(&self.all),
            after: some(&self.after),
            limit: Some(50),
            ..ComplaintQueueQuery::default()
        }
    }

    fn next_href(&self, next: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("rating", self.rating.as_str()),
            ("mine", self.mine.as_str()),
            ("overdue", self.overdue.as_str()),
            ("all", self.all.as_str()),
            ("after", next),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "/complaints?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

struct Row {
    item: ComplaintQueueItem,
    mark: &'static str,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct QueuePage<'a> {
    page: &'a Page,
    f: Filters,
    rows: Vec<Row>,
    next: Option<String>,
    statuses: Vec<&'static str>,
}

#[get("/complaints")]
pub async fn queue(
    core: web::Data<Core>,
    page: Page,
    f: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let f = f.into_inner();
    let found = handling::queue(&core, caller, &f.query()).await?;
    let rows = found
        .items
        .into_iter()
        .map(|item| Row {
            mark: limits::mark(&core, item.working_days_left),
            item,
        })
        .collect();
    render(&QueuePage {
        next: found.next.map(|n| f.next_href(&n)),
        page: &page,
        f,
        rows,
        statuses: ComplaintStatus::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

/// The steps the page offers, each when the complaint's state and the caller's role allow it.
#[derive(Default)]
struct Steps {
    accept: bool,
    refuse: bool,
    transfer: bool,
    /// Take it oneself (a handler), or assign anyone eligible (a supervisor).
    take: bool,
    assign: Vec<StaffRef>,
    investigate: bool,
    result: bool,
    reply: bool,
    approve: bool,
    close: bool,
    /// A reply was sent but not yet delivered: closing waits for it.
    waiting_delivery: bool,
}

impl Steps {
    fn any(&self) -> bool {
        self.accept
            || self.refuse
            || self.transfer
            || self.take
            || !self.assign.is_empty()
            || self.investigate
            || self.result
            || self.reply
            || self.approve
            || self.close
    }
}

fn steps(core: &Core, page: &Page, c: &ComplaintView, assignees: Vec<StaffRef>) -> Steps {
    let Ok(caller) = page.caller() else {
        return Steps::default();
    };
    let Some(status) = ComplaintStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == c.status)
    else {
        return Steps::default();
    };
    let province = Some(c.province_code.as_str());
    let handles = caller.may(core, Resource::COMPLAINT, Action::Handle, province);
    let allows = |a: ComplaintAction| handles && status.apply(a, c.anonymous).is_ok();
    let reply_state = c.reply.as_ref().map(|r| r.state.as_str());
    let delivered = matches!(reply_state, Some("sent" | "posted"));
    let awaiting = reply_state == Some("awaiting_approval");
    let me = caller.principal.user_id;
    let assigned_to_me = c.assignee.as_ref().is_some_and(|a| a.user_id == me);
    let assignable = allows(ComplaintAction::Assign);
    Steps {
        accept: allows(ComplaintAction::Accept),
        refuse: allows(ComplaintAction::Refuse),
        transfer: allows(ComplaintAction::TransferOut),
        take: assignable && assignees.is_empty() && !assigned_to_me,
        assign: if assignable { assignees } else { Vec::new() },
        investigate: allows(ComplaintAction::Investigate),
        result: allows(ComplaintAction::DecideResult),
        reply: allows(ComplaintAction::Reply) && !awaiting,
        approve: awaiting
            && status.apply(ComplaintAction::Reply, c.anonymous).is_ok()
            && caller.may(core, Resource::COMPLAINT, Action::Approve, province),
        close: allows(ComplaintAction::Close) && (c.anonymous || delivered),
        waiting_delivery: status == ComplaintStatus::ReplySent && !delivered,
    }
}

/// The reply's text from its template, in `lang`: the result (or why it was not accepted)
/// within the office's greeting and closing, for the handler to edit before sending.
fn reply_template(lang: Lang, c: &ComplaintView) -> String {
    let name = c
        .contact
        .as_ref()
        .and_then(|k| k.name.clone())
        .filter(|_| !c.contact_masked)
        .unwrap_or_default();
    let outcome = c
        .result
        .clone()
        .or_else(|| c.decision_reason.clone())
        .unwrap_or_default();
    lang.tf(
        "complaint_case.reply_template",
        &[
            ("name", name.as_str()),
            ("receipt", c.receipt_number.as_str()),
            ("received", lang.date(c.received_at.date_naive()).as_str()),
            ("result", outcome.as_str()),
        ],
    )
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage<'a> {
    page: &'a Page,
    c: ComplaintView,
    limits: Vec<Limit>,
    steps: Steps,
    /// The reply being written: the template in `template_lang`, or what was typed.
    reply_text: String,
    template_lang: &'static str,
    /// The other fields as typed, kept when the page is shown again.
    typed: StepForm,
    errors: FieldErrors,
    /// The step just taken, `stale` when another came first, or `reply_required`.
    notice: String,
    /// Whether the caller may read the complaint's audit trail.
    may_audit: bool,
}

/// How the page is shown: after a step, with what was typed and its problems, or fresh.
struct Shown<'a> {
    typed: StepForm,
    /// The reply template asked for (`zh-CN` or `en`).
    template: Option<&'a str>,
    errors: FieldErrors,
    notice: &'a str,
    status: StatusCode,
}

/// The page of complaint `id` as the caller may see it (opening an unmasked contact is
/// audited by the use case).
async fn page_of(
    core: &Core,
    page: &Page,
    id: Uuid,
    shown: Shown<'_>,
) -> Result<HttpResponse, PageError> {
    let Shown {
        typed,
        template,
        errors,
        notice,
        status,
    } = shown;
    let caller = page.caller()?;
    let c = handling::show(core, caller, id).await?;
    let assignees = handling::assignees(core, caller, id).await?;
    let limits = limits::of(
        core,
        page,
        &[
            ("complaint_case.acceptance", c.acceptance_deadline.as_ref()),
            ("complaint_case.reply_due", c.reply_deadline.as_ref()),
        ],
    )
    .await;
    // The template in the complainant's language unless another was asked for.
    let complainant_lang = c
        .contact
        .as_ref()
        .and_then(|k| k.language.as_deref())
        .unwrap_or("zh-CN");
    let template_lang = match template.unwrap_or(complainant_lang) {
        "en" => Lang::En,
        _ => Lang::Zh,
    };
    let reply_text = if typed.text.is_empty() || template.is_some() {
        reply_template(template_lang, &c)
    } else {
        typed.text.clone()
    };
    let steps = steps(core, page, &c, assignees);
    let may_audit = caller.may(core, Resource::AUDIT, Action::Read, Some(&c.province_code));
    render_with(
        status,
        &ComplaintPage {
            page,
            limits,
            steps,
            reply_text,
            template_lang: template_lang.code(),
            typed,
            errors,
            notice: notice.to_owned(),
            may_audit,
            c,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
    /// `zh-CN` or `en`: the reply template to start from.
    #[serde(default)]
    template: String,
}

/// The steps a page names after it was taken.
const STEPS: &[&str] = &[
    "accept",
    "refuse",
    "transfer",
    "assign",
    "investigate",
    "result",
    "reply",
    "approve",
    "close",
];

#[get("/complaints/{id}")]
pub async fn show(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let id = PageError::id(&id)?;
    let notice = STEPS
        .iter()
        .find(|s| **s == q.done)
        .copied()
        .unwrap_or_default();
    let template = match q.template.as_str() {
        t @ ("zh-CN" | "en") => Some(t),
        _ => None,
    };
    let shown = Shown {
        typed: StepForm::default(),
        template,
        errors: FieldErrors::default(),
        notice,
        status: StatusCode::OK,
    };
    page_of(&core, &page, id, shown).await
}

/// Every step's fields; each step reads those it needs.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    /// Why it is not accepted (refuse) or transferred (transfer).
    #[serde(default)]
    reasons: String,
    /// Transfer: `province`, `public_security` or `department`, and the province's code or
    /// the department's name.
    #[serde(default)]
    to_kind: String,
    #[serde(default)]
    to_value: String,
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    posted_on: String,
}

/// The form's field for a problem's path.
fn step_field(path: &str) -> String {
    match path {
        "to" => "to_value".to_owned(),
        "reason" => "reasons".to_owned(),
        other => other.to_owned(),
    }
}

/// `POST /complaints/{id}/{step}`: one step of the handling, from the version the page showed.
#[post(
    "/complaints/{id}/{step:accept|refuse|transfer|assign|investigate|result|reply|approve|close}"
)]
pub async fn step(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<HttpResponse, PageError> {
    let (id, step) = path.into_inner();
    let id = PageError::id(&id)?;
    let caller = page.caller()?;
    let v = f.version;
    let optional_id = |s: &str, field: &str| -> Result<Option<Uuid>, FieldErrors> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        Uuid::parse_str(s).map(Some).map_err(|_| {
            let mut e = FieldErrors::default();
            e.add(field, page.t("complaint_case.bad_id"));
            e
        })
    };
    let outcome = match step.as_str() {
        "accept" => handling::accept(&core, caller, id, v).await,
        "refuse" => handling::refuse(&core, caller, id, v, &f.reasons).await,
        "transfer" => {
            let to = match f.to_kind.as_str() {
                "public_security" => "public_security".to_owned(),
                "province" => format!("province:{}", f.to_value.trim()),
                _ => format!("department:{}", f.to_value.trim()),
            };
            handling::transfer(&core, caller, id, v, &to, &f.reasons).await
        }
        "assign" => {
            let who = match optional_id(&f.assignee_id, "assignee_id") {
                Ok(Some(u)) => u,
                Ok(None) => caller.principal.user_id,
                Err(errors) => return again(&core, &page, id, f, errors, "").await,
            };
            handling::assign(&core, caller, id, v, who).await
        }
        "investigate" => match optional_id(&f.inspection_id, "inspection_id") {
            Ok(inspection) => handling::investigate(&core, caller, id, v, inspection).await,
            Err(errors) => return again(&core, &page, id, f, errors, "").await,
        },
        "result" => handling::decide(&core, caller, id, v, &f.result).await,
        "reply" => {
            let posted = Some(f.posted_on.trim()).filter(|d| !d.is_empty());
            handling::reply(&core, caller, id, v, &f.text, posted).await
        }
        "approve" => handling::approve_reply(&core, caller, id, v).await,
        _ => handling::close(&core, caller, id, v).await,
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/complaints/{id}?done={step}"))),
        Err(ComplaintError::VersionConflict { .. } | ComplaintError::IllegalStep(_)) => {
            let shown = Shown {
                typed: f,
                template: None,
                errors: FieldErrors::default(),
                notice: "stale",
                status: StatusCode::CONFLICT,
            };
            page_of(&core, &page, id, shown).await
        }
        Err(ComplaintError::ReplyRequired(_)) => {
            let shown = Shown {
                typed: f,
                template: None,
                errors: FieldErrors::default(),
                notice: "reply_required",
                status: StatusCode::CONFLICT,
            };
            page_of(&core, &page, id, shown).await
        }
        Err(e @ (ComplaintError::Invalid(_) | ComplaintError::Parameter(_))) => {
            let e = frt_web::ApiError::from(e);
            let errors = FieldErrors::of(&e, page.lang, step_field);
            again(&core, &page, id, f, errors, "").await
        }
        Err(e) => Err(e.into()),
    }
}

/// The page again with what was typed and its problems beside the fields.
async fn again(
    core: &Core,
    page: &Page,
    id: Uuid,
    f: StepForm,
    errors: FieldErrors,
    notice: &str,
) -> Result<HttpResponse, PageError> {
    let shown = Shown {
        typed: f,
        template: None,
        errors,
        notice,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    page_of(core, page, id, shown).await
}

/// A piece of evidence the complainant gave (the download is audited, as through the API).
#[get("/complaints/{id}/materials/{material_id}")]
pub async fn evidence(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let (id, material) = path.into_inner();
    let opened = handling::open_evidence(
        &core,
        caller,
        PageError::id(&id)?,
        PageError::id(&material)?,
    )
    .await?;
    Ok(frt_web::download::respond(opened))
}
