//! `/filings/{id}`: a filing as the reviewer reads it — the form by sections, the risk flags
//! with their articles and severity, every time limit with why its date, materials, history —
//! and the decisions the caller may take now (record; return or refuse with reasons), each
//! sending the version the page showed. A decision that lost a race shows what changed.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use frt_access::{Action, Resource};
use frt_cases::filings::review::{self, Reason};
use frt_cases::filings::{history, reads, FilingError};
use frt_domain::filing::FilingAction;
use frt_store::views::FilingDetail;
use frt_web::console::limits::{self, Limit};
use frt_web::console::{filing_form, render_with, see_other, FieldErrors, Form, Page, PageError};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

/// A change between the last two submitted versions, as the page lists it.
struct Change {
    /// Where, in the reader's words (section · field, or the kind of material).
    label: String,
    path: String,
    before: String,
    after: String,
}

/// A value of the form as text ("—" when absent).
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `form.storage.people_stored` or `attachments.commitment_letter[0]` in the reader's words.
fn change_label(page: &Page, path: &str) -> String {
    let field = |s: &str| s.split('[').next().unwrap_or(s).to_owned();
    match path.split_once('.') {
        Some(("attachments", rest)) => page.label("choice", &field(rest)),
        Some(("form", rest)) => {
            let section = rest.split('.').next().unwrap_or(rest);
            let last = rest.rsplit('.').next().unwrap_or(rest);
            format!(
                "{} · {}",
                page.label("filing_form", &field(section)),
                page.label("filing_form", &field(last))
            )
        }
        _ => path.to_owned(),
    }
}

/// A risk flag as the page lists it.
struct Flag {
    article: String,
    severity: String,
    path: String,
    message: String,
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage<'a> {
    page: &'a Page,
    f: FilingDetail,
    limits: Vec<Limit>,
    history: Vec<history::HistoryEntry>,
    /// (section, its answers as read-only HTML).
    sections: Vec<(&'static str, String)>,
    flags: Vec<Flag>,
    return_reasons: Vec<frt_mail::templates::ReasonLine>,
    refusal_reasons: Vec<frt_mail::templates::ReasonLine>,
    /// Whether the caller may decide it now.
    may_decide: bool,
    /// What changed since the version before the last submission: (from, to, changes).
    diff: Option<(i32, i32, Vec<Change>)>,
    /// A reviewer's decision waiting for a supervisor (its action, and its reasons).
    proposal: Option<(String, Vec<frt_mail::templates::ReasonLine>)>,
    /// Whether the caller may approve or send back that decision.
    may_sign_off: bool,
    errors: FieldErrors,
    /// What the reviewer typed as reasons, kept when shown again.
    reasons: String,
    /// `record`, `return` or `refuse` after a decision, or `stale` when another came first.
    notice: String,
    /// Whether the caller may read the filing's audit trail.
    may_audit: bool,
}

/// The page for `id`, with `errors`, `reasons` and `notice` as given.
async fn page_of(
    core: &Core,
    page: &Page,
    id: Uuid,
    errors: FieldErrors,
    reasons: String,
    notice: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let f = reads::detail(core, caller, id).await?;
    let history = history::timeline(core, caller, id).await?;
    let limits = limits::of_filing(core, page, &f).await;
    let diff = match history::diff(core, caller, id, &history::DiffQuery::default()).await {
        Ok(d) => Some((
            d.from,
            d.to,
            d.changes
                .iter()
                .map(|c| Change {
                    label: change_label(page, &c.path),
                    path: c.path.clone(),
                    before: shown(&c.before),
                    after: shown(&c.after),
                })
                .collect(),
        )),
        // A single version has nothing to compare with.
        Err(FilingError::InvalidRange | FilingError::NoSuchVersion { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let sections = filing_form::sections_for(&f.kind)
        .into_iter()
        .filter_map(|s| {
            filing_form::section(s)
                .map(|fields| (s, filing_form::display(&fields, &f.form[s], page.lang)))
        })
        .collect();
    let flags = f
        .risk
        .as_ref()
        .and_then(|r| r.flags.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|x| Flag {
            article: x["article"].as_str().unwrap_or_default().to_owned(),
            severity: x["severity"].as_str().unwrap_or_default().to_owned(),
            path: x["path"].as_str().unwrap_or_default().to_owned(),
            message: x["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let province = f.organisation.province_code.clone();
    let proposal = f.proposed_decision.as_ref().map(|p| {
        (
            p["action"].as_str().unwrap_or_default().to_owned(),
            frt_cases::filings::notify::reason_lines(p.get("reasons").filter(|r| !r.is_null())),
        )
    });
    let may_decide = f.status == "submitted"
        && proposal.is_none()
        && caller.may(core, Resource::FILING, Action::Review, Some(&province));
    let may_sign_off = f.status == "submitted"
        && proposal.is_some()
        && caller.may(core, Resource::FILING, Action::SignOff, Some(&province));
    let may_audit = caller.may(core, Resource::AUDIT, Action::Read, Some(&province));
    let return_reasons = frt_cases::filings::notify::reason_lines(f.return_reasons.as_ref());
    let refusal_reasons = frt_cases::filings::notify::reason_lines(f.refusal_reasons.as_ref());
    render_with(
        status,
        &FilingPage {
            page,
            f,
            limits,
            history,
            sections,
            flags,
            return_reasons,
            refusal_reasons,
            may_decide,
            diff,
            proposal,
            may_sign_off,
            errors,
            reasons,
            notice: notice.to_owned(),
            may_audit,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    decided: String,
}

#[get("/filings/{id}")]
pub async fn show(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let id = PageError::id(&id)?;
    let notice = match q.decided.as_str() {
        n @ ("record" | "return" | "refuse" | "proposed" | "signed_off" | "sent_back") => n,
        _ => "",
    };
    page_of(
        &core,
        &page,
        id,
        FieldErrors::default(),
        String::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    version: i32,
    #[serde(default)]
    reasons: String,
}

/// A decision from the page: to the page again with what happened, what changed when another
/// decision came first, or the reasons' problem beside them.
async fn decide(
    core: &Core,
    page: &Page,
    id: Uuid,
    action: FilingAction,
    f: DecisionForm,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let outcome = match action {
        FilingAction::Record => review::record(core, caller, id, Some(f.version)).await,
        _ => {
            let reasons = f
                .reasons
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Reason {
                    path: None,
                    message: l.to_owned(),
                })
                .collect();
            review::decide_with_reasons(core, caller, id, action, reasons, Some(f.version)).await
        }
    };
    let name = match action {
        FilingAction::Record => "record",
        FilingAction::Return => "return",
        _ => "refuse",
    };
    match outcome {
        // Where sign-off is required the decision waits for a supervisor.
        Ok(d) if d.proposed_decision.is_some() => {
            Ok(see_other(&format!("/filings/{id}?decided=proposed")))
        }
        Ok(_) => Ok(see_other(&format!("/filings/{id}?decided={name}"))),
        Err(FilingError::VersionConflict { .. } | FilingError::IllegalTransition(_)) => {
            page_of(
                core,
                page,
                id,
                FieldErrors::default(),
                f.reasons,
                "stale",
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(FilingError::InvalidReasons(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("reasons", page.t("review.reasons_needed"));
            page_of(
                core,
                page,
                id,
                errors,
                f.reasons,
                "",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /filings/{id}/record`, `…/return` and `…/refuse`: the decision named in the path.
#[post("/filings/{id}/{decision:record|return|refuse}")]
pub async fn decision(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, decision) = path.into_inner();
    let action = match decision.as_str() {
        "record" => FilingAction::Record,
        "return" => FilingAction::Return,
        _ => FilingAction::Refuse,
    };
    decide(&core, &page, PageError::id(&id)?, action, f).await
}

#[derive(Debug, Deserialize)]
pub struct SignOffForm {
    version: i32,
    /// `approve` or `send_back`.
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// A supervisor approves the decision a reviewer proposed (it takes effect) or sends it back.
#[post("/filings/{id}/sign-off")]
pub async fn sign_off(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    Form(f): Form<SignOffForm>,
) -> Result<HttpResponse, PageError> {
    let id = PageError::id(&id)?;
    let caller = page.caller()?;
    let approve = f.outcome == "approve";
    let note = Some(f.note.trim().to_owned()).filter(|n| !n.is_empty());
    match review::sign_off(&core, caller, id, approve, note, Some(f.version)).await {
        Ok(_) => Ok(see_other(&format!(
            "/filings/{id}?decided={}",
            if approve { "signed_off" } else { "sent_back" }
        ))),
        Err(
            FilingError::VersionConflict { .. }
            | FilingError::IllegalTransition(_)
            | FilingError::NoProposal,
        ) => {
            page_of(
                &core,
                &page,
                id,
                FieldErrors::default(),
                String::new(),
                "stale",
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A material of the filing (the download is audited, as through the API).
#[get("/filings/{id}/materials/{attachment_id}")]
pub async fn material(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let (id, attachment) = path.into_inner();
    let opened = reads::open_attachment(
        &core,
        caller,
        PageError::id(&id)?,
        PageError::id(&attachment)?,
    )
    .await?;
    Ok(frt_web::download::respond(opened))
}
